//! Starting or finding the runner, for every client (`apply`, the wizard), and following its
//! journal. A client never executes a step: it prepares a new run (or resumes the state
//! directory's), starts a detached runner (`detach.rs`) and reads what the runner records.

use super::event::{Event, RunState};
use super::journal::Follower;
use super::lock::{self, RunLock};
use super::prepare::{self, Refused};
use super::record::{self, Record};
use super::{detach, paths, runner, state};
use crate::answers::Answers;
use crate::render::Templates;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What a client asks for when it starts a run.
#[derive(Clone, Debug)]
pub struct StartOptions {
    pub answers: PathBuf,
    /// `--root`: host files go under it (`/` on a real node).
    pub root: PathBuf,
    pub dry_run: bool,
    /// Consent to changes that need it (fstab edits): `--yes` or the wizard's Confirm.
    pub yes: bool,
    pub skip_image_pull: bool,
    /// `--restart`: start over instead of refusing changed answers.
    pub restart: bool,
    /// `--wait-timeout`: how long the waits for the node and Calico wait.
    pub wait_timeout: std::time::Duration,
    /// The wizard's `--demo`: the run is on the simulated lab (`Record::demo`).
    pub demo: bool,
}

impl Default for StartOptions {
    fn default() -> StartOptions {
        StartOptions {
            answers: PathBuf::new(),
            root: PathBuf::from("/"),
            dry_run: false,
            yes: false,
            skip_image_pull: false,
            restart: false,
            wait_timeout: super::steps::WAIT_DEFAULT,
            demo: false,
        }
    }
}

/// A run a client can follow: started now, or found live or finished.
#[derive(Clone, Debug)]
pub struct Attached {
    pub run: String,
    pub journal: PathBuf,
    pub log: PathBuf,
    pub state: PathBuf,
    /// The answers file the run was started from.
    pub answers: String,
    /// What happened: started, resumed, attached to a live runner, or found ended.
    pub how: Found,
    /// How many ends of this run the journal held before the runner followed: earlier
    /// runners of a resumed run each wrote one; following stops at the next.
    pub ends_before: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A new run; the runner was started as said.
    Started(detach::How),
    /// The state directory's unfinished run, resumed by a new runner.
    Resumed(detach::How),
    /// A runner was already at work: following it.
    Live,
    /// The run with these answers had already ended as said.
    Ended(RunState),
}

/// Why no run could be started or found.
#[derive(Debug)]
pub enum StartError {
    /// The answers have problems or cannot be rendered (exit 2, nothing ran).
    Refused(Refused),
    /// The answers differ from those of the state directory's run (exit 2).
    Changed(String),
    /// Anything else, one line (exit 1).
    Failed(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Refused(r) => write!(f, "{r}"),
            StartError::Changed(t) | StartError::Failed(t) => write!(f, "{t}"),
        }
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> StartError {
    StartError::Failed(format!("{what}: {e}"))
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// Start a runner for `opts`, resume the state directory's unfinished run, or attach to the
/// live run of this host. Not for dry runs (those run in the client: `dry_run.rs`).
pub fn start(opts: &StartOptions) -> Result<Attached, StartError> {
    let (state, logs) = paths::prepare().map_err(|e| failed("the state directory", e))?;
    let (state, logs) = (absolute(&state), absolute(&logs));
    let answers_path = absolute(&opts.answers);
    let bytes = crate::io::read::read_bytes(&answers_path, 1 << 20)
        .map_err(|e| failed(&answers_path.display().to_string(), e))?;
    let fingerprint = state::fingerprint(&bytes);
    // Two clients at once: the first prepares under the lock, the second sees its runner.
    let until = Instant::now() + runner::LOCK_WAIT;
    let guard = loop {
        if lock::held(&state) {
            return attach_live(&state, &fingerprint);
        }
        match RunLock::try_take(&state).map_err(|e| failed("the run lock", e))? {
            Some(g) => break g,
            None if Instant::now() < until => std::thread::sleep(Duration::from_millis(50)),
            None => return Err(StartError::Failed("the run lock stays taken".into())),
        }
    };
    let previous = Record::load(&state).map_err(|e| failed("the run record", e))?;
    let status = runner::read_status(&state);
    let resume = match (&previous, opts.restart) {
        (Some(rec), false) => {
            if rec.fingerprint != fingerprint {
                return Err(StartError::Changed(format!(
                    "{} changed since run {} started from {}; run dsinstall reset, then dsinstall apply --restart to start over with the new answers",
                    answers_path.display(),
                    rec.run,
                    rec.answers
                )));
            }
            match status.as_ref().map(|s| s.state) {
                Some(RunState::Done) => {
                    return Ok(attached(&state, rec, Found::Ended(RunState::Done)));
                }
                _ => Some(rec.clone()),
            }
        }
        _ => None,
    };
    let (rec, fresh) = match resume {
        Some(mut rec) => {
            renew_secrets(&state, &mut rec, status.as_ref())?;
            rec.yes |= opts.yes;
            rec.skip_image_pull = opts.skip_image_pull;
            rec.wait_timeout_secs = opts.wait_timeout.as_secs().max(1);
            rec.root = absolute(&opts.root).display().to_string();
            rec.save(&state).map_err(|e| failed("the run record", e))?;
            (rec, false)
        }
        None => (
            new_run(&state, &logs, opts, &answers_path, &bytes, fingerprint)?,
            true,
        ),
    };
    let n = runner::read_all(&paths::journal(&state))
        .iter()
        .filter(|e| matches!(e, Event::RunStarted { run, .. } if *run == rec.run))
        .count();
    let unit = format!("dsinstall-apply-{}-{}", rec.run, n + 1);
    // Counted before the runner starts, so its own end is the one followed.
    let mut att = attached(&state, &rec, Found::Live);
    drop(guard);
    let how = detach::spawn(&state, Path::new(&rec.root), &unit, Path::new(&rec.log))
        .map_err(|e| failed("the runner cannot start", e))?;
    wait_for_runner(&state, &rec)?;
    att.how = if fresh {
        Found::Started(how)
    } else {
        Found::Resumed(how)
    };
    Ok(att)
}

fn attached(state: &Path, rec: &Record, how: Found) -> Attached {
    let ends = runner::read_all(&paths::journal(state))
        .iter()
        .filter(|e| matches!(e, Event::RunEnded { .. }))
        .count();
    let ends_before = match how {
        Found::Ended(_) => ends.saturating_sub(1),
        _ => ends,
    };
    Attached {
        ends_before,
        run: rec.run.clone(),
        journal: paths::journal(state),
        log: PathBuf::from(&rec.log),
        state: state.to_path_buf(),
        answers: rec.answers.clone(),
        how,
    }
}

fn attach_live(state: &Path, fingerprint: &str) -> Result<Attached, StartError> {
    let rec = Record::load(state)
        .map_err(|e| failed("the run record", e))?
        .ok_or_else(|| {
            StartError::Failed("a runner holds the lock but left no run record".into())
        })?;
    if rec.fingerprint != fingerprint {
        crate::output::error(&format!(
            "run {} of other answers ({}) is in progress on this host: following it",
            rec.run, rec.answers
        ));
    }
    Ok(attached(state, &rec, Found::Live))
}

/// A new run: its answers copied, its files rendered with fresh secrets, its record saved.
/// The previous run's journal is kept as `previous.jsonl`; its backups stay, so that reset
/// still restores the files as they were before the first run.
fn new_run(
    state: &Path,
    logs: &Path,
    opts: &StartOptions,
    answers_path: &Path,
    bytes: &[u8],
    fingerprint: String,
) -> Result<Record, StartError> {
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| failed(&answers_path.display().to_string(), "is not UTF-8 text"))?;
    let shown = answers_path.display().to_string();
    let answers = Answers::from_yaml(&text, &shown)
        .map_err(|e| StartError::Refused(Refused::Problems(e.to_string())))?;
    let token = crate::render::new_bootstrap_token();
    let key = crate::render::new_certificate_key();
    let prepared = prepare::prepare(answers, answers_path, &Templates::embedded(), &token, &key)
        .map_err(StartError::Refused)?;
    let run = record::new_run_id();
    let journal = paths::journal(state);
    if journal.exists() {
        std::fs::rename(&journal, state.join("previous.jsonl"))
            .map_err(|e| failed("the previous journal", e))?;
    }
    write_rendered(state, &prepared.files)?;
    crate::io::write::write_file(
        &state.join(record::ANSWERS_COPY),
        bytes,
        crate::io::write::PRIVATE,
    )
    .map_err(|e| failed("the run's copy of the answers", e))?;
    let now = crate::clock::now_secs();
    let rec = Record {
        log: logs.join(format!("apply-{run}.log")).display().to_string(),
        run,
        answers: shown,
        fingerprint,
        root: absolute(&opts.root).display().to_string(),
        yes: opts.yes,
        skip_image_pull: opts.skip_image_pull,
        wait_timeout_secs: opts.wait_timeout.as_secs().max(1),
        token_created: now,
        certificate_key_created: now,
        token,
        certificate_key: key,
        demo: opts.demo,
    };
    rec.save(state).map_err(|e| failed("the run record", e))?;
    Ok(rec)
}

/// The run's rendered files, replacing the directory as a whole.
fn write_rendered(state: &Path, files: &[crate::render::RenderedFile]) -> Result<(), StartError> {
    let dir = state.join(record::RENDERED);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| failed(&dir.display().to_string(), e))?;
    }
    crate::render::write_dir(files, &dir, || {})
        .map(|_| ())
        .map_err(|e| failed(&dir.display().to_string(), e))
}

/// A resumed run whose `kubeadm init` has not happened yet gets a new bootstrap token when
/// the old one would have expired (24 h, kubeadm's default TTL); its files are rendered again
/// with it. After init the token lives in the cluster, and a join makes its own when needed.
fn renew_secrets(
    state: &Path,
    rec: &mut Record,
    status: Option<&super::status::Status>,
) -> Result<(), StartError> {
    let now = crate::clock::now_secs();
    let init_done = status.is_some_and(|s| {
        s.steps
            .iter()
            .any(|st| st.id == "kubeadm.init" && st.state == super::event::StepState::Done)
    });
    if init_done || !state::expired(rec.token_created, state::TOKEN_LIFETIME_SECS, now) {
        return Ok(());
    }
    let answers_path = state.join(record::ANSWERS_COPY);
    let text = crate::io::read::read_text(&answers_path, 1 << 20)
        .map_err(|e| failed(&answers_path.display().to_string(), e))?;
    let answers = Answers::from_yaml(&text, &rec.answers)
        .map_err(|e| StartError::Refused(Refused::Problems(e.to_string())))?;
    rec.token = crate::render::new_bootstrap_token();
    rec.certificate_key = crate::render::new_certificate_key();
    rec.token_created = now;
    rec.certificate_key_created = now;
    let prepared = prepare::prepare(
        answers,
        Path::new(&rec.answers),
        &Templates::embedded(),
        &rec.token,
        &rec.certificate_key,
    )
    .map_err(StartError::Refused)?;
    write_rendered(state, &prepared.files)
}

/// Wait until the runner just started has taken the lock (or already finished).
fn wait_for_runner(state: &Path, rec: &Record) -> Result<(), StartError> {
    let until = Instant::now() + runner::LOCK_WAIT + Duration::from_secs(5);
    loop {
        if lock::held(state) {
            return Ok(());
        }
        let started = runner::read_all(&paths::journal(state)).iter().any(
            |e| matches!(e, Event::RunStarted { run, pid, .. } if *run == rec.run && *pid != 0),
        );
        if started {
            return Ok(());
        }
        if Instant::now() >= until {
            return Err(StartError::Failed(format!(
                "the runner did not start; see {}",
                rec.log
            )));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The live or last run of this host, if any.
pub fn find() -> Option<Attached> {
    let state = absolute(&paths::state_dir());
    let rec = Record::load(&state).ok()??;
    let how = if lock::held(&state) {
        Found::Live
    } else {
        Found::Ended(
            runner::read_status(&state)
                .map(|s| s.state)
                .unwrap_or(RunState::Interrupted),
        )
    };
    Some(attached(&state, &rec, how))
}

/// How following a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followed {
    /// The runner wrote its end.
    Ended(RunState),
    /// The runner is gone without an end (kill -9, reboot).
    RunnerGone,
    /// The client was asked to stop; the runner goes on.
    Stopped,
}

/// Follow `att`'s journal from its start: hand every event to `on_event` until the run
/// ends, its runner is gone, or `stop()` says so. Polls the journal's size; reads only
/// what is new.
pub fn follow(
    att: &Attached,
    stop: &dyn Fn() -> bool,
    on_event: &mut dyn FnMut(&Event) -> io::Result<()>,
) -> io::Result<Followed> {
    let mut f = Follower::new(&att.journal);
    let mut ends = 0;
    let mut quiet_and_dead = 0;
    loop {
        let events = f.poll(1 << 20)?;
        let got = !events.is_empty();
        for e in &events {
            on_event(e)?;
            if let Event::RunEnded { state, .. } = e {
                ends += 1;
                if ends > att.ends_before {
                    return Ok(Followed::Ended(*state));
                }
            }
        }
        if got {
            continue;
        }
        if stop() {
            return Ok(Followed::Stopped);
        }
        if lock::held(&att.state) {
            quiet_and_dead = 0;
        } else {
            // Read once more after seeing the lock free: the end may be just written.
            quiet_and_dead += 1;
            if quiet_and_dead > 2 {
                return Ok(Followed::RunnerGone);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
