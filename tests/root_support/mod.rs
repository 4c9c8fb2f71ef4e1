//! For tests that need root (a second user planting files, a tiny tmpfs): skipped with a
//! printed reason when not root, unless DSINSTALL_REQUIRE_NETNS=1 (CI, which runs as root),
//! where that is a failure. Processes as another user run through `setpriv` as `nobody`.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn required() -> bool {
    std::env::var("DSINSTALL_REQUIRE_NETNS").is_ok_and(|v| v == "1")
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// True when the test can go on as root; else prints why it is skipped (or fails in CI).
pub fn root_or_skip(test: &str) -> bool {
    if is_root() {
        return true;
    }
    if required() {
        panic!("DSINSTALL_REQUIRE_NETNS=1 but {test} needs root");
    }
    eprintln!("SKIPPED: {test} needs root (a second user, mounts)");
    false
}

/// Run `argv` as the user nobody (group nogroup), with no supplementary groups.
pub fn as_nobody(argv: &[&str]) -> Output {
    Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
        .args(argv)
        .output()
        .expect("setpriv runs (util-linux)")
}

/// Like `as_nobody`, which must succeed.
pub fn as_nobody_ok(argv: &[&str]) {
    let out = as_nobody(argv);
    assert!(out.status.success(), "as nobody {argv:?}: {out:?}");
}

pub fn chown_nobody(p: &Path) {
    let st = Command::new("chown")
        .args(["nobody:nogroup"])
        .arg(p)
        .status()
        .unwrap();
    assert!(st.success());
}

/// A tmpfs of `size` (mount's syntax, `256k`) at `dir`, unmounted on drop.
pub struct Tmpfs<'a>(pub &'a Path);

impl<'a> Tmpfs<'a> {
    pub fn mount(dir: &'a Path, size: &str) -> Tmpfs<'a> {
        let st = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(dir)
            .status()
            .expect("mount runs");
        assert!(st.success(), "mount tmpfs at {}", dir.display());
        Tmpfs(dir)
    }
}

impl Drop for Tmpfs<'_> {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0).status();
    }
}

/// Processes (other than this one) whose environment holds `KEY=value`.
pub fn processes_with_env(entry: &str) -> Vec<u32> {
    let me = std::process::id();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != me)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .map(|c| c.split(|b| *b == 0).any(|v| v == entry.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}
