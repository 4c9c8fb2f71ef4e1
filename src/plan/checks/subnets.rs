//! Pod and service subnets: parsing, families, sizes, node masks and overlaps.

use super::*;
use crate::plan::version::NodeMaskCheck;

pub(super) fn names(fs: &[AddressFamily]) -> String {
    fs.iter()
        .map(|f| f.kube_name())
        .collect::<Vec<_>>()
        .join(",")
}

/// Parse a list of 1 or 2 CIDRs, one per family (kubeadm ValidateIPNetFromString).
pub(super) fn parse_list(
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
                if let Some(what) = cidr::reserved_range(&n) {
                    p.push(
                        Problem::error(
                            fp.clone(),
                            format!(
                                "{n} overlaps {what}, which cannot hold pod or service addresses"
                            ),
                        )
                        .hint("use private ranges such as 10.244.0.0/16 and fd00:10:244::/56")
                        .code("subnets.reserved", &[&n, &what]),
                    );
                    ok = false;
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
                    Problem::error(
                        fp,
                        format!("{s} has host bits set; the network is {net}", s = quote(s)),
                    )
                    .hint(format!("use {net}"))
                    .code("cidr.host_bits", &[&quote(s), &net]),
                );
                ok = false;
            }
            Err(CidrError::NoPrefix) => {
                p.push(
                    Problem::error(
                        fp,
                        format!(
                            "{s} is not a CIDR: the prefix length is missing",
                            s = quote(s)
                        ),
                    )
                    .hint("write it as address/prefix, e.g. 10.244.0.0/16")
                    .code("cidr.no_prefix", &[&quote(s)]),
                );
                ok = false;
            }
            Err(CidrError::LeadingZeros) => {
                p.push(
                    Problem::error(fp, format!("{s} has an IPv4 octet with a leading zero, which tools read as decimal or as octal", s = quote(s)))
                        .hint("write the octets without leading zeros, e.g. 10.10.0.0/16")
                        .code("cidr.leading_zeros", &[&quote(s)]),
                );
                ok = false;
            }
            Err(CidrError::Invalid) => {
                p.push(
                    Problem::error(fp, format!("couldn't parse subnet {s}", s = quote(s)))
                        .hint("write it as address/prefix, e.g. fd00:10:244::/56")
                        .code("subnets.unparsable", &[&quote(s)]),
                );
                ok = false;
            }
        }
    }
    if out.len() == 2 && cidr::family_of_net(&out[0]) == cidr::family_of_net(&out[1]) {
        // On the second entry: the first one names the primary family and is fine.
        p.push(Problem::error(format!("{path}[1]"), "expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking; both are the same family").hint("give one IPv4 and one IPv6 CIDR").code("subnets.same_family", &[]));
        ok = false;
    }
    ok.then_some(out)
}

/// The node mask a pod subnet gets when the answers give none: kubeadm computes it up to
/// 1.19 (calcNodeCidrSize), the controller-manager's /24 and /64 after.
fn default_mask(pod: &IpNet, row: Option<&KubeMinor>) -> (u8, MaskSource) {
    match row {
        Some(r) if r.kubeadm_computes_node_mask => {
            (cidr::kubeadm_calc_node_mask(pod), MaskSource::Kubeadm)
        }
        _ => (
            cidr::controller_manager_default_mask(cidr::family_of_net(pod)),
            MaskSource::ControllerManager,
        ),
    }
}

/// The default node mask of family `f` for these answers' version and pod subnet, even
/// while other answers have errors (the wizard shows it as the value in force).
pub fn default_node_mask(a: &Answers, f: AddressFamily) -> Option<u8> {
    let row = crate::plan::version::KubeVersion::parse(&a.kubernetes.version)
        .ok()
        .and_then(|v| crate::plan::version::kube_minor(&v).ok());
    let pod = a
        .networking
        .pod_subnets
        .iter()
        .filter_map(|s| s.parse::<IpNet>().ok())
        .find(|n| cidr::family_of_net(n) == f)?;
    Some(default_mask(&pod, row).0)
}

/// The node mask per pod subnet, and where it comes from; checks kubeadm's
/// ValidatePodSubnetNodeMask and the controller-manager's limit, in the words of whoever
/// refuses it on this version (`NodeMaskCheck`).
pub(super) fn node_masks(
    a: &Answers,
    pods: &[IpNet],
    row: Option<&KubeMinor>,
    p: &mut Vec<Problem>,
) -> Vec<(u8, MaskSource)> {
    let given = a.networking.node_mask_sizes.unwrap_or_default();
    let check = row
        .map(|r| r.node_mask_check)
        .unwrap_or(NodeMaskCheck::Kubeadm);
    pods.iter()
        .map(|pod| {
            let f = cidr::family_of_net(pod);
            let (given_mask, key) = match f {
                AddressFamily::Ipv4 => (given.ipv4, "ipv4"),
                AddressFamily::Ipv6 => (given.ipv6, "ipv6"),
            };
            let (mask, source) = match given_mask {
                Some(m) => (m, MaskSource::Answers),
                None => default_mask(pod, row),
            };
            // On the node-mask field even when the mask is a default: setting it is the fix
            // that keeps the pod subnet, and a default that a version change brought in
            // (kubeadm computes it up to 1.19, the controller-manager's /24 and /64 after)
            // then shows where the user can change it.
            let path = format!("networking.nodeMaskSizes.{key}");
            if mask > pod.max_prefix_len() {
                p.push(Problem::error(path.clone(), format!("node mask /{mask} is longer than an {} address", f.kube_name())).code("node_mask.too_long", &[&mask, &f.kube_name()]));
            } else if pod.prefix_len() > mask {
                let given = source == MaskSource::Answers;
                let (message, code) = match check {
                    NodeMaskCheck::Kubeadm => (
                        format!("the size of pod subnet with mask {} is smaller than the size of node subnet with mask {mask}", pod.prefix_len()),
                        if given { "node_mask.pod_smaller" } else { "node_mask.pod_smaller_default" },
                    ),
                    NodeMaskCheck::KubeadmFirst => (
                        "pod subnet size is smaller than the node subnet size".to_string(),
                        if given { "node_mask.pod_smaller_v1_20" } else { "node_mask.pod_smaller_default_v1_20" },
                    ),
                    NodeMaskCheck::ControllerManager => (
                        format!("Controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR family (kube-controller-manager exits: the pod subnet is a /{}, the node mask /{mask})", pod.prefix_len()),
                        if given { "node_mask.pod_smaller_kcm" } else { "node_mask.pod_smaller_default_kcm" },
                    ),
                };
                let fix = if given {
                    format!("set nodeMaskSizes.{key} to {} or more, or use a shorter pod subnet", pod.prefix_len())
                } else {
                    format!("use a pod subnet of /{mask} or shorter, or set networking.nodeMaskSizes.{key}")
                };
                p.push(
                    Problem::error(path.clone(), message)
                        .hint(fix)
                        .code(code, &[&pod.prefix_len(), &mask, &key]),
                );
            } else if mask - pod.prefix_len() > cidr::MAX_NODE_MASK_DIFF
                // The controller-manager's own limit is for IPv6 only; kubeadm ≥1.20 checks both.
                && (check != NodeMaskCheck::ControllerManager || f == AddressFamily::Ipv6)
            {
                let message = if check == NodeMaskCheck::ControllerManager {
                    format!("New CIDR set failed; the node CIDR size is too big (kube-controller-manager exits: the pod subnet /{} and the node mask /{mask} are more than {} bits apart)", pod.prefix_len(), cidr::MAX_NODE_MASK_DIFF)
                } else {
                    format!("pod subnet mask ({}) and node-mask ({mask}) difference is greater than {}", pod.prefix_len(), cidr::MAX_NODE_MASK_DIFF)
                };
                let code = if check == NodeMaskCheck::ControllerManager { "node_mask.diff_too_large_kcm" } else { "node_mask.diff_too_large" };
                p.push(
                    Problem::error(path.clone(), message)
                        .hint(format!("use a node mask of at most /{} or a pod subnet of at least /{}", pod.prefix_len() + cidr::MAX_NODE_MASK_DIFF, mask.saturating_sub(cidr::MAX_NODE_MASK_DIFF)))
                        .code(code, &[&pod.prefix_len(), &mask, &cidr::MAX_NODE_MASK_DIFF, &(pod.prefix_len() + cidr::MAX_NODE_MASK_DIFF), &mask.saturating_sub(cidr::MAX_NODE_MASK_DIFF)]),
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

pub(super) fn check_overlaps(
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

/// The families of the pod subnets, primary first.
pub(super) fn families_of(pods: Option<&[IpNet]>) -> Vec<AddressFamily> {
    pods.map(|v| v.iter().map(cidr::family_of_net).collect())
        .unwrap_or_default()
}

/// Pod and service subnets name the same families in the same order (kubeadm
/// ValidateNetworking; the apiserver takes the first service family as primary). The
/// problem sits on the service subnet that is missing or of the wrong family, so a form with
/// one field per family marks that field; only a swapped order is about the list.
pub(super) fn check_family_order(
    pods: Option<&[IpNet]>,
    svcs: Option<&[IpNet]>,
    p: &mut Vec<Problem>,
) {
    let (Some(pods), Some(svcs)) = (pods, svcs) else {
        return;
    };
    let pf: Vec<_> = pods.iter().map(cidr::family_of_net).collect();
    let sf: Vec<_> = svcs.iter().map(cidr::family_of_net).collect();
    if pf == sf {
        return;
    }
    let mut sorted_p = pf.clone();
    let mut sorted_s = sf.clone();
    sorted_p.sort();
    sorted_s.sort();
    if sorted_p == sorted_s {
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
        return;
    }
    #[allow(clippy::needless_range_loop)] // walks two lists of different lengths
    for i in 0..pf.len().max(sf.len()) {
        let path = format!("{P_SVCS}[{i}]");
        match (pf.get(i), sf.get(i)) {
            (Some(pod), None) => p.push(
                Problem::error(
                    path,
                    format!(
                        "there is an {} pod subnet but no {} service subnet; each family needs both",
                        pod.kube_name(),
                        pod.kube_name()
                    ),
                )
                .hint(format!(
                    "add an {} service subnet, e.g. {}",
                    pod.kube_name(),
                    example_service_subnet(*pod)
                ))
                .code(
                    "service.family_missing",
                    &[&pod.kube_name(), &example_service_subnet(*pod)],
                ),
            ),
            (None, Some(svc)) => p.push(
                Problem::error(
                    path,
                    format!(
                        "there is an {} service subnet but no {} pod subnet; each family needs both",
                        svc.kube_name(),
                        svc.kube_name()
                    ),
                )
                .hint(format!(
                    "remove it, or add an {} pod subnet",
                    svc.kube_name()
                ))
                .code("service.family_extra", &[&svc.kube_name()]),
            ),
            (Some(pod), Some(svc)) if pod != svc => p.push(
                Problem::error(
                    path,
                    format!(
                        "{} is an {} subnet, but this is the {} family's service subnet",
                        svcs[i],
                        svc.kube_name(),
                        pod.kube_name()
                    ),
                )
                .hint(format!(
                    "use an {} range, e.g. {}",
                    pod.kube_name(),
                    example_service_subnet(*pod)
                ))
                .code(
                    "service.family_mismatch",
                    &[
                        &svcs[i],
                        &svc.kube_name(),
                        &pod.kube_name(),
                        &example_service_subnet(*pod),
                    ],
                ),
            ),
            _ => {}
        }
    }
}

/// A service subnet to suggest for a family: kubeadm's IPv4 default and a ULA /112.
fn example_service_subnet(f: AddressFamily) -> &'static str {
    match f {
        AddressFamily::Ipv4 => "10.96.0.0/12",
        AddressFamily::Ipv6 => "fd00:10:96::/112",
    }
}

/// The service ranges the apiserver and kubeadm accept (`service_max_host_bits`), in the
/// words of the component that refuses it on this version (`ServiceSizeCheck`).
pub(super) fn check_service_size(
    svcs: Option<&[IpNet]>,
    row: Option<&KubeMinor>,
    p: &mut Vec<Problem>,
) {
    let Some(svcs) = svcs else { return };
    let max = row.map(|r| r.service_max_host_bits).unwrap_or(20);
    let check = row
        .map(|r| r.service_size_check)
        .unwrap_or(version::ServiceSizeCheck::Kubeadm);
    for (i, n) in svcs.iter().enumerate() {
        let host_bits = n.max_prefix_len() - n.prefix_len();
        if host_bits <= max {
            continue;
        }
        let min_prefix = n.max_prefix_len() - max;
        let path = format!("{P_SVCS}[{i}]");
        let hint = format!(
            "use a /{min_prefix} or longer prefix, e.g. {}/{}",
            n.network(),
            min_prefix.max(n.prefix_len())
        );
        let problem = match check {
            version::ServiceSizeCheck::Kubeadm => Problem::error(
                path,
                format!(
                    "specified service subnet is too large; for {}-bit addresses, the mask must be >= {min_prefix}",
                    n.max_prefix_len()
                ),
            )
            .hint(hint)
            .code(
                "service.too_large",
                &[
                    &n.max_prefix_len(),
                    &min_prefix,
                    &n.network(),
                    &min_prefix.max(n.prefix_len()),
                ],
            ),
            version::ServiceSizeCheck::Apiserver => {
                let which = if i == 0 {
                    "--service-cluster-ip-range"
                } else {
                    "--secondary-service-cluster-ip-range"
                };
                Problem::error(
                    path,
                    format!(
                        "specified {which} is too large (kube-apiserver exits; the largest is /{min_prefix} for {}-bit addresses)",
                        n.max_prefix_len()
                    ),
                )
                .hint(hint)
                .code(
                    "service.too_large_apiserver",
                    &[
                        &which,
                        &n.max_prefix_len(),
                        &min_prefix,
                        &n.network(),
                        &min_prefix.max(n.prefix_len()),
                    ],
                )
            }
        };
        p.push(problem);
    }
}

/// One family only: a single-stack cluster, which is allowed but not what dsinstall is for.
pub(super) fn check_single_stack(families: &[AddressFamily], p: &mut Vec<Problem>) {
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
}

/// Every node's own addresses lie outside the pod and service ranges.
pub(super) fn check_nodes_outside_ranges(
    node_v4: Option<Ipv4Addr>,
    node_v6: Option<Ipv6Addr>,
    joins: &[JoinPlan],
    pods: &[IpNet],
    svcs: &[IpNet],
    p: &mut Vec<Problem>,
) {
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

/// No node address inside a Calico pool: Calico would hand it to a pod (answers.md: no
/// overlap between the nodes' networks and the pools). A pool inside its pod subnet is
/// covered by `check_nodes_outside_ranges` already, so only pools beyond it are checked.
pub(super) fn check_nodes_outside_pools(
    node_v4: Option<Ipv4Addr>,
    node_v6: Option<Ipv6Addr>,
    joins: &[JoinPlan],
    pods: &[IpNet],
    pools: &[Option<IpNet>; 2],
    p: &mut Vec<Problem>,
) {
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
    for (fi, pool) in pools.iter().enumerate() {
        let Some(pool) = pool else { continue };
        let fam = if fi == 0 {
            AddressFamily::Ipv4
        } else {
            AddressFamily::Ipv6
        };
        for (path, ip) in &addrs {
            if pool.contains(ip) && !pods.iter().any(|n| n.contains(ip)) {
                p.push(
                    Problem::error(
                        pool_path(fam),
                        format!("the Calico pool {pool} covers {ip} ({path}); Calico would give a node's own address to a pod"),
                    )
                    .hint("choose a pool that does not cover the nodes' own network")
                    .code("pool.covers_node", &[pool, ip, path]),
                );
            }
        }
    }
}
