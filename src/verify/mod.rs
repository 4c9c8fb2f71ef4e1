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

use check::{Cx, Timer};
use report::{CheckResult, Report};
use std::path::Path;
use std::sync::mpsc;

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
}

type CheckFn = fn(&Cx) -> Vec<CheckResult>;

const CLUSTER: &[CheckFn] = &[
    nodes::ready,
    nodes::internal_ips,
    nodes::pod_cidrs,
    calico::pods_ready,
    calico::pools,
];
const WORKLOAD: &[CheckFn] = &[
    pods::ips,
    services::cluster_ip,
    services::reach,
    services::node_port,
    pods::reach,
    dns::aaaa,
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
        for f in CLUSTER {
            let tx = tx.clone();
            s.spawn(move || tx.send(f(cx)).ok());
        }
        {
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
        if opts.openstack {
            let tx = tx.clone();
            s.spawn(move || tx.send(openstack::readiness(cx)).ok());
        }
        // The workload: deployed once, then its checks at once, each waiting on it.
        let tx_w = tx.clone();
        s.spawn(move || {
            let t = Timer::start("workload");
            let deployed = match &cx.expected.workload {
                Some(y) => workload::deploy(cx, y, scratch),
                None => Err(cx
                    .expected
                    .workload_error
                    .clone()
                    .unwrap_or_else(|| "no workload".into())),
            };
            match deployed {
                Ok(()) => {
                    std::thread::scope(|s2| {
                        for f in WORKLOAD {
                            let tx = tx_w.clone();
                            s2.spawn(move || tx.send(f(cx)).ok());
                        }
                    });
                    if !opts.keep
                        && let Err(e) = workload::remove(cx)
                    {
                        tx_w.send(vec![t.warn(
                            None,
                            format!("removing the namespace {}: {e}", cx.expected.namespace),
                            format!("kubectl delete namespace {}", cx.expected.namespace),
                        )])
                        .ok();
                    }
                }
                Err(e) => {
                    let failed: Vec<CheckResult> = WORKLOAD_IDS
                        .iter()
                        .flat_map(|id| {
                            let t = Timer::start(id);
                            families
                                .iter()
                                .map(|f| {
                                    t.fail(
                                        Some(*f),
                                        format!("the test workload was not deployed: {e}"),
                                        "see the error: the workload is verify-workload.yaml (dsinstall render writes it)",
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
    let rank = |r: &CheckResult| {
        ORDER
            .iter()
            .position(|id| *id == r.id)
            .unwrap_or(ORDER.len())
    };
    all.sort_by_key(|r| (rank(r), r.family.clone()));
    Report::new(all)
}

const WORKLOAD_IDS: &[&str] = &[
    "pod.ips",
    "svc.cluster-ip",
    "svc.cluster-ip.reach",
    "svc.node-port",
    "pod.pod-reach",
    "dns.aaaa",
];
