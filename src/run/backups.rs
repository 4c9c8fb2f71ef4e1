//! Every host file a run changes is copied here first, once per run (run.md: "a backup of
//! every file first"), with a manifest saying what was there: the file and its mode, or
//! nothing. `dsinstall reset` puts back each file that was there and removes each one that
//! dsinstall created, newest first. The manifest is rewritten whole after every backup, so
//! a runner killed at any point leaves it naming every copy already made.

use crate::io::{read, write};
use serde::{Deserialize, Serialize};
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const MANIFEST: &str = "manifest.json";
/// A host file larger than this is not one dsinstall edits (fstab, sysctl.d, modules-load.d).
const MAX_FILE: u64 = 16 << 20;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The path on the node (`/etc/fstab`), not under the root.
    pub host: String,
    /// Whether the file existed before; None: dsinstall created it.
    pub copy: Option<String>,
    pub mode: u32,
}

pub struct Backups {
    dir: PathBuf,
    root: PathBuf,
    entries: Vec<Entry>,
}

impl Backups {
    /// The backups of the state directory's run (`dir` is created 0700).
    pub fn open(dir: &Path, root: &Path) -> io::Result<Backups> {
        write::create_private_dir(dir)?;
        let entries = match read::read_text(&dir.join(MANIFEST), MAX_FILE) {
            Ok(t) => serde_json::from_str(&t).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: {e}", dir.join(MANIFEST).display()),
                )
            })?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        Ok(Backups {
            dir: dir.to_path_buf(),
            root: root.to_path_buf(),
            entries,
        })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn node_path(&self, under_root: &Path) -> String {
        let rel = under_root.strip_prefix(&self.root).unwrap_or(under_root);
        format!("/{}", rel.to_string_lossy().trim_start_matches('/'))
    }

    /// Keep what is at `under_root` (a host path already under the root) before it changes.
    /// Once per path per run: a resume never backs up dsinstall's own edit.
    pub fn backup(&mut self, under_root: &Path) -> io::Result<()> {
        let host = self.node_path(under_root);
        if self.entries.iter().any(|e| e.host == host) {
            return Ok(());
        }
        let entry = match std::fs::symlink_metadata(under_root) {
            Ok(m) if m.is_file() => {
                let data = read::read_bytes(under_root, MAX_FILE)?;
                let name = format!("{:03}-{}", self.entries.len(), flat(&host));
                write::write_file(&self.dir.join(&name), &data, write::PRIVATE)?;
                Entry {
                    host,
                    copy: Some(name),
                    mode: m.permissions().mode() & 0o7777,
                }
            }
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{host} is not a regular file; dsinstall does not replace it"),
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Entry {
                host,
                copy: None,
                mode: 0,
            },
            Err(e) => return Err(e),
        };
        self.entries.push(entry);
        self.save()
    }

    fn save(&self) -> io::Result<()> {
        let text = serde_json::to_string_pretty(&self.entries).expect("entries serialise");
        write::write_file(&self.dir.join(MANIFEST), text.as_bytes(), write::PRIVATE)
    }

    /// Put every file back as it was, newest first: a copy restored with its mode, a file
    /// dsinstall created removed. Each action is said; the ones that failed are returned.
    pub fn restore_all(&mut self, say: &mut dyn FnMut(&str)) -> Vec<String> {
        let mut failed = Vec::new();
        let mut kept = Vec::new();
        for e in self.entries.iter().rev() {
            let target = self.root.join(e.host.trim_start_matches('/'));
            let r = match &e.copy {
                Some(name) => read::read_bytes(&self.dir.join(name), MAX_FILE)
                    .and_then(|data| write::write_file(&target, &data, e.mode))
                    .map(|()| format!("restored {}", e.host)),
                None => match std::fs::remove_file(&target) {
                    Ok(()) => Ok(format!("removed {} (dsinstall created it)", e.host)),
                    Err(err) if err.kind() == io::ErrorKind::NotFound => {
                        Ok(format!("{} is already gone", e.host))
                    }
                    Err(err) => Err(err),
                },
            };
            match r {
                Ok(line) => say(&line),
                Err(err) => {
                    failed.push(format!("{}: {err}", e.host));
                    kept.push(e.clone());
                }
            }
        }
        kept.reverse();
        self.entries = kept;
        if let Err(e) = self.save() {
            failed.push(format!("{}: {e}", self.dir.join(MANIFEST).display()));
        }
        failed
    }
}

/// `/etc/sysctl.d/k.conf` → `etc_sysctl.d_k.conf`.
fn flat(host: &str) -> String {
    host.trim_start_matches('/').replace('/', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_put_back_and_new_ones_removed_once_per_run() {
        let root = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        let dir = state.path().join("backups");
        let fstab = root.path().join("etc/fstab");
        std::fs::create_dir_all(fstab.parent().unwrap()).unwrap();
        std::fs::write(&fstab, "swap\n").unwrap();
        std::fs::set_permissions(&fstab, std::fs::Permissions::from_mode(0o640)).unwrap();
        let new = root.path().join("etc/new.conf");
        let mut b = Backups::open(&dir, root.path()).unwrap();
        b.backup(&fstab).unwrap();
        b.backup(&new).unwrap();
        std::fs::write(&fstab, "#swap\n").unwrap();
        // A second backup (a resume) keeps the first copy.
        let mut b = Backups::open(&dir, root.path()).unwrap();
        b.backup(&fstab).unwrap();
        std::fs::write(&new, "x").unwrap();
        assert_eq!(b.entries().len(), 2);
        let mut said = Vec::new();
        assert!(b.restore_all(&mut |l| said.push(l.to_string())).is_empty());
        assert_eq!(std::fs::read_to_string(&fstab).unwrap(), "swap\n");
        let mode = std::fs::metadata(&fstab).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert!(!new.exists());
        assert_eq!(said[0], "removed /etc/new.conf (dsinstall created it)");
        assert!(b.entries().is_empty());
    }

    #[test]
    fn a_link_is_not_backed_up_as_a_file() {
        let root = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        let link = root.path().join("l");
        std::os::unix::fs::symlink("/etc/passwd", &link).unwrap();
        let mut b = Backups::open(&state.path().join("b"), root.path()).unwrap();
        assert!(b.backup(&link).is_err());
    }
}
