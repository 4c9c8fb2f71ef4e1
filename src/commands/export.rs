//! `dsinstall export --out F`: the answers the wizard would start from on this host.

use dsinstall::{host, output};
use std::path::Path;
use std::process::ExitCode;

pub fn run(out: &Path) -> ExitCode {
    let answers = host::suggest_answers(&host::detect());
    match answers.save(out, false) {
        Ok(()) => super::exit(output::print(&format!("{}\n", out.display()))),
        Err(e) => {
            output::error(&format!("cannot write {}: {e}", out.display()));
            ExitCode::from(1)
        }
    }
}
