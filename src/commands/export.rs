//! `dsinstall export --out F`: the answers the wizard would start from on this host.

use dsinstall::host;
use std::path::Path;
use std::process::ExitCode;

pub fn run(out: &Path) -> ExitCode {
    let answers = host::suggest_answers(&host::detect());
    match answers.save(out, false) {
        Ok(()) => {
            println!("{}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dsinstall: cannot write {}: {e}", out.display());
            ExitCode::from(1)
        }
    }
}
