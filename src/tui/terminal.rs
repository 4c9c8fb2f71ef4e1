//! The terminal's state on the way in and on every way out: raw mode, alternate screen,
//! hidden cursor; restored on return, error, panic and from signal handlers.
//!
//! Raw mode is set here with termios rather than by crossterm, because a signal handler must
//! be able to undo it (crossterm keeps the saved mode behind a mutex, which a handler may not
//! take) and a resumed process must be able to redo it (crossterm thinks it is still raw).

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{IsTerminal, Stdout, stdout};
use std::sync::OnceLock;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// The terminal input: stdin, which `unusable` requires to be a terminal. crossterm reads
/// keys from the same descriptor.
pub const TTY_FD: libc::c_int = libc::STDIN_FILENO;

/// What `leave` writes: bracketed paste off, leave the alternate screen, show the cursor
/// (crossterm's DisableBracketedPaste, LeaveAlternateScreen and Show). Spelled out so a
/// signal handler can write it with write(2); a shell left in bracketed-paste mode would
/// see every paste wrapped in `ESC[200~`.
pub const LEAVE_SEQUENCE: &[u8] = b"\x1b[?2004l\x1b[?1049l\x1b[?25h";

/// The terminal mode before `enter`, saved once; read by signal handlers (a OnceLock read
/// after it is set is a plain atomic load).
static SAVED_MODE: OnceLock<libc::termios> = OnceLock::new();

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
    save_mode()?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        leave();
        previous(info);
    }));
    let t = Terminal::new(CrosstermBackend::new(stdout())).and_then(|t| {
        enter_screen()?;
        Ok(t)
    });
    if t.is_err() {
        leave();
    }
    t
}

/// Back from a stop (SIGCONT after SIGTSTP): raw mode and the alternate screen again, and a
/// full redraw on the next frame (the shell drew over the screen meanwhile).
pub fn resume(term: &mut Term) -> std::io::Result<()> {
    enter_screen()?;
    execute!(stdout(), Clear(ClearType::All))?;
    // ratatui draws only the cells that changed since its last frame. An empty frame makes
    // its last frame blank, like the screen just cleared, so the next frame is drawn whole.
    // (`Terminal::clear` would do it too, but asks the terminal for the cursor position,
    // which fails on terminals that do not answer.)
    term.draw(|_| {})?;
    Ok(())
}

fn enter_screen() -> std::io::Result<()> {
    raw_mode_on()?;
    // Bracketed paste: the terminal marks a paste, so pasted text reaches a field as text
    // and is never taken for keys.
    execute!(stdout(), EnterAlternateScreen, Hide, EnableBracketedPaste)
}

/// Undo `enter`. Safe to call twice and on a hung-up terminal (errors are ignored: there is
/// nobody left to tell).
pub fn leave() {
    restore_mode();
    let _ = execute!(stdout(), DisableBracketedPaste, LeaveAlternateScreen, Show);
}

/// `leave` for a signal handler: only async-signal-safe calls (tcsetattr, write).
pub fn leave_from_signal() {
    restore_mode();
    // SAFETY: write(2) of a static buffer to stdout; the result does not matter (the
    // terminal may be gone).
    unsafe {
        libc::write(
            libc::STDOUT_FILENO,
            LEAVE_SEQUENCE.as_ptr().cast(),
            LEAVE_SEQUENCE.len(),
        );
    }
}

fn save_mode() -> std::io::Result<()> {
    if SAVED_MODE.get().is_some() {
        return Ok(());
    }
    // SAFETY: termios is plain data; tcgetattr fills it or fails.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(TTY_FD, &mut t) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let _ = SAVED_MODE.set(t);
    Ok(())
}

/// cfmakeraw on the saved mode, as crossterm's own raw mode does.
fn raw_mode_on() -> std::io::Result<()> {
    let Some(saved) = SAVED_MODE.get() else {
        return Err(std::io::Error::other("terminal mode not saved"));
    };
    let mut raw = *saved;
    // SAFETY: cfmakeraw edits the struct; tcsetattr applies it to our terminal.
    unsafe { libc::cfmakeraw(&mut raw) };
    if unsafe { libc::tcsetattr(TTY_FD, libc::TCSANOW, &raw) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

fn restore_mode() {
    if let Some(saved) = SAVED_MODE.get() {
        // SAFETY: tcsetattr with the mode saved from this terminal; async-signal-safe.
        unsafe { libc::tcsetattr(TTY_FD, libc::TCSANOW, saved) };
    }
}
