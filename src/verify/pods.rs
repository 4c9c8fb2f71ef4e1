//! pod.ips and pod.pod-reach (checks.md; test/e2e/network/dual_stack.go).

use super::calico;
use super::check::{Cx, Step, Timer, each, family_of, host_port, pod_ips, pod_ready, poll, url};
use super::kubectl::Call;
use super::report::CheckResult;
use crate::answers::AddressFamily;
use crate::message::Said;
use serde_json::Value;
use std::time::Instant;

pub const CLIENT: &str = "dsinstall-client";
pub const SERVER_LABEL: &str = "app=dsinstall-web";

/// The sentences these checks write, by code (the wizard translates them: assets/i18n).
pub const TEXTS: &[(&str, &str)] = &[
    (
        "verify.pod.client_waiting",
        "dsinstall-client is {0} (podIPs: {1})",
    ),
    (
        "verify.pod.servers_waiting",
        "{0} of {1} dsinstall-web pods ready",
    ),
    (
        "verify.pod.ips.never_ran",
        "the test pod never ran with an address: `kubectl -n <namespace> describe pod dsinstall-client` (image pull? no CNI?)",
    ),
    (
        "verify.pod.ips.not_an_address",
        "podIP {0} is not an address",
    ),
    (
        "verify.pod.ips.malformed",
        "the CNI returned a malformed address",
    ),
    (
        "verify.pod.ips.outside_pool",
        "dsinstall-client podIP {0} outside the IPPool {1}",
    ),
    (
        "verify.pod.ips.other_ipam",
        "the pod was addressed by another IPAM than Calico's: the CNI config's ipam type must be calico-ipam",
    ),
    (
        "verify.pod.ips.primary_mismatch",
        "podIP {0} but podIPs[0] {1}",
    ),
    (
        "verify.pod.ips.primary",
        "the API server keeps podIP == podIPs[0]; a kubelet older than the API server writes only podIP",
    ),
    (
        "verify.pod.ips.no_pool",
        "there is no {0} IPPool (see calico.pools), so calico-ipam has nothing to assign from: set the manifest's CALICO_{1}POOL_CIDR and re-apply",
    ),
    (
        "verify.pod.ips.operator_pool",
        "the Installation's calicoNetwork has no pool of this family for calico-ipam: add it to calico-installation.yaml",
    ),
    (
        "verify.pod.ips.cni_recreate",
        "the CNI config asks for \"{0}\": \"true\"; pods created before it was set keep one family: delete and recreate them",
    ),
    (
        "verify.pod.ips.cni_assign",
        "the CNI config (calico-config ConfigMap, cni_network_config) has no \"{0}\": \"true\" in its ipam section, so calico-ipam gives pods no {1} address (calico#9312): add it, re-apply calico.yaml, restart calico-node and recreate the pods",
    ),
    (
        "verify.pod.reach.not_ready",
        "the test pods did not get ready (see pod.ips)",
    ),
    (
        "verify.pod.reach.no_address",
        "no dsinstall-web pod has a {0} address",
    ),
    ("verify.pod.reach.see_ips", "see pod.ips"),
    (
        "verify.pod.reach.ipip",
        "IPIP carries IPv4 only (calico#6226): IPv6 pod traffic between nodes needs BGP over IPv6 (calico-node IP6 autodetected, IP6_AUTODETECTION_METHOD) or VXLAN on the IPv6 pool (Calico v3.23+, calico.ipv6Encapsulation: VXLAN)",
    ),
    (
        "verify.pod.reach.ipv6_bgp",
        "no IPv6 route between the nodes' pods: calico-node peers over IPv6 only with an IPv6 address autodetected (IP6_AUTODETECTION_METHOD) — check `calicoctl node status` for IPv6 BGP sessions (calico#10834)",
    ),
    (
        "verify.pod.reach.dropped",
        "the pods' traffic between nodes is dropped: check the firewall between the nodes (BGP tcp/179, IPIP protocol 4, VXLAN udp/4789) and calico-node's routes (`ip route` / `ip -6 route` on the nodes)",
    ),
    (
        "verify.pod.ips.on_node_in_pool",
        "dsinstall-client on {0}: {1} (in pool {2})",
    ),
    ("verify.pod.ips.on_node", "dsinstall-client on {0}: {1}"),
    ("verify.pod.reach.ok", "{0} → {1} on {2} HTTP 200"),
    ("verify.pod.reach.failed", "{0} → {1} on {2}: {3}"),
];

fn say(code: &str, args: &[&dyn crate::message::Value]) -> Said {
    Said::coded(TEXTS, code, args)
}

/// The client pod once it runs with its addresses.
pub fn client(cx: &Cx, until: Instant) -> Result<Value, Said> {
    poll(until, || {
        match cx.get(
            &Call::get("pod", Some(&cx.expected.namespace), Some(CLIENT)),
            until,
        ) {
            Ok(p) if pod_ready(&p) && !pod_ips(&p).is_empty() => Step::Done(p),
            Ok(p) => Step::Wait(say(
                "verify.pod.client_waiting",
                &[
                    &p["status"]["phase"].as_str().unwrap_or("?"),
                    &pod_ips(&p).join(", "),
                ],
            )),
            Err(e) => Step::Wait(e),
        }
    })
}

/// The server pods once every one is ready.
pub fn servers(cx: &Cx, until: Instant) -> Result<Vec<Value>, Said> {
    poll(until, || {
        match cx.items(
            &Call::Get {
                resource: "pods".into(),
                name: None,
                namespace: Some(cx.expected.namespace.clone()),
                selector: Some(SERVER_LABEL.into()),
            },
            until,
        ) {
            Ok(ps) if !ps.is_empty() && ps.iter().all(pod_ready) => Step::Done(ps),
            Ok(ps) => Step::Wait(say(
                "verify.pod.servers_waiting",
                &[&ps.iter().filter(|p| pod_ready(p)).count(), &ps.len()],
            )),
            Err(e) => Step::Wait(e),
        }
    })
}

/// A test pod gets one IP of each family, podIP == podIPs[0], inside the pools.
pub fn ips(cx: &Cx) -> Vec<CheckResult> {
    let t = Timer::start("pod.ips");
    let until = t.start + cx.deadline;
    let fams = || cx.expected.families.iter().map(|f| f.family);
    let p = match client(cx, until) {
        Ok(p) => p,
        Err(e) => {
            return fams()
                .map(|f| t.fail(Some(f), e.clone(), say("verify.pod.ips.never_ran", &[])))
                .collect();
        }
    };
    let ips = pod_ips(&p);
    let pools = calico::list_pools(cx, until).unwrap_or_default();
    let primary_ok = p["status"]["podIP"].as_str() == ips.first().map(String::as_str);
    fams()
        .map(|f| {
            let all = ips.join(", ");
            let Some(ip) = ips.iter().find(|ip| family_of(ip) == Some(f)) else {
                return t.fail(
                    Some(f),
                    format!("{CLIENT} podIPs: {all}"),
                    missing_family_hint(cx, f, &pools, until),
                );
            };
            let addr: std::net::IpAddr = match ip.parse() {
                Ok(a) => a,
                Err(_) => {
                    return t.fail(
                        Some(f),
                        say("verify.pod.ips.not_an_address", &[&format!("{ip:?}")]),
                        say("verify.pod.ips.malformed", &[]),
                    );
                }
            };
            let pool = calico::pool_of(&pools, f)
                .and_then(|p| p["spec"]["cidr"].as_str())
                .and_then(|c| c.parse::<ipnet::IpNet>().ok());
            if let Some(pool) = pool
                && !pool.contains(&addr)
            {
                return t.fail(
                    Some(f),
                    say("verify.pod.ips.outside_pool", &[ip, &pool]),
                    say("verify.pod.ips.other_ipam", &[]),
                );
            }
            if !primary_ok && cx.expected.families.first().map(|x| x.family) == Some(f) {
                return t.fail(
                    Some(f),
                    say(
                        "verify.pod.ips.primary_mismatch",
                        &[&p["status"]["podIP"], ip],
                    ),
                    say("verify.pod.ips.primary", &[]),
                );
            }
            let node = p["spec"]["nodeName"].as_str().unwrap_or("?");
            t.pass(
                Some(f),
                match pool {
                    Some(pool) => say("verify.pod.ips.on_node_in_pool", &[&node, ip, &pool]),
                    None => say("verify.pod.ips.on_node", &[&node, ip]),
                },
            )
        })
        .collect()
}

/// Pods with IPv4 only: the CNI config's `assign_ipv6` or a missing IPv6 pool
/// (calico#9312, kubekey#2871).
fn missing_family_hint(cx: &Cx, f: AddressFamily, pools: &[Value], until: Instant) -> Said {
    let key = match f {
        AddressFamily::Ipv4 => "assign_ipv4",
        AddressFamily::Ipv6 => "assign_ipv6",
    };
    if calico::pool_of(pools, f).is_none() {
        let env = if f == AddressFamily::Ipv6 {
            "IPV6"
        } else {
            "IPV4"
        };
        return say("verify.pod.ips.no_pool", &[&f.kube_name(), &env]);
    }
    if cx.expected.operator {
        return say("verify.pod.ips.operator_pool", &[]);
    }
    let cni = cx
        .get(
            &Call::get("configmap", Some("kube-system"), Some("calico-config")),
            until,
        )
        .ok()
        .and_then(|c| c["data"]["cni_network_config"].as_str().map(str::to_string))
        .unwrap_or_default();
    let set = cni.contains(&format!("\"{key}\": \"true\""))
        || cni.contains(&format!("\"{key}\":\"true\""));
    if set {
        say("verify.pod.ips.cni_recreate", &[&key])
    } else {
        say("verify.pod.ips.cni_assign", &[&key, &f.kube_name()])
    }
}

/// From the client pod, HTTP to every server pod (one per node) in each family.
pub fn reach(cx: &Cx) -> Vec<CheckResult> {
    let t = Timer::start("pod.pod-reach");
    let until = t.start + cx.deadline;
    let fams: Vec<AddressFamily> = cx.expected.families.iter().map(|f| f.family).collect();
    let ready = client(cx, until).and_then(|c| servers(cx, until).map(|s| (c, s)));
    let (c, servers) = match ready {
        Ok(x) => x,
        Err(e) => {
            return fams
                .iter()
                .map(|f| t.fail(Some(*f), e.clone(), say("verify.pod.reach.not_ready", &[])))
                .collect();
        }
    };
    let from = c["spec"]["nodeName"].as_str().unwrap_or("?").to_string();
    each(&fams, |&f| {
        let targets: Vec<(String, String)> = servers
            .iter()
            .filter_map(|s| {
                let ip = pod_ips(s).into_iter().find(|i| family_of(i) == Some(f))?;
                Some((
                    ip,
                    s["spec"]["nodeName"].as_str().unwrap_or("?").to_string(),
                ))
            })
            .collect();
        if targets.is_empty() {
            return t.fail(
                Some(f),
                say("verify.pod.reach.no_address", &[&f.kube_name()]),
                say("verify.pod.reach.see_ips", &[]),
            );
        }
        let mut ok = vec![];
        let mut bad = vec![];
        let got = each(&targets, |(ip, _)| {
            let u = url(ip, 80);
            poll(until, || match wget(cx, &u, until) {
                Ok(()) => Step::Done(()),
                Err(e) => Step::Wait(e),
            })
        });
        for ((ip, node), r) in targets.iter().zip(got) {
            match r {
                Ok(()) => ok.push(say(
                    "verify.pod.reach.ok",
                    &[&from, &host_port(ip, 80), node],
                )),
                Err(e) => bad.push(say(
                    "verify.pod.reach.failed",
                    &[&from, &host_port(ip, 80), node, &e],
                )),
            }
        }
        if bad.is_empty() {
            t.pass(Some(f), Said::joined(ok))
        } else {
            t.fail(
                Some(f),
                Said::joined(bad.into_iter().chain(ok)),
                reach_hint(cx, f, until),
            )
        }
    })
}

fn reach_hint(cx: &Cx, f: AddressFamily, until: Instant) -> Said {
    let pools = calico::list_pools(cx, until).unwrap_or_default();
    let enc = calico::pool_of(&pools, f).map(|p| calico::encapsulation(&p["spec"]));
    let v4_ipip = calico::pool_of(&pools, AddressFamily::Ipv4)
        .is_some_and(|p| calico::encapsulation(&p["spec"]) == "IPIP");
    if f == AddressFamily::Ipv6 && enc.as_deref() != Some("VXLAN") {
        if v4_ipip || enc.as_deref() == Some("IPIP") {
            return say("verify.pod.reach.ipip", &[]);
        }
        return say("verify.pod.reach.ipv6_bgp", &[]);
    }
    say("verify.pod.reach.dropped", &[])
}

/// `wget` from the client pod; busybox wget's own message as the error.
pub fn wget(cx: &Cx, u: &str, until: Instant) -> Result<(), Said> {
    cx.run(
        &Call::Exec {
            namespace: cx.expected.namespace.clone(),
            pod: CLIENT.into(),
            argv: ["wget", "-q", "-T", "3", "-O-", u]
                .map(String::from)
                .to_vec(),
        },
        until,
    )
    .map(|_| ())
    .map_err(|e| {
        // kubectl's own last line after wget's, wherever wget's words are.
        let e = e.map_values(&mut |s| s.replace("; command terminated with exit code 1", ""));
        if e.text.is_empty() {
            crate::io::child::phrase("child.failed", &[])
        } else {
            e
        }
    })
}
