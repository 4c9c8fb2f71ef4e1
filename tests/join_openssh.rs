//! run::remote against the real OpenSSH: a client namespace and a node namespace joined by
//! a veth pair, sshd running in the node's (with its own /root on a tmpfs, so nothing lands
//! in this machine's), the client's ssh and scp run inside the client's through wrapper
//! scripts that the test StepCx names as its tools. Measured: an unknown host key is
//! refused with OpenSSH's own words and explained; once the key is known, calls go through
//! one ControlMaster socket; a copy arrives 0600 in a 0700 directory; a link taken down
//! fails calls as a link failure (not a refusal), a detached command goes on meanwhile,
//! and calls work again once the link is back.
//!
//! Needs root, `ip netns`, `unshare` and OpenSSH's sshd (`apt install openssh-server`);
//! skipped otherwise, unless DSINSTALL_REQUIRE_SSHD=1.

mod detect_support;
mod steps_support;

use detect_support::Netns;
use dsinstall::run::remote::{Remote, Target};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use steps_support::TestCx;

const SSHD: &str = "/usr/sbin/sshd";
const NODE_IP: &str = "10.99.0.2";

fn skip(why: &str) -> bool {
    assert!(
        !std::env::var("DSINSTALL_REQUIRE_SSHD").is_ok_and(|v| v == "1"),
        "DSINSTALL_REQUIRE_SSHD=1 but {why}"
    );
    eprintln!("SKIPPED: the real-OpenSSH test {why}");
    true
}

/// sshd in the node's namespace, killed (by its own pid) when dropped.
struct Sshd {
    child: Child,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(path: &Path) {
    let o = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .output()
        .unwrap();
    assert!(o.status.success(), "ssh-keygen: {o:?}");
}

fn start_sshd(node: &Netns, dir: &Path) -> Sshd {
    keygen(&dir.join("host_key"));
    let conf = dir.join("sshd_config");
    std::fs::write(
        &conf,
        format!(
            "Port 22\nListenAddress {NODE_IP}\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\nPidFile {d}/sshd.pid\nStrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n",
            d = dir.display()
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.join("sshd.log")).unwrap();
    // A private mount namespace with /root on a tmpfs: the node's home is its own.
    let script = format!(
        "mkdir -p /run/sshd && mount -t tmpfs -o mode=0700 tmpfs /root && exec {SSHD} -D -e -f {}",
        conf.display()
    );
    let child = Command::new("ip")
        .args([
            "netns",
            "exec",
            &node.name,
            "unshare",
            "-m",
            "--propagation",
            "private",
        ])
        .args(["sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    Sshd { child }
}

/// `ssh` and `scp` that run inside the client's namespace.
fn wrappers(dir: &Path, client: &Netns) -> PathBuf {
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
fn keyscan(client: &Netns) -> String {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let o = client.exec(
            Path::new("/usr/bin/ssh-keyscan"),
            &["-T", "2", "-p", "22", NODE_IP],
        );
        let keys = String::from_utf8_lossy(&o.stdout).into_owned();
        if !keys.trim().is_empty() {
            return keys;
        }
        assert!(Instant::now() < until, "sshd never answered: {o:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Retry `script` until it succeeds, at most `secs`.
fn until_ok(r: &Remote, cx: &mut TestCx, script: &str, secs: u64) -> Vec<String> {
    let until = Instant::now() + Duration::from_secs(secs);
    loop {
        let ran = r.run(cx, script, "test").unwrap();
        if ran.ok() {
            return ran.lines;
        }
        assert!(
            Instant::now() < until,
            "{script} never succeeded: {:?}",
            ran.lines
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn remote_calls_over_real_openssh_check_keys_reuse_a_socket_and_survive_a_dropped_link() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        skip("needs root");
        return;
    }
    if !Path::new(SSHD).exists() || !Path::new("/usr/bin/ssh").exists() {
        skip("needs OpenSSH's ssh and sshd");
        return;
    }
    let (Some(client), Some(node)) = (Netns::new("sshc"), Netns::new("sshn")) else {
        return;
    };
    client.ip(&[
        "link", "add", "c0", "type", "veth", "peer", "name", "n0", "netns", &node.name,
    ]);
    client.ip(&["addr", "add", "10.99.0.1/24", "dev", "c0"]);
    client.ip(&["link", "set", "c0", "up"]);
    node.ip(&["addr", "add", &format!("{NODE_IP}/24"), "dev", "n0"]);
    node.ip(&["link", "set", "n0", "up"]);

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    keygen(&dir.join("id"));
    std::fs::copy(dir.join("id.pub"), dir.join("authorized_keys")).unwrap();
    let _sshd = start_sshd(&node, dir);
    let known = dir.join("known_hosts");
    std::fs::write(&known, "").unwrap();
    let bin = wrappers(dir, &client);
    for d in ["root", "rendered", "backups"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    let mut cx = TestCx::new(
        &dir.join("root"),
        &dir.join("rendered"),
        &bin,
        &dir.join("backups"),
    );
    let target = Target {
        node: "node02".into(),
        host: NODE_IP.into(),
        user: "root".into(),
        port: 22,
        identity_file: Some(dir.join("id")),
        known_hosts: Some(known.clone()),
    };
    let r = Remote::new(target, dir).unwrap();
    let keys = keyscan(&client);

    // An unknown host key: refused with OpenSSH's words, explained, never trusted.
    let f = r
        .must(&mut cx, "true", "test")
        .expect_err("an unknown host key must be refused");
    assert!(
        cx.text().contains("Host key verification failed"),
        "{}",
        cx.text()
    );
    assert!(
        f.cause.contains("node02") && f.cause.contains("host key"),
        "{f:?}"
    );
    assert!(
        f.fix.contains(&format!("ssh-keyscan -p 22 {NODE_IP}")),
        "{f:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&known).unwrap(),
        "",
        "the key was added"
    );

    // Known: the call runs in the node's own home, through one control socket.
    std::fs::write(&known, &keys).unwrap();
    let home = r.must(&mut cx, "pwd", "test").unwrap();
    assert_eq!(home.last().map(String::as_str), Some("/root"), "{home:?}");
    let sockets: Vec<_> = std::fs::read_dir(r.control_dir())
        .unwrap()
        .flatten()
        .filter(|e| {
            use std::os::unix::fs::FileTypeExt;
            e.file_type().is_ok_and(|t| t.is_socket())
        })
        .collect();
    assert_eq!(sockets.len(), 1, "one ControlMaster socket");
    r.must(&mut cx, "true", "test").unwrap();

    // A private copy: 0600 in a 0700 directory.
    let local = dir.join("join-node02.yaml");
    std::fs::write(&local, "token: abcdef.0123456789abcdef\n").unwrap();
    r.copy_private(&mut cx, &local, "dsinstall/join-node02.yaml")
        .unwrap();
    let modes = r
        .must(
            &mut cx,
            "stat -c '%a %n' dsinstall dsinstall/join-node02.yaml",
            "test",
        )
        .unwrap();
    assert_eq!(
        modes,
        ["700 dsinstall", "600 dsinstall/join-node02.yaml"],
        "{}",
        cx.text()
    );

    // A detached command outlives the call and the link; calls fail while the link is
    // down, as a link failure that waiting heals, and work again once it is back.
    r.must(
        &mut cx,
        "cd dsinstall && setsid nohup sh -c 'sleep 4; echo survived > after' < /dev/null > /dev/null 2>&1 &",
        "test",
    )
    .unwrap();
    client.ip(&["link", "set", "c0", "down"]);
    let started = Instant::now();
    let ran = r.run(&mut cx, "true", "test").unwrap();
    assert!(Remote::link_failed(&ran), "{:?}", ran.lines);
    assert!(r.refused(&ran).is_none(), "{:?}", ran.lines);
    assert!(r.explain(&ran).is_some());
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "a dead link took {:?} to notice",
        started.elapsed()
    );
    std::thread::sleep(Duration::from_secs(5));
    client.ip(&["link", "set", "c0", "up"]);
    let after = until_ok(&r, &mut cx, "cat dsinstall/after", 40);
    assert_eq!(after, ["survived"]);
    r.close(&cx);
}
