//! Calico as calico-node will run it: NAT per family, IPAM blocks against the nodes of the
//! plan, what the manifest's `calico_backend` can route, and the MTU against the node's link.
//!
//! The first two need only the answers (`check`); the backend comes from the manifest and the
//! link MTU from the host, so `backend_problems` and `mtu_problems` take them as data.

use super::*;

/// NAT for traffic leaving the cluster from a family's pool. Unset, Calico's own default:
/// calico-node reads `CALICO_IPV4POOL_NAT_OUTGOING` with default true and
/// `CALICO_IPV6POOL_NAT_OUTGOING` with default false
/// (calico@v3.32.1:node/pkg/lifecycle/startup/startup.go l.1062 and l.1070;
/// calico@v3.15.3-node:pkg/startup/startup.go l.919 and l.925), and the operator's IPPool
/// `natOutgoing` defaults the same way (Enabled for IPv4, Disabled for IPv6).
pub(super) fn nat_outgoing(a: &Answers, f: AddressFamily) -> bool {
    match f {
        AddressFamily::Ipv4 => a.calico.ipv4_nat_outgoing.unwrap_or(true),
        AddressFamily::Ipv6 => a.calico.ipv6_nat_outgoing.unwrap_or(false),
    }
}

/// Unique local addresses (RFC 4193, fc00::/7; fd00::/8 is the locally assigned half) are
/// not routed on the Internet: without NAT, pods of such a pool reach nothing outside.
fn is_ula(n: &IpNet) -> bool {
    match n {
        IpNet::V6(v6) => (v6.network().segments()[0] & 0xfe00) == 0xfc00,
        IpNet::V4(_) => false,
    }
}

/// The rules about what Calico does with the pools: NAT for a private IPv6 pool, and whether
/// each node of the plan can get an IPAM block of its own.
pub(super) fn check_dataplane(
    a: &Answers,
    pools: &[Option<IpNet>; 2],
    block_sizes: &[u8; 2],
    node_count: usize,
    p: &mut Vec<Problem>,
) {
    if let Some(pool) = pools[AddressFamily::Ipv6 as usize]
        && is_ula(&pool)
        && !nat_outgoing(a, AddressFamily::Ipv6)
    {
        p.push(
            Problem::warning(
                "calico.ipv6NatOutgoing",
                format!(
                    "the IPv6 pool {pool} is a unique local range and NAT outgoing is off (Calico's default for IPv6): pods get no IPv6 connectivity beyond the cluster (projectcalico/calico#2954)"
                ),
            )
            .hint("set calico.ipv6NatOutgoing to true, or use a routed global IPv6 pool")
            .code("pool.ula_without_nat", &[&pool]),
        );
    }
    if a.calico.install == CalicoInstall::Operator
        && let Some(registry) = a
            .calico
            .registry
            .as_deref()
            .filter(|r| !r.trim().is_empty())
        // A registry that is not one has its own error (check_calico_registry).
        && super::text::is_image_repository(registry)
        && a.calico
            .manifest
            .as_deref()
            .is_none_or(|m| m.trim().is_empty())
    {
        // The Installation's registry moves the images the operator pulls, not the
        // operator's own, which tigera-operator.yaml names (quay.io/tigera/operator).
        p.push(
            Problem::warning(
                "calico.manifest",
                format!(
                    "the operator's own image quay.io/tigera/operator is still pulled from quay.io: calico.registry {registry} applies only to the images the operator pulls"
                ),
            )
            .hint("set calico.manifest to Calico's tigera-operator.yaml; render writes it with the operator image from the registry")
            .code("calico.operator_image", &[&registry]),
        );
    }
    for f in [AddressFamily::Ipv4, AddressFamily::Ipv6] {
        let Some(pool) = pools[f as usize] else {
            continue;
        };
        let Some((blocks, _)) = crate::plan::ipam::blocks(&pool, block_sizes[f as usize]) else {
            continue;
        };
        if blocks < node_count as u128 {
            let b = block_sizes[f as usize];
            // Without strict affinity (the default), a node that finds no free block takes
            // addresses from other nodes' blocks, each then routed as a /32 or /128
            // (calico@v3.32.1:libcalico-go/lib/ipam/ipam.go l.871, "non-affine blocks").
            p.push(
                Problem::warning(
                    pool_path(f),
                    format!(
                        "the {} pool {pool} holds {blocks} block(s) of /{b} for {node_count} nodes; nodes without a block of their own borrow single addresses from other nodes' blocks",
                        f.kube_name()
                    ),
                )
                .hint(format!(
                    "use a larger pool, or a block size longer than /{b}"
                ))
                .code(
                    "block.fewer_than_nodes",
                    &[&f.kube_name(), &pool, &blocks, &b, &node_count],
                ),
            );
        }
    }
}

/// What the manifest's `calico_backend` (calico-config; calico-node's
/// `CALICO_NETWORKING_BACKEND`) can route for the plan's pools. `bird` runs BIRD, which
/// distributes every pool's routes over BGP. `vxlan` (upstream's calico-vxlan.yaml) runs no
/// BIRD: only VXLAN pools reach other nodes, because Felix programs VXLAN routes itself,
/// while IPIP and unencapsulated pools need BGP routes that nobody sends
/// (calico@v3.32.1:manifests/calico-vxlan.yaml; node/pkg/lifecycle/startup/startup.go and
/// confd run BIRD for `bird` only). `none` is policy-only: Calico does no networking.
pub fn backend_problems(plan: &Plan, backend: &str) -> Vec<Problem> {
    let mut p = Vec::new();
    match backend {
        "bird" => {}
        "vxlan" => {
            for f in &plan.families {
                if f.encapsulation == Encapsulation::Vxlan {
                    continue;
                }
                let path = match f.family {
                    AddressFamily::Ipv4 => "calico.ipv4Encapsulation",
                    AddressFamily::Ipv6 => "calico.ipv6Encapsulation",
                };
                p.push(
                    Problem::error(
                        path,
                        format!(
                            "the manifest's calico_backend is vxlan, which runs no BGP, but the {} pool {} uses {}: its routes need BGP, so traffic to pods on other nodes is dropped",
                            f.family.kube_name(),
                            f.calico_pool,
                            f.encapsulation.as_str()
                        ),
                    )
                    .hint(format!("set {path}: VXLAN (IPv6 VXLAN needs Calico v3.23 or newer), or use Calico's calico.yaml (backend bird)"))
                    .code(
                        "calico.backend_needs_bgp",
                        &[&f.family.kube_name(), &f.calico_pool, &f.encapsulation.as_str(), &path],
                    ),
                );
            }
        }
        "none" => p.push(
            Problem::error(
                "calico.manifest",
                "the manifest's calico_backend is none: Calico enforces policy only and another plugin must do the networking",
            )
            .hint("use Calico's calico.yaml (backend bird), or calico-vxlan.yaml with VXLAN pools")
            .code("calico.backend_policy_only", &[]),
        ),
        other => p.push(
            Problem::error(
                "calico.manifest",
                format!("the manifest's calico_backend is {other}, which calico-node does not know (bird, vxlan or none)", other = quote(other)),
            )
            .hint("use Calico's calico.yaml (backend bird), or calico-vxlan.yaml with VXLAN pools")
            .code("calico.backend_unknown", &[&quote(other)]),
        ),
    }
    p
}

/// Bytes each encapsulation adds to a packet, per family, as Felix subtracts them from the
/// host MTU (calico@v3.32.1:felix/dataplane/linux/int_dataplane.go l.446-450: IPIP 20, IPv4
/// VXLAN 50, IPv6 VXLAN 70; WireGuard's 60/80 do not apply, dsinstall sets no WireGuard).
pub fn encapsulation_overhead(f: AddressFamily, e: Encapsulation) -> u32 {
    match (f, e) {
        (_, Encapsulation::None) => 0,
        (_, Encapsulation::Ipip) => 20,
        (AddressFamily::Ipv4, Encapsulation::Vxlan) => 50,
        (AddressFamily::Ipv6, Encapsulation::Vxlan) => 70,
    }
}

/// The MTU calico-node gives pods and tunnels: `calico.mtu`; unset, Felix's auto-detection
/// from Calico v3.17 (`veth_mtu: "0"`, None here: it fits the link by construction), and
/// before that the `veth_mtu: "1440"` upstream's calico.yaml ships
/// (calico@v3.15.3:_includes/charts/calico/templates/calico-config.yaml l.57).
pub fn pod_mtu(plan: &Plan) -> Option<u32> {
    plan.calico.mtu.or((!plan.calico_row.mtu_auto
        && plan.calico.install == CalicoInstall::Manifest)
        .then_some(1440))
}

/// The MTU against the node's own links (a host check: the links come from `detect`): for
/// each family, the pod MTU plus its encapsulation's overhead must fit the MTU of the
/// interface that carries that family, or large packets between nodes are dropped.
/// Felix only logs "Configured MTU is larger than detected host interface MTU".
pub fn mtu_problems(plan: &Plan, facts: &crate::host::facts::HostFacts) -> Vec<Problem> {
    let mut p = Vec::new();
    let Some(mtu) = pod_mtu(plan) else {
        return p;
    };
    for f in &plan.families {
        let iface = match f.family {
            AddressFamily::Ipv4 => plan.node.ipv4_interface.as_deref(),
            AddressFamily::Ipv6 => plan.node.ipv6_interface.as_deref(),
        };
        let Some(link) = iface.and_then(|n| facts.interfaces.iter().find(|i| i.name == n)) else {
            continue;
        };
        let overhead = encapsulation_overhead(f.family, f.encapsulation);
        if mtu + overhead <= link.mtu {
            continue;
        }
        let fits = link.mtu.saturating_sub(overhead);
        let hint = if plan.calico_row.mtu_auto {
            format!(
                "leave calico.mtu unset so that Calico detects it (veth_mtu \"0\"), or set it to {fits} or less"
            )
        } else {
            format!("set calico.mtu to {fits} or less")
        };
        p.push(
            Problem::error(
                "calico.mtu",
                format!(
                    "pod MTU {mtu} plus {overhead} bytes of {} {} is more than {}'s MTU {}: packets that large between nodes are dropped",
                    f.family.kube_name(),
                    f.encapsulation.as_str(),
                    link.name,
                    link.mtu
                ),
            )
            .hint(hint)
            .code(
                if plan.calico_row.mtu_auto {
                    "calico.mtu_too_big_auto"
                } else {
                    "calico.mtu_too_big"
                },
                &[
                    &mtu,
                    &overhead,
                    &f.family.kube_name(),
                    &f.encapsulation.as_str(),
                    &link.name,
                    &link.mtu,
                    &fits,
                ],
            ),
        );
    }
    p
}
