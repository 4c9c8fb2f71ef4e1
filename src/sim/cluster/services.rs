//! Service ClusterIPs as kube-apiserver allocates them: from the service ranges, by
//! `spec.ipFamily` on 1.19 (alpha, honoured only with the IPv6DualStack gate) and by
//! `ipFamilyPolicy`/`ipFamilies` from 1.20 (pkg/registry/core/service/storage, the
//! dual-stack Service validation in pkg/apis/core/validation).

use super::Cluster;
use crate::sim::version::Version;
use ipnet::IpNet;
use serde_json::{Value, json};

/// The `n`-th address of a network (0 is the network address itself).
pub fn nth_ip(net: &IpNet, n: u128) -> String {
    match net.network() {
        std::net::IpAddr::V4(a) => {
            std::net::Ipv4Addr::from((u32::from(a) as u128 + n) as u32).to_string()
        }
        std::net::IpAddr::V6(a) => {
            std::net::Ipv6Addr::from(u128::from(a).wrapping_add(n)).to_string()
        }
    }
}

fn family(net: &IpNet) -> &'static str {
    if net.addr().is_ipv4() { "IPv4" } else { "IPv6" }
}

/// Give a new Service its ClusterIPs and family fields, or the API server's refusal.
pub fn allocate(c: &mut Cluster, v: Version, svc: &mut Value) -> Result<(), String> {
    let name = svc["metadata"]["name"].as_str().unwrap_or("").to_string();
    let ns = svc["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default")
        .to_string();
    let ranges: Vec<IpNet> = c
        .service_ranges
        .iter()
        .filter_map(|r| r.parse().ok())
        .collect();
    let Some(primary) = ranges.first().copied() else {
        return Err("Internal error occurred: failed to allocate a serviceIP: the service range is not configured".into());
    };
    let spec = svc["spec"].clone();
    let headless = spec["clusterIP"].as_str() == Some("None");
    let invalid = |field: &str, val: &str, why: &str| {
        format!("The Service {name:?} is invalid: {field}: Invalid value: {val:?}: {why}")
    };
    let families: Vec<IpNet> = if v.minor <= 19 {
        // 1.19: one family per Service. spec.ipFamily is dropped without the gate.
        match spec["ipFamily"].as_str() {
            Some(f) if ranges.len() == 2 => {
                let r = ranges
                    .iter()
                    .find(|r| family(r) == f)
                    .copied()
                    .ok_or_else(|| {
                        invalid(
                            "spec.ipFamily",
                            f,
                            "only the following families are allowed: IPv4, IPv6",
                        )
                    })?;
                vec![r]
            }
            Some(f)
                if family(&primary) != f && ranges.len() == 1 && c.service_ranges.len() == 1 =>
            {
                return Err(invalid(
                    "spec.ipFamily",
                    f,
                    "only the following families are allowed: the cluster's service range family",
                ));
            }
            _ => vec![primary],
        }
    } else {
        let policy = spec["ipFamilyPolicy"].as_str().unwrap_or("SingleStack");
        let asked: Vec<&str> = spec["ipFamilies"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        for f in &asked {
            if !ranges.iter().any(|r| family(r) == *f) {
                return Err(invalid(
                    "spec.ipFamilies[0]",
                    f,
                    "not configured on this cluster",
                ));
            }
        }
        match policy {
            "SingleStack" => {
                let f = asked.first().copied().unwrap_or(family(&primary));
                vec![*ranges.iter().find(|r| family(r) == f).unwrap_or(&primary)]
            }
            "PreferDualStack" | "RequireDualStack" => {
                if ranges.len() < 2 {
                    if policy == "RequireDualStack" {
                        return Err(invalid(
                            "spec.ipFamilyPolicy",
                            policy,
                            "this cluster is not configured for dual-stack services",
                        ));
                    }
                    vec![primary]
                } else {
                    let first = asked.first().copied().unwrap_or(family(&primary));
                    let a = *ranges
                        .iter()
                        .find(|r| family(r) == first)
                        .unwrap_or(&primary);
                    let b = *ranges
                        .iter()
                        .find(|r| family(r) != first)
                        .unwrap_or(&primary);
                    vec![a, b]
                }
            }
            other => {
                return Err(invalid(
                    "spec.ipFamilyPolicy",
                    other,
                    "supported values: \"SingleStack\", \"PreferDualStack\", \"RequireDualStack\"",
                ));
            }
        }
    };
    let key = format!("{ns}/{name}");
    let mut ips = Vec::new();
    if !headless {
        for r in &families {
            ips.push(pick(c, r, &key));
        }
        c.service_ips.retain(|(k, _)| *k != key);
        c.service_ips.push((key, ips.clone()));
    }
    let s = &mut svc["spec"];
    if s.get("type").is_none() {
        s["type"] = json!("ClusterIP");
    }
    if s.get("sessionAffinity").is_none() {
        s["sessionAffinity"] = json!("None");
    }
    if !headless {
        s["clusterIP"] = json!(ips[0]);
    }
    if v.minor <= 19 {
        // The alpha field stays only where the gate is on (two ranges).
        if c.service_ranges.len() == 2 {
            s["ipFamily"] = json!(family(&families[0]));
        } else if let Some(o) = s.as_object_mut() {
            o.remove("ipFamily");
        }
    } else {
        s["clusterIPs"] = if headless {
            json!(["None"])
        } else {
            json!(ips)
        };
        s["ipFamilies"] = json!(families.iter().map(family).collect::<Vec<_>>());
        if s.get("ipFamilyPolicy").is_none() {
            s["ipFamilyPolicy"] = json!("SingleStack");
        }
        if v.at_least(22) && s.get("internalTrafficPolicy").is_none() {
            s["internalTrafficPolicy"] = json!("Cluster");
        }
    }
    let is_nodeport = s["type"] == "NodePort" || s["type"] == "LoadBalancer";
    if let Some(ports) = s["ports"].as_array_mut() {
        for (i, p) in ports.iter_mut().enumerate() {
            if p.get("protocol").is_none() {
                p["protocol"] = json!("TCP");
            }
            if p.get("targetPort").is_none() {
                p["targetPort"] = p["port"].clone();
            }
            if is_nodeport && p.get("nodePort").is_none() {
                p["nodePort"] =
                    json!(30000 + (pick_index(&format!("{ns}/{name}/{i}")) % 2768) as u64);
            }
        }
    }
    if is_nodeport && s.get("externalTrafficPolicy").is_none() {
        s["externalTrafficPolicy"] = json!("Cluster");
    }
    svc["status"] = json!({"loadBalancer": {}});
    Ok(())
}

fn pick_index(seed: &str) -> u128 {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in seed.bytes() {
        h ^= b as u128;
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013B);
    }
    h
}

/// A free address in the range, chosen from the Service's name as the allocator's random
/// pick would be, never the first (kubernetes) or tenth (kube-dns) address.
fn pick(c: &Cluster, r: &IpNet, key: &str) -> String {
    let bits = (r.max_prefix_len() - r.prefix_len()) as u32;
    let size: u128 = if bits >= 127 {
        u128::MAX
    } else {
        1u128 << bits
    };
    let used: Vec<&String> = c
        .service_ips
        .iter()
        .flat_map(|(_, ips)| ips.iter())
        .collect();
    let mut n = pick_index(key) % size.max(1);
    loop {
        let ok = n > 10 && n < size - 1;
        let ip = nth_ip(r, n);
        if ok && !used.iter().any(|u| **u == ip) {
            return ip;
        }
        n = (n + 1) % size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_addresses() {
        let v4: IpNet = "10.96.0.0/12".parse().unwrap();
        assert_eq!(nth_ip(&v4, 1), "10.96.0.1");
        assert_eq!(nth_ip(&v4, 10), "10.96.0.10");
        let v6: IpNet = "2019:30::/112".parse().unwrap();
        assert_eq!(nth_ip(&v6, 0x73fe), "2019:30::73fe");
    }
}
