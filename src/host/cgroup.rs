//! The container runtime's cgroup driver, read from its configuration: the kubelet's
//! `cgroupDriver` must match it, or the kubelet never gets healthy and `kubeadm init` times
//! out in wait-control-plane.
//!
//! - docker: `exec-opts: ["native.cgroupdriver=systemd"]` in /etc/docker/daemon.json; the
//!   default is cgroupfs (what `docker info -f {{.CgroupDriver}}` then prints, and what
//!   kubeadm ≤1.20 reads for dockershim: GetCgroupDriverDocker,
//!   cmd/kubeadm/app/util/cgroupdriver.go).
//! - containerd: `SystemdCgroup = true` in the runc runtime options of
//!   /etc/containerd/config.toml: `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]`
//!   in the version 2 format, `[plugins.cri.containerd.runtimes.runc.options]` (or
//!   `systemd_cgroup = true` under `[plugins.cri]`) in version 1, and
//!   `[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]` in
//!   containerd 2's version 3; absent means cgroupfs.
//! - CRI-O: `cgroup_manager` under `[crio.runtime]` in /etc/crio/crio.conf and
//!   /etc/crio/crio.conf.d/*.conf (later files win); the default is systemd.

use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeCgroup {
    /// `docker`, `containerd` or `crio`.
    pub runtime: String,
    /// `systemd` or `cgroupfs`.
    pub driver: String,
    /// The file it was read from, or "default" when the runtime's default applies.
    pub source: String,
}

/// docker's daemon.json: the `native.cgroupdriver` exec-opt, else cgroupfs.
pub fn docker_driver(daemon_json: Option<&str>) -> String {
    let v: Option<serde_json::Value> = daemon_json.and_then(|t| serde_json::from_str(t).ok());
    v.as_ref()
        .and_then(|v| v.get("exec-opts"))
        .and_then(|o| o.as_array())
        .and_then(|opts| {
            opts.iter().filter_map(|o| o.as_str()).find_map(|o| {
                o.replace(' ', "")
                    .strip_prefix("native.cgroupdriver=")
                    .map(str::to_string)
            })
        })
        .unwrap_or_else(|| "cgroupfs".into())
}

/// containerd's config.toml: whether runc uses the systemd driver (see the module doc for
/// the three formats). Only the lines that matter are read: section headers and the two
/// keys, so no TOML parser is needed.
pub fn containerd_driver(config: Option<&str>) -> String {
    let Some(text) = config else {
        return "cgroupfs".into();
    };
    let mut section = String::new();
    let mut systemd = false;
    for line in text.lines() {
        let l = line.split('#').next().unwrap_or("").trim();
        if l.starts_with('[') {
            section = l
                .trim_matches(|c| c == '[' || c == ']')
                .replace(['"', '\''], "");
            continue;
        }
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim() == "true");
        let runc_options = section.ends_with("containerd.runtimes.runc.options")
            && (section.contains("io.containerd.grpc.v1.cri")
                || section.contains("io.containerd.cri.v1.runtime")
                || section.starts_with("plugins.cri."));
        if k == "SystemdCgroup" && runc_options {
            systemd = v;
        }
        // Version 1's older switch for the whole CRI plugin.
        if k == "systemd_cgroup"
            && (section == "plugins.cri" || section == "plugins.io.containerd.grpc.v1.cri")
            && v
        {
            systemd = true;
        }
    }
    if systemd { "systemd" } else { "cgroupfs" }.into()
}

/// CRI-O's `cgroup_manager` in `[crio.runtime]` of the files given in order (later wins).
pub fn crio_driver(configs: &[&str]) -> String {
    let mut driver = "systemd".to_string();
    for text in configs {
        let mut section = String::new();
        for line in text.lines() {
            let l = line.split('#').next().unwrap_or("").trim();
            if l.starts_with('[') {
                section = l.trim_matches(|c| c == '[' || c == ']').to_string();
                continue;
            }
            if section == "crio.runtime"
                && let Some((k, v)) = l.split_once('=')
                && k.trim() == "cgroup_manager"
            {
                driver = v.trim().trim_matches('"').to_string();
            }
        }
    }
    driver
}

/// The driver of the runtime behind the first socket found (`cri_sockets`), from its files
/// under `root`.
pub fn read(root: &Path, cri_sockets: &[String]) -> Option<RuntimeCgroup> {
    // Runtime configs are small; the bounded read keeps a planted /dev/zero or FIFO harmless.
    let read =
        |p: &str| crate::io::read::read_text(&root.join(p.trim_start_matches('/')), 1 << 20).ok();
    let sock = cri_sockets.first()?;
    let source = |p: &str, found: bool| {
        if found {
            p.to_string()
        } else {
            "default".to_string()
        }
    };
    if sock.contains("containerd") {
        let path = "/etc/containerd/config.toml";
        let text = read(path);
        Some(RuntimeCgroup {
            runtime: "containerd".into(),
            driver: containerd_driver(text.as_deref()),
            source: source(path, text.is_some()),
        })
    } else if sock.contains("crio") {
        let mut files: Vec<(String, String)> = Vec::new();
        if let Some(t) = read("/etc/crio/crio.conf") {
            files.push(("/etc/crio/crio.conf".into(), t));
        }
        if let Ok(dir) = std::fs::read_dir(root.join("etc/crio/crio.conf.d")) {
            let mut names: Vec<_> = dir.flatten().map(|e| e.file_name()).collect();
            names.sort();
            for n in names {
                let p = format!("/etc/crio/crio.conf.d/{}", n.to_string_lossy());
                if let Some(t) = read(&p) {
                    files.push((p, t));
                }
            }
        }
        let texts: Vec<&str> = files.iter().map(|(_, t)| t.as_str()).collect();
        Some(RuntimeCgroup {
            runtime: "crio".into(),
            driver: crio_driver(&texts),
            source: files
                .last()
                .map(|(p, _)| p.clone())
                .unwrap_or_else(|| "default".into()),
        })
    } else if sock.contains("dockershim") || sock.contains("docker") {
        let path = "/etc/docker/daemon.json";
        let text = read(path);
        Some(RuntimeCgroup {
            runtime: "docker".into(),
            driver: docker_driver(text.as_deref()),
            source: source(path, text.is_some()),
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // containerd 1.6 `containerd config default` (version 2), trimmed to the runc part.
    const CONTAINERD_V2: &str = r#"version = 2
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.6"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes]
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
          runtime_type = "io.containerd.runc.v2"
          [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
            BinaryName = ""
            SystemdCgroup = false
"#;

    // containerd 1.3/1.4 version 1 format (CentOS 7's containerd.io packages).
    const CONTAINERD_V1: &str = r#"[plugins]
  [plugins.cri]
    systemd_cgroup = false
    [plugins.cri.containerd]
      [plugins.cri.containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins.cri.containerd.runtimes.runc.options]
          SystemdCgroup = true
"#;

    // containerd 2.x version 3.
    const CONTAINERD_V3: &str = r#"version = 3
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  SystemdCgroup = true
"#;

    #[test]
    fn containerd_reads_systemd_cgroup_in_every_config_format() {
        assert_eq!(containerd_driver(Some(CONTAINERD_V2)), "cgroupfs");
        assert_eq!(
            containerd_driver(Some(
                &CONTAINERD_V2.replace("SystemdCgroup = false", "SystemdCgroup = true")
            )),
            "systemd"
        );
        assert_eq!(containerd_driver(Some(CONTAINERD_V1)), "systemd");
        assert_eq!(
            containerd_driver(Some("[plugins.cri]\n  systemd_cgroup = true\n")),
            "systemd"
        );
        assert_eq!(containerd_driver(Some(CONTAINERD_V3)), "systemd");
        assert_eq!(containerd_driver(None), "cgroupfs");
        // A commented-out switch does not count.
        assert_eq!(
            containerd_driver(Some(
                &CONTAINERD_V2.replace("SystemdCgroup = false", "# SystemdCgroup = true")
            )),
            "cgroupfs"
        );
    }

    #[test]
    fn docker_defaults_to_cgroupfs_and_reads_exec_opts() {
        assert_eq!(docker_driver(None), "cgroupfs");
        assert_eq!(
            docker_driver(Some(r#"{"log-driver": "json-file"}"#)),
            "cgroupfs"
        );
        assert_eq!(
            docker_driver(Some(
                r#"{"exec-opts": ["native.cgroupdriver=systemd"], "log-driver": "json-file"}"#
            )),
            "systemd"
        );
    }

    #[test]
    fn crio_defaults_to_systemd_and_later_drop_ins_win() {
        let main =
            "[crio]\n[crio.runtime]\nconmon_cgroup = \"pod\"\ncgroup_manager = \"systemd\"\n";
        let drop_in = "[crio.runtime]\ncgroup_manager = \"cgroupfs\"\n";
        assert_eq!(crio_driver(&[]), "systemd");
        assert_eq!(crio_driver(&[main]), "systemd");
        assert_eq!(crio_driver(&[main, drop_in]), "cgroupfs");
        // The key under another table is not CRI-O's cgroup manager.
        assert_eq!(
            crio_driver(&["[crio.image]\ncgroup_manager = \"cgroupfs\"\n"]),
            "systemd"
        );
    }

    #[test]
    fn read_follows_the_socket_to_its_runtime_files() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("etc/containerd")).unwrap();
        std::fs::write(t.path().join("etc/containerd/config.toml"), CONTAINERD_V1).unwrap();
        let r = read(t.path(), &["/run/containerd/containerd.sock".into()]).unwrap();
        assert_eq!(
            (r.runtime.as_str(), r.driver.as_str()),
            ("containerd", "systemd")
        );
        assert_eq!(r.source, "/etc/containerd/config.toml");
        let r = read(t.path(), &["/var/run/dockershim.sock".into()]).unwrap();
        assert_eq!(
            (r.driver.as_str(), r.source.as_str()),
            ("cgroupfs", "default")
        );
        assert!(read(t.path(), &[]).is_none());
    }
}
