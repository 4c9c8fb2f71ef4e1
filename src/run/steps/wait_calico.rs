//! `wait.calico`: calico-node running and ready on the node — its DaemonSet scheduled
//! (`desiredNumberScheduled > 0` first: rollout status says "rolled out" at 0) and every
//! pod ready — polled with `kubectl get -o json`. A calico-node crash-looping fails at
//! once with its last log lines (`kubectl logs --tail`), which name the cause (most often
//! autodetection that finds no address).

use super::calico::get;
use super::common;
use super::probe_texts::said;
use crate::answers::CalicoInstall;
use crate::plan::Plan;
use crate::run::diagnose::coded;
use crate::run::kubectl;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use serde_json::Value;
use std::time::{Duration, Instant};

pub struct WaitCalico {
    pub plan: Plan,
    pub timeout: Duration,
}

/// Restarts after which a CrashLoopBackOff is taken as final, not a slow start.
const CRASH_RESTARTS: u64 = 3;

/// What the calico-node pods show.
#[derive(Debug, PartialEq)]
pub enum Seen {
    Ready(usize),
    Waiting(String),
    /// A crash-looping pod: its name and the state.
    Crashing(String, String),
}

pub fn assess(pods: &Value) -> Seen {
    let items = pods["items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return Seen::Waiting("no calico-node pod yet".into());
    }
    let mut waiting = Vec::new();
    for p in &items {
        let name = p["metadata"]["name"].as_str().unwrap_or("?").to_string();
        let statuses = p["status"]["containerStatuses"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for s in &statuses {
            let reason = s["state"]["waiting"]["reason"].as_str().unwrap_or("");
            if reason == "CrashLoopBackOff"
                && s["restartCount"].as_u64().unwrap_or(0) >= CRASH_RESTARTS
            {
                return Seen::Crashing(
                    name,
                    format!(
                        "CrashLoopBackOff after {} restarts",
                        s["restartCount"].as_u64().unwrap_or(0)
                    ),
                );
            }
        }
        let ready = statuses.iter().all(|s| s["ready"] == true) && !statuses.is_empty();
        if !ready {
            let why = statuses
                .iter()
                .find_map(|s| s["state"]["waiting"]["reason"].as_str())
                .or_else(|| p["status"]["phase"].as_str())
                .unwrap_or("not ready");
            waiting.push(format!("{name}: {why}"));
        }
    }
    if waiting.is_empty() {
        Seen::Ready(items.len())
    } else {
        Seen::Waiting(waiting.join(", "))
    }
}

/// Where calico-node runs: kube-system from the manifest, calico-system from the operator.
pub fn namespace(plan: &crate::plan::Plan) -> &'static str {
    if plan.calico.install == CalicoInstall::Operator {
        "calico-system"
    } else {
        "kube-system"
    }
}

/// calico-node's pods as they are now.
pub fn look(cx: &dyn StepCx, namespace: &str) -> Seen {
    match get(
        cx,
        &kubectl::get_selected("pods", namespace, "k8s-app=calico-node"),
    ) {
        Ok(p) => assess(&p),
        Err(e) => Seen::Waiting(e),
    }
}

/// The failure of a crash-looping calico-node: its last log lines into the step's record,
/// the telling one as the evidence, the autodetection as the fix.
pub fn crashloop_failure(cx: &mut dyn StepCx, namespace: &str, pod: &str, state: &str) -> Failure {
    let args = kubectl::logs_tail(namespace, pod, "calico-node", 20);
    let logs = crate::run::steps::common::capture(&kubectl::command(
        cx,
        &args,
        crate::run::steps::common::QUICK,
    ))
    .map(|(_, o)| o)
    .unwrap_or_default();
    for l in logs.lines() {
        cx.say(&format!("{pod}: {l}"));
    }
    let evidence = logs
        .lines()
        .rev()
        .find(|l| l.contains("[WARNING]") || l.contains("[ERROR]") && !l.contains("Terminating"))
        .or_else(|| logs.lines().rev().find(|l| !l.trim().is_empty()))
        .map(|l| l.trim());
    match evidence {
        Some(l) => coded("run.calico.crashloop", &[&pod, &state, &l]),
        None => coded("run.calico.crashloop.silent", &[&pod, &state]),
    }
}

impl WaitCalico {
    fn namespace(&self) -> &'static str {
        namespace(&self.plan)
    }
    fn look(&self, cx: &dyn StepCx) -> Seen {
        look(cx, self.namespace())
    }
}

impl Step for WaitCalico {
    fn id(&self) -> String {
        "wait.calico".into()
    }
    fn deadline(&self) -> Duration {
        self.timeout + Duration::from_secs(30)
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        Ok(match self.look(cx) {
            _ if !common::cluster_exists(cx) => Probe::Needed(common::no_cluster()),
            Seen::Ready(n) => Probe::Done(said("probe.calico.ready", &[&n])),
            Seen::Waiting(w) | Seen::Crashing(_, w) => Probe::Needed(w.into()),
        })
    }
    fn changes(&self, _cx: &mut dyn StepCx) -> Vec<Change> {
        vec![Change::Note(said(
            "change.wait_calico",
            &[&self.namespace()],
        ))]
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let until = Instant::now() + self.timeout;
        let mut last = String::new();
        loop {
            match self.look(cx) {
                Seen::Ready(_) => return Ok(()),
                Seen::Crashing(pod, state) => {
                    return Err(crashloop_failure(cx, self.namespace(), &pod, &state));
                }
                Seen::Waiting(w) => {
                    if w != last {
                        cx.say(&format!("calico-node: {w}"));
                        last = w;
                    }
                }
            }
            if Instant::now() >= until {
                return Err(coded(
                    "run.calico.not_ready",
                    &[&self.timeout.as_secs(), &last, &self.namespace()],
                ));
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}
