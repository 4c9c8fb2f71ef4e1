//! Where a run keeps its files (run.md, "Where things live"): the state directory (journal,
//! the run's rendered files, backups; 0700) and the log directory (log files 0600).

use crate::io::write::create_private_dir;
use std::io;
use std::path::PathBuf;

pub const DEFAULT_STATE_DIR: &str = "/var/lib/dsinstall";
pub const DEFAULT_LOG_DIR: &str = "/var/log/dsinstall";

/// `DSINSTALL_STATE_DIR`, else `/var/lib/dsinstall`.
pub fn state_dir() -> PathBuf {
    from_env("DSINSTALL_STATE_DIR", DEFAULT_STATE_DIR)
}

/// `DSINSTALL_LOG_DIR`, else `/var/log/dsinstall`.
pub fn log_dir() -> PathBuf {
    from_env("DSINSTALL_LOG_DIR", DEFAULT_LOG_DIR)
}

/// The journal of the state directory's run.
pub fn journal(state: &std::path::Path) -> PathBuf {
    state.join("journal.jsonl")
}

/// Make sure both directories exist; a state directory made here is 0700.
pub fn prepare() -> io::Result<(PathBuf, PathBuf)> {
    let (s, l) = (state_dir(), log_dir());
    create_private_dir(&s)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", s.display())))?;
    create_private_dir(&l)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", l.display())))?;
    Ok((s, l))
}

fn from_env(var: &str, default: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_run_md_s() {
        assert_eq!(
            from_env("DSINSTALL_TEST_UNSET_VAR", DEFAULT_STATE_DIR),
            PathBuf::from("/var/lib/dsinstall")
        );
        assert_eq!(
            journal(std::path::Path::new("/s")),
            PathBuf::from("/s/journal.jsonl")
        );
    }
}
