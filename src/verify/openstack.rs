//! `--profile openstack`: OpenStack-Helm readiness (checks.md; OSH's deployment guide).
//! Every item is a WARN with the command that fixes it, never a FAIL.

use super::check::{Cx, Timer, name_of};
use super::kubectl::Call;
use super::report::CheckResult;
use crate::answers::AddressFamily;
use crate::message::Said;
use std::time::Instant;

/// The sentences these items write, by code (the wizard translates them: assets/i18n).
/// The fixes that are a bare command are data, not sentences: they stay as they are.
pub const TEXTS: &[(&str, &str)] = &[
    (
        "verify.openstack.labels.ok",
        "every OpenStack-Helm node label is on some node",
    ),
    ("verify.openstack.labels.missing", "no node labelled {0}"),
    ("verify.openstack.storage.ok", "default StorageClass {0}"),
    (
        "verify.openstack.storage.none",
        "no default StorageClass ({0} StorageClasses)",
    ),
    (
        "verify.openstack.storage.fix",
        "install a provisioner (OpenStack-Helm's docs use one named general), then: kubectl patch storageclass general -p '{\"metadata\":{\"annotations\":{\"storageclass.kubernetes.io/is-default-class\":\"true\"}}}'",
    ),
    (
        "verify.openstack.taint.ok",
        "{0} nodes; tainted control-plane nodes: {1}",
    ),
    (
        "verify.openstack.taint.small_lab",
        "a small lab ({0} nodes) with the control-plane taint on {1}",
    ),
    (
        "verify.openstack.dns_domain.fix",
        "OpenStack-Helm's charts assume cluster.local: set endpoints.cluster_domain_suffix in every chart's values (--set endpoints.cluster_domain_suffix=<domain>)",
    ),
    ("verify.openstack.ingress.none", "no IngressClass"),
    (
        "verify.openstack.ipv6_primary",
        "the cluster is IPv6-primary",
    ),
    (
        "verify.openstack.ipv6_primary.fix",
        "OpenStack-Helm tests IPv4 only: MariaDB binds 0.0.0.0 and RabbitMQ needs conf.rabbitmq.config_ipv6: true — override them (--set conf.rabbitmq.config_ipv6=true in the rabbitmq chart), or reinstall IPv4-primary (networking.podSubnets with the IPv4 range first)",
    ),
    (
        "verify.openstack.ipv4_primary",
        "IPv4-primary: OpenStack-Helm's defaults work",
    ),
    (
        "verify.openstack.taint.ok.none",
        "{0} nodes; tainted control-plane nodes: none",
    ),
];

fn say(code: &str, args: &[&dyn crate::message::Value]) -> Said {
    Said::coded(TEXTS, code, args)
}

/// A bare command as a fix: the same in every language, so it has no code.
fn command(c: String) -> Said {
    Said::from(c)
}

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
        t.pass(None, say("verify.openstack.labels.ok", &[]))
    } else {
        t.warn(
            None,
            say("verify.openstack.labels.missing", &[&missing.join(", ")]),
            command(format!(
                "kubectl label nodes --all {}",
                missing
                    .iter()
                    .map(|l| format!("{l}=enabled"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
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
        Some(s) => t.pass(None, say("verify.openstack.storage.ok", &[&name_of(s)])),
        None => t.warn(
            None,
            say("verify.openstack.storage.none", &[&scs.len()]),
            say("verify.openstack.storage.fix", &[]),
        ),
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
            if tainted.is_empty() {
                say("verify.openstack.taint.ok.none", &[&nodes.len()])
            } else {
                say(
                    "verify.openstack.taint.ok",
                    &[&nodes.len(), &tainted.join(", ")],
                )
            },
        )
    } else {
        let key = if cx.expected.minor >= 24 {
            "node-role.kubernetes.io/control-plane"
        } else {
            "node-role.kubernetes.io/master"
        };
        t.warn(
            None,
            say(
                "verify.openstack.taint.small_lab",
                &[&nodes.len(), &tainted.join(", ")],
            ),
            command(format!(
                "kubectl taint nodes {} {key}:NoSchedule-",
                tainted.join(" ")
            )),
        )
    });

    let t = Timer::start("openstack.dns-domain");
    out.push(if cx.expected.dns_domain == "cluster.local" {
        t.pass(None, "dnsDomain cluster.local")
    } else {
        t.warn(
            None,
            format!("dnsDomain {}", cx.expected.dns_domain),
            say("verify.openstack.dns_domain.fix", &[]),
        )
    });

    let t = Timer::start("openstack.ingress");
    let ic = cx
        .items(
            &Call::get("ingressclasses.networking.k8s.io", None, None),
            until,
        )
        .unwrap_or_default();
    out.push(if ic.is_empty() {
        t.warn(
            None,
            say("verify.openstack.ingress.none", &[]),
            command("helm upgrade --install ingress-nginx ingress-nginx/ingress-nginx --namespace ingress-nginx --create-namespace --set controller.ingressClassResource.name=nginx".into()),
        )
    } else {
        t.pass(None, format!("IngressClass {}", ic.iter().map(name_of).collect::<Vec<_>>().join(", ")))
    });

    let t = Timer::start("openstack.ipv6-primary");
    out.push(match cx.expected.families.first().map(|f| f.family) {
        Some(AddressFamily::Ipv6) => t.warn(
            None,
            say("verify.openstack.ipv6_primary", &[]),
            say("verify.openstack.ipv6_primary.fix", &[]),
        ),
        _ => t.pass(None, say("verify.openstack.ipv4_primary", &[])),
    });
    out
}
