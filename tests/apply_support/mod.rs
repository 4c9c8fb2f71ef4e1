//! A node for `dsinstall apply` as a user runs it: the simulated lab's stand-ins on PATH, the
//! node's files under the lab's root, and the guide's node01 interfaces and addresses in a
//! network namespace of its own (so detection and preflight read a real kernel). Skipped
//! without root and `ip netns`, unless DSINSTALL_REQUIRE_NETNS=1.

#![allow(dead_code)]

use crate::common;
use crate::detect_support::{Netns, build_node01};
use crate::sim_support::{BIN, Lab, Run};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Node {
    pub lab: Lab,
    pub ns: Netns,
    switch: Netns,
    /// Whether the switch bridges its ports yet (`peer`).
    bridged: std::sync::Once,
    pub answers: String,
    /// The directory first on PATH: the lab's stand-ins (`lab/bin`) unless a test gives its
    /// own.
    pub bin: PathBuf,
}

/// The guide's answers for `version` with the Calico manifest fixture `calico`, and
/// `nodes:` dropped when `single` (the other nodes' joins are their own tests).
pub fn answers_text(fixture: &str, calico: &str, single: bool) -> String {
    let text = std::fs::read_to_string(common::fixture(&format!("answers/{fixture}"))).unwrap();
    let mut text = text.replace(
        "calico:\n",
        &format!(
            "calico:\n  manifest: {}\n",
            common::fixture(&format!("calico/{calico}")).display()
        ),
    );
    if single {
        // Drop `nodes:` and its list, up to the next top-level key.
        let mut skipping = false;
        let mut kept = String::new();
        for l in text.lines() {
            if l.starts_with("nodes:") {
                skipping = true;
                continue;
            }
            if skipping && (l.starts_with(' ') || l.starts_with('-')) {
                continue;
            }
            skipping = false;
            kept.push_str(l);
            kept.push('\n');
        }
        text = kept;
    }
    text
}

/// The answers with the guide's node masks given: kubeadm's default IPv6 node mask from
/// 1.20 is /64, wider than the guide's /112 pod subnet.
pub fn with_node_masks(text: &str) -> String {
    text.replace(
        "  dnsDomain: cluster.local\n",
        "  dnsDomain: cluster.local\n  nodeMaskSizes: {ipv4: 24, ipv6: 120}\n",
    )
}

/// The guide's node01 alone at `version`, its node masks given.
pub fn guide_single(version: &str) -> String {
    with_node_masks(
        &answers_text("seed-v1.19.yaml", "calico-v3.15.3.yaml", true)
            .replace("version: v1.19.0", &format!("version: {version}")),
    )
}

/// The guide's three nodes at `version`, node masks given as in `guide_single`.
pub fn guide_three(version: &str) -> String {
    with_node_masks(
        &answers_text("seed-v1.19.yaml", "calico-v3.15.3.yaml", false)
            .replace("version: v1.19.0", &format!("version: {version}")),
    )
}

impl Node {
    /// A lab at `version` with `faults` and its node01 in a namespace; None: skipped.
    pub fn new(tag: &str, version: &str, answers: &str, faults: &[&str]) -> Option<Node> {
        let ns = Netns::new(tag)?;
        let switch = Netns::new(&format!("{tag}s"))?;
        build_node01(&ns, &switch);
        let lab_answers = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(lab_answers.path(), answers).unwrap();
        let mut extra = vec!["--lab", lab_answers.path().to_str().unwrap()];
        for f in faults {
            extra.extend(["--fault", f]);
        }
        let lab = Lab::new(version, &extra);
        let path = lab.file("answers.yaml", answers);
        let bin = lab.path().join("bin");
        Some(Node {
            lab,
            ns,
            switch,
            bridged: std::sync::Once::new(),
            answers: path,
            bin,
        })
    }

    /// Another of the guide's nodes (`name`, at `ipv4`/24 on its ens192 and `ipv6`/64 on
    /// its ens224) in a namespace of its own, on node01's switch. The first call makes the
    /// switch a switch: a bridge for each of node01's networks, holding the guide's gateways
    /// 111.111.111.1 and 2018::1, forwarding. node01's IPv4 addresses are `noprefixroute`
    /// (the seed's `ip addr`), so it reaches the other nodes through that gateway, as on
    /// the guide's lab; its 2018::20/64 has a prefix route, so IPv6 goes straight to them.
    pub fn peer(&self, name: &str, ipv4: &str, ipv6: &str) -> Option<Netns> {
        let ns = Netns::new(name)?;
        let sw = &self.switch;
        self.bridged.call_once(|| {
            for (bridge, port, gateway) in [
                ("br192", "sw192", "111.111.111.1/24"),
                ("br224", "sw224", "2018::1/64"),
            ] {
                // No STP and no forwarding delay: a port forwards once it is up.
                sw.ip(&[
                    "link",
                    "add",
                    bridge,
                    "type",
                    "bridge",
                    "stp_state",
                    "0",
                    "forward_delay",
                    "0",
                ]);
                sw.ip(&["link", "set", port, "master", bridge]);
                sw.ip(&["addr", "add", gateway, "dev", bridge, "nodad"]);
                sw.ip(&["link", "set", bridge, "up"]);
            }
            sw.sysctl("net.ipv4.ip_forward=1");
            sw.sysctl("net.ipv6.conf.all.forwarding=1");
        });
        for (nic, bridge, family) in [("ens192", "br192", "4"), ("ens224", "br224", "6")] {
            let port = format!("{name}v{family}");
            ns.ip(&[
                "link", "add", nic, "type", "veth", "peer", "name", &port, "netns", &sw.name,
            ]);
            ns.ip(&["link", "set", nic, "up"]);
            sw.ip(&["link", "set", &port, "master", bridge]);
            sw.ip(&["link", "set", &port, "up"]);
        }
        ns.ip(&["addr", "add", &format!("{ipv4}/24"), "dev", "ens192"]);
        ns.ip(&[
            "addr",
            "add",
            &format!("{ipv6}/64"),
            "dev",
            "ens224",
            "nodad",
        ]);
        ns.ip(&["route", "add", "default", "via", "111.111.111.1"]);
        ns.ip(&["-6", "route", "add", "default", "via", "2018::1"]);
        Some(ns)
    }

    /// `name`'s InternalIPs as the lab's API has them, in its order; None: no such Node.
    pub fn internal_ips(&self, name: &str) -> Option<Vec<String>> {
        let got = self
            .lab
            .run("kubectl", &["get", "nodes", "-o", "json"])
            .ok();
        let v: serde_json::Value = serde_json::from_str(&got.stdout).unwrap();
        let node = v["items"]
            .as_array()?
            .iter()
            .find(|i| i["metadata"]["name"] == name)?;
        Some(
            node["status"]["addresses"]
                .as_array()?
                .iter()
                .filter(|a| a["type"] == "InternalIP")
                .filter_map(|a| a["address"].as_str().map(str::to_string))
                .collect(),
        )
    }

    pub fn root(&self, p: &str) -> PathBuf {
        self.lab.root(p)
    }

    pub fn state(&self) -> PathBuf {
        self.lab.path().join("var/lib/dsinstall")
    }

    pub fn logs(&self) -> PathBuf {
        self.lab.path().join("var/log/dsinstall")
    }

    /// A dsinstall command in the node's namespace with the lab's environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let bin = &self.bin;
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns.name, BIN])
            .args(args)
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    bin.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("DSINSTALL_SIM", self.lab.path())
            .env("DSINSTALL_STATE_DIR", self.state())
            .env("DSINSTALL_LOG_DIR", self.logs())
            .env("KUBECONFIG", self.root("/etc/kubernetes/admin.conf"))
            .env_remove("DSINSTALL_SIM_HOST")
            .env_remove("DSINSTALL_KUBEADM")
            .env_remove("DSINSTALL_KUBECTL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// `apply --answers A --root ROOT --yes` as a command, to start in the background.
    pub fn apply_command(&self) -> Command {
        let root = self.lab.path().join("root");
        self.command(&[
            "apply",
            "--answers",
            &self.answers,
            "--root",
            root.to_str().unwrap(),
            "--yes",
        ])
    }

    pub fn run(&self, args: &[&str]) -> Run {
        output(&mut self.command(args))
    }

    /// `apply --answers A --root ROOT --yes` and `extra`.
    pub fn apply(&self, extra: &[&str]) -> Run {
        output(self.apply_command().args(extra))
    }

    pub fn status(&self) -> serde_json::Value {
        let r = self.run(&["status", "--json"]);
        assert_eq!(r.code, 0, "status: {}", r.stderr);
        serde_json::from_str(&r.stdout).unwrap()
    }

    /// The step ids of `status --json` in the given state.
    pub fn steps_in(&self, state: &str) -> Vec<String> {
        self.status()["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["state"] == state)
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    }

    pub fn journal(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.state().join("journal.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// How often the journal says `step` was started.
    pub fn starts_of(&self, step: &str) -> usize {
        self.journal()
            .iter()
            .filter(|e| e["event"] == "stepStarted" && e["step"] == step)
            .count()
    }

    pub fn log_text(&self) -> String {
        let rec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(self.state().join("run.json")).unwrap())
                .unwrap();
        std::fs::read_to_string(rec["log"].as_str().unwrap()).unwrap()
    }

    /// The run's secrets, from its record.
    pub fn secrets(&self) -> (String, String) {
        let rec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(self.state().join("run.json")).unwrap())
                .unwrap();
        (
            rec["token"].as_str().unwrap().to_string(),
            rec["certificateKey"].as_str().unwrap().to_string(),
        )
    }

    /// The runner's pid while it is alive (the last runStarted's), None when none holds the lock.
    pub fn runner_pid(&self) -> Option<i32> {
        self.journal()
            .iter()
            .rev()
            .find(|e| e["event"] == "runStarted")
            .and_then(|e| e["pid"].as_i64())
            .map(|p| p as i32)
            .filter(|p| Path::new(&format!("/proc/{p}")).exists())
    }

    pub fn sim(&self, args: &[&str]) -> Run {
        self.lab.sim(args)
    }
}

/// Run `cmd` to its end and keep what it printed.
fn output(cmd: &mut Command) -> Run {
    let o = cmd.output().unwrap();
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Wait until `f` holds, up to `secs`.
pub fn wait_until(secs: u64, what: &str, f: impl Fn() -> bool) {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !f() {
        assert!(
            std::time::Instant::now() < until,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
