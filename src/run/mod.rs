//! The install (run.md): ordered steps over the rendered files, executed by a runner that is
//! not the terminal, recorded in a journal that every client (`apply`, `status`, `logs`, the
//! wizard) reads. The shared vocabulary lives here; the runner, the steps and the clients
//! build on it.
//!
//! - `event`: what the journal holds, one JSON object a line.
//! - `step`: the `Step` trait every step implements, and the context it runs in.
//! - `status`: the `status --json` document, folded from the journal.
//! - `redact`: the run's secrets taken out of every line before it is kept or shown.
//! - `client`: what `apply` and the wizard call: start, resume or find a run, follow it.
//! - `detach`, `runner`, `cx`: the detached process that executes the steps, and the
//!   context each step runs in.
//! - `record`, `lock`, `backups`, `paths`, `state`: a run's files in the state directory.
//! - `prepare`: answers → plan → rendered files, shared with `render`.
//! - `dry_run`, `reset`: the sequence shown without running, and the install undone.

pub mod backups;
pub mod client;
pub mod cx;
pub mod detach;
pub mod diagnose;
pub mod dry_run;
pub mod event;
pub mod journal;
pub mod kubectl;
pub mod lock;
pub mod paths;
pub mod prepare;
pub mod pubkeypin;
pub mod record;
pub mod redact;
pub mod remote;
pub mod reports;
pub mod reset;
pub mod runner;
pub mod state;
pub mod status;
pub mod step;
pub mod steps;
