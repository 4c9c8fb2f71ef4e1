//! Replacing one file so that a crash or a full disk never leaves half of it, and so that
//! another local user cannot redirect the write: the data goes into a temporary file with
//! an unpredictable name, created `O_EXCL | O_NOFOLLOW` (a link or file planted there makes
//! the create fail and a new name is tried), its mode set with `fchmod` on the open file
//! (exact under any umask), synced, renamed over the target, and the directory synced. Only
//! a regular file (or nothing) is replaced: a device, FIFO, directory or symbolic link at the
//! target is refused, so `--out /dev/stdout` can never turn a device into a file. After the
//! rename the target is checked to be the very file written, with its mode, before anyone
//! is told so.

use super::sys;
use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// A file anyone may read (answers files, the sysctl file, plan.txt).
pub const PUBLIC: u32 = 0o644;
/// A file that holds a secret (the bootstrap token): owner only.
pub const PRIVATE: u32 = 0o600;

/// How many unpredictable names are tried before giving up: a collision of 64 random bits
/// means someone is creating files there as fast as dsinstall, or the directory is broken.
const NAME_TRIES: usize = 32;

/// Replace `path` with `data`, mode `mode` (PUBLIC or PRIVATE).
pub fn write_file(path: &Path, data: &[u8], mode: u32) -> io::Result<()> {
    let (dir, name) = split(path)?;
    let dir_fd = sys::open_dir(&dir)?;
    write_at(&dir_fd, &name, data, mode).map(|_| ())
}

/// The directory and the file name of a path for `write_file`.
pub fn split(path: &Path) -> io::Result<(PathBuf, OsString)> {
    let name = match path.file_name() {
        Some(n) if !path.as_os_str().as_bytes().ends_with(b"/") => n.to_os_string(),
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "is not a file path",
            ));
        }
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name))
}

/// `path` could be written by `write_file`: its directory opens and nothing but a regular
/// file is there. For checking every target of a multi-file write before the first one.
pub fn check_path(path: &Path) -> io::Result<()> {
    let (dir, name) = split(path)?;
    check_replaceable(&sys::open_dir(&dir)?, &name).map(|_| ())
}

/// Refuse anything at `name` but a regular file; nothing there is fine.
pub fn check_replaceable(dir: &OwnedFd, name: &OsStr) -> io::Result<Option<libc::stat>> {
    match sys::lstat_at(dir, name)? {
        None => Ok(None),
        Some(st) if sys::is_regular(&st) => Ok(Some(st)),
        Some(st) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "is {}; dsinstall only replaces a regular file",
                sys::kind_of(st.st_mode)
            ),
        )),
    }
}

/// A temporary file in `dir` beside `name`, named unpredictably and created new.
pub(super) fn create_temp(
    dir: &OwnedFd,
    name: &OsStr,
    mode: u32,
) -> io::Result<(OsString, std::fs::File)> {
    // Keep the temporary name under NAME_MAX (255) whatever the target's length.
    let stem: String = String::from_utf8_lossy(name.as_bytes())
        .chars()
        .take(64)
        .collect();
    let mut last = None;
    for _ in 0..NAME_TRIES {
        let tmp = OsString::from(format!(".{stem}.dsinstall-{}", sys::random_suffix()));
        match sys::create_new_at(dir, &tmp, mode) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary name was free")))
}

/// Write a new file `name` in `dir` (which must not exist yet), mode exact, synced. Returns
/// its stat, for checking later that a name still points at it.
pub(super) fn write_new_at(
    dir: &OwnedFd,
    name: &OsStr,
    data: &[u8],
    mode: u32,
) -> io::Result<libc::stat> {
    let mut f = sys::create_new_at(dir, name, mode)?;
    let result = fill(&mut f, data, mode);
    if result.is_err() {
        let _ = sys::unlink_at(dir, name);
    }
    result
}

fn fill(f: &mut std::fs::File, data: &[u8], mode: u32) -> io::Result<libc::stat> {
    sys::fchmod(f, mode)?;
    f.write_all(data)?;
    f.sync_all()?;
    sys::fstat(f)
}

/// `write_file` relative to an open directory. Returns the stat of the file written.
pub fn write_at(dir: &OwnedFd, name: &OsStr, data: &[u8], mode: u32) -> io::Result<libc::stat> {
    check_replaceable(dir, name)?;
    let (tmp, mut f) = create_temp(dir, name, mode)?;
    let result = (|| {
        let st = fill(&mut f, data, mode)?;
        drop(f);
        // Checked again just before the rename: the window for a swap is the rename itself,
        // and rename replaces a name, never what a link at it points to.
        check_replaceable(dir, name)?;
        sys::rename_at(dir, &tmp, dir, name)?;
        Ok(st)
    })();
    let st = match result {
        Ok(st) => st,
        Err(e) => {
            let _ = sys::unlink_at(dir, &tmp);
            return Err(e);
        }
    };
    sys::fsync(dir)?;
    verify_written(dir, name, &st, mode)?;
    Ok(st)
}

/// The name points at the inode that was written, with the mode it was given.
pub fn verify_written(
    dir: &OwnedFd,
    name: &OsStr,
    wrote: &libc::stat,
    mode: u32,
) -> io::Result<()> {
    match sys::lstat_at(dir, name)? {
        Some(st) if sys::same_inode(&st, wrote) && st.st_mode & 0o7777 == mode => Ok(()),
        Some(st) if sys::same_inode(&st, wrote) => Err(io::Error::other(format!(
            "its mode was changed to {:04o} by another program right after it was written",
            st.st_mode & 0o7777
        ))),
        _ => Err(io::Error::other(
            "it was replaced by another program right after it was written",
        )),
    }
}

/// Make sure `path` is a directory; when it has to be created, it is created 0700 (set
/// explicitly, whatever the umask), since it will hold secrets. Its parents are created
/// with the usual mode. Returns whether it was created.
pub fn create_private_dir(path: &Path) -> io::Result<bool> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => return Ok(false),
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "is not a directory",
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let (parent, name) = split(path)?;
    std::fs::create_dir_all(&parent)?;
    let parent_fd = sys::open_dir(&parent)?;
    match sys::mkdir_at(&parent_fd, &name, 0o700) {
        Ok(()) => {}
        // Another process made it in between: use it as it is, like an existing one.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e),
    }
    let fd = sys::open_dir_at(&parent_fd, &name)?;
    sys::fchmod(&fd, 0o700)?;
    sys::fsync(&parent_fd)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    fn tmp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn writes_replaces_and_sets_the_exact_mode() {
        let d = tmp();
        let p = d.path().join("a.yaml");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
        write_file(&p, b"new", PRIVATE).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o7777, 0o600);
        write_file(&p, b"newer", PUBLIC).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o7777, 0o644);
        // Nothing else is left in the directory.
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let d = tmp();
        let real = d.path().join("real");
        std::fs::write(&real, "keep").unwrap();
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let e = write_file(&link, b"x", PUBLIC).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep");

        let sub = d.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let e = write_file(&sub, b"x", PUBLIC).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");

        let e = write_file(Path::new("/dev/null"), b"x", PUBLIC).unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
        // Only `real`, `link`, `sub`: no temporary file left behind.
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 3);
    }

    #[test]
    fn a_planted_temporary_name_is_never_used() {
        // Whatever sits at names like the temporary ones, the write goes elsewhere.
        let d = tmp();
        let victim = d.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        for i in 0..64 {
            std::os::unix::fs::symlink(&victim, d.path().join(format!(".a.tmp-{i}"))).unwrap();
        }
        write_file(&d.path().join("a"), b"data", PUBLIC).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(d.path().join("a")).unwrap(), "data");
    }

    #[test]
    fn private_dirs_are_0700_and_existing_ones_are_kept() {
        let d = tmp();
        let p = d.path().join("x/y/out");
        assert!(create_private_dir(&p).unwrap());
        assert_eq!(std::fs::metadata(&p).unwrap().mode() & 0o7777, 0o700);
        assert!(!create_private_dir(&p).unwrap());
        let f = d.path().join("file");
        std::fs::write(&f, "").unwrap();
        assert!(create_private_dir(&f).is_err());
    }
}
