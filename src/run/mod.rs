//! The install (run.md): ordered steps over the rendered files, executed by a runner that is
//! not the terminal, recorded in a journal that every client (`apply`, `status`, `logs`, the
//! wizard) reads. The shared vocabulary lives here; the runner, the steps and the clients
//! build on it.
//!
//! - `event`: what the journal holds, one JSON object a line.
//! - `step`: the `Step` trait every step implements, and the context it runs in.
//! - `status`: the `status --json` document, folded from the journal.
//! - `redact`: the run's secrets taken out of every line before it is kept or shown.

pub mod client;
pub mod diagnose;
pub mod event;
pub mod journal;
pub mod kubectl;
pub mod paths;
pub mod pubkeypin;
pub mod redact;
pub mod remote;
pub mod state;
pub mod status;
pub mod step;
pub mod steps;
