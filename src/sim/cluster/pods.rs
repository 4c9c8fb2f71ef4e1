//! Pods: the controllers that make them (ReplicaSets of Deployments, DaemonSets), the
//! scheduler that places them (nodeSelector, nodeName, taints and tolerations), and the CNI
//! that addresses them (Calico's pools, only the families its IPAM assigns).

use super::calico::Calico;
use super::nodes::NodeRec;
use super::{Cluster, time};
use crate::sim::version::Version;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PodRec {
    pub name: String,
    pub namespace: String,
    pub uid: String,
    pub created: u64,
    /// `created` in ms, for the lab's pod-start latency; 0 in states written before it.
    #[serde(default)]
    pub created_ms: u64,
    pub node: Option<String>,
    pub host_network: bool,
    pub ips: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub owner_kind: String,
    pub owner_name: String,
    /// The Pod's spec as created (containers, tolerations, nodeSelector...).
    pub spec: Value,
}

impl PodRec {
    /// Whether its containers have started, `pod_start` after it was created (the lab's
    /// pod-start latency: the image pull and the container start). Host-network and static
    /// Pods count as started at once: the control plane's own Pods are up when kubeadm says.
    pub fn started(&self, pod_start: std::time::Duration) -> bool {
        if self.host_network || pod_start.is_zero() {
            return true;
        }
        let created = if self.created_ms == 0 {
            self.created * 1000
        } else {
            self.created_ms
        };
        time::now_ms() >= created + pod_start.as_millis() as u64
    }

    /// A static or host-network Pod bound to a node.
    #[allow(clippy::too_many_arguments)]
    pub fn host_network(
        c: &mut Cluster,
        name: &str,
        ns: &str,
        node: &str,
        labels: &[(&str, &str)],
        image: &str,
        owner_kind: &str,
        owner_name: &str,
    ) -> PodRec {
        let uid = c.uid();
        let ips = c
            .node(node)
            .map(|n| n.internal_ips.clone())
            .unwrap_or_default();
        let image = format!("{}/{image}", c.image_repository);
        PodRec {
            name: name.into(),
            namespace: ns.into(),
            uid,
            created: time::now_secs(),
            created_ms: time::now_ms(),
            node: Some(node.into()),
            host_network: true,
            ips,
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            owner_kind: owner_kind.into(),
            owner_name: owner_name.into(),
            spec: json!({"containers": [{"name": name.split('-').take(if name.starts_with("kube-") { 2 } else { 1 }).collect::<Vec<_>>().join("-"), "image": image}], "hostNetwork": true, "nodeName": node}),
        }
    }
}

/// A short stable suffix like the ones controllers give (pod-template-hash, random names).
pub fn suffix(seed: &str, len: usize) -> String {
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (0..len)
        .map(|i| {
            let x = (h >> ((i * 5) % 60)) as usize ^ i;
            ALPHA[x % ALPHA.len()] as char
        })
        .collect()
}

/// The ReplicaSet name of a Deployment: `<name>-<pod-template-hash>`.
pub fn replicaset_name(deploy: &Value) -> String {
    let name = deploy["metadata"]["name"].as_str().unwrap_or("");
    let hash = suffix(&format!("{}{}", name, deploy["spec"]["template"]), 10);
    format!("{name}-{hash}")
}

fn tolerates(spec: &Value, key: &str, effect: &str) -> bool {
    spec["tolerations"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| {
            let op_exists = t["operator"] == "Exists";
            let key_ok = t["key"].as_str().is_none_or(|k| k.is_empty() || k == key)
                || (op_exists && t["key"].is_null());
            let effect_ok = t["effect"]
                .as_str()
                .is_none_or(|e| e.is_empty() || e == effect);
            key_ok && effect_ok
        })
}

/// Whether a Pod with `spec` and `labels` fits on a node.
pub fn fits(spec: &Value, n: &NodeRec, ready: bool, v: Version, daemon: bool) -> bool {
    if let Some(name) = spec["nodeName"].as_str() {
        return name == n.name;
    }
    if let Some(sel) = spec["nodeSelector"].as_object() {
        let labels = node_labels(n, v);
        for (k, val) in sel {
            if labels.get(k).map(String::as_str) != val.as_str() {
                return false;
            }
        }
    }
    for (k, e) in &n.taints {
        if e != "PreferNoSchedule" && !tolerates(spec, k, e) {
            return false;
        }
    }
    // The node lifecycle controller's taint on a NotReady node; DaemonSet Pods tolerate it.
    if !ready && !daemon && !tolerates(spec, "node.kubernetes.io/not-ready", "NoSchedule") {
        return false;
    }
    true
}

pub fn node_labels(n: &NodeRec, v: Version) -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    for (k, val) in [
        ("kubernetes.io/hostname", n.name.as_str()),
        ("kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("beta.kubernetes.io/arch", "amd64"),
    ] {
        l.insert(k.to_string(), val.to_string());
    }
    if n.control_plane {
        for k in super::nodes::control_plane_labels(v) {
            l.insert(k.to_string(), String::new());
        }
    }
    l
}

/// Whether the CNI works on a node: calico-node runs there without crash-looping.
pub fn cni_ready(calico: &Option<Calico>, node: &str) -> bool {
    calico
        .as_ref()
        .is_some_and(|c| !c.crash.iter().any(|(n, _)| n == node))
}

fn labels_of(tmpl: &Value) -> BTreeMap<String, String> {
    tmpl["metadata"]["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// Bring the Pods in line with the workloads, schedule and address them.
pub fn reconcile(c: &mut Cluster, v: Version, faults: &[String]) {
    super::operator::reconcile(c, v);
    let calico = super::calico::from_cluster(c, faults);
    let ready: Vec<(String, bool)> = c
        .nodes
        .iter()
        .map(|n| {
            (
                n.name.clone(),
                cni_ready(&calico, &n.name)
                    && !(faults.iter().any(|f| f == "node-notready") && n.control_plane),
            )
        })
        .collect();
    let is_ready = |name: &str| ready.iter().any(|(n, r)| n == name && *r);
    // Workload-owned Pods.
    let workloads: Vec<Value> = c
        .objects
        .iter()
        .filter(|o| o["kind"] == "Deployment" || o["kind"] == "DaemonSet")
        .cloned()
        .collect();
    let mut wanted: Vec<(String, String)> = Vec::new();
    for w in &workloads {
        let ns = w["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string();
        let name = w["metadata"]["name"].as_str().unwrap_or("").to_string();
        let tmpl = &w["spec"]["template"];
        let labels = labels_of(tmpl);
        let spec = tmpl["spec"].clone();
        let host_network = spec["hostNetwork"].as_bool().unwrap_or(false);
        if w["kind"] == "Deployment" {
            let rs = replicaset_name(w);
            let replicas = w["spec"]["replicas"].as_u64().unwrap_or(1) as usize;
            let have: Vec<String> = c
                .pods
                .iter()
                .filter(|p| p.namespace == ns && p.owner_kind == "ReplicaSet" && p.owner_name == rs)
                .map(|p| p.name.clone())
                .collect();
            for p in have.iter().take(replicas) {
                wanted.push((ns.clone(), p.clone()));
            }
            for i in have.len()..replicas {
                let pname = format!("{rs}-{}", suffix(&format!("{rs}{i}{}", c.next_uid), 5));
                let uid = c.uid();
                c.pods.push(PodRec {
                    name: pname.clone(),
                    namespace: ns.clone(),
                    uid,
                    created: time::now_secs(),
                    created_ms: time::now_ms(),
                    node: None,
                    host_network,
                    ips: Vec::new(),
                    labels: labels.clone(),
                    owner_kind: "ReplicaSet".into(),
                    owner_name: rs.clone(),
                    spec: spec.clone(),
                });
                wanted.push((ns.clone(), pname));
            }
        } else {
            let nodes: Vec<NodeRec> = c.nodes.clone();
            for n in &nodes {
                if !fits(&spec, n, true, v, true) {
                    continue;
                }
                let existing = c
                    .pods
                    .iter()
                    .find(|p| {
                        p.namespace == ns
                            && p.owner_kind == "DaemonSet"
                            && p.owner_name == name
                            && p.node.as_deref() == Some(&n.name)
                    })
                    .map(|p| p.name.clone());
                let pname = match existing {
                    Some(p) => p,
                    None => {
                        let pname = format!("{name}-{}", suffix(&format!("{name}{}", n.name), 5));
                        let uid = c.uid();
                        let mut s = spec.clone();
                        s["nodeName"] = json!(n.name);
                        c.pods.push(PodRec {
                            name: pname.clone(),
                            namespace: ns.clone(),
                            uid,
                            created: time::now_secs(),
                            created_ms: time::now_ms(),
                            node: Some(n.name.clone()),
                            host_network,
                            ips: Vec::new(),
                            labels: labels.clone(),
                            owner_kind: "DaemonSet".into(),
                            owner_name: name.clone(),
                            spec: s,
                        });
                        pname
                    }
                };
                wanted.push((ns.clone(), pname));
            }
        }
    }
    c.pods.retain(|p| {
        (p.owner_kind != "ReplicaSet" && p.owner_kind != "DaemonSet")
            || wanted.contains(&(p.namespace.clone(), p.name.clone()))
    });
    // Schedule: the node with the fewest Pods among those that fit.
    let nodes = c.nodes.clone();
    for i in 0..c.pods.len() {
        if c.pods[i].node.is_some() {
            continue;
        }
        let spec = c.pods[i].spec.clone();
        let mut best: Option<(usize, String)> = None;
        for n in &nodes {
            if !fits(&spec, n, is_ready(&n.name), v, false) {
                continue;
            }
            let load = c
                .pods
                .iter()
                .filter(|p| p.node.as_deref() == Some(&n.name))
                .count();
            if best.as_ref().is_none_or(|(l, _)| load < *l) {
                best = Some((load, n.name.clone()));
            }
        }
        c.pods[i].node = best.map(|(_, n)| n);
    }
    // Address: host-network Pods take the node's IPs; others Calico's, once it runs there.
    for i in 0..c.pods.len() {
        let Some(node) = c.pods[i].node.clone() else {
            continue;
        };
        if c.pods[i].host_network {
            c.pods[i].ips = c
                .node(&node)
                .map(|n| n.internal_ips.clone())
                .unwrap_or_default();
            continue;
        }
        if !c.pods[i].ips.is_empty() || !cni_ready(&calico, &node) {
            continue;
        }
        let Some(cal) = &calico else { continue };
        let mut ips = Vec::new();
        for want_v4 in [true, false] {
            if (want_v4 && !cal.assign_v4) || (!want_v4 && !cal.assign_v6) {
                continue;
            }
            if let Some(ip) = allocate(c, cal, &node, want_v4) {
                ips.push(ip);
            }
        }
        c.pods[i].ips = ips;
    }
}

/// The next free address for a Pod on `node` from the node's block of the family's pool.
/// Blocks go to nodes in order of registration; with IPIP or VXLAN on the pool the node's
/// tunnel takes the block's first address (tunl0 / vxlan.calico).
fn allocate(c: &Cluster, cal: &Calico, node: &str, v4: bool) -> Option<String> {
    let pool = cal.pools.iter().find(|p| p.cidr.addr().is_ipv4() == v4)?;
    let index = c.nodes.iter().position(|n| n.name == node)? as u128;
    let block = super::podcidr::nth_subnet(&pool.cidr, pool.block_size, index)?;
    let tunnel = v4 && (pool.ipip != "Never" || pool.vxlan != "Never");
    let used: Vec<&String> = c.pods.iter().flat_map(|p| p.ips.iter()).collect();
    let size: u128 = 1u128 << (block.max_prefix_len() - block.prefix_len()).min(20);
    for ord in (if tunnel { 1 } else { 0 })..size {
        let ip = super::services::nth_ip(&block, ord);
        if !used.iter().any(|u| **u == ip) {
            return Some(ip);
        }
    }
    None
}

/// The Pod in the API's shape, with its status as of `now`.
pub fn to_json(
    c: &Cluster,
    v: Version,
    p: &PodRec,
    calico: &Option<Calico>,
    rv: u64,
    faults: &[String],
    pod_start: std::time::Duration,
) -> Value {
    let node = p.node.as_deref().and_then(|n| c.node(n));
    let crash = calico.as_ref().and_then(|cal| {
        (p.name.starts_with("calico-node-"))
            .then(|| {
                cal.crash
                    .iter()
                    .find(|(n, _)| Some(n.as_str()) == p.node.as_deref())
                    .map(|(_, w)| w.clone())
            })
            .flatten()
    });
    let stopped =
        faults.iter().any(|f| f == "node-notready") && node.is_some_and(|n| n.control_plane);
    let running = node.is_some()
        && (p.host_network || !p.ips.is_empty())
        && crash.is_none()
        && p.started(pod_start);
    // hang:/slow:wait.calico: calico-node runs but its readiness probe fails (for good, or
    // for the slow delay after it started), as when BIRD has no BGP session yet.
    let held = p.name.starts_with("calico-node-")
        && (faults.iter().any(|f| f == "hang:wait.calico")
            || (faults.iter().any(|f| f == "slow:wait.calico")
                && time::now_secs() < p.created + crate::sim::pace::SLOW.as_secs()));
    let stopped = stopped || held;
    let created = time::rfc3339(p.created);
    let mut spec = p.spec.clone();
    if let Some(n) = &p.node {
        spec["nodeName"] = json!(n);
    }
    for (k, d) in [
        ("restartPolicy", json!("Always")),
        ("dnsPolicy", json!("ClusterFirst")),
        ("schedulerName", json!("default-scheduler")),
        ("terminationGracePeriodSeconds", json!(30)),
    ] {
        if spec.get(k).is_none() {
            spec[k] = d;
        }
    }
    let containers: Vec<Value> = spec["containers"].as_array().cloned().unwrap_or_default();
    let statuses: Vec<Value> = containers
        .iter()
        .map(|ct| {
            let name = ct["name"].as_str().unwrap_or("");
            let image = ct["image"].as_str().unwrap_or("");
            let state = if crash.is_some() {
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!("back-off 5m0s restarting failed container={name} pod={}_{}({})", p.name, p.namespace, p.uid)}})
            } else if running {
                json!({"running": {"startedAt": created}})
            } else {
                json!({"waiting": {"reason": "ContainerCreating"}})
            };
            let mut s = json!({"name": name, "image": image, "imageID": "", "ready": running && !stopped, "restartCount": if crash.is_some() { 7 } else { 0 }, "state": state, "lastState": {}});
            if running {
                s["imageID"] = json!(format!("docker-pullable://{image}"));
                s["containerID"] = json!(format!("docker://{}", p.uid.replace('-', "")));
                s["started"] = json!(true);
            }
            if let Some(why) = &crash {
                s["lastState"] = json!({"terminated": {"exitCode": 1, "reason": "Error", "message": why, "startedAt": created, "finishedAt": created}});
            }
            s
        })
        .collect();
    let phase = if node.is_none() || (!running && crash.is_none()) {
        "Pending"
    } else {
        "Running"
    };
    let cond = |t: &str, ok: bool| json!({"type": t, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": created});
    let mut conditions = vec![];
    if node.is_some() {
        conditions.push(cond("Initialized", true));
        conditions.push(cond("Ready", running && !stopped));
        conditions.push(cond("ContainersReady", running && !stopped));
        if held {
            for c in conditions
                .iter_mut()
                .filter(|c| c["type"] == "Ready" || c["type"] == "ContainersReady")
            {
                c["reason"] = json!("ContainersNotReady");
                c["message"] = json!("containers with unready status: [calico-node]");
            }
        }
    }
    conditions.push(cond("PodScheduled", node.is_some()));
    if node.is_none()
        && let Some(last) = conditions.last_mut()
    {
        last["reason"] = json!("Unschedulable");
        last["message"] = json!(format!(
            "0/{} nodes are available: {} node(s) didn't match Pod's node affinity/selector or had untolerated taints.",
            c.nodes.len(),
            c.nodes.len()
        ));
    }
    let mut status = json!({"phase": phase, "conditions": conditions, "qosClass": "BestEffort"});
    if let Some(n) = node {
        let host_ip = n.internal_ips.first().cloned().unwrap_or_default();
        status["hostIP"] = json!(host_ip);
        if v.at_least(28) {
            status["hostIPs"] = json!(
                n.internal_ips
                    .iter()
                    .map(|i| json!({"ip": i}))
                    .collect::<Vec<_>>()
            );
        }
        status["startTime"] = json!(created);
        status["containerStatuses"] = json!(statuses);
        if !p.ips.is_empty() && (running || p.host_network) {
            status["podIP"] = json!(p.ips[0]);
            status["podIPs"] = json!(p.ips.iter().map(|i| json!({"ip": i})).collect::<Vec<_>>());
        }
    }
    let mut meta = json!({
        "name": p.name, "namespace": p.namespace, "uid": p.uid, "resourceVersion": rv.to_string(),
        "creationTimestamp": created, "labels": p.labels,
    });
    if !p.owner_kind.is_empty() {
        let api = if p.owner_kind == "Node" {
            "v1"
        } else {
            "apps/v1"
        };
        meta["ownerReferences"] = json!([{"apiVersion": api, "kind": p.owner_kind, "name": p.owner_name, "uid": p.uid, "controller": true, "blockOwnerDeletion": p.owner_kind != "Node"}]);
    }
    if p.labels.is_empty() {
        meta.as_object_mut().map(|m| m.remove("labels"));
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status})
}
