//! `dsinstall reset` (run.md): undo this node's install — each step's own undo, newest step
//! first (kubeadm.init: `kubeadm reset -f` and the cleanup kubeadm leaves undone), then every
//! file dsinstall backed up put back (or removed, where dsinstall created it). The run's
//! secrets (the rendered files, the record) go with it; its journal is kept as
//! `previous.jsonl`. Refused while a runner is at work.

use super::backups::Backups;
use super::cx::{RunCx, Sink};
use super::event::Event;
use super::lock::RunLock;
use super::record::{self, Record};
use super::redact::Redactor;
use super::{paths, runner, steps};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// How long undoing one step may take.
const UNDO_DEADLINE: Duration = Duration::from_secs(600);

/// What to undo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// This node's install (the default): the other nodes stay as they are.
    ThisNode,
    /// Only the join of this node (`--node NAME`): the run stays, a later apply joins it
    /// again.
    Node(String),
    /// Every joined node, then this one (`--all`).
    All,
}

/// What reset did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything undone.
    Done,
    /// No run was recorded on this host.
    NothingRecorded,
    /// Some things could not be undone (each was said).
    Incomplete(usize),
}

/// The screen and the reset's log.
struct Shown<'a> {
    out: &'a mut dyn FnMut(&str),
    log: Option<File>,
}

impl Sink for Shown<'_> {
    fn event(&mut self, e: Event) {
        if let Event::Line { step, text } = &e {
            (self.out)(&format!("[{step}] {text}"));
        }
        if let (Some(f), Some(l)) = (self.log.as_mut(), runner::log_line(&e)) {
            let _ = f.write_all(l.as_bytes());
        }
    }
}

/// Undo the state directory's run. Err: nothing was done (a live runner, unreadable state).
pub fn reset(
    state: &Path,
    logs: &Path,
    scope: &Scope,
    out: &mut dyn FnMut(&str),
) -> Result<Outcome, String> {
    let Some(_guard) = RunLock::try_take(state).map_err(|e| format!("the run lock: {e}"))? else {
        let rec = Record::load(state).ok().flatten();
        return Err(format!(
            "run {} is in progress on this host; wait for it to end (dsinstall logs --follow) or stop it (systemctl stop 'dsinstall-apply-{}-*', or kill the runner), then reset",
            rec.as_ref().map(|r| r.run.as_str()).unwrap_or("?"),
            rec.as_ref().map(|r| r.run.as_str()).unwrap_or("*"),
        ));
    };
    let Some(rec) = Record::load(state).map_err(|e| e.to_string())? else {
        return Ok(Outcome::NothingRecorded);
    };
    let setup = runner::setup(state, &rec)?;
    let all_steps = steps::list(&setup);
    let joins: Vec<String> = all_steps
        .iter()
        .map(|s| s.id())
        .filter(|id| id.starts_with("join."))
        .collect();
    if let Scope::Node(name) = scope
        && !joins.contains(&format!("join.{name}"))
    {
        return Err(format!(
            "--node {name}: not a node of this run's nodes: ({})",
            joins
                .iter()
                .map(|j| j.trim_start_matches("join."))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let chosen = |id: &str| match scope {
        Scope::ThisNode => !id.starts_with("join."),
        Scope::Node(n) => id == format!("join.{n}"),
        Scope::All => true,
    };
    let log_path = logs.join(format!(
        "reset-{}.log",
        crate::clock::compact(crate::clock::now_secs())
    ));
    let log = runner::open_log(&log_path).ok();
    out(&format!(
        "resetting run {} (from {}); log: {}",
        rec.run,
        rec.answers,
        log_path.display()
    ));
    let mut shown = Shown { out, log };
    let mut redactor = Redactor::new(&rec.secrets());
    let mut backups = Backups::open(&state.join(record::BACKUPS), Path::new(&rec.root))
        .map_err(|e| format!("the backups: {e}"))?;
    let cancel = Arc::new(AtomicBool::new(false));
    let mut failures = 0;
    // Newest first: with --all the joined nodes leave while this node's API still answers.
    for step in all_steps.iter().rev().filter(|s| chosen(&s.id())) {
        let id = step.id();
        let mut cx = RunCx {
            root: PathBuf::from(&rec.root),
            rendered: setup.rendered.clone(),
            step: id.clone(),
            sink: &mut shown,
            redactor: &mut redactor,
            deadline: Instant::now() + UNDO_DEADLINE,
            cancel: cancel.clone(),
            backups: None,
            dry_run: false,
            consented: true,
            track: None,
        };
        if let Err(f) = step.undo(&mut cx) {
            use super::step::StepCx;
            cx.say(&format!("cannot be undone: {} ({})", f.cause, f.fix));
            failures += 1;
        }
    }
    if let Scope::Node(name) = scope {
        if failures == 0 {
            // The run is unfinished again: the next apply joins the node again.
            let mut w = super::journal::Writer::open(&paths::journal(state))
                .map_err(|e| format!("the journal: {e}"))?;
            w.append(&Event::StepReset {
                step: format!("join.{name}"),
                time: crate::clock::now(),
            })
            .map_err(|e| format!("the journal: {e}"))?;
        }
        return Ok(if failures > 0 {
            Outcome::Incomplete(failures)
        } else {
            Outcome::Done
        });
    }
    if *scope == Scope::ThisNode && !joins.is_empty() {
        shown.event(Event::Line {
            step: "reset".into(),
            text: format!(
                "left as they are: {} (joined to this node's cluster); dsinstall reset --all resets them too",
                joins
                    .iter()
                    .map(|j| j.trim_start_matches("join."))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let mut said = Vec::new();
    let failed = backups.restore_all(&mut |l| said.push(l.to_string()));
    for l in said {
        shown.event(Event::Line {
            step: "backups".into(),
            text: l,
        });
    }
    for f in &failed {
        shown.event(Event::Line {
            step: "backups".into(),
            text: format!("cannot be restored: {f}"),
        });
    }
    failures += failed.len();
    if failures > 0 {
        // Keep the record: a second reset tries again what is left.
        return Ok(Outcome::Incomplete(failures));
    }
    let journal = paths::journal(state);
    if journal.exists() {
        let _ = std::fs::rename(&journal, state.join("previous.jsonl"));
    }
    for f in [record::RECORD, record::ANSWERS_COPY] {
        let _ = std::fs::remove_file(state.join(f));
    }
    let _ = std::fs::remove_dir_all(state.join(record::RENDERED));
    let _ = std::fs::remove_dir_all(state.join(record::BACKUPS));
    Ok(Outcome::Done)
}
