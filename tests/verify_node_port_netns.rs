//! `svc.node-port` against real sockets: node01's addresses in a network namespace, the
//! cluster from the simulated lab (installed by `apply`), and `verify` run without
//! DSINSTALL_SIM, so its HTTP probes go to the kernel: refused while nothing listens on the
//! NodePorts, answered once a real HTTP server listens there on both families. And
//! `host.sysctl` reading the kernel's routes: an IPv6 default route learned from router
//! advertisements needs accept_ra = 2.

mod apply_support;
mod common;
mod detect_support;
mod sim_support;

use apply_support::{Node, guide_single};
use std::process::{Command, Stdio};

fn checks(n: &Node, answers: &str) -> Vec<serde_json::Value> {
    checks_of(n, answers, "svc.node-port")
}

fn checks_of(n: &Node, answers: &str, id: &str) -> Vec<serde_json::Value> {
    let mut c = n.command(&[
        "verify",
        "--answers",
        answers,
        "--kubeconfig",
        n.root("/etc/kubernetes/admin.conf").to_str().unwrap(),
        "--json",
        "--timeout",
        "4",
    ]);
    c.env_remove("DSINSTALL_SIM");
    let o = c.output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .cloned()
        .collect()
}

/// The NodePorts the evidence names (`111.111.111.121:31111`, `[2018::21]:31112`).
fn ports(evidence: &str) -> Vec<u16> {
    let mut out: Vec<u16> = evidence
        .split(|c: char| c == ';' || c.is_whitespace())
        .filter_map(|w| w.trim_end_matches(':').rsplit_once(':'))
        .filter_map(|(_, p)| p.parse().ok())
        .filter(|p| (30000..=32767).contains(p))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn node_ports_are_probed_over_real_sockets_of_both_families() {
    let answers = guide_single("v1.20.15");
    let Some(n) = Node::new("vnp", "v1.20.15", &answers, &[]) else {
        return;
    };
    let r = n.apply(&[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Nothing listens: each family's probe is refused by the kernel, and says so.
    let refused = checks(&n, &n.answers);
    assert_eq!(refused.len(), 2, "{refused:?}");
    let mut all_ports = Vec::new();
    for c in &refused {
        assert_eq!(c["status"], "FAIL", "{c}");
        let ev = c["evidence"].as_str().unwrap();
        assert!(ev.contains("connection refused"), "{ev}");
        all_ports.extend(ports(ev));
    }
    assert!(
        refused
            .iter()
            .any(|c| c["evidence"].as_str().unwrap().contains("[2018::21]:"))
    );
    assert!(
        refused
            .iter()
            .any(|c| c["evidence"].as_str().unwrap().contains("111.111.111.121:"))
    );
    all_ports.sort();
    all_ports.dedup();
    assert!(!all_ports.is_empty());
    // A real HTTP server on each NodePort, both families (bound to ::, v4-mapped for IPv4).
    let mut servers: Vec<std::process::Child> = all_ports
        .iter()
        .map(|p| {
            Command::new("ip")
                .args(["netns", "exec", &n.ns.name, "python3", "-m", "http.server"])
                .args(["--bind", "::", &p.to_string()])
                .current_dir(n.lab.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut passed = Vec::new();
    for _ in 0..50 {
        passed = checks(&n, &n.answers);
        if passed.iter().all(|c| c["status"] == "PASS") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    for s in &mut servers {
        let _ = s.kill();
        let _ = s.wait();
    }
    for c in &passed {
        assert_eq!(c["status"], "PASS", "{c}");
        assert!(
            c["evidence"].as_str().unwrap().contains("HTTP/1.0 200 OK"),
            "{c}"
        );
    }
}

#[test]
fn an_ipv6_default_route_from_router_advertisements_needs_accept_ra_2() {
    let answers = guide_single("v1.20.15");
    let Some(n) = Node::new("vra", "v1.20.15", &answers, &[]) else {
        return;
    };
    let r = n.apply(&[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let ipv6 = |n: &Node| {
        let c = checks_of(n, &n.answers, "host.sysctl");
        c.into_iter()
            .find(|c| c["family"] == "ipv6")
            .unwrap_or_else(|| panic!("no IPv6 host.sysctl"))
    };
    // A static default route: accept_ra does not matter.
    let c = ipv6(&n);
    assert_eq!(c["status"], "PASS", "{c}");
    assert!(
        !c["evidence"].as_str().unwrap().contains("accept_ra"),
        "{c}"
    );
    // The route as the kernel installs it from an RA (RTPROT_RA), accept_ra still 1.
    n.ns.ip(&[
        "-6", "route", "replace", "default", "via", "fe80::1", "dev", "ens224", "proto", "ra",
    ]);
    let c = ipv6(&n);
    assert_eq!(c["status"], "FAIL", "{c}");
    let ev = c["evidence"].as_str().unwrap();
    assert!(
        ev.contains("net.ipv6.conf.ens224.accept_ra = 1, but the IPv6 default route via ens224 comes from router advertisements"),
        "{ev}"
    );
    assert!(
        c["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("sysctl -w net.ipv6.conf.ens224.accept_ra=2"),
        "{c}"
    );
    let set = n
        .lab
        .run("sysctl", &["-w", "net.ipv6.conf.ens224.accept_ra=2"]);
    assert_eq!(set.code, 0, "{}", set.stderr);
    let c = ipv6(&n);
    assert_eq!(c["status"], "PASS", "{c}");
    assert!(
        c["evidence"]
            .as_str()
            .unwrap()
            .contains("net.ipv6.conf.ens224.accept_ra = 2 (default route from RAs)"),
        "{c}"
    );
}
