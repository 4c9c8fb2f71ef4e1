//! Nodes: registered by the kubelet kubeadm started, addressed by its `--node-ip`, given
//! pod ranges by the controller-manager, Ready once a CNI is up on them.

use super::Cluster;
use super::podcidr;
use crate::sim::version::Version;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::net::IpAddr;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeRec {
    pub name: String,
    pub uid: String,
    pub created: u64,
    pub internal_ips: Vec<String>,
    pub pod_cidrs: Vec<String>,
    pub control_plane: bool,
    pub taints: Vec<(String, String)>,
    pub cri_socket: String,
    /// The host's own addresses (what calico-node's autodetection can find on it).
    pub host_ipv4: Option<String>,
    pub host_ipv6: Option<String>,
    pub ipv4_interface: String,
    pub ipv6_interface: String,
    /// The kubelet was stopped (kubeadm reset on a worker): the Node stays, NotReady.
    #[serde(default)]
    pub kubelet_stopped: bool,
}

/// The InternalIPs a kubelet reports for `--node-ip` (kubelet_node_status / nodestatus
/// setters). Up to 1.19 the flag is a single address parsed with net.ParseIP: a pair does not
/// parse and the kubelet falls back to detecting one address itself, IPv4 first (from the
/// hostname in /etc/hosts, as on the guide's nodes) — the guide's missing IPv6 InternalIP.
/// From 1.20 (#95239) a pair of different families gives both, in order, where the kubelet's
/// IPv6DualStack gate is on (1.20 alpha; on by default from 1.21). Err: the kubelet refuses
/// the flag and does not start.
pub fn kubelet_ips(
    v: Version,
    node_ip: Option<&str>,
    gate: bool,
    host4: Option<&str>,
    host6: Option<&str>,
) -> Result<Vec<String>, String> {
    let detect = || -> Vec<String> {
        host4
            .or(host6)
            .map(|a| vec![a.to_string()])
            .unwrap_or_default()
    };
    let Some(flag) = node_ip.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(detect());
    };
    let parts: Vec<&str> = flag.split(',').map(str::trim).collect();
    if v.minor <= 19 {
        return Ok(match flag.parse::<IpAddr>() {
            Ok(ip) => vec![ip.to_string()],
            Err(_) => detect(),
        });
    }
    let ips: Vec<IpAddr> = parts
        .iter()
        .map(|p| p.parse::<IpAddr>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("failed to run Kubelet: bad --node-ip {flag:?}; must contain either a single IP or a dual-stack pair of IPs"))?;
    match ips.as_slice() {
        [one] => Ok(vec![one.to_string()]),
        [a, b] if a.is_ipv4() != b.is_ipv4() => {
            if a.is_unspecified() || b.is_unspecified() {
                return Err(format!(
                    "failed to run Kubelet: dual-stack --node-ip {flag:?} cannot include '0.0.0.0' or '::'"
                ));
            }
            if !gate && v.minor <= 22 {
                return Err(format!(
                    "failed to run Kubelet: dual-stack --node-ip {flag:?} not supported in a single-stack cluster"
                ));
            }
            Ok(vec![a.to_string(), b.to_string()])
        }
        _ => Err(format!(
            "failed to run Kubelet: bad --node-ip {flag:?}; must contain either a single IP or a dual-stack pair of IPs"
        )),
    }
}

/// Give a new node its pod ranges: the next free subnet of each cluster CIDR.
pub fn allocate_pod_cidrs(c: &Cluster) -> Vec<String> {
    if c.kcm_error.is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for cidr in &c.cluster_cidrs {
        let Ok(net) = cidr.parse::<IpNet>() else {
            continue;
        };
        let mask = if net.addr().is_ipv4() {
            c.mask_v4
        } else {
            c.mask_v6
        };
        let used: Vec<&String> = c.nodes.iter().flat_map(|n| n.pod_cidrs.iter()).collect();
        let mut i: u128 = 0;
        while let Some(sub) = podcidr::nth_subnet(&net, mask, i) {
            if !used.iter().any(|u| **u == sub.to_string()) {
                out.push(sub.to_string());
                break;
            }
            i += 1;
        }
    }
    out
}

/// The control-plane labels and taints kubeadm puts on a control-plane node, per version
/// (KEP-2067: control-plane label from 1.20, master label dropped in 1.24, master taint
/// dropped in 1.25).
pub fn control_plane_labels(v: Version) -> Vec<&'static str> {
    let mut l = Vec::new();
    if v.minor <= 23 {
        l.push("node-role.kubernetes.io/master");
    }
    if v.at_least(20) {
        l.push("node-role.kubernetes.io/control-plane");
    }
    if v.at_least(24) {
        l.push("node.kubernetes.io/exclude-from-external-load-balancers");
    }
    l
}

pub fn default_control_plane_taints(v: Version) -> Vec<(String, String)> {
    let mut t = Vec::new();
    if v.minor <= 24 {
        t.push((
            "node-role.kubernetes.io/master".to_string(),
            "NoSchedule".to_string(),
        ));
    }
    if v.at_least(24) {
        t.push((
            "node-role.kubernetes.io/control-plane".to_string(),
            "NoSchedule".to_string(),
        ));
    }
    t
}

/// Why a node is not Ready, or None when it is.
pub fn not_ready_reason(v: Version, cni_ready: bool) -> Option<String> {
    if cni_ready {
        return None;
    }
    Some(if v.minor < 24 {
        "runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized".into()
    } else {
        "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized".into()
    })
}

/// The Node object in the API's shape.
pub fn to_json(
    v: Version,
    n: &NodeRec,
    ready: Option<String>,
    stopped: bool,
    rv: u64,
    now: u64,
) -> Value {
    let mut labels = serde_json::Map::new();
    for (k, val) in [
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", n.name.as_str()),
        ("kubernetes.io/os", "linux"),
    ] {
        labels.insert(k.into(), json!(val));
    }
    if n.control_plane {
        for l in control_plane_labels(v) {
            labels.insert(l.into(), json!(""));
        }
    }
    let mut addresses: Vec<Value> = n
        .internal_ips
        .iter()
        .map(|a| json!({"type": "InternalIP", "address": a}))
        .collect();
    addresses.push(json!({"type": "Hostname", "address": n.name}));
    let created = super::time::rfc3339(n.created);
    let heartbeat = super::time::rfc3339(if stopped { n.created } else { now });
    let cond = |t: &str, status: &str, reason: &str, msg: &str| json!({"type": t, "status": status, "lastHeartbeatTime": heartbeat, "lastTransitionTime": created, "reason": reason, "message": msg});
    let ready_cond = if stopped {
        cond(
            "Ready",
            "Unknown",
            "NodeStatusUnknown",
            "Kubelet stopped posting node status.",
        )
    } else {
        match &ready {
            None => cond(
                "Ready",
                "True",
                "KubeletReady",
                "kubelet is posting ready status",
            ),
            Some(msg) => cond("Ready", "False", "KubeletNotReady", msg),
        }
    };
    let mut spec = serde_json::Map::new();
    if let Some(first) = n.pod_cidrs.first() {
        spec.insert("podCIDR".into(), json!(first));
        spec.insert("podCIDRs".into(), json!(n.pod_cidrs));
    }
    let mut taints: Vec<Value> = n
        .taints
        .iter()
        .map(|(k, e)| json!({"key": k, "effect": e}))
        .collect();
    if ready.is_some() && !stopped {
        taints.push(json!({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}));
    }
    if stopped {
        taints.push(json!({"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"}));
    }
    if !taints.is_empty() {
        spec.insert("taints".into(), json!(taints));
    }
    let runtime = if v.minor < 24 {
        "docker://19.3.11"
    } else {
        "containerd://1.7.24"
    };
    let mut annotations = json!({
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true"
    });
    if v.annotates_cri_socket() {
        annotations["kubeadm.alpha.kubernetes.io/cri-socket"] = json!(n.cri_socket);
    }
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": n.name,
            "uid": n.uid,
            "resourceVersion": rv.to_string(),
            "creationTimestamp": created,
            "labels": labels,
            "annotations": annotations
        },
        "spec": spec,
        "status": {
            "addresses": addresses,
            "allocatable": {"cpu": "4", "ephemeral-storage": "47093746742", "hugepages-2Mi": "0", "memory": "7906532Ki", "pods": "110"},
            "capacity": {"cpu": "4", "ephemeral-storage": "51175Mi", "hugepages-2Mi": "0", "memory": "8008932Ki", "pods": "110"},
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                ready_cond
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": n.uid,
                "containerRuntimeVersion": runtime,
                "kernelVersion": "3.10.0-1062.el7.x86_64",
                "kubeProxyVersion": v.to_string(),
                "kubeletVersion": v.to_string(),
                "machineID": n.uid.replace('-', ""),
                "operatingSystem": "linux",
                "osImage": "CentOS Linux 7 (Core)",
                "systemUUID": n.uid
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(m: u32) -> Version {
        Version { minor: m, patch: 0 }
    }

    #[test]
    fn the_119_kubelet_keeps_one_address() {
        let h4 = Some("111.111.111.121");
        let h6 = Some("2018::21");
        assert_eq!(
            kubelet_ips(v(19), Some("111.111.111.121,2018::21"), true, h4, h6).unwrap(),
            ["111.111.111.121"]
        );
        assert_eq!(
            kubelet_ips(v(19), Some("111.111.111.121"), true, h4, h6).unwrap(),
            ["111.111.111.121"]
        );
        assert_eq!(
            kubelet_ips(v(19), None, true, h4, h6).unwrap(),
            ["111.111.111.121"]
        );
    }

    #[test]
    fn from_120_a_pair_gives_both_where_the_gate_is_on() {
        let (h4, h6) = (Some("111.111.111.121"), Some("2018::21"));
        assert_eq!(
            kubelet_ips(v(20), Some("111.111.111.121,2018::21"), true, h4, h6).unwrap(),
            ["111.111.111.121", "2018::21"]
        );
        assert!(
            kubelet_ips(v(20), Some("111.111.111.121,2018::21"), false, h4, h6)
                .unwrap_err()
                .contains("single-stack cluster")
        );
        assert_eq!(
            kubelet_ips(v(24), Some("2018::21,111.111.111.121"), true, h4, h6).unwrap(),
            ["2018::21", "111.111.111.121"]
        );
        assert!(
            kubelet_ips(v(24), Some("1.2.3.4,5.6.7.8"), true, h4, h6)
                .unwrap_err()
                .contains("bad --node-ip")
        );
    }
}
