//! `dsinstall [--demo | --dry-run] [--answers F]`: the wizard.

use std::process::ExitCode;

pub use dsinstall::tui::Options as Start;

pub fn run(start: Start) -> ExitCode {
    ExitCode::from(dsinstall::tui::run(start))
}
