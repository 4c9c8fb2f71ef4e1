//! The runner (run.md, "The runner is not the terminal"): the process that executes a run's
//! steps, started detached by a client (`detach.rs`) as `dsinstall __runner STATE_DIR`. It
//! holds the state directory's lock for its whole life, reads only the run's own files
//! (run.json, the answers copy, the rendered files), and writes only the journal and the
//! log. Every step is probed first, on every resume; a step found done is not redone; a
//! step that failed or was interrupted is cleaned (`Step::clean`) before its next attempt.

use super::backups::Backups;
use super::cx::{RunCx, Sink};
use super::event::{Event, RunState, StepState};
use super::journal::{self, Writer};
use super::lock::RunLock;
use super::record::{self, Record};
use super::redact::Redactor;
use super::status::{self, Status};
use super::step::{Failure, Probe, Step};
use super::steps::{self, Setup};
use crate::answers::Answers;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The file naming the process group of the child running now (`io::child` track).
pub const CHILD: &str = "child";

/// How long a probe may take.
const PROBE_DEADLINE: Duration = Duration::from_secs(120);
/// How long a runner waits for the lock a client is just letting go of.
pub const LOCK_WAIT: Duration = Duration::from_secs(15);

/// Exit codes of the runner process (nobody reads them but systemd and tests).
pub const EXIT_DONE: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_BUSY: i32 = 3;

/// The runner's sink: every event into the journal, and as a line into the log; the checks'
/// reports beside the log when the verify step ends (run::reports).
pub struct JournalSink {
    journal: Writer,
    log: File,
    reports: crate::run::reports::Reports,
    checks: Vec<crate::verify::report::CheckResult>,
    /// The first write that failed (a full disk): the run stops at the next step boundary.
    pub broken: Option<io::Error>,
}

impl JournalSink {
    pub fn open(journal_path: &Path, log_path: &Path) -> io::Result<JournalSink> {
        Ok(JournalSink {
            journal: Writer::open(journal_path)?,
            log: open_log(log_path)?,
            reports: crate::run::reports::Reports::beside(log_path),
            checks: Vec::new(),
            broken: None,
        })
    }
}

/// The log file, appended to, 0600, never through a planted link.
pub fn open_log(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

impl Sink for JournalSink {
    fn event(&mut self, e: Event) {
        if self.broken.is_some() {
            return;
        }
        match &e {
            Event::Check { check } => crate::run::reports::keep_latest(&mut self.checks, check),
            // Written before the step's end is journalled: a client that sees the end finds
            // the reports there.
            Event::StepEnded { step, .. } if step == "verify" && !self.checks.is_empty() => {
                let written = self.reports.write(&self.checks).map(|()| {
                    format!(
                        "the checks' reports: {} and {}",
                        self.reports.json.display(),
                        self.reports.junit.display()
                    )
                });
                let text = written.unwrap_or_else(|err| format!("the checks' reports: {err}"));
                let line = format!("{} [verify] {text}\n", crate::clock::now());
                if let Err(err) = self.log.write_all(line.as_bytes()) {
                    self.broken = Some(err);
                    return;
                }
            }
            _ => {}
        }
        let r = self.journal.append(&e).and_then(|()| match log_line(&e) {
            Some(l) => self.log.write_all(l.as_bytes()),
            None => Ok(()),
        });
        if let Err(err) = r {
            self.broken = Some(err);
        }
    }
}

/// The log's line for an event: `<time> [<step>] <text>`; None for events the log leaves out.
pub fn log_line(e: &Event) -> Option<String> {
    let t = crate::clock::now();
    let l = match e {
        Event::RunStarted {
            run,
            answers,
            pid,
            steps,
            ..
        } => format!(
            "{t} [run] runner {pid} started run {run} from {answers}: {}\n",
            steps.join(", ")
        ),
        Event::StepProbed { step, done, detail } => format!(
            "{t} [{step}] probe: {} ({detail})\n",
            if *done { "done already" } else { "to do" }
        ),
        Event::StepStarted { step, attempt, .. } => {
            format!("{t} [{step}] ==> started, attempt {attempt}\n")
        }
        Event::Line { step, text } => format!("{t} [{step}] {text}\n"),
        Event::Phase { step, phase } => format!("{t} [{step}] phase {phase}\n"),
        Event::StepEnded {
            step,
            state,
            duration_ms,
            error,
            hint,
            ..
        } => {
            let mut l = format!(
                "{t} [{step}] <== {} after {}\n",
                state_word(*state),
                seconds(*duration_ms)
            );
            if let Some(e) = error {
                l.push_str(&format!("{t} [{step}] cause: {e}\n"));
            }
            if let Some(h) = hint {
                l.push_str(&format!("{t} [{step}] fix: {h}\n"));
            }
            l
        }
        Event::Check { check } => format!(
            "{t} [verify] check {} {}: {:?}\n",
            check.id,
            check.family.as_deref().unwrap_or("-"),
            check.status
        ),
        Event::StepReset { step, .. } => format!("{t} [{step}] undone by dsinstall reset\n"),
        Event::RunEnded { state, .. } => format!("{t} [run] run ended: {}\n", run_word(*state)),
    };
    Some(l)
}

pub fn state_word(s: StepState) -> &'static str {
    match s {
        StepState::Pending => "pending",
        StepState::Running => "running",
        StepState::Done => "done",
        StepState::Failed => "failed",
        StepState::Skipped => "skipped",
    }
}

pub fn run_word(s: RunState) -> &'static str {
    match s {
        RunState::Running => "running",
        RunState::Done => "done",
        RunState::Failed => "failed",
        RunState::Interrupted => "interrupted",
    }
}

/// `1.2 s`, `3 min 4 s`.
pub fn seconds(ms: u64) -> String {
    if ms < 60_000 {
        format!("{}.{} s", ms / 1000, ms % 1000 / 100)
    } else {
        format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000)
    }
}

/// The steps of the state directory's run, built from its own files.
pub fn setup(state: &Path, rec: &Record) -> Result<Setup, String> {
    let answers_path = state.join(record::ANSWERS_COPY);
    let text = crate::io::read::read_text(&answers_path, 1 << 20)
        .map_err(|e| format!("{}: {e}", answers_path.display()))?;
    let answers = Answers::from_yaml(&text, &rec.answers).map_err(|e| e.to_string())?;
    let checked = crate::plan::check(&answers);
    let plan = checked
        .plan
        .clone()
        .filter(|_| !checked.has_errors())
        .ok_or_else(|| {
            format!(
                "{}: the answers have errors; run dsinstall plan",
                rec.answers
            )
        })?;
    Ok(Setup {
        answers,
        plan,
        rendered: state.join(record::RENDERED),
        skip_image_pull: rec.skip_image_pull,
        wait: Duration::from_secs(rec.wait_timeout_secs),
    })
}

/// `dsinstall __runner STATE`: run the state directory's run to its end. Returns the exit
/// code.
pub fn main(state: &Path) -> i32 {
    let Ok(Some(lock)) = RunLock::take_within(state, LOCK_WAIT) else {
        return EXIT_BUSY;
    };
    let rec = match Record::load(state) {
        Ok(Some(r)) => r,
        _ => return EXIT_FAILED,
    };
    let jpath = super::paths::journal(state);
    let mut sink = match JournalSink::open(&jpath, Path::new(&rec.log)) {
        Ok(s) => s,
        Err(_) => return EXIT_FAILED,
    };
    let cancel = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        let _ = signal_hook::flag::register(sig, cancel.clone());
    }
    // No terminal is ours: a hang-up is not a reason to stop.
    let _ = signal_hook::flag::register(
        signal_hook::consts::SIGHUP,
        Arc::new(AtomicBool::new(false)),
    );
    let code = run(state, &rec, &mut sink, cancel);
    drop(lock);
    code
}

/// The run itself, over any sink (tests drive it in-process).
pub fn run(state: &Path, rec: &Record, sink: &mut JournalSink, cancel: Arc<AtomicBool>) -> i32 {
    let before = read_status(state);
    let setup = match setup(state, rec) {
        Ok(s) => s,
        Err(e) => {
            sink.event(started(rec, &[]));
            sink.event(Event::Line {
                step: "run".into(),
                text: e,
            });
            sink.event(ended(RunState::Failed));
            return EXIT_FAILED;
        }
    };
    let steps = if rec.demo {
        let facts = crate::host::demo_facts_for(&setup.answers.kubernetes.version);
        steps::list_on(&setup, Some(facts))
    } else {
        steps::list(&setup)
    };
    let ids: Vec<String> = steps.iter().map(|s| s.id()).collect();
    sink.event(started(rec, &ids));
    // A runner killed mid-step (kill -9) leaves its children running: stop them first.
    for f in tracked_children(state) {
        if let Some(pgid) = crate::io::child::stop_tracked(&f, Duration::from_secs(5)) {
            sink.event(Event::Line {
                step: "run".into(),
                text: format!("stopped process group {pgid}, left running by the runner before"),
            });
        }
    }
    let mut backups = match Backups::open(&state.join(record::BACKUPS), Path::new(&rec.root)) {
        Ok(b) => b,
        Err(e) => {
            sink.event(Event::Line {
                step: "run".into(),
                text: format!("the backups cannot be opened: {e}"),
            });
            sink.event(ended(RunState::Failed));
            return EXIT_FAILED;
        }
    };
    let prev_of = |id: &str| {
        before
            .as_ref()
            .and_then(|s| s.steps.iter().find(|p| p.id == id))
            .map(|p| (p.state, p.attempts))
    };
    let mut redactor = Redactor::new(&rec.secrets());
    let mut queue: std::collections::VecDeque<Box<dyn Step>> = steps.into();
    while let Some(step) = queue.pop_front() {
        let outcome = if step.id().starts_with("join.") {
            // The joins side by side: this one and every join right after it.
            let mut joins = vec![step];
            while queue.front().is_some_and(|s| s.id().starts_with("join.")) {
                joins.extend(queue.pop_front());
            }
            let control_plane: Vec<String> = setup
                .plan
                .joins
                .iter()
                .filter(|j| j.role == crate::answers::NodeRole::ControlPlane)
                .map(|j| format!("join.{}", j.name))
                .collect();
            let mutex = std::sync::Mutex::new(&mut *sink);
            join_steps(
                joins,
                &control_plane,
                &prev_of,
                &mutex,
                rec,
                &setup,
                &cancel,
                state,
            )
        } else {
            let id = step.id();
            one_step(
                step.as_ref(),
                prev_of(&id),
                &mut Ctx {
                    root: PathBuf::from(&rec.root),
                    rendered: setup.rendered.clone(),
                    sink: &mut *sink,
                    redactor: &mut redactor,
                    cancel: cancel.clone(),
                    backups: Some(&mut backups),
                    consented: rec.yes,
                    track: state.join(CHILD),
                },
            )
        };
        if sink.broken.take().is_some() {
            // Nothing more can be recorded; the next apply resumes from the journal.
            return EXIT_FAILED;
        }
        match outcome {
            Outcome::Done => {}
            Outcome::Failed => {
                sink.event(ended(RunState::Failed));
                return EXIT_FAILED;
            }
            Outcome::Stopped => {
                sink.event(ended(RunState::Interrupted));
                return EXIT_FAILED;
            }
        }
    }
    sink.event(ended(RunState::Done));
    EXIT_DONE
}

/// The status of the state directory's run as its journal says now (no runner alive: this
/// one has not written its start yet).
pub fn read_status(state: &Path) -> Option<Status> {
    let events = read_all(&super::paths::journal(state));
    status::fold(&events, false)
}

/// Every event of a journal (for folding: a journal is one run's story, kept small by
/// events being lines, not chunks).
pub fn read_all(path: &Path) -> Vec<Event> {
    let mut f = journal::Follower::new(path);
    let mut all = Vec::new();
    loop {
        match f.poll(8 << 20) {
            Ok(v) if v.is_empty() => return all,
            Ok(v) => all.extend(v),
            Err(_) => return all,
        }
    }
}

/// The files naming children of a runner (`child`, `child.join.<node>`).
fn tracked_children(state: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(state) else {
        return Vec::new();
    };
    rd.flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == CHILD || n.starts_with(&format!("{CHILD}.")))
        })
        .collect()
}

fn started(rec: &Record, ids: &[String]) -> Event {
    Event::RunStarted {
        run: rec.run.clone(),
        time: crate::clock::now(),
        answers: rec.answers.clone(),
        log: rec.log.clone(),
        steps: ids.to_vec(),
        pid: std::process::id(),
        dry_run: false,
    }
}

fn ended(state: RunState) -> Event {
    Event::RunEnded {
        state,
        time: crate::clock::now(),
    }
}

struct Ctx<'a> {
    root: PathBuf,
    rendered: PathBuf,
    sink: &'a mut dyn Sink,
    redactor: &'a mut Redactor,
    cancel: Arc<AtomicBool>,
    backups: Option<&'a mut Backups>,
    consented: bool,
    track: PathBuf,
}

impl Ctx<'_> {
    fn cx(&mut self, step: &str, deadline: Duration) -> RunCx<'_> {
        RunCx {
            root: self.root.clone(),
            rendered: self.rendered.clone(),
            step: step.to_string(),
            sink: self.sink,
            redactor: self.redactor,
            deadline: Instant::now() + deadline,
            cancel: self.cancel.clone(),
            backups: self.backups.as_deref_mut(),
            dry_run: false,
            consented: self.consented,
            track: Some(self.track.clone()),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    Failed,
    Stopped,
}

/// How many workers join at once.
pub const PARALLEL_JOINS: usize = 4;

/// One sink shared by the joins running side by side.
struct Shared<'a, 'b>(&'a std::sync::Mutex<&'b mut JournalSink>);

impl Sink for Shared<'_, '_> {
    fn event(&mut self, e: Event) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).event(e);
    }
}

/// The joins (run.md's `join.<node>` steps): control-plane nodes one at a time, then the
/// workers side by side, at most PARALLEL_JOINS at once. A node that fails does not stop
/// the others; the run fails after them all (the next apply retries the failed ones).
#[allow(clippy::too_many_arguments)]
fn join_steps(
    joins: Vec<Box<dyn Step>>,
    control_plane: &[String],
    prev_of: &(dyn Fn(&str) -> Option<(StepState, u32)> + Sync),
    sink: &std::sync::Mutex<&mut JournalSink>,
    rec: &Record,
    setup: &Setup,
    cancel: &Arc<AtomicBool>,
    state: &Path,
) -> Outcome {
    let (first, workers): (Vec<_>, Vec<_>) = joins
        .into_iter()
        .partition(|s| control_plane.contains(&s.id()));
    let run_one = |step: &dyn Step| {
        let id = step.id();
        let mut redactor = Redactor::new(&rec.secrets());
        let mut shared = Shared(sink);
        one_step(
            step,
            prev_of(&id),
            &mut Ctx {
                root: PathBuf::from(&rec.root),
                rendered: setup.rendered.clone(),
                sink: &mut shared,
                redactor: &mut redactor,
                cancel: cancel.clone(),
                backups: None,
                consented: rec.yes,
                track: state.join(format!("{CHILD}.{id}")),
            },
        )
    };
    let mut outcomes: Vec<Outcome> = first.iter().map(|s| run_one(s.as_ref())).collect();
    let queue = std::sync::Mutex::new(std::collections::VecDeque::from(workers));
    let n = queue
        .lock()
        .map(|q| q.len())
        .unwrap_or(0)
        .min(PARALLEL_JOINS);
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..n {
            s.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
                    let Some(step) = next else { break };
                    let o = run_one(step.as_ref());
                    results.lock().unwrap_or_else(|p| p.into_inner()).push(o);
                }
            });
        }
    });
    outcomes.extend(results.into_inner().unwrap_or_default());
    if outcomes.contains(&Outcome::Stopped) {
        Outcome::Stopped
    } else if outcomes.contains(&Outcome::Failed) {
        Outcome::Failed
    } else {
        Outcome::Done
    }
}

/// Probe, and where needed clean and act, one step. `prev`: the step's state and attempts
/// in the run's journal before this runner.
fn one_step(step: &dyn Step, prev: Option<(StepState, u32)>, c: &mut Ctx) -> Outcome {
    let id = step.id();
    let t0 = Instant::now();
    let (prev_state, prev_attempts) = prev.unwrap_or((StepState::Pending, 0));
    let probed = if step.once_per_run() && prev_state == StepState::Done {
        Ok(Probe::Done(crate::run::steps::probe_texts::said(
            "probe.earlier",
            &[],
        )))
    } else {
        step.probe(&mut c.cx(&id, PROBE_DEADLINE))
    };
    let attempt = prev_attempts + 1;
    let fail = |c: &mut Ctx, f: Failure, t0: Instant| {
        c.sink.event(Event::StepEnded {
            step: id.clone(),
            state: StepState::Failed,
            duration_ms: t0.elapsed().as_millis() as u64,
            error: Some(f.cause),
            hint: Some(f.fix),
            diagnosis: f.diagnosis,
        });
    };
    match probed {
        Ok(Probe::Done(detail)) => {
            c.sink.event(Event::StepProbed {
                step: id.clone(),
                done: true,
                detail: detail.text,
            });
            return Outcome::Done;
        }
        Ok(Probe::Needed(detail)) => c.sink.event(Event::StepProbed {
            step: id.clone(),
            done: false,
            detail: detail.text,
        }),
        Err(f) => {
            c.sink.event(Event::StepStarted {
                step: id.clone(),
                attempt,
                time: crate::clock::now(),
            });
            fail(c, f, t0);
            return Outcome::Failed;
        }
    }
    let t0 = Instant::now();
    c.sink.event(Event::StepStarted {
        step: id.clone(),
        attempt,
        time: crate::clock::now(),
    });
    let mut cx = c.cx(&id, step.deadline());
    // An earlier attempt failed or was cut off: make the step retryable first.
    let cleaned = if matches!(prev_state, StepState::Failed | StepState::Running) {
        use super::step::StepCx;
        cx.say(&format!(
            "attempt {prev_attempts} failed or was cut off: cleaning up before attempt {attempt}"
        ));
        step.clean(&mut cx)
    } else {
        Ok(())
    };
    let result = cleaned.and_then(|()| step.act(&mut cx));
    drop(cx);
    let stopped = c.cancel.load(Ordering::Relaxed);
    match (result, stopped) {
        (_, true) => {
            fail(c, super::diagnose::coded("run.stopped", &[]), t0);
            Outcome::Stopped
        }
        (Ok(()), false) => {
            c.sink.event(Event::StepEnded {
                step: id.clone(),
                state: StepState::Done,
                duration_ms: t0.elapsed().as_millis() as u64,
                error: None,
                hint: None,
                diagnosis: None,
            });
            Outcome::Done
        }
        (Err(f), false) => {
            fail(c, f, t0);
            Outcome::Failed
        }
    }
}
