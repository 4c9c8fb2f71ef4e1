//! One run at a time per host (run.md): an exclusive flock on the state directory's `lock`
//! file, held by the runner for its whole life. Held means a runner is alive; a runner that
//! died (kill -9, reboot) let the kernel drop it, so a stale lock cannot exist.

use super::record::LOCK;
use crate::io::sys;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

pub struct RunLock {
    _file: File,
}

fn open(state: &Path) -> io::Result<File> {
    OpenOptions::new()
        .create(true)
        .read(true)
        .write(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(state.join(LOCK))
}

impl RunLock {
    /// The lock, if nobody holds it.
    pub fn try_take(state: &Path) -> io::Result<Option<RunLock>> {
        let f = open(state)?;
        Ok(sys::flock_exclusive(&f, false)?.then_some(RunLock { _file: f }))
    }

    /// The lock, waiting up to `wait` for whoever holds it.
    pub fn take_within(state: &Path, wait: Duration) -> io::Result<Option<RunLock>> {
        let until = Instant::now() + wait;
        loop {
            if let Some(l) = RunLock::try_take(state)? {
                return Ok(Some(l));
            }
            if Instant::now() >= until {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Whether a runner holds the state directory's lock now.
pub fn held(state: &Path) -> bool {
    match open(state) {
        Ok(f) => !sys::flock_exclusive(&f, false).unwrap_or(true),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time() {
        let d = tempfile::tempdir().unwrap();
        assert!(!held(d.path()));
        let l = RunLock::try_take(d.path()).unwrap().unwrap();
        assert!(held(d.path()));
        assert!(RunLock::try_take(d.path()).unwrap().is_none());
        drop(l);
        assert!(!held(d.path()));
    }
}
