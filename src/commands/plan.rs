//! `dsinstall plan --answers F [--host]`: the address plan and every problem; with
//! `--host`, also the problems this host has with them (`dsinstall::verdict`).

use super::{EXIT_PROBLEMS, load_answers};
use dsinstall::{host, output, plan, verdict};
use std::path::Path;
use std::process::ExitCode;

/// `root`: where `--host` reads the host's files (`/` but in tests and the simulated lab).
pub fn run(path: &Path, on_host: bool, root: &Path) -> ExitCode {
    let answers = match load_answers(path) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let checked = if on_host {
        // A relative calico.manifest is read beside the answers file, as render does.
        verdict::on_host(&answers, &host::detect_at(root), path.parent())
    } else {
        plan::check(&answers)
    };
    if let Err(e) = output::print(&plan::report::text(&checked)) {
        return ExitCode::from(e.report());
    }
    if checked.has_errors() {
        ExitCode::from(EXIT_PROBLEMS)
    } else {
        ExitCode::SUCCESS
    }
}
