//! The rules. Each one names the field it is about; the messages follow the wording of the
//! Kubernetes component that would fail, so a user who has seen that error recognises it.
//!
//! `run` is the list of rules in the order their problems are reported; each rule lives in
//! its subject's file, and `build` turns what they parsed into the plan.

use super::cidr::{self, CidrError};
use super::version::{self, Maturity};
use super::*;
use crate::terminal_text::{QUOTE_CHARS, cut, quote};

mod build;
mod calico;
pub(super) mod calico_dataplane;
mod kube;
mod node;
mod ssh;
pub(crate) mod subnets;
mod text;

use build::*;
use calico::*;
use calico_dataplane::*;
use kube::*;
use node::*;
use ssh::*;
use subnets::*;
use text::*;

const P_PODS: &str = "networking.podSubnets";
const P_SVCS: &str = "networking.serviceSubnets";

/// kubeadm's minimum sizes (MinimumAddressesInServiceSubnet / MinimumAddressesInPodSubnet).
const MIN_SERVICE_ADDRS: u128 = 10;
const MIN_POD_ADDRS: u128 = 14;

pub(super) fn run(a: &Answers) -> Checked {
    let mut problems: Vec<Problem> = Vec::new();
    let p = &mut problems;

    // Versions first: every other rule depends on the row.
    let kube = kube_version(a, p);
    let calico = calico_version(a, p);
    let row = kube.map(|(_, r)| r);
    let calico_row = calico.map(|(_, r)| r);
    if let (Some((kv, kr)), Some((cv, cr))) = (kube, calico) {
        check_tested_pair(&kv, kr, &cv, cr, p);
    }

    // Subnets.
    let pods = parse_list(&a.networking.pod_subnets, P_PODS, MIN_POD_ADDRS, p);
    let svcs = parse_list(&a.networking.service_subnets, P_SVCS, MIN_SERVICE_ADDRS, p);
    check_family_order(pods.as_deref(), svcs.as_deref(), p);
    check_service_size(svcs.as_deref(), row, p);
    let masks = pods
        .as_ref()
        .map(|pods| node_masks(a, pods, row, p))
        .unwrap_or_default();

    // This node.
    let node_v4 = as_v4(parse_node_ip(
        a.node.ipv4.as_deref(),
        "node.ipv4",
        AddressFamily::Ipv4,
        p,
    ));
    let node_v6 = as_v6(parse_node_ip(
        a.node.ipv6.as_deref(),
        "node.ipv6",
        AddressFamily::Ipv6,
        p,
    ));
    check_node_name(&a.node.name, "node.name", p);
    let families = families_of(pods.as_deref());
    check_node_has_each_family(a, &families, p);
    check_single_stack(&families, p);
    check_ipv6_interface(a, &families, p);
    let advertise = advertise_address(a, &families, row, node_v4, node_v6, p);
    let cpe = control_plane_endpoint(a, p);
    check_endpoint_for_control_plane_joins(a, cpe.as_deref(), p);

    // Kubernetes settings: defaults from the version row.
    let cri_socket = cri_socket(a, row, p);
    let image_repository = image_repository(a, kube, p);
    check_cluster_name(a, p);
    check_manifest_set(a, p);
    check_operator_crds_set(a, calico_row, p);
    let proxy_mode = a.kubernetes.proxy_mode.unwrap_or(ProxyMode::Iptables);
    if let Some(r) = row {
        check_proxy_mode(proxy_mode, r, p);
    }
    check_single_node_ip(row, &families, p);

    // Calico pools.
    let (calico_pools, block_sizes) = calico_pools(a, pods.as_deref(), p);
    let encaps = encapsulations(a, calico_row, p);
    check_mtu(a, p);
    check_calico_registry(a, p);

    // Other nodes.
    let joins = join_nodes(a, &families, row, p);
    check_ssh(a, p);
    check_dataplane(a, &calico_pools, &block_sizes, 1 + joins.len(), p);

    // Overlaps between every range and every node's network.
    if let (Some(pods), Some(svcs)) = (&pods, &svcs) {
        check_overlaps(pods, svcs, &calico_pools, p);
        check_nodes_outside_ranges(node_v4, node_v6, &joins, pods, svcs, p);
        check_nodes_outside_pools(node_v4, node_v6, &joins, pods, &calico_pools, p);
    }

    let verify = verify_plan(a, p);
    check_dns_domain(a, p);
    check_autodetection(a, calico_row, p);

    if problems.iter().any(Problem::is_error) {
        return Checked {
            plan: None,
            problems,
        };
    }
    // No errors: every part below was checked above.
    let plan = build(
        a,
        Parts {
            kube: kube.expect("checked"),
            calico: calico.expect("checked"),
            pods: pods.expect("checked"),
            svcs: svcs.expect("checked"),
            masks,
            families,
            node_v4,
            node_v6,
            advertise,
            control_plane_endpoint: cpe,
            cri_socket,
            image_repository,
            proxy_mode,
            calico_pools,
            block_sizes,
            encaps,
            joins,
            verify,
        },
        problems.clone(),
    );
    Checked {
        plan: Some(plan),
        problems,
    }
}
