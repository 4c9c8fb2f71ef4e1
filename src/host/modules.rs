//! Kernel modules Kubernetes and Calico rely on: loaded when `/proc/modules` lists them or
//! `/sys/module/<name>` exists (built-in modules appear only there).

use std::collections::BTreeMap;
use std::path::Path;

/// br_netfilter (bridge-nf-call-*), overlay (containerd's snapshotter), the iptables and
/// ip6tables tables kube-proxy and Calico program, conntrack, nftables, and the IPVS
/// schedulers kube-proxy's ipvs mode loads.
pub const WANTED: &[&str] = &[
    "br_netfilter",
    "overlay",
    "ip_tables",
    "ip6_tables",
    "iptable_nat",
    "ip6table_nat",
    "nf_conntrack",
    "nf_tables",
    "ip_vs",
    "ip_vs_rr",
    "ip_vs_wrr",
    "ip_vs_sh",
];

/// Names in `/proc/modules` text: the first field of each line.
pub fn parse_proc_modules(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

pub fn read(root: &Path) -> BTreeMap<String, bool> {
    // Bounded like every input; /proc/modules is a few KiB.
    let listed = crate::io::read::read_bytes(&root.join("proc/modules"), 4 << 20)
        .map(|b| parse_proc_modules(&String::from_utf8_lossy(&b)))
        .unwrap_or_default();
    WANTED
        .iter()
        .map(|m| {
            let loaded = listed.iter().any(|l| l == m) || root.join("sys/module").join(m).is_dir();
            (m.to_string(), loaded)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_modules_and_sys_module_both_count() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("proc")).unwrap();
        std::fs::write(
            t.path().join("proc/modules"),
            "overlay 151552 0 - Live 0x0000000000000000\n\
             ip6_tables 36864 1 ip6table_filter, Live 0x0000000000000000\n\
             \n",
        )
        .unwrap();
        std::fs::create_dir_all(t.path().join("sys/module/nf_conntrack")).unwrap();
        let m = read(t.path());
        assert!(m["overlay"]);
        assert!(m["ip6_tables"]);
        assert!(m["nf_conntrack"], "built in: only /sys/module shows it");
        assert!(!m["br_netfilter"]);
        assert_eq!(m.len(), WANTED.len());
    }

    #[test]
    fn no_proc_modules_means_nothing_loaded() {
        let t = tempfile::tempdir().unwrap();
        assert!(read(t.path()).values().all(|v| !v));
    }
}
