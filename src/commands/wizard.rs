//! `dsinstall [--demo | --dry-run]`: the wizard.

use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(
    demo: bool,
    dry_run: bool,
    lang: Option<String>,
    templates: Option<PathBuf>,
) -> ExitCode {
    let code = dsinstall::tui::run(dsinstall::tui::Options {
        demo,
        dry_run,
        lang,
        templates,
    });
    ExitCode::from(code)
}
