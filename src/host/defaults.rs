//! An answers file for this host: the suggestions as defaults, versions from what is
//! installed, and address pools that do not collide with the host's own networks.

use super::facts::HostFacts;
use crate::answers::{
    API_VERSION, AddressFamily, Answers, Calico, CalicoInstall, KIND, Kubernetes, Networking, Node,
};
use crate::plan::version::{self, KubeVersion};
use std::net::IpAddr;

/// Pod and service subnets to try, in order: kind's dual-stack defaults (fd00:10:244::/56,
/// fd00:10:96::/112 with kubeadm's 10.244/16 and 10.96/12), then the seed's own layout
/// moved into ULA space, then a 172.x/ULA pair. The first that passes `plan::check` wins.
const POOLS: &[(&str, &str, &str, &str)] = &[
    (
        "10.244.0.0/16",
        "fd00:10:244::/56",
        "10.96.0.0/12",
        "fd00:10:96::/112",
    ),
    (
        "10.10.0.0/16",
        "fd00:10:10::/56",
        "10.112.0.0/12",
        "fd00:10:112::/112",
    ),
    (
        "172.20.0.0/16",
        "fd00:172:20::/56",
        "172.21.0.0/16",
        "fd00:172:21::/112",
    ),
];

/// A node name Kubernetes accepts (RFC 1123 subdomain): the hostname in lowercase, other
/// characters turned into '-'.
pub fn node_name(hostname: &str) -> String {
    let lower = hostname.trim().to_ascii_lowercase();
    let mapped: String = lower
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let labels: Vec<String> = mapped
        .split('.')
        .map(|l| l.trim_matches('-').chars().take(63).collect::<String>())
        .map(|l| l.trim_matches('-').to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let name: String = labels.join(".").chars().take(253).collect();
    let name = name.trim_matches(['-', '.']).to_string();
    if name.is_empty() {
        "node01".into()
    } else {
        name
    }
}

/// The Kubernetes version: what the installed kubeadm says, when dsinstall supports it; else
/// the newest minor of the version table.
pub fn kubernetes_version(f: &HostFacts) -> String {
    f.tools
        .get("kubeadm")
        .and_then(|t| t.as_ref())
        .and_then(|t| t.version.as_deref())
        .and_then(|v| KubeVersion::parse_reported(v).ok())
        .filter(|v| version::kube_minor(v).is_ok())
        .map(|v| v.kubeadm_string())
        .unwrap_or_else(|| format!("v1.{}.0", version::NEWEST_MINOR))
}

/// The newest Calico tested with that Kubernetes minor (its requirements page), else the one
/// tested nearest to it: kubeadm v1.19 gets v3.20.0, not a release that was never run on it.
pub fn calico_version(kube_version: &str) -> String {
    calico_version_for(kube_version, None)
}

/// As `calico_version`, on a node whose kernel release (`uname -r`) is known: Calico v3.29+
/// ask for Linux 5.10, so a CentOS 7 node (3.10) gets v3.28 or older.
pub fn calico_version_for(kube_version: &str, kernel: Option<&str>) -> String {
    let minor = KubeVersion::parse(kube_version)
        .map(|v| v.minor)
        .unwrap_or(version::NEWEST_MINOR);
    let kernel = kernel.and_then(kernel_version);
    format!("v3.{}.0", version::calico_for(minor, kernel).minor)
}

/// `3.10.0-1062.el7.x86_64` → (3, 10).
fn kernel_version(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The CRI socket for that version among those present: dockershim only while the kubelet
/// has it (removed in 1.24, KEP-2221), `unix://` URLs from 1.24 (kubeadm#2426).
pub fn cri_socket(f: &HostFacts, kube_version: &str) -> Option<String> {
    let row = KubeVersion::parse(kube_version)
        .ok()
        .and_then(|v| version::kube_minor(&v).ok())?;
    let pick = f
        .cri_sockets
        .iter()
        .find(|s| !s.ends_with("dockershim.sock") || row.dockershim)?;
    Some(if row.cri_socket_url {
        format!("unix://{pick}")
    } else {
        pick.clone()
    })
}

/// Calico's interface autodetection takes a regular expression (calico-node
/// `autodetection.filteredInterfaces` uses regexp.MatchString), so `ens2` would also match
/// `ens224`: anchor it and escape what a name may hold.
pub fn interface_method(nic: &str) -> String {
    let mut re = String::from("interface=^");
    for c in nic.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            re.push('\\');
        }
        re.push(c);
    }
    re.push('$');
    re
}

fn host_addresses(f: &HostFacts) -> Vec<IpAddr> {
    f.interfaces
        .iter()
        .flat_map(|i| &i.addresses)
        .filter_map(|a| a.address.parse().ok())
        .collect()
}

fn endpoint(vip: &str) -> Option<String> {
    match vip.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => Some(format!("{a}:6443")),
        IpAddr::V6(a) => Some(format!("[{a}]:6443")),
    }
}

/// The answers `export` writes and the wizard starts from.
pub fn suggest_answers(f: &HostFacts) -> Answers {
    let s = &f.suggested;
    let kube_version = kubernetes_version(f);
    let v4_first = s.ipv4.is_some() || s.ipv6.is_none();
    let cpe = s
        .vip_candidates
        .iter()
        .find(|v| v.parse::<IpAddr>().is_ok_and(|ip| ip.is_ipv4() == v4_first))
        .and_then(|v| endpoint(v));
    let calico_version = calico_version_for(&kube_version, f.kernel.as_deref());
    let base = Answers {
        api_version: API_VERSION.into(),
        kind: KIND.into(),
        kubernetes: Kubernetes {
            version: kube_version.clone(),
            cri_socket: cri_socket(f, &kube_version),
            // The kubelet follows the runtime's driver as detected.
            cgroup_driver: f
                .cgroup_driver
                .as_ref()
                .and_then(|c| crate::answers::CgroupDriver::parse(&c.driver)),
            control_plane_endpoint: cpe,
            ..Default::default()
        },
        node: Node {
            name: node_name(&f.hostname),
            ipv4: s.ipv4.clone(),
            ipv6: s.ipv6.clone(),
            ipv4_interface: s.ipv4_interface.clone(),
            ipv6_interface: s.ipv6_interface.clone(),
            api_advertise: (!v4_first).then_some(AddressFamily::Ipv6),
        },
        networking: Networking::default(),
        calico: Calico {
            version: calico_version,
            install: CalicoInstall::Manifest,
            ipv4_autodetection_method: s.ipv4_interface.as_deref().map(interface_method),
            ipv6_autodetection_method: s.ipv6_interface.as_deref().map(interface_method),
            ..Default::default()
        },
        nodes: Vec::new(),
        ssh: None,
        verify: None,
    };
    let own = host_addresses(f);
    let with_pools = |(p4, p6, s4, s6): &(&str, &str, &str, &str)| {
        let mut a = base.clone();
        let (pods, svcs) = if v4_first {
            (vec![p4, p6], vec![s4, s6])
        } else {
            (vec![p6, p4], vec![s6, s4])
        };
        a.networking.pod_subnets = pods.into_iter().map(|x| x.to_string()).collect();
        a.networking.service_subnets = svcs.into_iter().map(|x| x.to_string()).collect();
        a
    };
    // Pools that cover none of this host's addresses (the node's own network must stay
    // outside pod and service ranges) and that the plan accepts.
    let clear = |a: &Answers| {
        a.networking
            .pod_subnets
            .iter()
            .chain(&a.networking.service_subnets)
            .filter_map(|c| c.parse::<ipnet::IpNet>().ok())
            .all(|n| !own.iter().any(|ip| n.contains(ip)))
    };
    let candidates: Vec<Answers> = POOLS.iter().map(with_pools).collect();
    let mut a = candidates
        .iter()
        .find(|a| clear(a) && !crate::plan::check(a).has_errors())
        .or_else(|| candidates.iter().find(|a| clear(a)))
        .unwrap_or(&candidates[0])
        .clone();
    // A unique local IPv6 pod range reaches nothing outside the cluster unless Calico
    // masquerades it, which it does not by default for IPv6 (projectcalico/calico#2954):
    // the suggestion turns it on rather than warn about itself.
    let ula = |c: &String| {
        c.parse::<ipnet::IpNet>().is_ok_and(
            |n| matches!(n, ipnet::IpNet::V6(v6) if v6.addr().segments()[0] & 0xfe00 == 0xfc00),
        )
    };
    if a.networking.pod_subnets.iter().any(ula) {
        a.calico.ipv6_nat_outgoing = Some(true);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::facts::Tool;

    fn seed() -> HostFacts {
        crate::host::demo_facts()
    }

    #[test]
    fn seed_node01_answers_pass_the_plan() {
        let a = suggest_answers(&seed());
        let c = crate::plan::check(&a);
        assert!(!c.has_errors(), "{:?}", c.problems);
        assert_eq!(a.node.name, "node01");
        assert_eq!(a.node.ipv4.as_deref(), Some("111.111.111.121"));
        assert_eq!(a.node.ipv6.as_deref(), Some("2018::21"));
        assert_eq!(a.node.ipv6_interface.as_deref(), Some("ens224"));
        assert_eq!(a.node.ipv4_interface.as_deref(), Some("ens192"));
        assert_eq!(a.kubernetes.version, "v1.19.0", "from the detected kubeadm");
        // The newest Calico whose docs list 1.19 as tested (v3.20: 1.19-1.21).
        assert_eq!(a.calico.version, "v3.20.0");
        assert!(
            !c.problems.iter().any(|p| p.path == "calico.version"),
            "{:?}",
            c.problems
        );
        assert_eq!(
            a.kubernetes.cri_socket.as_deref(),
            Some("/var/run/dockershim.sock")
        );
        assert_eq!(
            a.kubernetes.control_plane_endpoint.as_deref(),
            Some("111.111.111.120:6443")
        );
        assert_eq!(
            a.calico.ipv6_autodetection_method.as_deref(),
            Some("interface=^ens224$")
        );
        assert_eq!(
            a.networking.pod_subnets,
            ["10.244.0.0/16", "fd00:10:244::/56"]
        );
        // And it survives the file round trip the export makes.
        let back = Answers::from_yaml(&a.to_yaml(), "t").unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn without_kubeadm_the_newest_versions_are_used() {
        let mut f = seed();
        f.tools.clear();
        let a = suggest_answers(&f);
        assert_eq!(
            a.kubernetes.version,
            format!("v1.{}.0", version::NEWEST_MINOR)
        );
        // The seed's CentOS 7 kernel (3.10) is below v3.29+'s stated 5.10.
        assert_eq!(a.calico.version, "v3.28.0");
        f.kernel = None;
        assert_eq!(
            suggest_answers(&f).calico.version,
            format!("v3.{}.0", version::CALICO_NEWEST_MINOR)
        );
        // dockershim is gone in the newest Kubernetes: no socket rather than a wrong one.
        assert_eq!(a.kubernetes.cri_socket, None);
        assert!(!crate::plan::check(&a).has_errors());
    }

    #[test]
    fn containerd_becomes_a_unix_url_from_1_24() {
        let mut f = seed();
        f.cri_sockets = vec![
            "/var/run/dockershim.sock".into(),
            "/run/containerd/containerd.sock".into(),
        ];
        f.tools.insert(
            "kubeadm".into(),
            Some(Tool {
                path: "/usr/bin/kubeadm".into(),
                version: Some("v1.31.2".into()),
                problem: None,
                problem_code: None,
            }),
        );
        let a = suggest_answers(&f);
        assert_eq!(
            a.kubernetes.cri_socket.as_deref(),
            Some("unix:///run/containerd/containerd.sock")
        );
        assert!(!crate::plan::check(&a).has_errors());
    }

    #[test]
    fn an_unsupported_kubeadm_falls_back_to_the_newest() {
        let mut f = seed();
        f.tools.insert(
            "kubeadm".into(),
            Some(Tool {
                path: "/usr/bin/kubeadm".into(),
                version: Some("v1.12.0".into()),
                problem: None,
                problem_code: None,
            }),
        );
        assert_eq!(
            kubernetes_version(&f),
            format!("v1.{}.0", version::NEWEST_MINOR)
        );
    }

    #[test]
    fn calico_follows_the_kubernetes_minor() {
        assert_eq!(calico_version("v1.19.0"), "v3.20.0");
        assert_eq!(
            calico_version_for("v1.31.2", Some("3.10.0-1062.el7.x86_64")),
            "v3.28.0"
        );
        assert_eq!(
            calico_version_for("v1.31.2", Some("6.1.0-28-amd64")),
            "v3.30.0"
        );
        assert_eq!(calico_version_for("v1.31.2", Some("garbage")), "v3.30.0");
        assert_eq!(calico_version("v1.26.3"), "v3.26.0");
        assert_eq!(calico_version("v1.31.2"), "v3.30.0");
        assert_eq!(calico_version("v1.36.0"), "v3.32.0");
        // Newer than anything Calico lists: the newest Calico.
        assert_eq!(
            calico_version(&format!("v1.{}.0", version::NEWEST_MINOR)),
            format!("v3.{}.0", version::CALICO_NEWEST_MINOR)
        );
        let mut f = seed();
        f.tools.insert(
            "kubeadm".into(),
            Some(Tool {
                path: "/usr/bin/kubeadm".into(),
                version: Some("v1.24.17".into()),
                problem: None,
                problem_code: None,
            }),
        );
        assert_eq!(suggest_answers(&f).calico.version, "v3.26.0");
    }

    #[test]
    fn pools_move_away_from_the_host_network() {
        let mut f = seed();
        f.interfaces[1].addresses[1].address = "10.244.3.4".into();
        let a = suggest_answers(&f);
        assert_eq!(a.networking.pod_subnets[0], "10.10.0.0/16");
        assert!(!crate::plan::check(&a).has_errors());
    }

    #[test]
    fn node_names_are_rfc1123() {
        assert_eq!(node_name("Node01"), "node01");
        assert_eq!(node_name("NODE_01.Lab.Local"), "node-01.lab.local");
        assert_eq!(node_name("-x-"), "x");
        assert_eq!(node_name(""), "node01");
        assert_eq!(node_name("..."), "node01");
        assert_eq!(node_name("节点"), "node01");
    }

    #[test]
    fn interface_methods_are_anchored_and_escaped() {
        assert_eq!(interface_method("ens224"), "interface=^ens224$");
        assert_eq!(interface_method("eth0.100"), "interface=^eth0\\.100$");
    }

    #[test]
    fn ipv6_only_host_puts_ipv6_first() {
        let mut f = seed();
        f.suggested.ipv4 = None;
        f.suggested.ipv4_interface = None;
        f.suggested.vip_candidates.clear();
        let a = suggest_answers(&f);
        assert_eq!(a.networking.pod_subnets[0], "fd00:10:244::/56");
        assert_eq!(
            a.calico.ipv6_nat_outgoing,
            Some(true),
            "a ULA pool is masqueraded"
        );
        assert_eq!(a.node.api_advertise, Some(AddressFamily::Ipv6));
    }
}
