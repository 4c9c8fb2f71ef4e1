//! The hosts of a lab: names, interfaces and addresses. From an answers file's `node:` and
//! `nodes:` (read here with a minimal parser of its own: only these fields, nothing of
//! dsinstall's answers model), or the guide's three-node lab.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// One simulated machine as the lab starts it: its identity, not its changing state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostSpec {
    pub name: String,
    pub ipv4: Option<String>,
    pub ipv6: Option<String>,
    pub ipv4_interface: String,
    pub ipv6_interface: String,
}

/// The lab: the first node (where dsinstall runs) first, then the others; plus the
/// control-plane endpoint's address when it is not the first node's (a VIP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lab {
    pub hosts: Vec<HostSpec>,
    pub vip: Option<String>,
}

impl Lab {
    /// The guide's lab: node01 with ens192 (IPv4) and ens224 (IPv6), the VIP
    /// 111.111.111.120 on node01, node02 and node03 beside it.
    pub fn guide() -> Lab {
        let host = |n: &str, last: u8| HostSpec {
            name: n.to_string(),
            ipv4: Some(format!("111.111.111.{}", 120 + last)),
            ipv6: Some(format!("2018::{}", 20 + last)),
            ipv4_interface: "ens192".into(),
            ipv6_interface: "ens224".into(),
        };
        Lab {
            hosts: vec![host("node01", 1), host("node02", 2), host("node03", 3)],
            vip: Some("111.111.111.120".into()),
        }
    }

    /// The hosts named by an answers file's `node:` and `nodes:`.
    pub fn from_answers(path: &Path) -> Result<Lab, String> {
        let text = crate::sim::yaml::read_bounded(path)?;
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let field =
            |v: &serde_yaml::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let node = doc
            .get("node")
            .ok_or_else(|| format!("{}: no node: section", path.display()))?;
        let name = field(node, "name")
            .ok_or_else(|| format!("{}: node.name is missing", path.display()))?;
        let v4if = field(node, "ipv4Interface").unwrap_or_else(|| "eth0".into());
        let v6if = field(node, "ipv6Interface").unwrap_or_else(|| v4if.clone());
        let mut hosts = vec![HostSpec {
            name,
            ipv4: field(node, "ipv4"),
            ipv6: field(node, "ipv6"),
            ipv4_interface: v4if.clone(),
            ipv6_interface: v6if.clone(),
        }];
        if let Some(list) = doc.get("nodes").and_then(|n| n.as_sequence()) {
            for (i, n) in list.iter().enumerate() {
                let name = field(n, "name")
                    .ok_or_else(|| format!("{}: nodes[{i}].name is missing", path.display()))?;
                hosts.push(HostSpec {
                    name,
                    ipv4: field(n, "ipv4"),
                    ipv6: field(n, "ipv6"),
                    ipv4_interface: v4if.clone(),
                    ipv6_interface: v6if.clone(),
                });
            }
        }
        for h in &hosts {
            if h.ipv4.is_none() && h.ipv6.is_none() {
                return Err(format!("{}: {} has no address", path.display(), h.name));
            }
        }
        // A controlPlaneEndpoint on an address no host has is a VIP on the first node.
        let vip = doc
            .get("kubernetes")
            .and_then(|k| field(k, "controlPlaneEndpoint"))
            .and_then(|ep| host_of_endpoint(&ep))
            .filter(|ip| {
                !hosts.iter().any(|h| {
                    h.ipv4.as_deref() == Some(ip.as_str()) || h.ipv6.as_deref() == Some(ip.as_str())
                })
            })
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok());
        Ok(Lab { hosts, vip })
    }
}

/// The host part of `host:port` or `[v6]:port`.
pub fn host_of_endpoint(ep: &str) -> Option<String> {
    if let Some(rest) = ep.strip_prefix('[') {
        return rest.split(']').next().map(str::to_string);
    }
    if ep.matches(':').count() > 1 {
        return Some(ep.to_string());
    }
    Some(ep.split(':').next()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guide_lab_has_three_nodes_and_the_vip() {
        let lab = Lab::guide();
        assert_eq!(lab.hosts.len(), 3);
        assert_eq!(lab.hosts[0].ipv4.as_deref(), Some("111.111.111.121"));
        assert_eq!(lab.hosts[2].ipv6.as_deref(), Some("2018::23"));
        assert_eq!(lab.vip.as_deref(), Some("111.111.111.120"));
    }

    #[test]
    fn reads_only_the_hosts_from_an_answers_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        std::fs::write(&p, "kubernetes: {controlPlaneEndpoint: '10.0.0.9:6443'}\nnode: {name: cp1, ipv4: 10.0.0.1, ipv6: 'fd00::1', ipv4Interface: eth0, ipv6Interface: eth1}\nnodes:\n- {name: w1, ipv4: 10.0.0.2}\n").unwrap();
        let lab = Lab::from_answers(&p).unwrap();
        assert_eq!(
            lab.hosts
                .iter()
                .map(|h| h.name.as_str())
                .collect::<Vec<_>>(),
            ["cp1", "w1"]
        );
        assert_eq!(lab.hosts[1].ipv6_interface, "eth1");
        assert_eq!(lab.vip.as_deref(), Some("10.0.0.9"));
        std::fs::write(&p, "nodes: []\n").unwrap();
        assert!(
            Lab::from_answers(&p)
                .unwrap_err()
                .contains("no node: section")
        );
    }

    #[test]
    fn endpoint_hosts() {
        assert_eq!(host_of_endpoint("1.2.3.4:6443").as_deref(), Some("1.2.3.4"));
        assert_eq!(
            host_of_endpoint("[2001:db8::1]:6443").as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(
            host_of_endpoint("cp.example").as_deref(),
            Some("cp.example")
        );
    }
}
