//! `kubeadm.init`: `kubeadm init --config F` (`--upload-certs` when a control-plane node
//! joins later, so its join can download the certificates), the phases from kubeadm's
//! `[phase]` prefixes as sub-progress. A failure is classified (run::diagnose) and the
//! kubelet's and runtime's evidence collected into the log. Before a retry, and for reset:
//! `kubeadm reset -f` and what it leaves undone (cmd/kubeadm/app/cmd/reset.go prints that
//! it does not clean CNI configuration, iptables/IPVS or kubeconfig files).

use super::common;
use super::probe_texts::said;
use crate::answers::NodeRole;
use crate::io::child::Command;
use crate::plan::Plan;
use crate::render::KUBEADM_CONFIG;
use crate::run::diagnose::coded;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use crate::run::{diagnose, kubectl};
use std::time::Duration;

pub struct Init {
    pub plan: Plan,
}

impl Init {
    fn upload_certs(&self) -> bool {
        self.plan
            .joins
            .iter()
            .any(|j| j.role == NodeRole::ControlPlane)
    }
    fn args(&self, cx: &dyn StepCx) -> Vec<String> {
        let mut a = vec![
            "init".to_string(),
            "--config".to_string(),
            cx.rendered().join(KUBEADM_CONFIG).display().to_string(),
        ];
        if self.upload_certs() {
            a.push("--upload-certs".into());
        }
        a
    }
}

/// The phase a kubeadm line names: its `[prefix]` (`[kubelet-start] ...` → kubelet-start).
pub fn phase_of(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let (p, _) = rest.split_once(']')?;
    (!p.is_empty()
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-/".contains(&b)))
    .then_some(p)
}

/// Evidence for a failed control plane, into the log where the tools exist: the kubelet's
/// journal, the containers, the last lines of the first exited one. Quietly skipped where a
/// tool is absent.
pub fn collect_diagnostics(cx: &mut dyn StepCx) {
    let quick = Duration::from_secs(20);
    let journal = Command::new(cx.tool("journalctl"))
        .args(["-u", "kubelet", "-n", "200", "--no-pager"])
        .timeout(quick);
    cx.say("diagnostics: journalctl -u kubelet -n 200");
    if cx.run(journal).is_err() {
        cx.say("diagnostics: journalctl is not available");
    }
    let ps = Command::new(cx.tool("crictl"))
        .args(["ps", "-a"])
        .timeout(quick);
    let mut exited = None;
    let ran = cx.run_with(ps, &mut |l| {
        if exited.is_none() && l.contains("Exited") {
            exited = l.split_whitespace().next().map(str::to_string);
        }
    });
    if ran.is_err() {
        cx.say("diagnostics: crictl is not available");
        return;
    }
    if let Some(id) = exited {
        cx.say(&format!("diagnostics: crictl logs --tail 50 {id}"));
        let logs = Command::new(cx.tool("crictl"))
            .args(["logs", "--tail", "50", &id])
            .timeout(quick);
        let _ = cx.run(logs);
    }
}

/// `kubeadm reset -f` and the cleanup kubeadm leaves: the CNI configuration, the kubeconfig
/// copies, the KUBE-/cali- chains (never a flush of the host's own rules), IPVS in ipvs
/// mode, Calico's interfaces and state.
pub fn reset_node(cx: &mut dyn StepCx, plan: &Plan) -> Result<(), Failure> {
    let cmd = Command::new(cx.tool("kubeadm"))
        .args(["reset", "-f"])
        .timeout(Duration::from_secs(300));
    common::run_lines(cx, cmd, "kubeadm reset -f")?;
    for dir in ["/etc/cni/net.d", "/var/lib/calico", "/var/run/calico"] {
        remove_contents(cx, dir)?;
    }
    for f in super::kubeconfig::targets(cx) {
        let p = cx.host_path(&f.path);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| coded("run.init.remove_file", &[&f.path, &e]))?;
        }
    }
    super::netfilter::remove_chains(cx);
    if plan.proxy_mode == crate::answers::ProxyMode::Ipvs {
        let c = Command::new(cx.tool("ipvsadm"))
            .arg("--clear")
            .timeout(common::QUICK);
        if cx.run(c).is_err() {
            cx.say("ipvsadm is not installed: IPVS tables left as they are");
        }
    }
    for link in ["vxlan.calico", "vxlan-v6.calico", "tunl0", "kube-ipvs0"] {
        if cx.host_path(&format!("/sys/class/net/{link}")).exists() {
            let c = Command::new(cx.tool("ip"))
                .args(["link", "delete", link])
                .timeout(common::QUICK);
            let _ = cx.run(c);
        }
    }
    Ok(())
}

fn remove_contents(cx: &mut dyn StepCx, dir: &str) -> Result<(), Failure> {
    let p = cx.host_path(dir);
    let Ok(rd) = std::fs::read_dir(&p) else {
        return Ok(());
    };
    for e in rd.flatten() {
        let path = e.path();
        let r = if path.is_dir() && !path.is_symlink() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        r.map_err(|err| coded("run.init.empty_dir", &[&path.display(), &err]))?;
    }
    cx.say(&format!("emptied {dir}"));
    Ok(())
}

/// Whether the API server answers with the admin kubeconfig.
pub fn api_answers(cx: &dyn StepCx) -> bool {
    common::exists(cx, kubectl::ADMIN_CONF)
        && common::capture(&kubectl::command(cx, &kubectl::get_nodes(), common::QUICK))
            .is_some_and(|(ok, _)| ok)
}

impl Step for Init {
    fn id(&self) -> String {
        "kubeadm.init".into()
    }
    fn deadline(&self) -> Duration {
        Duration::from_secs(900)
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        if api_answers(cx) {
            return Ok(Probe::Done(said("probe.init.answers", &[])));
        }
        Ok(Probe::Needed(if common::exists(cx, kubectl::ADMIN_CONF) {
            said("probe.init.not_answering", &[])
        } else {
            said("probe.init.none", &[])
        }))
    }
    fn changes(&self, cx: &mut dyn StepCx) -> Vec<Change> {
        let a = self.args(cx);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        vec![
            common::command_change("kubeadm", &a),
            Change::Note(said("change.init.writes", &[])),
        ]
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        // A half-done earlier attempt (files left, API not answering) fails preflight.
        if common::exists(cx, kubectl::ADMIN_CONF)
            || common::exists(cx, "/etc/kubernetes/manifests/kube-apiserver.yaml")
        {
            cx.say("an earlier kubeadm init left files behind: kubeadm reset -f first");
            self.clean(cx)?;
        }
        let cmd = Command::new(cx.tool("kubeadm"))
            .args(self.args(cx))
            .timeout(Duration::from_secs(880));
        let mut lines = Vec::new();
        let fin = cx
            .run_phased(cmd.clone(), &mut |l| {
                lines.push(l.to_string());
                phase_of(l).map(str::to_string)
            })
            .map_err(|e| coded("run.init.cannot_run", &[&e]))?;
        if fin.success() {
            return Ok(());
        }
        let f = diagnose::kubeadm(&lines, &fin.describe_as(&cmd, "init"));
        if diagnose::preflight_errors(&lines).is_empty() {
            collect_diagnostics(cx);
        }
        Err(f)
    }
    fn clean(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        reset_node(cx, &self.plan)
    }
    fn undo(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        reset_node(cx, &self.plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_from_prefixes() {
        assert_eq!(
            phase_of("[kubelet-start] Starting the kubelet"),
            Some("kubelet-start")
        );
        assert_eq!(phase_of("[control-plane] Creating"), Some("control-plane"));
        assert_eq!(phase_of("\t[ERROR Swap]: x"), None);
        assert_eq!(phase_of("[ERROR Swap]: x"), None);
        assert_eq!(phase_of("Your Kubernetes control-plane"), None);
    }
}
