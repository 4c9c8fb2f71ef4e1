//! Default routes per family from an RTM_GETROUTE dump: main table, destination length 0,
//! unicast. A multipath default (RTA_MULTIPATH) gives one entry per next hop.

use super::facts::DefaultRoute;
use super::netlink;
use netlink_packet_route::RouteNetlinkMessage;
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteType, RouteVia,
};
use std::collections::BTreeMap;

const RT_TABLE_MAIN: u32 = RouteHeader::RT_TABLE_MAIN as u32;

/// iproute2's names for RTPROT_* (`/etc/iproute2/rt_protos`).
pub fn protocol_name(p: u8) -> String {
    match p {
        0 => "unspec".into(),
        1 => "redirect".into(),
        2 => "kernel".into(),
        3 => "boot".into(),
        4 => "static".into(),
        8 => "gated".into(),
        9 => "ra".into(),
        10 => "mrt".into(),
        11 => "zebra".into(),
        12 => "bird".into(),
        16 => "dhcp".into(),
        42 => "babel".into(),
        186 => "bgp".into(),
        187 => "isis".into(),
        188 => "ospf".into(),
        189 => "rip".into(),
        n => n.to_string(),
    }
}

pub fn read(names: &BTreeMap<u32, String>) -> std::io::Result<(Vec<DefaultRoute>, Vec<String>)> {
    let d = netlink::dump(RouteNetlinkMessage::GetRoute(RouteMessage::default()))?;
    let mut out = Vec::new();
    for m in &d.messages {
        if let RouteNetlinkMessage::NewRoute(r) = m {
            out.extend(defaults(r, names));
        }
    }
    // IPv4 first, then by metric: the route the kernel uses comes first in its family.
    out.sort_by(|a, b| {
        (a.family.as_str(), a.metric.unwrap_or(0)).cmp(&(b.family.as_str(), b.metric.unwrap_or(0)))
    });
    Ok((out, d.skipped))
}

fn gateway_of(attrs: &[RouteAttribute]) -> Option<String> {
    attrs.iter().find_map(|a| match a {
        RouteAttribute::Gateway(RouteAddress::Inet(ip)) => Some(ip.to_string()),
        RouteAttribute::Gateway(RouteAddress::Inet6(ip)) => Some(ip.to_string()),
        // RTA_VIA: an IPv4 route through an IPv6 next hop (RFC 5549).
        RouteAttribute::Via(RouteVia::Inet(ip)) => Some(ip.to_string()),
        RouteAttribute::Via(RouteVia::Inet6(ip)) => Some(ip.to_string()),
        _ => None,
    })
}

fn defaults(r: &RouteMessage, names: &BTreeMap<u32, String>) -> Vec<DefaultRoute> {
    let h = &r.header;
    if h.destination_prefix_length != 0 || h.kind != RouteType::Unicast {
        return Vec::new();
    }
    // RTA_TABLE holds tables above 255; the header byte says 252 (RT_TABLE_COMPAT) for them.
    let table = r
        .attributes
        .iter()
        .find_map(|a| match a {
            RouteAttribute::Table(t) => Some(*t),
            _ => None,
        })
        .unwrap_or(h.table as u32);
    if table != RT_TABLE_MAIN {
        return Vec::new();
    }
    let family = match u8::from(h.address_family) {
        f if f == libc::AF_INET as u8 => "ipv4",
        f if f == libc::AF_INET6 as u8 => "ipv6",
        _ => return Vec::new(),
    };
    let name = |idx: u32| names.get(&idx).cloned().or(Some(format!("if{idx}")));
    let protocol = Some(protocol_name(h.protocol.into()));
    let metric = r.attributes.iter().find_map(|a| match a {
        RouteAttribute::Priority(p) => Some(*p),
        _ => None,
    });
    let multipath = r.attributes.iter().find_map(|a| match a {
        RouteAttribute::MultiPath(hops) => Some(hops),
        _ => None,
    });
    if let Some(hops) = multipath {
        return hops
            .iter()
            .map(|hop| DefaultRoute {
                family: family.into(),
                interface: name(hop.interface_index),
                gateway: gateway_of(&hop.attributes),
                protocol: protocol.clone(),
                metric,
            })
            .collect();
    }
    let oif = r.attributes.iter().find_map(|a| match a {
        RouteAttribute::Oif(i) => Some(*i),
        _ => None,
    });
    vec![DefaultRoute {
        family: family.into(),
        interface: oif.and_then(name),
        gateway: gateway_of(&r.attributes),
        protocol,
        metric,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    use netlink_packet_route::AddressFamily as Af;
    use netlink_packet_route::route::RouteNextHop;

    fn names() -> BTreeMap<u32, String> {
        [(2, "ens192".to_string()), (3, "ens224".to_string())].into()
    }

    fn default_v6(oif: u32, gw: &str) -> RouteMessage {
        let mut r = RouteMessage::default();
        r.header.address_family = Af::Inet6;
        r.header.table = RouteHeader::RT_TABLE_MAIN;
        r.header.kind = RouteType::Unicast;
        r.header.protocol = 9u8.into();
        r.attributes.push(RouteAttribute::Oif(oif));
        r.attributes.push(RouteAttribute::Priority(1024));
        r.attributes
            .push(RouteAttribute::Gateway(RouteAddress::Inet6(
                gw.parse().unwrap(),
            )));
        r
    }

    #[test]
    fn a_main_table_default_gives_family_device_gateway_protocol_metric() {
        let got = defaults(&default_v6(3, "2018::1"), &names());
        assert_eq!(
            got,
            [DefaultRoute {
                family: "ipv6".into(),
                interface: Some("ens224".into()),
                gateway: Some("2018::1".into()),
                protocol: Some("ra".into()),
                metric: Some(1024),
            }]
        );
        // An index that is gone still names something.
        assert_eq!(
            defaults(&default_v6(9, "2018::1"), &names())[0]
                .interface
                .as_deref(),
            Some("if9")
        );
    }

    #[test]
    fn other_tables_prefixes_and_types_are_not_defaults() {
        let mut r = default_v6(3, "2018::1");
        r.header.destination_prefix_length = 64;
        assert!(defaults(&r, &names()).is_empty());
        let mut r = default_v6(3, "2018::1");
        r.header.kind = RouteType::Unreachable;
        assert!(defaults(&r, &names()).is_empty());
        // RTA_TABLE overrides the header byte (tables above 255).
        let mut r = default_v6(3, "2018::1");
        r.attributes.push(RouteAttribute::Table(1000));
        assert!(defaults(&r, &names()).is_empty());
        let mut r = default_v6(3, "2018::1");
        r.header.table = 252;
        r.attributes.push(RouteAttribute::Table(254));
        assert_eq!(defaults(&r, &names()).len(), 1);
    }

    #[test]
    fn multipath_gives_one_route_per_hop() {
        let mut r = default_v6(3, "2018::1");
        r.attributes
            .retain(|a| !matches!(a, RouteAttribute::Gateway(_) | RouteAttribute::Oif(_)));
        let mut hops = Vec::new();
        for (idx, gw) in [(2, "2018::1"), (3, "2019::1")] {
            let mut h = RouteNextHop::default();
            h.interface_index = idx;
            h.attributes
                .push(RouteAttribute::Gateway(RouteAddress::Inet6(
                    gw.parse().unwrap(),
                )));
            hops.push(h);
        }
        r.attributes.push(RouteAttribute::MultiPath(hops));
        let got: Vec<(Option<String>, Option<String>)> = defaults(&r, &names())
            .into_iter()
            .map(|d| (d.interface, d.gateway))
            .collect();
        assert_eq!(
            got,
            [
                (Some("ens192".into()), Some("2018::1".into())),
                (Some("ens224".into()), Some("2019::1".into()))
            ]
        );
    }

    #[test]
    fn protocols_use_iproute2_names() {
        assert_eq!(protocol_name(9), "ra");
        assert_eq!(protocol_name(16), "dhcp");
        assert_eq!(protocol_name(4), "static");
        assert_eq!(protocol_name(3), "boot");
        assert_eq!(protocol_name(77), "77");
    }
}
