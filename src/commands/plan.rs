//! `dsinstall plan --answers F`: the address plan and every problem.

use super::{EXIT_PROBLEMS, load_answers};
use dsinstall::{output, plan};
use std::path::Path;
use std::process::ExitCode;

pub fn run(path: &Path) -> ExitCode {
    let answers = match load_answers(path) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let checked = plan::check(&answers);
    if let Err(e) = output::print(&plan::report::text(&checked)) {
        return ExitCode::from(e.report());
    }
    if checked.has_errors() {
        ExitCode::from(EXIT_PROBLEMS)
    } else {
        ExitCode::SUCCESS
    }
}
