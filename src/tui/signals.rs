//! What each signal does to the wizard. None may leave the terminal raw, on the alternate
//! screen or with the cursor hidden:
//! - SIGTERM, SIGHUP, SIGINT: a flag the event loop reads; it stops with 130.
//! - SIGQUIT, SIGABRT, SIGUSR1, SIGALRM: the handler restores the terminal, then the signal's
//!   default action runs (the process ends as that signal, with a core where it dumps one).
//! - SIGTSTP: restore the terminal, then stop; SIGCONT (from `fg`): a flag, and the event
//!   loop enters raw mode and the alternate screen again and redraws the whole screen.
//! - SIGWINCH: a flag, so a resize is seen while the loop waits on the terminal itself.

use crate::tui::terminal;
use signal_hook::consts::{
    SIGABRT, SIGALRM, SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGUSR1, SIGWINCH,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Signals that end the process after the terminal is restored.
const DEADLY: [libc::c_int; 4] = [SIGQUIT, SIGABRT, SIGUSR1, SIGALRM];

/// The flags the handlers set.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub stop: Arc<AtomicBool>,
    pub resumed: Arc<AtomicBool>,
    pub resized: Arc<AtomicBool>,
}

impl Flags {
    pub fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
    /// True once per SIGCONT.
    pub fn take_resumed(&self) -> bool {
        self.resumed.swap(false, Ordering::Relaxed)
    }
    /// True once per SIGWINCH (or several coalesced).
    pub fn take_resized(&self) -> bool {
        self.resized.swap(false, Ordering::Relaxed)
    }
}

/// Install every handler above.
pub fn install() -> std::io::Result<Flags> {
    let flags = Flags::default();
    for sig in [SIGTERM, SIGHUP, SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&flags.stop))?;
    }
    signal_hook::flag::register(SIGCONT, Arc::clone(&flags.resumed))?;
    signal_hook::flag::register(SIGWINCH, Arc::clone(&flags.resized))?;
    for sig in DEADLY {
        // SAFETY: the action calls only async-signal-safe functions (tcsetattr, write,
        // sigaction, sigprocmask, raise).
        unsafe {
            signal_hook::low_level::register(sig, move || {
                terminal::leave_from_signal();
                let _ = signal_hook::low_level::emulate_default_handler(sig);
            })?;
        }
    }
    let resumed = Arc::clone(&flags.resumed);
    // SAFETY: as above; the stop happens inside raise(SIGSTOP) and the action returns once
    // the process is continued.
    unsafe {
        signal_hook::low_level::register(SIGTSTP, move || {
            terminal::leave_from_signal();
            let _ = signal_hook::low_level::emulate_default_handler(SIGTSTP);
            resumed.store(true, Ordering::Relaxed);
        })?;
    }
    Ok(flags)
}
