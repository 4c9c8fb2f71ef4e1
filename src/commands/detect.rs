//! `dsinstall detect [--json]`: the host facts, as a table or as the JSON of
//! shared/design/cli.md.

use dsinstall::host;
use std::process::ExitCode;

pub fn run(json: bool) -> ExitCode {
    let facts = host::detect();
    if json {
        match serde_json::to_string_pretty(&facts) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("dsinstall: cannot print the facts as JSON: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        print!("{}", host::table::table(&facts));
    }
    ExitCode::SUCCESS
}
