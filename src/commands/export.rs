//! `dsinstall export --out F`.

use std::path::Path;
use std::process::ExitCode;

pub fn run(_out: &Path) -> ExitCode {
    eprintln!("dsinstall: export is not built yet");
    ExitCode::from(1)
}
