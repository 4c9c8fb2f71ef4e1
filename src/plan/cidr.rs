//! Address arithmetic: strict parsing, node masks, capacity, overlap.

use crate::answers::AddressFamily;
use ipnet::IpNet;
use std::net::IpAddr;

pub fn family_of_net(n: &IpNet) -> AddressFamily {
    match n {
        IpNet::V4(_) => AddressFamily::Ipv4,
        IpNet::V6(_) => AddressFamily::Ipv6,
    }
}

/// Parse a CIDR the way the answers file requires: a prefix length must be given, and the
/// address must be the network itself. Go's parser (and so kubeadm) silently drops host bits;
/// we reject them and offer the network, because `2019:20::5/112` is almost always a typo.
pub fn parse_cidr(s: &str) -> Result<IpNet, CidrError> {
    let t = s.trim();
    if !t.contains('/') {
        return Err(CidrError::NoPrefix);
    }
    if has_leading_zero_octet(t.split('/').next().unwrap_or("")) {
        return Err(CidrError::LeadingZeros);
    }
    let net: IpNet = t.parse().map_err(|_| CidrError::Invalid)?;
    let canon = net.trunc();
    if canon != net {
        return Err(CidrError::HostBits(canon));
    }
    Ok(net)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CidrError {
    NoPrefix,
    /// `010.010.0.0`: Go's ParseIP refuses it since Go 1.17, Kubernetes' ParseIPSloppy reads
    /// it as decimal and inet_aton (iptables, ping) as octal; refused rather than guessed.
    LeadingZeros,
    Invalid,
    HostBits(IpNet),
}

pub fn parse_ip(s: &str) -> Option<IpAddr> {
    s.trim().parse().ok()
}

/// An IPv4 dotted quad with an octet like `010` (see `CidrError::LeadingZeros`).
pub fn has_leading_zero_octet(addr: &str) -> bool {
    !addr.contains(':')
        && addr
            .split('.')
            .any(|o| o.len() > 1 && o.starts_with('0') && o.bytes().all(|b| b.is_ascii_digit()))
}

/// Go's `net.IP.IsGlobalUnicast`: what Kubernetes and Calico treat as a usable address.
/// ULA (fd00::/8) and RFC 1918 addresses count; link-local, loopback, multicast, the
/// unspecified and the IPv4 broadcast address do not.
pub fn is_global_unicast(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_unspecified()
                || v4.is_loopback()
                || v4.is_multicast()
                || v4.is_link_local()
                || v4.is_broadcast())
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// kubeadm's `calcNodeCidrSize` (cmd/kubeadm/app/phases/controlplane/manifests.go, used up to
/// 1.19; vectors from its manifests_test.go): IPv4 is always /24; an IPv6 /112 gives /120;
/// a shorter prefix gets a node prefix that is a multiple of 8 giving 512..64K nodes; a longer
/// one is returned as is (and rejected elsewhere).
pub fn kubeadm_calc_node_mask(net: &IpNet) -> u8 {
    match net {
        IpNet::V4(_) => 24,
        IpNet::V6(n) => {
            let p = n.prefix_len() as i32;
            if p == 112 {
                120
            } else if p < 112 {
                (128 - (((128 - p - 1) / 8) - 1) * 8) as u8
            } else {
                p as u8
            }
        }
    }
}

/// kube-controller-manager's defaults when no mask is given (1.20+): /24 and /64.
pub fn controller_manager_default_mask(family: AddressFamily) -> u8 {
    match family {
        AddressFamily::Ipv4 => 24,
        AddressFamily::Ipv6 => 64,
    }
}

/// kube-controller-manager's CIDR allocator refuses more than 16 bits between an IPv6
/// cluster CIDR and its node mask (`clusterSubnetMaxDiff`, cidrset.NewCIDRSet, which leaves
/// IPv4 unlimited); kubeadm ≥1.20 checks both families against it
/// (PodSubnetNodeMaskMaxDiff).
pub const MAX_NODE_MASK_DIFF: u8 = 16;

/// 2^bits, saturating at u128::MAX (only a /0 IPv6 reaches it).
pub fn pow2(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        1u128 << bits
    }
}

/// How many addresses a network holds.
pub fn size(net: &IpNet) -> u128 {
    pow2((net.max_prefix_len() - net.prefix_len()) as u32)
}

/// Per-node capacity of a pod subnet split at `node_mask`: (node ranges, addresses per range).
/// None when the mask does not fit the subnet.
pub fn capacity(pod: &IpNet, node_mask: u8) -> Option<(u128, u128)> {
    if node_mask < pod.prefix_len() || node_mask > pod.max_prefix_len() {
        return None;
    }
    Some((
        pow2((node_mask - pod.prefix_len()) as u32),
        pow2((pod.max_prefix_len() - node_mask) as u32),
    ))
}

/// The node ranges of a pod subnet: the first `count` of them (for the address-plan picture).
pub fn node_ranges(pod: &IpNet, node_mask: u8, count: usize) -> Vec<IpNet> {
    match pod.subnets(node_mask) {
        Ok(it) => it.take(count).collect(),
        Err(_) => Vec::new(),
    }
}

pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Human figure for a count that may be astronomically large: 256, 65,536, 2^64.
pub fn human_count(n: u128) -> String {
    if n >= 1 << 32 && n.is_power_of_two() {
        return format!("2^{}", n.trailing_zeros());
    }
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn calc_node_mask_matches_kubeadm_vectors() {
        // manifests_test.go TestCalcNodeCidrSize (1.18/1.19) and derived values.
        for (pod, want) in [
            ("2001:db8::/32", 48),
            ("2001:db8::/48", 64),
            ("2001:db8::/56", 72),
            ("2001:db8::/64", 80),
            ("2001:db8::/95", 104),
            ("2001:db8::/96", 112),
            ("2001:db8::/103", 112),
            ("2001:db8::/104", 120),
            ("2001:db8::/110", 120),
            ("2001:db8::/112", 120),
            ("2001:db8::/113", 113),
            ("2001:db8::1/128", 128),
            ("10.244.0.0/16", 24),
            ("10.0.0.0/8", 24),
        ] {
            assert_eq!(kubeadm_calc_node_mask(&net(pod)), want, "{pod}");
        }
    }

    #[test]
    fn strict_cidr_parsing() {
        assert_eq!(parse_cidr("2019:20::/112").unwrap(), net("2019:20::/112"));
        assert_eq!(
            parse_cidr("2019:20::5/112"),
            Err(CidrError::HostBits(net("2019:20::/112")))
        );
        assert_eq!(parse_cidr("10.10.0.0"), Err(CidrError::NoPrefix));
        assert_eq!(parse_cidr("10.10.0.0/33"), Err(CidrError::Invalid));
        assert_eq!(parse_cidr("a.b.c.d/24"), Err(CidrError::Invalid));
    }

    #[test]
    fn seed_capacity_is_256_by_256() {
        assert_eq!(capacity(&net("2019:20::/112"), 120), Some((256, 256)));
        assert_eq!(capacity(&net("10.10.0.0/16"), 24), Some((256, 256)));
        assert_eq!(capacity(&net("10.10.0.0/16"), 8), None);
        assert_eq!(
            node_ranges(&net("2019:20::/112"), 120, 2),
            vec![net("2019:20::/120"), net("2019:20::100/120")]
        );
    }

    #[test]
    fn global_unicast_like_go() {
        for (ip, want) in [
            ("2018::21", true),
            ("fd00::1", true),
            ("fe80::1", false),
            ("febf::1", false),
            ("::1", false),
            ("::", false),
            ("ff02::1", false),
            ("10.0.0.1", true),
            ("169.254.1.1", false),
            ("127.0.0.1", false),
            ("255.255.255.255", false),
            ("0.0.0.0", false),
        ] {
            assert_eq!(is_global_unicast(&ip.parse().unwrap()), want, "{ip}");
        }
    }

    #[test]
    fn counts_read_well() {
        assert_eq!(human_count(256), "256");
        assert_eq!(human_count(65536), "65,536");
        assert_eq!(human_count(1 << 64), "2^64");
    }
}

/// How many ClusterIPs a service range gives: every address but the network's, and for IPv4
/// but the broadcast address too; an IPv6 range kept in the apiserver's bitmap allocator has
/// at most 65,536 slots (see `KubeMinor::service_ipv6_bitmap`).
pub fn service_addresses(net: &IpNet, ipv6_bitmap: bool) -> u128 {
    let n = size(net);
    match net {
        IpNet::V4(_) => n.saturating_sub(2),
        IpNet::V6(_) if ipv6_bitmap => n.min(65_536).saturating_sub(1),
        IpNet::V6(_) => n.saturating_sub(1),
    }
}

#[cfg(test)]
mod service_address_tests {
    use super::*;

    #[test]
    fn the_bitmap_caps_ipv6_ranges_at_65535_addresses() {
        let v6 = |s: &str| s.parse::<IpNet>().unwrap();
        assert_eq!(service_addresses(&v6("fd00::/108"), true), 65_535);
        assert_eq!(service_addresses(&v6("fd00::/112"), true), 65_535);
        assert_eq!(service_addresses(&v6("fd00::/120"), true), 255);
        assert_eq!(service_addresses(&v6("fd00::/108"), false), (1 << 20) - 1);
        assert_eq!(service_addresses(&v6("10.96.0.0/12"), true), (1 << 20) - 2);
    }
}

/// The special-purpose space a pod or service range must stay out of, named for the
/// message: "this network" 0.0.0.0/8, loopback, link-local, multicast, the broadcast
/// address, and IPv6's unspecified, loopback,
/// IPv4-mapped, link-local and multicast blocks (RFC 6890).
pub fn reserved_range(net: &IpNet) -> Option<&'static str> {
    const V4: &[(&str, &str)] = &[
        ("0.0.0.0/8", "0.0.0.0/8 (\"this network\")"),
        ("127.0.0.0/8", "the loopback range 127.0.0.0/8"),
        ("169.254.0.0/16", "the link-local range 169.254.0.0/16"),
        ("224.0.0.0/4", "the multicast range 224.0.0.0/4"),
        // Not all of 240.0.0.0/4: kube-apiserver accepts class E service ranges
        // (TestClusterServiceIPRange); only the limited broadcast address is out.
        (
            "255.255.255.255/32",
            "the broadcast address 255.255.255.255",
        ),
    ];
    const V6: &[(&str, &str)] = &[
        ("::/128", "the unspecified address ::"),
        ("::1/128", "the loopback address ::1"),
        ("::ffff:0:0/96", "the IPv4-mapped range ::ffff:0:0/96"),
        ("fe80::/10", "the link-local range fe80::/10"),
        ("ff00::/8", "the multicast range ff00::/8"),
    ];
    let list = match net {
        IpNet::V4(_) => V4,
        IpNet::V6(_) => V6,
    };
    list.iter()
        .find(|(r, _)| overlaps(net, &r.parse::<IpNet>().expect("a valid range")))
        .map(|(_, what)| *what)
}
