//! The container runtime's cgroup driver, read from its configuration: the kubelet's
//! `cgroupDriver` must match it, or the kubelet never gets healthy and `kubeadm init` times
//! out in wait-control-plane.
//!
//! - docker: the daemon's own answer, `docker info --format {{.CgroupDriver}}` (the same
//!   call kubeadm ≤1.20 makes for dockershim: GetCgroupDriverDocker,
//!   cmd/kubeadm/app/util/cgroupdriver.go, `docker info -f "{{.CgroupDriver}}"`; the field is
//!   moby's `Info.CgroupDriver`, filled by fillPlatformInfo from cgroupDriver() in
//!   daemon/daemon_unix.go: `systemd`, `cgroupfs`, or `none` for rootless on cgroup v1).
//!   When no docker CLI is found or the daemon does not answer, the file it reads:
//!   `exec-opts: ["native.cgroupdriver=systemd"]` in /etc/docker/daemon.json; without it
//!   the daemon's default, which moby's UsingSystemd (daemon/daemon_unix.go) makes systemd
//!   on a cgroup v2 host booted with systemd ("On cgroup v2 hosts, default to systemd
//!   driver") and cgroupfs otherwise. docker before 20.10 does not run on cgroup v2 at all,
//!   so the rule holds for every docker that can be found there.
//! - containerd: `SystemdCgroup = true` in the runc runtime options of
//!   /etc/containerd/config.toml: `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]`
//!   in the version 2 format, `[plugins.cri.containerd.runtimes.runc.options]` (or
//!   `systemd_cgroup = true` under `[plugins.cri]`) in version 1, and
//!   `[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]` in
//!   containerd 2's version 3; absent means cgroupfs.
//! - CRI-O: `cgroup_manager` under `[crio.runtime]` in /etc/crio/crio.conf and
//!   /etc/crio/crio.conf.d/*.conf (later files win); the default is systemd.

use crate::io::child::Command;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// How long `docker info` may take: a daemon that answers does so in well under a second;
/// one that hangs (dockerd stuck on its containerd) must not hold up `detect`.
pub const DOCKER_INFO_TIMEOUT: Duration = Duration::from_secs(4);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeCgroup {
    /// `docker`, `containerd` or `crio`.
    pub runtime: String,
    /// `systemd` or `cgroupfs`.
    pub driver: String,
    /// Where the driver comes from: `docker info` (docker's own answer), the file it was read
    /// from, or "default" when the runtime's default applies; for docker, a `docker info`
    /// that did not answer is named first ("docker info did not answer: ...; from
    /// /etc/docker/daemon.json").
    pub source: String,
}

/// docker's own answer: `docker info --format {{.CgroupDriver}}` run through `io::child`
/// (its own process group, killed at `timeout`), which prints the driver on one line.
/// Err says why it gave none: it could not start, failed (docker's first line, e.g.
/// "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker
/// daemon running?"), hung, or printed something else.
pub fn docker_info_driver(docker: &Path, timeout: Duration) -> Result<String, String> {
    let cmd = Command::new(docker)
        .args(["info", "--format", "{{.CgroupDriver}}"])
        .env("LC_ALL", "C")
        .timeout(timeout)
        .grace(Duration::from_millis(500))
        .max_output(Some(64 * 1024));
    let run = cmd.capture().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{} does not exist", docker.display()),
        std::io::ErrorKind::PermissionDenied => format!("{} is not executable", docker.display()),
        _ => format!("{} cannot be run: {e}", docker.display()),
    })?;
    let first = run
        .output
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    // docker's own sentence, whole ("Cannot connect to the Docker daemon at ...") but cut
    // where a flood would begin.
    let said = || crate::terminal_text::cut(first, 240);
    if !run.finished.success() {
        let how = run.finished.describe(&cmd).text;
        return Err(if first.is_empty() {
            how
        } else {
            format!("{how}: {}", said())
        });
    }
    match first {
        "systemd" | "cgroupfs" | "none" => Ok(first.to_string()),
        "" => Err("printed nothing".into()),
        _ => Err(format!(
            "printed {}, not a cgroup driver",
            crate::terminal_text::quote(first)
        )),
    }
}

/// docker's daemon.json: the `native.cgroupdriver` exec-opt, else the daemon's default
/// (`docker_default`).
pub fn docker_driver(daemon_json: Option<&str>, default: &str) -> String {
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
        .unwrap_or_else(|| default.into())
}

/// The driver dockerd picks without `native.cgroupdriver` (UsingSystemd, moby
/// daemon/daemon_unix.go): systemd on a cgroup v2 host (cgroups.Mode() == Unified, which
/// /sys/fs/cgroup/cgroup.controllers shows) booted with systemd (isRunningSystemd:
/// /run/systemd/system is a directory), else cgroupfs.
pub fn docker_default(root: &Path) -> &'static str {
    let unified = root.join("sys/fs/cgroup/cgroup.controllers").is_file();
    let systemd = root.join("run/systemd/system").is_dir();
    if unified && systemd {
        "systemd"
    } else {
        "cgroupfs"
    }
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
/// under `root`; for docker, from `docker info` first when a docker CLI was found (`docker`,
/// located as every tool is: `host::tools`, on PATH).
pub fn read(root: &Path, cri_sockets: &[String], docker: Option<&Path>) -> Option<RuntimeCgroup> {
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
        let asked = docker.map(|d| docker_info_driver(d, DOCKER_INFO_TIMEOUT));
        if let Some(Ok(driver)) = asked {
            return Some(RuntimeCgroup {
                runtime: "docker".into(),
                driver,
                source: "docker info".into(),
            });
        }
        let text = read(path);
        let from = source(path, text.is_some());
        let source = match asked {
            Some(Err(why)) if text.is_some() => {
                format!("docker info did not answer: {why}; from {from}")
            }
            Some(Err(why)) => format!("docker info did not answer: {why}; docker's default"),
            _ => from,
        };
        Some(RuntimeCgroup {
            runtime: "docker".into(),
            driver: docker_driver(text.as_deref(), docker_default(root)),
            source,
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
    fn docker_defaults_to_its_daemon_s_default_and_reads_exec_opts() {
        assert_eq!(docker_driver(None, "cgroupfs"), "cgroupfs");
        assert_eq!(docker_driver(None, "systemd"), "systemd");
        assert_eq!(
            docker_driver(Some(r#"{"log-driver": "json-file"}"#), "cgroupfs"),
            "cgroupfs"
        );
        assert_eq!(
            docker_driver(
                Some(
                    r#"{"exec-opts": ["native.cgroupdriver=systemd"], "log-driver": "json-file"}"#
                ),
                "cgroupfs"
            ),
            "systemd"
        );
        // An explicit cgroupfs wins over the cgroup v2 default.
        assert_eq!(
            docker_driver(
                Some(r#"{"exec-opts": ["native.cgroupdriver=cgroupfs"]}"#),
                "systemd"
            ),
            "cgroupfs"
        );
    }

    #[test]
    fn docker_s_default_is_systemd_only_on_cgroup_v2_booted_with_systemd() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(docker_default(t.path()), "cgroupfs");
        std::fs::create_dir_all(t.path().join("sys/fs/cgroup")).unwrap();
        std::fs::write(
            t.path().join("sys/fs/cgroup/cgroup.controllers"),
            "cpuset cpu io memory pids\n",
        )
        .unwrap();
        assert_eq!(docker_default(t.path()), "cgroupfs", "no systemd");
        std::fs::create_dir_all(t.path().join("run/systemd/system")).unwrap();
        assert_eq!(docker_default(t.path()), "systemd");
    }

    /// A stand-in docker CLI printing `out` and exiting with `code`.
    fn fake_docker(dir: &Path, script: &str) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let p = dir.join("docker");
        std::fs::write(&p, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    #[test]
    fn docker_info_gives_the_daemon_s_driver() {
        let t = tempfile::tempdir().unwrap();
        // The docker CLI runs the template over the daemon's Info and ends it with a newline
        // (docker/cli cli/command/system/info.go, formatInfo); the value is moby's
        // cgroupDriver(): "systemd", "cgroupfs" or "none" (daemon/daemon_unix.go).
        for driver in ["systemd", "cgroupfs", "none"] {
            let d = fake_docker(
                t.path(),
                &format!(
                    "[ \"$*\" = 'info --format {{{{.CgroupDriver}}}}' ] || exit 64\necho {driver}"
                ),
            );
            assert_eq!(
                docker_info_driver(&d, DOCKER_INFO_TIMEOUT).as_deref(),
                Ok(driver)
            );
        }
    }

    #[test]
    fn a_docker_that_fails_hangs_or_babbles_gives_no_driver() {
        let t = tempfile::tempdir().unwrap();
        // What the docker 28.2 CLI prints, on stderr with status 1, when dockerd is not running.
        let d = fake_docker(
            t.path(),
            "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1",
        );
        assert_eq!(
            docker_info_driver(&d, DOCKER_INFO_TIMEOUT).unwrap_err(),
            "exited with status 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
        );
        let d = fake_docker(t.path(), "sleep 30");
        assert_eq!(
            docker_info_driver(&d, Duration::from_millis(300)).unwrap_err(),
            "did not finish within 0.3s"
        );
        let d = fake_docker(t.path(), "echo 'Client: Docker Engine - Community'");
        assert!(
            docker_info_driver(&d, DOCKER_INFO_TIMEOUT)
                .unwrap_err()
                .contains("not a cgroup driver")
        );
        let d = fake_docker(t.path(), "exit 0");
        assert_eq!(
            docker_info_driver(&d, DOCKER_INFO_TIMEOUT).unwrap_err(),
            "printed nothing"
        );
        let missing = t.path().join("nope/docker");
        assert!(
            docker_info_driver(&missing, DOCKER_INFO_TIMEOUT)
                .unwrap_err()
                .ends_with("does not exist")
        );
    }

    #[test]
    fn docker_info_wins_and_a_silent_daemon_falls_back_to_daemon_json() {
        let t = tempfile::tempdir().unwrap();
        let bin = tempfile::tempdir().unwrap();
        let sock = ["/var/run/dockershim.sock".to_string()];
        std::fs::create_dir_all(t.path().join("etc/docker")).unwrap();
        std::fs::write(
            t.path().join("etc/docker/daemon.json"),
            r#"{"exec-opts": ["native.cgroupdriver=systemd"]}"#,
        )
        .unwrap();
        // The daemon's word beats the file (a daemon started with --exec-opt on its command
        // line, or not restarted since the file changed).
        let d = fake_docker(bin.path(), "echo cgroupfs");
        let r = read(t.path(), &sock, Some(&d)).unwrap();
        assert_eq!(
            (r.driver.as_str(), r.source.as_str()),
            ("cgroupfs", "docker info")
        );
        let d = fake_docker(
            bin.path(),
            "echo 'Cannot connect to the Docker daemon' >&2; exit 1",
        );
        let r = read(t.path(), &sock, Some(&d)).unwrap();
        assert_eq!(r.driver, "systemd");
        assert_eq!(
            r.source,
            "docker info did not answer: exited with status 1: Cannot connect to the Docker daemon; from /etc/docker/daemon.json"
        );
        std::fs::remove_file(t.path().join("etc/docker/daemon.json")).unwrap();
        let r = read(t.path(), &sock, Some(&d)).unwrap();
        assert_eq!(r.driver, "cgroupfs");
        assert!(r.source.ends_with("; docker's default"), "{}", r.source);
        let r = read(t.path(), &sock, None).unwrap();
        assert_eq!(
            (r.driver.as_str(), r.source.as_str()),
            ("cgroupfs", "default")
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
        let r = read(t.path(), &["/run/containerd/containerd.sock".into()], None).unwrap();
        assert_eq!(
            (r.runtime.as_str(), r.driver.as_str()),
            ("containerd", "systemd")
        );
        assert_eq!(r.source, "/etc/containerd/config.toml");
        let r = read(t.path(), &["/var/run/dockershim.sock".into()], None).unwrap();
        assert_eq!(
            (r.driver.as_str(), r.source.as_str()),
            ("cgroupfs", "default")
        );
        assert!(read(t.path(), &[], None).is_none());
    }
}
