//! A joining node's host settings, made to last as on node01 (host.swap, host.modules,
//! host.sysctl): the rendered sysctl and modules files installed under /etc/sysctl.d and
//! /etc/modules-load.d, /etc/fstab's swap lines commented out (with consent, as on node01),
//! then applied now (swapoff, modprobe, `sysctl -p`). A reboot keeps IP forwarding and the
//! bridge keys; without them pod traffic stops after the node's first restart.
//!
//! Before a file is first changed, what was there is kept on the node itself, under
//! /var/lib/dsinstall/node-backups (0700): a copy, or a marker that the file did not exist.
//! `restore_script` (reset --node / --all) puts each file back or removes the one dsinstall
//! created. The scripts run as root there (remote.rs adds `sudo -n` for other users).
//!
//! File operations go under `$DSINSTALL_HOST_ROOT` when it is set: the node's own `--root`.
//! The simulated lab's ssh sets it to the node's files; on a real node it is unset (and
//! `sudo` would clear it anyway), so the paths are the node's own.

use crate::run::remote::quote;

/// The files on the node, what the login home's copy is called, and whether consent is
/// needed to change it.
pub const SYSCTL_TARGET: &str = "/etc/sysctl.d/kubernetes.conf";
pub const MODULES_TARGET: &str = "/etc/modules-load.d/kubernetes.conf";
pub const FSTAB: &str = "/etc/fstab";
/// Where the node keeps what was there before.
pub const BACKUPS: &str = "/var/lib/dsinstall/node-backups";

/// Every file a join may change, in the order they are restored.
const CHANGED: [&str; 3] = [SYSCTL_TARGET, MODULES_TARGET, FSTAB];

/// The line a prepare prints when it left /etc/fstab alone for want of consent.
pub const FSTAB_LEFT: &str = "dsinstall: /etc/fstab turns swap on at boot; left alone without consent (--yes): comment its swap lines out before a reboot";

/// The shell prelude: the root prefix and `keep FILE` (the first time only: a copy of FILE,
/// or a marker that it did not exist) and `put SRC FILE` (SRC installed as FILE, 0644, by a
/// rename in FILE's directory so a crash leaves the old or the new file whole).
fn prelude() -> String {
    format!(
        r#"R="${{DSINSTALL_HOST_ROOT:-}}"
B="$R{BACKUPS}"
umask 077
mkdir -p "$B" || exit 1
chmod 700 "$R/var/lib/dsinstall" "$B" || exit 1
keep() {{ n=$(printf %s "$1" | tr / _); if [ -e "$B/$n" ] || [ -e "$B/$n.created" ]; then return 0; fi; if [ -f "$R$1" ]; then cp -p "$R$1" "$B/$n.new" && mv -f "$B/$n.new" "$B/$n" || exit 1; else : > "$B/$n.created" || exit 1; fi; }}
put() {{ if [ -d "$R$2" ]; then echo "dsinstall: cannot write $2: a directory is in the way"; exit 1; fi; keep "$2"; d=$(dirname "$R$2"); [ -d "$d" ] || {{ mkdir -p "$d" && chmod 755 "$d"; }} || exit 1; cp "$1" "$R$2.dsinstall-new" && chmod 644 "$R$2.dsinstall-new" && mv -f "$R$2.dsinstall-new" "$R$2" || {{ rm -f "$R$2.dsinstall-new"; echo "dsinstall: cannot write $2"; exit 1; }}; }}
"#
    )
}

/// An awk program: whether a line mounts swap (third field), not commented out — the rule
/// of host.swap's `is_swap_line`.
const SWAP_LINE: &str = r#"$0 !~ /^[[:space:]]*#/ && $3 == "swap""#;

/// The script that prepares the node: `sysctl` and `modules` are the login-home paths of
/// the rendered files (already copied there), `modules_list` the modules to load now.
pub fn prepare_script(
    sysctl: &str,
    modules: &str,
    modules_list: &[String],
    consent: bool,
) -> String {
    let mut s = prelude();
    s.push_str("swapoff -a || exit 1\n");
    s.push_str(&format!("put {} {MODULES_TARGET}\n", quote(modules)));
    s.push_str(&format!("put {} {SYSCTL_TARGET}\n", quote(sysctl)));
    let has_swap = format!(
        "[ -f \"$R{FSTAB}\" ] && awk '{SWAP_LINE} {{ f = 1 }} END {{ exit !f }}' \"$R{FSTAB}\""
    );
    if consent {
        s.push_str(&format!(
            "if {has_swap}; then keep {FSTAB}; awk '{{ if ({SWAP_LINE}) print \"# \" $0 \"  # swap off for the kubelet (dsinstall)\"; else print }}' \"$R{FSTAB}\" > \"$R{FSTAB}.dsinstall-new\" && chmod 644 \"$R{FSTAB}.dsinstall-new\" && mv -f \"$R{FSTAB}.dsinstall-new\" \"$R{FSTAB}\" || {{ rm -f \"$R{FSTAB}.dsinstall-new\"; echo 'dsinstall: cannot write {FSTAB}'; exit 1; }}; echo 'dsinstall: commented out the swap lines of {FSTAB}'; fi\n"
        ));
    } else {
        s.push_str(&format!("if {has_swap}; then echo '{FSTAB_LEFT}'; fi\n"));
    }
    for m in modules_list {
        s.push_str(&format!("modprobe {} || exit 1\n", quote(m)));
    }
    // The installed file, by its node path: the node's sysctl reads its own /etc.
    s.push_str(&format!("sysctl -q -p {SYSCTL_TARGET}\n"));
    s
}

/// The script that puts back what `prepare_script` changed: each kept copy restored, each
/// file dsinstall created removed, the backups gone once restored.
pub fn restore_script() -> String {
    let mut s =
        format!("R=\"${{DSINSTALL_HOST_ROOT:-}}\"\nB=\"$R{BACKUPS}\"\n[ -d \"$B\" ] || exit 0\n");
    for f in CHANGED {
        s.push_str(&format!(
            "n=$(printf %s {f} | tr / _); if [ -f \"$B/$n\" ]; then cp -p \"$B/$n\" \"$R{f}\" && rm -f \"$B/$n\" && echo 'dsinstall: restored {f}' || exit 1; elif [ -e \"$B/$n.created\" ]; then rm -f \"$R{f}\" \"$B/$n.created\" && echo 'dsinstall: removed {f}' || exit 1; fi\n"
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    fn sh(root: &Path, home: &Path, script: &str) -> (bool, String) {
        // swapoff, modprobe and sysctl stand in as no-ops: only the files are under test.
        let bin = home.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for t in ["swapoff", "modprobe", "sysctl"] {
            let p = bin.join(t);
            std::fs::write(&p, "#!/bin/sh\nexit 0\n").unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
        let o = Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .current_dir(home)
            .env("PATH", path)
            .env("DSINSTALL_HOST_ROOT", root)
            .output()
            .unwrap();
        (
            o.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )
    }

    fn read(root: &Path, p: &str) -> Option<String> {
        std::fs::read_to_string(root.join(p.trim_start_matches('/'))).ok()
    }

    #[test]
    fn installs_for_good_keeps_the_old_files_and_restores_them() {
        let t = tempfile::tempdir().unwrap();
        let (root, home) = (t.path().join("root"), t.path().join("home"));
        std::fs::create_dir_all(root.join("etc/sysctl.d")).unwrap();
        std::fs::create_dir_all(home.join("dsinstall")).unwrap();
        let fstab = "/dev/mapper/centos-root / xfs defaults 0 0\n/dev/mapper/centos-swap swap swap defaults 0 0\n";
        std::fs::write(root.join("etc/fstab"), fstab).unwrap();
        std::fs::write(
            root.join("etc/sysctl.d/kubernetes.conf"),
            "vm.swappiness = 0\n",
        )
        .unwrap();
        std::fs::write(home.join("dsinstall/s.conf"), "net.ipv4.ip_forward = 1\n").unwrap();
        std::fs::write(home.join("dsinstall/m.conf"), "br_netfilter\n").unwrap();
        let script = prepare_script(
            "dsinstall/s.conf",
            "dsinstall/m.conf",
            &["br_netfilter".into()],
            true,
        );
        let (ok, out) = sh(&root, &home, &script);
        assert!(ok, "{out}");
        assert_eq!(
            read(&root, SYSCTL_TARGET).as_deref(),
            Some("net.ipv4.ip_forward = 1\n")
        );
        assert_eq!(
            read(&root, MODULES_TARGET).as_deref(),
            Some("br_netfilter\n")
        );
        let new_fstab = read(&root, FSTAB).unwrap();
        assert!(
            new_fstab.contains("# /dev/mapper/centos-swap swap swap"),
            "{new_fstab}"
        );
        assert!(new_fstab.starts_with("/dev/mapper/centos-root / xfs"));
        // The same as host.swap's edit, byte for byte.
        assert_eq!(
            Some(new_fstab.clone()),
            super::super::swap::without_swap(fstab)
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&root.join(BACKUPS.trim_start_matches('/'))), 0o700);
        assert_eq!(mode(&root.join("etc/sysctl.d/kubernetes.conf")), 0o644);
        // A second prepare (a retried join) keeps the first backups, not its own files.
        let (ok, out) = sh(&root, &home, &script);
        assert!(ok, "{out}");
        let (ok, out) = sh(&root, &home, &restore_script());
        assert!(ok, "{out}");
        assert_eq!(read(&root, FSTAB).as_deref(), Some(fstab));
        assert_eq!(
            read(&root, SYSCTL_TARGET).as_deref(),
            Some("vm.swappiness = 0\n")
        );
        assert_eq!(
            read(&root, MODULES_TARGET),
            None,
            "created by dsinstall: removed"
        );
        let left: Vec<_> = std::fs::read_dir(root.join(BACKUPS.trim_start_matches('/')))
            .unwrap()
            .collect();
        assert!(left.is_empty(), "{left:?}");
        // Nothing to restore is not an error.
        let (ok, out) = sh(&root, &home, &restore_script());
        assert!(ok, "{out}");
    }

    #[test]
    fn without_consent_fstab_is_left_alone_and_said() {
        let t = tempfile::tempdir().unwrap();
        let (root, home) = (t.path().join("root"), t.path().join("home"));
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::create_dir_all(home.join("dsinstall")).unwrap();
        let fstab = "/dev/sdb none swap sw 0 0\n";
        std::fs::write(root.join("etc/fstab"), fstab).unwrap();
        std::fs::write(home.join("dsinstall/s.conf"), "a = 1\n").unwrap();
        std::fs::write(home.join("dsinstall/m.conf"), "overlay\n").unwrap();
        let script = prepare_script("dsinstall/s.conf", "dsinstall/m.conf", &[], false);
        let (ok, out) = sh(&root, &home, &script);
        assert!(ok, "{out}");
        assert!(out.contains(FSTAB_LEFT), "{out}");
        assert_eq!(read(&root, FSTAB).as_deref(), Some(fstab));
    }

    #[test]
    fn an_unwritable_target_fails_with_its_name() {
        let t = tempfile::tempdir().unwrap();
        let (root, home) = (t.path().join("root"), t.path().join("home"));
        // A directory where the sysctl file goes: the rename cannot replace it.
        std::fs::create_dir_all(root.join("etc/sysctl.d/kubernetes.conf/x")).unwrap();
        std::fs::create_dir_all(home.join("dsinstall")).unwrap();
        std::fs::write(home.join("dsinstall/s.conf"), "a = 1\n").unwrap();
        std::fs::write(home.join("dsinstall/m.conf"), "overlay\n").unwrap();
        let script = prepare_script("dsinstall/s.conf", "dsinstall/m.conf", &[], true);
        let (ok, out) = sh(&root, &home, &script);
        assert!(!ok);
        assert!(
            out.contains("dsinstall: cannot write /etc/sysctl.d/kubernetes.conf"),
            "{out}"
        );
        assert!(
            !root
                .join("etc/sysctl.d/kubernetes.conf.dsinstall-new")
                .exists()
        );
    }
}
