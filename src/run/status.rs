//! `dsinstall status --json` (run.md), folded from a run's journal. The field names are a
//! public contract: extend, never rename.

use super::event::{Diagnosis, Event, RunState, StepState};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub run: String,
    pub state: RunState,
    pub answers: String,
    pub log: String,
    pub steps: Vec<StepStatus>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StepStatus {
    pub id: String,
    pub state: StepState,
    pub started_at: Option<String>,
    pub duration_ms: Option<u64>,
    pub attempts: u32,
    pub error: Option<String>,
    pub hint: Option<String>,
    /// `error` and `hint` by code, for a front end in another language (the step-ended
    /// event's); absent where the failure has no code.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagnosis: Option<Box<Diagnosis>>,
}

/// Fold a journal into the status of its last run. `alive`: whether the runner that wrote
/// the last `runStarted` still holds the run lock; a run without `runEnded` whose runner is
/// gone is `interrupted`, and its running step too.
pub fn fold<'a>(events: impl IntoIterator<Item = &'a Event>, alive: bool) -> Option<Status> {
    let mut st: Option<Status> = None;
    for e in events {
        match e {
            Event::RunStarted {
                run,
                answers,
                log,
                steps,
                ..
            } => {
                let prev = st.take().filter(|s| &s.run == run);
                let mut steps: Vec<StepStatus> = steps
                    .iter()
                    .map(|id| StepStatus {
                        id: id.clone(),
                        state: StepState::Pending,
                        started_at: None,
                        duration_ms: None,
                        attempts: 0,
                        error: None,
                        hint: None,
                        diagnosis: None,
                    })
                    .collect();
                // A resumed run keeps what earlier runners of the same run recorded.
                if let Some(prev) = prev {
                    for s in &mut steps {
                        if let Some(p) = prev.steps.iter().find(|p| p.id == s.id) {
                            *s = p.clone();
                            if s.state == StepState::Running {
                                s.state = StepState::Failed;
                            }
                        }
                    }
                }
                st = Some(Status {
                    run: run.clone(),
                    state: RunState::Running,
                    answers: answers.clone(),
                    log: log.clone(),
                    steps,
                });
            }
            Event::StepStarted {
                step,
                attempt,
                time,
            } => {
                if let Some(s) = step_mut(&mut st, step) {
                    s.state = StepState::Running;
                    s.started_at = Some(time.clone());
                    s.attempts = *attempt;
                    s.error = None;
                    s.hint = None;
                    s.diagnosis = None;
                    s.duration_ms = None;
                }
            }
            Event::StepProbed { step, done, .. } => {
                if let Some(s) = step_mut(&mut st, step)
                    && *done
                    && s.state == StepState::Pending
                {
                    s.state = StepState::Skipped;
                }
            }
            Event::StepEnded {
                step,
                state,
                duration_ms,
                error,
                hint,
                diagnosis,
            } => {
                if let Some(s) = step_mut(&mut st, step) {
                    s.state = *state;
                    s.duration_ms = Some(*duration_ms);
                    s.error = error.clone();
                    s.hint = hint.clone();
                    s.diagnosis = diagnosis.clone();
                }
            }
            Event::RunEnded { state, .. } => {
                if let Some(s) = st.as_mut() {
                    s.state = *state;
                }
            }
            Event::StepReset { step, .. } => {
                if let Some(s) = step_mut(&mut st, step) {
                    s.state = StepState::Pending;
                    s.duration_ms = None;
                    s.error = None;
                    s.hint = None;
                    s.diagnosis = None;
                }
                if let Some(s) = st.as_mut() {
                    s.state = RunState::Interrupted;
                }
            }
            Event::Line { .. } | Event::Phase { .. } | Event::Check { .. } => {}
        }
    }
    if let Some(s) = st.as_mut()
        && s.state == RunState::Running
        && !alive
    {
        s.state = RunState::Interrupted;
        for step in &mut s.steps {
            if step.state == StepState::Running {
                let f = super::diagnose::coded("run.runner_gone", &[]);
                step.state = StepState::Failed;
                step.error = Some(f.cause);
                step.diagnosis = f.diagnosis;
            }
        }
    }
    st
}

fn step_mut<'a>(st: &'a mut Option<Status>, id: &str) -> Option<&'a mut StepStatus> {
    st.as_mut()?.steps.iter_mut().find(|s| s.id == id)
}
