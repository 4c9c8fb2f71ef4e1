//! `preflight`: what would make the install fail, before anything changes: the host
//! warnings that block it, the host checks of the answers (plan::host::check: the CRI
//! socket, the node's addresses on this host, the cgroup driver, the MTU), then kubeadm's
//! own `kubeadm init phase preflight --config F`, each `[ERROR X]` turned into a cause and
//! a fix. kubeadm's checks that the next steps fix (swap, the forwarding and bridge
//! sysctls) and the image pull the images step does are ignored here, not later.

use super::common;
use super::probe_texts::said;
use crate::answers::Answers;
use crate::host::HostFacts;
use crate::io::child::Command;
use crate::plan::{Plan, Severity};
use crate::render::KUBEADM_CONFIG;
use crate::run::diagnose;
use crate::run::diagnose::coded;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use std::time::Duration;

/// Host warnings a later step fixes: not a reason to stop here.
const FIXED_LATER: &[&str] = &["swap-on"];

/// kubeadm preflight checks the host steps and the images step take care of.
pub const IGNORED_CHECKS: &[&str] = &[
    "Swap",
    "FileContent--proc-sys-net-ipv4-ip_forward",
    "FileContent--proc-sys-net-ipv6-conf-default-forwarding",
    "FileContent--proc-sys-net-bridge-bridge-nf-call-iptables",
    "FileContent--proc-sys-net-bridge-bridge-nf-call-ip6tables",
    "ImagePull",
];

pub struct Preflight {
    pub answers: Answers,
    pub plan: Plan,
    /// The host's facts; None: detected under the root when the step runs.
    pub facts: Option<HostFacts>,
}

impl Preflight {
    fn facts(&self, cx: &dyn StepCx) -> HostFacts {
        self.facts
            .clone()
            .unwrap_or_else(|| crate::host::detect_at(cx.root()))
    }

    fn command(&self, cx: &dyn StepCx) -> Command {
        Command::new(cx.tool("kubeadm"))
            .args(["init", "phase", "preflight", "--config"])
            .arg(cx.rendered().join(KUBEADM_CONFIG))
            .arg(format!(
                "--ignore-preflight-errors={}",
                IGNORED_CHECKS.join(",")
            ))
            .timeout(Duration::from_secs(280))
    }
}

impl Step for Preflight {
    fn id(&self) -> String {
        "preflight".into()
    }
    fn deadline(&self) -> Duration {
        Duration::from_secs(300)
    }
    fn once_per_run(&self) -> bool {
        true
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        // Once kubeadm init has run, its own files fail these checks: nothing to check.
        if common::exists(cx, crate::run::kubectl::ADMIN_CONF) {
            return Ok(Probe::Done(said("probe.preflight.behind", &[])));
        }
        Ok(Probe::Needed(said("probe.preflight.every_install", &[])))
    }
    fn changes(&self, _cx: &mut dyn StepCx) -> Vec<Change> {
        vec![Change::Note(said("change.preflight.checks", &[]))]
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let facts = self.facts(cx);
        if let Some(w) = facts
            .warnings
            .iter()
            .find(|w| w.blocking && !FIXED_LATER.contains(&w.id.as_str()))
        {
            return Err(coded("run.preflight.host_warning", &[&w.id, &w.message]));
        }
        let problems = crate::plan::host::check(&self.answers, Some(&self.plan), &facts);
        for p in &problems {
            cx.say(&format!(
                "{}: {} ({})",
                p.severity.as_str(),
                p.message,
                p.path
            ));
        }
        if let Some(p) = problems.iter().find(|p| p.severity == Severity::Error) {
            return Err(match &p.hint {
                // The plan's own fix, in the answers' words: the Plan screen translates it.
                Some(hint) => Failure {
                    fix: hint.clone(),
                    ..coded("run.preflight.problem", &[&p.path, &p.message])
                },
                None => coded("run.preflight.problem.no_hint", &[&p.path, &p.message]),
            });
        }
        let cmd = self.command(cx);
        let (fin, lines) = common::run_any(cx, cmd.clone(), "kubeadm init phase preflight")?;
        if fin.success() {
            return Ok(());
        }
        Err(diagnose::kubeadm(
            &lines,
            &fin.describe_as(&cmd, "init phase preflight"),
        ))
    }
}
