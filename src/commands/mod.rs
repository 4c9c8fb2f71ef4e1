//! One file per subcommand; each maps its outcome to the exit codes of the README's command-line reference.

pub mod apply;
pub mod completions;
pub mod detect;
pub mod export;
pub mod logs;
pub mod plan;
pub mod render;
pub mod reset;
pub mod sim;
pub mod status;
pub mod verify;
pub mod wizard;

use dsinstall::answers::Answers;
use dsinstall::output;
use std::path::Path;
use std::process::ExitCode;

/// Exit code for "the answers have problems; nothing was written".
pub const EXIT_PROBLEMS: u8 = 2;

/// Load an answers file, or print the one-line error and give the exit code.
pub fn load_answers(path: &Path) -> Result<Answers, ExitCode> {
    Answers::load(path).map_err(|e| {
        output::error(&e.to_string());
        ExitCode::from(EXIT_PROBLEMS)
    })
}

/// Success, or the exit code for output that could not be written (said on stderr).
pub fn exit(printed: Result<(), output::Failed>) -> ExitCode {
    match printed {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(e.report()),
    }
}
