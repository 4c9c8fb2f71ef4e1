//! calico.pods and calico.pools (checks.md).

use super::check::{Cx, Step, Timer, name_of, pod_ready, poll};
use super::kubectl::Call;
use super::report::CheckResult;
use crate::answers::AddressFamily;
use crate::message::Said;
use serde_json::Value;
use std::fmt::Display;
use std::time::Instant;

/// The sentences these checks write, by code (the wizard translates them: assets/i18n).
pub const TEXTS: &[(&str, &str)] = &[
    (
        "verify.calico.pods.waiting",
        "calico-node ready on {0} of {1} nodes ({2} pods)",
    ),
    (
        "verify.calico.pods.autodetection",
        "calico-node's IP autodetection found no usable address on that node (calico#6443): set IP_AUTODETECTION_METHOD / IP6_AUTODETECTION_METHOD on the calico-node DaemonSet (calico.ipv4AutodetectionMethod / ipv6AutodetectionMethod in the answers; e.g. interface=ens224 or can-reach=<an address of that family>) and re-apply",
    ),
    (
        "verify.calico.pods.not_ready",
        "`kubectl -n {0} get pods -o wide` and `kubectl -n {0} describe pod <calico-node pod>` show why calico is not ready",
    ),
    ("verify.calico.pools.none", "no enabled {0} IPPool"),
    (
        "verify.calico.pools.no_ipv6",
        "no IPv6 IPPool: calico-node creates it at startup only when the manifest's calico-node env has CALICO_IPV6POOL_CIDR (and IP6 autodetection); set it to the IPv6 pod subnet and re-apply calico.yaml (calico#9312)",
    ),
    (
        "verify.calico.pools.no_ipv4",
        "no IPv4 IPPool: the manifest's calico-node env needs CALICO_IPV4POOL_CIDR set to the IPv4 pod subnet",
    ),
    (
        "verify.calico.pools.operator",
        "the Installation's spec.calicoNetwork.ipPools needs a pool of this family (calico-installation.yaml)",
    ),
    (
        "verify.calico.pools.ipip_ipv6",
        "IPIP carries IPv4 only (calico#6226): give the IPv6 pool VXLAN (Calico v3.23+) or no encapsulation with BGP over IPv6 (calico.ipv6Encapsulation)",
    ),
    (
        "verify.calico.pools.kept",
        "calico-node creates the pools once, at its first start, from the manifest's CALICO_IPV4POOL_*/CALICO_IPV6POOL_* env (or the Installation's ipPools); a pool created earlier is kept: fix it with `calicoctl apply` or delete it and restart calico-node",
    ),
    (
        "verify.calico.pods.ready_on",
        "calico-node ready on {0} of {1} nodes",
    ),
    (
        "verify.calico.pods.controllers_not_ready",
        "calico-kube-controllers not ready",
    ),
    (
        "verify.calico.pods.controllers_ready",
        "calico-kube-controllers ready",
    ),
    (
        "verify.calico.pods.tigerastatus_not_available",
        "tigerastatus/calico not Available",
    ),
    (
        "verify.calico.pods.tigerastatus_available",
        "tigerastatus/calico Available",
    ),
    (
        "verify.calico.pods.tigerastatus_error",
        "tigerastatus/calico: {0}",
    ),
    ("verify.calico.pools.planned", "{0} {1}, planned {2}"),
    (
        "verify.calico.pools.outside",
        "cidr {0} outside the pod subnet {1}",
    ),
    ("verify.calico.pools.ipip_on_ipv6", "IPIP on an IPv6 pool"),
    ("verify.calico.pools.differs", "{0} ({1})"),
    (
        "verify.calico.pods.crashloop",
        "{0} on {1} in CrashLoopBackOff",
    ),
    ("verify.calico.pods.autodetection_is", "autodetection {0}"),
    ("verify.calico.pods.last_logs", "last log lines: {0}"),
];

fn say(code: &str, args: &[&dyn crate::message::Value]) -> Said {
    Said::coded(TEXTS, code, args)
}

fn calico_ns(cx: &Cx) -> &'static str {
    if cx.expected.operator {
        "calico-system"
    } else {
        "kube-system"
    }
}

fn pods(cx: &Cx, selector: &str, until: Instant) -> Result<Vec<Value>, Said> {
    cx.items(
        &Call::Get {
            resource: "pods".into(),
            name: None,
            namespace: Some(calico_ns(cx).into()),
            selector: Some(selector.into()),
        },
        until,
    )
}

/// A container of the pod waiting in CrashLoopBackOff.
fn crash_looping(p: &Value) -> bool {
    p["status"]["containerStatuses"]
        .as_array()
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["state"]["waiting"]["reason"] == "CrashLoopBackOff")
        })
}

/// calico-node ready on every node and kube-controllers ready; with the operator, also
/// tigerastatus/calico Available. On a crash-loop, the container's last log lines and the
/// autodetection methods in use are the evidence.
pub fn pods_ready(cx: &Cx) -> Vec<CheckResult> {
    let t = Timer::start("calico.pods");
    let until = t.start + cx.deadline;
    let got = poll(until, || {
        let nodes = match cx.items(&Call::get("nodes", None, None), until) {
            Ok(n) => n.len(),
            Err(e) => return Step::Wait(e),
        };
        let cn = match pods(cx, "k8s-app=calico-node", until) {
            Ok(p) => p,
            Err(e) => return Step::Wait(e),
        };
        if let Some(p) = cn.iter().find(|p| crash_looping(p)) {
            return Step::Fail(crash_evidence(cx, p, until));
        }
        let ready = cn.iter().filter(|p| pod_ready(p)).count();
        // desired > 0 first: an empty DaemonSet is "rolled out" too (run-and-verify.md §3).
        if cn.is_empty() || ready < nodes {
            return Step::Wait(say(
                "verify.calico.pods.waiting",
                &[&ready, &nodes, &cn.len()],
            ));
        }
        let kc = match pods(cx, "k8s-app=calico-kube-controllers", until) {
            Ok(p) => p,
            Err(e) => return Step::Wait(e),
        };
        let on = || say("verify.calico.pods.ready_on", &[&ready, &nodes]);
        if !kc.iter().any(pod_ready) {
            return Step::Wait(Said::joined([
                on(),
                say("verify.calico.pods.controllers_not_ready", &[]),
            ]));
        }
        let mut seen = vec![on(), say("verify.calico.pods.controllers_ready", &[])];
        if cx.expected.operator {
            match cx.get(&Call::get("tigerastatus", None, Some("calico")), until) {
                Ok(ts) => {
                    let avail = ts["status"]["conditions"].as_array().is_some_and(|cs| {
                        cs.iter()
                            .any(|c| c["type"] == "Available" && c["status"] == "True")
                    });
                    if !avail {
                        seen.push(say("verify.calico.pods.tigerastatus_not_available", &[]));
                        return Step::Wait(Said::joined(seen));
                    }
                    seen.push(say("verify.calico.pods.tigerastatus_available", &[]));
                }
                Err(e) => {
                    seen.push(say("verify.calico.pods.tigerastatus_error", &[&e]));
                    return Step::Wait(Said::joined(seen));
                }
            }
        }
        Step::Done(Said::joined(seen))
    });
    match got {
        Ok(seen) => vec![t.pass(None, seen)],
        Err(e) if e.text.contains("CrashLoopBackOff") => {
            vec![t.fail(None, e, say("verify.calico.pods.autodetection", &[]))]
        }
        Err(e) => vec![t.fail(
            None,
            e,
            say("verify.calico.pods.not_ready", &[&calico_ns(cx)]),
        )],
    }
}

fn crash_evidence(cx: &Cx, p: &Value, until: Instant) -> Said {
    let node = p["spec"]["nodeName"].as_str().unwrap_or("?");
    let logs = cx
        .run(
            &Call::Logs {
                namespace: calico_ns(cx).into(),
                pod: name_of(p).into(),
                container: "calico-node".into(),
                tail: 5,
            },
            until,
        )
        .map(|out| Said::from(super::kubectl::last_lines(&out, 3)))
        // Why the logs cannot be read, in its words and codes (kubectl's ending).
        .unwrap_or_else(|e| e);
    let auto = autodetection(cx, until);
    Said::joined([
        say("verify.calico.pods.crashloop", &[&name_of(p), &node]),
        say("verify.calico.pods.autodetection_is", &[&auto]),
        say("verify.calico.pods.last_logs", &[&logs]),
    ])
}

/// The autodetection methods the calico-node DaemonSet (or Installation) uses.
fn autodetection(cx: &Cx, until: Instant) -> String {
    let ds = cx.get(
        &Call::get("daemonset", Some(calico_ns(cx)), Some("calico-node")),
        until,
    );
    let Ok(ds) = ds else {
        return "unknown".into();
    };
    let env = ds["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let get = |k: &str| {
        env.iter()
            .find(|e| e["name"] == k)
            .and_then(|e| e["value"].as_str())
            .unwrap_or("first-found (default)")
            .to_string()
    };
    format!(
        "IP_AUTODETECTION_METHOD={}, IP6_AUTODETECTION_METHOD={}",
        get("IP_AUTODETECTION_METHOD"),
        get("IP6_AUTODETECTION_METHOD")
    )
}

/// `IPIP`, `VXLAN` or `None` from an IPPool spec (ipipMode / vxlanMode Never, Always,
/// CrossSubnet: libcalico-go api/v3 ippool.go).
pub fn encapsulation(spec: &Value) -> String {
    let on = |k: &str| {
        spec[k]
            .as_str()
            .is_some_and(|m| m != "Never" && !m.is_empty())
    };
    if on("ipipMode") {
        "IPIP".into()
    } else if on("vxlanMode") {
        "VXLAN".into()
    } else {
        "None".into()
    }
}

/// The IPPools of the cluster (crd.projectcalico.org, what calico-node wrote).
pub fn list_pools(cx: &Cx, until: Instant) -> Result<Vec<Value>, Said> {
    cx.items(
        &Call::get("ippools.crd.projectcalico.org", None, None),
        until,
    )
}

pub fn pool_of(pools: &[Value], f: AddressFamily) -> Option<&Value> {
    pools.iter().find(|p| {
        p["spec"]["cidr"]
            .as_str()
            .and_then(|c| c.parse::<ipnet::IpNet>().ok())
            .is_some_and(|n| crate::plan::cidr::family_of_net(&n) == f)
            && p["spec"]["disabled"] != true
    })
}

/// An IPv4 and an IPv6 IPPool exist and match the plan.
pub fn pools(cx: &Cx) -> Vec<CheckResult> {
    let t = Timer::start("calico.pools");
    let until = t.start + cx.deadline;
    let got = poll(until, || match list_pools(cx, until) {
        Ok(p)
            if cx
                .expected
                .families
                .iter()
                .all(|f| pool_of(&p, f.family).is_some()) =>
        {
            Step::Done(p)
        }
        Ok(p) => Step::Wait(Said::from(format!(
            "pools: {}",
            p.iter()
                .map(|x| x["spec"]["cidr"].as_str().unwrap_or("?").to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        Err(e) => Step::Wait(e),
    });
    let pools = match got {
        Ok(p) => p,
        Err(e) => {
            // Whatever was seen last: judge each family on it.
            list_pools(cx, Instant::now() + cx.deadline).unwrap_or_else(|_| {
                let _ = &e;
                vec![]
            })
        }
    };
    cx.expected
        .families
        .iter()
        .map(|f| {
            let Some(p) = pool_of(&pools, f.family) else {
                let hint = match (f.family, cx.expected.operator) {
                    (AddressFamily::Ipv6, false) => "verify.calico.pools.no_ipv6",
                    (AddressFamily::Ipv4, false) => "verify.calico.pools.no_ipv4",
                    (_, true) => "verify.calico.pools.operator",
                };
                return t.fail(
                    Some(f.family),
                    say("verify.calico.pools.none", &[&f.family.kube_name()]),
                    say(hint, &[]),
                );
            };
            let spec = &p["spec"];
            let cidr = spec["cidr"].as_str().unwrap_or("?");
            let block = spec["blockSize"].as_u64().unwrap_or(0) as u8;
            let enc = encapsulation(spec);
            let nat = spec["natOutgoing"] == true;
            let evidence = format!(
                "{}: cidr {cidr}, blockSize {block}, encapsulation {enc}, natOutgoing {nat}",
                name_of(p)
            );
            let mut bad = vec![];
            let net: Option<ipnet::IpNet> = cidr.parse().ok();
            match &f.pool {
                Some(want) => {
                    let planned = |field: &str, is: &dyn Display, want: &dyn Display| {
                        say("verify.calico.pools.planned", &[&field, &is, &want])
                    };
                    if net != Some(want.cidr) {
                        bad.push(planned("cidr", &cidr, &want.cidr));
                    }
                    if block != want.block_size {
                        bad.push(planned("blockSize", &block, &want.block_size));
                    }
                    if enc != want.encapsulation {
                        bad.push(planned("encapsulation", &enc, &want.encapsulation));
                    }
                    if nat != want.nat_outgoing {
                        bad.push(planned("natOutgoing", &nat, &want.nat_outgoing));
                    }
                }
                None => {
                    if !net.is_some_and(|n| f.pod_subnet.contains(&n)) {
                        bad.push(say("verify.calico.pools.outside", &[&cidr, &f.pod_subnet]));
                    }
                }
            }
            let ipip_ipv6 = f.family == AddressFamily::Ipv6 && enc == "IPIP";
            if ipip_ipv6 {
                bad.push(say("verify.calico.pools.ipip_on_ipv6", &[]));
            }
            if bad.is_empty() {
                t.pass(Some(f.family), evidence)
            } else {
                let hint = if ipip_ipv6 {
                    "verify.calico.pools.ipip_ipv6"
                } else {
                    "verify.calico.pools.kept"
                };
                t.fail(
                    Some(f.family),
                    Said::coded_with(TEXTS, "verify.calico.pools.differs", &[&evidence], bad),
                    say(hint, &[]),
                )
            }
        })
        .collect()
}
