//! `dsinstall detect [--json]`.

use std::process::ExitCode;

pub fn run(_json: bool) -> ExitCode {
    eprintln!("dsinstall: detect is not built yet");
    ExitCode::from(1)
}
