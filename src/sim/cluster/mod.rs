//! The simulated cluster: what the API server holds and what its controllers (the
//! controller-manager's node IPAM, the scheduler, calico-node, the service IP allocator)
//! make of it. Everything here follows from the files the tools were given.

pub mod calico;
pub mod controlplane;
pub mod netpath;
pub mod nodes;
pub mod objects;
pub mod operator;
pub mod podcidr;
pub mod pods;
pub mod services;
pub mod time;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The cluster kubeadm init made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cluster {
    pub created: u64,
    pub name: String,
    /// What joins and kubeconfigs point at: controlPlaneEndpoint, else advertiseAddress:port.
    pub endpoint: String,
    pub dns_domain: String,
    pub image_repository: String,
    /// kube-apiserver's service ranges (empty when it could not start).
    pub service_ranges: Vec<String>,
    /// kube-controller-manager's cluster CIDRs and masks; `kcm_error` when it exits instead.
    pub cluster_cidrs: Vec<String>,
    pub mask_v4: u8,
    pub mask_v6: u8,
    pub kcm_error: Option<String>,
    pub proxy_mode: String,
    /// kube-proxy handles both families (its clusterCIDR is a pair and it runs dual-stack).
    pub proxy_dual: bool,
    pub ca_hash: String,
    /// The CA certificate kubeconfigs carry, to tell a stale kubeconfig from this cluster's.
    pub ca_pem: String,
    pub tokens: Vec<String>,
    pub certificate_key: Option<String>,
    pub nodes: Vec<nodes::NodeRec>,
    /// Objects kubectl created, in the API's JSON, in creation order.
    pub objects: Vec<Value>,
    pub pods: Vec<pods::PodRec>,
    /// Service ClusterIPs handed out, per Service (namespace/name → IPs).
    pub service_ips: Vec<(String, Vec<String>)>,
    pub next_uid: u64,
    /// How many of `tokens` kubeadm init made (the ones the token-expired fault expires).
    #[serde(default)]
    pub init_token_count: usize,
    /// Whether `kubeadm init phase upload-certs` ran after init (the
    /// certificate-key-expired fault deletes only the Secret init uploaded).
    #[serde(default)]
    pub certs_reuploaded: bool,
    /// The KubeletConfiguration init uploaded (kubelet-config ConfigMap), which joining
    /// kubelets download: its cgroupDriver and featureGates, and kubeadm's IPv6DualStack gate.
    #[serde(default)]
    pub kubelet_cgroup_driver: Option<String>,
    #[serde(default)]
    pub kubelet_gates: Vec<(String, bool)>,
    #[serde(default)]
    pub kubeadm_gates: Vec<(String, bool)>,
}

impl Cluster {
    pub fn uid(&mut self) -> String {
        self.next_uid += 1;
        // A UUID-shaped id that stays stable for the object.
        let n = self.next_uid;
        let h = self.ca_hash.trim_start_matches("sha256:");
        format!(
            "{}-{}-4{}-a{}-{:012x}",
            &h[..8],
            &h[8..12],
            &h[12..15],
            &h[15..18],
            n
        )
    }

    pub fn node(&self, name: &str) -> Option<&nodes::NodeRec> {
        self.nodes.iter().find(|n| n.name == name)
    }
}
