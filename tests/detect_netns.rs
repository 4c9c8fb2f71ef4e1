//! `dsinstall detect --json` inside network namespaces built like the hosts it must read:
//! the seed's node01, and the ways an IPv6 address can be unusable.

mod detect_support;

use detect_support::{Netns, build_many, build_node01};
use dsinstall::host::HostFacts;
use dsinstall::host::facts::{Address, Interface};

fn nic<'a>(f: &'a HostFacts, name: &str) -> &'a Interface {
    f.interfaces
        .iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("no interface {name} in {:?}", names(f)))
}

fn names(f: &HostFacts) -> Vec<&str> {
    f.interfaces.iter().map(|i| i.name.as_str()).collect()
}

fn addr<'a>(f: &'a HostFacts, ip: &str) -> &'a Address {
    f.interfaces
        .iter()
        .flat_map(|i| &i.addresses)
        .find(|a| a.address == ip)
        .unwrap_or_else(|| panic!("no address {ip}"))
}

fn flags(a: &Address) -> Vec<&str> {
    a.flags.iter().map(String::as_str).collect()
}

fn warning_ids(f: &HostFacts) -> Vec<&str> {
    f.warnings.iter().map(|w| w.id.as_str()).collect()
}

/// A namespace with one veth `nic` (its peer in `lab`), up, with these IPv6 addresses.
fn one_nic(ns: &Netns, lab: &Netns, nic: &str, peer: &str) {
    ns.ip(&[
        "link", "add", nic, "type", "veth", "peer", "name", peer, "netns", &lab.name,
    ]);
    ns.ip(&["link", "set", nic, "up"]);
    lab.ip(&["link", "set", peer, "up"]);
}

#[test]
fn seed_node01_facts_and_suggestions() {
    let (Some(ns), Some(lab)) = (Netns::new("node01"), Netns::new("lab")) else {
        return;
    };
    build_node01(&ns, &lab);
    // A deprecated address beside them (preferred_lft 0), as an expired SLAAC one would be.
    ns.ip(&[
        "addr",
        "add",
        "2018::99/64",
        "dev",
        "ens224",
        "nodad",
        "preferred_lft",
        "0",
        "valid_lft",
        "3600",
    ]);
    let f = ns.detect();

    assert_eq!(names(&f), ["lo", "ens192", "ens224"]);
    let ens192 = nic(&f, "ens192");
    assert_eq!(ens192.kind, "veth");
    assert!(ens192.up);
    assert_eq!(ens192.mtu, 1500);
    assert_eq!(ens192.mac.as_deref(), Some("00:50:56:8c:17:6f"));
    let v4: Vec<(&str, u8)> = ens192
        .addresses
        .iter()
        .filter(|a| a.family == "ipv4")
        .map(|a| (a.address.as_str(), a.prefix))
        .collect();
    assert_eq!(
        v4,
        [
            ("111.111.111.121", 24),
            ("192.168.206.4", 24),
            ("111.111.111.120", 32)
        ]
    );
    for a in ens192.addresses.iter().filter(|a| a.family == "ipv4") {
        assert_eq!(a.scope, "global");
        assert_eq!(flags(a), ["permanent", "noprefixroute"], "{}", a.address);
    }
    assert_eq!(nic(&f, "lo").kind, "loopback");
    assert_eq!(addr(&f, "127.0.0.1").scope, "host");
    assert_eq!(addr(&f, "::1").scope, "host");

    let a21 = addr(&f, "2018::21");
    assert_eq!(
        (a21.prefix, a21.family.as_str(), a21.scope.as_str()),
        (64, "ipv6", "global")
    );
    assert_eq!(flags(a21), ["nodad", "permanent", "noprefixroute"]);
    assert_eq!(flags(addr(&f, "2018::20")), ["nodad", "permanent"]);
    let ll = addr(&f, "fe80::6cd7:3d10:c933:a797");
    assert_eq!((ll.scope.as_str(), ll.prefix), ("link", 64));
    assert!(ll.has_flag("noprefixroute"));
    let dep = addr(&f, "2018::99");
    assert!(dep.has_flag("deprecated"), "{:?}", dep.flags);
    assert_eq!(dep.preferred_lft, Some(0));
    assert!(dep.valid_lft.is_some_and(|v| v <= 3600));
    assert_eq!(a21.valid_lft, None, "forever");

    let routes: Vec<(&str, Option<&str>, Option<&str>)> = f
        .default_routes
        .iter()
        .map(|r| {
            (
                r.family.as_str(),
                r.interface.as_deref(),
                r.gateway.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        routes,
        [
            ("ipv4", Some("ens192"), Some("111.111.111.1")),
            ("ipv6", Some("ens224"), Some("2018::1"))
        ]
    );
    assert_eq!(f.sysctls["net.ipv6.conf.ens224.disable_ipv6"], "0");
    assert!(f.sysctls.contains_key("net.ipv4.ip_forward"));
    assert!(f.sysctls.contains_key("net.ipv6.conf.ens192.accept_ra"));
    assert_eq!(f.hostname_addresses, ["111.111.111.121"]);

    let s = &f.suggested;
    assert_eq!(s.ipv6_interface.as_deref(), Some("ens224"));
    assert_eq!(s.ipv6.as_deref(), Some("2018::21"));
    assert_eq!(s.ipv4_interface.as_deref(), Some("ens192"));
    assert_eq!(s.ipv4.as_deref(), Some("111.111.111.121"));
    assert_eq!(s.vip_candidates, ["111.111.111.120"]);
    assert!(
        s.reasons
            .iter()
            .any(|r| r.contains("not usable: 2018::99 (nodad,deprecated)")),
        "{:?}",
        s.reasons
    );
    let ids = warning_ids(&f);
    assert!(!ids.contains(&"no-global-ipv6"), "{ids:?}");
    assert!(!ids.contains(&"no-ipv6-default-route"), "{ids:?}");
    assert!(f.detection_errors.is_empty(), "{:?}", f.detection_errors);
}

#[test]
fn json_uses_the_contract_field_names_and_the_table_prints() {
    let (Some(ns), Some(lab)) = (Netns::new("shape"), Netns::new("lab")) else {
        return;
    };
    build_node01(&ns, &lab);
    let out = ns.exec(&detect_support::bin(), &["detect", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in [
        "hostname",
        "interfaces",
        "defaultRoutes",
        "sysctls",
        "tools",
        "suggested",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    let iface = &v["interfaces"][2];
    for k in ["name", "mac", "up", "mtu", "kind", "addresses"] {
        assert!(iface.get(k).is_some(), "interface lacks {k}: {iface}");
    }
    let a = &iface["addresses"][0];
    for k in ["address", "prefix", "family", "scope", "flags"] {
        assert!(a.get(k).is_some(), "address lacks {k}: {a}");
    }
    for k in ["ipv6Interface", "ipv6", "ipv4Interface", "ipv4"] {
        assert!(v["suggested"].get(k).is_some(), "suggested lacks {k}");
    }
    assert!(v["tools"].get("kubeadm").is_some());

    let out = ns.exec(&detect_support::bin(), &["detect"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "ens224",
        "2018::21/64",
        "global  nodad permanent noprefixroute",
        "ipv6           2018::1",
        "ipv6Interface ens224",
        "net.ipv6.conf.ens224.forwarding",
    ] {
        assert!(text.contains(want), "table lacks {want:?}:\n{text}");
    }
}

#[test]
fn only_link_local_ipv6_warns_no_global_ipv6() {
    let (Some(ns), Some(lab)) = (Netns::new("llonly"), Netns::new("lab")) else {
        return;
    };
    one_nic(&ns, &lab, "eth0", "sw0");
    ns.ip(&["addr", "add", "10.1.0.5/24", "dev", "eth0"]);
    let f = ns.detect_until(5, |f| {
        nic(f, "eth0").addresses.iter().any(|a| a.scope == "link")
    });
    let ll: Vec<&Address> = nic(&f, "eth0")
        .addresses
        .iter()
        .filter(|a| a.family == "ipv6")
        .collect();
    assert_eq!(ll.len(), 1, "{ll:?}");
    assert_eq!(ll[0].scope, "link");
    assert!(ll[0].address.starts_with("fe80::"));
    assert_eq!(f.suggested.ipv6_interface, None);
    assert_eq!(f.suggested.ipv6, None);
    assert_eq!(f.suggested.ipv4.as_deref(), Some("10.1.0.5"));
    let w = f
        .warnings
        .iter()
        .find(|w| w.id == "no-global-ipv6")
        .unwrap();
    assert!(w.blocking);
}

#[test]
fn tentative_and_dadfailed_addresses_are_flagged_and_never_suggested() {
    let (Some(ns), Some(lab)) = (Netns::new("dad"), Netns::new("lab")) else {
        return;
    };
    // A link that is down keeps its addresses tentative: DAD cannot start.
    ns.ip(&[
        "link", "add", "eth1", "type", "veth", "peer", "name", "sw1", "netns", &lab.name,
    ]);
    ns.ip(&["addr", "add", "2018::5/64", "dev", "eth1"]);
    // The duplicate: the switch side already owns 2018::7, so our DAD probe is answered.
    one_nic(&ns, &lab, "eth0", "sw0");
    lab.ip(&["addr", "add", "2018::7/64", "dev", "sw0", "nodad"]);
    ns.ip(&["addr", "add", "2018::8/64", "dev", "eth0", "nodad"]);
    ns.ip(&["addr", "add", "2018::7/64", "dev", "eth0"]);
    let f = ns.detect_until(10, |f| {
        f.interfaces
            .iter()
            .flat_map(|i| &i.addresses)
            .any(|a| a.address == "2018::7" && a.has_flag("dadfailed"))
    });
    let tentative = addr(&f, "2018::5");
    assert!(tentative.has_flag("tentative"), "{:?}", tentative.flags);
    let failed = addr(&f, "2018::7");
    assert!(failed.has_flag("dadfailed"), "{:?}", failed.flags);
    assert!(
        failed.has_flag("tentative"),
        "the kernel keeps dadfailed addresses tentative"
    );
    assert_eq!(f.suggested.ipv6_interface.as_deref(), Some("eth0"));
    assert_eq!(f.suggested.ipv6.as_deref(), Some("2018::8"));
    let ids = warning_ids(&f);
    assert!(ids.contains(&"duplicate-address"), "{ids:?}");
}

#[test]
fn deprecated_address_is_flagged_and_skipped() {
    let (Some(ns), Some(lab)) = (Netns::new("deprec"), Netns::new("lab")) else {
        return;
    };
    one_nic(&ns, &lab, "eth0", "sw0");
    ns.ip(&[
        "addr",
        "add",
        "2018::30/64",
        "dev",
        "eth0",
        "nodad",
        "preferred_lft",
        "0",
        "valid_lft",
        "600",
    ]);
    ns.ip(&["addr", "add", "2018::31/64", "dev", "eth0", "nodad"]);
    let f = ns.detect();
    assert!(addr(&f, "2018::30").has_flag("deprecated"));
    assert!(!addr(&f, "2018::31").has_flag("deprecated"));
    assert_eq!(f.suggested.ipv6.as_deref(), Some("2018::31"));

    // Only deprecated left: nothing suggested, and the warning says why.
    ns.ip(&["addr", "del", "2018::31/64", "dev", "eth0"]);
    let f = ns.detect();
    assert_eq!(f.suggested.ipv6, None);
    assert!(
        warning_ids(&f).contains(&"no-usable-ipv6"),
        "{:?}",
        f.warnings
    );
}

#[test]
fn ipv6_disabled_by_sysctl_is_a_blocking_warning() {
    let (Some(ns), Some(lab)) = (Netns::new("nov6"), Netns::new("lab")) else {
        return;
    };
    one_nic(&ns, &lab, "eth0", "sw0");
    ns.ip(&["addr", "add", "10.2.0.5/24", "dev", "eth0"]);
    ns.ip(&["addr", "add", "2018::40/64", "dev", "eth0", "nodad"]);
    ns.sysctl("net.ipv6.conf.all.disable_ipv6=1");
    let f = ns.detect();
    assert_eq!(f.sysctls["net.ipv6.conf.all.disable_ipv6"], "1");
    assert!(
        f.interfaces
            .iter()
            .flat_map(|i| &i.addresses)
            .all(|a| a.family == "ipv4"),
        "disable_ipv6 removes every IPv6 address"
    );
    let w = f.warnings.iter().find(|w| w.id == "ipv6-disabled").unwrap();
    assert!(w.blocking);
    assert!(w.message.contains("net.ipv6.conf.all.disable_ipv6 = 1"));
    assert_eq!(f.suggested.ipv4.as_deref(), Some("10.2.0.5"));
}

#[test]
fn no_default_route_is_reported_and_suggestions_still_made() {
    let (Some(ns), Some(lab)) = (Netns::new("noroute"), Netns::new("lab")) else {
        return;
    };
    one_nic(&ns, &lab, "eth0", "sw0");
    ns.ip(&["addr", "add", "10.3.0.5/24", "dev", "eth0"]);
    ns.ip(&["addr", "add", "2018::50/64", "dev", "eth0", "nodad"]);
    let f = ns.detect();
    assert!(f.default_routes.is_empty(), "{:?}", f.default_routes);
    let ids = warning_ids(&f);
    assert!(ids.contains(&"no-ipv4-default-route"), "{ids:?}");
    assert!(ids.contains(&"no-ipv6-default-route"), "{ids:?}");
    assert_eq!(f.suggested.ipv6.as_deref(), Some("2018::50"));
    assert_eq!(f.suggested.ipv4.as_deref(), Some("10.3.0.5"));
}

#[test]
fn of_two_ipv6_nics_the_default_route_one_wins() {
    let (Some(ns), Some(lab)) = (Netns::new("twov6"), Netns::new("lab")) else {
        return;
    };
    one_nic(&ns, &lab, "eth0", "sw0");
    one_nic(&ns, &lab, "eth1", "sw1");
    ns.ip(&["addr", "add", "2018::60/64", "dev", "eth0", "nodad"]);
    ns.ip(&["addr", "add", "2019::60/64", "dev", "eth1", "nodad"]);
    ns.ip(&[
        "-6", "route", "add", "default", "via", "2019::1", "dev", "eth1",
    ]);
    let f = ns.detect();
    assert_eq!(f.suggested.ipv6_interface.as_deref(), Some("eth1"));
    assert_eq!(f.suggested.ipv6.as_deref(), Some("2019::60"));
    assert!(
        f.suggested.reasons[0].contains("eth0 also qualifies"),
        "{:?}",
        f.suggested.reasons
    );
}

#[test]
fn five_hundred_interfaces_on_a_bridge() {
    let Some(ns) = Netns::new("many") else {
        return;
    };
    build_many(&ns, false);
    let start = std::time::Instant::now();
    let f = ns.detect();
    let took = start.elapsed();
    assert_eq!(f.interfaces.len(), 502, "lo + br0 + 500 veth");
    assert_eq!(nic(&f, "br0").kind, "bridge");
    assert_eq!(nic(&f, "v17a").master.as_deref(), Some("br0"));
    assert_eq!(nic(&f, "v17b").master, None);
    assert_eq!(addr(&f, "10.50.0.18").prefix, 16);
    assert!(f.sysctls.contains_key("net.ipv6.conf.v249b.accept_ra"));
    assert!(f.detection_errors.is_empty(), "{:?}", f.detection_errors);
    eprintln!("detect with 502 interfaces: {took:?}");
    assert!(took.as_secs() < 20, "detect took {took:?}");
}

#[test]
fn multipath_default_route_lists_every_next_hop() {
    let (Some(ns), Some(lab)) = (Netns::new("ecmp"), Netns::new("lab")) else {
        return;
    };
    one_nic(&ns, &lab, "eth0", "sw0");
    one_nic(&ns, &lab, "eth1", "sw1");
    ns.ip(&["addr", "add", "10.4.0.5/24", "dev", "eth0"]);
    ns.ip(&["addr", "add", "10.5.0.5/24", "dev", "eth1"]);
    ns.ip(&[
        "route", "add", "default", "nexthop", "via", "10.4.0.1", "dev", "eth0", "nexthop", "via",
        "10.5.0.1", "dev", "eth1",
    ]);
    let f = ns.detect();
    let hops: Vec<(Option<&str>, Option<&str>)> = f
        .default_routes
        .iter()
        .filter(|r| r.family == "ipv4")
        .map(|r| (r.interface.as_deref(), r.gateway.as_deref()))
        .collect();
    assert_eq!(
        hops,
        [
            (Some("eth0"), Some("10.4.0.1")),
            (Some("eth1"), Some("10.5.0.1"))
        ]
    );
    assert_eq!(f.suggested.ipv4.as_deref(), Some("10.4.0.5"));
}

/// An interface named with an escape sequence (Linux allows any byte but '/', ':' and
/// whitespace): the table shows it as text, the JSON keeps the exact name.
#[test]
fn an_interface_name_with_escapes_is_shown_as_text() {
    let (Some(ns), Some(lab)) = (Netns::new("escname"), Netns::new("esclab")) else {
        return;
    };
    let evil = "e\x1b]0;x\x07";
    one_nic(&ns, &lab, evil, "peer0");
    let out = ns.exec(&detect_support::bin(), &["detect"]);
    assert!(out.status.success());
    assert!(
        !out.stdout.iter().any(|b| *b == 0x1b || *b == 0x07),
        "raw escapes in the table: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let table = String::from_utf8(out.stdout).unwrap();
    let row = table
        .lines()
        .find(|l| l.starts_with("e\\x1b]0;x\\x07"))
        .unwrap_or_else(|| panic!("no row for the interface:\n{table}"));
    assert!(row.contains("veth"), "{row}");
    let json = ns.exec(&detect_support::bin(), &["detect", "--json"]);
    assert!(!json.stdout.iter().any(|b| *b == 0x1b || *b == 0x07));
    let facts = ns.detect();
    assert!(facts.interfaces.iter().any(|i| i.name == evil));
}

/// Files planted under a test root (path under the root, contents).
type Files<'a> = &'a [(&'a str, &'a str)];

/// A test root holding a runtime's socket and configuration files (as the runtime's own
/// packages write them), read by `detect --root`.
fn runtime_root(files: Files) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let p = t.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    t
}

/// `detect --json --root DIR` in the seed's node01 namespace, with `path` as PATH.
fn detect_root(ns: &Netns, root: &std::path::Path, path: &str) -> serde_json::Value {
    let out = ns.exec(
        std::path::Path::new("/usr/bin/env"),
        &[
            &format!("PATH={path}"),
            detect_support::bin().to_str().unwrap(),
            "detect",
            "--json",
            "--root",
            root.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The runtime's cgroup driver from its real configuration formats, and `plan --host`
/// refusing a kubelet driver the runtime does not use.
#[test]
fn the_runtime_s_cgroup_driver_is_read_and_checked() {
    let (Some(ns), Some(lab)) = (Netns::new("cgroup"), Netns::new("lab")) else {
        return;
    };
    build_node01(&ns, &lab);
    let sock = ("run/containerd/containerd.sock", "");
    let cases: [(&str, Files, &str, &str); 6] = [
        // containerd 1.3/1.4 version 1 format.
        (
            "containerd",
            &[
                sock,
                (
                    "etc/containerd/config.toml",
                    "[plugins]\n  [plugins.cri]\n    systemd_cgroup = true\n",
                ),
            ],
            "systemd",
            "/etc/containerd/config.toml",
        ),
        // containerd 1.5–1.7 version 2 format, runc options.
        (
            "containerd",
            &[
                sock,
                (
                    "etc/containerd/config.toml",
                    "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n",
                ),
            ],
            "systemd",
            "/etc/containerd/config.toml",
        ),
        // containerd 2.x version 3 format.
        (
            "containerd",
            &[
                sock,
                (
                    "etc/containerd/config.toml",
                    "version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = false\n",
                ),
            ],
            "cgroupfs",
            "/etc/containerd/config.toml",
        ),
        // CRI-O: a drop-in turns the main file's systemd to cgroupfs.
        (
            "crio",
            &[
                ("var/run/crio/crio.sock", ""),
                (
                    "etc/crio/crio.conf",
                    "[crio.runtime]\ncgroup_manager = \"systemd\"\n",
                ),
                (
                    "etc/crio/crio.conf.d/10-cgroupfs.conf",
                    "[crio.runtime]\ncgroup_manager = \"cgroupfs\"\nconmon_cgroup = \"pod\"\n",
                ),
            ],
            "cgroupfs",
            "/etc/crio/crio.conf.d/10-cgroupfs.conf",
        ),
        // docker with no CLI on PATH: its daemon.json.
        (
            "docker",
            &[
                ("var/run/dockershim.sock", ""),
                (
                    "etc/docker/daemon.json",
                    "{\"exec-opts\": [\"native.cgroupdriver=systemd\"]}\n",
                ),
            ],
            "systemd",
            "/etc/docker/daemon.json",
        ),
        ("containerd", &[sock], "cgroupfs", "default"),
    ];
    for (runtime, files, driver, source) in cases {
        let root = runtime_root(files);
        let v = detect_root(&ns, root.path(), "/nonexistent");
        let c = &v["cgroupDriver"];
        assert_eq!(
            (
                c["runtime"].as_str(),
                c["driver"].as_str(),
                c["source"].as_str()
            ),
            (Some(runtime), Some(driver), Some(source)),
            "{files:?}: {c}"
        );
    }

    // docker's own answer wins over daemon.json; a daemon that does not answer falls back.
    let bin = tempfile::tempdir().unwrap();
    let docker = bin.path().join("docker");
    let stand_in = |script: &str| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&docker, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    let root = runtime_root(&[
        ("var/run/dockershim.sock", ""),
        (
            "etc/docker/daemon.json",
            "{\"exec-opts\": [\"native.cgroupdriver=systemd\"]}\n",
        ),
    ]);
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    stand_in(
        "case \"$1\" in --version) echo 'Docker version 19.03.12, build 48a66213fe';; info) echo cgroupfs;; esac",
    );
    let c = detect_root(&ns, root.path(), &path)["cgroupDriver"].clone();
    assert_eq!(
        (c["driver"].as_str(), c["source"].as_str()),
        (Some("cgroupfs"), Some("docker info")),
        "{c}"
    );
    stand_in(
        "case \"$1\" in --version) echo 'Docker version 19.03.12, build 48a66213fe';; info) echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1;; esac",
    );
    let c = detect_root(&ns, root.path(), &path)["cgroupDriver"].clone();
    assert_eq!(c["driver"].as_str(), Some("systemd"), "{c}");
    assert_eq!(
        c["source"].as_str(),
        Some(
            "docker info did not answer: exited with status 1: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?; from /etc/docker/daemon.json"
        )
    );

    // plan --host: v1.31 gives the kubelet systemd; a cgroupfs containerd is refused on
    // kubernetes.cgroupDriver, a systemd one is not.
    let answers = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/answers/modern-v1.31-ipv6-primary.yaml");
    let plan_host = |root: &std::path::Path| {
        let out = ns.exec(
            &detect_support::bin(),
            &[
                "plan",
                "--answers",
                answers.to_str().unwrap(),
                "--host",
                "--root",
                root.to_str().unwrap(),
            ],
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let cgroupfs = runtime_root(&[sock, ("etc/containerd/config.toml", "version = 2\n")]);
    let text = plan_host(cgroupfs.path());
    assert!(
        text.contains("kubernetes.cgroupDriver")
            && text.contains("the kubelet would use the systemd cgroup driver but containerd uses cgroupfs (/etc/containerd/config.toml)"),
        "{text}"
    );
    let systemd = runtime_root(&[
        sock,
        (
            "etc/containerd/config.toml",
            "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n",
        ),
    ]);
    let text = plan_host(systemd.path());
    assert!(!text.contains("kubernetes.cgroupDriver"), "{text}");
    assert!(
        !text.contains("criSocket"),
        "the socket under the root is found: {text}"
    );
}
