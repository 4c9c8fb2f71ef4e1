//! The wizard's blocking work, off the drawing thread: the dry run, starting the runner,
//! and following its journal. Each job is a thread that sends `Feed`s down one channel the
//! event loop drains; a thread whose receiver is gone (the wizard left) stops at its next
//! send, and none is ever joined, so none can hold the wizard's exit.

use crate::answers::Answers;
use crate::run::client::{self, Attached, StartOptions};
use crate::run::event::Event;
use crate::run::journal::Follower;
use crate::tui::install::{Effect, Feed, Reports};
use crate::verify::report::CheckResult;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

/// Where the run's inputs live, fixed when the wizard starts.
#[derive(Debug, Clone)]
pub struct RunPlace {
    /// `--root` of the run: `/`, or the demo lab's `root`.
    pub root: PathBuf,
    /// The demo's simulated lab (`dsinstall sim --dir`), None on a real host.
    pub lab: Option<PathBuf>,
}

pub struct Feeds {
    pub tx: Sender<Feed>,
    pub rx: Receiver<Feed>,
    pub place: RunPlace,
}

impl Feeds {
    pub fn new(place: RunPlace) -> Feeds {
        let (tx, rx) = channel();
        Feeds { tx, rx, place }
    }

    /// Do what update asked for. `answers`: as saved in `path`.
    pub fn perform(&self, effect: Effect, answers: Answers, path: PathBuf, faults: Vec<String>) {
        let tx = self.tx.clone();
        let place = self.place.clone();
        std::thread::spawn(move || match effect {
            Effect::DryRun => {
                let r =
                    crate::run::dry_run::run(answers, &path, &place.root, false, true, &mut |l| {
                        let _ = tx.send(Feed::DryLine(l));
                    });
                let _ = tx.send(Feed::DryDone(r.map_err(|e| e.to_string())));
            }
            Effect::Start { clear_faults } => {
                if clear_faults {
                    clear_lab_faults(&place, &faults);
                }
                start_and_follow(&tx, &place, &path);
            }
            Effect::ResetAndStart => {
                let state = crate::run::paths::state_dir();
                let logs = crate::run::paths::log_dir();
                let r = crate::run::reset::reset(
                    &state,
                    &logs,
                    &crate::run::reset::Scope::ThisNode,
                    &mut |l: &str| {
                        let _ = tx.send(Feed::Event(Event::Line {
                            step: "reset".into(),
                            text: l.to_string(),
                        }));
                    },
                );
                match r {
                    Ok(_) => {
                        clear_lab_faults(&place, &faults);
                        start_and_follow(&tx, &place, &path)
                    }
                    Err(e) => {
                        let _ = tx.send(Feed::StartFailed(e));
                    }
                }
            }
            Effect::Verify {
                only,
                mut checks,
                reports,
            } => {
                let r = recheck(&tx, &place, &answers, only, &mut checks);
                let failed = r.is_err();
                let _ = tx.send(Feed::RecheckDone(r));
                if let (Some(at), false) = (reports, failed) {
                    let r = at.write(&checks).map(|()| at.clone());
                    let _ = tx.send(Feed::Reports(r));
                }
            }
        });
    }

    /// Follow a run found live when the wizard started.
    pub fn attach(&self, att: Attached) {
        let tx = self.tx.clone();
        std::thread::spawn(move || follow(&tx, &att));
    }
}

/// The demo's training faults, cleared so that the retry can pass.
fn clear_lab_faults(place: &RunPlace, faults: &[String]) {
    let (Some(lab), false) = (&place.lab, faults.is_empty()) else {
        return;
    };
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let o = crate::sim::prepare::Options {
        dir: Some(lab.clone()),
        clear_faults: faults.to_vec(),
        ..Default::default()
    };
    // A fault already cleared (a second retry) is refused; that is no error here.
    let _ = crate::sim::prepare::run(&o, &exe);
}

fn start_and_follow(tx: &Sender<Feed>, place: &RunPlace, answers: &std::path::Path) {
    let opts = StartOptions {
        answers: answers.to_path_buf(),
        root: place.root.clone(),
        // The Confirm screen asked: its yes consents to what needs consent (fstab).
        yes: true,
        demo: place.lab.is_some(),
        ..StartOptions::default()
    };
    match client::start(&opts) {
        Ok(att) => follow(tx, &att),
        Err(e) => {
            let _ = tx.send(Feed::StartFailed(e.to_string()));
        }
    }
}

/// Each check's deadline when the wizard runs them again (the verify step's).
const RECHECK_DEADLINE: Duration = Duration::from_secs(120);

/// Run the built-in checks again through the engine `dsinstall verify` uses, against the
/// cluster the run installed (its admin kubeconfig under the root), sending each result as
/// it arrives and folding it into `checks`.
fn recheck(
    tx: &Sender<Feed>,
    place: &RunPlace,
    answers: &Answers,
    only: Option<String>,
    checks: &mut Vec<CheckResult>,
) -> Result<(), String> {
    use crate::verify::{self, check::Cx, expect::Expected, kubectl::Kubectl, workload};
    let checked = crate::plan::check(answers);
    let plan = checked
        .plan
        .as_ref()
        .filter(|_| !checked.has_errors())
        .ok_or_else(|| "the answers have errors: the checks cannot be made".to_string())?;
    let kubeconfig = place
        .root
        .join(crate::run::kubectl::ADMIN_CONF.trim_start_matches('/'));
    let cx = Cx {
        kubectl: Kubectl {
            program: crate::host::tools::locate("kubectl"),
            kubeconfig: Some(kubeconfig),
            server: None,
        },
        expected: Expected::from_plan(plan, workload::render_for(plan), "the answers of this run"),
        deadline: RECHECK_DEADLINE,
        sim: std::env::var_os("DSINSTALL_SIM")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from),
    };
    let scratch = std::env::temp_dir().join(format!(
        "dsinstall-verify-{}",
        crate::io::sys::random_suffix()
    ));
    crate::io::write::create_private_dir(&scratch)
        .map_err(|e| format!("{}: {e}", scratch.display()))?;
    let opts = verify::Options {
        keep: false,
        openstack: false,
        only,
    };
    verify::run(&cx, &opts, &scratch, &mut |r| {
        let _ = tx.send(Feed::Rechecked(r.clone()));
        match checks
            .iter_mut()
            .find(|c| c.id == r.id && c.family == r.family)
        {
            Some(c) => *c = r.clone(),
            None => checks.push(r.clone()),
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

/// Send the journal's events until the run ends, its runner is gone, or nobody listens.
fn follow(tx: &Sender<Feed>, att: &Attached) {
    if tx
        .send(Feed::Attached {
            log: att.log.clone(),
            report: None,
        })
        .is_err()
    {
        return;
    }
    let mut f = Follower::new(&att.journal);
    // Whether the verify step journalled results (its reports are then beside the log).
    let mut seen_checks = false;
    let mut ends = 0;
    let mut quiet_and_dead = 0;
    loop {
        let events = match f.poll(1 << 18) {
            Ok(e) => e,
            Err(e) => {
                let _ = tx.send(Feed::StartFailed(format!("{}: {e}", att.journal.display())));
                return;
            }
        };
        let got = !events.is_empty();
        for e in events {
            match &e {
                Event::Check { .. } => seen_checks = true,
                // The runner wrote the reports before journalling the step's end.
                Event::StepEnded { step, .. } if step == "verify" && seen_checks => {
                    let at = Reports::beside(&att.log);
                    let r = if at.json.exists() && at.junit.exists() {
                        Ok(at)
                    } else {
                        Err(format!(
                            "the runner did not write {} (see the log)",
                            at.json.display()
                        ))
                    };
                    if tx.send(Feed::Reports(r)).is_err() {
                        return;
                    }
                }
                _ => {}
            }
            let end = matches!(e, Event::RunEnded { .. });
            if tx.send(Feed::Event(e)).is_err() {
                return;
            }
            if end {
                ends += 1;
                if ends > att.ends_before {
                    return;
                }
            }
        }
        if got {
            continue;
        }
        if crate::run::lock::held(&att.state) {
            quiet_and_dead = 0;
        } else {
            // Once more after the lock is free: the end may just have been written.
            quiet_and_dead += 1;
            if quiet_and_dead > 2 {
                let _ = tx.send(Feed::RunnerGone);
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
