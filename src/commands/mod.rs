//! One file per subcommand; each maps its outcome to the exit codes of shared/design/cli.md.

pub mod completions;
pub mod detect;
pub mod export;
pub mod plan;
pub mod render;
pub mod sim;
pub mod wizard;

use dsinstall::answers::Answers;
use std::path::Path;
use std::process::ExitCode;

/// Exit code for "the answers have problems; nothing was written".
pub const EXIT_PROBLEMS: u8 = 2;

/// Load an answers file, or print the one-line error and give the exit code.
pub fn load_answers(path: &Path) -> Result<Answers, ExitCode> {
    Answers::load(path).map_err(|e| {
        eprintln!("dsinstall: {e}");
        ExitCode::from(EXIT_PROBLEMS)
    })
}
