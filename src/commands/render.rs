//! `dsinstall render --answers F --out DIR`.

use std::path::Path;
use std::process::ExitCode;

pub fn run(_answers: &Path, _out: &Path, _templates: Option<&Path>) -> ExitCode {
    eprintln!("dsinstall: render is not built yet");
    ExitCode::from(1)
}
