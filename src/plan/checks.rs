//! The rules. Each one names the field it is about; the messages follow the wording of the
//! Kubernetes component that would fail, so a user who has seen that error recognises it.

use super::cidr::{self, CidrError};
use super::version::{self, Maturity};
use super::*;

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
                        "the v1.{} kubelet takes a single --node-ip, so the node will report no {} InternalIP (the seed's own run ended this way)",
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

fn names(fs: &[AddressFamily]) -> String {
    fs.iter()
        .map(|f| f.kube_name())
        .collect::<Vec<_>>()
        .join(",")
}

/// Parse a list of 1 or 2 CIDRs, one per family (kubeadm ValidateIPNetFromString).
fn parse_list(
    items: &[String],
    path: &str,
    min_addrs: u128,
    p: &mut Vec<Problem>,
) -> Option<Vec<IpNet>> {
    if items.is_empty() {
        p.push(
            Problem::error(path, "at least one CIDR is required")
                .hint("e.g. [10.244.0.0/16, fd00:10:244::/56]")
                .code("subnets.empty", &[]),
        );
        return None;
    }
    if items.len() > 2 {
        p.push(Problem::error(path, format!("{} CIDRs given; expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking", items.len())).code("subnets.too_many", &[&items.len()]));
        return None;
    }
    let mut out = Vec::new();
    let mut ok = true;
    for (i, s) in items.iter().enumerate() {
        let fp = format!("{path}[{i}]");
        match cidr::parse_cidr(s) {
            Ok(n) => {
                if cidr::size(&n) < min_addrs {
                    p.push(Problem::error(
                        fp.clone(),
                        format!(
                            "subnet with {} address(es) is too small, the minimum is {min_addrs}",
                            cidr::size(&n)
                        ),
                    ).code("subnets.too_small", &[&cidr::size(&n), &min_addrs]));
                    ok = false;
                }
                if let IpNet::V6(v6) = n
                    && (v6.network().segments()[0] & 0xffc0) == 0xfec0
                {
                    p.push(
                        Problem::warning(
                            fp.clone(),
                            "fec0::/10 site-local addresses are deprecated (RFC 3879)",
                        )
                        .hint("use a ULA range such as fd00::/8")
                        .code("subnets.site_local", &[]),
                    );
                }
                if n.prefix_len() == 0 {
                    p.push(
                        Problem::error(fp.clone(), "a /0 covers every address")
                            .code("subnets.zero_prefix", &[]),
                    );
                    ok = false;
                }
                out.push(n);
            }
            Err(CidrError::HostBits(net)) => {
                p.push(
                    Problem::error(fp, format!("{s:?} has host bits set; the network is {net}"))
                        .hint(format!("use {net}"))
                        .code("cidr.host_bits", &[&format!("{s:?}"), &net]),
                );
                ok = false;
            }
            Err(CidrError::NoPrefix) => {
                p.push(
                    Problem::error(
                        fp,
                        format!("{s:?} is not a CIDR: the prefix length is missing"),
                    )
                    .hint("write it as address/prefix, e.g. 10.244.0.0/16")
                    .code("cidr.no_prefix", &[&format!("{s:?}")]),
                );
                ok = false;
            }
            Err(CidrError::Invalid) => {
                p.push(
                    Problem::error(fp, format!("couldn't parse subnet {s:?}"))
                        .hint("write it as address/prefix, e.g. fd00:10:244::/56")
                        .code("subnets.unparsable", &[&format!("{s:?}")]),
                );
                ok = false;
            }
        }
    }
    if out.len() == 2 && cidr::family_of_net(&out[0]) == cidr::family_of_net(&out[1]) {
        p.push(Problem::error(path, "expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking; both are the same family").hint("give one IPv4 and one IPv6 CIDR").code("subnets.same_family", &[]));
        ok = false;
    }
    ok.then_some(out)
}

/// The node mask per pod subnet, and where it comes from; checks kubeadm's
/// ValidatePodSubnetNodeMask and the controller-manager's limit.
fn node_masks(
    a: &Answers,
    pods: &[IpNet],
    row: Option<&KubeMinor>,
    p: &mut Vec<Problem>,
) -> Vec<(u8, MaskSource)> {
    let given = a.networking.node_mask_sizes.unwrap_or_default();
    pods.iter()
        .enumerate()
        .map(|(i, pod)| {
            let f = cidr::family_of_net(pod);
            let (given_mask, key) = match f {
                AddressFamily::Ipv4 => (given.ipv4, "ipv4"),
                AddressFamily::Ipv6 => (given.ipv6, "ipv6"),
            };
            let (mask, source) = match (given_mask, row) {
                (Some(m), _) => (m, MaskSource::Answers),
                (None, Some(r)) if r.kubeadm_computes_node_mask => (cidr::kubeadm_calc_node_mask(pod), MaskSource::Kubeadm),
                (None, _) => (cidr::controller_manager_default_mask(f), MaskSource::ControllerManager),
            };
            let path = if source == MaskSource::Answers {
                format!("networking.nodeMaskSizes.{key}")
            } else {
                format!("{P_PODS}[{i}]")
            };
            if mask > pod.max_prefix_len() {
                p.push(Problem::error(path.clone(), format!("node mask /{mask} is longer than an {} address", f.kube_name())).code("node_mask.too_long", &[&mask, &f.kube_name()]));
            } else if pod.prefix_len() > mask {
                let code = if source == MaskSource::Answers { "node_mask.pod_smaller" } else { "node_mask.pod_smaller_default" };
                let fix = if source == MaskSource::Answers {
                    format!("set nodeMaskSizes.{key} to {} or more, or use a shorter pod subnet", pod.prefix_len())
                } else {
                    format!("use a pod subnet of /{mask} or shorter, or set networking.nodeMaskSizes.{key}")
                };
                p.push(
                    Problem::error(path.clone(), format!("the size of pod subnet with mask {} is smaller than the size of node subnet with mask {mask}", pod.prefix_len()))
                        .hint(fix)
                        .code(code, &[&pod.prefix_len(), &mask, &key]),
                );
            } else if mask - pod.prefix_len() > cidr::MAX_NODE_MASK_DIFF {
                p.push(
                    Problem::error(path.clone(), format!("pod subnet mask ({}) and node-mask ({mask}) difference is greater than {}", pod.prefix_len(), cidr::MAX_NODE_MASK_DIFF))
                        .hint(format!("use a node mask of at most /{} or a pod subnet of at least /{}", pod.prefix_len() + cidr::MAX_NODE_MASK_DIFF, mask.saturating_sub(cidr::MAX_NODE_MASK_DIFF)))
                        .code("node_mask.diff_too_large", &[&pod.prefix_len(), &mask, &cidr::MAX_NODE_MASK_DIFF, &(pod.prefix_len() + cidr::MAX_NODE_MASK_DIFF), &mask.saturating_sub(cidr::MAX_NODE_MASK_DIFF)]),
                );
            } else if pod.max_prefix_len() - mask < 2 {
                p.push(Problem::error(path.clone(), format!("a /{mask} node range leaves no room for pods")).code("node_mask.no_room", &[&mask]));
            } else if f == AddressFamily::Ipv6 && pod.max_prefix_len() - mask < 7 {
                p.push(Problem::warning(path.clone(), format!("a /{mask} node range holds only {} addresses; a node runs up to 110 pods", cidr::pow2((128 - mask) as u32))).code("node_mask.few_addresses", &[&mask, &cidr::pow2((128 - mask) as u32)]));
            }
            (mask, source)
        })
        .collect()
}

fn parse_node_ip(
    v: Option<&str>,
    path: &str,
    family: AddressFamily,
    p: &mut Vec<Problem>,
) -> Option<IpAddr> {
    let s = v?;
    let Some(ip) = cidr::parse_ip(s) else {
        p.push(
            Problem::error(path, format!("{s:?} is not an IP address"))
                .hint(if s.contains('/') {
                    "give the address without a prefix length"
                } else {
                    "run `dsinstall detect` to see this node's addresses"
                })
                .code(
                    if s.contains('/') {
                        "ip.invalid_with_prefix"
                    } else {
                        "ip.invalid"
                    },
                    &[&format!("{s:?}")],
                ),
        );
        return None;
    };
    if AddressFamily::of(&ip) != family {
        p.push(
            Problem::error(
                path,
                format!("{ip} is not an {} address", family.kube_name()),
            )
            .code("ip.wrong_family", &[&ip, &family.kube_name()]),
        );
        return None;
    }
    if !cidr::is_global_unicast(&ip) {
        p.push(
            Problem::error(path, format!("{ip} is not a global unicast address (link-local, loopback, multicast or unspecified addresses cannot be node IPs)"))
                .hint("pick a global address from `dsinstall detect`")
                .code("ip.not_global", &[&ip]),
        );
        return None;
    }
    Some(ip)
}

fn as_v4(ip: Option<IpAddr>) -> Option<Ipv4Addr> {
    match ip {
        Some(IpAddr::V4(v)) => Some(v),
        _ => None,
    }
}

fn as_v6(ip: Option<IpAddr>) -> Option<Ipv6Addr> {
    match ip {
        Some(IpAddr::V6(v)) => Some(v),
        _ => None,
    }
}

fn ordered_ips(
    families: &[AddressFamily],
    v4: Option<Ipv4Addr>,
    v6: Option<Ipv6Addr>,
    advertise: Option<IpAddr>,
    pair: bool,
) -> Vec<IpAddr> {
    let all: Vec<IpAddr> = families
        .iter()
        .filter_map(|f| match f {
            AddressFamily::Ipv4 => v4.map(IpAddr::V4),
            AddressFamily::Ipv6 => v6.map(IpAddr::V6),
        })
        .collect();
    if pair {
        all
    } else {
        // 1.19: one address. The advertise address keeps the API server and the kubelet on
        // the same family.
        advertise.or(all.first().copied()).into_iter().collect()
    }
}

/// RFC 1123 DNS label rules for node names (lowercase alphanumerics and '-', '.', ≤253).
fn check_node_name(name: &str, path: &str, p: &mut Vec<Problem>) {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    if !ok {
        let suggestion = name
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "-");
        let suggestion = suggestion.trim_matches('-');
        p.push(Problem::error(path, format!("{name:?} is not a valid node name (RFC 1123: lowercase letters, digits, '-' and '.')")).hint(format!("e.g. {suggestion:?}")).code("node.name_invalid", &[&format!("{name:?}"), &format!("{suggestion:?}")]));
    }
}

/// `host:port` with IPv6 in brackets; kubeadm's ValidateHostPort / net.SplitHostPort. Host
/// names are RFC 1123 subdomains (lowercase), as kubeadm requires.
/// The error is (code, args, English message) for `Problem::code`.
type EndpointError = (&'static str, Vec<String>, String);

fn canonical_endpoint(e: &str) -> Result<String, EndpointError> {
    let bad = || {
        (
            "endpoint.invalid",
            vec![format!("{e:?}")],
            format!("{e:?} is not a valid endpoint (host:port, IPv6 as [addr]:port)"),
        )
    };
    let (host, port) = if let Some(rest) = e.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(bad)?;
        let ip: Ipv6Addr = h.parse().map_err(|_| bad())?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err(bad()),
        };
        (format!("[{ip}]"), port)
    } else if e.matches(':').count() > 1 {
        // A bare IPv6 address without a port is what kubeadm accepts too.
        let ip: Ipv6Addr = e.parse().map_err(|_| bad())?;
        (format!("[{ip}]"), None)
    } else {
        let (h, port) = match e.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (e, None),
        };
        if let Ok(ip) = h.parse::<Ipv4Addr>() {
            (ip.to_string(), port)
        } else if is_dns_name(h) {
            (h.to_string(), port)
        } else {
            return Err(bad());
        }
    };
    let port = match port {
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => {
                return Err((
                    "endpoint.port",
                    vec![format!("{e:?}"), format!("{p:?}")],
                    format!("{e:?} has an invalid port {p:?}"),
                ));
            }
        },
        None => 6443,
    };
    Ok(format!("{host}:{port}"))
}

fn is_dns_name(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        // an all-numeric dotted name that failed IPv4 parsing is a typo, not a host name
        && !h.split('.').all(|l| l.bytes().all(|b| b.is_ascii_digit()))
}

fn check_cri_socket(s: &str, r: &KubeMinor, p: &mut Vec<Problem>) -> String {
    let s = s.trim();
    let path = "kubernetes.criSocket";
    if s.is_empty() {
        p.push(Problem::error(path, "empty CRI socket").code("cri.empty", &[]));
        return String::new();
    }
    let (scheme, file) = match s.split_once("://") {
        Some((sc, f)) => (Some(sc), f),
        None => (None, s),
    };
    if let Some(sc) = scheme
        && sc != "unix"
    {
        p.push(
            Problem::error(
                path,
                format!("only URL scheme \"unix\" is supported, got {sc:?}"),
            )
            .code("cri.scheme", &[&format!("{sc:?}")]),
        );
        return s.to_string();
    }
    if !file.starts_with('/') {
        p.push(
            Problem::error(path, format!("{s:?} is not an absolute socket path"))
                .code("cri.relative", &[&format!("{s:?}")]),
        );
    }
    if file.ends_with("dockershim.sock") && !r.dockershim {
        p.push(Problem::error(path, format!("dockershim was removed in Kubernetes v1.24; v1.{} cannot use {s}", r.minor)).hint("use unix:///var/run/containerd/containerd.sock, unix:///var/run/crio/crio.sock or unix:///var/run/cri-dockerd.sock").code("cri.dockershim", &[&r.minor, &s]));
    }
    if r.cri_socket_url && scheme.is_none() {
        p.push(Problem::warning(path, format!("kubeadm v1.{} expects a unix:// URL and would prepend it with a deprecation warning", r.minor)).hint(format!("write unix://{file}")).code("cri.url_expected", &[&r.minor, &file]));
        return format!("unix://{file}");
    }
    s.to_string()
}

fn check_proxy_mode(m: ProxyMode, r: &KubeMinor, p: &mut Vec<Problem>) {
    let path = "kubernetes.proxyMode";
    match r.proxy_mode(m) {
        None => p.push(
            Problem::error(
                path,
                format!("kube-proxy v1.{} has no {} mode", r.minor, m.as_str()),
            )
            .hint("use iptables")
            .code("proxy.unsupported", &[&r.minor, &m.as_str()]),
        ),
        Some(Maturity::Alpha) => p.push(
            Problem::warning(
                path,
                format!(
                    "{} mode is alpha in v1.{} and needs the NFTablesProxyMode feature gate",
                    m.as_str(),
                    r.minor
                ),
            )
            .hint("use iptables, or Kubernetes v1.31+ where nftables is beta")
            .code("proxy.alpha", &[&m.as_str(), &r.minor]),
        ),
        Some(Maturity::Deprecated) => p.push(
            Problem::warning(
                path,
                format!(
                    "{} mode is deprecated from v1.35 and will be removed",
                    m.as_str()
                ),
            )
            .hint("use nftables or iptables")
            .code("proxy.deprecated", &[&m.as_str()]),
        ),
        _ => {}
    }
    if m == ProxyMode::Ipvs && r.ipvs_ipv6_nodeport_bug {
        p.push(
            Problem::warning(path, format!("with ipvs on v1.{}, NodePort services may not answer on the node's IPv6 address (fixed in v1.22; the seed hit this)", r.minor))
                .hint("use proxyMode: iptables")
                .code("proxy.ipvs_ipv6_nodeport", &[&r.minor]),
        );
    }
}

/// The Calico pools per family index (Ipv4 = 0, Ipv6 = 1) and block sizes.
fn calico_pools(
    a: &Answers,
    pods: Option<&[IpNet]>,
    p: &mut Vec<Problem>,
) -> ([Option<IpNet>; 2], [u8; 2]) {
    let mut pools: [Option<IpNet>; 2] = [None, None];
    let pod_of = |f: AddressFamily| {
        pods.and_then(|ps| ps.iter().find(|n| cidr::family_of_net(n) == f).copied())
    };
    for (f, val, path) in [
        (AddressFamily::Ipv4, &a.calico.ipv4_pool, "calico.ipv4Pool"),
        (AddressFamily::Ipv6, &a.calico.ipv6_pool, "calico.ipv6Pool"),
    ] {
        let Some(s) = val else {
            pools[f as usize] = pod_of(f);
            continue;
        };
        match cidr::parse_cidr(s) {
            Ok(n) if cidr::family_of_net(&n) != f => p.push(
                Problem::error(path, format!("{n} is not an {} CIDR", f.kube_name()))
                    .code("pool.wrong_family", &[&n, &f.kube_name()]),
            ),
            Ok(n) => {
                pools[f as usize] = Some(n);
                match pod_of(f) {
                    Some(pod) if !pod.contains(&n) => p.push(
                        Problem::warning(path, format!("the Calico pool {n} is outside the {} pod subnet {pod}; kube-proxy will masquerade pod traffic from it and network policy on Services breaks (projectcalico/calico#683, #4004)", f.kube_name()))
                            .hint(format!("use {pod}, or a range inside it"))
                            .code("pool.outside_pod_subnet", &[&n, &f.kube_name(), &pod]),
                    ),
                    None if pods.is_some() => p.push(Problem::warning(path, format!("an {} pool is set but the cluster has no {} pod subnet", f.kube_name(), f.kube_name())).code("pool.no_pod_subnet", &[&f.kube_name()])),
                    _ => {}
                }
            }
            Err(CidrError::HostBits(net)) => p.push(
                Problem::error(
                    path,
                    format!("{s:?} has host bits set; the network is {net}"),
                )
                .hint(format!("use {net}"))
                .code("cidr.host_bits", &[&format!("{s:?}"), &net]),
            ),
            Err(_) => p.push(
                Problem::error(path, format!("couldn't parse pool {s:?}"))
                    .code("pool.unparsable", &[&format!("{s:?}")]),
            ),
        }
    }
    // Block sizes: IPv4 20–32 (default 26), IPv6 116–128 (default 122); a pool must hold at
    // least one block (calico-node validateBlockSize; operator the same).
    let mut blocks = [26u8, 122u8];
    for (f, val, path, lo, hi) in [
        (
            AddressFamily::Ipv4,
            a.calico.ipv4_block_size,
            "calico.ipv4BlockSize",
            20u8,
            32u8,
        ),
        (
            AddressFamily::Ipv6,
            a.calico.ipv6_block_size,
            "calico.ipv6BlockSize",
            116,
            128,
        ),
    ] {
        let b = val.unwrap_or(blocks[f as usize]);
        if val.is_some() && !(lo..=hi).contains(&b) {
            p.push(
                Problem::error(
                    path,
                    format!("block size {b} is outside {lo}..{hi}; calico-node would exit"),
                )
                .code("block.out_of_range", &[&b, &lo, &hi]),
            );
            continue;
        }
        blocks[f as usize] = b;
        if let Some(pool) = pools[f as usize]
            && pool.prefix_len() > b
        {
            let path = if val.is_some() {
                path.to_string()
            } else {
                pool_path(f)
            };
            p.push(
                Problem::error(
                    path,
                    format!(
                        "the {} pool {pool} is smaller than one /{b} block",
                        f.kube_name()
                    ),
                )
                .hint(format!(
                    "use a pool of /{b} or shorter, or a block size of at least {}",
                    pool.prefix_len()
                ))
                .code(
                    "block.pool_too_small",
                    &[&f.kube_name(), &pool, &b, &pool.prefix_len()],
                ),
            );
        }
    }
    (pools, blocks)
}

fn pool_path(f: AddressFamily) -> String {
    match f {
        AddressFamily::Ipv4 => "calico.ipv4Pool".into(),
        AddressFamily::Ipv6 => "calico.ipv6Pool".into(),
    }
}

fn encapsulations(
    a: &Answers,
    row: Option<&CalicoMinor>,
    p: &mut Vec<Problem>,
) -> [Encapsulation; 2] {
    let v4 = a.calico.ipv4_encapsulation.unwrap_or(Encapsulation::Ipip);
    let v6 = a.calico.ipv6_encapsulation.unwrap_or(Encapsulation::None);
    if v6 == Encapsulation::Ipip {
        p.push(Problem::error("calico.ipv6Encapsulation", "IPIP is IPv4-only: Calico rejects \"IPIPMode other than 'Never' is not supported on an IPv6 IP pool\"").hint("use None (native routing) or VXLAN on Calico v3.23+").code("calico.ipip_ipv6", &[]));
    }
    if v6 == Encapsulation::Vxlan
        && let Some(r) = row
        && !r.ipv6_vxlan
    {
        p.push(
            Problem::error(
                "calico.ipv6Encapsulation",
                format!(
                    "Calico v3.{} has no VXLAN for IPv6 pools (added in v3.23)",
                    r.minor
                ),
            )
            .hint("use None, or Calico v3.23+")
            .code("calico.vxlan_ipv6", &[&r.minor]),
        );
    }
    [v4, v6]
}

fn check_mtu(a: &Answers, p: &mut Vec<Problem>) {
    if let Some(m) = a.calico.mtu {
        // IPv6 needs a link MTU of at least 1280 (RFC 8200); 9000 jumbo frames are the top.
        if !(1280..=9000).contains(&m) {
            p.push(
                Problem::error(
                    "calico.mtu",
                    format!("MTU {m} is outside 1280..9000 (IPv6 needs at least 1280)"),
                )
                .code("calico.mtu_range", &[&m]),
            );
        }
    }
}

fn join_nodes(
    a: &Answers,
    families: &[AddressFamily],
    row: Option<&KubeMinor>,
    p: &mut Vec<Problem>,
) -> Vec<JoinPlan> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    seen.insert(a.node.name.clone());
    let mut seen_ips: std::collections::HashMap<IpAddr, String> = std::collections::HashMap::new();
    for (path, v) in [("node.ipv4", &a.node.ipv4), ("node.ipv6", &a.node.ipv6)] {
        if let Some(ip) = v.as_deref().and_then(cidr::parse_ip) {
            seen_ips.insert(ip, path.to_string());
        }
    }
    for (i, n) in a.nodes.iter().enumerate() {
        let base = format!("nodes[{i}]");
        check_node_name(&n.name, &format!("{base}.name"), p);
        if !seen.insert(n.name.clone()) {
            p.push(
                Problem::error(
                    format!("{base}.name"),
                    format!("node name {:?} is used twice", n.name),
                )
                .code("nodes.name_duplicate", &[&format!("{:?}", n.name)]),
            );
        }
        let v4 = as_v4(parse_node_ip(
            n.ipv4.as_deref(),
            &format!("{base}.ipv4"),
            AddressFamily::Ipv4,
            p,
        ));
        let v6 = as_v6(parse_node_ip(
            n.ipv6.as_deref(),
            &format!("{base}.ipv6"),
            AddressFamily::Ipv6,
            p,
        ));
        for (fam, have) in [
            (AddressFamily::Ipv4, v4.is_some() || n.ipv4.is_some()),
            (AddressFamily::Ipv6, v6.is_some() || n.ipv6.is_some()),
        ] {
            if families.contains(&fam) && !have {
                p.push(
                    Problem::error(
                        format!("{base}.{}", fam.as_str()),
                        format!(
                            "node {} needs an {} address in a cluster with {} subnets",
                            n.name,
                            fam.kube_name(),
                            fam.kube_name()
                        ),
                    )
                    .code("nodes.address_missing", &[&n.name, &fam.kube_name()]),
                );
            }
        }
        for (suffix, ip) in [("ipv4", v4.map(IpAddr::V4)), ("ipv6", v6.map(IpAddr::V6))] {
            if let Some(ip) = ip
                && let Some(other) = seen_ips.insert(ip, format!("{base}.{suffix}"))
            {
                p.push(
                    Problem::error(
                        format!("{base}.{suffix}"),
                        format!("{ip} is already used by {other}"),
                    )
                    .code("nodes.address_duplicate", &[&ip, &other]),
                );
            }
        }
        let first = families.first().copied().unwrap_or(AddressFamily::Ipv4);
        let adv = match first {
            AddressFamily::Ipv4 => v4.map(IpAddr::V4).or(v6.map(IpAddr::V6)),
            AddressFamily::Ipv6 => v6.map(IpAddr::V6).or(v4.map(IpAddr::V4)),
        };
        if let Some(adv) = adv {
            let pair = row.map(|r| r.node_ip_pair).unwrap_or(true);
            out.push(JoinPlan {
                name: n.name.clone(),
                ipv4: v4,
                ipv6: v6,
                role: n.role,
                advertise_address: adv,
                node_ips: ordered_ips(families, v4, v6, Some(adv), pair),
            });
        }
    }
    out
}

fn check_overlaps(
    pods: &[IpNet],
    svcs: &[IpNet],
    pools: &[Option<IpNet>; 2],
    p: &mut Vec<Problem>,
) {
    let mut ranges: Vec<(String, IpNet)> = Vec::new();
    for (i, n) in pods.iter().enumerate() {
        ranges.push((format!("{P_PODS}[{i}]"), *n));
    }
    for (i, n) in svcs.iter().enumerate() {
        ranges.push((format!("{P_SVCS}[{i}]"), *n));
    }
    for i in 0..ranges.len() {
        for j in (i + 1)..ranges.len() {
            if cidr::overlaps(&ranges[i].1, &ranges[j].1) {
                p.push(
                    Problem::error(
                        ranges[j].0.clone(),
                        format!(
                            "{} overlaps {} {}; pod and service ranges must be disjoint",
                            ranges[j].1, ranges[i].0, ranges[i].1
                        ),
                    )
                    .hint("pick ranges that do not contain each other")
                    .code(
                        "subnets.overlap",
                        &[&ranges[j].1, &ranges[i].0, &ranges[i].1],
                    ),
                );
            }
        }
    }
    // A pool inside its pod subnet is the expected case; a pool over a service range is not.
    for (f, pool) in pools.iter().enumerate() {
        if let Some(pool) = pool {
            for (i, s) in svcs.iter().enumerate() {
                if cidr::overlaps(pool, s) {
                    let fam = if f == 0 {
                        AddressFamily::Ipv4
                    } else {
                        AddressFamily::Ipv6
                    };
                    p.push(
                        Problem::error(
                            pool_path(fam),
                            format!("the Calico pool {pool} overlaps {P_SVCS}[{i}] {s}"),
                        )
                        .code("pool.overlaps_service", &[pool, &i, s]),
                    );
                }
            }
        }
    }
}

fn verify_plan(a: &Answers, p: &mut Vec<Problem>) -> VerifyPlan {
    let v = a.verify.clone().unwrap_or_default();
    let node_port = v.node_port.unwrap_or(31111);
    // kube-apiserver's default --service-node-port-range is 30000-32767.
    if !(30000..=32767).contains(&node_port) {
        p.push(
            Problem::error(
                "verify.nodePort",
                format!("{node_port} is outside the default NodePort range 30000-32767"),
            )
            .code("verify.node_port_range", &[&node_port]),
        );
    }
    let namespace = v.namespace.unwrap_or_else(|| "dsinstall-verify".into());
    let mut ns_problems = Vec::new();
    check_node_name(&namespace, "verify.namespace", &mut ns_problems);
    if !ns_problems.is_empty() || namespace.contains('.') || namespace.len() > 63 {
        p.push(
            Problem::error(
                "verify.namespace",
                format!("{namespace:?} is not a valid namespace name (RFC 1123 label)"),
            )
            .code("verify.namespace_invalid", &[&format!("{namespace:?}")]),
        );
    }
    for (path, img) in [
        ("verify.serverImage", &v.server_image),
        ("verify.clientImage", &v.client_image),
    ] {
        if let Some(i) = img
            && (i.trim().is_empty() || i.contains(char::is_whitespace))
        {
            p.push(
                Problem::error(path, format!("{i:?} is not an image reference"))
                    .code("verify.image_invalid", &[&format!("{i:?}")]),
            );
        }
    }
    VerifyPlan {
        server_image: v.server_image.unwrap_or_else(|| "nginx:latest".into()),
        client_image: v.client_image.unwrap_or_else(|| "busybox:latest".into()),
        node_port,
        namespace,
    }
}

fn check_dns_domain(a: &Answers, p: &mut Vec<Problem>) {
    if let Some(d) = &a.networking.dns_domain
        && (!is_dns_name(d) || d.chars().any(|c| c.is_ascii_uppercase()))
    {
        p.push(
            Problem::error(
                "networking.dnsDomain",
                format!("{d:?} is not a valid DNS domain"),
            )
            .code("dns_domain.invalid", &[&format!("{d:?}")]),
        );
    }
}

fn autodetection(a: &Answers, f: AddressFamily) -> String {
    match f {
        AddressFamily::Ipv4 => {
            a.calico
                .ipv4_autodetection_method
                .clone()
                .unwrap_or_else(|| match &a.node.ipv4_interface {
                    Some(i) if !i.is_empty() => format!("interface={}", anchored(i)),
                    _ => "first-found".into(),
                })
        }
        AddressFamily::Ipv6 => {
            a.calico
                .ipv6_autodetection_method
                .clone()
                .unwrap_or_else(|| match &a.node.ipv6_interface {
                    Some(i) if !i.is_empty() => format!("interface={}", anchored(i)),
                    _ => "first-found".into(),
                })
        }
    }
}

/// Calico's interface= takes an unanchored Go regex: `eth0` also matches `veth0...`.
fn anchored(iface: &str) -> String {
    let escaped: String = iface
        .chars()
        .flat_map(|c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect();
    format!("^{escaped}$")
}

fn check_autodetection(a: &Answers, row: Option<&CalicoMinor>, p: &mut Vec<Problem>) {
    for (path, m) in [
        (
            "calico.ipv4AutodetectionMethod",
            &a.calico.ipv4_autodetection_method,
        ),
        (
            "calico.ipv6AutodetectionMethod",
            &a.calico.ipv6_autodetection_method,
        ),
    ] {
        let Some(m) = m else { continue };
        let (kind, arg) = m.split_once('=').unwrap_or((m.as_str(), ""));
        let known = [
            "first-found",
            "can-reach",
            "interface",
            "skip-interface",
            "cidr",
            "kubernetes-internal-ip",
        ];
        if !known.contains(&kind) {
            p.push(Problem::error(path, format!("{m:?} is not a Calico autodetection method; calico-node would exit with \"Invalid IP autodetection method\"")).hint("use interface=^ens224$, cidr=2018::/64, can-reach=ADDR, skip-interface=REGEX, first-found or kubernetes-internal-ip").code("autodetect.unknown", &[&format!("{m:?}")]));
            continue;
        }
        let needs_arg = matches!(kind, "can-reach" | "interface" | "skip-interface" | "cidr");
        if needs_arg && arg.trim().is_empty() {
            p.push(
                Problem::error(path, format!("{kind}= needs a value"))
                    .code("autodetect.needs_value", &[&kind]),
            );
        }
        if let Some(r) = row {
            if kind == "cidr" && !r.autodetect_cidr {
                p.push(
                    Problem::error(
                        path,
                        format!(
                            "Calico v3.{} has no cidr= autodetection (added in v3.16)",
                            r.minor
                        ),
                    )
                    .hint("use interface=^NAME$")
                    .code("autodetect.cidr_unsupported", &[&r.minor]),
                );
            }
            if kind == "kubernetes-internal-ip" && !r.autodetect_kubernetes_internal_ip {
                p.push(Problem::error(path, format!("Calico v3.{} has no kubernetes-internal-ip autodetection (added in v3.22)", r.minor)).hint("use interface=^NAME$").code("autodetect.internal_ip_unsupported", &[&r.minor]));
            }
        }
        if kind == "cidr" {
            for (i, c) in arg.split(',').enumerate() {
                if cidr::parse_cidr(c.trim()).is_err() {
                    p.push(
                        Problem::error(
                            path,
                            format!("cidr= entry {} ({:?}) is not a CIDR", i + 1, c.trim()),
                        )
                        .code(
                            "autodetect.bad_cidr",
                            &[&(i + 1), &format!("{:?}", c.trim())],
                        ),
                    );
                }
            }
        }
        if kind == "interface" && !arg.is_empty() && !arg.starts_with('^') {
            p.push(Problem::warning(path, format!("interface={arg} is an unanchored regex: it also matches names that merely contain it (e.g. veth{arg})")).hint(format!("use interface={}", anchored(arg))).code("autodetect.unanchored", &[&arg, &anchored(arg)]));
        }
    }
}

/// k8s.gcr.io was frozen on 2023-04-03: releases after that (1.27+, and the patch releases
/// from which kubeadm's default moved to registry.k8s.io) were never pushed there
/// (kubernetes.io/blog/2023/02/06/k8s-gcr-io-freeze-announcement).
fn check_frozen_registry(repo: &str, v: &KubeVersion, r: &KubeMinor, p: &mut Vec<Problem>) {
    if repo != "k8s.gcr.io" {
        return;
    }
    let moved = r.default_image_repository == "registry.k8s.io"
        || r.image_repository_for(v) == "registry.k8s.io";
    if moved {
        p.push(
            Problem::warning(
                "kubernetes.imageRepository",
                format!("k8s.gcr.io is frozen and has no images for Kubernetes {v}; kubeadm would fail to pull them"),
            )
            .hint("use registry.k8s.io, or your mirror of it")
            .code("image_repository.frozen", &[v]),
        );
    }
}

/// Calico's requirements page lists the Kubernetes minors each release is tested against
/// (see `version::CALICO_TABLE`). Outside them it often still works, so this only warns.
fn check_tested_pair(
    kv: &version::KubeVersion,
    kr: &KubeMinor,
    cv: &version::CalicoVersion,
    cr: &CalicoMinor,
    p: &mut Vec<Problem>,
) {
    if cr.tests_kube(kr.minor) {
        return;
    }
    let (lo, hi) = cr.tested_kube;
    let tested = version::calico_tested_with(kr.minor);
    let (cv, kv, cm, km) = (
        cv.to_string(),
        kv.to_string(),
        cr.minor.to_string(),
        kr.minor.to_string(),
    );
    let (lo, hi) = (lo.to_string(), hi.to_string());
    let message = format!(
        "Calico {cv} is not tested with Kubernetes {kv}; Calico's docs list v1.{lo} to v1.{hi} for v3.{cm}"
    );
    let problem = Problem::warning("calico.version", message);
    let problem = if tested.is_empty() {
        let near = version::calico_for_kube(kr.minor);
        let (nlo, nhi) = near.tested_kube;
        let (nm, nlo, nhi) = (near.minor.to_string(), nlo.to_string(), nhi.to_string());
        problem
            .hint(format!(
                "no Calico release lists Kubernetes v1.{km} yet; the nearest is Calico v3.{nm} (tested with v1.{nlo} to v1.{nhi})"
            ))
            .code(
                "calico.untested_pair_nearest",
                &[&cv, &kv, &lo, &hi, &cm, &km, &nm, &nlo, &nhi],
            )
    } else {
        let list = calico_minors(&tested);
        problem
            .hint(format!(
                "Calico releases tested with Kubernetes v1.{km}: {list}; other versions often work too"
            ))
            .code("calico.untested_pair", &[&cv, &kv, &lo, &hi, &cm, &km, &list])
    };
    p.push(problem);
}

/// `v3.16 to v3.20`, or `v3.25, v3.27` when the minors are not consecutive.
fn calico_minors(minors: &[u32]) -> String {
    let consecutive = minors.windows(2).all(|w| w[1] == w[0] + 1);
    match minors {
        [one] => format!("v3.{one}"),
        [first, .., last] if consecutive => format!("v3.{first} to v3.{last}"),
        _ => minors
            .iter()
            .map(|m| format!("v3.{m}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}
