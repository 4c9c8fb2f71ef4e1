//! What calico-node makes of the manifest it was applied with (calico/node startup:
//! configureIPPools, autodetection; the CNI config's calico-ipam assign_ipv4/assign_ipv6),
//! or what the operator makes of an Installation's calicoNetwork.

use super::Cluster;
use super::nodes::NodeRec;
use ipnet::IpNet;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Pool {
    pub cidr: IpNet,
    pub block_size: u8,
    pub ipip: String,
    pub vxlan: String,
    pub nat_outgoing: bool,
}

/// Calico as it runs in the cluster.
#[derive(Debug, Clone)]
pub struct Calico {
    pub pools: Vec<Pool>,
    pub assign_v4: bool,
    pub assign_v6: bool,
    /// calico_backend: bird (BGP), vxlan or none.
    pub backend: String,
    /// IP6 is autodetected (or set): calico-node peers over IPv6 and routes IPv6 natively.
    pub ipv6_bgp: bool,
    /// Why calico-node crash-loops on a node, per node name.
    pub crash: Vec<(String, String)>,
    /// Calico's minor version, from the calico/node image tag (v3.23 first routes IPv6 over VXLAN).
    pub minor: u32,
}

fn env_of(container: &Value, name: &str, cms: &[&Value]) -> Option<String> {
    let env = container["env"].as_array()?;
    let e = env.iter().find(|e| e["name"] == name)?;
    if let Some(v) = e["value"].as_str() {
        return Some(v.to_string());
    }
    let r = &e["valueFrom"]["configMapKeyRef"];
    let cm = cms.iter().find(|c| c["metadata"]["name"] == r["name"])?;
    cm["data"][r["key"].as_str()?].as_str().map(str::to_string)
}

fn calico_minor(image: &str) -> u32 {
    image
        .rsplit(':')
        .next()
        .and_then(|t| {
            t.trim_start_matches('v')
                .split('.')
                .nth(1)
                .and_then(|m| m.parse().ok())
        })
        .unwrap_or(32)
}

/// kubeadm's pod subnets, which calico-node falls back to when the pool env is unset
/// (startup.go reads the kubeadm-config ConfigMap).
fn kubeadm_subnets(c: &Cluster) -> Vec<IpNet> {
    c.cluster_cidrs
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// Calico from the objects applied: the manifest's calico-node DaemonSet, or the operator's
/// Installation. None: no Calico in the cluster.
pub fn from_cluster(c: &Cluster, faults: &[String]) -> Option<Calico> {
    let cms: Vec<&Value> = c
        .objects
        .iter()
        .filter(|o| o["kind"] == "ConfigMap")
        .collect();
    let ds = c.objects.iter().find(|o| {
        o["kind"] == "DaemonSet"
            && o["metadata"]["name"] == "calico-node"
            && o["metadata"]["namespace"] == "kube-system"
    });
    if let Some(ds) = ds {
        return Some(from_manifest(c, ds, &cms, faults));
    }
    let inst = c
        .objects
        .iter()
        .find(|o| o["kind"] == "Installation" && o["metadata"]["name"] == "default")?;
    let operator = c
        .objects
        .iter()
        .any(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == "tigera-operator");
    if !operator {
        return None;
    }
    Some(from_installation(c, inst, faults))
}

fn from_manifest(c: &Cluster, ds: &Value, cms: &[&Value], faults: &[String]) -> Calico {
    let containers = ds["spec"]["template"]["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let node = containers
        .iter()
        .find(|x| x["name"] == "calico-node")
        .cloned()
        .unwrap_or(Value::Null);
    let env = |n: &str| env_of(&node, n, cms);
    let kubeadm = kubeadm_subnets(c);
    let v4_cidr = env("CALICO_IPV4POOL_CIDR")
        .and_then(|s| s.parse::<IpNet>().ok())
        .or_else(|| kubeadm.iter().find(|n| n.addr().is_ipv4()).copied())
        .or_else(|| "192.168.0.0/16".parse().ok());
    // Without CALICO_IPV6POOL_CIDR and a kubeadm IPv6 subnet, calico-node generates a random
    // ULA /48; the lab takes a fixed one.
    let v6_cidr = env("CALICO_IPV6POOL_CIDR")
        .and_then(|s| s.parse::<IpNet>().ok())
        .or_else(|| kubeadm.iter().find(|n| n.addr().is_ipv6()).copied())
        .or_else(|| "fd5a:7b1c:9e2d::/48".parse().ok());
    let mut pools = Vec::new();
    if let Some(cidr) = v4_cidr.filter(|_| env("NO_DEFAULT_POOLS").as_deref() != Some("true")) {
        pools.push(Pool {
            cidr: cidr.trunc(),
            block_size: env("CALICO_IPV4POOL_BLOCK_SIZE")
                .and_then(|s| s.parse().ok())
                .unwrap_or(26),
            ipip: env("CALICO_IPV4POOL_IPIP").unwrap_or_else(|| "Never".into()),
            vxlan: env("CALICO_IPV4POOL_VXLAN").unwrap_or_else(|| "Never".into()),
            nat_outgoing: env("CALICO_IPV4POOL_NAT_OUTGOING").is_none_or(|s| s == "true"),
        });
    }
    // calico-node creates the IPv6 pool where the kernel has IPv6 (ipv6Supported); its IPIP
    // mode is always Never (IPIP carries IPv4 only).
    if let Some(cidr) = v6_cidr.filter(|_| env("NO_DEFAULT_POOLS").as_deref() != Some("true")) {
        pools.push(Pool {
            cidr: cidr.trunc(),
            block_size: env("CALICO_IPV6POOL_BLOCK_SIZE")
                .and_then(|s| s.parse().ok())
                .unwrap_or(122),
            ipip: "Never".into(),
            vxlan: env("CALICO_IPV6POOL_VXLAN").unwrap_or_else(|| "Never".into()),
            nat_outgoing: env("CALICO_IPV6POOL_NAT_OUTGOING").is_some_and(|s| s == "true"),
        });
    }
    let cni = cms
        .iter()
        .find(|c| c["metadata"]["name"] == "calico-config")
        .and_then(|c| c["data"]["cni_network_config"].as_str())
        .unwrap_or("");
    let (assign_v4, assign_v6) = ipam_flags(cni);
    let backend = cms
        .iter()
        .find(|c| c["metadata"]["name"] == "calico-config")
        .and_then(|c| c["data"]["calico_backend"].as_str())
        .unwrap_or("bird")
        .to_string();
    let ip = env("IP").unwrap_or_else(|| "autodetect".into());
    let ip6 = env("IP6").unwrap_or_default();
    let mut crash = Vec::new();
    for n in &c.nodes {
        if let Some(why) = autodetect_failure(
            n,
            &ip,
            env("IP_AUTODETECTION_METHOD").as_deref(),
            &ip6,
            env("IP6_AUTODETECTION_METHOD").as_deref(),
            faults,
        ) {
            crash.push((n.name.clone(), why));
        }
    }
    Calico {
        pools,
        assign_v4,
        assign_v6,
        backend,
        ipv6_bgp: !ip6.is_empty() && ip6 != "none",
        crash,
        minor: calico_minor(node["image"].as_str().unwrap_or("")),
    }
}

fn from_installation(c: &Cluster, inst: &Value, faults: &[String]) -> Calico {
    let net = &inst["spec"]["calicoNetwork"];
    let mut pools = Vec::new();
    for p in net["ipPools"].as_array().into_iter().flatten() {
        let Some(cidr) = p["cidr"].as_str().and_then(|s| s.parse::<IpNet>().ok()) else {
            continue;
        };
        let v4 = cidr.addr().is_ipv4();
        let enc = p["encapsulation"]
            .as_str()
            .unwrap_or(if v4 { "IPIP" } else { "None" });
        pools.push(Pool {
            cidr: cidr.trunc(),
            block_size: p["blockSize"].as_u64().map(|b| b as u8).unwrap_or(if v4 {
                26
            } else {
                122
            }),
            ipip: if enc.starts_with("IPIP") {
                if enc.ends_with("CrossSubnet") {
                    "CrossSubnet".into()
                } else {
                    "Always".into()
                }
            } else {
                "Never".into()
            },
            vxlan: if enc.starts_with("VXLAN") {
                if enc.ends_with("CrossSubnet") {
                    "CrossSubnet".into()
                } else {
                    "Always".into()
                }
            } else {
                "Never".into()
            },
            nat_outgoing: p["natOutgoing"].as_str() != Some("Disabled"),
        });
    }
    let v4 = net["nodeAddressAutodetectionV4"].clone();
    let v6 = net["nodeAddressAutodetectionV6"].clone();
    let method = |a: &Value| -> Option<String> {
        let o = a.as_object()?;
        let (k, val) = o.iter().next()?;
        Some(match k.as_str() {
            "interface" => format!("interface={}", val.as_str().unwrap_or("")),
            "firstFound" => "first-found".into(),
            "canReach" => format!("can-reach={}", val.as_str().unwrap_or("")),
            "skipInterface" => format!("skip-interface={}", val.as_str().unwrap_or("")),
            "cidrs" => format!(
                "cidr={}",
                val.as_array()
                    .and_then(|a| a.first())
                    .and_then(|x| x.as_str())
                    .unwrap_or("")
            ),
            _ => "first-found".into(),
        })
    };
    let has_v6_pool = pools.iter().any(|p| p.cidr.addr().is_ipv6());
    let has_v4_pool = pools.iter().any(|p| p.cidr.addr().is_ipv4());
    let ip6 = if has_v6_pool || v6.is_object() {
        "autodetect"
    } else {
        "none"
    };
    let mut crash = Vec::new();
    for n in &c.nodes {
        if let Some(why) = autodetect_failure(
            n,
            if has_v4_pool { "autodetect" } else { "none" },
            method(&v4).as_deref(),
            ip6,
            method(&v6).as_deref(),
            faults,
        ) {
            crash.push((n.name.clone(), why));
        }
    }
    Calico {
        assign_v4: has_v4_pool,
        assign_v6: has_v6_pool,
        pools,
        backend: if net["bgp"].as_str() == Some("Disabled") {
            "vxlan".into()
        } else {
            "bird".into()
        },
        ipv6_bgp: ip6 == "autodetect",
        crash,
        minor: 32,
    }
}

/// calico-ipam's families: assign_ipv4 defaults to true, assign_ipv6 to false.
pub fn ipam_flags(cni_config: &str) -> (bool, bool) {
    let parsed: Option<Value> =
        serde_json::from_str(&cni_config.replace("__CNI_MTU__", "1500")).ok();
    let ipam = parsed
        .as_ref()
        .and_then(|p| p["plugins"].as_array())
        .and_then(|ps| ps.iter().find(|p| p["type"] == "calico"))
        .map(|p| p["ipam"].clone())
        .unwrap_or(Value::Null);
    let flag = |k: &str, default: bool| match &ipam[k] {
        Value::String(s) => s == "true",
        Value::Bool(b) => *b,
        _ => default,
    };
    (flag("assign_ipv4", true), flag("assign_ipv6", false))
}

/// Why calico-node's address autodetection fails on a node (the calico-crashloop fault, or
/// a method that matches nothing on the lab's interfaces).
fn autodetect_failure(
    n: &NodeRec,
    ip: &str,
    m4: Option<&str>,
    ip6: &str,
    m6: Option<&str>,
    faults: &[String],
) -> Option<String> {
    if faults.iter().any(|f| f == "calico-crashloop") {
        return Some("Unable to auto-detect an IPv4 address: no valid IPv4 addresses found on the host interfaces".into());
    }
    let check = |want: bool,
                 method: Option<&str>,
                 iface: &str,
                 addr: &Option<String>,
                 fam: &str|
     -> Option<String> {
        if !want {
            return None;
        }
        let fail = Some(format!(
            "Unable to auto-detect an {fam} address: no valid {fam} addresses found on the host interfaces"
        ));
        addr.as_ref()?;
        match method.unwrap_or("first-found") {
            m if m.starts_with("interface=") => {
                let re = m.trim_start_matches("interface=");
                if iface_matches(re, iface) { None } else { fail }
            }
            _ => None,
        }
    };
    check(ip == "autodetect", m4, &n.ipv4_interface, &n.host_ipv4, "IPv4")
        .or_else(|| check(ip6 == "autodetect", m6, &n.ipv6_interface, &n.host_ipv6, "IPv6"))
        .or_else(|| (ip == "autodetect" && n.host_ipv4.is_none()).then(|| "Unable to auto-detect an IPv4 address: no valid IPv4 addresses found on the host interfaces".to_string()))
}

/// Calico's interface= takes a regular expression (Go regexp, unanchored). The lab handles
/// the forms used in practice: a name, `^name$`, `name.*`, alternations with `|`.
fn iface_matches(re: &str, iface: &str) -> bool {
    re.split('|').any(|alt| {
        let anchored_start = alt.starts_with('^');
        let anchored_end = alt.ends_with('$');
        let body = alt.trim_start_matches('^').trim_end_matches('$');
        if let Some(prefix) = body.strip_suffix(".*") {
            return if anchored_start {
                iface.starts_with(prefix)
            } else {
                iface.contains(prefix)
            };
        }
        match (anchored_start, anchored_end) {
            (true, true) => iface == body,
            (true, false) => iface.starts_with(body),
            (false, true) => iface.ends_with(body),
            (false, false) => iface.contains(body),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipam_defaults_and_the_guides_edit() {
        assert_eq!(
            ipam_flags(r#"{"plugins":[{"type":"calico","ipam":{"type":"calico-ipam"}}]}"#),
            (true, false)
        );
        assert_eq!(
            ipam_flags(
                r#"{"plugins":[{"type":"calico","mtu": __CNI_MTU__,"ipam":{"type":"calico-ipam","assign_ipv4":"true","assign_ipv6":"true"}}]}"#
            ),
            (true, true)
        );
    }

    #[test]
    fn interface_regexes() {
        assert!(iface_matches("^ens192$", "ens192"));
        assert!(!iface_matches("^ens192$", "ens1920"));
        assert!(iface_matches("ens224", "vethens224"));
        assert!(iface_matches("eth.*|ens.*", "ens192"));
        assert!(!iface_matches("^eth0$", "ens192"));
    }
}
