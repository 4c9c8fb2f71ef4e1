//! A login user of the node other than root, made by the real `useradd` and let in by the
//! real `sudo` — in the node's namespace only. The machine's /etc is shared with every
//! other test and build on it, so nothing is written there: `useradd --prefix` (shadow
//! 4.6+) writes the user into private copies of passwd, group, shadow and gshadow, and
//! sshd's private mount namespace bind-mounts those copies and a private sudoers.d over
//! the machine's. The user vanishes with this value's directory, even when a test is
//! killed, and no other process ever sees it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files `useradd --prefix` reads or writes under the prefix (login.defs and
/// default/useradd for its defaults; subuid and subgid it may extend).
const COPIED: [&str; 8] = [
    "passwd",
    "group",
    "shadow",
    "gshadow",
    "login.defs",
    "default/useradd",
    "subuid",
    "subgid",
];
/// The copies mounted over the machine's for sshd and sudo (getpwnam, getspnam,
/// initgroups).
const MOUNTED: [&str; 4] = ["passwd", "group", "shadow", "gshadow"];

pub struct NodeUser {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    prefix: tempfile::TempDir,
}

impl NodeUser {
    /// A user named `dsi<pid><tag>`, its home `/home/NAME` (sshd's namespace gives it one),
    /// its shell /bin/sh, and no sudoers entry yet.
    pub fn new(tag: &str) -> NodeUser {
        let prefix = tempfile::tempdir().unwrap();
        let etc = prefix.path().join("etc");
        std::fs::create_dir_all(etc.join("default")).unwrap();
        std::fs::create_dir_all(etc.join("sudoers.d")).unwrap();
        for f in COPIED {
            let from = Path::new("/etc").join(f);
            if from.exists() {
                let o = Command::new("cp")
                    .arg("-p")
                    .arg(&from)
                    .arg(etc.join(f))
                    .output()
                    .unwrap();
                assert!(o.status.success(), "cp {}: {o:?}", from.display());
            }
        }
        let name = format!("dsi{}{tag}", std::process::id());
        // `-p '*'`: a password that matches nothing, not the `!` useradd leaves by default.
        // sshd without PAM refuses a locked account, one whose password field starts with
        // `!` (OpenSSH auth.c, allowed_user; platform_locked_account), key or not.
        let o = Command::new("useradd")
            .arg("--prefix")
            .arg(prefix.path())
            .args(["-M", "-s", "/bin/sh", "-p", "*", "-d"])
            .arg(format!("/home/{name}"))
            .arg(&name)
            .output()
            .unwrap();
        assert!(o.status.success(), "useradd: {o:?}");
        let passwd = std::fs::read_to_string(etc.join("passwd")).unwrap();
        let entry: Vec<&str> = passwd
            .lines()
            .find(|l| l.starts_with(&format!("{name}:")))
            .unwrap()
            .split(':')
            .collect();
        NodeUser {
            uid: entry[2].parse().unwrap(),
            gid: entry[3].parse().unwrap(),
            name,
            prefix,
        }
    }

    fn etc(&self) -> PathBuf {
        self.prefix.path().join("etc")
    }

    /// The shell commands, run in sshd's mount namespace, that give it this user: the
    /// private copies over the machine's, its home (`home`, on a tmpfs /home), and a
    /// private /run/sudo, so sudo's timestamps stay out of the machine's.
    pub fn mounts(&self, home: &Path) -> String {
        let etc = self.etc();
        let mut s: Vec<String> = MOUNTED
            .iter()
            .map(|f| format!("mount --bind {}/{f} /etc/{f}", etc.display()))
            .collect();
        s.push(format!(
            "mount --bind {}/sudoers.d /etc/sudoers.d",
            etc.display()
        ));
        s.push("mount -t tmpfs -o mode=0755 tmpfs /home".into());
        s.push(format!("mkdir /home/{}", self.name));
        s.push(format!(
            "mount --bind {} /home/{}",
            home.display(),
            self.name
        ));
        s.push("mkdir -p /run/sudo && mount -t tmpfs -o mode=0711 tmpfs /run/sudo".into());
        s.join(" && ")
    }

    /// The user's sudoers entry (a drop-in, 0440 as sudo wants it): every command as root,
    /// with a password unless `nopasswd`. Takes effect at the next sudo: sudo reads its
    /// policy afresh each time.
    ///
    /// The lab's stand-ins on the node find the lab through DSINSTALL_SIM* and PATH, which
    /// Debian's sudoers would drop (env_reset keeps PATH, but secure_path then replaces it):
    /// kept for this user only. A real node's kubeadm is on secure_path and needs neither.
    pub fn allow_sudo(&self, nopasswd: bool) {
        let u = &self.name;
        let tag = if nopasswd { "NOPASSWD: " } else { "" };
        let text = format!(
            "Defaults:{u} !secure_path, !lecture, env_keep += \"DSINSTALL_SIM DSINSTALL_SIM_HOST DSINSTALL_HOST_ROOT\"\n{u} ALL=(ALL) {tag}ALL\n"
        );
        let dir = self.etc().join("sudoers.d");
        let new = dir.join(".dsinstall-test.new");
        std::fs::write(&new, text).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&new, std::fs::Permissions::from_mode(0o440)).unwrap();
        // A rename: sudo never reads half a file. (It skips names with a dot, the new one.)
        std::fs::rename(&new, dir.join("dsinstall-test")).unwrap();
    }
}
