//! The simulated lab's node02 behind a real sshd: node01 and the cluster on the lab
//! (tests/join_support), the bed's StepCx running the lab's tools but ssh and scp, which
//! are the real ones from the client's namespace; sshd's sessions in node02's namespace
//! run as the lab's node02 (sshd_config `SetEnv`: its stand-ins first on PATH, its files
//! as the node's root, the lab's node home bind-mounted on the login home).

use super::node_user::NodeUser;
use super::{NODE_IP, Sshd, keygen, keyscan, link, skip, start_sshd, start_sshd_on, wrappers};
use crate::detect_support::Netns;
use crate::join_support;
use crate::steps_bed::Bed;
use std::path::{Path, PathBuf};

/// How node02 is reached and what its namespace holds.
pub struct Node<'a> {
    pub version: &'a str,
    pub faults: &'a [&'a str],
    /// sshd with an sftp subsystem; without one, OpenSSH 9's scp falls back to `-O`.
    pub sftp: bool,
    /// node02's role in the answers.
    pub role: &'a str,
    /// A login user instead of root (nodes[].ssh.user), made for the test (NodeUser, this
    /// tag in its name), with no sudoers entry yet.
    pub user: Option<&'a str>,
    /// Shell commands run in sshd's mount namespace once the node's home is its /root.
    pub mounts: &'a str,
}

impl Default for Node<'_> {
    fn default() -> Self {
        Node {
            version: "v1.19.0",
            faults: &[],
            sftp: true,
            role: "worker",
            user: None,
            mounts: "true",
        }
    }
}

pub struct OverSsh {
    pub bed: Bed,
    pub client: Netns,
    pub sshd: Sshd,
    pub user: Option<NodeUser>,
    _node: Netns,
    _keys: tempfile::TempDir,
}

/// Symlinks in `bin` to the lab's stand-ins, but those named in `but`.
fn link_lab_tools(lab: &Path, bin: &Path, but: &[&str]) {
    for e in std::fs::read_dir(lab.join("bin")).unwrap().flatten() {
        let name = e.file_name();
        if !but.iter().any(|b| name == *b) {
            std::os::unix::fs::symlink(e.path(), bin.join(&name)).unwrap();
        }
    }
}

/// The lab's `host` as sshd's sessions see it: its files under the lab, its login home,
/// and the sshd_config lines that make a session run as that host.
pub struct LabHost {
    /// DIR/hosts/NAME/root: the node's files (sim::state::host_root).
    pub root: PathBuf,
    /// Its /root, bind-mounted on the login home by `mount_home`.
    pub home: PathBuf,
    /// `SetEnv` for the sessions.
    pub env: String,
}

/// The lab's `host` behind a real sshd, its PATH `node_bin` made there: the lab's
/// stand-ins but those named in `but` (scp -O runs `scp -t` on the node, which must be the
/// real one, and so must ssh).
pub fn lab_host(lab: &Path, host: &str, node_bin: &Path, but: &[&str]) -> LabHost {
    let root = lab.join("hosts").join(host).join("root");
    let home = root.join("root");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(node_bin).unwrap();
    link_lab_tools(lab, node_bin, but);
    // sshd gives its sessions a fresh environment; SetEnv (OpenSSH 7.8+) is applied last,
    // over the PATH sshd sets itself (session.c, do_setup_env), and the lab's tools pick
    // the host and the lab from the environment.
    let env = format!(
        "SetEnv PATH={b}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin DSINSTALL_SIM={l} DSINSTALL_SIM_HOST={host} DSINSTALL_HOST_ROOT={r}\n",
        b = node_bin.display(),
        l = lab.display(),
        r = root.display()
    );
    LabHost { root, home, env }
}

impl LabHost {
    /// The shell command, run in sshd's mount namespace, that makes the node's home root's
    /// /root there.
    pub fn mount_home(&self) -> String {
        format!("mount --bind {} /root", self.home.display())
    }
}

/// sshd for the lab's `host` in `ns`, listening on `listen`, root let in with the public
/// key `authorized` (with an sftp subsystem), its keys, config, PATH and log in `dir`.
pub fn lab_sshd(
    ns: &Netns,
    lab: &Path,
    host: &str,
    listen: &[&str],
    dir: &Path,
    authorized: &Path,
) -> Sshd {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(authorized, dir.join("authorized_keys")).unwrap();
    let h = lab_host(lab, host, &dir.join("node-bin"), &["ssh", "scp"]);
    start_sshd_on(
        ns,
        dir,
        listen,
        &h.mount_home(),
        &format!("{}Subsystem sftp internal-sftp\n", h.env),
    )
}

/// A bin directory in `dir` for a dsinstall run on the lab's first node that reaches the
/// others over the real OpenSSH: /usr/bin/ssh and scp, the lab's stand-ins for the rest.
/// dsinstall finds both on PATH (host::tools::locate), as it does kubeadm.
pub fn real_ssh_tools(lab: &Path, dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["ssh", "scp"] {
        std::os::unix::fs::symlink(Path::new("/usr/bin").join(tool), bin.join(tool)).unwrap();
    }
    link_lab_tools(lab, &bin, &["ssh", "scp"]);
    bin
}

/// node02 as `n` says behind a real sshd, the answers `edit`ed, or None (skipped).
pub fn over_openssh(n: Node, edit: impl Fn(String) -> String) -> Option<OverSsh> {
    let (client, node) = link()?;
    if n.user.is_some() && !Path::new("/usr/bin/sudo").exists() {
        skip("needs sudo (apt install sudo)");
        return None;
    }
    let login = n.user.map(NodeUser::new);
    let keys = tempfile::tempdir().unwrap();
    let k = keys.path();
    keygen(&k.join("id"));
    std::fs::copy(k.join("id.pub"), k.join("authorized_keys")).unwrap();
    let known = k.join("known_hosts");
    // The answers name the address the client reaches (and the user), the role, the test's
    // key and known_hosts.
    let user = login
        .as_ref()
        .map(|u| format!(", user: {}", u.name))
        .unwrap_or_default();
    let bed = join_support::bed(n.version, n.faults, |t| {
        let t = edit(t).replace(
            "{name: node02, ipv4: 111.111.111.122, ipv6: 2018::22, role: worker}",
            &format!(
                "{{name: node02, ipv4: 111.111.111.122, ipv6: 2018::22, role: {}, ssh: {{host: {NODE_IP}{user}}}}}",
                n.role
            ),
        );
        format!(
            "{t}ssh:\n  identityFile: {}\n  knownHosts: {}\n",
            k.join("id").display(),
            known.display()
        )
    });
    let lab = bed.lab.path().to_path_buf();
    // The node's PATH: the lab's stand-ins but its ssh and scp, and with a login user the
    // real sudo.
    let but: &[&str] = if login.is_some() {
        &["ssh", "scp", "sudo"]
    } else {
        &["ssh", "scp"]
    };
    let host = lab_host(&lab, "node02", &k.join("node-bin"), but);
    let home = host.home.clone();
    let mut env = host.env.clone();
    if n.sftp {
        env.push_str("Subsystem sftp internal-sftp\n");
    }
    // The home is root's /root; a login user's too, as its own home (sudo's commands run
    // with root's HOME).
    let mut mounts = host.mount_home();
    if let Some(u) = &login {
        mounts.push_str(&format!(" && {}", u.mounts(&home)));
        std::os::unix::fs::chown(&home, Some(u.uid), Some(u.gid)).unwrap();
        // sshd reads authorized_keys as the user (auth2-pubkey.c, temporarily_use_uid):
        // the key directory must let it through.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(k, std::fs::Permissions::from_mode(0o711)).unwrap();
    }
    mounts.push_str(&format!(" && {}", n.mounts));
    let sshd = start_sshd(&node, k, &mounts, &env);
    std::fs::write(&known, keyscan(&client)).unwrap();
    // The StepCx's tools: the real ssh and scp, the lab's stand-ins for the rest.
    let bin = wrappers(k, &client);
    link_lab_tools(&lab, &bin, &["ssh", "scp"]);
    let mut bed = bed;
    bed.cx.bin = bin;
    Some(OverSsh {
        bed,
        client,
        sshd,
        user: login,
        _node: node,
        _keys: keys,
    })
}

impl Drop for OverSsh {
    /// A failed test shows what sshd said.
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("sshd.log:\n{}", self.sshd.log());
        }
    }
}

impl OverSsh {
    /// The step's ssh and scp calls went to the real OpenSSH (the wrappers), none to the
    /// lab's stand-ins.
    pub fn assert_real_ssh(&self) {
        let cx = &self.bed.cx;
        let real = [cx.bin.join("ssh"), cx.bin.join("scp")].map(|p| p.display().to_string());
        let lab = self.bed.lab.path().join("bin");
        let stand_ins = [lab.join("ssh"), lab.join("scp")].map(|p| p.display().to_string());
        let calls = cx
            .commands
            .iter()
            .filter(|c| real.iter().any(|r| c.contains(r.as_str())))
            .count();
        assert!(calls > 3, "{:?}", cx.commands);
        for c in &cx.commands {
            assert!(!stand_ins.iter().any(|s| c.contains(s.as_str())), "{c}");
        }
    }
}
