//! What the control-plane components make of the flags kubeadm gives them from the config:
//! kube-apiserver's service ranges, kube-controller-manager's cluster CIDRs and node masks,
//! and the IPv6DualStack gate each one runs with. A component that refuses its flags does not
//! start, as on a real node; the lab records why.

use super::podcidr;
use crate::sim::kubeadm::config::KubeadmConfig;
use crate::sim::version::Version;
use ipnet::IpNet;

/// The IPv6DualStack gate's default: alpha (off) up to 1.20, beta (on) from 1.21, GA locked
/// on in 1.23 (kubernetes/website feature-gates/IPv6DualStack.md).
pub fn gate_default(v: Version) -> bool {
    v.at_least(21)
}

/// The gate as a component sees it: its own `feature-gates` flag if the user set one (it
/// replaces kubeadm's), else the one kubeadm forwards from its featureGates (up to 1.23,
/// cmd/kubeadm/app/phases/controlplane/manifests.go), else the default. Err: the component
/// does not know the gate any more and exits ("unrecognized feature gate").
pub fn component_gate(
    v: Version,
    user_flag: Option<&str>,
    kubeadm_fg: Option<bool>,
    removed_in: u32,
) -> Result<bool, String> {
    let set = match user_flag {
        Some(flag) => flag.split(',').find_map(|kv| {
            let (k, val) = kv.split_once('=')?;
            (k.trim() == "IPv6DualStack").then(|| val.trim() == "true")
        }),
        None if v.minor <= 23 => kubeadm_fg,
        None => None,
    };
    match set {
        Some(_) if v.minor >= removed_in => Err("unrecognized feature gate: IPv6DualStack".into()),
        Some(false) if v.at_least(23) => {
            Err("cannot set feature gate IPv6DualStack to false, feature is locked to true".into())
        }
        Some(b) => Ok(b),
        None => Ok(gate_default(v)),
    }
}

fn arg<'a>(args: &'a [(String, String)], name: &str) -> Option<&'a str> {
    args.iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

pub fn split_cidrs(s: &str) -> Vec<IpNet> {
    s.split(',')
        .filter_map(|c| c.trim().parse::<IpNet>().ok())
        .map(|n| n.trunc())
        .collect()
}

/// kube-apiserver: its service ranges, or why it does not start.
pub fn apiserver(v: Version, cfg: &KubeadmConfig) -> Result<(Vec<IpNet>, bool), String> {
    let gate = component_gate(
        v,
        arg(&cfg.cluster.apiserver_args, "feature-gates"),
        cfg.cluster.gate("IPv6DualStack"),
        25,
    )?;
    let ranges = split_cidrs(
        cfg.cluster
            .service_subnet
            .as_deref()
            .unwrap_or("10.96.0.0/12"),
    );
    if ranges.len() == 2 && !gate && !v.at_least(21) {
        return Err("--secondary-service-cluster-ip-range can only be used if IPv6DualStack feature is enabled".into());
    }
    for (i, r) in ranges.iter().enumerate() {
        let host_bits = r.max_prefix_len() - r.prefix_len();
        if host_bits > 20 {
            return Err(if i == 0 {
                "specified --service-cluster-ip-range is too large".into()
            } else {
                "specified --secondary-service-cluster-ip-range is too large".into()
            });
        }
    }
    let dual = ranges.len() == 2;
    Ok((ranges, dual))
}

/// kube-controller-manager's node IPAM: cluster CIDRs and per-family masks, or why it exits.
pub struct Ipam {
    pub cluster_cidrs: Vec<IpNet>,
    pub mask_v4: u8,
    pub mask_v6: u8,
}

pub fn controller_manager(v: Version, cfg: &KubeadmConfig) -> Result<Option<Ipam>, String> {
    let c = &cfg.cluster;
    let gate = component_gate(
        v,
        arg(&c.controller_manager_args, "feature-gates"),
        c.gate("IPv6DualStack"),
        28,
    )?;
    let Some(pod_subnet) = c.pod_subnet.as_deref().filter(|s| !s.is_empty()) else {
        // No podSubnet: kubeadm does not turn on --allocate-node-cidrs; nodes get no podCIDR.
        return Ok(None);
    };
    if arg(&c.controller_manager_args, "allocate-node-cidrs") == Some("false") {
        return Ok(None);
    }
    let cidrs = split_cidrs(pod_subnet);
    if cidrs.len() > 1 && !gate && !v.at_least(21) {
        return Err(format!(
            "len of ClusterCIDRs=={} and dualstack feature is not enabled",
            cidrs.len()
        ));
    }
    // The flags: kubeadm's own (up to 1.19 it computes the masks), then the user's over them.
    let mut args: Vec<(String, String)> = Vec::new();
    if v.minor <= 19 {
        if c.gate("IPv6DualStack") == Some(true) && pod_subnet.contains(',') {
            args.push(("node-cidr-mask-size-ipv4".into(), "24".into()));
            if let Some(v6) = pod_subnet.split(',').find(|s| s.contains(':')) {
                args.push((
                    "node-cidr-mask-size-ipv6".into(),
                    podcidr::kubeadm_v119_mask(v6).to_string(),
                ));
            }
        } else {
            args.push((
                "node-cidr-mask-size".into(),
                podcidr::kubeadm_v119_mask(pod_subnet).to_string(),
            ));
        }
    }
    args.extend(c.controller_manager_args.iter().cloned());
    let num = |name: &str| -> Result<Option<u8>, String> {
        arg(&args, name)
            .map(|s| s.parse::<u8>().map_err(|_| format!("invalid argument {s:?} for \"--{name}\" flag: strconv.ParseInt: parsing {s:?}: invalid syntax")))
            .transpose()
    };
    let legacy = num("node-cidr-mask-size")?;
    let (p4, p6) = (
        num("node-cidr-mask-size-ipv4")?,
        num("node-cidr-mask-size-ipv6")?,
    );
    let dual = cidrs.len() == 2;
    let (mask_v4, mask_v6) = if dual {
        if legacy.is_some() && v.at_least(23) {
            return Err(
                "usage of --node-cidr-mask-size is not allowed with dual-stack clusters".into(),
            );
        }
        (p4.unwrap_or(24), p6.unwrap_or(64))
    } else {
        (legacy.or(p4).unwrap_or(24), legacy.or(p6).unwrap_or(64))
    };
    for n in &cidrs {
        podcidr::mask_fits(n, if n.addr().is_ipv4() { mask_v4 } else { mask_v6 })?;
    }
    Ok(Some(Ipam {
        cluster_cidrs: cidrs,
        mask_v4,
        mask_v6,
    }))
}

/// The kubelet's gate: its KubeletConfiguration's featureGates, else kubeadm's (forwarded
/// into the kubelet config from 1.19, #90840), else the default.
pub fn kubelet_gate(v: Version, cfg: &KubeadmConfig) -> Result<bool, String> {
    let own = cfg
        .kubelet
        .feature_gates
        .iter()
        .find(|(k, _)| k == "IPv6DualStack")
        .map(|(_, b)| *b);
    let set = own.or(if v.minor <= 23 {
        cfg.cluster.gate("IPv6DualStack")
    } else {
        None
    });
    match set {
        Some(_) if v.at_least(25) => Err("unrecognized feature gate: IPv6DualStack".into()),
        Some(false) if v.at_least(23) => {
            Err("cannot set feature gate IPv6DualStack to false, feature is locked to true".into())
        }
        Some(b) => Ok(b),
        None => Ok(gate_default(v)),
    }
}
