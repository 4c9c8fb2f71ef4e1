//! The real OpenSSH between two network namespaces (tests/join_openssh.rs): a client
//! namespace and a node namespace joined by a veth pair, sshd in the node's (in a private
//! mount namespace, so what it mounts for its sessions stays there), the client's ssh and
//! scp run inside the client's through wrapper scripts that a test StepCx names as its
//! tools.
//!
//! Needs root, `ip netns`, `unshare` and OpenSSH's sshd (`apt install openssh-server`);
//! skipped otherwise, unless DSINSTALL_REQUIRE_SSHD=1.

#![allow(dead_code)]

pub mod lab_node;
pub mod node_user;

use crate::detect_support::Netns;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SSHD: &str = "/usr/sbin/sshd";
pub const NODE_IP: &str = "10.99.0.2";

pub fn skip(why: &str) -> bool {
    assert!(
        !std::env::var("DSINSTALL_REQUIRE_SSHD").is_ok_and(|v| v == "1"),
        "DSINSTALL_REQUIRE_SSHD=1 but {why}"
    );
    eprintln!("SKIPPED: the real-OpenSSH test {why}");
    true
}

/// The client's and the node's namespaces joined by a veth pair (c0 in the client's,
/// 10.99.0.1; n0 in the node's, NODE_IP), or None (skipped) without root, OpenSSH or netns.
pub fn link() -> Option<(Netns, Netns)> {
    if !available() {
        return None;
    }
    let (Some(client), Some(node)) = (Netns::new("sshc"), Netns::new("sshn")) else {
        return None;
    };
    client.ip(&[
        "link", "add", "c0", "type", "veth", "peer", "name", "n0", "netns", &node.name,
    ]);
    client.ip(&["addr", "add", "10.99.0.1/24", "dev", "c0"]);
    client.ip(&["link", "set", "c0", "up"]);
    node.ip(&["addr", "add", &format!("{NODE_IP}/24"), "dev", "n0"]);
    node.ip(&["link", "set", "n0", "up"]);
    Some((client, node))
}

/// Whether the real-OpenSSH tests can run here: root, OpenSSH's ssh and sshd; false
/// (skipped, saying why) otherwise.
pub fn available() -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return !skip("needs root");
    }
    if !Path::new(SSHD).exists() || !Path::new("/usr/bin/ssh").exists() {
        return !skip("needs OpenSSH's ssh and sshd");
    }
    true
}

/// sshd in the node's namespace, killed (by its own pid) when dropped.
pub struct Sshd {
    child: Child,
    netns: String,
    script: String,
    log: PathBuf,
}

impl Drop for Sshd {
    /// The listener, and the sessions still open: a session's sshd outlives the listener,
    /// and with it the node's commands (a test that failed mid-join).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.kill_now();
    }
}

pub fn keygen(path: &Path) {
    let o = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .output()
        .unwrap();
    assert!(o.status.success(), "ssh-keygen: {o:?}");
}

/// sshd for `node` with its keys and config in `dir`, `extra` added to its config, in a
/// private mount namespace where `home` (a shell command) has given root's /root first.
pub fn start_sshd(node: &Netns, dir: &Path, home: &str, extra: &str) -> Sshd {
    start_sshd_on(node, dir, &[NODE_IP], home, extra)
}

/// `start_sshd` listening on each address of `listen` (each must be on the node already,
/// an IPv6 one past DAD: sshd binds them at its start).
pub fn start_sshd_on(node: &Netns, dir: &Path, listen: &[&str], home: &str, extra: &str) -> Sshd {
    keygen(&dir.join("host_key"));
    let conf = dir.join("sshd_config");
    let listen: String = listen
        .iter()
        .map(|a| format!("ListenAddress {a}\n"))
        .collect();
    std::fs::write(
        &conf,
        format!(
            "Port 22\n{listen}HostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\nPidFile {d}/sshd.pid\nStrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n{extra}",
            d = dir.display()
        ),
    )
    .unwrap();
    let script = format!(
        "mkdir -p /run/sshd && {home} && exec {SSHD} -D -e -f {}",
        conf.display()
    );
    let log = dir.join("sshd.log");
    let child = spawn_sshd(&node.name, &script, &log);
    Sshd {
        child,
        netns: node.name.clone(),
        script,
        log,
    }
}

/// The listening sshd: `script` in a new private mount namespace of `netns`, its output
/// appended to `log`.
fn spawn_sshd(netns: &str, script: &str, log: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new("ip")
        .args([
            "netns",
            "exec",
            netns,
            "unshare",
            "-m",
            "--propagation",
            "private",
        ])
        .args(["sh", "-c", script])
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap()
}

impl Sshd {
    /// Every sshd process of the node's namespace, SIGKILLed: the listener and each
    /// session's. OpenSSH 9.8 and later run a session as `sshd-session` (and its
    /// authentication as `sshd-auth` from 10.0); before, as a forked `sshd`. Returns once
    /// none is left, with how many there were.
    pub fn kill_all(&mut self) -> usize {
        let killed = self.kill_now();
        let _ = self.child.wait();
        let until = Instant::now() + Duration::from_secs(20);
        while !sshd_pids(&self.netns).is_empty() {
            assert!(Instant::now() < until, "sshd outlived SIGKILL");
            std::thread::sleep(Duration::from_millis(50));
        }
        killed.len()
    }

    /// SIGKILL to every sshd process of the node's namespace, without waiting: the pids.
    fn kill_now(&self) -> Vec<i32> {
        let killed = sshd_pids(&self.netns);
        for p in &killed {
            // SAFETY: kill has no memory preconditions; the pid is one of sshd's in our
            // namespace, read just now.
            unsafe { libc::kill(*p, libc::SIGKILL) };
        }
        killed
    }

    /// sshd started again as it was first (the same keys, config and mounts).
    pub fn restart(&mut self) {
        self.child = spawn_sshd(&self.netns, &self.script, &self.log);
    }

    /// What sshd logged (-e: to its stderr), for a failed test.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// The pids of the live sshd processes in `netns` (zombies left for init to reap are gone).
fn sshd_pids(netns: &str) -> Vec<i32> {
    let o = Command::new("ip")
        .args(["netns", "pids", netns])
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .filter_map(|p| p.parse::<i32>().ok())
        .filter(|p| {
            let status = std::fs::read_to_string(format!("/proc/{p}/status")).unwrap_or_default();
            let field = |k: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(k))
                    .map(str::trim)
                    .unwrap_or("")
                    .to_string()
            };
            field("Name:").starts_with("sshd") && !field("State:").starts_with('Z')
        })
        .collect()
}

/// `ssh` and `scp` that run inside the client's namespace.
pub fn wrappers(dir: &Path, client: &Netns) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["ssh", "scp"] {
        let p = bin.join(tool);
        std::fs::write(
            &p,
            format!(
                "#!/bin/sh\nexec ip netns exec {} /usr/bin/{tool} \"$@\"\n",
                client.name
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

/// The node's host keys as ssh-keyscan sees them from the client, once sshd answers.
pub fn keyscan(client: &Netns) -> String {
    keyscan_of(client, NODE_IP)
}

/// The host keys of sshd at `host` (port 22) as ssh-keyscan sees them from `client`, once
/// sshd answers: known_hosts lines naming `host` as typed, which is how ssh looks it up.
pub fn keyscan_of(client: &Netns, host: &str) -> String {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let o = client.exec(
            Path::new("/usr/bin/ssh-keyscan"),
            &["-T", "2", "-p", "22", host],
        );
        let keys = String::from_utf8_lossy(&o.stdout).into_owned();
        if !keys.trim().is_empty() {
            return keys;
        }
        assert!(Instant::now() < until, "sshd never answered: {o:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Whether `dir` holds a socket (the ControlMaster's).
pub fn has_socket(dir: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::read_dir(dir).is_ok_and(|d| {
        d.flatten()
            .any(|e| e.file_type().is_ok_and(|t| t.is_socket()))
    })
}
