//! The one way every command writes to stdout and stderr.
//!
//! `println!` panics when stdout is a closed pipe (`dsinstall detect | head -1`) or a full
//! disk (`> /dev/full`). Here a closed pipe ends the command quietly, as it ends `cat`; any
//! other failure is one line on stderr and exit 1. Everything written passes through
//! `terminal_text::safe`, so host and answers text cannot drive the terminal.

use crate::terminal_text::{self, Form};
use std::io::Write;

/// Exit code after the reader of stdout went away: 128 + SIGPIPE, what a shell reports for
/// `cat` killed by SIGPIPE in the same place.
pub const EXIT_CLOSED: u8 = 141;
/// Exit code when stdout cannot be written for another reason.
pub const EXIT_WRITE_FAILED: u8 = 1;

/// Why stdout could not take the output.
#[derive(Debug)]
pub enum Failed {
    /// EPIPE: nobody reads any more. Not worth a message.
    Closed,
    /// Anything else (ENOSPC, EIO, ...).
    Io(std::io::Error),
}

impl Failed {
    /// Say what went wrong (if it is worth saying) and give the exit code.
    pub fn report(self) -> u8 {
        match self {
            Failed::Closed => EXIT_CLOSED,
            Failed::Io(e) => {
                error(&format!("cannot write to stdout: {e}"));
                EXIT_WRITE_FAILED
            }
        }
    }
}

/// Write `text` (lines of text) to stdout and flush it.
pub fn print(text: &str) -> Result<(), Failed> {
    write_stdout(&terminal_text::safe(text, Form::Text))
}

/// Write JSON made by serde_json to stdout, with a newline.
pub fn print_json(json: &str) -> Result<(), Failed> {
    let safe = terminal_text::safe(json, Form::Json);
    write_stdout(&format!("{safe}\n"))
}

fn write_stdout(text: &str) -> Result<(), Failed> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Failed::Closed,
            _ => Failed::Io(e),
        })
}

/// One `dsinstall: ...` line on stderr. A failing stderr is ignored: there is nowhere left
/// to report it.
pub fn error(message: &str) {
    let line = format!("dsinstall: {}\n", terminal_text::safe(message, Form::Text));
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Lines of text on stderr as they are (a report, warnings), made safe. Failures ignored, as
/// for `error`.
pub fn eprint(text: &str) {
    let text = terminal_text::safe(text, Form::Text);
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
