//! The wizard's last screens as a client of the runner: what Confirm, Install and Checks
//! show, folded from the dry run's lines and the runner's journal events. Pure state: the
//! event loop (`feed.rs`) reads the journal on a thread of its own and hands events here.

use crate::run::event::{Event, RunState, StepState};
use crate::run::status::{self, Status};
use crate::verify::report::{CheckResult, CheckStatus};
use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;

/// How many log lines the wizard keeps; the full log is the run's log file.
pub const LOG_KEEP: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The `apply --dry-run` list, asking before anything runs.
    Confirm,
    /// The steps and the log as the runner goes.
    Install,
    /// The built-in checks' results.
    Checks,
}

/// What the event loop is asked to do (update stays free of threads and processes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Compute the dry run of these answers.
    DryRun,
    /// Start (or resume) the run; `clear_faults`: the demo lab's faults to clear first.
    Start { clear_faults: bool },
    /// Reset the host (the run's state goes), then start again.
    ResetAndStart,
}

/// One message from the event loop's helpers.
#[derive(Debug, Clone, PartialEq)]
pub enum Feed {
    DryLine(String),
    /// The dry run ended; Err: why it could not run.
    DryDone(Result<(), String>),
    /// A runner was started or found: where its files are.
    Attached {
        log: PathBuf,
        report: Option<PathBuf>,
    },
    /// Starting failed.
    StartFailed(String),
    Event(Event),
    /// The runner is gone without writing an end.
    RunnerGone,
}

#[derive(Debug, Clone, Default)]
pub struct RunUi {
    pub stage: Option<Stage>,
    pub dry_lines: Vec<String>,
    pub dry_done: Option<Result<(), String>>,
    /// First line shown of the dry run, the log (lines up from the tail; 0 follows it).
    pub dry_scroll: usize,
    pub log_back: usize,
    /// The events but lines, for `status::fold` (a few per step, bounded by the steps).
    pub events: Vec<Event>,
    pub status: Option<Status>,
    /// The last `LOG_KEEP` lines: (step, text).
    pub log: VecDeque<(String, String)>,
    pub log_total: u64,
    /// Show only this step's lines.
    pub filter: Option<String>,
    /// The selected step (Install) or check (Checks).
    pub selected: usize,
    /// The user moved the selection: it no longer follows the running (or failed) step.
    pub selected_by_user: bool,
    pub check_selected: usize,
    pub phases: BTreeMap<String, String>,
    pub checks: Vec<CheckResult>,
    pub log_file: Option<PathBuf>,
    pub start_error: Option<String>,
    pub runner_gone: bool,
    /// Asked of the event loop; taken by it.
    pub effect: Option<Effect>,
    /// Started with `--demo --fault`: retry clears the lab's faults first.
    pub faults: Vec<String>,
}

impl RunUi {
    pub fn feed(&mut self, f: Feed) {
        match f {
            Feed::DryLine(l) => self.dry_lines.push(l),
            Feed::DryDone(r) => self.dry_done = Some(r),
            Feed::Attached { log, .. } => {
                self.log_file = Some(log);
                self.start_error = None;
                self.runner_gone = false;
            }
            Feed::StartFailed(e) => self.start_error = Some(e),
            Feed::RunnerGone => {
                self.runner_gone = true;
                self.status = status::fold(&self.events, false);
                self.follow_selection();
            }
            Feed::Event(e) => self.event(e),
        }
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Line { step, text } => {
                if self.log.len() == LOG_KEEP {
                    self.log.pop_front();
                }
                self.log.push_back((step, text));
                self.log_total += 1;
                return;
            }
            Event::Phase { step, phase } => {
                self.phases.insert(step, phase);
                return;
            }
            Event::Check { check } => {
                match self
                    .checks
                    .iter_mut()
                    .find(|c| c.id == check.id && c.family == check.family)
                {
                    Some(c) => *c = check,
                    None => self.checks.push(check),
                }
                return;
            }
            Event::RunStarted { .. } => {
                self.runner_gone = false;
                // A resumed run starts over from the first step in the runner's eyes.
                self.phases.clear();
            }
            Event::StepEnded { ref step, .. } => {
                self.phases.remove(step);
            }
            _ => {}
        }
        self.events.push(e);
        self.status = status::fold(&self.events, true);
        self.follow_selection();
    }

    /// Keep the step at work (or the one that failed) selected until the user picks one.
    fn follow_selection(&mut self) {
        if self.selected_by_user {
            return;
        }
        let Some(st) = &self.status else { return };
        if let Some(i) = st
            .steps
            .iter()
            .position(|s| matches!(s.state, StepState::Running | StepState::Failed))
        {
            self.selected = i;
        }
    }

    /// Open Checks on the first failed check (else the first warned, else the first).
    pub fn open_checks(&mut self) {
        self.stage = Some(Stage::Checks);
        let at = |st| self.checks.iter().position(|c| c.status == st);
        self.check_selected = at(CheckStatus::Fail)
            .or_else(|| at(CheckStatus::Warn))
            .unwrap_or(0);
    }

    pub fn run_state(&self) -> Option<RunState> {
        self.status.as_ref().map(|s| s.state)
    }

    pub fn ended(&self) -> bool {
        self.runner_gone
            || matches!(
                self.run_state(),
                Some(RunState::Done | RunState::Failed | RunState::Interrupted)
            )
    }

    /// The step that failed, if the run failed.
    pub fn failed_step(&self) -> Option<&status::StepStatus> {
        let st = self.status.as_ref()?;
        if st.state == RunState::Running && !self.runner_gone {
            return None;
        }
        st.steps.iter().find(|s| s.state == StepState::Failed)
    }

    /// The step running now.
    pub fn current(&self) -> Option<&status::StepStatus> {
        self.status
            .as_ref()?
            .steps
            .iter()
            .find(|s| s.state == StepState::Running)
    }

    /// The log lines the filter lets through, oldest first.
    pub fn visible_log(&self) -> impl DoubleEndedIterator<Item = &(String, String)> {
        let f = self.filter.clone();
        self.log
            .iter()
            .filter(move |(s, _)| f.as_ref().is_none_or(|f| f == s))
    }

    /// Checks counted by status: (pass, fail, warn, skip).
    pub fn check_counts(&self) -> (usize, usize, usize, usize) {
        let n = |st| self.checks.iter().filter(|c| c.status == st).count();
        (
            n(CheckStatus::Pass),
            n(CheckStatus::Fail),
            n(CheckStatus::Warn),
            n(CheckStatus::Skip),
        )
    }

    /// Forget the run shown, before a retry's runner appends to the same journal (the
    /// follower reads it again from the start).
    pub fn clear_run(&mut self) {
        let keep_faults = std::mem::take(&mut self.faults);
        let dry_lines = std::mem::take(&mut self.dry_lines);
        let dry_done = self.dry_done.take();
        *self = RunUi {
            stage: Some(Stage::Install),
            faults: keep_faults,
            dry_lines,
            dry_done,
            ..RunUi::default()
        };
    }
}
