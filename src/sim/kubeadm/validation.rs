//! kubeadm's validation of a loaded config (cmd/kubeadm/app/apis/kubeadm/validation/
//! validation.go) per release, and `kubeadm config validate` (from 1.28, #118013).

use super::config::{self, KubeadmConfig};
use super::{EXIT_DEFAULT, EXIT_VALIDATION, Flags, fail};
use crate::sim::Exit;
use crate::sim::version::Version;
use ipnet::IpNet;

/// kubeadm's minimums (constants.go MinimumAddressesInServiceSubnet / InPodSubnet) and the
/// service-subnet cap (MaximumBitsForServiceSubnet), checked from 1.20 (#95723).
const MIN_SERVICE_ADDRS: u128 = 10;
const MIN_POD_ADDRS: u128 = 14;
const MAX_SERVICE_BITS: u8 = 20;

/// Every field error kubeadm would give, in its words (`field: Invalid value: "x": why`).
pub fn errors(v: Version, cfg: &KubeadmConfig) -> Vec<String> {
    let mut errs = Vec::new();
    let c = &cfg.cluster;
    // featureGates: IPv6DualStack left kubeadm in 1.24 (#106648).
    if !c.feature_gates.is_empty() {
        let mut sorted = c.feature_gates.clone();
        sorted.sort();
        let map = format!(
            "map[string]bool{{{}}}",
            sorted
                .iter()
                .map(|(k, b)| format!("{k:?}:{b}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for (k, b) in &c.feature_gates {
            if k == "IPv6DualStack" && v.at_least(24) {
                errs.push(format!(
                    "featureGates: Invalid value: {map}: IPv6DualStack is not a valid feature name."
                ));
            } else if k == "IPv6DualStack" && v.minor == 23 && !*b {
                errs.push(format!("featureGates: Invalid value: {map}: cannot set feature gate IPv6DualStack to false, feature is locked to true"));
            }
        }
    }
    let dual = v.at_least(23) || c.gate("IPv6DualStack").unwrap_or(v.at_least(21));
    if let Some(s) = c.service_subnet.as_deref() {
        errs.extend(subnet_errors(
            v,
            s,
            "networking.serviceSubnet",
            dual,
            MIN_SERVICE_ADDRS,
        ));
        if v.at_least(20) {
            for n in crate::sim::cluster::controlplane::split_cidrs(s) {
                let bits = n.max_prefix_len();
                if bits - n.prefix_len() > MAX_SERVICE_BITS {
                    errs.push(format!(
                        "networking.serviceSubnet: Invalid value: {s:?}: specified service subnet is too large; for {bits}-bit addresses, the mask must be >= {}",
                        bits - MAX_SERVICE_BITS
                    ));
                }
            }
        }
    }
    if let Some(p) = c.pod_subnet.as_deref().filter(|p| !p.is_empty()) {
        let before = errs.len();
        errs.extend(subnet_errors(
            v,
            p,
            "networking.podSubnet",
            dual,
            MIN_POD_ADDRS,
        ));
        if v.at_least(20)
            && errs.len() == before
            && c.kcm_arg("allocate-node-cidrs") != Some("false")
        {
            errs.extend(pod_mask_errors(v, c, p, dual));
        }
    }
    if let Some(init) = &cfg.init {
        if let Some(a) = init.advertise_address.as_deref()
            && a.parse::<std::net::IpAddr>().is_err()
        {
            errs.push(format!(
                "localAPIEndpoint.advertiseAddress: Invalid value: {a:?}: ip address is not valid"
            ));
        }
        if let Some(n) = init.node.name.as_deref()
            && !is_dns1123_subdomain(n)
        {
            errs.push(format!("nodeRegistration.name: Invalid value: {n:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }
    }
    errs
}

fn subnet_errors(v: Version, s: &str, field: &str, dual: bool, min: u128) -> Vec<String> {
    let parts: Vec<&str> = s.split(',').collect();
    let parse_err = || {
        vec![format!(
            "{field}: Invalid value: {s:?}: couldn't parse subnet"
        )]
    };
    if !dual && parts.len() > 1 {
        return parse_err();
    }
    let mut nets = Vec::new();
    for p in &parts {
        match p.trim().parse::<IpNet>() {
            Ok(n) => nets.push(n),
            Err(_) => return parse_err(),
        }
    }
    let mut errs = Vec::new();
    if nets.len() > 1 {
        let ok = nets.len() == 2 && nets[0].addr().is_ipv4() != nets[1].addr().is_ipv4();
        if !ok {
            errs.push(if v.at_least(20) {
                format!("{field}: Invalid value: {s:?}: expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking")
            } else {
                format!("{field}: Invalid value: {s:?}: expected at least one IP from each family (v4 or v6) for dual-stack networking")
            });
            return errs;
        }
    }
    if v.at_least(20) {
        for n in &nets {
            let host_bits = (n.max_prefix_len() - n.prefix_len()) as u32;
            let addrs: u128 = if host_bits >= 127 {
                u128::MAX
            } else {
                1u128 << host_bits
            };
            if addrs < min {
                errs.push(format!(
                    "{field}: Invalid value: {s:?}: subnet with {addrs} address(es) is too small, the minimum is {min}"
                ));
            }
        }
    }
    errs
}

/// ValidatePodSubnetNodeMask: each pod subnet against the controller-manager's node mask for
/// its family (defaults 24 and 64; from 1.23 only the per-family flags are read; before,
/// without dual-stack, the single --node-cidr-mask-size).
fn pod_mask_errors(v: Version, c: &config::ClusterCfg, p: &str, dual: bool) -> Vec<String> {
    let mut errs = Vec::new();
    for n in crate::sim::cluster::controlplane::split_cidrs(p) {
        let v4 = n.addr().is_ipv4();
        let flag = if !dual && !v.at_least(23) {
            "node-cidr-mask-size"
        } else if v4 {
            "node-cidr-mask-size-ipv4"
        } else {
            "node-cidr-mask-size-ipv6"
        };
        let mask = match c.kcm_arg(flag) {
            Some(s) => match s.parse::<u8>() {
                Ok(m) => m,
                Err(_) => {
                    errs.push(format!(
                        "networking.podSubnet: Invalid value: {s:?}: could not parse the value of the kube-controller-manager flag {flag} as an integer"
                    ));
                    continue;
                }
            },
            None => {
                if v4 {
                    24
                } else {
                    64
                }
            }
        };
        let prefix = n.prefix_len();
        if prefix > mask {
            errs.push(format!(
                "networking.podSubnet: Invalid value: {p:?}: the size of pod subnet with mask {prefix} is smaller than the size of node subnet with mask {mask}"
            ));
        } else if mask - prefix > 16 {
            errs.push(format!(
                "networking.podSubnet: Invalid value: {p:?}: pod subnet mask ({prefix}) and node-mask ({mask}) difference is greater than 16"
            ));
        }
    }
    errs
}

fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// An aggregate of field errors as apimachinery prints it: one alone, several in brackets.
pub fn aggregate(errs: &[String]) -> String {
    if errs.len() == 1 {
        errs[0].clone()
    } else {
        format!("[{}]", errs.join(", "))
    }
}

/// `kubeadm config validate --config F`: unknown APIs and fields are errors here.
pub fn validate_cmd(v: Version, args: &[String]) -> Exit {
    let flags = match Flags::parse(args, &["config", "kubeconfig"], &["allow-experimental-api"]) {
        Ok(f) => f,
        Err(e) => return fail(v, &e, EXIT_DEFAULT),
    };
    let Some(path) = flags.get("config") else {
        return fail(v, "the --config flag is mandatory", EXIT_DEFAULT);
    };
    let (cfg, warnings) = match config::load(std::path::Path::new(path), v, "validate") {
        Ok(x) => x,
        Err(e) => {
            return fail(v, &e.message, e.code);
        }
    };
    // The strict-decoding findings are errors for validate; other warnings stay warnings.
    if let Some(w) = warnings
        .iter()
        .find(|w| w.contains("strict decoding error"))
    {
        let msg = w.split_once("] ").map(|(_, m)| m).unwrap_or(w);
        return fail(v, msg, EXIT_DEFAULT);
    }
    for w in &warnings {
        eprintln!("{w}");
    }
    let errs = errors(v, &cfg);
    if !errs.is_empty() {
        return fail(v, &aggregate(&errs), EXIT_VALIDATION);
    }
    println!("ok");
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(m: u32) -> Version {
        Version { minor: m, patch: 0 }
    }

    fn cluster(pod: &str, svc: &str, kcm: &[(&str, &str)], gate: Option<bool>) -> KubeadmConfig {
        KubeadmConfig {
            cluster: config::ClusterCfg {
                pod_subnet: Some(pod.into()),
                service_subnet: Some(svc.into()),
                controller_manager_args: kcm
                    .iter()
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .collect(),
                feature_gates: gate
                    .map(|g| vec![("IPv6DualStack".to_string(), g)])
                    .unwrap_or_default(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn the_guides_subnets_pass_on_119_and_fail_the_node_mask_from_120() {
        let guide = cluster(
            "10.10.0.0/16,2019:20::/112",
            "10.96.0.0/12,2019:30::/112",
            &[],
            Some(true),
        );
        assert!(errors(v(19), &guide).is_empty());
        let e = errors(v(20), &guide);
        assert_eq!(
            e,
            [
                "networking.podSubnet: Invalid value: \"10.10.0.0/16,2019:20::/112\": the size of pod subnet with mask 112 is smaller than the size of node subnet with mask 64"
            ]
        );
        let fixed = cluster(
            "10.10.0.0/16,2019:20::/112",
            "10.96.0.0/12,2019:30::/112",
            &[("node-cidr-mask-size-ipv6", "120")],
            Some(true),
        );
        assert!(errors(v(20), &fixed).is_empty());
    }

    #[test]
    fn dual_stack_lists_need_the_gate_before_121() {
        let c = cluster("10.10.0.0/16,2019:20::/112", "10.96.0.0/12", &[], None);
        assert_eq!(
            errors(v(19), &c),
            [
                "networking.podSubnet: Invalid value: \"10.10.0.0/16,2019:20::/112\": couldn't parse subnet"
            ]
        );
    }

    #[test]
    fn the_gate_is_refused_from_124() {
        let c = cluster("10.10.0.0/16", "10.96.0.0/12", &[], Some(true));
        assert_eq!(
            errors(v(24), &c),
            [
                "featureGates: Invalid value: map[string]bool{\"IPv6DualStack\":true}: IPv6DualStack is not a valid feature name."
            ]
        );
    }

    #[test]
    fn service_subnet_cap_and_vectors() {
        let c = cluster("10.0.0.16/12", "2001:db8::1/64", &[], None);
        assert_eq!(
            errors(v(28), &c),
            [
                "networking.serviceSubnet: Invalid value: \"2001:db8::1/64\": specified service subnet is too large; for 128-bit addresses, the mask must be >= 108"
            ]
        );
        let c = cluster("2001:db8::/48", "10.0.0.16/12", &[], None);
        assert!(errors(v(28), &c).is_empty());
        let c = cluster("2001:db8::1/12", "10.96.0.0/12", &[], None);
        assert!(errors(v(28), &c)[0].contains("difference is greater than 16"));
        let c = cluster("10.0.0.16/12,192.168.0.0/16", "10.96.0.0/12", &[], None);
        assert!(errors(v(28), &c)[0].contains("two CIDRs from each family"));
    }
}
