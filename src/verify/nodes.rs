//! node.ready, node.internal-ips, node.pod-cidrs (checks.md).

use super::check::{Cx, Step, Timer, condition, family_of, name_of, poll};
use super::kubectl::Call;
use super::report::CheckResult;
use crate::message::Said;
use serde_json::Value;
use std::time::Instant;

/// The sentences these checks write, by code (the wizard translates them: assets/i18n).
pub const TEXTS: &[(&str, &str)] = &[
    ("verify.node.none_registered", "no nodes registered"),
    (
        "verify.node.ready.not_joined",
        "a planned node never joined: run its join (dsinstall apply resumes at join.<node>) and see `dsinstall logs --step join.<node>`",
    ),
    (
        "verify.node.ready.no_cni",
        "the kubelet has no CNI config yet: calico-node has not started on that node (see calico.pods); `kubectl -n kube-system get pods -o wide` shows why",
    ),
    (
        "verify.node.ready.kubelet_stopped",
        "the node's kubelet stopped posting its status: on that node `systemctl status kubelet` and `journalctl -u kubelet -n 50`",
    ),
    (
        "verify.node.ready.kubelet",
        "on that node: `journalctl -u kubelet -n 50`; the condition message above names what the kubelet is missing",
    ),
    (
        "verify.node.internal_ips.v119",
        "Kubernetes v1.19's kubelet takes a single --node-ip (a dual-stack pair is accepted from v1.20, kubernetes#95239), so a Node reports one InternalIP family only; no setting fixes this on v1.19: install v1.20 or later (kubernetes.version) to get both families",
    ),
    (
        "verify.node.internal_ips.node_ip",
        "the kubelet's --node-ip must name both addresses, IPv4 and IPv6, comma-separated: nodeRegistration.kubeletExtraArgs node-ip in kubeadm-config.yaml (the first node) or join-<node>.yaml (the others), as /var/lib/kubelet/kubeadm-flags.env shows it; fix it there and `systemctl restart kubelet` on that node",
    ),
    (
        "verify.node.api_unreachable",
        "the API server did not answer `kubectl get nodes`: check the kubeconfig (--kubeconfig) and that kube-apiserver runs",
    ),
    (
        "verify.node.pod_cidrs.calico_ipam",
        "for information: Calico's IPAM assigns pod addresses from its IPPools and ignores node podCIDRs (kubernetes#104544); kube-controller-manager cuts them from --cluster-cidr with --node-cidr-mask-size-ipv4/-ipv6 (networking.podSubnets, networking.nodeMaskSizes)",
    ),
    ("verify.node.ready.not_ready", "{0} NotReady: {1}"),
    (
        "verify.node.ready.no_condition",
        "{0} NotReady: no Ready condition",
    ),
    ("verify.node.ready.not_registered", "not registered: {0}"),
    (
        "verify.node.internal_ips.missing",
        "{0}: no {1} InternalIP (has {2})",
    ),
    (
        "verify.node.internal_ips.missing.none",
        "{0}: no {1} InternalIP (has none)",
    ),
    (
        "verify.node.internal_ips.planned",
        "{0}: InternalIP {1}, planned {2}",
    ),
    ("verify.node.pod_cidrs.missing", "{0}: no {1} podCIDR"),
    ("verify.node.pod_cidrs.outside", "{0}: {1} outside {2}"),
    ("verify.node.pod_cidrs.mask", "{0}: {1}, planned /{2}"),
    ("verify.node.internal_ips.seen", "{0}: InternalIP {1}"),
    ("verify.node.pod_cidrs.seen", "{0}: {1}"),
];

fn say(code: &str, args: &[&dyn crate::message::Value]) -> Said {
    Said::coded(TEXTS, code, args)
}

/// The nodes once at least one is registered; the wait's reason otherwise.
fn registered(cx: &Cx, until: Instant) -> Result<Vec<Value>, Said> {
    poll(until, || match nodes(cx, until) {
        Ok(n) if !n.is_empty() => Step::Done(n),
        Ok(_) => Step::Wait(say("verify.node.none_registered", &[])),
        Err(e) => Step::Wait(e),
    })
}

fn nodes(cx: &Cx, until: Instant) -> Result<Vec<Value>, Said> {
    cx.items(&Call::get("nodes", None, None), until)
}

fn is_ready(n: &Value) -> bool {
    condition(n, "Ready").is_some_and(|c| c["status"] == "True")
}

/// Every node Ready; a NotReady node's own condition message is the evidence.
pub fn ready(cx: &Cx) -> Vec<CheckResult> {
    let t = Timer::start("node.ready");
    let until = t.start + cx.deadline;
    let got = poll(until, || match nodes(cx, until) {
        Err(e) => Step::Wait(e),
        Ok(ns) if ns.is_empty() => Step::Wait(say("verify.node.none_registered", &[])),
        Ok(ns) if ns.iter().all(is_ready) => Step::Done(ns),
        Ok(ns) => Step::Wait(Said::joined(ns.iter().filter(|n| !is_ready(n)).map(|n| {
            match condition(n, "Ready").and_then(|c| c["message"].as_str()) {
                Some(msg) => say("verify.node.ready.not_ready", &[&name_of(n), &msg]),
                None => say("verify.node.ready.no_condition", &[&name_of(n)]),
            }
        }))),
    });
    let missing = |ns: &[Value]| -> Vec<String> {
        cx.expected
            .nodes
            .iter()
            .filter(|e| !ns.iter().any(|n| name_of(n) == e.name))
            .map(|e| e.name.clone())
            .collect()
    };
    match got {
        Ok(ns) => {
            let seen = ns
                .iter()
                .map(|n| format!("{} Ready", name_of(n)))
                .collect::<Vec<_>>()
                .join(", ");
            let gone = missing(&ns);
            if gone.is_empty() {
                vec![t.pass(None, seen)]
            } else {
                vec![t.fail(
                    None,
                    Said::joined([
                        Said::from(seen),
                        say("verify.node.ready.not_registered", &[&gone.join(", ")]),
                    ]),
                    say("verify.node.ready.not_joined", &[]),
                )]
            }
        }
        Err(e) => {
            let seen = |s: &str| e.text.contains(s);
            let hint = if seen("cni plugin not initialized") || seen("network plugin is not ready")
            {
                "verify.node.ready.no_cni"
            } else if seen("Kubelet stopped posting") || seen("NodeStatusUnknown") {
                "verify.node.ready.kubelet_stopped"
            } else {
                "verify.node.ready.kubelet"
            };
            vec![t.fail(None, e, say(hint, &[]))]
        }
    }
}

/// Every node has an InternalIP of each family — the planned address where the plan
/// knows it. 1.19's kubelet takes one --node-ip (the pair arrived in 1.20, kk#95239:
/// pkg/kubelet/nodestatus/setters.go NodeAddress), so the guide's run shows IPv4 only.
pub fn internal_ips(cx: &Cx) -> Vec<CheckResult> {
    let t = Timer::start("node.internal-ips");
    let until = t.start + cx.deadline;
    let ns = match registered(cx, until) {
        Ok(n) => n,
        Err(e) => return per_family_error(cx, &t, &e),
    };
    cx.expected
        .families
        .iter()
        .map(|f| {
            let mut seen = vec![];
            let mut bad = vec![];
            for n in &ns {
                let name = name_of(n);
                let ips: Vec<&str> = n["status"]["addresses"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|x| x["type"] == "InternalIP")
                            .filter_map(|x| x["address"].as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                let mine: Vec<&str> = ips
                    .iter()
                    .copied()
                    .filter(|ip| family_of(ip) == Some(f.family))
                    .collect();
                let planned = cx
                    .expected
                    .nodes
                    .iter()
                    .find(|e| e.name == name)
                    .and_then(|e| {
                        e.addresses
                            .iter()
                            .find(|a| family_of(&a.to_string()) == Some(f.family))
                    });
                match (mine.first(), planned) {
                    (None, _) if ips.is_empty() => bad.push(say(
                        "verify.node.internal_ips.missing.none",
                        &[&name, &f.family.kube_name()],
                    )),
                    (None, _) => bad.push(say(
                        "verify.node.internal_ips.missing",
                        &[&name, &f.family.kube_name(), &ips.join(", ")],
                    )),
                    (Some(ip), Some(p)) if ip.parse::<std::net::IpAddr>().ok() != Some(*p) => {
                        bad.push(say("verify.node.internal_ips.planned", &[&name, ip, p]))
                    }
                    (Some(ip), _) => seen.push(say("verify.node.internal_ips.seen", &[&name, ip])),
                }
            }
            if bad.is_empty() {
                t.pass(Some(f.family), Said::joined(seen))
            } else {
                let evidence = Said::joined(bad.into_iter().chain(seen));
                t.fail(Some(f.family), evidence, internal_ip_hint(cx))
            }
        })
        .collect()
}

fn internal_ip_hint(cx: &Cx) -> Said {
    if cx.expected.minor <= 19 {
        say("verify.node.internal_ips.v119", &[])
    } else {
        say("verify.node.internal_ips.node_ip", &[])
    }
}

fn per_family_error(cx: &Cx, t: &Timer, e: &Said) -> Vec<CheckResult> {
    cx.expected
        .families
        .iter()
        .map(|f| {
            t.fail(
                Some(f.family),
                e.clone(),
                say("verify.node.api_unreachable", &[]),
            )
        })
        .collect()
}

/// One pod CIDR per family, inside the pod subnet, of the planned size. Calico's IPAM
/// ignores node podCIDRs (kubernetes#104544 dropped the e2e test), so a mismatch is a
/// WARN, never a FAIL, on a Calico cluster.
pub fn pod_cidrs(cx: &Cx) -> Vec<CheckResult> {
    let t = Timer::start("node.pod-cidrs");
    let until = t.start + cx.deadline;
    let ns = match registered(cx, until) {
        Ok(n) => n,
        Err(e) => return per_family_error(cx, &t, &e),
    };
    cx.expected
        .families
        .iter()
        .map(|f| {
            let mut seen = vec![];
            let mut bad = vec![];
            for n in &ns {
                let name = name_of(n);
                let cidrs: Vec<String> = n["spec"]["podCIDRs"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|c| c.as_str().map(str::to_string))
                            .collect()
                    })
                    .or_else(|| n["spec"]["podCIDR"].as_str().map(|c| vec![c.to_string()]))
                    .unwrap_or_default();
                let mine = cidrs.iter().find_map(|c| {
                    let net: ipnet::IpNet = c.parse().ok()?;
                    (crate::plan::cidr::family_of_net(&net) == f.family).then_some(net)
                });
                match mine {
                    None => bad.push(say(
                        "verify.node.pod_cidrs.missing",
                        &[&name, &f.family.kube_name()],
                    )),
                    Some(net) if !f.pod_subnet.contains(&net) => bad.push(say(
                        "verify.node.pod_cidrs.outside",
                        &[&name, &net, &f.pod_subnet],
                    )),
                    Some(net) if f.node_mask.is_some_and(|m| m != net.prefix_len()) => {
                        bad.push(say(
                            "verify.node.pod_cidrs.mask",
                            &[&name, &net, &f.node_mask.unwrap_or(0)],
                        ))
                    }
                    Some(net) => seen.push(say("verify.node.pod_cidrs.seen", &[&name, &net])),
                }
            }
            if bad.is_empty() {
                t.pass(Some(f.family), Said::joined(seen))
            } else {
                t.warn(
                    Some(f.family),
                    Said::joined(bad.into_iter().chain(seen)),
                    say("verify.node.pod_cidrs.calico_ipam", &[]),
                )
            }
        })
        .collect()
}
