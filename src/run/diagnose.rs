//! A failed kubeadm run, classified for a person: the cause in one sentence and the fix,
//! from kubeadm's `[ERROR <Name>]: msg` preflight lines (names are path-derived,
//! cmd/kubeadm/app/preflight/checks.go) and its `error execution phase <phase>: msg` line
//! (cmd/kubeadm/app/cmd/phases/workflow/runner.go). Match prefixes, never a sequence: the
//! phase order moved between releases.

use crate::message::{ArgCodes, Value, fill, values};
use crate::run::step::{Diagnosis, Failure};

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

/// The phase and message of kubeadm's `error execution phase <phase>: <msg>` line. Newer
/// kubeadm (seen from 1.34 on) prints its errors with `error: ` in front, and a failed
/// preflight as its `[ERROR …]` lines followed by `error: error execution phase preflight:
/// preflight checks failed`.
pub fn failed_phase(lines: &[String]) -> Option<(String, String)> {
    lines.iter().rev().find_map(|l| {
        let l = l.trim();
        let rest = l
            .strip_prefix("error: ")
            .unwrap_or(l)
            .strip_prefix("error execution phase ")?;
        let (phase, msg) = rest.split_once(':')?;
        Some((phase.trim().to_string(), msg.trim().to_string()))
    })
}

/// What kubeadm prints after its error (cmd/kubeadm/app/util/error.go).
const STACK_HINT: &str = "To see the stack trace of this error execute with --v=5 or higher";

/// Every cause and fix this module (and the runner) writes: (code, cause, fix), English
/// with `{N}` for the values; cause and fix share them. An empty fix: the cause has none.
/// The wizard translates them by `cause.<code>` and `fix.<code>` (assets/i18n).
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "run.preflight.port",
        "port {0} is in use on this node: {1}",
        "find what listens there (ss -ltnp 'sport = :{0}') and stop it; if it is an earlier cluster, run dsinstall reset",
    ),
    (
        "run.preflight.swap",
        "swap is on: the kubelet does not start with swap",
        "run swapoff -a and comment the swap lines out of /etc/fstab (dsinstall apply --yes does both)",
    ),
    (
        "run.preflight.image_pull",
        "an image cannot be pulled: {0}",
        "check the node reaches the image registry (or that imageRepository holds kubeadm config images list), then run dsinstall apply again",
    ),
    (
        "run.preflight.sysctl",
        "a kernel setting kubeadm needs is not 1 ({0}): {1}",
        "set it (sysctl -w for the key under /proc/sys named {2}) — the host.sysctl step writes it — then run dsinstall apply again",
    ),
    (
        "run.preflight.leftover_files",
        "files of an earlier cluster are still on this node: {0}",
        "run dsinstall reset (or kubeadm reset -f) to remove them, then dsinstall apply again",
    ),
    (
        "run.preflight.cri",
        "the container runtime does not answer on its socket: {0}",
        "start the runtime (systemctl start containerd, or docker on 1.19–1.23) and check criSocket in the answers",
    ),
    (
        "run.preflight.not_root",
        "kubeadm must run as root",
        "run dsinstall apply as root (sudo)",
    ),
    (
        "run.preflight.kubelet_version",
        "the kubelet's version does not fit: {0}",
        "install the kubelet of the same minor version as kubeadm",
    ),
    (
        "run.preflight.missing_tool",
        "{0} is not installed: {1}",
        "install {0} (the package of the same name), then run dsinstall apply again",
    ),
    (
        "run.preflight.too_small",
        "the node is too small for a control plane: {0}",
        "give the node at least 2 CPUs and 1700 MB of memory",
    ),
    (
        "run.preflight.other",
        "kubeadm's preflight check {0} failed: {1}",
        "fix what the check names; the kubeadm documentation lists check {0}",
    ),
    (
        "run.kubeadm.no_phase",
        "kubeadm {0}: {1}",
        "see the step's lines in the log; dsinstall apply retries after kubeadm reset -f",
    ),
    (
        "run.kubeadm.no_output",
        "kubeadm {0}: no output",
        "see the step's lines in the log; dsinstall apply retries after kubeadm reset -f",
    ),
    (
        "run.kubeadm.kubelet_unhealthy",
        "the kubelet never got healthy ({0}: {1})",
        "most often its cgroup driver differs from the runtime's (answers: kubelet cgroupDriver, containerd's SystemdCgroup) or swap is on; see journalctl -u kubelet in the log, then run dsinstall apply again",
    ),
    (
        "run.kubeadm.control_plane_down",
        "the control plane did not come up ({0}: {1})",
        "see the failing container's log (crictl ps -a, crictl logs) collected in the log; then run dsinstall apply again",
    ),
    (
        "run.kubeadm.image_pull",
        "an image cannot be pulled ({1})",
        "check the node reaches the image registry, then run dsinstall apply again",
    ),
    (
        "run.kubeadm.certs",
        "kubeadm could not make the certificates ({0}: {1})",
        "check the addresses and names in the answers (certSANs, controlPlaneEndpoint), then dsinstall reset and apply again",
    ),
    (
        "run.kubeadm.api_stopped",
        "the API server stopped answering after it started ({0}: {1})",
        "check the control-plane containers (crictl ps -a) and the node's memory; then run dsinstall apply again",
    ),
    (
        "run.kubeadm.phase",
        "kubeadm failed in phase {0}: {1}",
        "see the step's lines in the log; dsinstall apply retries after kubeadm reset -f",
    ),
    (
        "run.stopped",
        "the runner was stopped (SIGTERM) during this step",
        "run dsinstall apply again to resume",
    ),
    ("run.runner_gone", "the runner stopped during this step", ""),
];

/// Every cause and fix the runner writes: this module's [`TEXTS`] and those of the steps
/// and the SSH link, one code each (tests/message_codes.rs holds the translations to them).
pub fn texts() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    [
        TEXTS,
        crate::run::remote::TEXTS,
        crate::run::steps::join::TEXTS,
        crate::run::steps::TEXTS,
    ]
    .into_iter()
    .flatten()
}

/// The phrases the causes are made of where a value is a sentence itself (how a command
/// ended, what a call to a node was for, why a tool does not start): (code, English), shown
/// by the code itself. They travel in a diagnosis's (or a host warning's) `argCodes`.
pub fn phrases() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    [
        crate::io::child::TEXTS,
        crate::run::remote::PHRASES,
        crate::run::steps::join::WHAT,
        crate::host::tools::TEXTS,
    ]
    .into_iter()
    .flatten()
}

/// What follows a preflight cause when kubeadm names more failed checks; `{0}` their names.
pub const ALSO_FAILED: &str = " (also failed: {0})";

/// The failure `code` of [`texts`] with its values filled in, and its diagnosis.
pub fn coded(code: &str, args: &[&dyn Value]) -> Failure {
    let (args, arg_codes) = values(args);
    coded_as(code, args, arg_codes)
}

/// [`coded`] from the values as a diagnosis keeps them (English, and the codes of those
/// that are coded).
pub fn coded_as(code: &str, args: Vec<String>, arg_codes: ArgCodes) -> Failure {
    let (cause, fix) = texts()
        .find(|(c, ..)| *c == code)
        .map(|(_, cause, fix)| (*cause, *fix))
        .unwrap_or_else(|| panic!("unknown failure code {code}"));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Failure {
        cause: fill(cause, &refs),
        fix: fill(fix, &refs),
        diagnosis: Some(Box::new(Diagnosis {
            code: code.to_string(),
            args,
            arg_codes,
            also_failed: Vec::new(),
            node: None,
        })),
    }
}

/// One `[ERROR Name]: msg` as a cause and its fix.
pub fn preflight_error(name: &str, msg: &str) -> Failure {
    if let Some(port) = name.strip_prefix("Port-") {
        coded("run.preflight.port", &[&port, &msg])
    } else if name == "Swap" {
        coded("run.preflight.swap", &[])
    } else if name == "ImagePull" {
        coded("run.preflight.image_pull", &[&msg])
    } else if let Some(key) = name.strip_prefix("FileContent--proc-sys-") {
        let key = key.replace('-', ".");
        coded("run.preflight.sysctl", &[&name, &msg, &key])
    } else if name.starts_with("FileAvailable--") || name.starts_with("DirAvailable--") {
        coded("run.preflight.leftover_files", &[&msg])
    } else if name == "CRI" {
        coded("run.preflight.cri", &[&msg])
    } else if name == "IsPrivilegedUser" {
        coded("run.preflight.not_root", &[])
    } else if name == "KubeletVersion" {
        coded("run.preflight.kubelet_version", &[&msg])
    } else if let Some(tool) = name.strip_prefix("FileExisting-") {
        coded("run.preflight.missing_tool", &[&tool, &msg])
    } else if name == "NumCPU" || name == "Mem" {
        coded("run.preflight.too_small", &[&msg])
    } else {
        coded("run.preflight.other", &[&name, &msg])
    }
}

/// A failed `kubeadm init` (or `init phase preflight`, `config images pull`) from its lines;
/// `how` names the command and how it ended ("init exited with status 1").
pub fn kubeadm(lines: &[String], how: &(impl Value + ?Sized)) -> Failure {
    let how = how.said();
    let errors = preflight_errors(lines);
    if let Some((name, msg)) = errors.first() {
        let mut f = preflight_error(name, msg);
        let others: Vec<String> = errors[1..].iter().map(|(n, _)| n.clone()).collect();
        if !others.is_empty() {
            f.cause.push_str(&fill(ALSO_FAILED, &[&others.join(", ")]));
            if let Some(d) = f.diagnosis.as_mut() {
                d.also_failed = others;
            }
        }
        return f;
    }
    let Some((phase, msg)) = failed_phase(lines) else {
        // kubeadm's last line says how to see a stack trace: the one before it is the error.
        let said = |l: &&String| !l.trim().is_empty() && !l.starts_with(STACK_HINT);
        return match lines.iter().rev().find(said) {
            Some(last) => coded("run.kubeadm.no_phase", &[&how, &last.trim()]),
            None => coded("run.kubeadm.no_output", &[&how]),
        };
    };
    coded(phase_code(lines, &phase, &msg), &[&phase, &msg])
}

/// The code of a failed phase: which part of `kubeadm init` gave up, and why.
fn phase_code(lines: &[String], phase: &str, msg: &str) -> &'static str {
    let kubelet = lines
        .iter()
        .any(|l| l.contains("[kubelet-check]") && l.contains("isn't running or healthy"));
    match phase {
        "wait-control-plane" | "kubelet-start" | "control-plane-check" | "kubelet-check" => {
            if kubelet || msg.contains("10248") {
                "run.kubeadm.kubelet_unhealthy"
            } else {
                "run.kubeadm.control_plane_down"
            }
        }
        p if p.starts_with("preflight") && msg.to_lowercase().contains("pull") => {
            "run.kubeadm.image_pull"
        }
        p if p.starts_with("certs") => "run.kubeadm.certs",
        "upload-config" | "upload-certs" | "mark-control-plane" | "bootstrap-token" | "addon" => {
            "run.kubeadm.api_stopped"
        }
        _ => "run.kubeadm.phase",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// kubeadm's output from 1.34 on, as users quote it (v1.34.1, v1.35.3, v1.37.0): the
    /// `error: ` prefix, the fatal checks on their own lines, the stack-trace hint last.
    #[test]
    fn the_newer_error_form_is_read_as_the_older_one() {
        let f = kubeadm(
            &l(&[
                "[preflight] Running pre-flight checks",
                "[preflight] Some fatal errors occurred:",
                "\t[ERROR FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not set to 1",
                "[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`",
                "error: error execution phase preflight: preflight checks failed",
                "To see the stack trace of this error execute with --v=5 or higher",
            ]),
            "init exited with status 1",
        );
        let d = f.diagnosis.as_deref().unwrap();
        assert_eq!(d.code, "run.preflight.sysctl", "{f:?}");
        let f = kubeadm(
            &l(&[
                "[kubelet-check] The kubelet is not healthy after 4m0.000s",
                "error: error execution phase wait-control-plane: failed while waiting for the kubelet to start: The HTTP call equal to 'curl -sSL http://127.0.0.1:10248/healthz' returned error",
                "To see the stack trace of this error execute with --v=5 or higher",
            ]),
            "init exited with status 1",
        );
        assert_eq!(
            f.diagnosis.as_deref().map(|d| d.code.as_str()),
            Some("run.kubeadm.kubelet_unhealthy"),
            "{f:?}"
        );
        let f = kubeadm(
            &l(&[
                "error: something kubeadm has no phase for",
                "To see the stack trace of this error execute with --v=5 or higher",
            ]),
            "init exited with status 1",
        );
        assert!(
            f.cause.contains("something kubeadm has no phase for"),
            "{}",
            f.cause
        );
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
        let d = f.diagnosis.expect("coded");
        assert_eq!(d.code, "run.preflight.port");
        assert_eq!(d.also_failed, ["Swap"]);
    }

    #[test]
    fn every_code_is_written_by_the_runner_or_this_module() {
        let src = [
            include_str!("diagnose.rs"),
            include_str!("runner.rs"),
            include_str!("status.rs"),
        ];
        for (code, ..) in TEXTS {
            let quoted = format!("\"{code}\"");
            let uses: usize = src.iter().map(|s| s.matches(&quoted).count()).sum();
            assert!(uses >= 2, "{code} is in TEXTS but nothing writes it");
        }
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

    #[test]
    fn how_kubeadm_ended_keeps_its_code() {
        let how = crate::message::Said::coded(
            crate::io::child::TEXTS,
            "child.named",
            &[&"init", &crate::io::child::ended_with(Some(1))],
        );
        let f = kubeadm(&l(&["something odd"]), &how);
        assert_eq!(f.cause, "kubeadm init exited with status 1: something odd");
        let d = f.diagnosis.expect("coded");
        assert_eq!(d.arg_codes.get(0), how.code.as_deref());
    }
}
