//! The rules. Each one names the field it is about; the messages follow the wording of the
//! Kubernetes component that would fail, so a user who has seen that error recognises it.

use super::cidr::{self, CidrError};
use super::version::{self, Maturity};
use super::*;

mod calico;
mod kube;
mod node;
mod subnets;

use calico::*;
use kube::*;
use node::*;
use subnets::*;

const P_PODS: &str = "networking.podSubnets";
const P_SVCS: &str = "networking.serviceSubnets";

/// kubeadm's minimum sizes (MinimumAddressesInServiceSubnet / MinimumAddressesInPodSubnet).
const MIN_SERVICE_ADDRS: u128 = 10;
const MIN_POD_ADDRS: u128 = 14;

pub(super) fn run(a: &Answers) -> Checked {
    let mut p: Vec<Problem> = Vec::new();

    // Versions first: every other rule depends on the row.
    let kube = match version::KubeVersion::parse(&a.kubernetes.version) {
        Ok(v) => match version::kube_minor(&v) {
            Ok(row) => Some((v, row)),
            Err(e) => {
                p.push(
                    Problem::error("kubernetes.version", e)
                        .hint(format!(
                            "use a version from v1.{} to v1.{}",
                            version::OLDEST_MINOR,
                            version::NEWEST_MINOR
                        ))
                        .code(
                            "kubernetes.version_unsupported",
                            &[&v, &version::OLDEST_MINOR, &version::NEWEST_MINOR],
                        ),
                );
                None
            }
        },
        Err(e) => {
            p.push(Problem::error("kubernetes.version", e).code(
                "kubernetes.version_syntax",
                &[&format!("{:?}", a.kubernetes.version)],
            ));
            None
        }
    };
    let calico = match version::CalicoVersion::parse(&a.calico.version) {
        Ok(v) => match version::calico_minor(&v) {
            Ok(row) => Some((v, row)),
            Err(e) => {
                p.push(Problem::error("calico.version", e).code(
                    "calico.version_unsupported",
                    &[
                        &v,
                        &version::CALICO_OLDEST_MINOR,
                        &version::CALICO_NEWEST_MINOR,
                    ],
                ));
                None
            }
        },
        Err(e) => {
            p.push(Problem::error("calico.version", e).code(
                "calico.version_syntax",
                &[&format!("{:?}", a.calico.version)],
            ));
            None
        }
    };
    let row = kube.map(|(_, r)| r);
    if let (Some((kv, kr)), Some((cv, cr))) = (kube, calico) {
        check_tested_pair(&kv, kr, &cv, cr, &mut p);
    }

    // Subnets.
    let pods = parse_list(&a.networking.pod_subnets, P_PODS, MIN_POD_ADDRS, &mut p);
    let svcs = parse_list(
        &a.networking.service_subnets,
        P_SVCS,
        MIN_SERVICE_ADDRS,
        &mut p,
    );
    if let (Some(pods), Some(svcs)) = (&pods, &svcs) {
        let pf: Vec<_> = pods.iter().map(cidr::family_of_net).collect();
        let sf: Vec<_> = svcs.iter().map(cidr::family_of_net).collect();
        if pf != sf {
            p.push(
                Problem::error(
                    P_SVCS,
                    format!(
                        "service subnets are {} but pod subnets are {}; both lists must name the same families in the same order",
                        names(&sf),
                        names(&pf)
                    ),
                )
                .hint("list the service subnets in the same family order as the pod subnets (the first is the primary family)")
                .code("service.family_order", &[&names(&sf), &names(&pf)]),
            );
        }
    }
    if let Some(svcs) = &svcs {
        let max = row.map(|r| r.service_max_host_bits).unwrap_or(20);
        for (i, n) in svcs.iter().enumerate() {
            let host_bits = n.max_prefix_len() - n.prefix_len();
            if host_bits > max {
                let min_prefix = n.max_prefix_len() - max;
                let which = if i == 0 {
                    "--service-cluster-ip-range"
                } else {
                    "--secondary-service-cluster-ip-range"
                };
                p.push(
                    Problem::error(
                        format!("{P_SVCS}[{i}]"),
                        format!(
                            "specified {which} is too large; for {}-bit addresses, the mask must be >= {min_prefix}",
                            n.max_prefix_len()
                        ),
                    )
                    .hint(format!(
                        "use a /{min_prefix} or longer prefix, e.g. {}/{}",
                        n.network(),
                        min_prefix.max(n.prefix_len())
                    ))
                    .code(
                        "service.too_large",
                        &[
                            &which,
                            &n.max_prefix_len(),
                            &min_prefix,
                            &n.network(),
                            &min_prefix.max(n.prefix_len()),
                        ],
                    ),
                );
            }
        }
    }

    // Node masks.
    let masks = pods
        .as_ref()
        .map(|pods| node_masks(a, pods, row, &mut p))
        .unwrap_or_default();

    // Node addresses.
    let node_v4 = as_v4(parse_node_ip(
        a.node.ipv4.as_deref(),
        "node.ipv4",
        AddressFamily::Ipv4,
        &mut p,
    ));
    let node_v6 = as_v6(parse_node_ip(
        a.node.ipv6.as_deref(),
        "node.ipv6",
        AddressFamily::Ipv6,
        &mut p,
    ));
    check_node_name(&a.node.name, "node.name", &mut p);
    let families: Vec<AddressFamily> = pods
        .as_ref()
        .map(|v| v.iter().map(cidr::family_of_net).collect())
        .unwrap_or_default();
    for f in &families {
        let (have, path) = match f {
            AddressFamily::Ipv4 => (a.node.ipv4.is_some(), "node.ipv4"),
            AddressFamily::Ipv6 => (a.node.ipv6.is_some(), "node.ipv6"),
        };
        if !have {
            p.push(
                Problem::error(path, format!("the cluster has {} pod and service subnets, so the node needs an {} address", f.kube_name(), f.kube_name()))
                    .hint("run `dsinstall detect` to see this node's addresses")
                    .code("node.address_missing", &[&f.kube_name()]),
            );
        }
    }
    if families.len() == 1 {
        p.push(
            Problem::warning(
                P_PODS,
                format!(
                    "only {} subnets are given: the cluster will be single-stack, not dual-stack",
                    families[0].kube_name()
                ),
            )
            .hint("add a subnet of the other family to podSubnets and serviceSubnets")
            .code("pods.single_stack", &[&families[0].kube_name()]),
        );
    }
    if a.node
        .ipv6_interface
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .is_empty()
        && families.contains(&AddressFamily::Ipv6)
    {
        p.push(
            Problem::error(
                "node.ipv6Interface",
                "the IPv6 interface is required; Calico's IPv6 autodetection defaults to it",
            )
            .hint("run `dsinstall detect` and use the suggested ipv6Interface")
            .code("node.ipv6_interface_required", &[]),
        );
    }

    // Advertise address: one address, family of the first service subnet (kube-apiserver:
    // "service IP family must match public address family").
    let advertise_family = a.node.api_advertise.unwrap_or(AddressFamily::Ipv4);
    let advertise: Option<IpAddr> = match advertise_family {
        AddressFamily::Ipv4 => node_v4.map(IpAddr::V4),
        AddressFamily::Ipv6 => node_v6.map(IpAddr::V6),
    };
    if a.node.api_advertise.is_some() && advertise.is_none() && families.len() == 2 {
        p.push(
            Problem::error(
                "node.apiAdvertise",
                format!(
                    "the API server should advertise {} but node.{} is not set",
                    advertise_family.kube_name(),
                    advertise_family.as_str()
                ),
            )
            .code(
                "node.advertise_missing",
                &[&advertise_family.kube_name(), &advertise_family.as_str()],
            ),
        );
    }
    if let Some(first) = families.first()
        && advertise.is_some()
        && *first != advertise_family
    {
        p.push(
                Problem::error(
                    "node.apiAdvertise",
                    format!(
                        "the API server advertises {} but the primary service family is {}; kube-apiserver requires them to match",
                        advertise_family.kube_name(),
                        first.kube_name()
                    ),
                )
                .hint(format!("set apiAdvertise: {} or put the {} subnets first", first.as_str(), advertise_family.kube_name()))
                .code("node.advertise_family", &[&advertise_family.kube_name(), &first.kube_name(), &first.as_str()]),
            );
    }

    // Control-plane endpoint.
    let cpe = a
        .kubernetes
        .control_plane_endpoint
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let cpe = match cpe {
        Some(e) => match canonical_endpoint(e) {
            Ok(c) => Some(c),
            Err((code, args, msg)) => {
                let args: Vec<&dyn std::fmt::Display> =
                    args.iter().map(|a| a as &dyn std::fmt::Display).collect();
                p.push(
                    Problem::error("kubernetes.controlPlaneEndpoint", msg)
                        .hint("write host:port, e.g. 111.111.111.120:6443 or [2018::20]:6443")
                        .code(code, &args),
                );
                None
            }
        },
        None => None,
    };

    // CRI socket, image repository, proxy mode: defaults from the version row.
    let cri_socket = match (&a.kubernetes.cri_socket, row) {
        (Some(s), Some(r)) => check_cri_socket(s, r, &mut p),
        (None, Some(r)) => r.default_cri_socket.to_string(),
        (Some(s), None) => s.clone(),
        (None, None) => String::new(),
    };
    let image_repository = match (&a.kubernetes.image_repository, kube) {
        (Some(s), _) if !s.trim().is_empty() => s.trim().trim_end_matches('/').to_string(),
        (_, Some((v, r))) => r.image_repository_for(&v).to_string(),
        _ => String::new(),
    };
    if a.kubernetes
        .image_repository
        .as_deref()
        .is_some_and(|s| s.trim().is_empty() || s.contains(char::is_whitespace))
    {
        p.push(
            Problem::error(
                "kubernetes.imageRepository",
                "the image repository is empty or contains spaces",
            )
            .code("image_repository.invalid", &[]),
        );
    }
    if let Some((v, r)) = kube {
        check_frozen_registry(&image_repository, &v, r, &mut p);
    }
    if a.calico.install == CalicoInstall::Manifest
        && a.calico
            .manifest
            .as_deref()
            .is_none_or(|m| m.trim().is_empty())
    {
        p.push(
            Problem::warning(
                "calico.manifest",
                "manifest install needs the upstream calico.yaml on this node, and none is set; render will stop there",
            )
            .hint(format!(
                "download calico.yaml of Calico {} and set calico.manifest to its path, or use install: operator",
                a.calico.version
            ))
            .code("calico.manifest_missing", &[&a.calico.version]),
        );
    }
    let proxy_mode = a.kubernetes.proxy_mode.unwrap_or(ProxyMode::Iptables);
    if let Some(r) = row {
        check_proxy_mode(proxy_mode, r, &mut p);
    }
    if let Some(r) = row
        && !r.node_ip_pair
        && families.len() == 2
    {
        p.push(
                Problem::warning(
                    "kubernetes.version",
                    format!(
                        "the v1.{} kubelet takes a single --node-ip, so the node will report no {} InternalIP",
                        r.minor,
                        families.get(1).map(|f| f.kube_name()).unwrap_or("IPv6")
                    ),
                )
                .hint("use Kubernetes v1.20 or newer, where kubeletExtraArgs node-ip takes both addresses")
                .code("kubernetes.single_node_ip", &[&r.minor, &families.get(1).map(|f| f.kube_name()).unwrap_or("IPv6")]),
            );
    }

    // Calico pools.
    let (calico_pools, block_sizes) = calico_pools(a, pods.as_deref(), &mut p);
    let encaps = encapsulations(a, calico.map(|(_, r)| r), &mut p);
    check_mtu(a, &mut p);

    // Other nodes.
    let joins = join_nodes(a, &families, row, &mut p);

    // Overlaps between every range and every node's network.
    if let (Some(pods), Some(svcs)) = (&pods, &svcs) {
        check_overlaps(pods, svcs, &calico_pools, &mut p);
        let mut addrs: Vec<(String, IpAddr)> = Vec::new();
        if let Some(v) = node_v4 {
            addrs.push(("node.ipv4".into(), IpAddr::V4(v)));
        }
        if let Some(v) = node_v6 {
            addrs.push(("node.ipv6".into(), IpAddr::V6(v)));
        }
        for (i, j) in joins.iter().enumerate() {
            if let Some(v) = j.ipv4 {
                addrs.push((format!("nodes[{i}].ipv4"), IpAddr::V4(v)));
            }
            if let Some(v) = j.ipv6 {
                addrs.push((format!("nodes[{i}].ipv6"), IpAddr::V6(v)));
            }
        }
        for (path, ip) in &addrs {
            for (list, nets) in [(P_PODS, pods), (P_SVCS, svcs)] {
                for (i, n) in nets.iter().enumerate() {
                    if n.contains(ip) {
                        p.push(Problem::error(path.clone(), format!("{ip} lies inside {list}[{i}] {n}; node addresses must be outside pod and service ranges")).hint("choose pod and service subnets that do not cover the nodes' own network").code("node.address_in_range", &[ip, &list, &i, n]));
                    }
                }
            }
        }
    }

    let verify = verify_plan(a, &mut p);
    check_dns_domain(a, &mut p);
    check_autodetection(a, calico.map(|(_, r)| r), &mut p);

    if p.iter().any(Problem::is_error) {
        return Checked {
            plan: None,
            problems: p,
        };
    }
    // No errors: everything below was checked above, so the unwraps are safe.
    let (kube_version, kube) = kube.expect("checked");
    let (calico_version, calico_row) = calico.expect("checked");
    let pods = pods.expect("checked");
    let svcs = svcs.expect("checked");
    let node_ips: Vec<IpAddr> =
        ordered_ips(&families, node_v4, node_v6, advertise, kube.node_ip_pair);
    let families_plan: Vec<FamilyPlan> = pods
        .iter()
        .zip(svcs.iter())
        .zip(masks.iter())
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
                service_addresses: cidr::size(svc),
                calico_pool: calico_pools[fi].unwrap_or(*pod),
                block_size: block_sizes[fi],
                encapsulation: encaps[fi],
                autodetection: autodetection(a, f),
                nat_outgoing: true,
            }
        })
        .collect();
    let plan = Plan {
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
        image_repository,
        cri_socket,
        proxy_mode,
        control_plane_endpoint: cpe,
        node: NodePlan {
            name: a.node.name.clone(),
            ipv4: node_v4,
            ipv6: node_v6,
            ipv4_interface: a.node.ipv4_interface.clone(),
            ipv6_interface: a.node.ipv6_interface.clone(),
            advertise_address: advertise
                .or(node_ips.first().copied())
                .expect("a node address exists"),
            node_ips,
        },
        families: families_plan,
        calico: CalicoPlan {
            install: a.calico.install,
            manifest: a.calico.manifest.clone(),
            mtu: a.calico.mtu,
            registry: a
                .calico
                .registry
                .clone()
                .map(|r| r.trim_end_matches('/').to_string()),
        },
        joins,
        verify,
        warnings: p.clone(),
    };
    Checked {
        plan: Some(plan),
        problems: p,
    }
}
