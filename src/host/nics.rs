//! Interfaces and their addresses, from RTM_GETLINK and RTM_GETADDR dumps.
//!
//! Why netlink: `/proc/net/if_inet6` carries only the low 8 flag bits (no noprefixroute), and
//! CentOS 7's `ip` prints no JSON. Names follow iproute2 (`ip/ipaddress.c`), so what
//! `detect` prints reads like `ip addr`.

use super::facts::{Address, Interface};
use super::netlink;
use netlink_packet_route::RouteNetlinkMessage;
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkInfo, LinkMessage};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The kernel's IFA_F_* bits and iproute2's names for them (include/uapi/linux/if_addr.h).
/// Bit 0x01 is IFA_F_SECONDARY for IPv4 and IFA_F_TEMPORARY for IPv6: same bit, two names.
const FLAG_NAMES: &[(u32, &str)] = &[
    (0x02, "nodad"),
    (0x04, "optimistic"),
    (0x08, "dadfailed"),
    (0x10, "home"),
    (0x20, "deprecated"),
    (0x40, "tentative"),
    (0x80, "permanent"),
    (0x100, "mngtmpaddr"),
    (0x200, "noprefixroute"),
    (0x400, "autojoin"),
    (0x800, "stable-privacy"),
];

/// The kernel's address flags by name. Bits without a name come out as `0x...` so that
/// nothing the kernel says is lost.
pub fn flag_names(bits: u32, ipv6: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = bits;
    if bits & 0x01 != 0 {
        out.push(if ipv6 { "temporary" } else { "secondary" }.to_string());
        rest &= !0x01;
    }
    for (bit, name) in FLAG_NAMES {
        if bits & bit != 0 {
            out.push((*name).to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        out.push(format!("{rest:#x}"));
    }
    out
}

/// RT_SCOPE_* by iproute2's names (`/etc/iproute2/rt_scopes`: universe is printed "global").
pub fn scope_name(scope: u8) -> String {
    match scope {
        0 => "global".into(),
        200 => "site".into(),
        253 => "link".into(),
        254 => "host".into(),
        255 => "nowhere".into(),
        n => n.to_string(),
    }
}

/// A link-layer address as `ip` prints it; None when the link has none.
pub fn mac_string(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    Some(
        bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
    )
}

// ARPHRD_* (include/uapi/linux/if_arp.h).
const ARPHRD_ETHER: u16 = 1;
const ARPHRD_LOOPBACK: u16 = 772;
const ARPHRD_NONE: u16 = 0xfffe;
const IFF_UP: u32 = 0x1;
const IFF_LOOPBACK: u32 = 0x8;
const IFF_LOWER_UP: u32 = 0x1_0000;

/// The kind `detect` reports: IFLA_INFO_KIND when the driver gives one (veth, bridge, vlan,
/// bond, ...), else loopback by flag, else the link type.
pub fn kind_name(info_kind: Option<&str>, flags: u32, link_type: u16) -> String {
    if let Some(k) = info_kind.filter(|k| !k.is_empty()) {
        return k.to_string();
    }
    if flags & IFF_LOOPBACK != 0 || link_type == ARPHRD_LOOPBACK {
        return "loopback".into();
    }
    match link_type {
        ARPHRD_ETHER => "ether".into(),
        ARPHRD_NONE => "none".into(),
        _ => "other".into(),
    }
}

/// Interfaces in index order with their addresses in the kernel's order, plus one line per
/// message that could not be read.
pub fn read() -> std::io::Result<(Vec<Interface>, Vec<String>)> {
    let links = netlink::dump(RouteNetlinkMessage::GetLink(LinkMessage::default()))?;
    let addrs = netlink::dump(RouteNetlinkMessage::GetAddress(AddressMessage::default()))?;
    let mut skipped = links.skipped;
    skipped.extend(addrs.skipped);
    let links: Vec<LinkMessage> = links
        .messages
        .into_iter()
        .filter_map(|m| match m {
            RouteNetlinkMessage::NewLink(l) => Some(l),
            _ => None,
        })
        .collect();
    let addrs: Vec<AddressMessage> = addrs
        .messages
        .into_iter()
        .filter_map(|m| match m {
            RouteNetlinkMessage::NewAddress(a) => Some(a),
            _ => None,
        })
        .collect();
    Ok((assemble(&links, &addrs), skipped))
}

/// The interface name for each index, for routes and masters.
pub fn names_by_index(interfaces: &[Interface]) -> BTreeMap<u32, String> {
    interfaces
        .iter()
        .map(|i| (i.index, i.name.clone()))
        .collect()
}

fn assemble(links: &[LinkMessage], addrs: &[AddressMessage]) -> Vec<Interface> {
    let mut masters: Vec<(usize, u32)> = Vec::new();
    let mut out: Vec<Interface> = Vec::new();
    for l in links {
        let flags = l.header.flags.bits();
        let link_type: u16 = l.header.link_layer_type.into();
        let mut iface = Interface {
            index: l.header.index,
            up: flags & IFF_UP != 0,
            lower_up: flags & IFF_LOWER_UP != 0,
            ..Default::default()
        };
        let mut info_kind: Option<String> = None;
        for a in &l.attributes {
            match a {
                LinkAttribute::IfName(n) => iface.name = n.clone(),
                LinkAttribute::Address(b) => iface.mac = mac_string(b),
                LinkAttribute::Mtu(m) => iface.mtu = *m,
                LinkAttribute::Controller(m) if *m != 0 => masters.push((out.len(), *m)),
                LinkAttribute::LinkInfo(infos) => {
                    for i in infos {
                        if let LinkInfo::Kind(k) = i {
                            info_kind = Some(k.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        if iface.name.is_empty() {
            iface.name = format!("if{}", l.header.index);
        }
        iface.kind = kind_name(info_kind.as_deref(), flags, link_type);
        out.push(iface);
    }
    let names: BTreeMap<u32, String> = names_by_index(&out);
    for (i, m) in masters {
        out[i].master = Some(names.get(&m).cloned().unwrap_or_else(|| format!("if{m}")));
    }
    let pos: BTreeMap<u32, usize> = out.iter().enumerate().map(|(i, f)| (f.index, i)).collect();
    for a in addrs {
        if let Some(&i) = pos.get(&a.header.index)
            && let Some(addr) = address(a)
        {
            out[i].addresses.push(addr);
        }
    }
    out.sort_by_key(|i| i.index);
    out
}

/// One RTM_NEWADDR as an Address; None for families other than IPv4/IPv6.
fn address(a: &AddressMessage) -> Option<Address> {
    let mut local: Option<IpAddr> = None;
    let mut peer: Option<IpAddr> = None;
    // IFA_FLAGS (u32) exists since Linux 3.14 and in RHEL 7's backports; the header's u8 is the
    // fallback and cannot hold noprefixroute.
    let mut flags: u32 = a.header.flags.bits() as u32;
    let mut preferred = None;
    let mut valid = None;
    for attr in &a.attributes {
        match attr {
            AddressAttribute::Local(ip) => local = Some(*ip),
            AddressAttribute::Address(ip) => peer = Some(*ip),
            AddressAttribute::Flags(f) => flags = f.bits(),
            AddressAttribute::CacheInfo(c) => {
                // INFINITY_LIFE_TIME is 0xffffffff: "forever".
                preferred = (c.ifa_preferred != u32::MAX).then_some(c.ifa_preferred);
                valid = (c.ifa_valid != u32::MAX).then_some(c.ifa_valid);
            }
            _ => {}
        }
    }
    // For IPv4, IFA_LOCAL is the address and IFA_ADDRESS the peer on point-to-point links;
    // IPv6 sends IFA_LOCAL only with a peer.
    let ip = local.or(peer)?;
    let ipv6 = ip.is_ipv6();
    Some(Address {
        address: ip.to_string(),
        prefix: a.header.prefix_len,
        family: if ipv6 { "ipv6" } else { "ipv4" }.into(),
        scope: scope_name(a.header.scope.into()),
        flags: flag_names(flags, ipv6),
        preferred_lft: preferred,
        valid_lft: valid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use netlink_packet_route::AddressFamily as Af;
    use netlink_packet_route::address::{AddressFlags, AddressHeaderFlags, CacheInfo};
    use netlink_packet_route::link::{InfoKind, LinkFlags};

    fn addr_msg(index: u32, ip: &str, prefix: u8, scope: u8, hdr_flags: u8) -> AddressMessage {
        let mut m = AddressMessage::default();
        let ip: IpAddr = ip.parse().unwrap();
        m.header.family = if ip.is_ipv6() { Af::Inet6 } else { Af::Inet };
        m.header.prefix_len = prefix;
        m.header.scope = scope.into();
        m.header.flags = AddressHeaderFlags::from_bits_retain(hdr_flags);
        m.header.index = index;
        m.attributes.push(AddressAttribute::Address(ip));
        m
    }

    fn link_msg(index: u32, name: &str, flags: u32, kind: Option<InfoKind>) -> LinkMessage {
        let mut l = LinkMessage::default();
        l.header.index = index;
        l.header.flags = LinkFlags::from_bits_retain(flags);
        l.header.link_layer_type = ARPHRD_ETHER.into();
        l.attributes.push(LinkAttribute::IfName(name.into()));
        l.attributes.push(LinkAttribute::Mtu(1500));
        l.attributes.push(LinkAttribute::Address(vec![
            0, 0x50, 0x56, 0x8c, 0xe4, 0x71,
        ]));
        if let Some(k) = kind {
            l.attributes
                .push(LinkAttribute::LinkInfo(vec![LinkInfo::Kind(k)]));
        }
        l
    }

    #[test]
    fn ifa_flags_wins_over_the_header_byte_which_is_the_fallback() {
        // Old kernels send only the u8 header flags: permanent (0x80).
        let old = addr_msg(3, "2018::21", 64, 0, 0x80);
        assert_eq!(address(&old).unwrap().flags, ["permanent"]);
        // IFA_FLAGS (u32) carries noprefixroute, which the header byte cannot.
        let mut new = addr_msg(3, "2018::21", 64, 0, 0x80);
        new.attributes
            .push(AddressAttribute::Flags(AddressFlags::from_bits_retain(
                0x280,
            )));
        let a = address(&new).unwrap();
        assert_eq!(a.flags, ["permanent", "noprefixroute"]);
        assert_eq!(
            (a.family.as_str(), a.scope.as_str(), a.prefix),
            ("ipv6", "global", 64)
        );
    }

    #[test]
    fn ipv4_local_is_the_address_and_lifetimes_map_forever_to_none() {
        let mut m = addr_msg(2, "10.0.0.1", 32, 0, 0x80);
        m.attributes
            .push(AddressAttribute::Local("10.0.0.2".parse().unwrap()));
        let mut ci = CacheInfo::default();
        ci.ifa_preferred = 0;
        ci.ifa_valid = u32::MAX;
        m.attributes.push(AddressAttribute::CacheInfo(ci));
        let a = address(&m).unwrap();
        assert_eq!(
            a.address, "10.0.0.2",
            "IFA_ADDRESS is the peer on point-to-point"
        );
        assert_eq!((a.preferred_lft, a.valid_lft), (Some(0), None));
        // No address attribute at all: skipped, not a panic.
        let mut empty = AddressMessage::default();
        empty.header.index = 2;
        assert_eq!(address(&empty), None);
    }

    #[test]
    fn links_get_kinds_masters_and_their_addresses() {
        let lo = link_msg(1, "lo", IFF_UP | IFF_LOOPBACK | IFF_LOWER_UP, None);
        let br = link_msg(2, "br0", IFF_UP, Some(InfoKind::Bridge));
        let mut port = link_msg(3, "veth0", IFF_UP | IFF_LOWER_UP, Some(InfoKind::Veth));
        port.attributes.push(LinkAttribute::Controller(2));
        let mut orphan = link_msg(4, "", 0, None);
        orphan.attributes.push(LinkAttribute::Controller(99));
        let addrs = [
            addr_msg(3, "2018::5", 64, 0, 0x80),
            addr_msg(2, "10.0.0.1", 24, 0, 0x80),
            addr_msg(42, "10.9.9.9", 24, 0, 0x80),
        ];
        let got = assemble(&[port, orphan, lo, br], &addrs);
        let names: Vec<&str> = got.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["lo", "br0", "veth0", "if4"], "index order");
        assert_eq!(got[0].kind, "loopback");
        assert!(got[0].up && got[0].lower_up);
        assert_eq!(got[1].kind, "bridge");
        assert!(!got[1].lower_up);
        assert_eq!(got[2].kind, "veth");
        assert_eq!(got[2].master.as_deref(), Some("br0"));
        assert_eq!(got[3].master.as_deref(), Some("if99"));
        assert_eq!(got[3].kind, "ether");
        assert!(!got[3].up);
        assert_eq!(got[2].addresses[0].address, "2018::5");
        assert_eq!(got[1].addresses[0].address, "10.0.0.1");
        assert_eq!(got[2].mac.as_deref(), Some("00:50:56:8c:e4:71"));
        assert_eq!(
            got.iter().map(|i| i.addresses.len()).sum::<usize>(),
            2,
            "an address of an unknown link is dropped"
        );
    }

    #[test]
    fn bit_one_is_secondary_for_ipv4_and_temporary_for_ipv6() {
        assert_eq!(flag_names(0x01, false), ["secondary"]);
        assert_eq!(flag_names(0x01, true), ["temporary"]);
    }

    #[test]
    fn every_kernel_flag_has_its_iproute2_name() {
        assert_eq!(
            flag_names(0x280, true),
            ["permanent", "noprefixroute"],
            "the seed's 2018::21"
        );
        assert_eq!(flag_names(0x48, true), ["dadfailed", "tentative"]);
        assert_eq!(flag_names(0x22, true), ["nodad", "deprecated"]);
        assert_eq!(
            flag_names(0xffe, true),
            [
                "nodad",
                "optimistic",
                "dadfailed",
                "home",
                "deprecated",
                "tentative",
                "permanent",
                "mngtmpaddr",
                "noprefixroute",
                "autojoin",
                "stable-privacy"
            ]
        );
        assert!(flag_names(0, true).is_empty());
    }

    #[test]
    fn unknown_flag_bits_are_kept_in_hex() {
        assert_eq!(flag_names(0x1080, false), ["permanent", "0x1000"]);
        assert_eq!(flag_names(0xf000_0000, true), ["0xf0000000"]);
    }

    #[test]
    fn scopes_use_iproute2_names() {
        assert_eq!(scope_name(0), "global");
        assert_eq!(scope_name(200), "site");
        assert_eq!(scope_name(253), "link");
        assert_eq!(scope_name(254), "host");
        assert_eq!(scope_name(255), "nowhere");
        assert_eq!(scope_name(17), "17");
    }

    #[test]
    fn mac_is_lowercase_colon_hex() {
        assert_eq!(
            mac_string(&[0x00, 0x50, 0x56, 0x8c, 0xE4, 0x71]).as_deref(),
            Some("00:50:56:8c:e4:71")
        );
        assert_eq!(mac_string(&[]), None);
    }

    #[test]
    fn kind_prefers_the_driver_then_loopback_then_link_type() {
        assert_eq!(kind_name(Some("veth"), 0, ARPHRD_ETHER), "veth");
        assert_eq!(kind_name(None, IFF_LOOPBACK, ARPHRD_LOOPBACK), "loopback");
        assert_eq!(kind_name(None, 0, ARPHRD_ETHER), "ether");
        assert_eq!(kind_name(Some(""), 0, ARPHRD_ETHER), "ether");
        assert_eq!(kind_name(None, 0, ARPHRD_NONE), "none");
        assert_eq!(kind_name(None, 0, 24), "other");
    }
}
