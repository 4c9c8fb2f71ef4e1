//! The `verify` step of apply: the built-in checks (checks.md) against the cluster just
//! installed, each result journalled as it arrives (`StepCx::check`). A failed check fails
//! the step with the first failure's cause and fix.

use super::probe_texts::said;
use crate::plan::Plan;
use crate::run::diagnose::coded;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use crate::verify::check::Cx;
use crate::verify::expect::Expected;
use crate::verify::kubectl::Kubectl;
use crate::verify::report::CheckStatus;
use crate::verify::{self, workload};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// Each check's deadline inside apply.
const CHECK_DEADLINE: Duration = Duration::from_secs(120);

pub struct Verify {
    pub plan: Plan,
    /// The kubeconfig kubeadm init wrote (`/etc/kubernetes/admin.conf` under the root).
    pub kubeconfig: Option<PathBuf>,
    pub keep: bool,
}

impl Step for Verify {
    fn id(&self) -> String {
        "verify".into()
    }

    fn deadline(&self) -> Duration {
        // The checks run at once: about the slowest one, plus deploying the workload.
        CHECK_DEADLINE * 2
    }

    fn probe(&self, _cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        // A verification is never "already done": the cluster may have changed since.
        Ok(Probe::Needed(said("probe.verify.every_apply", &[])))
    }

    fn changes(&self, _cx: &mut dyn StepCx) -> Vec<Change> {
        vec![Change::Note(said(
            "change.verify.workload",
            &[&self.plan.verify.namespace],
        ))]
    }

    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let kubeconfig = self
            .kubeconfig
            .clone()
            .or_else(|| Some(cx.host_path("/etc/kubernetes/admin.conf")));
        let kubectl = Kubectl {
            program: cx.tool("kubectl"),
            kubeconfig,
            server: None,
        };
        let expected = Expected::from_plan(
            &self.plan,
            workload::render_for(&self.plan),
            "the answers of this run",
        );
        let vcx = Cx {
            kubectl,
            expected,
            deadline: CHECK_DEADLINE,
            sim: std::env::var_os("DSINSTALL_SIM")
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        };
        let scratch = cx.rendered().join("verify");
        crate::io::write::create_private_dir(&scratch)
            .map_err(|e| coded("run.verify.scratch", &[&scratch.display(), &e]))?;
        let opts = verify::Options {
            keep: self.keep,
            openstack: false,
            only: None,
        };
        // The checks run on their own threads; results come back here to be journalled
        // in arrival order, since StepCx is the runner's and not shared across threads.
        let (tx, rx) = mpsc::channel();
        let report = std::thread::scope(|s| {
            let h = s.spawn(|| {
                verify::run(&vcx, &opts, &scratch, &mut |r| {
                    tx.send(r.clone()).ok();
                })
            });
            loop {
                match rx.recv_timeout(Duration::from_millis(100)) {
                    Ok(r) => cx.check(&r),
                    Err(mpsc::RecvTimeoutError::Timeout) if h.is_finished() => break,
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
            for r in rx.try_iter() {
                cx.check(&r);
            }
            h.join().unwrap_or_default()
        });
        cx.say(&format!(
            "{} passed, {} failed, {} warned, {} skipped",
            report.passed, report.failed, report.warned, report.skipped
        ));
        match report.checks.iter().find(|c| c.status == CheckStatus::Fail) {
            None => Ok(()),
            Some(f) => Err(match &f.hint {
                // The check's own hint: the Checks screen shows it translated.
                Some(hint) => Failure {
                    fix: hint.clone(),
                    ..coded("run.verify.failed", &[&f.name(), &f.evidence])
                },
                None => coded("run.verify.failed.no_hint", &[&f.name(), &f.evidence]),
            }),
        }
    }
}
