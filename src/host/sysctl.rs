//! The sysctls that matter for dual-stack, read from `<root>/proc/sys`.
//!
//! Forwarding must be on for both families (kubeadm preflight FileContent--proc-sys-net-ipv4-
//! ip_forward; Calico routes pod traffic); `disable_ipv6` removes every IPv6 address;
//! `accept_ra=1` is ignored once forwarding is on (ip-sysctl.rst), so a node that learns its
//! IPv6 default route from router advertisements needs `accept_ra=2`.

use std::collections::BTreeMap;
use std::path::Path;

pub const IP_FORWARD: &str = "net.ipv4.ip_forward";
pub const BRIDGE_NF_IPTABLES: &str = "net.bridge.bridge-nf-call-iptables";
pub const BRIDGE_NF_IP6TABLES: &str = "net.bridge.bridge-nf-call-ip6tables";

/// The per-device IPv6 keys, read for `all`, `default` and every interface.
const IPV6_CONF_KEYS: &[&str] = &["forwarding", "disable_ipv6", "accept_ra"];

/// `net.ipv6.conf.<dev>.<key>` as sysctl(8) spells it: a dot in a device name (VLAN
/// `eth0.100`) is written as a slash, since the dot separates the path.
pub fn ipv6_conf_key(dev: &str, key: &str) -> String {
    format!("net.ipv6.conf.{}.{key}", dev.replace('.', "/"))
}

/// The file behind a sysctl key: dots are path separators, slashes stand for dots.
pub fn key_path(root: &Path, key: &str) -> std::path::PathBuf {
    let rel: String = key
        .chars()
        .map(|c| match c {
            '.' => '/',
            '/' => '.',
            c => c,
        })
        .collect();
    root.join("proc/sys").join(rel)
}

/// Every key this host should be checked for: IPv4 forwarding, the IPv6 conf keys for
/// `all`, `default` and each named device, and the bridge netfilter keys.
pub fn wanted_keys(devices: &[String]) -> Vec<String> {
    let mut keys = vec![IP_FORWARD.to_string()];
    for dev in ["all", "default"]
        .into_iter()
        .chain(devices.iter().map(String::as_str))
    {
        for k in IPV6_CONF_KEYS {
            keys.push(ipv6_conf_key(dev, k));
        }
    }
    keys.push(BRIDGE_NF_IPTABLES.into());
    keys.push(BRIDGE_NF_IP6TABLES.into());
    keys
}

/// Read the keys: (present → trimmed value, missing keys in order).
pub fn read(root: &Path, keys: &[String]) -> (BTreeMap<String, String>, Vec<String>) {
    let mut values = BTreeMap::new();
    let mut missing = Vec::new();
    let mut buf = [0u8; 256];
    for k in keys {
        match read_small(&key_path(root, k), &mut buf) {
            Ok(n) => {
                values.insert(
                    k.clone(),
                    String::from_utf8_lossy(&buf[..n]).trim().to_string(),
                );
            }
            Err(_) => missing.push(k.clone()),
        }
    }
    (values, missing)
}

/// One open and one read: these values are a few bytes, and with 500 interfaces there are
/// 1500 of them, so `fs::read`'s stat and second read per file would double the syscalls.
fn read_small(path: &Path, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::Read;
    std::fs::File::open(path)?.read(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vlan_device_dots_become_slashes_and_back() {
        assert_eq!(
            ipv6_conf_key("eth0.100", "forwarding"),
            "net.ipv6.conf.eth0/100.forwarding"
        );
        assert_eq!(
            key_path(Path::new("/r"), "net.ipv6.conf.eth0/100.forwarding"),
            Path::new("/r/proc/sys/net/ipv6/conf/eth0.100/forwarding")
        );
        assert_eq!(
            key_path(Path::new("/"), BRIDGE_NF_IP6TABLES),
            Path::new("/proc/sys/net/bridge/bridge-nf-call-ip6tables")
        );
    }

    #[test]
    fn reads_present_keys_and_lists_missing_ones() {
        let t = tempfile::tempdir().unwrap();
        let put = |k: &str, v: &str| {
            let p = key_path(t.path(), k);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, v).unwrap();
        };
        put(IP_FORWARD, "1\n");
        put("net.ipv6.conf.all.disable_ipv6", "0\n");
        put("net.ipv6.conf.ens224.accept_ra", "2\n");
        let keys = wanted_keys(&["ens224".into()]);
        let (v, missing) = read(t.path(), &keys);
        assert_eq!(v[IP_FORWARD], "1");
        assert_eq!(v["net.ipv6.conf.ens224.accept_ra"], "2");
        assert_eq!(v.len(), 3);
        assert!(missing.contains(&BRIDGE_NF_IPTABLES.to_string()));
        assert!(missing.contains(&"net.ipv6.conf.default.forwarding".to_string()));
        assert_eq!(missing.len(), keys.len() - 3);
    }
}
