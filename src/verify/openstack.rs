//! `--profile openstack`: OpenStack-Helm readiness (checks.md; OSH's deployment guide).
//! Every item is a WARN with the command that fixes it, never a FAIL.

use super::check::{Cx, Timer, name_of};
use super::kubectl::Call;
use super::report::CheckResult;
use crate::answers::AddressFamily;
use std::time::Instant;

const LABELS: &[&str] = &[
    "openstack-control-plane",
    "openstack-compute-node",
    "openstack-network-node",
    "openvswitch",
];

pub fn readiness(cx: &Cx) -> Vec<CheckResult> {
    let until = Instant::now() + cx.deadline;
    let mut out = vec![];
    let nodes = cx
        .items(&Call::get("nodes", None, None), until)
        .unwrap_or_default();

    let t = Timer::start("openstack.node-labels");
    let missing: Vec<String> = LABELS
        .iter()
        .filter(|l| {
            !nodes
                .iter()
                .any(|n| n["metadata"]["labels"][**l] == "enabled")
        })
        .map(|l| l.to_string())
        .collect();
    out.push(if missing.is_empty() {
        t.pass(None, "every OpenStack-Helm node label is on some node")
    } else {
        t.warn(
            None,
            format!("no node labelled {}", missing.join(", ")),
            format!(
                "kubectl label nodes --all {}",
                missing
                    .iter()
                    .map(|l| format!("{l}=enabled"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        )
    });

    let t = Timer::start("openstack.storage-class");
    let scs = cx
        .items(
            &Call::get("storageclasses.storage.k8s.io", None, None),
            until,
        )
        .unwrap_or_default();
    let default = scs.iter().find(|s| {
        s["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    });
    out.push(match default {
        Some(s) => t.pass(None, format!("default StorageClass {}", name_of(s))),
        None => t.warn(None, format!("no default StorageClass ({} StorageClasses)", scs.len()),
            "install a provisioner (OpenStack-Helm's docs use one named general), then: kubectl patch storageclass general -p '{\"metadata\":{\"annotations\":{\"storageclass.kubernetes.io/is-default-class\":\"true\"}}}'"),
    });

    let t = Timer::start("openstack.control-plane-taint");
    let tainted: Vec<&str> = nodes
        .iter()
        .filter(|n| {
            n["spec"]["taints"].as_array().is_some_and(|ts| {
                ts.iter().any(|x| {
                    x["effect"] == "NoSchedule"
                        && x["key"]
                            .as_str()
                            .is_some_and(|k| k.starts_with("node-role.kubernetes.io/"))
                })
            })
        })
        .map(name_of)
        .collect();
    out.push(if tainted.is_empty() || nodes.len() > 3 {
        t.pass(
            None,
            format!(
                "{} nodes; tainted control-plane nodes: {}",
                nodes.len(),
                if tainted.is_empty() {
                    "none".into()
                } else {
                    tainted.join(", ")
                }
            ),
        )
    } else {
        let key = if cx.expected.minor >= 24 {
            "node-role.kubernetes.io/control-plane"
        } else {
            "node-role.kubernetes.io/master"
        };
        t.warn(
            None,
            format!(
                "a small lab ({} nodes) with the control-plane taint on {}",
                nodes.len(),
                tainted.join(", ")
            ),
            format!(
                "kubectl taint nodes {} {key}:NoSchedule-",
                tainted.join(" ")
            ),
        )
    });

    let t = Timer::start("openstack.dns-domain");
    out.push(if cx.expected.dns_domain == "cluster.local" {
        t.pass(None, "dnsDomain cluster.local")
    } else {
        t.warn(None, format!("dnsDomain {}", cx.expected.dns_domain),
            "OpenStack-Helm's charts assume cluster.local: set endpoints.cluster_domain_suffix in every chart's values (--set endpoints.cluster_domain_suffix=<domain>)")
    });

    let t = Timer::start("openstack.ingress");
    let ic = cx
        .items(
            &Call::get("ingressclasses.networking.k8s.io", None, None),
            until,
        )
        .unwrap_or_default();
    out.push(if ic.is_empty() {
        t.warn(None, "no IngressClass", "helm upgrade --install ingress-nginx ingress-nginx/ingress-nginx --namespace ingress-nginx --create-namespace --set controller.ingressClassResource.name=nginx")
    } else {
        t.pass(None, format!("IngressClass {}", ic.iter().map(name_of).collect::<Vec<_>>().join(", ")))
    });

    let t = Timer::start("openstack.ipv6-primary");
    out.push(match cx.expected.families.first().map(|f| f.family) {
        Some(AddressFamily::Ipv6) => t.warn(None, "the cluster is IPv6-primary",
            "OpenStack-Helm tests IPv4 only: MariaDB binds 0.0.0.0 and RabbitMQ needs conf.rabbitmq.config_ipv6: true — override them (--set conf.rabbitmq.config_ipv6=true in the rabbitmq chart), or reinstall IPv4-primary (networking.podSubnets with the IPv4 range first)"),
        _ => t.pass(None, "IPv4-primary: OpenStack-Helm's defaults work"),
    });
    out
}
