//! The journal's events: one JSON object a line, appended by the runner, read by clients.
//! Clients read nothing else of a run; a client that starts late reads the journal from the
//! start and then follows it, so it sees the same story as one that was there all along.

use serde::{Deserialize, Serialize};

/// A step's state, as `status --json` spells it (run.md).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum StepState {
    Pending,
    Running,
    Done,
    Failed,
    Skipped,
}

/// A run's state, as `status --json` spells it (run.md). `Interrupted`: the runner died
/// (kill -9, reboot) without writing an end; the next `apply` resumes it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    Running,
    Done,
    Failed,
    Interrupted,
}

/// A failure's cause and fix by code (`run::diagnose::TEXTS`): a front end shows
/// `cause.<code>` and `fix.<code>`, which share `args`, in its own language.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Diagnosis {
    pub code: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// The values that are coded sentences themselves (how a command ended, an inner
    /// failure's cause), by their index in `args`, as [`crate::message::Message`] keeps them.
    #[serde(default, skip_serializing_if = "crate::message::ArgCodes::is_empty")]
    pub arg_codes: crate::message::ArgCodes,
    /// kubeadm's other failed preflight checks, named after the cause ("also failed: Swap").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_failed: Vec<String>,
    /// The node the cause is on, where the step names it before the cause (`join.<node>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

/// One journal line. `time` fields are RFC 3339 UTC with milliseconds.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum Event {
    /// A runner started (or resumed) the run `run`: the step ids in order.
    #[serde(rename_all = "camelCase")]
    RunStarted {
        run: String,
        time: String,
        answers: String,
        log: String,
        steps: Vec<String>,
        /// The runner's pid, so a client can tell a live run from a dead one.
        pid: u32,
        dry_run: bool,
    },
    /// A step's probe ran: `done` means the step had nothing left to do.
    #[serde(rename_all = "camelCase")]
    StepProbed {
        step: String,
        done: bool,
        detail: String,
    },
    /// A step's action began (attempt counts from 1 over the run's whole life).
    #[serde(rename_all = "camelCase")]
    StepStarted {
        step: String,
        attempt: u32,
        time: String,
    },
    /// A line of a step's output (a child's, already redacted, or the step's own).
    Line { step: String, text: String },
    /// Sub-progress inside a step: kubeadm's `[phase]` prefixes, an image pull `3/7`.
    Phase { step: String, phase: String },
    /// A step ended. On `failed`: `error` is the cause in one sentence, `hint` the fix, and
    /// `diagnosis` both by code where the runner knows the failure (absent otherwise, and
    /// in journals written before it existed).
    #[serde(rename_all = "camelCase")]
    StepEnded {
        step: String,
        state: StepState,
        duration_ms: u64,
        error: Option<String>,
        hint: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        diagnosis: Option<Box<Diagnosis>>,
    },
    /// One result of the built-in checks (the `verify` step), as `verify --json` writes it.
    Check {
        check: crate::verify::report::CheckResult,
    },
    /// `dsinstall reset --node NAME` undid a step of the run (a join): it is pending again
    /// and the run unfinished, so the next `apply` does it again.
    StepReset { step: String, time: String },
    /// The runner ended the run (it writes nothing after this line).
    #[serde(rename_all = "camelCase")]
    RunEnded { state: RunState, time: String },
}

impl Event {
    /// The journal line for this event (no newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("events serialise")
    }

    /// Parse one journal line; a torn last line (the runner was killed mid-write) is `None`.
    pub fn from_line(line: &str) -> Option<Event> {
        serde_json::from_str(line).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_torn_lines_are_skipped() {
        let e = Event::StepEnded {
            step: "kubeadm.init".into(),
            state: StepState::Failed,
            duration_ms: 1234,
            error: Some("port 6443 is in use".into()),
            hint: None,
            diagnosis: None,
        };
        let line = e.to_line();
        assert!(line.contains(r#""event":"stepEnded""#), "{line}");
        assert!(line.contains(r#""durationMs":1234"#), "{line}");
        assert_eq!(Event::from_line(&line), Some(e));
        assert_eq!(Event::from_line(&line[..line.len() - 3]), None);
    }
}
