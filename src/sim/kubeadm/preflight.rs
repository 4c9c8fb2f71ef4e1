//! kubeadm's preflight checks (cmd/kubeadm/app/preflight/checks.go) against the simulated
//! host: names derived from what they check, warnings on stderr, errors gathered into one
//! failure, `--ignore-preflight-errors` turning named errors (or `all`) into warnings.

use crate::sim::state::{HostState, World};
use crate::sim::version::Version;

/// One failed check: its name and message.
pub struct Finding {
    pub name: String,
    pub msg: String,
    pub error: bool,
}

/// What a node runs as its container runtime: docker (dockershim) before 1.24, containerd
/// after dockershim's removal.
pub fn runtime_socket(v: Version) -> &'static str {
    if v.minor < 24 {
        "/var/run/dockershim.sock"
    } else {
        "unix:///var/run/containerd/containerd.sock"
    }
}

#[allow(clippy::too_many_arguments)]
/// The checks of `kubeadm init` (control plane) or `join` (worker) on `host`.
/// `ipv6` says whether kubeadm runs its IPv6 checks for this config.
pub fn checks(
    w: &World,
    host: &HostState,
    v: Version,
    control_plane: bool,
    bind_port: u16,
    ipv6: bool,
    cri: &str,
    root: &std::path::Path,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut err = |name: &str, msg: String| {
        out.push(Finding {
            name: name.into(),
            msg,
            error: true,
        })
    };
    let busy = host.kubeadm.as_ref();
    let cp_busy = busy.is_some_and(|k| k.control_plane);
    if control_plane {
        if cp_busy || (w.has_fault("port-6443-in-use") && bind_port == 6443) {
            err(
                &format!("Port-{bind_port}"),
                format!("Port {bind_port} is in use"),
            );
        }
        for p in [10259, 10257] {
            if cp_busy {
                err(&format!("Port-{p}"), format!("Port {p} is in use"));
            }
        }
        for m in [
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
            "etcd",
        ] {
            let path = format!("/etc/kubernetes/manifests/{m}.yaml");
            if root.join(path.trim_start_matches('/')).exists() {
                err(
                    &format!("FileAvailable--etc-kubernetes-manifests-{m}.yaml"),
                    format!("{path} already exists"),
                );
            }
        }
    } else {
        for f in ["kubelet.conf", "pki/ca.crt"] {
            let path = format!("/etc/kubernetes/{f}");
            if root.join(path.trim_start_matches('/')).exists() {
                err(
                    &format!("FileAvailable--etc-kubernetes-{}", f.replace('/', "-")),
                    format!("{path} already exists"),
                );
            }
        }
    }
    if busy.is_some() {
        err("Port-10250", "Port 10250 is in use".into());
    }
    if control_plane && cp_busy {
        for p in [2379, 2380] {
            err(&format!("Port-{p}"), format!("Port {p} is in use"));
        }
        err(
            "DirAvailable--var-lib-etcd",
            "/var/lib/etcd is not empty".into(),
        );
    }
    let file_content = |key: &str, path: &str, out: &mut Vec<Finding>| {
        let name = format!("FileContent-{}", path.replace('/', "-"));
        let exists = !key.starts_with("net.bridge.") || host.modules.contains("br_netfilter");
        let value = host.sysctls.get(key).map(String::as_str).unwrap_or(
            if key.starts_with("net.bridge.") {
                "1"
            } else {
                "0"
            },
        );
        if !exists {
            out.push(Finding {
                name,
                msg: format!("{path} does not exist"),
                error: true,
            });
        } else if value != "1" {
            out.push(Finding {
                name,
                msg: format!("{path} contents are not set to 1"),
                error: true,
            });
        }
    };
    // bridge-nf-call checks were removed in 1.30 (kubernetes/kubernetes#123464).
    if !v.at_least(30) {
        file_content(
            "net.bridge.bridge-nf-call-iptables",
            "/proc/sys/net/bridge/bridge-nf-call-iptables",
            &mut out,
        );
    }
    file_content(
        "net.ipv4.ip_forward",
        "/proc/sys/net/ipv4/ip_forward",
        &mut out,
    );
    if ipv6 {
        if !v.at_least(30) {
            file_content(
                "net.bridge.bridge-nf-call-ip6tables",
                "/proc/sys/net/bridge/bridge-nf-call-ip6tables",
                &mut out,
            );
        }
        file_content(
            "net.ipv6.conf.default.forwarding",
            "/proc/sys/net/ipv6/conf/default/forwarding",
            &mut out,
        );
    }
    if host.swap {
        // From 1.28 kubeadm only warns (swap can be allowed with failSwapOn: false and
        // NodeSwap); the kubelet still refuses to start with its default failSwapOn.
        if v.at_least(28) {
            out.push(Finding {
                name: "Swap".into(),
                msg: "swap is supported for cgroup v2 only. The kubelet must be properly configured to use swap. Please refer to https://kubernetes.io/docs/concepts/architecture/nodes/#swap-memory, or disable swap on the node".into(),
                error: false,
            });
        } else {
            out.push(Finding {
                name: "Swap".into(),
                msg: "running with swap on is not supported. Please disable swap".into(),
                error: true,
            });
        }
    }
    let have = runtime_socket(v).trim_start_matches("unix://");
    let want = cri.trim_start_matches("unix://");
    let docker_era_containerd = v.minor < 24 && want.ends_with("containerd/containerd.sock");
    if want != have && !docker_era_containerd {
        let msg = if v.minor < 24 {
            format!(
                "container runtime is not running: output: Cannot connect to the Docker daemon at unix://{want}. Is the docker daemon running?\n, error: exit status 1"
            )
        } else {
            format!(
                "container runtime is not running: output: time=\"2026-12-01T00:00:00Z\" level=fatal msg=\"validate service connection: validate CRI v1 runtime API for endpoint \\\"unix://{want}\\\": rpc error: code = Unavailable desc = connection error: desc = \\\"transport: Error while dialing: dial unix {want}: connect: no such file or directory\\\"\"\n, error: exit status 1"
            )
        };
        out.push(Finding {
            name: "CRI".into(),
            msg,
            error: true,
        });
    }
    out
}

/// Print the warnings, and give the failure text when errors remain after `ignore`.
/// Ok(()) when nothing is fatal.
///
/// Before 1.34 the `[ERROR …]` block is the error itself (preflight.Error), so it ends up
/// after `error execution phase preflight: `. From 1.34 (kubernetes/kubernetes#132080)
/// RunChecks' handleError writes the block to stderr itself, the ignore hint ending in a
/// newline, and the error is only `preflight checks failed`.
pub fn report(v: Version, findings: Vec<Finding>, ignore: &[String]) -> Result<(), String> {
    let all = ignore.iter().any(|i| i.eq_ignore_ascii_case("all"));
    let mut fatal = Vec::new();
    for f in findings {
        let ignored = all || ignore.iter().any(|i| i.eq_ignore_ascii_case(&f.name));
        if f.error && !ignored {
            fatal.push(f);
        } else {
            eprintln!("\t[WARNING {}]: {}", f.name, f.msg);
        }
    }
    if fatal.is_empty() {
        return Ok(());
    }
    let mut msg = String::from("[preflight] Some fatal errors occurred:\n");
    for f in fatal {
        msg.push_str(&format!("\t[ERROR {}]: {}\n", f.name, f.msg));
    }
    msg.push_str("[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`");
    if v.errors_prefixed() {
        eprintln!("{msg}");
        return Err("preflight checks failed".into());
    }
    Err(msg)
}
