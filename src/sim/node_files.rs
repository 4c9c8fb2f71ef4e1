//! The files a simulated host starts with under its root, as the guide's CentOS 7.7 nodes
//! have them before the install: its hostname, os-release, the container runtime's socket
//! and configuration (Docker with the systemd cgroup driver before Kubernetes 1.24, when
//! dockershim was removed; containerd with `SystemdCgroup = true` from then), and systemd's
//! runtime directory (`/run/systemd/system`, what sd_booted(3) looks for: systemd is PID 1).

use super::version::Version;
use std::path::Path;

/// CentOS 7.7's /etc/os-release (centos-release-7-7.1908.0.el7.centos).
const OS_RELEASE: &str = r#"NAME="CentOS Linux"
VERSION="7 (Core)"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="7"
PRETTY_NAME="CentOS Linux 7 (Core)"
ANSI_COLOR="0;31"
CPE_NAME="cpe:/o:centos:centos:7"
HOME_URL="https://www.centos.org/"
BUG_REPORT_URL="https://bugs.centos.org/"
"#;

/// The guide's /etc/docker/daemon.json (the systemd driver the kubeadm docs ask for).
const DOCKER_DAEMON_JSON: &str = r#"{
  "exec-opts": ["native.cgroupdriver=systemd"],
  "log-driver": "json-file",
  "log-opts": {"max-size": "100m"},
  "storage-driver": "overlay2"
}
"#;

/// The runc part of `containerd config default` (version 2) with the systemd driver on.
const CONTAINERD_CONFIG: &str = r#"version = 2
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    [plugins."io.containerd.grpc.v1.cri".containerd]
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes]
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
          runtime_type = "io.containerd.runc.v2"
          [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
            SystemdCgroup = true
"#;

/// Write the host's starting files under `root`.
pub fn write(root: &Path, hostname: &str, v: Version) -> Result<(), String> {
    let put = |rel: &str, text: &str| -> Result<(), String> {
        let p = root.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| format!("sim: {}: {e}", d.display()))?;
        }
        crate::io::write::write_file(&p, text.as_bytes(), crate::io::write::PUBLIC)
            .map_err(|e| format!("sim: {}: {e}", p.display()))
    };
    put("etc/hostname", &format!("{hostname}\n"))?;
    put("etc/os-release", OS_RELEASE)?;
    let socket = if v.minor < 24 {
        put("etc/docker/daemon.json", DOCKER_DAEMON_JSON)?;
        "var/run/dockershim.sock"
    } else {
        put("etc/containerd/config.toml", CONTAINERD_CONFIG)?;
        "var/run/containerd/containerd.sock"
    };
    // /var/run is a link to /run on systemd hosts (CentOS 7 included): a socket under
    // either name is found under the other.
    let var_run = root.join("var/run");
    if std::fs::symlink_metadata(&var_run).is_err() {
        std::fs::create_dir_all(root.join("run"))
            .and_then(|()| std::fs::create_dir_all(root.join("var")))
            .and_then(|()| std::os::unix::fs::symlink("../run", &var_run))
            .map_err(|e| format!("sim: {}: {e}", var_run.display()))?;
    }
    let sock = root.join(socket);
    if let Some(d) = sock.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("sim: {}: {e}", d.display()))?;
    }
    // A real socket file, as the runtime leaves it; nothing listens (nothing needs to).
    let _ = std::fs::remove_file(&sock);
    drop(
        std::os::unix::net::UnixListener::bind(&sock)
            .map_err(|e| format!("sim: {}: {e}", sock.display()))?,
    );
    let systemd = root.join("run/systemd/system");
    std::fs::create_dir_all(&systemd).map_err(|e| format!("sim: {}: {e}", systemd.display()))
}
