//! What the rules parsed → the plan. Runs only when no rule found an error, so every part
//! here is present and valid.

use super::*;

/// The values the rules parsed and checked, for `build`.
pub(super) struct Parts {
    pub kube: (KubeVersion, &'static KubeMinor),
    pub calico: (CalicoVersion, &'static CalicoMinor),
    pub pods: Vec<IpNet>,
    pub svcs: Vec<IpNet>,
    pub masks: Vec<(u8, MaskSource)>,
    pub families: Vec<AddressFamily>,
    pub node_v4: Option<Ipv4Addr>,
    pub node_v6: Option<Ipv6Addr>,
    pub advertise: Option<IpAddr>,
    pub control_plane_endpoint: Option<String>,
    pub cri_socket: String,
    pub image_repository: String,
    pub proxy_mode: ProxyMode,
    pub calico_pools: [Option<IpNet>; 2],
    pub block_sizes: [u8; 2],
    pub encaps: [Encapsulation; 2],
    pub joins: Vec<JoinPlan>,
    pub verify: VerifyPlan,
}

pub(super) fn build(a: &Answers, parts: Parts, warnings: Vec<Problem>) -> Plan {
    let (kube_version, kube) = parts.kube;
    let (calico_version, calico_row) = parts.calico;
    let node_ips: Vec<IpAddr> = ordered_ips(
        &parts.families,
        parts.node_v4,
        parts.node_v6,
        parts.advertise,
        kube.node_ip_pair,
    );
    let families: Vec<FamilyPlan> = parts
        .pods
        .iter()
        .zip(parts.svcs.iter())
        .zip(parts.masks.iter())
        .map(|((pod, svc), (mask, source))| {
            let f = cidr::family_of_net(pod);
            let (nodes_fit, per_node) = cidr::capacity(pod, *mask).unwrap_or((0, 0));
            let fi = f as usize;
            FamilyPlan {
                family: f,
                pod_subnet: *pod,
                service_subnet: *svc,
                node_mask: *mask,
                node_mask_source: *source,
                nodes_fit,
                addresses_per_node: per_node,
                service_addresses: cidr::service_addresses(svc, kube.service_ipv6_bitmap),
                calico_pool: parts.calico_pools[fi].unwrap_or(*pod),
                block_size: parts.block_sizes[fi],
                encapsulation: parts.encaps[fi],
                autodetection: autodetection(a, f),
                nat_outgoing: nat_outgoing(a, f),
            }
        })
        .collect();
    Plan {
        kube_version,
        kube,
        calico_version,
        calico_row,
        cluster_name: a
            .kubernetes
            .cluster_name
            .clone()
            .unwrap_or_else(|| "kubernetes".into()),
        dns_domain: a
            .networking
            .dns_domain
            .clone()
            .unwrap_or_else(|| "cluster.local".into()),
        image_repository: parts.image_repository,
        cri_socket: parts.cri_socket,
        cgroup_driver: a
            .kubernetes
            .cgroup_driver
            .unwrap_or(crate::answers::CgroupDriver::Systemd),
        proxy_mode: parts.proxy_mode,
        control_plane_endpoint: parts.control_plane_endpoint,
        node: NodePlan {
            name: a.node.name.clone(),
            ipv4: parts.node_v4,
            ipv6: parts.node_v6,
            ipv4_interface: a.node.ipv4_interface.clone(),
            ipv6_interface: a.node.ipv6_interface.clone(),
            advertise_address: parts
                .advertise
                .or(node_ips.first().copied())
                .expect("a node address exists"),
            node_ips,
        },
        families,
        calico: CalicoPlan {
            install: a.calico.install,
            manifest: a.calico.manifest.clone(),
            operator_crds: a.calico.operator_crds.clone(),
            mtu: a.calico.mtu,
            registry: a
                .calico
                .registry
                .clone()
                .map(|r| r.trim_end_matches('/').to_string()),
        },
        joins: parts.joins,
        verify: parts.verify,
        warnings,
    }
}
