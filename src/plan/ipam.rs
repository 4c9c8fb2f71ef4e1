//! Calico's IPAM as the address plan shows it: pods take their addresses from blocks of a
//! pool (`/26` IPv4, `/122` IPv6 by default), which calico-ipam hands to nodes as they need
//! them; the node's `podCIDR`, which kube-controller-manager assigns, is not used by
//! calico-ipam (shared/facts/calico-dualstack.md §4; calico@v3.32.1:libcalico-go/lib/ipam/ipam.go).

use super::FamilyPlan;
use super::cidr;
use ipnet::IpNet;

/// How many IPAM blocks of `/block` a pool holds and how many addresses each block has;
/// None when the pool is smaller than one block (or the block is longer than the family's
/// addresses).
pub fn blocks(pool: &IpNet, block: u8) -> Option<(u128, u128)> {
    let bits = block.checked_sub(pool.prefix_len())?;
    let host = pool.max_prefix_len().checked_sub(block)?;
    Some((cidr::pow2(bits as u32), cidr::pow2(host as u32)))
}

/// The blocks of a family's pool.
pub fn family_blocks(f: &FamilyPlan) -> Option<(u128, u128)> {
    blocks(&f.calico_pool, f.block_size)
}

#[cfg(test)]
mod tests {
    use super::blocks;

    #[test]
    fn pools_cut_into_blocks() {
        let n = |s: &str| s.parse().unwrap();
        assert_eq!(blocks(&n("10.10.0.0/16"), 26), Some((1024, 64)));
        assert_eq!(blocks(&n("2019:20::/112"), 122), Some((1024, 64)));
        assert_eq!(blocks(&n("fd00:10:244::/56"), 122), Some((1 << 66, 64)));
        assert_eq!(blocks(&n("10.10.0.0/26"), 26), Some((1, 64)));
        assert_eq!(blocks(&n("10.10.0.0/27"), 26), None);
        assert_eq!(blocks(&n("10.10.0.0/16"), 33), None);
    }
}
