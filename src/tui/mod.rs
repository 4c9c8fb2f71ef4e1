//! The wizard (issue 4). Only this module knows about the terminal.

use std::path::PathBuf;

/// How the wizard was started.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The seed's simulated lab: demo host facts, nothing changed.
    pub demo: bool,
    /// This host, but nothing that changes it runs.
    pub dry_run: bool,
    /// `en` or `zh-CN`; None: from the environment.
    pub lang: Option<String>,
    /// `--templates DIR`.
    pub templates: Option<PathBuf>,
}

/// Run the wizard; returns the process exit code (0 done, 1 failed, 130 cancelled).
pub fn run(_opts: Options) -> u8 {
    eprintln!("dsinstall: the wizard is not built yet");
    1
}
