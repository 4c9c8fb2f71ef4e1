//! A failed kubeadm run, classified for a person: the cause in one sentence and the fix,
//! from kubeadm's `[ERROR <Name>]: msg` preflight lines (names are path-derived,
//! cmd/kubeadm/app/preflight/checks.go) and its `error execution phase <phase>: msg` line
//! (cmd/kubeadm/app/cmd/phases/workflow/runner.go). Match prefixes, never a sequence: the
//! phase order moved between releases.

use crate::run::step::Failure;

/// The `[ERROR X]` names and messages in kubeadm's lines.
pub fn preflight_errors(lines: &[String]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter_map(|l| {
            let rest = l.trim_start().strip_prefix("[ERROR ")?;
            let (name, msg) = rest.split_once(']')?;
            Some((
                name.to_string(),
                msg.trim_start_matches(':').trim().to_string(),
            ))
        })
        .collect()
}

/// The phase and message of kubeadm's `error execution phase <phase>: <msg>` line.
pub fn failed_phase(lines: &[String]) -> Option<(String, String)> {
    lines.iter().rev().find_map(|l| {
        let rest = l.trim().strip_prefix("error execution phase ")?;
        let (phase, msg) = rest.split_once(':')?;
        Some((phase.trim().to_string(), msg.trim().to_string()))
    })
}

/// One `[ERROR Name]: msg` as a cause and its fix.
pub fn preflight_error(name: &str, msg: &str) -> Failure {
    let (cause, fix): (String, String) = if let Some(port) = name.strip_prefix("Port-") {
        (
            format!("port {port} is in use on this node: {msg}"),
            format!(
                "find what listens there (ss -ltnp 'sport = :{port}') and stop it; if it is an earlier cluster, run dsinstall reset"
            ),
        )
    } else if name == "Swap" {
        (
            "swap is on: the kubelet does not start with swap".into(),
            "run swapoff -a and comment the swap lines out of /etc/fstab (dsinstall apply --yes does both)".into(),
        )
    } else if name == "ImagePull" {
        (
            format!("an image cannot be pulled: {msg}"),
            "check the node reaches the image registry (or that imageRepository holds kubeadm config images list), then run dsinstall apply again".into(),
        )
    } else if name.starts_with("FileContent--proc-sys-") {
        let key = name
            .trim_start_matches("FileContent--proc-sys-")
            .replace('-', ".");
        (
            format!("a kernel setting kubeadm needs is not 1 ({name}): {msg}"),
            format!(
                "set it (sysctl -w for the key under /proc/sys named {key}) — the host.sysctl step writes it — then run dsinstall apply again"
            ),
        )
    } else if name.starts_with("FileAvailable--") || name.starts_with("DirAvailable--") {
        (
            format!("files of an earlier cluster are still on this node: {msg}"),
            "run dsinstall reset (or kubeadm reset -f) to remove them, then dsinstall apply again"
                .into(),
        )
    } else if name == "CRI" {
        (
            format!("the container runtime does not answer on its socket: {msg}"),
            "start the runtime (systemctl start containerd, or docker on 1.19–1.23) and check criSocket in the answers".into(),
        )
    } else if name == "IsPrivilegedUser" {
        (
            "kubeadm must run as root".into(),
            "run dsinstall apply as root (sudo)".into(),
        )
    } else if name == "KubeletVersion" {
        (
            format!("the kubelet's version does not fit: {msg}"),
            "install the kubelet of the same minor version as kubeadm".into(),
        )
    } else if name.starts_with("FileExisting-") {
        let tool = name.trim_start_matches("FileExisting-");
        (
            format!("{tool} is not installed: {msg}"),
            format!(
                "install {tool} (the package of the same name), then run dsinstall apply again"
            ),
        )
    } else if name == "NumCPU" || name == "Mem" {
        (
            format!("the node is too small for a control plane: {msg}"),
            "give the node at least 2 CPUs and 1700 MB of memory".into(),
        )
    } else {
        (
            format!("kubeadm's preflight check {name} failed: {msg}"),
            format!("fix what the check names; the kubeadm documentation lists check {name}"),
        )
    };
    Failure::new(cause, fix)
}

/// A failed `kubeadm init` (or `init phase preflight`, `config images pull`) from its lines.
pub fn kubeadm(lines: &[String], how: &str) -> Failure {
    let errors = preflight_errors(lines);
    if let Some((name, msg)) = errors.first() {
        let mut f = preflight_error(name, msg);
        if errors.len() > 1 {
            let others: Vec<&str> = errors[1..].iter().map(|(n, _)| n.as_str()).collect();
            f.cause
                .push_str(&format!(" (also failed: {})", others.join(", ")));
        }
        return f;
    }
    let Some((phase, msg)) = failed_phase(lines) else {
        let last = lines
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_string())
            .unwrap_or_else(|| "no output".into());
        return Failure::new(
            format!("kubeadm {how}: {last}"),
            "see the step's lines in the log; dsinstall apply retries after kubeadm reset -f",
        );
    };
    let kubelet = lines
        .iter()
        .any(|l| l.contains("[kubelet-check]") && l.contains("isn't running or healthy"));
    let (cause, fix) = match phase.as_str() {
        "wait-control-plane" | "kubelet-start" | "control-plane-check" | "kubelet-check" => {
            if kubelet || msg.contains("10248") {
                (
                    format!("the kubelet never got healthy ({phase}: {msg})"),
                    "most often its cgroup driver differs from the runtime's (answers: kubelet cgroupDriver, containerd's SystemdCgroup) or swap is on; see journalctl -u kubelet in the log, then run dsinstall apply again".to_string(),
                )
            } else {
                (
                    format!("the control plane did not come up ({phase}: {msg})"),
                    "see the failing container's log (crictl ps -a, crictl logs) collected in the log; then run dsinstall apply again".to_string(),
                )
            }
        }
        p if p.starts_with("preflight") && msg.to_lowercase().contains("pull") => (
            format!("an image cannot be pulled ({msg})"),
            "check the node reaches the image registry, then run dsinstall apply again".into(),
        ),
        p if p.starts_with("certs") => (
            format!("kubeadm could not make the certificates ({phase}: {msg})"),
            "check the addresses and names in the answers (certSANs, controlPlaneEndpoint), then dsinstall reset and apply again".into(),
        ),
        "upload-config" | "upload-certs" | "mark-control-plane" | "bootstrap-token" | "addon" => (
            format!("the API server stopped answering after it started ({phase}: {msg})"),
            "check the control-plane containers (crictl ps -a) and the node's memory; then run dsinstall apply again".into(),
        ),
        _ => (
            format!("kubeadm failed in phase {phase}: {msg}"),
            "see the step's lines in the log; dsinstall apply retries after kubeadm reset -f".into(),
        ),
    };
    Failure::new(cause, fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn preflight_errors_name_the_check() {
        let f = kubeadm(
            &l(&[
                "[preflight] Running pre-flight checks",
                "error execution phase preflight: [preflight] Some fatal errors occurred:",
                "\t[ERROR Port-6443]: Port 6443 is in use",
                "\t[ERROR Swap]: running with swap on is not supported. Please disable swap",
            ]),
            "init",
        );
        assert!(f.cause.starts_with("port 6443 is in use"), "{}", f.cause);
        assert!(f.cause.contains("also failed: Swap"));
        assert!(f.fix.contains("6443"));
    }

    #[test]
    fn wait_control_plane_with_an_unhealthy_kubelet_hints_the_cgroup_driver() {
        let f = kubeadm(
            &l(&[
                "[kubelet-check] It seems like the kubelet isn't running or healthy.",
                "error execution phase wait-control-plane: couldn't initialize a Kubernetes cluster",
            ]),
            "init",
        );
        assert!(f.cause.contains("kubelet never got healthy"));
        assert!(f.fix.contains("cgroup driver"));
    }

    #[test]
    fn unknown_output_keeps_the_last_line() {
        let f = kubeadm(&l(&["something odd", ""]), "init exited with status 1");
        assert!(f.cause.contains("something odd"));
    }
}
