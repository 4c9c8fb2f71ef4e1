//! Waiting on the terminal without trusting crossterm with a dead one.
//!
//! When the terminal goes away (the SSH link drops, tmux kills the session, the pty master
//! is closed) the kernel hangs the tty up: read(2) returns 0 or EIO and poll(2) reports
//! POLLHUP (drivers/tty/tty_io.c, `hung_up_tty_read`, `hung_up_tty_poll`). crossterm's
//! reader retries such a read forever inside `event::read` (crossterm-rs/crossterm#793:
//! src/event/source/unix/mio.rs breaks out of its read loop only on WouldBlock), so the
//! wizard polls the descriptor itself and hands it to crossterm only when it holds input.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// What the terminal did while we waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// Bytes to read: crossterm may read them.
    Input,
    /// Nothing before the timeout.
    Timeout,
    /// A signal arrived (its flag says which).
    Interrupted,
    /// The terminal is gone.
    HungUp,
}

const GONE: libc::c_short = libc::POLLHUP | libc::POLLERR | libc::POLLNVAL;

/// Wait up to `timeout` for input on `fd`.
pub fn wait(fd: libc::c_int, timeout: Duration) -> Ready {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
    // SAFETY: poll(2) on one pollfd we own.
    let n = unsafe { libc::poll(&mut p, 1, ms) };
    if n < 0 {
        return match std::io::Error::last_os_error().kind() {
            std::io::ErrorKind::Interrupted => Ready::Interrupted,
            _ => Ready::HungUp,
        };
    }
    if n == 0 {
        return Ready::Timeout;
    }
    if p.revents & GONE != 0 {
        return Ready::HungUp;
    }
    Ready::Input
}

/// Whether `fd` is hung up now, without waiting.
pub fn hung_up(fd: libc::c_int) -> bool {
    wait_gone(fd, 0)
}

fn wait_gone(fd: libc::c_int, ms: libc::c_int) -> bool {
    // No events asked for: poll reports only POLLHUP/POLLERR/POLLNVAL, so input waiting to
    // be read does not wake this.
    let mut p = libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    };
    // SAFETY: poll(2) on one pollfd we own.
    let n = unsafe { libc::poll(&mut p, 1, ms) };
    n > 0 && p.revents & GONE != 0
}

/// How often the watchdog looks, and how long it lets the event loop leave on its own.
const WATCH_EVERY: libc::c_int = 200;
const GRACE: Duration = Duration::from_millis(500);

/// Set once the event loop has returned: the watchdog stands down.
static DISARMED: AtomicBool = AtomicBool::new(false);

/// A thread that ends the process with `code` if `fd` hangs up and the event loop has not
/// left within a moment — the loop may be inside crossterm's read when the hang-up comes.
pub fn start_watchdog(fd: libc::c_int, code: i32) {
    let spawned = std::thread::Builder::new()
        .name("tty-watchdog".into())
        .spawn(move || {
            while !DISARMED.load(Ordering::Relaxed) {
                if wait_gone(fd, WATCH_EVERY) {
                    std::thread::sleep(GRACE);
                    if DISARMED.load(Ordering::Relaxed) {
                        return;
                    }
                    crate::tui::terminal::leave_from_signal();
                    // SAFETY: _exit(2) ends the process at once; there is no terminal left to
                    // flush anything to.
                    unsafe { libc::_exit(code) };
                }
            }
        });
    // Without the thread the event loop's own poll still sees the hang-up; only the rare
    // hang-up inside crossterm's read would go unnoticed.
    drop(spawned);
}

/// The event loop has returned; the watchdog must not end the process any more.
pub fn disarm_watchdog() {
    DISARMED.store(true, Ordering::Relaxed);
}
