//! The wizard's last screens as a client of the runner: what Confirm, Install and Checks
//! show, folded from the dry run's lines and the runner's journal events. Pure state: the
//! event loop (`feed.rs`) reads the journal on a thread of its own and hands events here.

use crate::run::event::{Event, RunState, StepState};
use crate::run::status::{self, Status};
use crate::tui::log_view::{self, LogView};
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

/// Where a run's checks' reports are: beside its log (the runner writes them when its
/// verify step ends; the wizard again after re-running checks).
pub use crate::run::reports::Reports;

/// What the event loop is asked to do (update stays free of threads and processes).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Compute the dry run of these answers.
    DryRun,
    /// Start (or resume) the run; `clear_faults`: the demo lab's faults to clear first.
    Start { clear_faults: bool },
    /// Reset the host (the run's state goes), then start again.
    ResetAndStart,
    /// Run the built-in checks again (`only`: the one of this id), as `dsinstall verify`
    /// does, then rewrite the reports with `checks`, the results shown, updated.
    Verify {
        only: Option<String>,
        checks: Vec<CheckResult>,
        reports: Option<Reports>,
    },
}

/// One message from the event loop's helpers.
#[derive(Debug, Clone, PartialEq)]
pub enum Feed {
    DryLine(crate::run::dry_run::Line),
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
    /// A check run again gave this.
    Rechecked(CheckResult),
    /// The checks run again are all in; Err: why they could not run.
    RecheckDone(Result<(), String>),
    /// The checks' reports were written (or why not).
    Reports(Result<Reports, String>),
}

#[derive(Debug, Clone, Default)]
pub struct RunUi {
    pub stage: Option<Stage>,
    pub dry_lines: Vec<crate::run::dry_run::Line>,
    pub dry_done: Option<Result<(), String>>,
    /// First line shown of the dry run, the log (lines up from the tail; 0 follows it).
    pub dry_scroll: usize,
    /// The first line of the dry run the screen last showed: past the end, the view shows
    /// the last screenful, and scrolling up goes on from what is shown.
    pub dry_shown: std::cell::Cell<Option<usize>>,
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
    /// When this wizard saw each running step start (a step running before it attached
    /// counts from then): a long wait shows that time passes.
    pub running_since: BTreeMap<String, std::time::Instant>,
    pub checks: Vec<CheckResult>,
    pub log_file: Option<PathBuf>,
    pub start_error: Option<String>,
    pub runner_gone: bool,
    /// Asked of the event loop; taken by it.
    pub effect: Option<Effect>,
    /// Started with `--demo --fault`: retry clears the lab's faults first.
    pub faults: Vec<String>,
    /// Search, sideways scrolling and wrapping of the log pane.
    pub view: LogView,
    /// Checks being run again (id, family): shown as running until their result is in.
    pub rechecking: Vec<(String, Option<String>)>,
    /// Why the last re-run could not run.
    pub recheck_error: Option<String>,
    /// Where the checks' reports are, once written; or why they could not be.
    pub reports: Option<Result<Reports, String>>,
}

impl RunUi {
    /// The first line of the dry run on the screen: the scroll, or less where the view
    /// drew the last screenful for a scroll past it.
    pub fn dry_top(&self) -> usize {
        self.dry_shown
            .get()
            .map_or(self.dry_scroll, |shown| self.dry_scroll.min(shown))
    }

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
            Feed::Rechecked(c) => {
                self.rechecking
                    .retain(|(id, fam)| !(*id == c.id && *fam == c.family));
                self.put_check(c);
            }
            Feed::RecheckDone(r) => {
                self.rechecking.clear();
                self.recheck_error = r.err();
            }
            Feed::Reports(r) => self.reports = Some(r),
        }
    }

    fn put_check(&mut self, check: CheckResult) {
        match self
            .checks
            .iter_mut()
            .find(|c| c.id == check.id && c.family == check.family)
        {
            Some(c) => *c = check,
            // In the reports' order (checks.md's), whatever order the results arrive in;
            // the selection stays on the check it was on.
            None => {
                let key = crate::verify::order_key(&check);
                let at = self
                    .checks
                    .partition_point(|c| crate::verify::order_key(c) <= key);
                if at <= self.check_selected && !self.checks.is_empty() {
                    self.check_selected += 1;
                }
                self.checks.insert(at, check);
            }
        }
    }

    /// Ask for the checks to run again: the selected one's (`all` false) or every one.
    /// Only once the run has ended (its own verify step is not running) and no re-run is.
    pub fn recheck(&mut self, all: bool) {
        if !self.ended() || !self.rechecking.is_empty() || self.checks.is_empty() {
            return;
        }
        let sel = self.check_selected.min(self.checks.len() - 1);
        let only = (!all).then(|| self.checks[sel].id.clone());
        self.rechecking = self
            .checks
            .iter()
            .filter(|c| only.as_ref().is_none_or(|o| *o == c.id))
            .map(|c| (c.id.clone(), c.family.clone()))
            .collect();
        self.recheck_error = None;
        self.effect = Some(Effect::Verify {
            only,
            checks: self.checks.clone(),
            reports: self.log_file.as_deref().map(Reports::beside),
        });
    }

    pub fn is_rechecking(&self, c: &CheckResult) -> bool {
        self.rechecking
            .iter()
            .any(|(id, fam)| *id == c.id && *fam == c.family)
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Line { step, text } => {
                if self.log.len() == LOG_KEEP {
                    self.log.pop_front();
                }
                // Scrolled back, the pane stays on the lines it shows as new ones come.
                if self.log_back > 0 && self.filter.as_ref().is_none_or(|f| *f == step) {
                    self.log_back = (self.log_back + 1).min(self.visible_log().count());
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
                self.put_check(check);
                return;
            }
            Event::RunStarted { .. } => {
                self.runner_gone = false;
                // A resumed run starts over from the first step in the runner's eyes.
                self.phases.clear();
                self.running_since.clear();
            }
            Event::StepStarted { ref step, .. } => {
                self.running_since
                    .insert(step.clone(), std::time::Instant::now());
            }
            Event::StepEnded { ref step, .. } => {
                self.phases.remove(step);
                self.running_since.remove(step);
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

    /// The visible lines with their numbers since the run's first line.
    pub fn numbered_log(&self) -> impl DoubleEndedIterator<Item = (u64, &(String, String))> {
        let first = self.log_total - self.log.len() as u64;
        let f = self.filter.clone();
        self.log
            .iter()
            .enumerate()
            .map(move |(i, l)| (first + i as u64, l))
            .filter(move |(_, (s, _))| f.as_ref().is_none_or(|f| f == s))
    }

    /// The numbers of the visible lines the search matches, oldest first.
    pub fn matches(&self) -> Vec<u64> {
        let Some(q) = self.view.query.as_deref() else {
            return vec![];
        };
        self.numbered_log()
            .filter(|(_, (_, t))| log_view::contains(&crate::terminal_text::log_line(t), q))
            .map(|(n, _)| n)
            .collect()
    }

    /// The current match as "which of how many", 1-based.
    pub fn match_position(&self) -> Option<(usize, usize)> {
        let m = self.matches();
        let cur = self.view.current?;
        let i = m.iter().position(|n| *n == cur)?;
        Some((i + 1, m.len()))
    }

    /// Show the match `at` (a line number) and make it the current one.
    pub fn go_to_match(&mut self, at: Option<u64>) {
        self.view.current = at;
        if let Some(at) = at {
            let visible: Vec<u64> = self.numbered_log().map(|(n, _)| n).collect();
            self.log_back = self.view.back_for(&visible, at);
        }
    }

    /// The number of the line at the pane's bottom.
    pub fn bottom_line(&self) -> Option<u64> {
        self.numbered_log().rev().nth(self.log_back).map(|(n, _)| n)
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
        let wrap = self.view.wrap;
        *self = RunUi {
            stage: Some(Stage::Install),
            faults: keep_faults,
            view: LogView {
                wrap,
                ..LogView::default()
            },
            dry_lines,
            dry_done,
            ..RunUi::default()
        };
    }
}
