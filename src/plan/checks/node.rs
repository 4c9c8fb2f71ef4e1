//! This node's and the joining nodes' names and addresses, and the control-plane endpoint.

use super::*;

pub(super) fn parse_node_ip(
    v: Option<&str>,
    path: &str,
    family: AddressFamily,
    p: &mut Vec<Problem>,
) -> Option<IpAddr> {
    let s = v?;
    if cidr::has_leading_zero_octet(s.trim()) {
        p.push(
            Problem::error(path, format!("{s} has an IPv4 octet with a leading zero, which tools read as decimal or as octal", s = quote(s)))
                .hint("write the octets without leading zeros, e.g. 111.111.111.121")
                .code("ip.leading_zeros", &[&quote(s)]),
        );
        return None;
    }
    let Some(ip) = cidr::parse_ip(s) else {
        p.push(
            Problem::error(path, format!("{s} is not an IP address", s = quote(s)))
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
                    &[&quote(s)],
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
    if let IpAddr::V6(v6) = ip
        && let Some(v4) = v6.to_ipv4_mapped()
    {
        // The kubelet reads ::ffff:a.b.c.d as IPv4, so the node-ip pair would be two IPv4s
        // ("dual-stack --node-ip ... must have one IP of each family").
        p.push(
            Problem::error(path, format!("{ip} is an IPv4-mapped address, which Kubernetes reads as the IPv4 address {v4}"))
                .hint("give the node's own IPv6 address, from `dsinstall detect`")
                .code("ip.ipv4_mapped", &[&ip, &v4]),
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

pub(super) fn as_v4(ip: Option<IpAddr>) -> Option<Ipv4Addr> {
    match ip {
        Some(IpAddr::V4(v)) => Some(v),
        _ => None,
    }
}

pub(super) fn as_v6(ip: Option<IpAddr>) -> Option<Ipv6Addr> {
    match ip {
        Some(IpAddr::V6(v)) => Some(v),
        _ => None,
    }
}

pub(super) fn ordered_ips(
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
pub(super) fn check_node_name(name: &str, path: &str, p: &mut Vec<Problem>) {
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
        p.push(Problem::error(path, format!("{name} is not a valid node name (RFC 1123: lowercase letters, digits, '-' and '.')", name = quote(name))).hint(format!("e.g. {suggestion}", suggestion = quote(suggestion))).code("node.name_invalid", &[&quote(name), &quote(suggestion)]));
    }
}

/// `host:port` with IPv6 in brackets; kubeadm's ValidateHostPort / net.SplitHostPort. Host
/// names are RFC 1123 subdomains (lowercase), as kubeadm requires.
/// The error is (code, args, English message) for `Problem::code`.
pub(super) type EndpointError = (&'static str, Vec<String>, String);

pub(super) fn canonical_endpoint(e: &str) -> Result<String, EndpointError> {
    let bad = || {
        (
            "endpoint.invalid",
            vec![quote(e)],
            format!(
                "{e} is not a valid endpoint (host:port, IPv6 as [addr]:port)",
                e = quote(e)
            ),
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
                    vec![quote(e), quote(p)],
                    format!("{e} has an invalid port {p}", e = quote(e), p = quote(p)),
                ));
            }
        },
        None => 6443,
    };
    Ok(format!("{host}:{port}"))
}

pub(super) fn is_dns_name(h: &str) -> bool {
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

pub(super) fn join_nodes(
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
        // render writes join-<name>.yaml; a file name has at most 255 bytes (NAME_MAX).
        let file_len = "join-".len() + n.name.len() + ".yaml".len();
        if n.name.len() <= 253 && file_len > 255 {
            p.push(
                Problem::error(
                    format!("{base}.name"),
                    format!("node name of {} characters makes its join file name ({} bytes) longer than a file name may be (255)", n.name.len(), file_len),
                )
                .hint("use a node name of at most 245 characters")
                .code("nodes.name_too_long", &[&n.name.len(), &file_len]),
            );
        }
        if !seen.insert(n.name.clone()) {
            p.push(
                Problem::error(
                    format!("{base}.name"),
                    format!("node name {} is used twice", quote(&n.name)),
                )
                .code("nodes.name_duplicate", &[&quote(&n.name)]),
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
                            quote(&n.name),
                            fam.kube_name(),
                            fam.kube_name()
                        ),
                    )
                    .code(
                        "nodes.address_missing",
                        &[&quote(&n.name), &fam.kube_name()],
                    ),
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

/// The node has an address of each family the cluster has.
pub(super) fn check_node_has_each_family(
    a: &Answers,
    families: &[AddressFamily],
    p: &mut Vec<Problem>,
) {
    for f in families {
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
}

/// Calico's IPv6 autodetection defaults to the chosen IPv6 interface.
pub(super) fn check_ipv6_interface(a: &Answers, families: &[AddressFamily], p: &mut Vec<Problem>) {
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
}

/// The API server's advertise address: one address, of the family of the first service
/// subnet. Without `apiAdvertise` it follows the primary family, so a default never
/// contradicts the subnets. A mismatch stops kube-apiserver from 1.24 and breaks
/// `kubernetes.default` before (`KubeMinor::apiserver_checks_advertise_family`).
pub(super) fn advertise_address(
    a: &Answers,
    families: &[AddressFamily],
    row: Option<&KubeMinor>,
    node_v4: Option<Ipv4Addr>,
    node_v6: Option<Ipv6Addr>,
    p: &mut Vec<Problem>,
) -> Option<IpAddr> {
    let advertise_family = a
        .node
        .api_advertise
        .or(families.first().copied())
        .unwrap_or(AddressFamily::Ipv4);
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
        let (adv, prim, key) = (
            advertise_family.kube_name(),
            first.kube_name(),
            first.as_str(),
        );
        let refuses = row.is_none_or(|r| r.apiserver_checks_advertise_family);
        let problem = if refuses {
            Problem::error(
                "node.apiAdvertise",
                format!("the API server advertises {adv} but the primary service family is {prim}; kube-apiserver refuses to start (\"service IP family must match public address family\")"),
            )
            .code("node.advertise_family", &[&adv, &prim, &key])
        } else {
            let minor = row.map(|r| r.minor).unwrap_or(0);
            Problem::error(
                "node.apiAdvertise",
                format!("the API server advertises {adv} but the primary service family is {prim}; kube-apiserver v1.{minor} starts, but the kubernetes Service gets an {adv} endpoint for an {prim} ClusterIP, which pods cannot reach"),
            )
            .code("node.advertise_family_endpoint", &[&adv, &prim, &key, &minor])
        };
        p.push(problem.hint(format!(
            "set node.apiAdvertise to {key} or put the {adv} subnets first"
        )));
    }
    advertise
}

/// `kubernetes.controlPlaneEndpoint`, canonical (`host:port`, IPv6 in brackets).
pub(super) fn control_plane_endpoint(a: &Answers, p: &mut Vec<Problem>) -> Option<String> {
    let e = a
        .kubernetes
        .control_plane_endpoint
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())?;
    match canonical_endpoint(e) {
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
    }
}

/// A control-plane join needs `controlPlaneEndpoint`: kubeadm's join preflight refuses
/// "unable to add a new control plane instance to a cluster that doesn't have a stable
/// controlPlaneEndpoint address" (checkIfReadyForAdditionalControlPlane,
/// cmd/kubeadm/app/cmd/phases/join/preflight.go), and `kubeadm init` cannot add one later
/// without new certificates.
pub(super) fn check_endpoint_for_control_plane_joins(
    a: &Answers,
    endpoint: Option<&str>,
    p: &mut Vec<Problem>,
) {
    let given = a
        .kubernetes
        .control_plane_endpoint
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    if given || endpoint.is_some() {
        return;
    }
    if let Some((i, n)) = a
        .nodes
        .iter()
        .enumerate()
        .find(|(_, n)| n.role == NodeRole::ControlPlane)
    {
        let name = quote(&n.name);
        p.push(
            Problem::error(
                "kubernetes.controlPlaneEndpoint",
                format!("nodes[{i}] ({}) joins as a control-plane node, but no controlPlaneEndpoint is set; kubeadm join --control-plane refuses a cluster without a stable controlPlaneEndpoint address", name),
            )
            .hint("set controlPlaneEndpoint to an address that reaches every control-plane node (a virtual IP or DNS name with port 6443), or make the node a worker")
            .code("endpoint.required_for_control_plane", &[&i, &name]),
        );
    }
}
