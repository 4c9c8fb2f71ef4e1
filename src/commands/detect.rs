//! `dsinstall detect [--json]`: the host facts, as a table or as the JSON whose shape the
//! README gives.

use dsinstall::{host, output};
use std::path::Path;
use std::process::ExitCode;

/// `root`: where the host's files are read (`/` but in tests and the simulated lab).
pub fn run(json: bool, root: &Path) -> ExitCode {
    let facts = host::detect_at(root);
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
