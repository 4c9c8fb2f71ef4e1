//! The test workload (the rendered verify-workload.yaml) in its own namespace: a
//! leftover namespace of an aborted run is removed first; the namespace is removed
//! afterwards unless --keep.

use super::check::{Cx, Step, poll};
use super::kubectl::Call;
use crate::message::Said;
use std::path::Path;
use std::time::Instant;

/// Remove a leftover namespace and wait until it is gone, then apply the workload.
pub fn deploy(cx: &Cx, yaml: &str, dir: &Path) -> Result<(), Said> {
    let until = Instant::now() + cx.deadline;
    let ns = &cx.expected.namespace;
    let exists = |u| cx.get(&Call::get("namespace", None, Some(ns)), u);
    if exists(until).is_ok() {
        // From an aborted run (or a Terminating one): apply into a Terminating namespace
        // is refused ("because it is being terminated"), so wait for it to go.
        cx.run(&Call::DeleteNamespace { name: ns.clone() }, until)
            .map_err(|e| say("verify.workload.delete_leftover", &[ns, &e]))?;
        poll(until, || match exists(until) {
            Err(e) if e.text.contains("NotFound") || e.text.contains("not found") => Step::Done(()),
            Err(e) => Step::Wait(e),
            Ok(_) => Step::Wait(say("verify.workload.terminating", &[ns])),
        })?;
    }
    let file = dir.join("verify-workload.yaml");
    crate::io::write::write_file(&file, yaml.as_bytes(), 0o600)
        .map_err(|e| Said::from(format!("{}: {e}", file.display())))?;
    cx.run(&Call::Apply { file }, until)
        .map(|_| ())
        .map_err(|e| say("verify.workload.apply_failed", &[&e]))
}

/// Remove the namespace (not waiting for it to finish terminating).
pub fn remove(cx: &Cx) -> Result<(), Said> {
    let until = Instant::now() + cx.deadline;
    cx.run(
        &Call::DeleteNamespace {
            name: cx.expected.namespace.clone(),
        },
        until,
    )
    .map(|_| ())
}

fn say(code: &str, args: &[&dyn crate::message::Value]) -> Said {
    Said::coded(super::TEXTS, code, args)
}

/// The workload as `dsinstall render` writes it (verify-workload.yaml) for this plan.
pub fn render_for(plan: &crate::plan::Plan) -> Result<String, String> {
    use crate::render;
    let inputs = render::RenderInputs {
        bootstrap_token: render::new_bootstrap_token(),
        certificate_key: render::new_certificate_key(),
        calico_manifest: None,
        calico_manifest_source: None,
        operator_crds: None,
        operator_crds_source: None,
        plan_text: String::new(),
    };
    let files = render::render_each(plan, &render::templates::Templates::embedded(), &inputs)
        .map_err(|e| e.to_string())?;
    files
        .into_iter()
        .flatten()
        .find(|f| f.name == render::VERIFY_WORKLOAD)
        .map(|f| f.contents)
        .ok_or_else(|| format!("{} could not be rendered", render::VERIFY_WORKLOAD))
}

/// Answers for a cluster dsinstall did not install, from what the cluster says: the
/// subnets and version of kubeadm-config, the nodes and their InternalIPs, the Calico
/// version of calico-node's image. Only the workload is rendered from them.
pub fn answers_from_cluster(
    c: &super::expect::FromCluster,
    nodes: &[serde_json::Value],
    calico_version: &str,
) -> crate::answers::Answers {
    use crate::answers::{Answers, Calico, CalicoInstall, Kubernetes, Networking, Node, OtherNode};
    let ips = |n: &serde_json::Value, v4: bool| -> Option<String> {
        n["status"]["addresses"].as_array()?.iter().find_map(|a| {
            let ip = a["address"].as_str()?;
            (a["type"] == "InternalIP" && ip.contains(':') != v4).then(|| ip.to_string())
        })
    };
    let first = nodes
        .iter()
        .find(|n| {
            n["metadata"]["labels"]["node-role.kubernetes.io/control-plane"].is_string()
                || n["metadata"]["labels"]["node-role.kubernetes.io/master"].is_string()
        })
        .or(nodes.first());
    let fams: Vec<bool> = c
        .pod_subnets
        .iter()
        .map(|p| matches!(p, ipnet::IpNet::V4(_)))
        .collect();
    let has = |v4: bool| fams.contains(&v4);
    let node = first.map(|n| Node {
        name: super::check::name_of(n).to_string(),
        // A node without an InternalIP of a family (1.19) still needs one in the answers.
        ipv4: has(true).then(|| ips(n, true).unwrap_or_else(|| "192.0.2.1".into())),
        ipv6: has(false).then(|| ips(n, false).unwrap_or_else(|| "2001:db8::1".into())),
        // Not known from the cluster, and not in the workload: only the Calico files use it.
        ipv4_interface: has(true).then(|| "eth0".into()),
        ipv6_interface: has(false).then(|| "eth0".into()),
        ..Default::default()
    });
    Answers {
        api_version: "dsinstall/v1alpha1".into(),
        kind: "Answers".into(),
        kubernetes: Kubernetes {
            version: c.version.clone(),
            ..Default::default()
        },
        node: node.unwrap_or_default(),
        networking: Networking {
            pod_subnets: c.pod_subnets.iter().map(|p| p.to_string()).collect(),
            service_subnets: c.service_subnets.iter().map(|p| p.to_string()).collect(),
            // The masks the controller manager cut the nodes' podCIDRs with.
            node_mask_sizes: Some(crate::answers::NodeMaskSizes {
                ipv4: mask(nodes, true),
                ipv6: mask(nodes, false),
            }),
            dns_domain: Some(c.dns_domain.clone()),
        },
        calico: Calico {
            version: calico_version.to_string(),
            install: if c.operator {
                CalicoInstall::Operator
            } else {
                CalicoInstall::Manifest
            },
            // Only the workload is rendered: the Calico files' autodetection is not used.
            ipv4_autodetection_method: has(true).then(|| "first-found".into()),
            ipv6_autodetection_method: has(false).then(|| "first-found".into()),
            ..Default::default()
        },
        nodes: nodes
            .iter()
            .filter(|n| Some(*n) != first)
            .map(|n| OtherNode {
                name: super::check::name_of(n).to_string(),
                ipv4: has(true).then(|| ips(n, true)).flatten(),
                ipv6: has(false).then(|| ips(n, false)).flatten(),
                role: Default::default(),
                ssh: None,
            })
            .collect(),
        ssh: None,
        verify: None,
    }
}

fn mask(nodes: &[serde_json::Value], v4: bool) -> Option<u8> {
    nodes.iter().find_map(|n| {
        n["spec"]["podCIDRs"].as_array()?.iter().find_map(|c| {
            let net: ipnet::IpNet = c.as_str()?.parse().ok()?;
            (net.addr().is_ipv4() == v4).then(|| net.prefix_len())
        })
    })
}
