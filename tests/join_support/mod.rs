//! The join tests' bed (tests/join_sim.rs, tests/join_openssh.rs): a lab with the guide's
//! answers at a version, node01's steps run on it, and the join step of another node.

#![allow(dead_code)]

use super::steps_bed::{self, Bed};
use dsinstall::run::step::{Probe, Step};
use dsinstall::run::steps;
use std::path::PathBuf;
use std::time::Duration;

/// A lab at `version` with `faults`, the guide's answers at that version (then `edit`ed)
/// rendered into it, and a StepCx on its root.
pub fn bed(version: &str, faults: &[&str], edit: impl Fn(String) -> String) -> Bed {
    steps_bed::bed(
        "seed-v1.19.yaml",
        version,
        "calico-v3.15.3.yaml",
        |t| edit(t.replace("version: v1.19.0", &format!("version: {version}"))),
        faults,
    )
}

pub fn guide(faults: &[&str]) -> Bed {
    bed("v1.19.0", faults, |t| t)
}

/// From 1.20 the controller manager's IPv6 node mask defaults to /64: the guide's /112
/// pod subnet needs the guide's own /120.
pub fn node_mask_120(t: String) -> String {
    t.replace(
        "  dnsDomain: cluster.local\n",
        "  dnsDomain: cluster.local\n  nodeMaskSizes: {ipv4: 24, ipv6: 120}\n",
    )
}

pub trait JoinBed {
    /// node01's steps, probe → act, up to wait.calico.
    fn first_node(&mut self);
    /// The join step of `node`, polling fast so the test does not idle.
    fn join(&self, node: &str) -> steps::join::Join;
    /// probe (Needed) → act → probe (Done), failing with the step's lines.
    fn joins(&mut self, node: &str);
    /// A path in the node's login home (root's).
    fn node_home(&self, node: &str, p: &str) -> PathBuf;
    /// The node's InternalIPs as the lab's kubectl shows them.
    fn internal_ips(&self, node: &str) -> Vec<String>;
    /// The node's sysctl and modules files are the rendered ones, under its own root.
    fn assert_node_settings(&self, node: &str) {
        let node_root = self.node_root(node);
        let rendered = |f: &str| std::fs::read_to_string(self.setup().rendered.join(f)).unwrap();
        let on_node = |p: &str| std::fs::read_to_string(node_root.join(p)).ok();
        assert_eq!(
            on_node("etc/sysctl.d/kubernetes.conf"),
            Some(rendered("sysctl-kubernetes.conf"))
        );
        assert_eq!(
            on_node("etc/modules-load.d/kubernetes.conf"),
            Some(rendered("modules-kubernetes.conf"))
        );
    }
    fn node_root(&self, node: &str) -> PathBuf;
    fn setup(&self) -> &steps::Setup;
}

impl JoinBed for Bed {
    fn node_root(&self, node: &str) -> PathBuf {
        self.lab.path().join("hosts").join(node).join("root")
    }
    fn setup(&self) -> &steps::Setup {
        &self.setup
    }
    fn first_node(&mut self) {
        for s in self.steps() {
            let id = s.id();
            if let Probe::Needed(_) = s.probe(&mut self.cx).unwrap()
                && let Err(f) = s.act(&mut self.cx)
            {
                panic!("{id}: {f:?}\n{}", self.cx.text());
            }
            if id == "wait.calico" {
                return;
            }
        }
        panic!("no wait.calico step");
    }
    fn join(&self, node: &str) -> steps::join::Join {
        let j = self
            .setup
            .plan
            .joins
            .iter()
            .find(|j| j.name == node)
            .unwrap();
        let mut s = steps::join::Join::new(&self.setup.answers, &self.setup.plan, j);
        s.poll = Duration::from_millis(200);
        s.join_timeout = Duration::from_secs(60);
        s.wait_timeout = Duration::from_secs(20);
        s
    }
    fn joins(&mut self, node: &str) {
        let s = self.join(node);
        let p = s.probe(&mut self.cx).unwrap();
        assert!(matches!(p, Probe::Needed(_)), "{node} before: {p:?}");
        if let Err(f) = s.act(&mut self.cx) {
            panic!("join.{node}: {f:?}\n{}", self.cx.text());
        }
        let p = s.probe(&mut self.cx).unwrap();
        assert!(matches!(p, Probe::Done(_)), "{node} after: {p:?}");
    }
    fn node_home(&self, node: &str, p: &str) -> PathBuf {
        self.lab
            .path()
            .join("hosts")
            .join(node)
            .join("root/root")
            .join(p)
    }
    fn internal_ips(&self, node: &str) -> Vec<String> {
        let r = self
            .lab
            .run("kubectl", &["get", "nodes", node, "-o", "json"])
            .ok();
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        v["status"]["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["type"] == "InternalIP")
            .map(|a| a["address"].as_str().unwrap().to_string())
            .collect()
    }
}
