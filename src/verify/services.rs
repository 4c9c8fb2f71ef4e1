//! svc.cluster-ip, svc.cluster-ip.reach, svc.node-port (checks.md).

use super::check::{Cx, Step, Timer, each, family_of, host_port, name_of, poll, url};
use super::kubectl::Call;
use super::pods;
use super::report::CheckResult;
use crate::answers::AddressFamily;
use crate::message::Said;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The sentences these checks write, by code (the wizard translates them: assets/i18n).
pub const TEXTS: &[(&str, &str)] = &[
    ("verify.svc.waiting", "{0} of {1} test Services created"),
    (
        "verify.svc.cluster_ip.not_created",
        "the workload's Services were not created: `kubectl apply -f verify-workload.yaml` shows why",
    ),
    (
        "verify.svc.cluster_ip.ranges",
        "kube-apiserver's --service-cluster-ip-range must list both service ranges (networking.serviceSubnets), and the kube-controller-manager the same; on 1.20 the IPv6DualStack gate must be on in both",
    ),
    (
        "verify.svc.not_ready",
        "the test workload did not get ready (see pod.ips)",
    ),
    (
        "verify.svc.reach.none",
        "no {0} ClusterIP to reach (see svc.cluster-ip)",
    ),
    (
        "verify.svc.reach.ipvs",
        "kube-proxy (ipvs) has no virtual server for this ClusterIP: `ipvsadm -Ln` on the client's node; kube-proxy's clusterCIDR must list both pod subnets",
    ),
    (
        "verify.svc.reach.kube_proxy",
        "kube-proxy programs no rule for this family: its clusterCIDR (kube-proxy ConfigMap) must list both pod subnets, and on 1.20 the IPv6DualStack gate must be on; `kubectl -n kube-system logs -l k8s-app=kube-proxy`",
    ),
    (
        "verify.svc.node_port.none",
        "no NodePort Service of the {0} family (before 1.20 a Service has one family; the workload puts the NodePort on one)",
    ),
    (
        "verify.svc.node_port.no_address",
        "no node has a known {0} address",
    ),
    (
        "verify.svc.node_port.ipvs_ipv6",
        "kube-proxy in ipvs mode before 1.22 opens no IPv6 NodePort (kubeadm#2205, kubernetes#93858): use proxyMode iptables, or Kubernetes v1.22+; this cluster runs 1.{0}",
    ),
    (
        "verify.svc.node_port.closed",
        "the NodePort is not open on that address: check a host firewall (firewalld/nftables) for the NodePort range 30000-32767 on that family, and kube-proxy's --nodeport-addresses",
    ),
    (
        "verify.svc.cluster_ip.mismatch",
        "{0}: clusterIPs {1} do not match ipFamilies {2}",
    ),
    (
        "verify.svc.cluster_ip.count",
        "{0}: {1} clusterIPs for ipFamilies {2}",
    ),
    ("verify.svc.cluster_ip.outside", "{0} outside {1}"),
    ("verify.svc.reach.failed", "wget {0} ({1}): {2}"),
    (
        "verify.svc.cluster_ip.none",
        "no Service got a {0} ClusterIP",
    ),
];

fn say(code: &str, args: &[&dyn crate::message::Value]) -> Said {
    Said::coded(TEXTS, code, args)
}

/// The workload's Services (dsinstall-web, dsinstall-web-ipv4, dsinstall-web-ipv6).
pub fn services(cx: &Cx, until: Instant) -> Result<Vec<Value>, Said> {
    let want = cx.expected.families.len() + usize::from(cx.expected.minor >= 20);
    poll(until, || {
        match cx.items(
            &Call::Get {
                resource: "services".into(),
                name: None,
                namespace: Some(cx.expected.namespace.clone()),
                selector: Some(pods::SERVER_LABEL.into()),
            },
            until,
        ) {
            Ok(s) if s.len() >= want => Step::Done(s),
            Ok(s) => Step::Wait(say("verify.svc.waiting", &[&s.len(), &want])),
            Err(e) => Step::Wait(e),
        }
    })
}

/// `spec.clusterIPs` (1.20+), else `spec.clusterIP`.
pub fn cluster_ips(s: &Value) -> Vec<String> {
    s["spec"]["clusterIPs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .filter(|v: &Vec<String>| !v.is_empty())
        .or_else(|| s["spec"]["clusterIP"].as_str().map(|c| vec![c.to_string()]))
        .unwrap_or_default()
}

/// Services of each family, and RequireDualStack where the version has it, get
/// ClusterIPs from the right range, clusterIPs matching ipFamilies.
pub fn cluster_ip(cx: &Cx) -> Vec<CheckResult> {
    let t = Timer::start("svc.cluster-ip");
    let until = t.start + cx.deadline;
    let svcs = match services(cx, until) {
        Ok(s) => s,
        Err(e) => {
            let hint = say("verify.svc.cluster_ip.not_created", &[]);
            return cx
                .expected
                .families
                .iter()
                .map(|f| t.fail(Some(f.family), e.clone(), hint.clone()))
                .collect();
        }
    };
    cx.expected
        .families
        .iter()
        .map(|f| {
            let mut seen = vec![];
            let mut bad = vec![];
            let mut found = false;
            for s in &svcs {
                let ips = cluster_ips(s);
                let fams: Vec<String> = s["spec"]["ipFamilies"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                if !fams.is_empty() && fams.len() == ips.len() {
                    for (ip, fam) in ips.iter().zip(&fams) {
                        if family_of(ip).map(|x| x.kube_name()) != Some(fam.as_str()) {
                            bad.push(say(
                                "verify.svc.cluster_ip.mismatch",
                                &[&name_of(s), &ips.join(","), &fams.join(",")],
                            ));
                        }
                    }
                } else if !fams.is_empty() {
                    bad.push(say(
                        "verify.svc.cluster_ip.count",
                        &[&name_of(s), &ips.len(), &fams.join(",")],
                    ));
                }
                for ip in ips.iter().filter(|ip| family_of(ip) == Some(f.family)) {
                    found = true;
                    let inside = ip
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|a| f.service_subnet.contains(&a));
                    let what = format!(
                        "{} ({}) {ip}",
                        name_of(s),
                        s["spec"]["ipFamilyPolicy"]
                            .as_str()
                            .unwrap_or("SingleStack")
                    );
                    if inside {
                        seen.push(Said::from(what));
                    } else {
                        bad.push(say(
                            "verify.svc.cluster_ip.outside",
                            &[&what, &f.service_subnet],
                        ));
                    }
                }
            }
            if !found {
                bad.push(say("verify.svc.cluster_ip.none", &[&f.family.kube_name()]));
            }
            if bad.is_empty() {
                t.pass(Some(f.family), Said::joined(seen))
            } else {
                t.fail(
                    Some(f.family),
                    Said::joined(bad.into_iter().chain(seen)),
                    say("verify.svc.cluster_ip.ranges", &[]),
                )
            }
        })
        .collect()
}

/// From the client pod, HTTP to the server through each ClusterIP of the family.
pub fn reach(cx: &Cx) -> Vec<CheckResult> {
    let t = Timer::start("svc.cluster-ip.reach");
    let until = t.start + cx.deadline;
    let ready = services(cx, until)
        .and_then(|s| pods::client(cx, until).map(|_| s))
        .and_then(|s| pods::servers(cx, until).map(|_| s));
    let svcs = match ready {
        Ok(s) => s,
        Err(e) => {
            return cx
                .expected
                .families
                .iter()
                .map(|f| t.fail(Some(f.family), e.clone(), say("verify.svc.not_ready", &[])))
                .collect();
        }
    };
    each(&cx.expected.families, |f| {
        let mut ok = vec![];
        let mut bad = vec![];
        let targets: Vec<(String, &str)> = svcs
            .iter()
            .flat_map(|s| {
                cluster_ips(s)
                    .into_iter()
                    .filter(|ip| family_of(ip) == Some(f.family))
                    .map(move |ip| (ip, name_of(s)))
            })
            .collect();
        let got = each(&targets, |(ip, _)| {
            let u = url(ip, 80);
            poll(until, || match pods::wget(cx, &u, until) {
                Ok(()) => Step::Done(()),
                Err(e) => Step::Wait(e),
            })
        });
        for ((ip, name), r) in targets.iter().zip(got) {
            match r {
                Ok(()) => ok.push(Said::from(format!(
                    "wget {} ({name}) HTTP 200",
                    host_port(ip, 80)
                ))),
                Err(e) => bad.push(say(
                    "verify.svc.reach.failed",
                    &[&host_port(ip, 80), name, &e],
                )),
            }
        }
        if ok.is_empty() && bad.is_empty() {
            return t.skip(
                Some(f.family),
                say("verify.svc.reach.none", &[&f.family.kube_name()]),
            );
        }
        if bad.is_empty() {
            t.pass(Some(f.family), Said::joined(ok))
        } else {
            let hint = if cx.expected.proxy_mode == "ipvs" {
                "verify.svc.reach.ipvs"
            } else {
                "verify.svc.reach.kube_proxy"
            };
            t.fail(
                Some(f.family),
                Said::joined(bad.into_iter().chain(ok)),
                say(hint, &[]),
            )
        }
    })
}

/// The NodePort of the Service of this family (1.20+: the dual-stack one's).
fn node_port_of(svcs: &[Value], f: AddressFamily) -> Option<u16> {
    svcs.iter().find_map(|s| {
        if s["spec"]["type"] != "NodePort" {
            return None;
        }
        let has = cluster_ips(s).iter().any(|ip| family_of(ip) == Some(f));
        has.then(|| s["spec"]["ports"][0]["nodePort"].as_u64())
            .flatten()
            .map(|p| p as u16)
    })
}

/// From this host, HTTP to every node's address of the family at the NodePort. A real
/// TCP probe (std::net with a timeout); with DSINSTALL_SIM the simulation answers.
pub fn node_port(cx: &Cx) -> Vec<CheckResult> {
    let t = Timer::start("svc.node-port");
    let until = t.start + cx.deadline;
    let ready = services(cx, until).and_then(|s| pods::servers(cx, until).map(|_| s));
    let svcs = match ready {
        Ok(s) => s,
        Err(e) => {
            return cx
                .expected
                .families
                .iter()
                .map(|f| t.fail(Some(f.family), e.clone(), say("verify.svc.not_ready", &[])))
                .collect();
        }
    };
    let nodes = cx
        .items(&Call::get("nodes", None, None), until)
        .unwrap_or_default();
    each(&cx.expected.families, |f| {
        let Some(port) = node_port_of(&svcs, f.family) else {
            return t.skip(
                Some(f.family),
                say("verify.svc.node_port.none", &[&f.family.kube_name()]),
            );
        };
        let targets = addresses(cx, &nodes, f.family);
        if targets.is_empty() {
            return t.skip(
                Some(f.family),
                say("verify.svc.node_port.no_address", &[&f.family.kube_name()]),
            );
        }
        let mut ok = vec![];
        let mut bad = vec![];
        let got = each(&targets, |(_, ip)| {
            poll(until, || match probe(cx, ip, port, until) {
                Ok(s) => Step::Done(s),
                Err(e) => Step::Wait(e),
            })
        });
        for ((node, ip), r) in targets.iter().zip(got) {
            match r {
                Ok(status) => ok.push(format!("{node} {}: {status}", host_port(ip, port))),
                Err(e) => bad.push(format!("{node} {}: {e}", host_port(ip, port))),
            }
        }
        if bad.is_empty() {
            t.pass(Some(f.family), ok.join("; "))
        } else {
            let hint = if f.family == AddressFamily::Ipv6
                && cx.expected.proxy_mode == "ipvs"
                && cx.expected.minor <= 21
            {
                say("verify.svc.node_port.ipvs_ipv6", &[&cx.expected.minor])
            } else {
                say("verify.svc.node_port.closed", &[])
            };
            t.fail(
                Some(f.family),
                bad.into_iter().chain(ok).collect::<Vec<_>>().join("; "),
                hint,
            )
        }
    })
}

/// Each node's address of the family: its InternalIP, else the planned address (1.19
/// nodes report one family; the planned address still serves the NodePort).
fn addresses(cx: &Cx, nodes: &[Value], f: AddressFamily) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = nodes
        .iter()
        .filter_map(|n| {
            let ip = n["status"]["addresses"].as_array()?.iter().find_map(|a| {
                let ip = a["address"].as_str()?;
                (a["type"] == "InternalIP" && family_of(ip) == Some(f)).then(|| ip.to_string())
            })?;
            Some((name_of(n).to_string(), ip))
        })
        .collect();
    for e in &cx.expected.nodes {
        if out.iter().any(|(n, _)| *n == e.name) {
            continue;
        }
        if let Some(a) = e
            .addresses
            .iter()
            .find(|a| family_of(&a.to_string()) == Some(f))
        {
            out.push((e.name.clone(), a.to_string()));
        }
    }
    out
}

/// One HTTP GET: the status line, or why not ("connection refused", "timed out").
pub fn probe(cx: &Cx, ip: &str, port: u16, until: Instant) -> Result<String, String> {
    let left = until.saturating_duration_since(Instant::now());
    let timeout = left.clamp(Duration::from_millis(200), Duration::from_secs(3));
    if let Some(dir) = &cx.sim {
        return crate::sim::kubectl::probe(dir, ip, port, timeout)
            .map(|()| "HTTP/1.1 200 OK".into());
    }
    http_get(ip, port, timeout)
}

/// `GET /` over a std TcpStream with `timeout` for connect, write and read.
pub fn http_get(ip: &str, port: u16, timeout: Duration) -> Result<String, String> {
    use std::io::{Read, Write};
    let addr: std::net::IpAddr = ip
        .parse()
        .map_err(|_| format!("{ip:?} is not an address"))?;
    let sa = std::net::SocketAddr::new(addr, port);
    let mut s = std::net::TcpStream::connect_timeout(&sa, timeout).map_err(|e| match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            format!("timed out after {:.1}s", timeout.as_secs_f64())
        }
        _ => e.to_string(),
    })?;
    s.set_read_timeout(Some(timeout)).ok();
    s.set_write_timeout(Some(timeout)).ok();
    let host = host_port(ip, port);
    s.write_all(format!("GET / HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
        .map_err(|e| format!("sending the request: {e}"))?;
    let mut buf = [0u8; 256];
    let n = s.read(&mut buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            "no answer (timed out)".to_string()
        }
        _ => format!("reading the answer: {e}"),
    })?;
    let head = String::from_utf8_lossy(&buf[..n]);
    let line = head.lines().next().unwrap_or("").trim().to_string();
    if line.starts_with("HTTP/") {
        Ok(line)
    } else {
        Err(format!("not an HTTP answer: {line:?}"))
    }
}
