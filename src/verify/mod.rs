//! The built-in checks (checks.md): is the running cluster dual-stack, per family.
//! `report` is the shared shape every front end prints (text, `--json`, JUnit, the wizard).
//!
//! Independent checks run at once, each on its own thread with its own deadline, polling
//! the thing itself: the run takes about as long as its slowest check.

pub mod calico;
pub mod check;
pub mod dns;
pub mod expect;
pub mod host;
pub mod junit;
pub mod kubectl;
pub mod nodes;
pub mod openstack;
pub mod pods;
pub mod report;
pub mod services;
pub mod text;
pub mod workload;

use crate::message::Said;
use check::{Cx, Timer};
use report::{CheckResult, Report};
use std::path::Path;
use std::sync::mpsc;

/// The sentences the run itself writes (the workload's), by code.
pub const TEXTS: &[(&str, &str)] = &[
    (
        "verify.workload.remove_failed",
        "removing the namespace {0}: {1}",
    ),
    (
        "verify.workload.delete_leftover",
        "deleting the leftover namespace {0}: {1}",
    ),
    (
        "verify.workload.terminating",
        "the leftover namespace {0} is still terminating",
    ),
    (
        "verify.workload.apply_failed",
        "kubectl apply -f verify-workload.yaml: {0}",
    ),
    (
        "verify.workload.not_deployed",
        "the test workload was not deployed: {0}",
    ),
    (
        "verify.workload.not_deployed_fix",
        "see the error: the workload is verify-workload.yaml (dsinstall render writes it)",
    ),
];

/// Every sentence the checks write: (code, English), the wizard's translations are held
/// to it (tests/message_codes.rs).
pub fn texts() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    [
        TEXTS,
        nodes::TEXTS,
        calico::TEXTS,
        pods::TEXTS,
        services::TEXTS,
        dns::TEXTS,
        host::TEXTS,
        openstack::TEXTS,
        kubectl::TEXTS,
    ]
    .into_iter()
    .flatten()
}

/// The order of checks.md, for a stable report.
pub const ORDER: &[&str] = &[
    "node.ready",
    "node.internal-ips",
    "node.pod-cidrs",
    "calico.pods",
    "calico.pools",
    "pod.ips",
    "svc.cluster-ip",
    "svc.cluster-ip.reach",
    "svc.node-port",
    "pod.pod-reach",
    "dns.aaaa",
    "host.sysctl",
];

pub struct Options {
    pub keep: bool,
    pub openstack: bool,
    /// Run only the check of this id (the wizard's re-run of one check); None: all.
    pub only: Option<String>,
}

impl Options {
    fn wants(&self, id: &str) -> bool {
        self.only.as_deref().is_none_or(|o| o == id)
    }
}

type CheckFn = fn(&Cx) -> Vec<CheckResult>;

const CLUSTER: &[(&str, CheckFn)] = &[
    ("node.ready", nodes::ready),
    ("node.internal-ips", nodes::internal_ips),
    ("node.pod-cidrs", nodes::pod_cidrs),
    ("calico.pods", calico::pods_ready),
    ("calico.pools", calico::pools),
];
const WORKLOAD: &[(&str, CheckFn)] = &[
    ("pod.ips", pods::ips),
    ("svc.cluster-ip", services::cluster_ip),
    ("svc.cluster-ip.reach", services::reach),
    ("svc.node-port", services::node_port),
    ("pod.pod-reach", pods::reach),
    ("dns.aaaa", dns::aaaa),
];

/// Run every check; `on_result` sees each result as it arrives (the step journals them,
/// the CLI rewrites its JUnit file). `scratch` is a private directory for the workload
/// file.
pub fn run(
    cx: &Cx,
    opts: &Options,
    scratch: &Path,
    on_result: &mut dyn FnMut(&CheckResult),
) -> Report {
    let (tx, rx) = mpsc::channel::<Vec<CheckResult>>();
    let mut all: Vec<CheckResult> = vec![];
    let families: Vec<_> = cx.expected.families.iter().map(|f| f.family).collect();
    std::thread::scope(|s| {
        for (_, f) in CLUSTER.iter().filter(|(id, _)| opts.wants(id)) {
            let tx = tx.clone();
            s.spawn(move || tx.send(f(cx)).ok());
        }
        if opts.wants("host.sysctl") {
            let tx = tx.clone();
            let fams = families.clone();
            // On the simulated lab only the lab node's devices count (its addresses).
            let lab_ips: Option<Vec<std::net::IpAddr>> = cx.sim.as_ref().map(|_| {
                cx.expected
                    .nodes
                    .iter()
                    .flat_map(|n| n.addresses.iter().copied())
                    .collect()
            });
            s.spawn(move || tx.send(host::sysctl(&fams, lab_ips.as_deref())).ok());
        }
        if opts.openstack && opts.only.is_none() {
            let tx = tx.clone();
            s.spawn(move || tx.send(openstack::readiness(cx)).ok());
        }
        // The workload: deployed once, then its checks at once, each waiting on it; not at
        // all when none of its checks is wanted.
        let tx_w = tx.clone();
        let wanted: Vec<(&str, CheckFn)> = WORKLOAD
            .iter()
            .filter(|(id, _)| opts.wants(id))
            .copied()
            .collect();
        let fams = families.clone();
        s.spawn(move || {
            if wanted.is_empty() {
                return;
            }
            let t = Timer::start("workload");
            let deployed = match &cx.expected.workload {
                Some(y) => workload::deploy(cx, y, scratch),
                None => Err(Said::from(
                    cx.expected
                        .workload_error
                        .clone()
                        .unwrap_or_else(|| "no workload".into()),
                )),
            };
            match deployed {
                Ok(()) => {
                    std::thread::scope(|s2| {
                        for (_, f) in &wanted {
                            let tx = tx_w.clone();
                            s2.spawn(move || tx.send(f(cx)).ok());
                        }
                    });
                    if !opts.keep
                        && let Err(e) = workload::remove(cx)
                    {
                        let ns = &cx.expected.namespace;
                        tx_w.send(vec![t.warn(
                            None,
                            Said::coded(TEXTS, "verify.workload.remove_failed", &[ns, &e]),
                            // A bare command: the same in every language.
                            Said::from(format!("kubectl delete namespace {ns}")),
                        )])
                        .ok();
                    }
                }
                Err(e) => {
                    let failed: Vec<CheckResult> = wanted
                        .iter()
                        .flat_map(|(id, _)| {
                            let t = Timer::start(id);
                            fams.iter()
                                .map(|f| {
                                    t.fail(
                                        Some(*f),
                                        Said::coded(TEXTS, "verify.workload.not_deployed", &[&e]),
                                        Said::coded(TEXTS, "verify.workload.not_deployed_fix", &[]),
                                    )
                                })
                                .collect::<Vec<_>>()
                        })
                        .collect();
                    tx_w.send(failed).ok();
                }
            }
        });
        drop(tx);
        for batch in rx {
            for r in batch {
                on_result(&r);
                all.push(r);
            }
        }
    });
    all.sort_by_key(order_key);
    Report::new(all)
}

/// Where a result goes in a report: checks.md's order of checks, then the family.
pub fn order_key(r: &CheckResult) -> (usize, Option<String>) {
    let at = ORDER.iter().position(|id| *id == r.id);
    (at.unwrap_or(ORDER.len()), r.family.clone())
}
