//! One `dsinstall apply` joining two nodes over the real OpenSSH: the guide's three nodes,
//! each in a network namespace of its own on one switch at the guide's addresses (node01
//! 111.111.111.121 / 2018::21, node02 .122 / 2018::22, node03 .123 / 2018::23, ens192 for
//! IPv4 and ens224 for IPv6), node02 and node03 each behind a real sshd whose sessions run
//! as that node of the simulated lab (openssh_support::lab_node). apply runs in node01's
//! namespace as a user runs it, with /usr/bin/ssh and scp first on PATH and the lab's
//! stand-ins for the rest; node02 is reached over IPv4, node03 over IPv6.
//!
//! Measured: on 1.20 one apply joins both nodes, each Node with both InternalIPs, and each
//! sshd logged root's public-key login from node01; with node03's sshd down, node02 joins,
//! join.node03 fails alone naming the node, SSH and the refused connection, apply exits 1;
//! once that sshd is back, the next apply joins node03 without starting node02's join
//! again.
//!
//! Needs root, `ip netns`, `unshare` and OpenSSH's sshd (`apt install openssh-server`);
//! skipped otherwise, unless DSINSTALL_REQUIRE_SSHD=1 (and DSINSTALL_REQUIRE_NETNS=1 for
//! the namespaces).

mod apply_support;
mod common;
mod detect_support;
// openssh_support::lab_node builds the step-API beds of tests/join_openssh.rs on these.
mod join_support;
mod openssh_support;
mod sim_support;
mod steps_bed;
mod steps_support;

use apply_support::{Node, guide_three};
use detect_support::Netns;
use openssh_support::lab_node::{lab_sshd, real_ssh_tools};
use openssh_support::{Sshd, available, keygen, keyscan_of};

/// A release whose kubelet takes a `node-ip` pair, so every Node has both InternalIPs.
const VERSION: &str = "v1.20.15";

/// The nodes apply joins: name, IPv4, IPv6 (the guide's), and the address ssh is given.
const PEERS: [(&str, &str, &str, &str); 2] = [
    ("node02", "111.111.111.122", "2018::22", "111.111.111.122"),
    ("node03", "111.111.111.123", "2018::23", "2018::23"),
];

/// node01 (apply's), node02 and node03 with their sshd. Dropped in this order: the sshd
/// processes (listeners and sessions) while their namespaces still exist, then the
/// namespaces, then the lab and the keys.
struct Cluster {
    sshd: Vec<Sshd>,
    _peers: Vec<Netns>,
    node: Node,
    _keys: tempfile::TempDir,
}

impl Drop for Cluster {
    /// A failed test shows what each sshd said.
    fn drop(&mut self) {
        if std::thread::panicking() {
            for ((name, ..), s) in PEERS.iter().zip(&self.sshd) {
                eprintln!("{name} sshd.log:\n{}", s.log());
            }
        }
    }
}

/// The guide's three nodes at VERSION, node02 and node03 reached over SSH at PEERS' address
/// with the test's key and the known_hosts of both; None: skipped.
fn cluster(tag: &str) -> Option<Cluster> {
    if !available() {
        return None;
    }
    let keys = tempfile::tempdir().unwrap();
    let k = keys.path();
    keygen(&k.join("id"));
    let known = k.join("known_hosts");
    let mut answers = guide_three(VERSION);
    for (name, v4, v6, host) in PEERS {
        let plain = format!("{{name: {name}, ipv4: {v4}, ipv6: {v6}, role: worker}}");
        assert!(answers.contains(&plain), "{answers}");
        answers = answers.replace(
            &plain,
            &format!(
                "{{name: {name}, ipv4: {v4}, ipv6: {v6}, role: worker, ssh: {{host: {host}}}}}"
            ),
        );
    }
    answers.push_str(&format!(
        "ssh:\n  identityFile: {}\n  knownHosts: {}\n",
        k.join("id").display(),
        known.display()
    ));
    let mut node = Node::new(tag, VERSION, &answers, &[])?;
    let lab = node.lab.path().to_path_buf();
    node.bin = real_ssh_tools(&lab, k);
    let mut peers = Vec::new();
    let mut sshd = Vec::new();
    for (name, v4, v6, _) in PEERS {
        let ns = node.peer(name, v4, v6)?;
        sshd.push(lab_sshd(
            &ns,
            &lab,
            name,
            &[v4, v6],
            &k.join(name),
            &k.join("id.pub"),
        ));
        peers.push(ns);
    }
    // From node01, through the switch: the keys as apply's ssh will be offered them.
    let scanned: String = PEERS
        .iter()
        .map(|(.., host)| keyscan_of(&node.ns, host))
        .collect();
    std::fs::write(&known, scanned).unwrap();
    Some(Cluster {
        sshd,
        _peers: peers,
        node,
        _keys: keys,
    })
}

impl Cluster {
    /// Each of `names` is a Node of the cluster with the guide's IPv4 and IPv6 InternalIPs,
    /// as the lab's kubectl (the API) has them.
    fn assert_internal_ips(&self, names: &[&str]) {
        for (name, v4, v6, _) in PEERS.iter().filter(|p| names.contains(&p.0)) {
            let ips = self
                .node
                .internal_ips(name)
                .unwrap_or_else(|| panic!("{name} did not join"));
            assert_eq!(ips, [*v4, *v6], "{name}");
        }
    }

    /// The real OpenSSH carried the join of PEERS' `i`th node: its sshd let root in with
    /// the test's key from node01's address of the family ssh was given (the lab's
    /// stand-in ssh reaches no sshd).
    fn assert_logged_in(&self, i: usize) {
        let (name, _, _, host) = PEERS[i];
        let from = if host.contains(':') {
            "2018::2"
        } else {
            "111.111.111.121"
        };
        let log = self.sshd[i].log();
        assert!(
            log.contains(&format!("Accepted publickey for root from {from}")),
            "{name}'s sshd let no login in from node01:\n{log}"
        );
    }
}

#[test]
fn one_apply_joins_node02_over_ipv4_and_node03_over_ipv6_through_real_openssh() {
    let Some(c) = cluster("aossh") else {
        return;
    };
    let n = &c.node;
    let r = n.apply(&[]);
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    for s in [
        "joining node02 (root@111.111.111.122 port 22) over SSH",
        "joining node03 (root@2018::23 port 22) over SSH",
    ] {
        assert!(r.stdout.contains(s), "{s}: {}", r.stdout);
    }
    let done = n.steps_in("done");
    for s in ["join.node02", "join.node03", "verify"] {
        assert!(done.contains(&s.to_string()), "{s} not done: {done:?}");
    }
    c.assert_internal_ips(&["node02", "node03"]);
    c.assert_logged_in(0);
    c.assert_logged_in(1);
}

#[test]
fn a_node_whose_sshd_is_down_fails_alone_and_joins_once_sshd_is_back() {
    let Some(mut c) = cluster("aodown") else {
        return;
    };
    // node03's key is known (scanned above); its sshd is then killed, nothing listens.
    c.sshd[1].kill_all();
    let r = c.node.apply(&[]);
    // 1: a step failed (README, the command-line reference); the others ran to their end.
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("failed step: join.node03"),
        "{}",
        r.stdout
    );
    let n = &c.node;
    assert_eq!(n.steps_in("failed"), ["join.node03"]);
    assert!(n.steps_in("done").contains(&"join.node02".to_string()));
    let st = n.status();
    let step = st["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "join.node03")
        .unwrap()
        .clone();
    let err = step["error"].as_str().unwrap();
    // run::remote's words, then OpenSSH's own (sshconnect.c, ssh_connect_direct).
    for w in [
        "node03 (root@2018::23 port 22) cannot be reached over SSH",
        "ssh: connect to host 2018::23 port 22: Connection refused",
    ] {
        assert!(err.contains(w), "{w} not in: {err}");
    }
    assert!(
        r.stdout.contains(err),
        "the summary lacks the cause: {}",
        r.stdout
    );
    assert!(
        step["hint"]
            .as_str()
            .unwrap()
            .contains("sshd listens on port 22"),
        "{step}"
    );
    c.assert_internal_ips(&["node02"]);
    c.assert_logged_in(0);

    // sshd back (the same host key), polled until it answers: the next apply joins node03
    // alone.
    c.sshd[1].restart();
    keyscan_of(&c.node.ns, PEERS[1].3);
    let n = &c.node;
    let again = n.apply(&[]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert_eq!(n.starts_of("join.node02"), 1, "node02 was joined again");
    assert_eq!(n.starts_of("join.node03"), 2);
    assert_eq!(n.status()["state"], "done");
    c.assert_internal_ips(&["node02", "node03"]);
    c.assert_logged_in(1);
}
