//! `dsinstall export --out F`: the answers the wizard would start from on this host.
//! `--out -` prints them instead.

use super::EXIT_PROBLEMS;
use dsinstall::{host, output, plan};
use std::path::Path;
use std::process::ExitCode;

pub fn run(out: &Path) -> ExitCode {
    let facts = host::detect();
    let answers = host::suggest_answers(&facts);
    // Never write a file that `plan --host` refuses: say what is wrong instead. The manifest
    // is not part of this (export writes no manifest; its absence is a warning).
    let mut checked = plan::check(&answers);
    let host_problems = plan::host::check(&answers, checked.plan.as_ref(), &facts)
        .into_iter()
        // A node with no runtime yet gets the version's default socket: the runtime is
        // installed before apply, and the file says which socket it will use.
        .filter(|p| p.code != "host.cri_socket_none" && p.code != "host.docker_not_running");
    checked.problems.extend(host_problems);
    if checked.has_errors() {
        output::error(&format!(
            "the detected defaults do not make a valid plan on this host; nothing written to {}",
            out.display()
        ));
        for p in checked.errors() {
            output::eprint(&format!("  {p}\n"));
        }
        return ExitCode::from(EXIT_PROBLEMS);
    }
    if out == Path::new("-") {
        return super::exit(output::print(&answers.to_yaml()));
    }
    match answers.save(out, false) {
        Ok(()) => super::exit(output::print(&format!("{}\n", out.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            output::error(&format!(
                "cannot write {}: {e} (--out - prints the answers)",
                out.display()
            ));
            ExitCode::from(1)
        }
        Err(e) => {
            output::error(&format!("cannot write {}: {e}", out.display()));
            ExitCode::from(1)
        }
    }
}
