//! `dsinstall detect [--json]`: the host facts, as a table or as the JSON whose shape the
//! README gives.

use dsinstall::{host, output};
use std::process::ExitCode;

pub fn run(json: bool) -> ExitCode {
    let facts = host::detect();
    let printed = if json {
        match serde_json::to_string_pretty(&facts) {
            Ok(s) => output::print_json(&s),
            Err(e) => {
                output::error(&format!("cannot print the facts as JSON: {e}"));
                return ExitCode::from(1);
            }
        }
    } else {
        output::print(&host::table::table(&facts))
    };
    super::exit(printed)
}
