//! Starting or finding the runner, for every client (`apply`, the wizard).
//! The implementation lands with the runner; this is the signature clients build on.

use std::path::PathBuf;

/// What a client asks for when it starts a run.
#[derive(Clone, Debug, Default)]
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
}

/// A run a client can follow: started now, or found live or finished.
#[derive(Clone, Debug)]
pub struct Attached {
    pub run: String,
    pub journal: PathBuf,
    pub log: PathBuf,
    /// Whether this client started the runner (false: it found one running or ended).
    pub started: bool,
}

/// Start a runner for `opts`, or attach to the live run of this host.
pub fn start(_opts: &StartOptions) -> Result<Attached, String> {
    Err("the runner is not built yet".into())
}

/// The live or last run of this host, if any.
pub fn find() -> Option<Attached> {
    None
}
