//! Calico: pools, block sizes, encapsulation, MTU, autodetection and the tested Kubernetes range.

use super::*;

/// The Calico pools per family index (Ipv4 = 0, Ipv6 = 1) and block sizes.
pub(super) fn calico_pools(
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
                    format!("{s} has host bits set; the network is {net}", s = quote(s)),
                )
                .hint(format!("use {net}"))
                .code("cidr.host_bits", &[&quote(s), &net]),
            ),
            Err(CidrError::LeadingZeros) => p.push(
                Problem::error(path, format!("{s} has an IPv4 octet with a leading zero, which tools read as decimal or as octal", s = quote(s)))
                    .hint("write the octets without leading zeros, e.g. 10.10.0.0/16")
                    .code("cidr.leading_zeros", &[&quote(s)]),
            ),
            Err(_) => p.push(
                Problem::error(path, format!("couldn't parse pool {s}", s = quote(s)))
                    .code("pool.unparsable", &[&quote(s)]),
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

pub(super) fn pool_path(f: AddressFamily) -> String {
    match f {
        AddressFamily::Ipv4 => "calico.ipv4Pool".into(),
        AddressFamily::Ipv6 => "calico.ipv6Pool".into(),
    }
}

pub(super) fn encapsulations(
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

pub(super) fn check_mtu(a: &Answers, p: &mut Vec<Problem>) {
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

pub(super) fn autodetection(a: &Answers, f: AddressFamily) -> String {
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
pub(super) fn anchored(iface: &str) -> String {
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

pub(super) fn check_autodetection(a: &Answers, row: Option<&CalicoMinor>, p: &mut Vec<Problem>) {
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
            p.push(Problem::error(path, format!("{m} is not a Calico autodetection method; calico-node would exit with \"Invalid IP autodetection method\"", m = quote(m))).hint("use interface=^ens224$, cidr=2018::/64, can-reach=ADDR, skip-interface=REGEX, first-found or kubernetes-internal-ip").code("autodetect.unknown", &[&quote(m)]));
            continue;
        }
        if has_unsafe_chars(m) {
            p.push(
                Problem::error(
                    path,
                    format!(
                        "{m} holds spaces, quotes or control characters",
                        m = quote(m)
                    ),
                )
                .hint("write it as interface=^ens224$, without quotes")
                .code("autodetect.invalid_chars", &[&quote(m)]),
            );
            continue;
        }
        if matches!(kind, "interface" | "skip-interface") {
            // Comma-separated patterns for skip-interface; one for interface.
            for re in arg.split(',').filter(|r| !r.is_empty()) {
                if let Some(e) = regex_error(re) {
                    p.push(
                        Problem::error(path, format!("{re} is not a valid regular expression ({e}); calico-node would exit with \"Invalid IP autodetection method\"", re = quote(re)))
                            .hint("e.g. interface=^ens224$")
                            .code("autodetect.bad_regex", &[&quote(re), &e]),
                    );
                }
            }
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
                            format!("cidr= entry {} ({}) is not a CIDR", i + 1, quote(c.trim())),
                        )
                        .code("autodetect.bad_cidr", &[&(i + 1), &quote(c.trim())]),
                    );
                }
            }
        }
        if kind == "interface" && !arg.is_empty() && !arg.starts_with('^') {
            // Unquoted, as the user writes it, but cut and escaped like a quoted value.
            let (arg, fixed) = (cut(arg, QUOTE_CHARS), cut(&anchored(arg), QUOTE_CHARS));
            p.push(Problem::warning(path, format!("interface={arg} is an unanchored regex: it also matches names that merely contain it (e.g. veth{arg})")).hint(format!("use interface={fixed}")).code("autodetect.unanchored", &[&arg, &fixed]));
        }
    }
}

/// Calico's requirements page lists the Kubernetes minors each release is tested against
/// (see `version::CALICO_TABLE`). Outside them it often still works, so this only warns.
pub(super) fn check_tested_pair(
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

/// `v3.16–v3.20`, or `v3.25, v3.27` when the minors are not consecutive.
pub(super) fn calico_minors(minors: &[u32]) -> String {
    let consecutive = minors.windows(2).all(|w| w[1] == w[0] + 1);
    match minors {
        [one] => format!("v3.{one}"),
        // A dash, not "to": the list is an argument of translated messages too.
        [first, .., last] if consecutive => format!("v3.{first}–v3.{last}"),
        _ => minors
            .iter()
            .map(|m| format!("v3.{m}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// `calico.version` and its row of the Calico table.
pub(super) fn calico_version(
    a: &Answers,
    p: &mut Vec<Problem>,
) -> Option<(CalicoVersion, &'static CalicoMinor)> {
    match version::CalicoVersion::parse(&a.calico.version) {
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
            p.push(
                Problem::error("calico.version", e)
                    .code("calico.version_syntax", &[&quote(&a.calico.version)]),
            );
            None
        }
    }
}

/// Manifest mode patches the upstream calico.yaml, which dsinstall never downloads.
pub(super) fn check_manifest_set(a: &Answers, p: &mut Vec<Problem>) {
    if a.calico.install == CalicoInstall::Manifest
        && a.calico
            .manifest
            .as_deref()
            .is_none_or(|m| m.trim().is_empty())
    {
        let version = cut(&a.calico.version, QUOTE_CHARS);
        p.push(
            Problem::warning(
                "calico.manifest",
                "manifest install needs the upstream calico.yaml on this node, and none is set; render will stop there",
            )
            .hint(format!(
                "download calico.yaml of Calico {version} and set calico.manifest to its path, or use install: operator",
            ))
            .code("calico.manifest_missing", &[&version]),
        );
    }
}

/// From Calico v3.30 the operator's CRDs ship only in `operator-crds.yaml`
/// (calico@v3.30.0:manifests/tigera-operator.yaml holds no CustomResourceDefinition), which
/// apply creates before tigera-operator.yaml. With neither `calico.operatorCrds` nor
/// `calico.manifest` (beside which it is looked for) set, apply has none to create.
pub(super) fn check_operator_crds_set(
    a: &Answers,
    row: Option<&CalicoMinor>,
    p: &mut Vec<Problem>,
) {
    let unset = |v: &Option<String>| v.as_deref().is_none_or(|m| m.trim().is_empty());
    if a.calico.install == CalicoInstall::Operator
        && row.is_some_and(|r| r.operator_crds_separate)
        && unset(&a.calico.operator_crds)
        && unset(&a.calico.manifest)
    {
        p.push(
            Problem::warning(
                "calico.operatorCrds",
                "from Calico v3.30 the operator's CRDs are only in operator-crds.yaml, not in tigera-operator.yaml, and none is set; apply will stop at the calico step",
            )
            .hint(format!(
                "download operator-crds.yaml and tigera-operator.yaml of Calico {} and set calico.operatorCrds and calico.manifest to their paths",
                a.calico.version
            ))
            .code("calico.operator_crds_missing", &[&a.calico.version]),
        );
    }
}
