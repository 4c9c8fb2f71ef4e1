//! The terminal's state on the way in and on every way out: raw mode, alternate screen,
//! hidden cursor; restored on return, error and panic. Signals become a flag the event loop
//! reads, so a hung-up session stops instead of spinning (crossterm-rs/crossterm#793).

use crossterm::cursor::{Hide, Show};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{IsTerminal, Stdout, stdout};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Why the wizard cannot draw here, if it cannot: stdin and stdout must both be terminals
/// (`ratatui` would otherwise panic and write escapes into a redirected file) and TERM must
/// not be `dumb` (no cursor addressing).
pub fn unusable() -> Option<&'static str> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Some("not_a_terminal");
    }
    match std::env::var("TERM") {
        Ok(t) if !t.is_empty() && t != "dumb" => None,
        _ => Some("dumb_terminal"),
    }
}

/// Raw mode, alternate screen, hidden cursor; and a panic hook that undoes them first so the
/// panic message lands on a usable terminal.
pub fn enter() -> std::io::Result<Term> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
    enable_raw_mode()?;
    if let Err(e) = execute!(stdout(), EnterAlternateScreen, Hide) {
        leave();
        return Err(e);
    }
    match Terminal::new(CrosstermBackend::new(stdout())) {
        Ok(t) => Ok(t),
        Err(e) => {
            leave();
            Err(e)
        }
    }
}

/// Undo `enter`. Safe to call twice and on a hung-up terminal (errors are ignored: there is
/// nobody left to tell).
pub fn leave() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), LeaveAlternateScreen, Show);
}

/// SIGTERM, SIGHUP and SIGINT set the returned flag instead of killing the process, so the
/// terminal is restored on the way out.
pub fn stop_flag() -> std::io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register(sig, Arc::clone(&flag))?;
    }
    Ok(flag)
}
