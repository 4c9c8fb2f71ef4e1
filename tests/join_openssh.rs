//! run::remote against the real OpenSSH: a client namespace and a node namespace joined by
//! a veth pair, sshd running in the node's (with its own /root on a tmpfs, so nothing lands
//! in this machine's), the client's ssh and scp run inside the client's through wrapper
//! scripts that the test StepCx names as its tools. Measured: an unknown host key is
//! refused with OpenSSH's own words and explained; once the key is known, calls go through
//! one ControlMaster socket; a copy arrives 0600 in a 0700 directory; a link taken down
//! fails calls as a link failure (not a refusal), a detached command goes on meanwhile,
//! and calls work again once the link is back.
//!
//! Then the join step end to end: node01's steps on the simulated lab (tests/join_support),
//! `join.node02` over the real ssh and scp to an sshd whose sessions are the lab's node02
//! (sshd_config `SetEnv`: PATH with the lab's stand-ins but ssh/scp, DSINSTALL_SIM,
//! DSINSTALL_SIM_HOST, DSINSTALL_HOST_ROOT; the lab's node home bind-mounted on /root).
//! Measured: on 1.20 node02 joins with both InternalIPs, its sysctl and modules files under
//! its root, the join file gone from its home (over SFTP); a link taken down during the
//! follow of a slow join (over `scp -O`) is said lost, waited out and said back, and the
//! join completes, started once.
//!
//! Needs root, `ip netns`, `unshare` and OpenSSH's sshd (`apt install openssh-server`);
//! skipped otherwise, unless DSINSTALL_REQUIRE_SSHD=1.

mod common;
mod detect_support;
mod join_support;
mod sim_support;
mod steps_bed;
mod steps_support;

use detect_support::Netns;
use dsinstall::run::remote::{Remote, Target};
use dsinstall::run::step::{Probe, Step};
use join_support::JoinBed;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use steps_bed::Bed;
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

/// The client's and the node's namespaces joined by a veth pair (c0 in the client's,
/// 10.99.0.1; n0 in the node's, NODE_IP), or None (skipped) without root, OpenSSH or netns.
fn link() -> Option<(Netns, Netns)> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        skip("needs root");
        return None;
    }
    if !Path::new(SSHD).exists() || !Path::new("/usr/bin/ssh").exists() {
        skip("needs OpenSSH's ssh and sshd");
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

/// sshd for `node` with its keys and config in `dir`, `extra` added to its config, in a
/// private mount namespace where `home` (a shell command) has given root's /root first.
fn start_sshd(node: &Netns, dir: &Path, home: &str, extra: &str) -> Sshd {
    keygen(&dir.join("host_key"));
    let conf = dir.join("sshd_config");
    std::fs::write(
        &conf,
        format!(
            "Port 22\nListenAddress {NODE_IP}\nHostKey {d}/host_key\nAuthorizedKeysFile {d}/authorized_keys\nPidFile {d}/sshd.pid\nStrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n{extra}",
            d = dir.display()
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.join("sshd.log")).unwrap();
    let script = format!(
        "mkdir -p /run/sshd && {home} && exec {SSHD} -D -e -f {}",
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
    let Some((client, node)) = link() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    keygen(&dir.join("id"));
    std::fs::copy(dir.join("id.pub"), dir.join("authorized_keys")).unwrap();
    // /root on a tmpfs: the node's home is its own, nothing lands in this machine's.
    let _sshd = start_sshd(&node, dir, "mount -t tmpfs -o mode=0700 tmpfs /root", "");
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

/// The join of node02 over the real OpenSSH, node01 and the cluster on the simulated lab:
/// the bed's StepCx runs the lab's tools except ssh and scp, which are the real ones from
/// the client's namespace; sshd's sessions in node02's namespace run as the lab's node02
/// (its stand-ins first on PATH, its files as the node's root, its home as root's /root).
struct OverSsh {
    bed: Bed,
    client: Netns,
    _node: Netns,
    _sshd: Sshd,
    _keys: tempfile::TempDir,
}

/// Symlinks in `bin` to the lab's stand-ins, but its ssh and scp.
fn link_lab_tools(lab: &Path, bin: &Path) {
    for e in std::fs::read_dir(lab.join("bin")).unwrap().flatten() {
        let name = e.file_name();
        if name != "ssh" && name != "scp" {
            std::os::unix::fs::symlink(e.path(), bin.join(&name)).unwrap();
        }
    }
}

/// The lab's node02 behind a real sshd (with an sftp subsystem when `sftp`, else scp falls
/// back to `-O`), or None (skipped).
fn over_openssh(
    version: &str,
    faults: &[&str],
    sftp: bool,
    edit: impl Fn(String) -> String,
) -> Option<OverSsh> {
    let (client, node) = link()?;
    let keys = tempfile::tempdir().unwrap();
    let k = keys.path();
    keygen(&k.join("id"));
    std::fs::copy(k.join("id.pub"), k.join("authorized_keys")).unwrap();
    let known = k.join("known_hosts");
    // The answers name the address the client reaches, the test's key and known_hosts.
    let bed = join_support::bed(version, faults, |t| {
        let t = edit(t).replace(
            "{name: node02, ipv4: 111.111.111.122, ipv6: 2018::22, role: worker}",
            &format!(
                "{{name: node02, ipv4: 111.111.111.122, ipv6: 2018::22, role: worker, ssh: {{host: {NODE_IP}}}}}"
            ),
        );
        format!(
            "{t}ssh:\n  identityFile: {}\n  knownHosts: {}\n",
            k.join("id").display(),
            known.display()
        )
    });
    let lab = bed.lab.path().to_path_buf();
    let node_root = lab.join("hosts/node02/root");
    let home = node_root.join("root");
    std::fs::create_dir_all(&home).unwrap();
    // The node's PATH: the lab's stand-ins but its ssh and scp (scp -O runs `scp -t` on
    // the node, which must be the real one).
    let node_bin = k.join("node-bin");
    std::fs::create_dir_all(&node_bin).unwrap();
    link_lab_tools(&lab, &node_bin);
    // sshd gives its sessions a fresh environment; SetEnv (OpenSSH 7.8+) is applied last,
    // over the PATH sshd sets itself (session.c, do_setup_env), and the lab's tools pick
    // the host and the lab from the environment.
    let mut env = format!(
        "SetEnv PATH={b}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin DSINSTALL_SIM={l} DSINSTALL_SIM_HOST=node02 DSINSTALL_HOST_ROOT={r}\n",
        b = node_bin.display(),
        l = lab.display(),
        r = node_root.display()
    );
    if sftp {
        env.push_str("Subsystem sftp internal-sftp\n");
    }
    let sshd = start_sshd(
        &node,
        k,
        &format!("mount --bind {} /root", home.display()),
        &env,
    );
    std::fs::write(&known, keyscan(&client)).unwrap();
    // The StepCx's tools: the real ssh and scp, the lab's stand-ins for the rest.
    let bin = wrappers(k, &client);
    link_lab_tools(&lab, &bin);
    let mut bed = bed;
    bed.cx.bin = bin;
    Some(OverSsh {
        bed,
        client,
        _node: node,
        _sshd: sshd,
        _keys: keys,
    })
}

impl Drop for OverSsh {
    /// A failed test shows what sshd said.
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self._keys.path().join("sshd.log"));
            eprintln!("sshd.log:\n{}", log.unwrap_or_default());
        }
    }
}

impl OverSsh {
    /// The step's ssh and scp calls went to the real OpenSSH (the wrappers), none to the
    /// lab's stand-ins.
    fn assert_real_ssh(&self) {
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

#[test]
fn a_worker_joins_over_real_openssh_with_both_internal_ips_on_1_20() {
    let started = Instant::now();
    let Some(mut t) = over_openssh("v1.20.0", &[], true, join_support::node_mask_120) else {
        return;
    };
    t.bed.first_node();
    let joined = Instant::now();
    t.bed.joins("node02");
    eprintln!(
        "node01 in {:?}, the join over OpenSSH in {:?}",
        joined - started,
        joined.elapsed()
    );
    t.assert_real_ssh();
    let mut ips = t.bed.internal_ips("node02");
    ips.sort();
    assert_eq!(ips, ["111.111.111.122", "2018::22"]);
    let log = t.bed.cx.text();
    assert!(log.contains("This node has joined the cluster"), "{log}");
    // The node's settings are the rendered files, under the node's own root.
    let node_root = t.bed.lab.path().join("hosts/node02/root");
    t.bed.assert_node_settings("node02");
    assert!(node_root.join("etc/kubernetes/kubelet.conf").exists());
    // The join file (a bootstrap token) is gone from the node's home; its log stays.
    assert!(
        !t.bed
            .node_home("node02", "dsinstall/join-node02.yaml")
            .exists()
    );
    let joinlog = std::fs::read_to_string(t.bed.node_home("node02", "dsinstall/join.log")).unwrap();
    assert!(
        joinlog.contains("This node has joined the cluster"),
        "{joinlog}"
    );
}

/// Whether `dir` holds a socket (the ControlMaster's).
fn has_socket(dir: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::read_dir(dir).is_ok_and(|d| {
        d.flatten()
            .any(|e| e.file_type().is_ok_and(|t| t.is_socket()))
    })
}

#[test]
fn a_worker_join_over_real_openssh_survives_a_dropped_link() {
    dropped_link(Duration::from_secs(1));
}

/// The link taken down the moment join.pid appears: most often while the call that started
/// the join is still returning. The step waits for the link, sees the join running and
/// follows it; it never starts a second one.
#[test]
fn a_link_dropped_while_the_join_starts_never_starts_a_second_one() {
    dropped_link(Duration::ZERO);
}

/// A worker join with the link going down `after` join.pid appears, until the ControlMaster
/// gives up on it.
fn dropped_link(after: Duration) {
    let started = Instant::now();
    let Some(mut t) = over_openssh("v1.19.0", &["slow:join.node02"], false, |t| t) else {
        return;
    };
    t.bed.first_node();
    let step = t.bed.join("node02");
    let control = Remote::new(step.target.clone(), t.bed.lab.path())
        .unwrap()
        .control_dir()
        .to_path_buf();
    let pid = t.bed.node_home("node02", "dsinstall/join.pid");
    let client = t.client.name.clone();
    // Once the join is followed, the link goes down until the ControlMaster has given up on it
    // (ServerAliveInterval × ServerAliveCountMax, 15 s), then a second more.
    let flipper = std::thread::spawn(move || -> Result<Duration, String> {
        let ip = |state: &str| {
            let o = Command::new("ip")
                .args(["-n", &client, "link", "set", "c0", state])
                .output()
                .unwrap();
            assert!(o.status.success(), "{o:?}");
        };
        let until = Instant::now() + Duration::from_secs(30);
        while !pid.exists() {
            if Instant::now() > until {
                return Err("the join never started".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // The call that started it returns within 0.1 s of join.pid: after a second the
        // follow has begun.
        std::thread::sleep(after);
        ip("down");
        let down = Instant::now();
        while has_socket(&control) && down.elapsed() < Duration::from_secs(40) {
            std::thread::sleep(Duration::from_millis(100));
        }
        let noticed = down.elapsed();
        std::thread::sleep(Duration::from_secs(1));
        ip("up");
        if has_socket(&control) {
            return Err(format!("the master outlived a dead link for {noticed:?}"));
        }
        Ok(noticed)
    });
    let s = step;
    assert!(matches!(s.probe(&mut t.bed.cx).unwrap(), Probe::Needed(_)));
    let acted = s.act(&mut t.bed.cx);
    let noticed = flipper.join().unwrap();
    if let Err(f) = acted {
        panic!("join.node02: {f:?}\n{}", t.bed.cx.text());
    }
    let noticed = noticed.unwrap();
    eprintln!(
        "the dead link noticed in {noticed:?}; the whole test {:?}",
        started.elapsed()
    );
    assert!(matches!(s.probe(&mut t.bed.cx).unwrap(), Probe::Done(_)));
    t.assert_real_ssh();
    let log = t.bed.cx.text();
    assert!(log.contains("lost the SSH link to node02"), "{log}");
    assert!(log.contains("is back"), "{log}");
    assert!(log.contains("This node has joined the cluster"), "{log}");
    // One join: its start reported once, by the start call or, when the link took that
    // call's answer, by the call after it.
    let reported = log.matches("kubeadm join started on node02").count()
        + log.matches("a join was started already").count();
    assert_eq!(reported, 1, "{log}");
    let joinlog = std::fs::read_to_string(t.bed.node_home("node02", "dsinstall/join.log")).unwrap();
    assert_eq!(
        joinlog.matches("This node has joined the cluster").count(),
        1,
        "{joinlog}"
    );
    eprintln!(
        "link down {after:?} after join.pid: {}",
        if log.contains("while starting kubeadm join") {
            "during the start call"
        } else {
            "during the follow"
        }
    );
    assert_eq!(t.bed.internal_ips("node02"), ["111.111.111.122"]);
}
