//! `dsinstall apply --answers F`: check the answers (exit 2 on problems, nothing runs), then
//! start the detached runner (or resume the unfinished run, or attach to the live one) and
//! show its journal as it grows: a line per step start and end, every child's line with its
//! step id, and a summary. Ctrl-C, a hang-up or SIGTERM end only this client (exit 130); the
//! run goes on. `--dry-run` shows the whole sequence and runs nothing that changes the host.

use super::{EXIT_PROBLEMS, load_answers};
use dsinstall::output;
use dsinstall::run::client::{self, Attached, Followed, Found, StartError, StartOptions};
use dsinstall::run::detach::How;
use dsinstall::run::event::{Event, RunState, StepState};
use dsinstall::run::{dry_run, lock, prepare::Refused, runner, status};
use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The client was interrupted; the runner goes on (cli.md).
pub const EXIT_INTERRUPTED: u8 = 130;
/// How many of a failed step's last lines the summary shows.
const LAST_LINES: usize = 12;

pub struct Args {
    pub answers: PathBuf,
    pub root: PathBuf,
    pub dry_run: bool,
    pub yes: bool,
    pub skip_image_pull: bool,
    pub restart: bool,
    pub wait_timeout: u64,
}

pub fn run(a: Args) -> ExitCode {
    let answers = match load_answers(&a.answers) {
        Ok(x) => x,
        Err(code) => return code,
    };
    if a.dry_run {
        let mut out = String::new();
        let r = dry_run::run(
            answers,
            &a.answers,
            &a.root,
            a.skip_image_pull,
            a.yes,
            &mut |l| {
                out.push_str(&l.english());
                out.push('\n');
            },
        );
        return match r {
            Ok(()) => super::exit(output::print(&out)),
            Err(e) => refused(&e),
        };
    }
    let checked = dsinstall::plan::check(&answers);
    if checked.has_errors() {
        output::eprint(&dsinstall::plan::report::text(&checked));
        output::error("apply: nothing ran; fix the errors above");
        return ExitCode::from(EXIT_PROBLEMS);
    }
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        let _ = signal_hook::flag::register(sig, stop.clone());
    }
    let opts = StartOptions {
        answers: a.answers.clone(),
        root: a.root.clone(),
        dry_run: false,
        yes: a.yes,
        skip_image_pull: a.skip_image_pull,
        restart: a.restart,
        wait_timeout: std::time::Duration::from_secs(a.wait_timeout.max(1)),
        demo: false,
    };
    let att = match client::start(&opts) {
        Ok(att) => att,
        Err(StartError::Refused(r)) => return refused(&r),
        Err(e @ StartError::Changed(_)) => {
            output::error(&format!("apply: {e}"));
            return ExitCode::from(EXIT_PROBLEMS);
        }
        Err(e) => {
            output::error(&format!("apply: {e}"));
            return ExitCode::from(1);
        }
    };
    let head = match &att.how {
        Found::Started(how) => format!("run {} started {}", att.run, how_text(how)),
        Found::Resumed(how) => format!("run {} resumed {}", att.run, how_text(how)),
        Found::Live => format!("run {} is in progress: following it", att.run),
        Found::Ended(s) => format!(
            "run {} of these answers has ended: {}",
            att.run,
            runner::run_word(*s)
        ),
    };
    if let Err(e) = output::print(&format!("dsinstall: {head}; log: {}\n", att.log.display())) {
        return ExitCode::from(e.report());
    }
    follow_and_report(&att, &stop, &a.answers.display().to_string())
}

fn how_text(how: &How) -> String {
    match how {
        How::Unit(u) => format!("as the systemd unit {u}"),
        How::Session => "in a session of its own".into(),
    }
}

fn refused(r: &Refused) -> ExitCode {
    match r {
        Refused::Problems(t) => {
            output::eprint(&format!("{}\n", t.trim_end()));
            output::error("apply: nothing ran; fix the errors above");
        }
        Refused::Render(t) => output::error(&format!("apply: nothing ran: {t}")),
    }
    ExitCode::from(EXIT_PROBLEMS)
}

/// Follow the run, print it, then its summary; the exit code says how it ended.
pub fn follow_and_report(att: &Attached, stop: &AtomicBool, answers: &str) -> ExitCode {
    let mut view = View::default();
    let followed = client::follow(
        att,
        &|| stop.load(Ordering::Relaxed),
        &mut |e| match view.show(e) {
            Some(text) => output::print(&text).map_err(|f| match f {
                output::Failed::Closed => std::io::Error::from(std::io::ErrorKind::BrokenPipe),
                output::Failed::Io(e) => e,
            }),
            None => Ok(()),
        },
    );
    let st = status::fold(&runner::read_all(&att.journal), lock::held(&att.state));
    match followed {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(output::EXIT_CLOSED),
        Err(e) => {
            // The terminal is gone (EIO) or the journal unreadable: the run goes on.
            output::error(&format!("apply: {e}; the run goes on: dsinstall status"));
            ExitCode::from(EXIT_INTERRUPTED)
        }
        Ok(Followed::Stopped) => {
            output::error(&format!(
                "the install goes on without this terminal (run {}); follow it with `dsinstall logs --follow`, or run `dsinstall apply --answers {answers}` again to re-attach",
                att.run
            ));
            ExitCode::from(EXIT_INTERRUPTED)
        }
        Ok(Followed::Ended(_)) | Ok(Followed::RunnerGone) => {
            let Some(st) = st else {
                output::error("apply: the run left no journal");
                return ExitCode::from(1);
            };
            let text = summary(&st, &view, matches!(followed, Ok(Followed::RunnerGone)));
            let code = if st.state == RunState::Done { 0 } else { 1 };
            match output::print(&text) {
                Ok(()) => ExitCode::from(code),
                Err(e) => ExitCode::from(e.report()),
            }
        }
    }
}

/// What the client shows of the journal, and the last lines of each step for the summary.
#[derive(Default)]
pub struct View {
    last: BTreeMap<String, VecDeque<String>>,
}

impl View {
    /// The screen's text for one event (None: nothing to show).
    pub fn show(&mut self, e: &Event) -> Option<String> {
        Some(match e {
            Event::RunStarted { pid, steps, .. } => {
                format!(
                    "runner {pid}: {} steps: {}\n",
                    steps.len(),
                    steps.join(", ")
                )
            }
            Event::StepProbed {
                step,
                done: true,
                detail,
            } => {
                format!("--- {step}: done already ({detail})\n")
            }
            Event::StepProbed { .. } | Event::Phase { .. } => return None,
            Event::StepStarted { step, attempt, .. } => {
                self.last.remove(step);
                if *attempt > 1 {
                    format!("==> {step} (attempt {attempt})\n")
                } else {
                    format!("==> {step}\n")
                }
            }
            Event::Line { step, text } => {
                let q = self.last.entry(step.clone()).or_default();
                if q.len() == LAST_LINES {
                    q.pop_front();
                }
                q.push_back(text.clone());
                format!("[{step}] {text}\n")
            }
            Event::StepEnded {
                step,
                state,
                duration_ms,
                error,
                ..
            } => match state {
                StepState::Failed => format!(
                    "<== {step}: FAILED after {}: {}\n",
                    runner::seconds(*duration_ms),
                    error.as_deref().unwrap_or("no cause recorded")
                ),
                s => format!(
                    "<== {step}: {} in {}\n",
                    runner::state_word(*s),
                    runner::seconds(*duration_ms)
                ),
            },
            Event::Check { check } => {
                let mut t = String::new();
                for l in dsinstall::verify::text::result(check).lines() {
                    t.push_str(&format!("[verify] {}\n", l.trim_start()));
                }
                t
            }
            Event::StepReset { step, .. } => format!("--- {step}: undone by dsinstall reset\n"),
            Event::RunEnded { state, .. } => format!("run ended: {}\n", runner::run_word(*state)),
        })
    }
}

/// The summary after the run: each step's state and time; for a failed step its id, the
/// cause, the fix, its last lines and the log.
fn summary(st: &status::Status, view: &View, runner_gone: bool) -> String {
    let mut s = format!("\nrun {}: {}\n", st.run, runner::run_word(st.state));
    for step in &st.steps {
        s.push_str(&format!(
            "  {:<8} {:>10}  {}\n",
            runner::state_word(step.state),
            step.duration_ms.map(runner::seconds).unwrap_or_default(),
            step.id
        ));
    }
    if let Some(f) = st.steps.iter().find(|s| s.state == StepState::Failed) {
        s.push_str(&format!(
            "\nfailed step: {}\n  cause: {}\n  fix: {}\n",
            f.id,
            f.error.as_deref().unwrap_or("not recorded"),
            f.hint
                .as_deref()
                .unwrap_or("run dsinstall apply again to resume")
        ));
        if let Some(lines) = view.last.get(&f.id).filter(|l| !l.is_empty()) {
            s.push_str("  last lines:\n");
            for l in lines {
                s.push_str(&format!("    {l}\n"));
            }
        }
    }
    if runner_gone && st.state != RunState::Done {
        s.push_str("the runner stopped without finishing (killed, or the host rebooted); run dsinstall apply again to resume\n");
    }
    s.push_str(&format!("log: {}\n", st.log));
    s
}
