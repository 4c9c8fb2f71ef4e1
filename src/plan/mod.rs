//! Answers → a checked Plan, or the problems that stop one.
//!
//! Pure: no clock, no filesystem, no environment. Every value a template will see is parsed
//! and canonical here, so templates never have to guess.

mod checks;
pub mod cidr;
pub mod host;
pub mod ipam;
pub mod problem;
pub mod report;
pub mod version;

use crate::answers::{AddressFamily, Answers, CalicoInstall, Encapsulation, NodeRole, ProxyMode};
use ipnet::IpNet;
use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub use checks::calico_dataplane::{
    backend_problems, encapsulation_overhead, mtu_problems, pod_mtu,
};
pub use checks::subnets::default_node_mask;
pub use problem::{Problem, Severity};
pub use version::{CalicoMinor, CalicoVersion, KubeMinor, KubeVersion};

/// Everything the install needs, resolved: defaults filled from the version table, addresses
/// parsed and canonical, families in primary-first order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub kube_version: KubeVersion,
    pub kube: &'static KubeMinor,
    pub calico_version: CalicoVersion,
    pub calico_row: &'static CalicoMinor,
    pub cluster_name: String,
    pub dns_domain: String,
    pub image_repository: String,
    pub cri_socket: String,
    /// The kubelet's `cgroupDriver` (the runtime's must match; `host::check` compares).
    pub cgroup_driver: crate::answers::CgroupDriver,
    pub proxy_mode: ProxyMode,
    pub control_plane_endpoint: Option<String>,
    pub node: NodePlan,
    /// One per family, the primary (first in podSubnets) first.
    pub families: Vec<FamilyPlan>,
    pub calico: CalicoPlan,
    pub joins: Vec<JoinPlan>,
    pub verify: VerifyPlan,
    /// Warnings that did not stop the plan.
    pub warnings: Vec<Problem>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodePlan {
    pub name: String,
    pub ipv4: Option<Ipv4Addr>,
    pub ipv6: Option<Ipv6Addr>,
    pub ipv4_interface: Option<String>,
    pub ipv6_interface: Option<String>,
    /// `localAPIEndpoint.advertiseAddress`: one address, of the family picked by `apiAdvertise`.
    pub advertise_address: IpAddr,
    /// The kubelet's `--node-ip`: both families (primary first) where the version takes a
    /// pair, else the advertise address alone.
    pub node_ips: Vec<IpAddr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum MaskSource {
    /// Given in the answers file.
    Answers,
    /// kubeadm ≤1.19 computes it (calcNodeCidrSize).
    Kubeadm,
    /// kube-controller-manager's default (1.20+).
    ControllerManager,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FamilyPlan {
    pub family: AddressFamily,
    pub pod_subnet: IpNet,
    pub service_subnet: IpNet,
    pub node_mask: u8,
    pub node_mask_source: MaskSource,
    /// How many node ranges the pod subnet holds at `node_mask`.
    pub nodes_fit: u128,
    /// Addresses in one node's range.
    pub addresses_per_node: u128,
    /// ClusterIPs the service range gives (`cidr::service_addresses`): the apiserver's
    /// allocator keeps some addresses and, before 1.34, caps IPv6 at 65,535.
    pub service_addresses: u128,
    pub calico_pool: IpNet,
    pub block_size: u8,
    pub encapsulation: Encapsulation,
    /// Calico's `IP_AUTODETECTION_METHOD` / `IP6_AUTODETECTION_METHOD`.
    pub autodetection: String,
    /// NAT for traffic leaving the cluster from this pool.
    pub nat_outgoing: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CalicoPlan {
    pub install: CalicoInstall,
    pub manifest: Option<String>,
    /// `calico.operatorCrds` as given (operator mode); unset: beside `manifest`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator_crds: Option<String>,
    pub mtu: Option<u32>,
    pub registry: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinPlan {
    pub name: String,
    pub ipv4: Option<Ipv4Addr>,
    pub ipv6: Option<Ipv6Addr>,
    pub role: NodeRole,
    /// The address this node advertises (control-plane joins) and the kubelet's `--node-ip`.
    pub advertise_address: IpAddr,
    pub node_ips: Vec<IpAddr>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyPlan {
    pub server_image: String,
    pub client_image: String,
    pub node_port: u16,
    pub namespace: String,
}

impl Plan {
    pub fn family(&self, f: AddressFamily) -> Option<&FamilyPlan> {
        self.families.iter().find(|p| p.family == f)
    }
    pub fn primary(&self) -> &FamilyPlan {
        &self.families[0]
    }
    pub fn is_dual_stack(&self) -> bool {
        self.families.len() == 2
    }
    /// `podSubnet` as kubeadm wants it: comma-joined, no spaces (Calico's kubeadm-config
    /// parser stops at the first entry that does not parse, so `a, b` would lose b).
    pub fn pod_subnets_joined(&self) -> String {
        join(self.families.iter().map(|f| f.pod_subnet.to_string()))
    }
    pub fn service_subnets_joined(&self) -> String {
        join(self.families.iter().map(|f| f.service_subnet.to_string()))
    }
    /// The API server's address for joins: the control-plane endpoint, or the advertise
    /// address with the port.
    pub fn api_server_endpoint(&self) -> String {
        match &self.control_plane_endpoint {
            Some(e) => e.clone(),
            None => match self.node.advertise_address {
                IpAddr::V4(a) => format!("{a}:6443"),
                IpAddr::V6(a) => format!("[{a}]:6443"),
            },
        }
    }
}

fn join(it: impl Iterator<Item = String>) -> String {
    it.collect::<Vec<_>>().join(",")
}

/// The outcome of checking answers: a plan when nothing is an error, and every problem found.
#[derive(Debug, Clone)]
pub struct Checked {
    pub plan: Option<Plan>,
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(|p| p.is_error())
    }
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
    /// Problems for one field path (and paths below it), for the wizard's field errors.
    pub fn for_path<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a Problem> + 'a {
        self.problems.iter().filter(move |p| {
            p.path == path
                || p.path.starts_with(&format!("{path}."))
                || p.path.starts_with(&format!("{path}["))
        })
    }
}

/// Check answers against every rule Kubernetes and Calico enforce for the chosen versions.
pub fn check(answers: &Answers) -> Checked {
    checks::run(answers)
}
