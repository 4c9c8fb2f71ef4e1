//! The contract between the runner and a step (run.md, "Steps"): every step probes first
//! (re-run on every resume, even for steps already done), acts, backs up every host file
//! before changing it, and can be undone by `dsinstall reset`.
//!
//! The runner owns the journal, the log, redaction, deadlines and cancellation; a step
//! only talks to its `StepCx`.

use crate::io::child::{Command, Finished};
pub use crate::message::Said;
pub use crate::run::event::Diagnosis;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a probe found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Probe {
    /// Nothing left to do (the detail says what was seen: "swap is off, fstab has no swap").
    Done(Said),
    /// The action must run (the detail says why).
    Needed(Said),
}

impl Probe {
    /// What the probe saw, in English.
    pub fn detail(&self) -> &str {
        match self {
            Probe::Done(d) | Probe::Needed(d) => &d.text,
        }
    }
}

/// Why a step failed, for a person to act on: `cause` in one sentence, `fix` what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub cause: String,
    pub fix: String,
    /// The cause and fix by code, where they are one of `run::diagnose::TEXTS`, so a front
    /// end can show them in another language. Boxed: a `Failure` is the error of most
    /// results in a step, and stays small for them.
    pub diagnosis: Option<Box<Diagnosis>>,
}

impl Failure {
    pub fn new(cause: impl Into<String>, fix: impl Into<String>) -> Failure {
        Failure {
            cause: cause.into(),
            fix: fix.into(),
            diagnosis: None,
        }
    }
}

/// A failure as the value of another cause ("the kernel module … cannot be loaded (…)"):
/// its cause, coded by the key a front end shows a cause by (`cause.<code>`). A cause with
/// more to it than that key says (the other failed checks, the node) stays English.
impl crate::message::Value for Failure {
    fn said(&self) -> crate::message::Said {
        let mut said = crate::message::Said::from(self.cause.clone());
        let plain = |d: &&Diagnosis| d.also_failed.is_empty() && d.node.is_none();
        said.code = self.diagnosis.as_deref().filter(plain).map(|d| {
            Box::new(crate::message::Message {
                code: format!("cause.{}", d.code),
                args: d.args.clone(),
                arg_codes: d.arg_codes.clone(),
            })
        });
        said
    }
}

/// One change a step would make, for `--dry-run` and the wizard's Confirm screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A command that changes the host, with its arguments.
    Command(Vec<String>),
    /// A file written under the root: its path on the node, and a unified diff against
    /// what is on disk now (the whole file when it is new).
    File { path: PathBuf, diff: String },
    /// Anything else, in one line ("swap off on /dev/sda2").
    Note(Said),
}

/// The runner's side of a step's work. Implemented by the runner (and by tests).
pub trait StepCx {
    /// The directory host files go under (`--root`, `/` on a real node).
    fn root(&self) -> &Path;
    /// Where the run's rendered files are (0700, in the state directory).
    fn rendered(&self) -> &Path;
    /// The host path `p` (absolute, as on the node) under the root.
    fn host_path(&self, p: &str) -> PathBuf {
        self.root().join(p.trim_start_matches('/'))
    }
    /// A program the run drives (kubeadm, kubectl, ssh…): `DSINSTALL_KUBEADM`/`_KUBECTL`,
    /// else PATH.
    fn tool(&self, name: &str) -> PathBuf;
    /// Run a child; every line of it goes to the journal and log under this step, redacted.
    /// The runner adds the deadline left to the step and the cancel flag.
    fn run(&mut self, cmd: Command) -> io::Result<Finished>;
    /// Run a child and also hand its (redacted) lines to `on_line`.
    fn run_with(&mut self, cmd: Command, on_line: &mut dyn FnMut(&str)) -> io::Result<Finished>;
    /// Run a child whose lines tell its progress: `on_line` sees each (redacted) line and
    /// returns the phase it starts, if any ("kubelet-start", "image 3/7"); each new phase is
    /// reported as it appears. Default: the last phase once the child ended.
    fn run_phased(
        &mut self,
        cmd: Command,
        on_line: &mut dyn FnMut(&str) -> Option<String>,
    ) -> io::Result<Finished> {
        let mut last: Option<String> = None;
        let r = self.run_with(cmd, &mut |l| {
            if let Some(p) = on_line(l) {
                last = Some(p);
            }
        });
        if let Some(p) = last {
            self.phase(&p);
        }
        r
    }
    /// A line of the step's own.
    fn say(&mut self, text: &str);
    /// Sub-progress (a kubeadm phase, "image 3/7").
    fn phase(&mut self, phase: &str);
    /// One result of the built-in checks (the `verify` step), journalled as it arrives.
    fn check(&mut self, result: &crate::verify::report::CheckResult);
    /// Keep a copy of the host file at `host` (under the root) before it is changed; once
    /// per run, so a resume never backs up dsinstall's own edit. Restored by reset.
    fn backup(&mut self, host: &Path) -> io::Result<()>;
    /// Whether the run is a dry run: the step describes, never changes.
    fn dry_run(&self) -> bool;
    /// Whether the user gave consent to changes that need it (`--yes`, or the wizard asked).
    fn consented(&self) -> bool;
}

/// One step of the install.
pub trait Step: Send {
    /// The step id (run.md: `preflight`, `host.swap`, …, `join.<node>`, `verify`).
    fn id(&self) -> String;
    /// How long the action may take before it is cancelled.
    fn deadline(&self) -> Duration;
    /// Is it done already? Must not change the host.
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure>;
    /// What the action would change (dry run, Confirm screen).
    fn changes(&self, cx: &mut dyn StepCx) -> Vec<Change>;
    /// Do it. An interrupted earlier attempt may have left it half done: pick up from there.
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure>;
    /// A step whose result cannot be undone within a run by anything but reset (the checks
    /// of preflight, the images pulled): once done in a run, a resume takes it as done
    /// without probing. Default: false (probed on every resume).
    fn once_per_run(&self) -> bool {
        false
    }
    /// Make a failed or interrupted attempt retryable (kubeadm.init: `kubeadm reset -f` and
    /// the cleanup kubeadm leaves undone). Default: nothing to clean.
    fn clean(&self, _cx: &mut dyn StepCx) -> Result<(), Failure> {
        Ok(())
    }
    /// Undo what the step did, for `dsinstall reset`. Backed-up files are restored by the
    /// runner afterwards. Default: nothing beyond the backups.
    fn undo(&self, _cx: &mut dyn StepCx) -> Result<(), Failure> {
        Ok(())
    }
}
