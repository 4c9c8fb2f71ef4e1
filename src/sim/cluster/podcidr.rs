//! Per-node pod ranges as kube-controller-manager's range allocator cuts them
//! (pkg/controller/nodeipam/ipam/range_allocator.go, cidrset): each node takes the next free
//! subnet of the node mask out of each cluster CIDR, first node first.

use ipnet::IpNet;

/// kubeadm's node mask for one pod subnet, as computed up to 1.19 (calcNodeCidrSize in
/// cmd/kubeadm/app/phases/controlplane/manifests.go, removed in 1.20 by #95723): IPv4 is
/// always 24; IPv6 /112 gives /120; shorter prefixes give the next multiple of 8 that keeps
/// at least 8 bits for nodes.
pub fn kubeadm_v119_mask(cidr: &str) -> u8 {
    let Ok(net) = cidr.trim().parse::<IpNet>() else {
        return 24;
    };
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

/// The `index`-th subnet of `mask` bits in `cluster`, if there is one.
pub fn nth_subnet(cluster: &IpNet, mask: u8, index: u128) -> Option<IpNet> {
    let bits: u8 = if cluster.addr().is_ipv4() { 32 } else { 128 };
    let plen = cluster.prefix_len();
    if mask < plen || mask > bits {
        return None;
    }
    let count_bits = (mask - plen) as u32;
    if count_bits < 128 && index >= (1u128 << count_bits) {
        return None;
    }
    let step_shift = (bits - mask) as u32;
    match cluster.network() {
        std::net::IpAddr::V4(a) => {
            let base = u32::from(a) as u128;
            let addr = base + (index << step_shift);
            let ip = std::net::Ipv4Addr::from(addr as u32);
            IpNet::new(ip.into(), mask).ok()
        }
        std::net::IpAddr::V6(a) => {
            let base = u128::from(a);
            let addr = base.checked_add(index.checked_shl(step_shift)?)?;
            IpNet::new(std::net::Ipv6Addr::from(addr).into(), mask).ok()
        }
    }
}

/// kube-controller-manager's limit: a node mask at most 16 bits longer than its cluster CIDR
/// (cidrset.go clusterSubnetMaxDiff), and longer than it.
pub fn mask_fits(cluster: &IpNet, mask: u8) -> Result<(), String> {
    if mask < cluster.prefix_len() {
        return Err("Controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR family".to_string());
    }
    if mask - cluster.prefix_len() > 16 {
        return Err("New CIDR set failed; the node CIDR size is too big".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeadm_119_vectors() {
        // manifests_test.go (1.18/1.19) vectors.
        for (cidr, want) in [
            ("2001:db8::/32", 48),
            ("2001:db8::/48", 64),
            ("2001:db8::/64", 80),
            ("2001:db8::/95", 104),
            ("2001:db8::/96", 112),
            ("2001:db8::/103", 112),
            ("2001:db8::/104", 120),
            ("2001:db8::/112", 120),
            ("2001:db8::/113", 113),
            ("2001:db8::/128", 128),
            ("garbage", 24),
            ("10.244.0.0/16", 24),
        ] {
            assert_eq!(kubeadm_v119_mask(cidr), want, "{cidr}");
        }
    }

    #[test]
    fn cuts_the_guides_ranges() {
        let v4: IpNet = "10.10.0.0/16".parse().unwrap();
        let v6: IpNet = "2019:20::/112".parse().unwrap();
        assert_eq!(nth_subnet(&v4, 24, 0).unwrap().to_string(), "10.10.0.0/24");
        assert_eq!(nth_subnet(&v4, 24, 2).unwrap().to_string(), "10.10.2.0/24");
        assert_eq!(
            nth_subnet(&v6, 120, 0).unwrap().to_string(),
            "2019:20::/120"
        );
        assert_eq!(
            nth_subnet(&v6, 120, 1).unwrap().to_string(),
            "2019:20::100/120"
        );
        assert!(nth_subnet(&v6, 120, 256).is_none());
        assert!(mask_fits(&v6, 64).is_err());
        assert!(mask_fits(&"2001:db8::/48".parse().unwrap(), 64).is_ok());
        assert!(mask_fits(&"2001:db8::/47".parse().unwrap(), 64).is_err());
    }
}
