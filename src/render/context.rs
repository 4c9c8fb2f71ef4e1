//! Plan → the values the templates see.
//!
//! Every decision that depends on the Kubernetes version is made here from the version-table
//! row (`plan.kube`), never from the version string, so the templates only test flags and
//! loop over lists. Every value is final text or a number: templates do no formatting beyond
//! quoting (which the YAML formatter in `mod.rs` does for them).

use crate::answers::{AddressFamily, NodeRole, ProxyMode};
use crate::plan::version::{GateRule, Maturity, ServiceFamilyFields};
use crate::plan::{MaskSource, Plan};
use serde::Serialize;
use std::net::IpAddr;

/// Where a control-plane node's API server listens (kubeadm's default bind port).
const API_PORT: u16 = 6443;

/// What `kubeadm-config.yaml.j2`, `join.yaml.j2`, `sysctl-kubernetes.conf.j2` and
/// `verify-workload.yaml.j2` read.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub kubeadm: Kubeadm,
    pub cluster: Cluster,
    pub node: Node,
    pub kubelet: Kubelet,
    pub proxy: Proxy,
    pub sysctl: Sysctl,
    pub modules: Modules,
    pub verify: Verify,
    /// One per `nodes:` entry, rendered to `join-<name>.yaml`.
    pub joins: Vec<Join>,
    /// The join being rendered (set per file by `render`; null in the other templates).
    pub join: Option<Join>,
}

/// One command-line flag in kubeadm's `extraArgs`/`kubeletExtraArgs`. The template prints
/// the list as `{name, value}` entries (v1beta4) or as a map (v1beta2/v1beta3) by
/// `kubeadm.extra_args_as_list`.
#[derive(Debug, Clone, Serialize)]
pub struct Arg {
    pub name: String,
    pub value: String,
}

fn arg(name: &str, value: impl Into<String>) -> Arg {
    Arg {
        name: name.into(),
        value: value.into(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Kubeadm {
    /// `kubeadm.k8s.io/v1beta2|3|4`.
    pub api_version: String,
    /// v1beta4 turned `extraArgs`/`kubeletExtraArgs` into `{name, value}` lists (kk#125029).
    pub extra_args_as_list: bool,
    /// `ClusterConfiguration.featureGates.IPv6DualStack: true`.
    pub dual_stack_gate: bool,
    pub kubernetes_version: String,
    pub bootstrap_token: String,
    /// `certificateKey` of InitConfiguration and of control-plane joins: the key that
    /// encrypts the certificates `kubeadm init --upload-certs` shares with them. Only set
    /// when a control-plane node joins (a secret nobody needs otherwise).
    pub certificate_key: Option<String>,
    /// `caCertHashes` of the joins: the placeholder until `kubeadm init` made the CA
    /// (`super::pin_ca_cert_hash` fills it in).
    pub ca_cert_hash: String,
    /// `kube-apiserver`, `kube-controller-manager`, `kube-scheduler` flags.
    pub api_server_args: Vec<Arg>,
    pub controller_manager_args: Vec<Arg>,
    pub scheduler_args: Vec<Arg>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    pub name: String,
    pub dns_domain: String,
    pub image_repository: String,
    pub control_plane_endpoint: Option<String>,
    /// Comma-joined, primary family first, no spaces.
    pub pod_subnet: String,
    pub service_subnet: String,
    /// `host:port` the joining nodes discover the API server at.
    pub api_server_endpoint: String,
    pub dual_stack: bool,
    /// `IPv4`/`IPv6`, primary first.
    pub families: Vec<String>,
    /// `apiServer.certSANs`: every address of every control-plane node, both families, and
    /// the endpoint's host. kubeadm's own SANs hold the advertise address (one family), the
    /// first service IP and the endpoint host (GetAPIServerAltNames,
    /// cmd/kubeadm/app/util/pkiutil/pki_helpers.go), so a client reaching the API over the
    /// other family could not verify the certificate without these.
    pub cert_sans: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub name: String,
    pub advertise_address: String,
    pub bind_port: u16,
    pub cri_socket: String,
    pub kubelet_args: Vec<Arg>,
    /// Taints kubeadm puts on a control-plane node for this version, written out so the file
    /// says what the node will get.
    pub taints: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Kubelet {
    /// `featureGates` entries (name → true).
    pub feature_gates: Vec<String>,
    /// `cgroupDriver`: the runtime's (`kubernetes.cgroupDriver`, systemd by default).
    pub cgroup_driver: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Proxy {
    pub mode: String,
    pub cluster_cidr: String,
    pub feature_gates: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Sysctl {
    pub enable_ipv6: bool,
    pub enable_ipv4: bool,
}

/// `modules-kubernetes.conf`: what `/etc/modules-load.d/` loads at boot.
#[derive(Debug, Clone, Serialize)]
pub struct Modules {
    pub names: Vec<Module>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Module {
    pub name: String,
    /// Why it is loaded, written above the first module of a group.
    pub comment: Option<String>,
}

fn modules(plan: &Plan) -> Modules {
    let mut names = Vec::new();
    let mut group = |comment: &str, list: &[&str]| {
        for (i, m) in list.iter().enumerate() {
            names.push(Module {
                name: m.to_string(),
                comment: (i == 0).then(|| comment.to_string()),
            });
        }
    };
    group(
        "bridge-nf-call-iptables/ip6tables exist only with br_netfilter; containerd's \
         snapshotter needs overlay.",
        &["br_netfilter", "overlay"],
    );
    if plan.proxy_mode == ProxyMode::Ipvs {
        // kube-proxy's ipvs mode checks for these at start and falls back or fails without
        // them (pkg/proxy/ipvs); nf_conntrack is nf_conntrack_ipv4's successor from 4.19.
        group(
            "kube-proxy's ipvs mode: the IPVS core, its schedulers and conntrack.",
            &["ip_vs", "ip_vs_rr", "ip_vs_wrr", "ip_vs_sh", "nf_conntrack"],
        );
    }
    Modules { names }
}

#[derive(Debug, Clone, Serialize)]
pub struct Join {
    pub name: String,
    /// The file this join is written to.
    pub file: String,
    pub control_plane: bool,
    pub advertise_address: String,
    pub kubelet_args: Vec<Arg>,
    /// kubelet `--node-ip` as written (one address on 1.19, both families from 1.20).
    pub node_ip: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verify {
    pub namespace: String,
    pub server_image: String,
    pub client_image: String,
    pub node_port: u16,
    /// One server pod per node, so pod-to-pod checks cross nodes.
    pub replicas: usize,
    /// `ipFamilies` + `ipFamilyPolicy` (1.20+); otherwise one Service per family with the
    /// alpha `ipFamily` field (kk#91824).
    pub ip_families_fields: bool,
    /// One Service per family: `{family: IPv4, suffix: ipv4, node_port: 31111|null}`.
    pub family_services: Vec<FamilyService>,
    /// `RequireDualStack` for a dual-stack cluster, `SingleStack` otherwise.
    pub dual_stack_policy: String,
    /// Taint keys the workload tolerates, so it also runs on a lone control-plane node.
    pub tolerations: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FamilyService {
    pub family: String,
    pub suffix: String,
    /// The NodePort of this Service, where it has the fixed one.
    pub node_port: Option<u16>,
}

const GATE: &str = "IPv6DualStack";

fn gate_on(rule: GateRule) -> bool {
    // Only where dual-stack needs it (1.19–1.20, alpha). On 1.21–1.24 the gate is on by
    // default and setting it is accepted, but kubeadm stores it in the kubeadm-config,
    // kubelet-config and kube-proxy ConfigMaps, and the 1.25 components refuse it
    // ("unrecognized feature gate: IPv6DualStack", kk#109435; kubeadm 1.24: "IPv6DualStack is
    // not a valid feature name", kk#106648): an upgrade would fail.
    rule == GateRule::MustSet
}

fn ips(list: &[IpAddr]) -> String {
    list.iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Build the context for a plan, a bootstrap token and a certificate key.
pub fn build(plan: &Plan, bootstrap_token: &str, certificate_key: &str) -> Context {
    let row = plan.kube;
    let component_gate = gate_on(row.component_gate);
    let gate_flag = || arg("feature-gates", format!("{GATE}=true"));

    let mut api_server_args = Vec::new();
    let mut controller_manager_args = Vec::new();
    let mut scheduler_args = Vec::new();
    if component_gate {
        // Set on each component explicitly, as the guide and the upstream 1.19/1.20
        // dual-stack page do, rather than trusting kubeadm to forward its own gate.
        api_server_args.push(gate_flag());
        controller_manager_args.push(gate_flag());
        scheduler_args.push(gate_flag());
    }
    for f in &plan.families {
        if f.node_mask_source == MaskSource::Answers {
            let name = match f.family {
                AddressFamily::Ipv4 => "node-cidr-mask-size-ipv4",
                AddressFamily::Ipv6 => "node-cidr-mask-size-ipv6",
            };
            controller_manager_args.push(arg(name, f.node_mask.to_string()));
        }
    }

    let mut gates = Vec::new();
    if component_gate {
        gates.push(GATE.to_string());
    }
    let mut proxy_gates = gates.clone();
    if plan.proxy_mode == ProxyMode::Nftables
        && row.proxy_mode(ProxyMode::Nftables) == Some(Maturity::Alpha)
    {
        // nftables is alpha in 1.29–1.30 and needs its gate (KEP-3866).
        proxy_gates.push("NFTablesProxyMode".to_string());
    }

    let node_ip = ips(&plan.node.node_ips);
    let joins: Vec<Join> = plan
        .joins
        .iter()
        .map(|j| {
            let node_ip = ips(&j.node_ips);
            Join {
                name: j.name.clone(),
                file: join_file_name(&j.name),
                control_plane: j.role == NodeRole::ControlPlane,
                advertise_address: j.advertise_address.to_string(),
                kubelet_args: vec![arg("node-ip", node_ip.clone())],
                node_ip,
            }
        })
        .collect();

    let fixed_port_family = if plan.family(AddressFamily::Ipv6).is_some() {
        AddressFamily::Ipv6
    } else {
        plan.primary().family
    };
    let ip_families_fields = row.service_family_fields == ServiceFamilyFields::IpFamilies;
    let family_services = plan
        .families
        .iter()
        .map(|f| FamilyService {
            family: f.family.kube_name().to_string(),
            suffix: f.family.as_str().to_string(),
            // Before 1.20 a Service has one family, so the NodePort lives on one of them:
            // IPv6, the family the seed tested (`curl -g -6 [2018::22]:31111`). From 1.20 the
            // dual-stack Service carries it and the per-family ones are ClusterIP only.
            node_port: (!ip_families_fields && f.family == fixed_port_family)
                .then_some(plan.verify.node_port),
        })
        .collect();

    Context {
        kubeadm: Kubeadm {
            api_version: row.kubeadm_api.as_str().to_string(),
            extra_args_as_list: row.kubeadm_api.extra_args_as_list(),
            dual_stack_gate: gate_on(row.kubeadm_gate),
            kubernetes_version: plan.kube_version.kubeadm_string(),
            bootstrap_token: bootstrap_token.to_string(),
            certificate_key: plan
                .joins
                .iter()
                .any(|j| j.role == NodeRole::ControlPlane)
                .then(|| certificate_key.to_string()),
            ca_cert_hash: super::CA_CERT_HASH_PLACEHOLDER.to_string(),
            api_server_args,
            controller_manager_args,
            scheduler_args,
        },
        cluster: Cluster {
            name: plan.cluster_name.clone(),
            dns_domain: plan.dns_domain.clone(),
            image_repository: plan.image_repository.clone(),
            control_plane_endpoint: plan.control_plane_endpoint.clone(),
            pod_subnet: plan.pod_subnets_joined(),
            service_subnet: plan.service_subnets_joined(),
            api_server_endpoint: plan.api_server_endpoint(),
            dual_stack: plan.is_dual_stack(),
            families: plan
                .families
                .iter()
                .map(|f| f.family.kube_name().to_string())
                .collect(),
            cert_sans: cert_sans(plan),
        },
        node: Node {
            name: plan.node.name.clone(),
            advertise_address: plan.node.advertise_address.to_string(),
            bind_port: API_PORT,
            cri_socket: plan.cri_socket.clone(),
            kubelet_args: vec![arg("node-ip", node_ip)],
            taints: row
                .control_plane_taints
                .iter()
                .map(|t| t.to_string())
                .collect(),
        },
        kubelet: Kubelet {
            feature_gates: gates,
            cgroup_driver: plan.cgroup_driver.as_str().to_string(),
        },
        proxy: Proxy {
            mode: plan.proxy_mode.as_str().to_string(),
            cluster_cidr: plan.pod_subnets_joined(),
            feature_gates: proxy_gates,
        },
        sysctl: Sysctl {
            enable_ipv6: plan.family(AddressFamily::Ipv6).is_some(),
            enable_ipv4: plan.family(AddressFamily::Ipv4).is_some(),
        },
        modules: modules(plan),
        verify: Verify {
            namespace: plan.verify.namespace.clone(),
            server_image: plan.verify.server_image.clone(),
            client_image: plan.verify.client_image.clone(),
            node_port: plan.verify.node_port,
            replicas: 1 + plan.joins.len(),
            ip_families_fields,
            family_services,
            dual_stack_policy: if plan.is_dual_stack() {
                "RequireDualStack"
            } else {
                "SingleStack"
            }
            .to_string(),
            tolerations: row
                .control_plane_taints
                .iter()
                .map(|t| t.to_string())
                .collect(),
        },
        joins,
        join: None,
    }
}

/// The API server certificate's extra names: this node's addresses, the control-plane
/// joins' addresses, then the endpoint's host; each once, in that order.
fn cert_sans(plan: &Plan) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for ip in &plan.node.node_ips {
        add(ip.to_string());
    }
    // 1.19 takes one --node-ip, but the certificate should still name both addresses.
    for ip in [
        plan.node.ipv4.map(IpAddr::V4),
        plan.node.ipv6.map(IpAddr::V6),
    ]
    .into_iter()
    .flatten()
    {
        add(ip.to_string());
    }
    for j in plan
        .joins
        .iter()
        .filter(|j| j.role == NodeRole::ControlPlane)
    {
        for ip in [j.ipv4.map(IpAddr::V4), j.ipv6.map(IpAddr::V6)]
            .into_iter()
            .flatten()
        {
            add(ip.to_string());
        }
    }
    if let Some(host) = plan.control_plane_endpoint.as_deref().map(endpoint_host) {
        add(host.to_string());
    }
    out
}

/// The host of a canonical `host:port` / `[v6]:port` endpoint.
fn endpoint_host(e: &str) -> &str {
    if let Some(rest) = e.strip_prefix('[') {
        rest.split(']').next().unwrap_or(rest)
    } else {
        e.rsplit_once(':').map(|(h, _)| h).unwrap_or(e)
    }
}

/// `join-<node>.yaml`, the contract's name for a node's JoinConfiguration.
pub fn join_file_name(node: &str) -> String {
    format!("join-{node}.yaml")
}
