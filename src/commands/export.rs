//! `dsinstall export --out F`: the answers the wizard would start from on this host.
//! `--out -` prints them instead.

use dsinstall::host;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub fn run(out: &Path) -> ExitCode {
    let answers = host::suggest_answers(&host::detect());
    if out == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        return match stdout
            .write_all(answers.to_yaml().as_bytes())
            .and_then(|()| stdout.flush())
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("dsinstall: cannot print the answers: {e}");
                ExitCode::from(1)
            }
        };
    }
    match answers.save(out, false) {
        Ok(()) => {
            println!("{}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            eprintln!(
                "dsinstall: cannot write {}: {e} (--out - prints the answers)",
                out.display()
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("dsinstall: cannot write {}: {e}", out.display());
            ExitCode::from(1)
        }
    }
}
