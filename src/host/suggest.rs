//! What to pick on this host, and why: pure functions of the facts.
//!
//! A dual-stack install most often goes wrong by picking the wrong NIC or address: a
//! link-local, tentative, deprecated or temporary IPv6, or a keepalived VIP as the node IPv4.
//! The rules below rank the candidates and say in words why the winner won.

use super::facts::{Address, HostFacts, Interface, Suggested};
use crate::message::{Said, Value};
use std::net::{IpAddr, Ipv4Addr};

/// A global IPv6 address that can be a node IP: not still in duplicate address detection,
/// not a duplicate, not on its way out, not a privacy address that changes daily.
pub fn usable_ipv6(a: &Address) -> bool {
    a.family == "ipv6"
        && a.scope == "global"
        && !["tentative", "dadfailed", "deprecated", "temporary"]
            .iter()
            .any(|f| a.has_flag(f))
        && a.address
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_ipv6() && crate::plan::cidr::is_global_unicast(&ip))
}

/// A global IPv4 address that is not a /32 (keepalived and kube-vip add their VIPs as /32).
pub fn usable_ipv4(a: &Address) -> bool {
    a.family == "ipv4"
        && a.scope == "global"
        && a.prefix < 32
        && !a.has_flag("tentative")
        && !a.has_flag("dadfailed")
        && a.address
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_ipv4() && crate::plan::cidr::is_global_unicast(&ip))
}

fn global_ipv6(a: &Address) -> bool {
    a.family == "ipv6" && a.scope == "global"
}

fn is_loopback(i: &Interface) -> bool {
    i.kind == "loopback"
}

fn default_route_dev<'a>(f: &'a HostFacts, family: &str) -> Option<&'a str> {
    f.default_routes
        .iter()
        .find(|r| r.family == family)
        .and_then(|r| r.interface.as_deref())
}

fn default_gateway(f: &HostFacts, family: &str) -> Option<IpAddr> {
    f.default_routes
        .iter()
        .filter(|r| r.family == family)
        .find_map(|r| r.gateway.as_deref()?.parse().ok())
}

fn hosts_maps(f: &HostFacts, a: &Address) -> bool {
    let Ok(ip) = a.address.parse::<IpAddr>() else {
        return false;
    };
    f.hostname_addresses
        .iter()
        .any(|h| h.parse::<IpAddr>().is_ok_and(|h| h == ip))
}

fn v4_contains(a: &Address, ip: IpAddr) -> bool {
    match (a.address.parse::<Ipv4Addr>(), ip) {
        (Ok(net), IpAddr::V4(ip)) if a.prefix <= 32 => {
            let mask = if a.prefix == 0 {
                0
            } else {
                u32::MAX << (32 - a.prefix)
            };
            (u32::from(net) & mask) == (u32::from(ip) & mask)
        }
        _ => false,
    }
}

/// Why each suggestion was made, as sentences with codes ([`crate::message`]): the wizard
/// shows them in its language (`reasonParts`), `detect` prints their English.
pub const TEXTS: &[(&str, &str)] = &[
    (
        "suggest.v6_nic.route",
        "{0} has the IPv6 default route and usable global IPv6 addresses",
    ),
    (
        "suggest.v6_nic.other_route",
        "{0} has usable global IPv6 addresses; the IPv6 default route's device has none",
    ),
    (
        "suggest.v6_nic.no_route",
        "{0} has usable global IPv6 addresses (there is no IPv6 default route)",
    ),
    ("suggest.also.one", "{0} also qualifies"),
    ("suggest.also.many", "{0} also qualify"),
    ("suggest.hosts", "/etc/hosts maps {0} to {1}"),
    (
        "suggest.v6.permanent",
        "{0} is a stable configured address (permanent, not tentative, deprecated or temporary)",
    ),
    (
        "suggest.v6.permanent_noprefixroute",
        "{0} is a stable configured address (permanent, noprefixroute, not tentative, deprecated or temporary)",
    ),
    (
        "suggest.v6.first",
        "{0} is the first global address of {1} that is not tentative, deprecated or temporary",
    ),
    ("suggest.not_usable", "not usable: {0}"),
    (
        "suggest.v4.only_32",
        "{0} has the IPv4 default route and only /32 addresses (as on GCP); {1} is its first",
    ),
    (
        "suggest.v4.route_gateway",
        "{0} has the IPv4 default route and {1}/{2} holds its gateway {3}",
    ),
    ("suggest.v4.route", "{0} has the IPv4 default route"),
    (
        "suggest.v4.first",
        "{0} is the first global IPv4 address that is not a /32",
    ),
    ("suggest.vips", "{0} looks like a VIP"),
];

fn said(code: &str, args: &[&dyn Value]) -> Said {
    Said::coded(TEXTS, code, args)
}

fn also(others: &[&str]) -> Said {
    match others {
        [one] => said("suggest.also.one", &[one]),
        many => said("suggest.also.many", &[&many.join(", ")]),
    }
}

/// Record a reason: its English in `reasons`, its parts by code in `reason_parts`.
fn reason(s: &mut Suggested, why: Vec<Said>) {
    let why = Said::joined(why);
    s.reasons.push(why.text);
    s.reason_parts.push(why.parts);
}

/// The suggestions for these facts, each with its reason.
pub fn suggest(f: &HostFacts) -> Suggested {
    let mut s = Suggested::default();
    let v6_dev = default_route_dev(f, "ipv6");

    // IPv6 interface: has a usable global IPv6; the IPv6 default route's device first, then
    // interfaces that are up, then the kernel's order.
    let mut v6_nics: Vec<(usize, &Interface)> = f
        .interfaces
        .iter()
        .filter(|i| !is_loopback(i) && i.addresses.iter().any(usable_ipv6))
        .enumerate()
        .collect();
    v6_nics.sort_by_key(|(n, i)| (Some(i.name.as_str()) != v6_dev, !i.up, *n));
    if let Some((_, nic)) = v6_nics.first() {
        s.ipv6_interface = Some(nic.name.clone());
        let others: Vec<&str> = v6_nics[1..].iter().map(|(_, i)| i.name.as_str()).collect();
        let code = if Some(nic.name.as_str()) == v6_dev {
            "suggest.v6_nic.route"
        } else if v6_dev.is_some() {
            "suggest.v6_nic.other_route"
        } else {
            "suggest.v6_nic.no_route"
        };
        let mut why = vec![said(code, &[&nic.name])];
        if !others.is_empty() {
            why.push(also(&others));
        }
        reason(&mut s, why);

        // Node IPv6 on that interface: what /etc/hosts maps the hostname to, then permanent
        // (configured, not SLAAC) and noprefixroute (NetworkManager's static addresses;
        // keepalived adds VIPs without it), then the kernel's order (first configured).
        let mut cands: Vec<(usize, &Address)> = nic
            .addresses
            .iter()
            .filter(|a| usable_ipv6(a))
            .enumerate()
            .collect();
        cands.sort_by_key(|(n, a)| {
            (
                !hosts_maps(f, a),
                !a.has_flag("permanent"),
                !a.has_flag("noprefixroute"),
                *n,
            )
        });
        if let Some((_, a)) = cands.first() {
            s.ipv6 = Some(a.address.clone());
            let mut why = vec![if hosts_maps(f, a) {
                said("suggest.hosts", &[&f.hostname, &a.address])
            } else if a.has_flag("permanent") && a.has_flag("noprefixroute") {
                said("suggest.v6.permanent_noprefixroute", &[&a.address])
            } else if a.has_flag("permanent") {
                said("suggest.v6.permanent", &[&a.address])
            } else {
                said("suggest.v6.first", &[&a.address, &nic.name])
            }];
            let others: Vec<&str> = cands[1..].iter().map(|(_, a)| a.address.as_str()).collect();
            if !others.is_empty() {
                why.push(also(&others));
            }
            let skipped: Vec<String> = nic
                .addresses
                .iter()
                .filter(|a| global_ipv6(a) && !usable_ipv6(a))
                .map(|a| format!("{} ({})", a.address, a.flags.join(",")))
                .collect();
            if !skipped.is_empty() {
                why.push(said("suggest.not_usable", &[&skipped.join(", ")]));
            }
            reason(&mut s, why);
        }
    }

    // Node IPv4: not a /32 VIP, not a secondary when a primary exists; what /etc/hosts maps
    // the hostname to, then the IPv4 default route's device, then the subnet holding the
    // gateway, then the kernel's order.
    let v4_dev = default_route_dev(f, "ipv4");
    let gw4 = default_gateway(f, "ipv4");
    let mut v4: Vec<(usize, &Interface, &Address)> = f
        .interfaces
        .iter()
        .filter(|i| !is_loopback(i))
        .flat_map(|i| i.addresses.iter().map(move |a| (i, a)))
        .filter(|(_, a)| usable_ipv4(a))
        .enumerate()
        .map(|(n, (i, a))| (n, i, a))
        .collect();
    let has_primary = v4.iter().any(|(_, _, a)| !a.has_flag("secondary"));
    if has_primary {
        v4.retain(|(_, _, a)| !a.has_flag("secondary"));
    }
    v4.sort_by_key(|(n, i, a)| {
        (
            !hosts_maps(f, a),
            Some(i.name.as_str()) != v4_dev,
            !gw4.is_some_and(|g| v4_contains(a, g)),
            !i.up,
            *n,
        )
    });
    // Some clouds (GCP) give the primary NIC a /32 and route the rest on-link: when the IPv4
    // default route's device has nothing but /32s, its first one is the node IPv4.
    let only_32 = if v4.is_empty() {
        f.interfaces
            .iter()
            .filter(|i| !is_loopback(i) && Some(i.name.as_str()) == v4_dev)
            .flat_map(|i| i.addresses.iter().map(move |a| (i, a)))
            .find(|(_, a)| {
                a.prefix == 32
                    && usable_ipv4(&Address {
                        prefix: 31,
                        ..(*a).clone()
                    })
            })
    } else {
        None
    };
    if let Some((nic, a)) = only_32 {
        s.ipv4_interface = Some(nic.name.clone());
        s.ipv4 = Some(a.address.clone());
        reason(
            &mut s,
            vec![said("suggest.v4.only_32", &[&nic.name, &a.address])],
        );
    }
    if let Some((_, nic, a)) = v4.first() {
        s.ipv4_interface = Some(nic.name.clone());
        s.ipv4 = Some(a.address.clone());
        let mut why = vec![if hosts_maps(f, a) {
            said("suggest.hosts", &[&f.hostname, &a.address])
        } else if Some(nic.name.as_str()) == v4_dev {
            match gw4 {
                Some(g) if v4_contains(a, g) => said(
                    "suggest.v4.route_gateway",
                    &[&nic.name, &a.address, &a.prefix, &g],
                ),
                _ => said("suggest.v4.route", &[&nic.name]),
            }
        } else {
            said("suggest.v4.first", &[&a.address])
        }];
        let vips: Vec<String> = f
            .interfaces
            .iter()
            .flat_map(|i| &i.addresses)
            .filter(|x| x.family == "ipv4" && x.scope == "global" && x.prefix == 32)
            .map(|x| format!("{}/32", x.address))
            .collect();
        if !vips.is_empty() {
            why.push(said("suggest.vips", &[&vips.join(", ")]));
        }
        reason(&mut s, why);
    }

    // VIP candidates: IPv4 /32s and secondaries, those inside the node's subnet first; then
    // IPv6 /128s other than the node IPv6.
    let node4 = v4.first().map(|(_, _, a)| *a);
    let mut vips: Vec<(bool, usize, String)> = Vec::new();
    for (n, a) in f
        .interfaces
        .iter()
        .filter(|i| !is_loopback(i))
        .flat_map(|i| &i.addresses)
        .enumerate()
    {
        let Ok(ip) = a.address.parse::<IpAddr>() else {
            continue;
        };
        if a.scope != "global" || !crate::plan::cidr::is_global_unicast(&ip) {
            continue;
        }
        let candidate = match ip {
            IpAddr::V4(_) => a.prefix == 32 || a.has_flag("secondary"),
            IpAddr::V6(_) => a.prefix == 128 && s.ipv6.as_deref() != Some(&a.address),
        };
        if candidate && Some(&a.address) != s.ipv4.as_ref() {
            let near = node4.is_some_and(|nd| v4_contains(nd, ip));
            if !vips.iter().any(|(_, _, x)| *x == a.address) {
                vips.push((!near, n, a.address.clone()));
            }
        }
    }
    vips.sort();
    s.vip_candidates = vips.into_iter().map(|(_, _, a)| a).collect();
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::facts::DefaultRoute;

    pub(crate) fn addr(a: &str, prefix: u8, scope: &str, flags: &[&str]) -> Address {
        Address {
            address: a.into(),
            prefix,
            family: if a.contains(':') { "ipv6" } else { "ipv4" }.into(),
            scope: scope.into(),
            flags: flags.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn nic(name: &str, addrs: Vec<Address>) -> Interface {
        Interface {
            name: name.into(),
            up: true,
            mtu: 1500,
            kind: "ether".into(),
            addresses: addrs,
            ..Default::default()
        }
    }

    fn route(family: &str, dev: &str, gw: &str) -> DefaultRoute {
        DefaultRoute {
            family: family.into(),
            interface: Some(dev.into()),
            gateway: Some(gw.into()),
            ..Default::default()
        }
    }

    /// The seed's node01 (`ip addr` in the seed post).
    pub(crate) fn node01() -> HostFacts {
        HostFacts {
            hostname: "node01".into(),
            hostname_addresses: vec!["111.111.111.121".into()],
            interfaces: vec![
                Interface {
                    kind: "loopback".into(),
                    ..nic(
                        "lo",
                        vec![
                            addr("127.0.0.1", 8, "host", &["permanent"]),
                            addr("::1", 128, "host", &["permanent"]),
                        ],
                    )
                },
                nic(
                    "ens192",
                    vec![
                        addr(
                            "111.111.111.121",
                            24,
                            "global",
                            &["permanent", "noprefixroute"],
                        ),
                        addr(
                            "192.168.206.4",
                            24,
                            "global",
                            &["permanent", "noprefixroute"],
                        ),
                        addr(
                            "111.111.111.120",
                            32,
                            "global",
                            &["permanent", "noprefixroute"],
                        ),
                        addr("fe80::250:56ff:fe8c:176f", 64, "link", &["permanent"]),
                    ],
                ),
                nic(
                    "ens224",
                    vec![
                        addr("2018::21", 64, "global", &["permanent", "noprefixroute"]),
                        addr("2018::20", 64, "global", &["permanent", "noprefixroute"]),
                        addr(
                            "fe80::6cd7:3d10:c933:a797",
                            64,
                            "link",
                            &["permanent", "noprefixroute"],
                        ),
                    ],
                ),
            ],
            default_routes: vec![
                route("ipv4", "ens192", "111.111.111.1"),
                route("ipv6", "ens224", "2018::1"),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn seed_node01_gets_ens224_2018_21_and_the_non_vip_ipv4() {
        let s = suggest(&node01());
        assert_eq!(s.ipv6_interface.as_deref(), Some("ens224"));
        assert_eq!(s.ipv6.as_deref(), Some("2018::21"));
        assert_eq!(s.ipv4_interface.as_deref(), Some("ens192"));
        assert_eq!(s.ipv4.as_deref(), Some("111.111.111.121"));
        assert_eq!(s.vip_candidates, ["111.111.111.120"]);
        assert_eq!(s.reasons.len(), 3);
        assert!(
            s.reasons[0].contains("IPv6 default route"),
            "{:?}",
            s.reasons
        );
        assert!(
            s.reasons[1].contains("2018::20 also qualifies"),
            "{:?}",
            s.reasons
        );
        assert!(
            s.reasons[2].contains("/etc/hosts maps node01"),
            "{:?}",
            s.reasons
        );
        assert!(s.reasons[2].contains("111.111.111.120/32 looks like a VIP"));
    }

    #[test]
    fn without_hosts_the_gateway_subnet_picks_the_ipv4() {
        let mut f = node01();
        f.hostname_addresses.clear();
        // 192.168.206.4 first in kernel order: the gateway's subnet still wins.
        f.interfaces[1].addresses.swap(0, 1);
        let s = suggest(&f);
        assert_eq!(s.ipv4.as_deref(), Some("111.111.111.121"));
        assert!(
            s.reasons[2].contains("holds its gateway 111.111.111.1"),
            "{:?}",
            s.reasons
        );
    }

    #[test]
    fn hosts_mapping_picks_the_ipv6_over_kernel_order() {
        let mut f = node01();
        f.hostname_addresses.push("2018::20".into());
        assert_eq!(suggest(&f).ipv6.as_deref(), Some("2018::20"));
    }

    #[test]
    fn noprefixroute_static_beats_a_plain_added_address() {
        let mut f = node01();
        f.interfaces[2].addresses = vec![
            addr("2018::20", 64, "global", &["permanent"]),
            addr("2018::21", 64, "global", &["permanent", "noprefixroute"]),
        ];
        assert_eq!(suggest(&f).ipv6.as_deref(), Some("2018::21"));
    }

    #[test]
    fn unusable_ipv6_flags_are_never_picked() {
        for bad in ["tentative", "dadfailed", "deprecated", "temporary"] {
            let mut f = node01();
            f.interfaces[2].addresses = vec![
                addr("2018::21", 64, "global", &["permanent", bad]),
                addr("2018::30", 64, "global", &[]),
            ];
            let s = suggest(&f);
            assert_eq!(s.ipv6.as_deref(), Some("2018::30"), "{bad}");
            assert!(
                s.reasons[1].contains(&format!("2018::21 (permanent,{bad})")),
                "{:?}",
                s.reasons
            );
        }
    }

    #[test]
    fn only_link_local_ipv6_gives_no_ipv6_suggestion() {
        let mut f = node01();
        f.interfaces[2].addresses.truncate(0);
        f.interfaces[2]
            .addresses
            .push(addr("fe80::1", 64, "link", &["permanent"]));
        let s = suggest(&f);
        assert_eq!(s.ipv6_interface, None);
        assert_eq!(s.ipv6, None);
        assert_eq!(s.ipv4.as_deref(), Some("111.111.111.121"));
    }

    #[test]
    fn the_default_route_nic_wins_among_two_ipv6_nics() {
        let mut f = node01();
        f.interfaces.insert(
            2,
            nic(
                "ens256",
                vec![addr("2020::5", 64, "global", &["permanent"])],
            ),
        );
        assert_eq!(suggest(&f).ipv6_interface.as_deref(), Some("ens224"));
        f.default_routes[1].interface = Some("ens256".into());
        let s = suggest(&f);
        assert_eq!(s.ipv6_interface.as_deref(), Some("ens256"));
        assert_eq!(s.ipv6.as_deref(), Some("2020::5"));
        assert!(s.reasons[0].contains("ens224 also qualifies"));
    }

    #[test]
    fn no_default_route_still_suggests_in_kernel_order() {
        let mut f = node01();
        f.default_routes.clear();
        f.hostname_addresses.clear();
        let s = suggest(&f);
        assert_eq!(s.ipv6_interface.as_deref(), Some("ens224"));
        assert_eq!(s.ipv4.as_deref(), Some("111.111.111.121"));
        assert!(s.reasons[0].contains("no IPv6 default route"));
    }

    #[test]
    fn a_down_nic_loses_to_an_up_one() {
        let mut f = node01();
        f.default_routes.clear();
        f.interfaces.insert(
            1,
            Interface {
                up: false,
                ..nic("eth9", vec![addr("2030::1", 64, "global", &["permanent"])])
            },
        );
        assert_eq!(suggest(&f).ipv6_interface.as_deref(), Some("ens224"));
    }

    #[test]
    fn secondaries_are_vips_not_node_ips() {
        let mut f = node01();
        f.hostname_addresses.clear();
        f.interfaces[1].addresses = vec![
            addr("10.0.0.5", 24, "global", &["permanent"]),
            addr("10.0.0.9", 24, "global", &["permanent", "secondary"]),
        ];
        f.default_routes[0] = route("ipv4", "ens192", "10.0.0.1");
        let s = suggest(&f);
        assert_eq!(s.ipv4.as_deref(), Some("10.0.0.5"));
        assert_eq!(s.vip_candidates, ["10.0.0.9"]);
    }

    #[test]
    fn vips_inside_the_node_subnet_come_first() {
        let mut f = node01();
        f.interfaces[1]
            .addresses
            .insert(0, addr("192.0.2.7", 32, "global", &["permanent"]));
        let s = suggest(&f);
        assert_eq!(s.vip_candidates, ["111.111.111.120", "192.0.2.7"]);
    }

    #[test]
    fn only_a_32_is_a_vip_unless_the_default_route_uses_it() {
        let mut f = node01();
        f.interfaces[1].addresses = vec![addr("111.111.111.120", 32, "global", &[])];
        f.default_routes.remove(0);
        let s = suggest(&f);
        assert_eq!(s.ipv4, None);
        assert_eq!(s.vip_candidates, ["111.111.111.120"]);

        // GCP: the primary NIC holds a /32 and the default route goes out of it.
        f.default_routes
            .push(route("ipv4", "ens192", "111.111.111.1"));
        let s = suggest(&f);
        assert_eq!(s.ipv4.as_deref(), Some("111.111.111.120"));
        assert_eq!(s.ipv4_interface.as_deref(), Some("ens192"));
        assert!(s.vip_candidates.is_empty());
        assert!(
            s.reasons[2].contains("only /32 addresses"),
            "{:?}",
            s.reasons
        );
    }

    #[test]
    fn loopback_and_non_global_scopes_are_ignored() {
        let mut f = node01();
        f.interfaces = vec![f.interfaces[0].clone()];
        f.interfaces[0]
            .addresses
            .push(addr("2018::99", 64, "global", &[]));
        let s = suggest(&f);
        assert_eq!(s, Suggested::default());
    }

    #[test]
    fn empty_facts_suggest_nothing() {
        assert_eq!(suggest(&HostFacts::default()), Suggested::default());
    }
}
