//! run::remote and the join step against the real OpenSSH (tests/openssh_support: a
//! client and a node namespace, sshd in the node's).
//!
//! run::remote alone, the node's /root on a tmpfs so nothing lands in this machine's.
//! Measured: an unknown host key is refused with OpenSSH's own words and explained; once
//! the key is known, calls go through one ControlMaster socket; a copy arrives 0600 in a
//! 0700 directory; a link taken down fails calls as a link failure (not a refusal), a
//! detached command goes on meanwhile, and calls work again once the link is back.
//!
//! Then the join step end to end: node01's steps on the simulated lab, `join.node02` over
//! the real ssh and scp to an sshd whose sessions are the lab's node02
//! (openssh_support::lab_node). Measured: on 1.20 node02 joins with both InternalIPs, its
//! sysctl and modules files under its root, the join file gone from its home (over SFTP);
//! a link taken down during the follow of a slow join (over `scp -O`), or every sshd
//! process killed and sshd started again, is said lost, waited out and said back, and the
//! join completes, started once; an expired bootstrap token, and for a control-plane join
//! an expired certificate key, are renewed and the join passes; a login user whose real
//! sudo wants a password is stopped with one clear line, and joins once NOPASSWD; a copy
//! the node refuses (a read-only file) is said to be that copy, in scp's words.
//!
//! Needs root, `ip netns`, `unshare`, OpenSSH's sshd (`apt install openssh-server`) and,
//! for the login user, sudo and useradd; skipped otherwise, unless DSINSTALL_REQUIRE_SSHD=1.

mod common;
mod detect_support;
mod join_support;
mod openssh_support;
mod sim_support;
mod steps_bed;
mod steps_support;

use dsinstall::run::remote::{Remote, Target};
use dsinstall::run::step::{Probe, Step};
use join_support::JoinBed;
use openssh_support::lab_node::{Node, OverSsh, over_openssh};
use openssh_support::{NODE_IP, has_socket, keygen, keyscan, link, start_sshd, wrappers};
use std::process::Command;
use std::time::{Duration, Instant};
use steps_support::TestCx;

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
    r.copy_private(&mut cx, &local, "dsinstall/join-node02.yaml", "test")
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

#[test]
fn a_worker_joins_over_real_openssh_with_both_internal_ips_on_1_20() {
    let started = Instant::now();
    let n = Node {
        version: "v1.20.0",
        ..Node::default()
    };
    let Some(mut t) = over_openssh(n, join_support::node_mask_120) else {
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
    let n = Node {
        faults: &["slow:join.node02"],
        sftp: false,
        ..Node::default()
    };
    let Some(mut t) = over_openssh(n, |t| t) else {
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
    assert_one_join(&t);
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

/// One join ran on node02, and it joined: its start reported once, by the start call or,
/// when the link took that call's answer, by the call after it; one success in its log.
fn assert_one_join(t: &OverSsh) {
    let log = t.bed.cx.text();
    let reported = log.matches("kubeadm join started on node02").count()
        + log.matches("a join was started already").count();
    assert_eq!(reported, 1, "{log}");
    let joinlog = std::fs::read_to_string(t.bed.node_home("node02", "dsinstall/join.log")).unwrap();
    assert_eq!(
        joinlog.matches("This node has joined the cluster").count(),
        1,
        "{joinlog}"
    );
}

/// node02's InternalIPs, sorted.
fn both_ips(t: &OverSsh) -> Vec<String> {
    let mut ips = t.bed.internal_ips("node02");
    ips.sort();
    ips
}

/// A login user other than root whose sudo is the real one (sudo 1.9, in node02's
/// namespace): while its sudoers entry wants a password, the join stops at its first call
/// with one line saying so; with NOPASSWD the same user joins, every command through
/// `sudo -n sh -c`, the copies its own.
#[test]
fn a_user_whose_sudo_wants_a_password_is_stopped_clearly_then_joins_with_nopasswd() {
    let started = Instant::now();
    let n = Node {
        user: Some("a"),
        ..Node::default()
    };
    let Some(mut t) = over_openssh(n, |t| t) else {
        return;
    };
    let (name, uid) = {
        let u = t.user.as_ref().unwrap();
        u.allow_sudo(false);
        (u.name.clone(), u.uid)
    };
    t.bed.first_node();
    let f = t
        .bed
        .join("node02")
        .act(&mut t.bed.cx)
        .expect_err("sudo wanting a password must stop the join");
    let log = t.bed.cx.text();
    // sudo's own words for -n when the policy wants a password (plugins/sudoers/check.c);
    // the lab's sudo stand-in is not on the node's PATH, and no fault asks for this.
    assert!(log.contains("sudo: a password is required"), "{log}");
    assert_eq!(
        f.cause,
        format!(
            "node02 ({name}@{NODE_IP} port 22): user {name} needs a password for sudo, and apply cannot type one"
        )
    );
    assert!(
        f.fix.contains(&format!("{name} ALL=(ALL) NOPASSWD: ALL")),
        "{f:?}"
    );
    assert!(
        !t.bed.node_home("node02", "dsinstall").exists(),
        "the join went on past sudo"
    );

    t.user.as_ref().unwrap().allow_sudo(true);
    t.bed.joins("node02");
    t.assert_real_ssh();
    let cmds = t.bed.cx.commands.join("\n");
    assert!(cmds.contains("sudo -n sh -c"), "{cmds}");
    assert!(cmds.contains(&format!("User={name}")), "{cmds}");
    // The copies were made as the user, the join ran as root.
    use std::os::unix::fs::MetadataExt;
    let owner = |p: &str| {
        std::fs::metadata(t.bed.node_home("node02", p))
            .unwrap()
            .uid()
    };
    assert_eq!(owner("dsinstall"), uid);
    assert_eq!(owner("dsinstall/join.log"), 0);
    assert_eq!(t.bed.internal_ips("node02"), ["111.111.111.122"]);
    eprintln!("the whole test {:?}", started.elapsed());
}

/// init's bootstrap token expired: kubeadm join fails on node02 over the real ssh, a new
/// token is made here, the node reset and joined with it — both InternalIPs on 1.20.
#[test]
fn an_expired_token_is_renewed_over_real_openssh() {
    let started = Instant::now();
    let n = Node {
        version: "v1.20.0",
        faults: &["token-expired"],
        ..Node::default()
    };
    let Some(mut t) = over_openssh(n, join_support::node_mask_120) else {
        return;
    };
    t.bed.first_node();
    t.bed.joins("node02");
    t.assert_real_ssh();
    let log = t.bed.cx.text();
    assert!(log.contains("could not find a JWS signature"), "{log}");
    assert!(log.contains("bootstrap token has expired"), "{log}");
    assert!(log.contains("[reset]"), "{log}");
    // The new token is the one left (init's is expired), and it was never logged.
    let tokens = t.bed.lab.run("kubeadm", &["token", "list"]).ok().stdout;
    assert_eq!(tokens.lines().count(), 2, "{tokens}");
    let token = tokens
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert!(!log.contains(token), "the new token was logged");
    assert_eq!(both_ips(&t), ["111.111.111.122", "2018::22"]);
    eprintln!("the whole test {:?}", started.elapsed());
}

/// node02 joins the control plane (through the guide's controlPlaneEndpoint) after the
/// certificates init uploaded were deleted: uploaded again here, node02 reset and joined
/// over the real ssh — a control-plane Node with both InternalIPs on 1.20.
#[test]
fn an_expired_certificate_key_is_renewed_over_real_openssh() {
    let started = Instant::now();
    let n = Node {
        version: "v1.20.0",
        faults: &["certificate-key-expired"],
        role: "control-plane",
        ..Node::default()
    };
    let Some(mut t) = over_openssh(n, join_support::node_mask_120) else {
        return;
    };
    t.bed.first_node();
    t.bed.joins("node02");
    t.assert_real_ssh();
    let log = t.bed.cx.text();
    assert!(
        log.contains("Secret \"kubeadm-certs\" was not found"),
        "{log}"
    );
    assert!(log.contains("uploading them again"), "{log}");
    assert!(
        log.contains("a new control plane instance was created"),
        "{log}"
    );
    let node = t
        .bed
        .lab
        .run("kubectl", &["get", "nodes", "node02", "-o", "json"])
        .ok()
        .stdout;
    assert!(
        node.contains("node-role.kubernetes.io/control-plane"),
        "{node}"
    );
    assert_eq!(both_ips(&t), ["111.111.111.122", "2018::22"]);
    eprintln!("the whole test {:?}", started.elapsed());
}

/// Every sshd process of node02's namespace (the listener and the sessions, the
/// ControlMaster's among them) SIGKILLed while a slow join runs there, sshd started again
/// 3 s later: the detached join goes on, the step says the link lost and back, and one
/// join runs.
#[test]
fn a_join_in_progress_survives_sshd_killed_and_started_again() {
    let started = Instant::now();
    let n = Node {
        faults: &["slow:join.node02"],
        ..Node::default()
    };
    let Some(mut t) = over_openssh(n, |t| t) else {
        return;
    };
    t.bed.first_node();
    let s = t.bed.join("node02");
    assert!(matches!(s.probe(&mut t.bed.cx).unwrap(), Probe::Needed(_)));
    let pid = t.bed.node_home("node02", "dsinstall/join.pid");
    let (sshd, cx) = (&mut t.sshd, &mut t.bed.cx);
    let (acted, killed) = std::thread::scope(|scope| {
        let killer = scope.spawn(move || -> Result<usize, String> {
            let until = Instant::now() + Duration::from_secs(30);
            while !pid.exists() {
                if Instant::now() > until {
                    return Err("the join never started".into());
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let killed = sshd.kill_all();
            // The moment sshd is down: what this test is about, not a wait for a state.
            std::thread::sleep(Duration::from_secs(3));
            sshd.restart();
            Ok(killed)
        });
        let acted = s.act(cx);
        (acted, killer.join().unwrap())
    });
    if let Err(f) = acted {
        panic!("join.node02: {f:?}\n{}", t.bed.cx.text());
    }
    // The listener and at least the ControlMaster's session (OpenSSH 9.2: its monitor and
    // its unprivileged child).
    let killed = killed.unwrap();
    assert!(killed >= 2, "{killed} sshd processes killed");
    assert!(matches!(s.probe(&mut t.bed.cx).unwrap(), Probe::Done(_)));
    t.assert_real_ssh();
    let log = t.bed.cx.text();
    assert!(log.contains("lost the SSH link to node02"), "{log}");
    assert!(log.contains("is back"), "{log}");
    assert!(log.contains("This node has joined the cluster"), "{log}");
    assert_one_join(&t);
    assert_eq!(t.bed.internal_ips("node02"), ["111.111.111.122"]);
    eprintln!(
        "{killed} sshd processes killed; the whole test {:?}",
        started.elapsed()
    );
}

/// The first copy of the join, the sysctl file, refused by node02 itself: the file there is
/// on a read-only bind mount (in sshd's mount namespace only). The step stops saying which
/// copy failed, to where, and why in scp's own words — not that ssh failed.
fn a_copy_refused_by_the_node(sftp: bool, words: &str) {
    let file = "dsinstall/sysctl-kubernetes.conf";
    let mounts = format!(
        "mkdir -p /root/dsinstall && touch /root/{file} && mount --bind -o ro /root/{file} /root/{file}"
    );
    let n = Node {
        sftp,
        mounts: &mounts,
        ..Node::default()
    };
    let Some(mut t) = over_openssh(n, |t| t) else {
        return;
    };
    t.bed.first_node();
    let f = t
        .bed
        .join("node02")
        .act(&mut t.bed.cx)
        .expect_err("a copy the node refuses must stop the join");
    assert_eq!(
        f.cause,
        format!(
            "preparing the node: the copy of sysctl-kubernetes.conf to node02 (root@{NODE_IP} port 22) failed on the node: scp could not write ~/{file}: {words}"
        )
    );
    assert!(
        f.fix.contains("make ~/dsinstall writable for root"),
        "{f:?}"
    );
    assert!(
        !t.bed.node_home("node02", "dsinstall/join.pid").exists(),
        "the join started"
    );
    t.assert_real_ssh();
}

/// Over the scp protocol (`scp -O`, as CentOS 7's scp always speaks): the remote `scp -t`
/// names the errno.
#[test]
fn a_copy_the_node_refuses_is_said_in_scps_words_over_the_scp_protocol() {
    a_copy_refused_by_the_node(
        false,
        "scp: dsinstall/sysctl-kubernetes.conf: Read-only file system",
    );
}

/// Over SFTP (OpenSSH 9's scp by default): sftp-server maps EROFS to the protocol's
/// generic SSH2_FX_FAILURE (sftp-server.c, errno_to_portable), so "Failure" is all scp can
/// say.
#[test]
fn a_copy_the_node_refuses_is_said_in_scps_words_over_sftp() {
    a_copy_refused_by_the_node(
        true,
        "scp: dest open \"dsinstall/sysctl-kubernetes.conf\": Failure",
    );
}
