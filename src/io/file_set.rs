//! A set of files put into a directory all together or not at all (`render --out DIR`; a
//! run's state directory). The files in it must agree with each other (one bootstrap token),
//! and the directory may hold the user's own files, which are never touched.
//!
//! The design: check every target first, then replace them one by one with a way back.
//! Swapping a whole directory at once would need `renameat2(RENAME_EXCHANGE)` (Linux 3.15;
//! CentOS 7 runs 3.10) and would take the user's other files with it. So:
//! 1. the directory is created 0700 when missing, and locked (`flock` on the directory
//!    itself, nothing left behind), so concurrent writers take turns instead of mixing;
//! 2. staging directories left by a writer that was killed (they hold a live token) are
//!    removed: under the lock, any staging directory is a dead writer's;
//! 3. every target must be absent or a regular file, else nothing is changed;
//! 4. every file is written and synced into a fresh 0700 staging directory inside DIR (same
//!    file system, so renames are atomic); a full disk stops here, with DIR unchanged;
//! 5. each target is hard-linked into the staging directory as a backup, then replaced by
//!    rename; if a rename fails, the files already replaced are put back from the backups
//!    (or removed, when there was none) and the error says whether that worked;
//! 6. each target is checked to be the file written, with its mode, and the staging
//!    directory (with the old files) is removed.
//!
//! A kill -9 during step 5 leaves some files replaced; the next write cleans the staging
//! directory and replaces them all again.

use super::{sys, write};
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::OwnedFd;
use std::path::Path;

/// Names of the staging directories this module makes; the second is what earlier
/// versions of dsinstall left, with a token inside, when killed.
const STAGING: &str = ".dsinstall-stage-";
const LEGACY_STAGING: &str = ".dsinstall-render-";

/// One file of the set.
#[derive(Debug, Clone, Copy)]
pub struct NewFile<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
    /// `write::PUBLIC` or `write::PRIVATE`.
    pub mode: u32,
}

/// What happened besides the files being written.
#[derive(Debug, Default)]
pub struct Written {
    /// The directory did not exist and was created 0700.
    pub created_dir: bool,
    /// Staging directories of earlier, interrupted writes that were removed.
    pub cleaned: Vec<String>,
}

/// Why the set was not written, and in what state the directory is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetError {
    /// Nothing in the directory was changed.
    Unchanged(String),
    /// Files were replaced, then all put back as they were.
    RolledBack(String),
    /// Files were replaced and these could not be put back: the directory is mixed.
    Mixed { message: String, files: Vec<String> },
}

impl std::fmt::Display for SetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SetError::Unchanged(m) => write!(f, "{m}; nothing in it was changed"),
            SetError::RolledBack(m) => write!(f, "{m}; the files replaced so far were put back"),
            SetError::Mixed { message, files } => write!(
                f,
                "{message}; {} could not be put back and no longer match the other files: write again",
                files.join(", ")
            ),
        }
    }
}

impl std::error::Error for SetError {}

/// Write `files` into `dir` (see the module). `on_wait` is called once if another process
/// holds the lock, before waiting for it.
pub fn write_set(
    dir: &Path,
    files: &[NewFile],
    on_wait: impl FnOnce(),
) -> Result<Written, SetError> {
    write_set_with(dir, files, on_wait, &mut sys::rename_at)
}

type Rename<'r> = dyn FnMut(&OwnedFd, &OsStr, &OwnedFd, &OsStr) -> io::Result<()> + 'r;

fn write_set_with(
    dir: &Path,
    files: &[NewFile],
    on_wait: impl FnOnce(),
    rename: &mut Rename,
) -> Result<Written, SetError> {
    let unchanged = |e: io::Error| SetError::Unchanged(e.to_string());
    let mut written = Written {
        created_dir: write::create_private_dir(dir).map_err(unchanged)?,
        ..Written::default()
    };
    let dfd = sys::open_dir(dir).map_err(unchanged)?;
    if !sys::flock_exclusive(&dfd, false).map_err(unchanged)? {
        on_wait();
        sys::flock_exclusive(&dfd, true).map_err(unchanged)?;
    }
    written.cleaned = clean_stale(dir, &dfd).map_err(unchanged)?;
    for f in files {
        write::check_replaceable(&dfd, OsStr::new(f.name))
            .map_err(|e| SetError::Unchanged(format!("{} {e}", f.name)))?;
    }
    let stage = OsString::from(format!("{STAGING}{}", sys::random_suffix()));
    sys::mkdir_at(&dfd, &stage, 0o700).map_err(unchanged)?;
    let result = stage_and_commit(&dfd, &stage, files, rename);
    let _ = std::fs::remove_dir_all(dir.join(&stage));
    let _ = sys::fsync(&dfd);
    result.map(|()| written)
}

fn stage_and_commit(
    dfd: &OwnedFd,
    stage: &OsStr,
    files: &[NewFile],
    rename: &mut Rename,
) -> Result<(), SetError> {
    let unchanged = |e: io::Error| SetError::Unchanged(e.to_string());
    let sfd = sys::open_dir_at(dfd, stage).map_err(unchanged)?;
    sys::fchmod(&sfd, 0o700).map_err(unchanged)?;
    let mut stats = Vec::with_capacity(files.len());
    for f in files {
        let st = write::write_new_at(&sfd, OsStr::new(f.name), f.data, f.mode)
            .map_err(|e| SetError::Unchanged(format!("{}: {e}", f.name)))?;
        stats.push(st);
    }
    sys::fsync(&sfd).map_err(unchanged)?;

    let mut done: Vec<(&str, Backup)> = Vec::new();
    for f in files {
        let name = OsStr::new(f.name);
        let step = (|| {
            let backup = backup(dfd, &sfd, name)?;
            done.push((f.name, backup));
            rename(&sfd, name, dfd, name)
        })();
        if let Err(e) = step {
            let message = format!("{}: {e}", f.name);
            // The file that failed may have been moved aside already: it goes back too.
            let stuck = roll_back(dfd, &sfd, &done);
            return Err(if stuck.is_empty() {
                SetError::RolledBack(message)
            } else {
                SetError::Mixed {
                    message,
                    files: stuck,
                }
            });
        }
    }
    sys::fsync(dfd).map_err(|e| SetError::Mixed {
        message: e.to_string(),
        files: files.iter().map(|f| f.name.to_string()).collect(),
    })?;
    for (f, st) in files.iter().zip(&stats) {
        write::verify_written(dfd, OsStr::new(f.name), st, f.mode).map_err(|e| {
            SetError::Mixed {
                message: format!("{}: {e}", f.name),
                files: vec![f.name.to_string()],
            }
        })?;
    }
    Ok(())
}

/// How a target that existed was kept for a roll-back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backup {
    /// Nothing was there.
    None,
    /// Hard-linked into the staging directory; the target is still in place.
    Linked,
    /// Moved into the staging directory (the file system has no hard links).
    Moved,
}

fn backup_name(name: &OsStr) -> OsString {
    let mut n = OsString::from(".old-");
    n.push(name);
    n
}

fn backup(dfd: &OwnedFd, sfd: &OwnedFd, name: &OsStr) -> io::Result<Backup> {
    if sys::lstat_at(dfd, name)?.is_none() {
        return Ok(Backup::None);
    }
    let old = backup_name(name);
    match sys::link_at(dfd, name, sfd, &old) {
        Ok(()) => Ok(Backup::Linked),
        Err(_) => sys::rename_at(dfd, name, sfd, &old).map(|()| Backup::Moved),
    }
}

/// Undo `done`, newest first. Returns the files that could not be put back.
fn roll_back(dfd: &OwnedFd, sfd: &OwnedFd, done: &[(&str, Backup)]) -> Vec<String> {
    let mut stuck = Vec::new();
    for (name, backup) in done.iter().rev() {
        let n = OsStr::new(*name);
        let ok = match backup {
            Backup::Linked | Backup::Moved => sys::rename_at(sfd, &backup_name(n), dfd, n).is_ok(),
            Backup::None => match sys::unlink_at(dfd, n) {
                Ok(()) => true,
                Err(e) => e.kind() == io::ErrorKind::NotFound,
            },
        };
        if !ok {
            stuck.push(name.to_string());
        }
    }
    stuck.reverse();
    stuck
}

/// Remove the staging directories of writers that died (the caller holds the lock).
fn clean_stale(dir: &Path, dfd: &OwnedFd) -> io::Result<Vec<String>> {
    let mut cleaned = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        let s = name.to_string_lossy();
        if !(s.starts_with(STAGING) || s.starts_with(LEGACY_STAGING)) {
            continue;
        }
        match sys::lstat_at(dfd, &name)? {
            Some(st) if sys::is_dir(&st) => std::fs::remove_dir_all(dir.join(&name))?,
            Some(_) => sys::unlink_at(dfd, &name)?,
            None => continue,
        }
        cleaned.push(s.into_owned());
    }
    if !cleaned.is_empty() {
        sys::fsync(dfd)?;
    }
    cleaned.sort();
    Ok(cleaned)
}

/// Are `a` and `b` the same file (one inode), as two paths or a hard link?
pub fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn set<'a>(token: &'a str) -> Vec<NewFile<'a>> {
        ["a.yaml", "b.yaml", "c.txt"]
            .into_iter()
            .map(|name| NewFile {
                name,
                data: token.as_bytes(),
                mode: if name == "c.txt" {
                    write::PUBLIC
                } else {
                    write::PRIVATE
                },
            })
            .collect()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    fn read(dir: &Path, n: &str) -> String {
        std::fs::read_to_string(dir.join(n)).unwrap()
    }

    #[test]
    fn writes_all_keeps_other_files_and_cleans_dead_staging() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        let w = write_set(&out, &set("one"), || {}).unwrap();
        assert!(w.created_dir);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode(&out), 0o700);
        assert_eq!(mode(&out.join("a.yaml")), 0o600);
        assert_eq!(mode(&out.join("c.txt")), 0o644);
        std::fs::write(out.join("mine.txt"), "user's").unwrap();
        std::fs::create_dir(out.join(".dsinstall-render-4242")).unwrap();
        std::fs::write(out.join(".dsinstall-render-4242/a.yaml"), "token").unwrap();
        std::fs::create_dir(out.join(".dsinstall-stage-0123456789abcdef")).unwrap();
        let w = write_set(&out, &set("two"), || {}).unwrap();
        assert!(!w.created_dir);
        assert_eq!(
            w.cleaned,
            [
                ".dsinstall-render-4242",
                ".dsinstall-stage-0123456789abcdef"
            ]
        );
        assert_eq!(names(&out), ["a.yaml", "b.yaml", "c.txt", "mine.txt"]);
        assert_eq!(read(&out, "b.yaml"), "two");
        assert_eq!(read(&out, "mine.txt"), "user's");
    }

    #[test]
    fn a_non_regular_target_changes_nothing() {
        let d = tempfile::tempdir().unwrap();
        write_set(d.path(), &set("one"), || {}).unwrap();
        std::fs::remove_file(d.path().join("c.txt")).unwrap();
        std::fs::create_dir(d.path().join("c.txt")).unwrap();
        let e = write_set(d.path(), &set("two"), || {}).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.txt is a directory; dsinstall only replaces a regular file; nothing in it was changed"
        );
        assert_eq!(read(d.path(), "a.yaml"), "one");
        assert_eq!(names(d.path()), ["a.yaml", "b.yaml", "c.txt"]);
    }

    #[test]
    fn a_failed_rename_puts_back_what_was_replaced() {
        let d = tempfile::tempdir().unwrap();
        write_set(d.path(), &set("one"), || {}).unwrap();
        std::fs::remove_file(d.path().join("b.yaml")).unwrap();
        let mut calls = 0;
        let mut failing = |a: &OwnedFd, f: &OsStr, b: &OwnedFd, t: &OsStr| {
            calls += 1;
            if calls == 3 {
                Err(io::Error::from_raw_os_error(libc::EIO))
            } else {
                sys::rename_at(a, f, b, t)
            }
        };
        let e = write_set_with(d.path(), &set("two"), || {}, &mut failing).unwrap_err();
        assert!(matches!(e, SetError::RolledBack(_)), "{e:?}");
        assert!(
            e.to_string().starts_with("c.txt: Input/output error"),
            "{e}"
        );
        // a.yaml is the old one again, b.yaml (new in that write) is gone again.
        assert_eq!(names(d.path()), ["a.yaml", "c.txt"]);
        assert_eq!(read(d.path(), "a.yaml"), "one");
        assert_eq!(read(d.path(), "c.txt"), "one");
    }
}
