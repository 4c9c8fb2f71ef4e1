//! Network namespaces for the detection tests: created with `ip netns add`, always deleted by
//! a Drop guard, and skipped with a message when the test cannot create them (not root) —
//! unless DSINSTALL_REQUIRE_NETNS=1, where that is a failure.
#![allow(dead_code)]

use dsinstall::host::HostFacts;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub struct Netns {
    pub name: String,
}

fn required() -> bool {
    std::env::var("DSINSTALL_REQUIRE_NETNS").is_ok_and(|v| v == "1")
}

fn skip(why: &str) -> Option<Netns> {
    if required() {
        panic!("DSINSTALL_REQUIRE_NETNS=1 but network namespaces are unavailable: {why}");
    }
    eprintln!("SKIPPED: network namespace tests need root and `ip netns` ({why})");
    None
}

fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

impl Netns {
    /// A fresh namespace named after the test, or None (skip) when it cannot be made.
    pub fn new(tag: &str) -> Option<Netns> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return skip("not running as root");
        }
        let name = format!(
            "dsi-{tag}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        match Command::new("ip").args(["netns", "add", &name]).output() {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                return skip(&format!(
                    "ip netns add failed: {}",
                    String::from_utf8_lossy(&o.stderr).trim()
                ));
            }
            Err(e) => return skip(&format!("cannot run ip: {e}")),
        }
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"]);
        Some(ns)
    }

    /// `ip -n NS args...`, which must succeed.
    pub fn ip(&self, args: &[&str]) {
        let out = run(Command::new("ip").arg("-n").arg(&self.name).args(args));
        assert!(
            out.status.success(),
            "ip -n {} {}: {}",
            self.name,
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Many `ip` commands at once (`ip -batch`), for the 500-interface namespace.
    pub fn ip_batch(&self, lines: &[String]) {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("batch");
        std::fs::write(&f, lines.join("\n") + "\n").unwrap();
        let out = run(Command::new("ip")
            .arg("-n")
            .arg(&self.name)
            .arg("-batch")
            .arg(&f));
        assert!(
            out.status.success(),
            "ip -batch: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `ip netns exec NS program args...`
    pub fn exec(&self, program: &Path, args: &[&str]) -> Output {
        run(Command::new("ip")
            .args(["netns", "exec", &self.name])
            .arg(program)
            .args(args))
    }

    /// `sysctl -w key=value` inside the namespace, written to /proc/sys directly (procps'
    /// sysctl may be missing on a minimal CI image).
    pub fn sysctl(&self, setting: &str) {
        let (key, value) = setting.split_once('=').expect("key=value");
        let path = format!("/proc/sys/{}", key.replace('.', "/"));
        let out = self.exec(
            Path::new("/bin/sh"),
            &["-c", &format!("echo {value} > {path}")],
        );
        assert!(out.status.success(), "sysctl -w {setting}: {out:?}");
    }

    /// The /etc/hosts that `ip netns exec` bind-mounts for this namespace (ip-netns(8)).
    pub fn hosts(&self, text: &str) {
        let dir = self.etc_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("hosts"), text).unwrap();
    }

    fn etc_dir(&self) -> PathBuf {
        PathBuf::from("/etc/netns").join(&self.name)
    }

    /// `dsinstall detect --json` run inside the namespace, parsed.
    pub fn detect(&self) -> HostFacts {
        let out = self.exec(&bin(), &["detect", "--json"]);
        assert!(
            out.status.success(),
            "detect --json failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "detect --json printed what HostFacts cannot read ({e}):\n{}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Poll `detect` until `done` holds (DAD takes a second or two), at most `secs`.
    pub fn detect_until(&self, secs: u64, done: impl Fn(&HostFacts) -> bool) -> HostFacts {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let f = self.detect();
            if done(&f) || std::time::Instant::now() > deadline {
                return f;
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .output();
        let _ = std::fs::remove_dir_all(self.etc_dir());
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dsinstall"))
}

/// The hostname `ip netns exec` keeps (a network namespace shares the UTS namespace).
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The seed's node01 in `ns` (`ip addr` in the seed post): ens192 with 111.111.111.121/24,
/// 192.168.206.4/24 and the keepalived VIP 111.111.111.120/32; ens224 with 2018::21/64
/// noprefixroute, 2018::20/64 and its link-local; defaults via 111.111.111.1 and 2018::1.
/// The veth peers live in `lab`, the switch side, so `ns` sees only lo, ens192 and ens224.
pub fn build_node01(ns: &Netns, lab: &Netns) {
    for (nic, peer, mac) in [
        ("ens192", "sw192", "00:50:56:8c:17:6f"),
        ("ens224", "sw224", "00:50:56:8c:e4:71"),
    ] {
        ns.ip(&[
            "link", "add", nic, "address", mac, "type", "veth", "peer", "name", peer, "netns",
            &lab.name,
        ]);
        // No kernel-made link-local: the seed's own is added below, already past DAD.
        ns.ip(&["link", "set", nic, "addrgenmode", "none"]);
        ns.ip(&["link", "set", nic, "up"]);
        lab.ip(&["link", "set", peer, "up"]);
    }
    for a in [
        "111.111.111.121/24",
        "192.168.206.4/24",
        "111.111.111.120/32",
    ] {
        ns.ip(&["addr", "add", a, "dev", "ens192", "noprefixroute"]);
    }
    ns.ip(&[
        "addr",
        "add",
        "fe80::250:56ff:fe8c:176f/64",
        "dev",
        "ens192",
        "nodad",
    ]);
    ns.ip(&[
        "addr",
        "add",
        "2018::21/64",
        "dev",
        "ens224",
        "noprefixroute",
        "nodad",
    ]);
    ns.ip(&["addr", "add", "2018::20/64", "dev", "ens224", "nodad"]);
    ns.ip(&[
        "addr",
        "add",
        "fe80::6cd7:3d10:c933:a797/64",
        "dev",
        "ens224",
        "noprefixroute",
        "nodad",
    ]);
    // noprefixroute leaves no connected route to the IPv4 gateway, hence onlink.
    ns.ip(&[
        "route",
        "add",
        "default",
        "via",
        "111.111.111.1",
        "dev",
        "ens192",
        "onlink",
    ]);
    ns.ip(&[
        "-6", "route", "add", "default", "via", "2018::1", "dev", "ens224",
    ]);
    ns.hosts(&format!(
        "127.0.0.1 localhost\n111.111.111.121 {} node01\n111.111.111.122 node02\n",
        hostname()
    ));
}

/// 500 interfaces: a bridge with 250 veth pairs, one end enslaved and up, the other with an
/// IPv4 address (and an IPv6 one when `ipv6`); 502 with `lo` and the bridge.
pub fn build_many(ns: &Netns, ipv6: bool) {
    let mut batch = vec![
        "link add br0 type bridge".to_string(),
        "link set br0 up".into(),
    ];
    for i in 0..250 {
        batch.push(format!("link add v{i}a type veth peer name v{i}b"));
        batch.push(format!("link set v{i}a master br0"));
        if ipv6 {
            batch.push(format!("link set v{i}a up"));
            batch.push(format!("link set v{i}b up"));
        }
        batch.push(format!(
            "addr add 10.50.{}.{}/16 dev v{i}b",
            i / 200,
            i % 200 + 1
        ));
        if ipv6 {
            batch.push(format!("addr add 2018::{:x}/64 dev v{i}b nodad", i + 1));
        }
    }
    ns.ip_batch(&batch);
}
