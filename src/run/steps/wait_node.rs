//! `wait.node`: the first node Ready, polled with `kubectl get nodes -o json` against the
//! step's deadline (kubectl 1.19 has no `wait --for=jsonpath`), the last state seen
//! reported: a NotReady node's Ready condition message is the evidence
//! ("container runtime network not ready ... cni plugin not initialized").

use super::calico::get;
use super::common;
use super::probe_texts::said;
use crate::message::Said;
use crate::run::diagnose::coded;
use crate::run::kubectl;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use std::time::{Duration, Instant};

pub struct WaitNode {
    pub node: String,
    /// How long to wait before failing (under the step's deadline).
    pub timeout: Duration,
    /// Where calico-node runs (`wait_calico::namespace`): a crash loop there ends the wait.
    pub calico_namespace: &'static str,
}

/// The node's Ready condition: Ok(()) when True, else Err(what it says).
pub fn ready(nodes: &serde_json::Value, name: &str) -> Result<(), Said> {
    let Some(n) = nodes["items"]
        .as_array()
        .and_then(|i| i.iter().find(|n| n["metadata"]["name"] == name))
    else {
        return Err(said("probe.node.unregistered", &[&name]));
    };
    condition(n)
}

/// A Node object's Ready condition: Ok(()) when True, else Err(its status, reason and
/// message, the kubelet's own words).
pub fn condition(node: &serde_json::Value) -> Result<(), Said> {
    let c = node["status"]["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"));
    match c {
        Some(c) if c["status"] == "True" => Ok(()),
        Some(c) => Err(said(
            "probe.node.not_ready",
            &[
                &c["status"].as_str().unwrap_or("?"),
                &c["reason"].as_str().unwrap_or(""),
                &c["message"].as_str().unwrap_or(""),
            ],
        )),
        None => Err(said("probe.node.no_condition", &[])),
    }
}

/// The node's state as kubectl shows it now.
fn state(cx: &dyn StepCx, node: &str) -> Result<(), Said> {
    get(cx, &kubectl::get_nodes())
        .map_err(Said::from)
        .and_then(|n| ready(&n, node))
}

impl Step for WaitNode {
    fn id(&self) -> String {
        "wait.node".into()
    }
    fn deadline(&self) -> Duration {
        self.timeout + Duration::from_secs(30)
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        if !common::cluster_exists(cx) {
            return Ok(Probe::Needed(common::no_cluster()));
        }
        Ok(match state(cx, &self.node) {
            Ok(()) => Probe::Done(said("probe.node.ready", &[&self.node])),
            Err(e) => Probe::Needed(e),
        })
    }
    fn changes(&self, _cx: &mut dyn StepCx) -> Vec<Change> {
        vec![Change::Note(said("change.wait_node", &[&self.node]))]
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let until = Instant::now() + self.timeout;
        let mut last = String::new();
        loop {
            match state(cx, &self.node).map_err(|e| e.text) {
                Ok(()) => return Ok(()),
                Err(e) if e != last => {
                    cx.say(&format!("node {}: {e}", self.node));
                    last = e;
                }
                Err(_) => {}
            }
            // A node waiting for its pod network whose calico-node crash-loops will never be
            // Ready: say why now, not at the deadline.
            if (last.contains("cni") || last.contains("network"))
                && let super::wait_calico::Seen::Crashing(pod, state) =
                    super::wait_calico::look(cx, self.calico_namespace)
            {
                return Err(super::wait_calico::crashloop_failure(
                    cx,
                    self.calico_namespace,
                    &pod,
                    &state,
                ));
            }
            if Instant::now() >= until {
                let code = if last.contains("cni") || last.contains("network") {
                    "run.wait_node.no_network"
                } else if last.contains("stopped posting") || last.contains("Unknown") {
                    "run.wait_node.kubelet_stopped"
                } else {
                    "run.wait_node.not_ready"
                };
                return Err(coded(code, &[&self.node, &self.timeout.as_secs(), &last]));
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}
