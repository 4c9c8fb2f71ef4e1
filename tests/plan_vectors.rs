//! Accept/reject vectors for `plan::check`, re-expressed from Kubernetes' own validation tests:
//! kubeadm `cmd/kubeadm/app/apis/kubeadm/validation/validation_test.go` (ValidateIPNetFromString,
//! ValidatePodSubnetNodeMask, ValidateServiceSubnetSize, ValidateIPFromString,
//! ValidateHostPort), kube-apiserver `TestClusterServiceIPRange`, and the kubelet's --node-ip
//! rules; plus the rules dsinstall adds (host bits, pools, encapsulation, versions).
//!
//! Where dsinstall is stricter than kubeadm it says so: Go's CIDR parser drops host bits
//! (`10.0.0.16/12` is read as `10.0.0.0/12`), so vectors that are not about host bits use the
//! network address; a host-bits CIDR is its own rejected case.

mod common;

use common::modern;
use dsinstall::answers::{
    AddressFamily, Answers, Encapsulation, NodeMaskSizes, NodeRole, OtherNode, ProxyMode,
};
use dsinstall::plan::{self, Severity};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// No errors (warnings allowed).
    Accept,
    /// At least one error at exactly this path.
    Reject(&'static str),
    /// No errors, and a warning at this path.
    Warn(&'static str),
}
use Expect::*;

/// The seed's own lab (v1.19, kubeadm computes the node masks).
fn seed() -> Answers {
    let mut a = Answers::seed();
    a.calico.ipv6_autodetection_method = Some("interface=^ens224$".into());
    a
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Single-family clusters: drop the other family's node address so only the rule under test fires.
fn single(a: &mut Answers, pods: &str, svcs: &str) {
    a.networking.pod_subnets = s(&[pods]);
    a.networking.service_subnets = s(&[svcs]);
    if pods.contains(':') {
        a.node.api_advertise = Some(AddressFamily::Ipv6);
    }
}

fn pods(a: &mut Answers, v: &[&str]) {
    a.networking.pod_subnets = s(v);
}

fn svcs(a: &mut Answers, v: &[&str]) {
    a.networking.service_subnets = s(v);
}

fn masks(a: &mut Answers, v4: Option<u8>, v6: Option<u8>) {
    a.networking.node_mask_sizes = Some(NodeMaskSizes { ipv4: v4, ipv6: v6 });
}

type Case = (&'static str, fn() -> Answers, fn(&mut Answers), Expect);

fn cases() -> Vec<Case> {
    vec![
        // --- kubeadm ValidateIPNetFromString (pod minimum 14 addresses, service 10) ---
        (
            "ipnet: empty list",
            modern,
            |a| pods(a, &[]),
            Reject("networking.podSubnets"),
        ),
        (
            "ipnet: single IPv4 service",
            modern,
            |a| single(a, "10.244.0.0/16", "10.0.0.0/12"),
            Warn("networking.podSubnets"),
        ),
        (
            "ipnet: single IPv6 service /98 too large, /108 fine",
            modern,
            |a| single(a, "2001:db8::/48", "2001:db8:1::/108"),
            Warn("networking.podSubnets"),
        ),
        (
            "ipnet: address instead of CIDR",
            modern,
            |a| pods(a, &["1.2.3.4", "2001:db8::/48"]),
            Reject("networking.podSubnets[0]"),
        ),
        (
            "ipnet: v6 address instead of CIDR",
            modern,
            |a| pods(a, &["2001:db8::1", "10.0.0.0/12"]),
            Reject("networking.podSubnets[0]"),
        ),
        (
            "ipnet: /29 service has 8 < 10 addresses",
            modern,
            |a| svcs(a, &["10.0.0.16/29", "fd00:10:96::/112"]),
            Reject("networking.serviceSubnets[0]"),
        ),
        (
            "ipnet: /125 service has 8 < 10 addresses",
            modern,
            |a| svcs(a, &["10.96.0.0/16", "2001:db8::/125"]),
            Reject("networking.serviceSubnets[1]"),
        ),
        (
            "ipnet: two IPv4 services",
            modern,
            |a| svcs(a, &["10.0.0.0/12", "192.168.0.0/16"]),
            Reject("networking.serviceSubnets[1]"),
        ),
        (
            "ipnet: two IPv6 services",
            modern,
            |a| svcs(a, &["2001:db8::/108", "2005:db8::/108"]),
            Reject("networking.serviceSubnets[1]"),
        ),
        (
            "ipnet: dual accepted",
            modern,
            |a| svcs(a, &["10.0.0.0/12", "2001:db8::/108"]),
            Accept,
        ),
        (
            "ipnet: three CIDRs",
            modern,
            |a| svcs(a, &["10.0.0.0/12", "2001:db8::/108", "192.168.0.0/16"]),
            Reject("networking.serviceSubnets"),
        ),
        (
            "ipnet: unparsable",
            modern,
            |a| pods(a, &["10.244.0.0/16", "a.b.c.d/24"]),
            Reject("networking.podSubnets[1]"),
        ),
        (
            "ipnet: pod /29 has 8 < 14 addresses",
            modern,
            |a| single(a, "10.0.0.16/29", "10.96.0.0/16"),
            Reject("networking.podSubnets[0]"),
        ),
        // --- kubeadm ValidatePodSubnetNodeMask (kcm defaults /24, /64; max difference 16). The
        //     problem sits on the node mask, given or default: setting it is the fix ---
        (
            "podmask: v4 /29 shorter than node /24",
            modern,
            |a| single(a, "10.0.0.0/28", "10.96.0.0/16"),
            Reject("networking.nodeMaskSizes.ipv4"),
        ),
        (
            "podmask: v4 /24 with node mask 23",
            modern,
            |a| {
                single(a, "10.0.0.0/24", "10.96.0.0/16");
                masks(a, Some(23), None)
            },
            Reject("networking.nodeMaskSizes.ipv4"),
        ),
        (
            "podmask: v6 /112 shorter than node /64",
            modern,
            |a| pods(a, &["10.244.0.0/16", "2001:db8::/112"]),
            Reject("networking.nodeMaskSizes.ipv6"),
        ),
        (
            "podmask: v6 /64 with node mask 24",
            modern,
            |a| {
                pods(a, &["10.244.0.0/16", "2001:db8::/64"]);
                masks(a, None, Some(24))
            },
            Reject("networking.nodeMaskSizes.ipv6"),
        ),
        (
            "podmask: v6 /12 is 52 bits from /64",
            modern,
            |a| pods(a, &["10.244.0.0/16", "2000::/12"]),
            Reject("networking.nodeMaskSizes.ipv6"),
        ),
        (
            "podmask: v6 /64 with node 120 differs by 56",
            modern,
            |a| {
                pods(a, &["10.244.0.0/16", "2001:db8::/64"]);
                masks(a, None, Some(120))
            },
            Reject("networking.nodeMaskSizes.ipv6"),
        ),
        (
            "podmask: v4 /12 differs by 12",
            modern,
            |a| pods(a, &["10.0.0.0/12", "fd00:10:244::/56"]),
            Accept,
        ),
        (
            "podmask: v6 /48 differs by exactly 16",
            modern,
            |a| pods(a, &["10.244.0.0/16", "2001:db8::/48"]),
            Accept,
        ),
        (
            "podmask: dual, v4 part /28 too small",
            modern,
            |a| pods(a, &["10.0.0.0/28", "2001:db8::/48"]),
            Reject("networking.nodeMaskSizes.ipv4"),
        ),
        (
            "podmask: dual, v4 /24 with mask 23",
            modern,
            |a| {
                pods(a, &["10.0.0.0/24", "2001:db8::/48"]);
                masks(a, Some(23), None)
            },
            Reject("networking.nodeMaskSizes.ipv4"),
        ),
        (
            "podmask: v6-first, v6 /112 too small",
            modern,
            |a| {
                pods(a, &["2001:db8::/112", "10.0.0.0/16"]);
                svcs(a, &["fd00:10:96::/112", "10.96.0.0/16"]);
                a.node.api_advertise = Some(AddressFamily::Ipv6)
            },
            Reject("networking.nodeMaskSizes.ipv6"),
        ),
        (
            "podmask: v6-first /48 + v4 /12 accepted",
            modern,
            |a| {
                pods(a, &["2001:db8::/48", "10.0.0.0/12"]);
                svcs(a, &["fd00:10:96::/112", "10.96.0.0/16"]);
                a.node.api_advertise = Some(AddressFamily::Ipv6)
            },
            Accept,
        ),
        (
            "podmask: /80 rejected on 1.25 (kubernetes/kubernetes#112367)",
            modern,
            |a| {
                a.kubernetes.version = "v1.25.0".into();
                pods(a, &["10.244.0.0/16", "2a0a:e5c0:13:aaaa::/80"])
            },
            Reject("networking.nodeMaskSizes.ipv6"),
        ),
        (
            "podmask: 1.19 computes /120 for the seed's /112",
            seed,
            |_| {},
            Warn("kubernetes.version"),
        ),
        (
            "podmask: 1.20 no longer computes it: the seed's /112 fails",
            seed,
            |a| a.kubernetes.version = "v1.20.15".into(),
            Reject("networking.nodeMaskSizes.ipv6"),
        ),
        (
            "podmask: 1.20 with the seed's /112 and nodeMaskSizes.ipv6 120",
            seed,
            |a| {
                a.kubernetes.version = "v1.20.15".into();
                masks(a, None, Some(120))
            },
            Accept,
        ),
        // --- 1.19: kubeadm has no ValidatePodSubnetNodeMask (kk#95723 added it in 1.20); the
        //     controller-manager's cidrset limits only IPv6 to 16 bits (cidr_set.go) ---
        (
            "podmask: 1.19 takes a v4 /12 with node mask 30 (18 bits: no IPv4 limit in kcm)",
            seed,
            |a| {
                pods(a, &["172.16.0.0/12", "2019:20::/112"]);
                a.calico.ipv4_pool = None;
                masks(a, Some(30), None)
            },
            Warn("kubernetes.version"),
        ),
        (
            "podmask: 1.21 refuses the same v4 /12 with node mask 30 (kubeadm checks both families)",
            modern,
            |a| {
                pods(a, &["172.16.0.0/12", "fd00:10:244::/56"]);
                a.calico.ipv4_pool = None;
                masks(a, Some(30), None)
            },
            Reject("networking.nodeMaskSizes.ipv4"),
        ),
        (
            "podmask: 1.19 refuses a v6 /64 with node mask 120 (kcm: node CIDR size too big)",
            seed,
            |a| {
                pods(a, &["10.10.0.0/16", "2019:20::/64"]);
                masks(a, None, Some(120))
            },
            Reject("networking.nodeMaskSizes.ipv6"),
        ),
        (
            "podmask: 1.19 refuses a v4 /25 with node mask 24 (kcm exits)",
            seed,
            |a| {
                pods(a, &["10.10.0.0/25", "2019:20::/112"]);
                masks(a, Some(24), None)
            },
            Reject("networking.nodeMaskSizes.ipv4"),
        ),
        // --- kubeadm ValidateServiceSubnetSize / kube-apiserver validateClusterIPFlags (20 host bits) ---
        (
            "svcsize: v4 /2",
            modern,
            |a| svcs(a, &["64.0.0.0/2", "fd00:10:96::/112"]),
            Reject("networking.serviceSubnets[0]"),
        ),
        (
            "svcsize: v6 /64",
            modern,
            |a| svcs(a, &["10.96.0.0/16", "2001:db8::/64"]),
            Reject("networking.serviceSubnets[1]"),
        ),
        (
            "svcsize: v4 /12 boundary",
            modern,
            |a| svcs(a, &["10.96.0.0/12", "fd00:10:96::/112"]),
            Accept,
        ),
        (
            "svcsize: v6 /108 boundary",
            modern,
            |a| svcs(a, &["10.96.0.0/16", "fd00:10:96::/108"]),
            Accept,
        ),
        (
            "svcsize: v6-first, v4 /6 too large",
            modern,
            |a| {
                svcs(a, &["2001:db8::/112", "8.0.0.0/6"]);
                pods(a, &["fd00:10:244::/56", "10.244.0.0/16"]);
                a.node.api_advertise = Some(AddressFamily::Ipv6)
            },
            Reject("networking.serviceSubnets[1]"),
        ),
        (
            "svcsize: v6 /12 too large",
            modern,
            |a| svcs(a, &["10.96.0.0/16", "2000::/12"]),
            Reject("networking.serviceSubnets[1]"),
        ),
        (
            "svcsize: secondary /48 too large (the seed's warning)",
            seed,
            |a| svcs(a, &["10.96.0.0/12", "2019:30::/48"]),
            Reject("networking.serviceSubnets[1]"),
        ),
        (
            "apiserver: class E IPv4 range accepted",
            modern,
            |a| svcs(a, &["244.0.0.0/16", "fd00:10:96::/112"]),
            Accept,
        ),
        (
            "apiserver: primary /8 too large",
            modern,
            |a| svcs(a, &["11.0.0.0/8", "fd00:10:96::/112"]),
            Reject("networking.serviceSubnets[0]"),
        ),
        // --- family order: pods and services name the same families in the same order ---
        (
            "order: services reversed",
            modern,
            |a| svcs(a, &["fd00:10:96::/112", "10.96.0.0/16"]),
            Reject("networking.serviceSubnets"),
        ),
        (
            "order: services single, pods dual",
            modern,
            |a| svcs(a, &["10.96.0.0/16"]),
            Reject("networking.serviceSubnets[1]"),
        ),
        (
            "order: IPv6 primary without apiAdvertise advertises IPv6",
            modern,
            |a| {
                pods(a, &["fd00:10:244::/56", "10.244.0.0/16"]);
                svcs(a, &["fd00:10:96::/112", "10.96.0.0/16"]);
            },
            Accept,
        ),
        // --- kube-apiserver: advertise family vs the primary service family (kk#106721,
        //     1.24); before 1.24 kubernetes.default gets an endpoint of the other family ---
        (
            "advertise: IPv6 on an IPv4-primary v1.23 cluster",
            modern,
            |a| {
                a.kubernetes.version = "v1.23.0".into();
                a.node.api_advertise = Some(AddressFamily::Ipv6);
            },
            Reject("node.apiAdvertise"),
        ),
        (
            "advertise: IPv6 on an IPv4-primary v1.31 cluster",
            modern,
            |a| a.node.api_advertise = Some(AddressFamily::Ipv6),
            Reject("node.apiAdvertise"),
        ),
        // --- kubeadm ValidateIPFromString / kubelet --node-ip ---
        (
            "ip: ipv4 '1234'",
            modern,
            |a| a.node.ipv4 = Some("1234".into()),
            Reject("node.ipv4"),
        ),
        (
            "ip: ipv4 '1.2'",
            modern,
            |a| a.node.ipv4 = Some("1.2".into()),
            Reject("node.ipv4"),
        ),
        (
            "ip: ipv4 with prefix",
            modern,
            |a| a.node.ipv4 = Some("1.2.3.4/16".into()),
            Reject("node.ipv4"),
        ),
        (
            "ip: ipv6 with prefix",
            modern,
            |a| a.node.ipv6 = Some("2001:db8::1/64".into()),
            Reject("node.ipv6"),
        ),
        (
            "ip: '2001:xb8::'",
            modern,
            |a| a.node.ipv6 = Some("2001:xb8::".into()),
            Reject("node.ipv6"),
        ),
        (
            "ip: '2001::db8::'",
            modern,
            |a| a.node.ipv6 = Some("2001::db8::".into()),
            Reject("node.ipv6"),
        ),
        (
            "ip: empty",
            modern,
            |a| a.node.ipv4 = Some(String::new()),
            Reject("node.ipv4"),
        ),
        (
            "node-ip: '::' cannot be a node IP",
            modern,
            |a| a.node.ipv6 = Some("::".into()),
            Reject("node.ipv6"),
        ),
        (
            "node-ip: link-local",
            modern,
            |a| a.node.ipv6 = Some("fe80::6cd7:3d10:c933:a797".into()),
            Reject("node.ipv6"),
        ),
        (
            "node-ip: IPv4 given as ipv6",
            modern,
            |a| a.node.ipv6 = Some("10.0.0.1".into()),
            Reject("node.ipv6"),
        ),
        (
            "node-ip: missing IPv6 in dual-stack",
            modern,
            |a| a.node.ipv6 = None,
            Reject("node.ipv6"),
        ),
        (
            "node-ip: inside the pod subnet",
            modern,
            |a| a.node.ipv4 = Some("10.244.3.4".into()),
            Reject("node.ipv4"),
        ),
        (
            "node-ip: inside the service subnet",
            modern,
            |a| a.node.ipv6 = Some("fd00:10:96::10".into()),
            Reject("node.ipv6"),
        ),
        // --- kubeadm ValidateHostPort (controlPlaneEndpoint) ---
        (
            "endpoint: dns:port",
            modern,
            |a| a.kubernetes.control_plane_endpoint = Some("cp.k8s.io:8081".into()),
            Accept,
        ),
        (
            "endpoint: dns",
            modern,
            |a| a.kubernetes.control_plane_endpoint = Some("cp.k8s.io".into()),
            Accept,
        ),
        (
            "endpoint: ipv4:port",
            modern,
            |a| a.kubernetes.control_plane_endpoint = Some("1.2.3.4:8081".into()),
            Accept,
        ),
        (
            "endpoint: [ipv6]:port",
            modern,
            |a| a.kubernetes.control_plane_endpoint = Some("[2001:db7::1]:8081".into()),
            Accept,
        ),
        (
            "endpoint: bare ipv6",
            modern,
            |a| a.kubernetes.control_plane_endpoint = Some("2001:db7::1".into()),
            Accept,
        ),
        (
            "endpoint: uppercase label",
            modern,
            |a| a.kubernetes.control_plane_endpoint = Some("a.B.c.d.e".into()),
            Reject("kubernetes.controlPlaneEndpoint"),
        ),
        (
            "endpoint: truncated ipv6",
            modern,
            |a| a.kubernetes.control_plane_endpoint = Some("2001:db7:1".into()),
            Reject("kubernetes.controlPlaneEndpoint"),
        ),
        (
            "endpoint: port 0",
            modern,
            |a| a.kubernetes.control_plane_endpoint = Some("1.2.3.4:0".into()),
            Reject("kubernetes.controlPlaneEndpoint"),
        ),
        // --- advertise address family (kube-apiserver: must match the primary service family) ---
        (
            "advertise: ipv6 with IPv4 primary",
            modern,
            |a| a.node.api_advertise = Some(AddressFamily::Ipv6),
            Reject("node.apiAdvertise"),
        ),
        // --- dsinstall: canonical CIDRs ---
        (
            "canonical: host bits in the pod subnet",
            seed,
            |a| pods(a, &["10.10.0.0/16", "2019:20::5/112"]),
            Reject("networking.podSubnets[1]"),
        ),
        (
            "canonical: host bits in a service subnet",
            modern,
            |a| svcs(a, &["10.96.0.1/16", "fd00:10:96::/112"]),
            Reject("networking.serviceSubnets[0]"),
        ),
        // --- dsinstall: overlaps ---
        (
            "overlap: pod and service",
            modern,
            |a| svcs(a, &["10.244.0.0/20", "fd00:10:96::/112"]),
            Reject("networking.serviceSubnets[0]"),
        ),
        (
            "overlap: v6 pod contains v6 service",
            modern,
            |a| svcs(a, &["10.96.0.0/16", "fd00:10:244::/112"]),
            Reject("networking.serviceSubnets[1]"),
        ),
        (
            "overlap: calico pool over a service range",
            modern,
            |a| a.calico.ipv4_pool = Some("10.96.0.0/16".into()),
            Reject("calico.ipv4Pool"),
        ),
        // --- dsinstall: Calico ---
        (
            "calico: the seed's pool outside its pod subnet",
            seed,
            |a| a.calico.ipv6_pool = Some("2018:100::/112".into()),
            Warn("calico.ipv6Pool"),
        ),
        (
            "calico: pool inside its pod subnet",
            modern,
            |a| a.calico.ipv6_pool = Some("fd00:10:244::/64".into()),
            Accept,
        ),
        (
            "calico: IPIP for IPv6",
            modern,
            |a| a.calico.ipv6_encapsulation = Some(Encapsulation::Ipip),
            Reject("calico.ipv6Encapsulation"),
        ),
        (
            "calico: VXLAN for IPv6 on 3.15",
            seed,
            |a| a.calico.ipv6_encapsulation = Some(Encapsulation::Vxlan),
            Reject("calico.ipv6Encapsulation"),
        ),
        (
            "calico: VXLAN for IPv6 on 3.28",
            modern,
            |a| a.calico.ipv6_encapsulation = Some(Encapsulation::Vxlan),
            Accept,
        ),
        (
            "calico: IPv6 block size out of range",
            modern,
            |a| a.calico.ipv6_block_size = Some(100),
            Reject("calico.ipv6BlockSize"),
        ),
        (
            "calico: /124 pool smaller than a /122 block",
            modern,
            |a| a.calico.ipv6_pool = Some("fd00:10:244::/124".into()),
            Reject("calico.ipv6Pool"),
        ),
        (
            "calico: cidr= autodetection needs 3.16",
            seed,
            |a| a.calico.ipv6_autodetection_method = Some("cidr=2018::/64".into()),
            Reject("calico.ipv6AutodetectionMethod"),
        ),
        (
            "calico: unknown autodetection method",
            modern,
            |a| a.calico.ipv6_autodetection_method = Some("nic=ens224".into()),
            Reject("calico.ipv6AutodetectionMethod"),
        ),
        (
            "calico: unanchored interface regex",
            modern,
            |a| a.calico.ipv6_autodetection_method = Some("interface=ens224".into()),
            Warn("calico.ipv6AutodetectionMethod"),
        ),
        (
            "calico: unsupported version",
            modern,
            |a| a.calico.version = "v3.14.0".into(),
            Reject("calico.version"),
        ),
        (
            "calico: MTU below IPv6's minimum",
            modern,
            |a| a.calico.mtu = Some(1000),
            Reject("calico.mtu"),
        ),
        // --- versions ---
        (
            "version: 1.18 is older than the table",
            modern,
            |a| a.kubernetes.version = "v1.18.20".into(),
            Reject("kubernetes.version"),
        ),
        (
            "version: 1.38 is newer than the table",
            modern,
            |a| a.kubernetes.version = "v1.38.0".into(),
            Reject("kubernetes.version"),
        ),
        (
            "version: garbage",
            modern,
            |a| a.kubernetes.version = "latest".into(),
            Reject("kubernetes.version"),
        ),
        (
            "version: newest",
            modern,
            |a| a.kubernetes.version = "v1.37.1".into(),
            Accept,
        ),
        (
            "cri: dockershim on 1.24",
            modern,
            |a| {
                a.kubernetes.version = "v1.24.17".into();
                a.kubernetes.cri_socket = Some("/var/run/dockershim.sock".into())
            },
            Reject("kubernetes.criSocket"),
        ),
        (
            "cri: plain path on 1.31 gets unix://",
            modern,
            |a| a.kubernetes.cri_socket = Some("/run/containerd/containerd.sock".into()),
            Warn("kubernetes.criSocket"),
        ),
        (
            "cri: tcp scheme",
            modern,
            |a| a.kubernetes.cri_socket = Some("tcp://1.2.3.4:1234".into()),
            Reject("kubernetes.criSocket"),
        ),
        (
            "proxy: ipvs on 1.19 misses IPv6 NodePorts",
            seed,
            |a| a.kubernetes.proxy_mode = Some(ProxyMode::Ipvs),
            Warn("kubernetes.proxyMode"),
        ),
        (
            "proxy: nftables on 1.28 does not exist",
            modern,
            |a| {
                a.kubernetes.version = "v1.28.0".into();
                a.kubernetes.proxy_mode = Some(ProxyMode::Nftables)
            },
            Reject("kubernetes.proxyMode"),
        ),
        (
            "proxy: nftables on 1.33 is GA",
            modern,
            |a| {
                a.kubernetes.version = "v1.33.0".into();
                a.kubernetes.proxy_mode = Some(ProxyMode::Nftables)
            },
            Accept,
        ),
        // --- names and other nodes ---
        (
            "name: uppercase node name",
            modern,
            |a| a.node.name = "Node01".into(),
            Reject("node.name"),
        ),
        (
            "nodes: duplicate name",
            modern,
            |a| a.nodes[1].name = "node02".into(),
            Reject("nodes[1].name"),
        ),
        (
            "nodes: address reused",
            modern,
            |a| a.nodes[0].ipv6 = Some("2018::21".into()),
            Reject("nodes[0].ipv6"),
        ),
        (
            "nodes: missing IPv6",
            modern,
            |a| {
                a.nodes.push(OtherNode {
                    name: "node04".into(),
                    ipv4: Some("111.111.111.124".into()),
                    ..Default::default()
                })
            },
            Reject("nodes[2].ipv6"),
        ),
        (
            "verify: NodePort outside the range",
            modern,
            |a| a.verify.as_mut().unwrap().node_port = Some(80),
            Reject("verify.nodePort"),
        ),
        (
            "dns: invalid domain",
            modern,
            |a| a.networking.dns_domain = Some("cluster..local".into()),
            Reject("networking.dnsDomain"),
        ),
        (
            "registry: frozen k8s.gcr.io on 1.31",
            modern,
            |a| a.kubernetes.image_repository = Some("k8s.gcr.io".into()),
            Warn("kubernetes.imageRepository"),
        ),
        (
            "registry: manifest install without calico.manifest",
            modern,
            |a| a.calico.manifest = None,
            Warn("calico.manifest"),
        ),
        // --- Calico's tested Kubernetes versions (its requirements page per release) ---
        (
            "calico: the seed's v3.15.3 is tested with 1.16-1.18, not 1.19",
            seed,
            |_| {},
            Warn("calico.version"),
        ),
        (
            "calico: v3.32 is not tested with 1.19",
            seed,
            |a| a.calico.version = "v3.32.1".into(),
            Warn("calico.version"),
        ),
        (
            "calico: v3.28 is tested up to 1.30, not 1.31",
            modern,
            |_| {},
            Warn("calico.version"),
        ),
        // --- Calico as calico-node runs it (calico@v3.32.1:node/pkg/lifecycle/startup/startup.go
        // NAT defaults; libcalico-go/lib/ipam/ipam.go non-affine blocks) ---
        (
            "nat: a ULA IPv6 pool without NAT has no egress",
            modern,
            |_| {},
            Warn("calico.ipv6NatOutgoing"),
        ),
        (
            "nat: a ULA IPv6 pool with NAT is fine",
            modern,
            |a| a.calico.ipv6_nat_outgoing = Some(true),
            Accept,
        ),
        (
            "nat: a routed global IPv6 pool goes without",
            seed,
            |a| a.calico.ipv6_nat_outgoing = Some(false),
            Accept,
        ),
        (
            "blocks: a /25 IPv4 pool of /26 blocks has 2 blocks for 3 nodes",
            modern,
            |a| a.calico.ipv4_pool = Some("10.244.0.0/25".into()),
            Warn("calico.ipv4Pool"),
        ),
        (
            "blocks: a /112 IPv6 pool of /122 blocks has 1,024 blocks",
            seed,
            |_| {},
            Accept,
        ),
        (
            "calico: nothing lists 1.37 yet",
            modern,
            |a| {
                a.kubernetes.version = "v1.37.0".into();
                a.calico.version = "v3.32.0".into();
            },
            Warn("calico.version"),
        ),
        // --- input that passes a parser but breaks the cluster ---
        (
            "input: IPv4-mapped node.ipv6 (the kubelet would get two IPv4s)",
            modern,
            |a| a.node.ipv6 = Some("::ffff:1.2.3.4".into()),
            Reject("node.ipv6"),
        ),
        (
            "input: IPv4-mapped joining node ipv6",
            modern,
            |a| a.nodes[1].ipv6 = Some("::ffff:111.111.111.123".into()),
            Reject("nodes[1].ipv6"),
        ),
        (
            "input: multicast pod subnet",
            modern,
            |a| pods(a, &["224.1.0.0/16", "fd00:10:244::/56"]),
            Reject("networking.podSubnets[0]"),
        ),
        (
            "input: loopback service subnet",
            modern,
            |a| svcs(a, &["127.0.0.0/16", "fd00:10:96::/112"]),
            Reject("networking.serviceSubnets[0]"),
        ),
        (
            "input: link-local IPv6 pod subnet",
            modern,
            |a| pods(a, &["10.244.0.0/16", "fe80::/56"]),
            Reject("networking.podSubnets[1]"),
        ),
        (
            "input: 0.0.0.0/8 pod subnet",
            modern,
            |a| pods(a, &["0.0.0.0/16", "fd00:10:244::/56"]),
            Reject("networking.podSubnets[0]"),
        ),
        (
            "input: a range over the broadcast address",
            modern,
            |a| svcs(a, &["255.255.255.0/24", "fd00:10:96::/112"]),
            Reject("networking.serviceSubnets[0]"),
        ),
        (
            "input: IPv4-mapped IPv6 service subnet",
            modern,
            |a| svcs(a, &["10.96.0.0/16", "::ffff:10.96.0.0/112"]),
            Reject("networking.serviceSubnets[1]"),
        ),
        (
            "input: multicast IPv6 pod subnet",
            modern,
            |a| pods(a, &["10.244.0.0/16", "ff05::/56"]),
            Reject("networking.podSubnets[1]"),
        ),
        (
            "input: leading zeros in a CIDR are not read as octal or dropped",
            modern,
            |a| pods(a, &["010.010.0.0/16", "fd00:10:244::/56"]),
            Reject("networking.podSubnets[0]"),
        ),
        (
            "input: a node address with leading zeros",
            modern,
            |a| a.node.ipv4 = Some("111.111.111.021".into()),
            Reject("node.ipv4"),
        ),
        (
            "input: calico.registry with a scheme",
            modern,
            |a| a.calico.registry = Some("https://quay.io".into()),
            Reject("calico.registry"),
        ),
        (
            "input: calico.registry with host and port",
            modern,
            |a| a.calico.registry = Some("registry.local:5000/calico-mirror".into()),
            Accept,
        ),
        (
            "input: imageRepository with quotes (kubeadm ValidateImageRepository)",
            modern,
            |a| a.kubernetes.image_repository = Some("\"registry.k8s.io\"".into()),
            Reject("kubernetes.imageRepository"),
        ),
        (
            "input: imageRepository with a newline",
            modern,
            |a| a.kubernetes.image_repository = Some("registry.k8s.io\nkind: x".into()),
            Reject("kubernetes.imageRepository"),
        ),
        (
            "input: imageRepository with a port and path",
            modern,
            |a| a.kubernetes.image_repository = Some("registry.local:5000/k8s".into()),
            Accept,
        ),
        (
            "input: criSocket with a space",
            modern,
            |a| a.kubernetes.cri_socket = Some("unix:///run/containerd/containerd .sock".into()),
            Reject("kubernetes.criSocket"),
        ),
        (
            "input: clusterName with a space",
            modern,
            |a| a.kubernetes.cluster_name = Some("lab one".into()),
            Reject("kubernetes.clusterName"),
        ),
        (
            "input: clusterName lab-1",
            modern,
            |a| a.kubernetes.cluster_name = Some("lab-1".into()),
            Accept,
        ),
        (
            "input: interface= regex that does not compile (calico-node exits)",
            modern,
            |a| a.calico.ipv6_autodetection_method = Some("interface=^ens(224$".into()),
            Reject("calico.ipv6AutodetectionMethod"),
        ),
        (
            "input: skip-interface= with one bad pattern of two",
            modern,
            |a| a.calico.ipv4_autodetection_method = Some("skip-interface=^veth.*,[".into()),
            Reject("calico.ipv4AutodetectionMethod"),
        ),
        (
            "input: autodetection with quotes",
            modern,
            |a| a.calico.ipv6_autodetection_method = Some("interface=\"^ens224$\"".into()),
            Reject("calico.ipv6AutodetectionMethod"),
        ),
        (
            "input: a Calico pool over the nodes' own network (answers.md forbids it)",
            modern,
            |a| a.calico.ipv4_pool = Some("111.111.111.0/24".into()),
            Reject("calico.ipv4Pool"),
        ),
        (
            "input: a joining node name too long for join-<name>.yaml",
            modern,
            |a| a.nodes[0].name = format!("{}.nnn", vec!["n".repeat(60); 4].join(".")),
            Reject("nodes[0].name"),
        ),
        (
            "input: a joining node name of 245 fits its file name",
            modern,
            |a| a.nodes[0].name = format!("{}.n", vec!["n".repeat(60); 4].join(".")),
            Accept,
        ),
        (
            "input: a build suffix is not dropped",
            modern,
            |a| a.kubernetes.version = "v1.31.0+k3s1".into(),
            Reject("kubernetes.version"),
        ),
        (
            "input: a leading zero in the version is not dropped",
            modern,
            |a| a.kubernetes.version = "v01.31.0".into(),
            Reject("kubernetes.version"),
        ),
        (
            "input: a pre-release is not silently installed as the release",
            modern,
            |a| a.kubernetes.version = "v1.31.0-rc.1".into(),
            Reject("kubernetes.version"),
        ),
        (
            "cri: dockershim on 1.28 is one error, not also a unix:// fix naming it",
            modern,
            |a| {
                a.kubernetes.version = "v1.28.0".into();
                a.kubernetes.cri_socket = Some("/var/run/dockershim.sock".into());
            },
            Reject("kubernetes.criSocket"),
        ),
        // --- kubeadm join preflight: checkIfReadyForAdditionalControlPlane
        //     (cmd/kubeadm/app/cmd/phases/join/preflight.go) ---
        (
            "join: a control-plane join without controlPlaneEndpoint",
            modern,
            |a| {
                a.kubernetes.control_plane_endpoint = None;
                a.nodes[0].role = NodeRole::ControlPlane;
            },
            Reject("kubernetes.controlPlaneEndpoint"),
        ),
        (
            "join: a control-plane join with an endpoint",
            modern,
            |a| a.nodes[0].role = NodeRole::ControlPlane,
            Accept,
        ),
        (
            "join: workers need no endpoint",
            modern,
            |a| a.kubernetes.control_plane_endpoint = None,
            Accept,
        ),
    ]
}

#[test]
fn every_vector_names_its_field() {
    let mut failures = Vec::new();
    let all = cases();
    assert!(
        all.len() >= 40,
        "keep at least 40 vectors, have {}",
        all.len()
    );
    for (name, base, mutate, expect) in all {
        let mut a = base();
        mutate(&mut a);
        let c = plan::check(&a);
        let errors: Vec<&str> = c.errors().map(|p| p.path.as_str()).collect();
        let warnings: Vec<&str> = c
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
            .map(|p| p.path.as_str())
            .collect();
        let ok = match expect {
            Accept => errors.is_empty() && c.plan.is_some(),
            Reject(path) => errors.contains(&path) && c.plan.is_none(),
            Warn(path) => errors.is_empty() && warnings.contains(&path),
        };
        if !ok {
            failures.push(format!(
                "{name}: expected {expect:?}, got errors {errors:?} warnings {warnings:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn host_bits_offer_the_network() {
    let mut a = seed();
    a.networking.pod_subnets = s(&["10.10.0.0/16", "2019:20::5/112"]);
    let c = plan::check(&a);
    let p = c
        .for_path("networking.podSubnets[1]")
        .next()
        .expect("a problem");
    assert!(p.message.contains("2019:20::/112"), "{p}");
    assert_eq!(p.hint.as_deref(), Some("use 2019:20::/112"));
}

/// In the words of the component that refuses it: on 1.19 kube-apiserver, whose message
/// has no mask (cmd/kube-apiserver/app/options/validation.go at 1.19); from 1.20 kubeadm's
/// ValidateServiceSubnetSize (cmd/kubeadm/app/apis/kubeadm/validation/validation.go).
#[test]
fn service_size_message_matches_the_component_that_refuses_it() {
    let mut a = seed();
    a.networking.service_subnets = s(&["10.96.0.0/12", "2019:30::/48"]);
    let c = plan::check(&a);
    let p = c
        .for_path("networking.serviceSubnets[1]")
        .next()
        .expect("a problem");
    assert!(
        p.message
            .starts_with("specified --secondary-service-cluster-ip-range is too large"),
        "{p}"
    );
    assert!(!p.message.contains("mask must be"), "{p}");
    let mut a = modern();
    a.networking.service_subnets = s(&["10.96.0.0/16", "fd00:10:96::/48"]);
    let c = plan::check(&a);
    let p = c
        .for_path("networking.serviceSubnets[1]")
        .next()
        .expect("a problem");
    assert_eq!(
        p.message,
        "specified service subnet is too large; for 128-bit addresses, the mask must be >= 108"
    );
}

/// The pod subnet smaller than its node mask, in the words of whoever refuses it: on 1.19
/// kube-controller-manager (NewNodeIpamController, node_ipam_controller.go; kubeadm 1.19 has
/// no ValidatePodSubnetNodeMask), on 1.20 kubeadm's first wording (kk#95723, as quoted in
/// kk#98796 and kk#98785), from 1.21 the one kk#98796 gave it
/// (cmd/kubeadm/app/apis/kubeadm/validation/validation.go).
#[test]
fn node_mask_messages_follow_the_version_in_use() {
    let smaller = |version: &str| {
        let mut a = seed();
        a.kubernetes.version = version.into();
        if version != "v1.19.0" {
            a.kubernetes.image_repository = None;
        }
        pods(&mut a, &["10.10.0.0/25", "2019:20::/112"]);
        masks(&mut a, Some(24), Some(120));
        let c = plan::check(&a);
        let p = c
            .for_path("networking.nodeMaskSizes.ipv4")
            .next()
            .cloned()
            .unwrap_or_else(|| panic!("{version}: {:?}", c.problems));
        (p.message.clone(), p.code)
    };
    assert_eq!(
        smaller("v1.19.0"),
        (
            "Controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR family (kube-controller-manager exits: the pod subnet is a /25, the node mask /24)".to_string(),
            "node_mask.pod_smaller_kcm"
        )
    );
    assert_eq!(
        smaller("v1.20.15"),
        (
            "pod subnet size is smaller than the node subnet size".to_string(),
            "node_mask.pod_smaller_v1_20"
        )
    );
    assert_eq!(
        smaller("v1.21.0"),
        (
            "the size of pod subnet with mask 25 is smaller than the size of node subnet with mask 24".to_string(),
            "node_mask.pod_smaller"
        )
    );
    // The seed's /112 on 1.20, where the controller-manager's /64 default applies.
    let mut a = seed();
    a.kubernetes.version = "v1.20.15".into();
    let c = plan::check(&a);
    let p = c.for_path("networking.nodeMaskSizes.ipv6").next().unwrap();
    assert_eq!(
        p.message,
        "pod subnet size is smaller than the node subnet size"
    );
    assert_eq!(p.code, "node_mask.pod_smaller_default_v1_20");
    assert_eq!(
        p.hint.as_deref(),
        Some("use a pod subnet of /64 or shorter, or set networking.nodeMaskSizes.ipv6")
    );
    // The difference: the controller-manager's IPv6-only limit on 1.19, kubeadm's from 1.20.
    let diff = |version: &str| {
        let mut a = seed();
        a.kubernetes.version = version.into();
        if version != "v1.19.0" {
            a.kubernetes.image_repository = None;
        }
        pods(&mut a, &["10.10.0.0/16", "2019:20::/64"]);
        masks(&mut a, None, Some(120));
        let c = plan::check(&a);
        let p = c.for_path("networking.nodeMaskSizes.ipv6").next().unwrap();
        (p.message.clone(), p.code)
    };
    assert_eq!(
        diff("v1.19.0"),
        (
            "New CIDR set failed; the node CIDR size is too big (kube-controller-manager exits: the pod subnet /64 and the node mask /120 are more than 16 bits apart)".to_string(),
            "node_mask.diff_too_large_kcm"
        )
    );
    assert_eq!(
        diff("v1.20.15"),
        (
            "pod subnet mask (64) and node-mask (120) difference is greater than 16".to_string(),
            "node_mask.diff_too_large"
        )
    );
}

#[test]
fn seed_plan_has_120_per_node_and_its_capacity() {
    let c = plan::check(&seed());
    let plan = c.plan.expect("the seed plans");
    let v6 = plan.family(AddressFamily::Ipv6).unwrap();
    assert_eq!(v6.node_mask, 120);
    assert_eq!((v6.nodes_fit, v6.addresses_per_node), (256, 256));
    // A /112 is 65,536 addresses; the allocator never hands out the network address.
    assert_eq!(v6.service_addresses, 65535);
    let v4 = plan.family(AddressFamily::Ipv4).unwrap();
    assert_eq!((v4.node_mask, v4.nodes_fit), (24, 256));
    // 1.19's kubelet takes one address: the advertise address (IPv4 here).
    assert_eq!(
        plan.node.node_ips,
        vec!["111.111.111.121".parse::<std::net::IpAddr>().unwrap()]
    );
    let text = plan::report::text(&plan::check(&seed()));
    assert!(text.contains("/120"), "{text}");
    assert!(text.contains("2019:20::100/120"), "{text}");
}

#[test]
fn both_orders_plan_and_keep_the_primary_first() {
    let mut a = modern();
    a.networking.pod_subnets = s(&["fd00:10:244::/56", "10.244.0.0/16"]);
    a.networking.service_subnets = s(&["fd00:10:96::/112", "10.96.0.0/16"]);
    a.node.api_advertise = Some(AddressFamily::Ipv6);
    let plan = plan::check(&a).plan.expect("IPv6-first plans");
    assert_eq!(plan.primary().family, AddressFamily::Ipv6);
    assert_eq!(plan.pod_subnets_joined(), "fd00:10:244::/56,10.244.0.0/16");
    assert_eq!(plan.node.node_ips[0].to_string(), "2018::21");
    assert_eq!(plan.node.node_ips.len(), 2);
    assert_eq!(plan.node.advertise_address.to_string(), "2018::21");
}

#[test]
fn the_manifest_and_registry_warnings_go_away_when_fixed() {
    let warned = |a: &Answers, path: &str| plan::check(a).problems.iter().any(|p| p.path == path);
    let mut a = seed();
    assert!(warned(&a, "calico.manifest"));
    a.calico.manifest = Some("./calico.yaml".into());
    assert!(!warned(&a, "calico.manifest"));
    // The seed's own k8s.gcr.io is right for v1.19.0.
    assert!(!warned(&a, "kubernetes.imageRepository"));
    let mut m = modern();
    m.kubernetes.image_repository = Some("k8s.gcr.io".into());
    assert!(warned(&m, "kubernetes.imageRepository"));
    m.kubernetes.image_repository = Some("registry.k8s.io".into());
    assert!(!warned(&m, "kubernetes.imageRepository"));
}

fn calico_warning(a: &Answers) -> Option<plan::Problem> {
    plan::check(a)
        .problems
        .into_iter()
        .find(|p| p.path == "calico.version")
}

#[test]
fn untested_calico_names_both_versions_and_the_tested_ones() {
    let p = calico_warning(&seed()).expect("v3.15.3 on v1.19 is outside Calico's tested range");
    assert_eq!(p.severity, Severity::Warning);
    assert_eq!(
        p.message,
        "Calico v3.15.3 is not tested with Kubernetes v1.19.0; Calico's docs list v1.16 to v1.18 for v3.15"
    );
    assert_eq!(
        p.hint.as_deref(),
        Some(
            "Calico releases tested with Kubernetes v1.19: v3.16–v3.20; other versions often work too"
        )
    );
    let mut a = modern();
    a.kubernetes.version = "v1.37.0".into();
    a.calico.version = "v3.32.0".into();
    let hint = calico_warning(&a).and_then(|p| p.hint).expect("a hint");
    assert!(hint.contains("nearest is Calico v3.32"), "{hint}");
}

#[test]
fn tested_pairs_do_not_warn_about_calico() {
    for (kube, calico) in [
        ("v1.19.0", "v3.20.0"),
        ("v1.19.16", "v3.16.5"),
        ("v1.22.17", "v3.24.6"),
        ("v1.31.0", "v3.29.4"),
        ("v1.36.0", "v3.32.0"),
    ] {
        let mut a = if kube == "v1.19.0" || kube == "v1.19.16" {
            seed()
        } else {
            modern()
        };
        a.kubernetes.version = kube.into();
        a.calico.version = calico.into();
        assert_eq!(calico_warning(&a), None, "{kube} + {calico}");
    }
}

#[test]
fn nat_outgoing_defaults_per_family_as_calico_does() {
    let plan = plan::check(&seed()).plan.unwrap();
    let nat = |f| plan.family(f).unwrap().nat_outgoing;
    assert!(
        nat(AddressFamily::Ipv4),
        "CALICO_IPV4POOL_NAT_OUTGOING defaults to true"
    );
    assert!(
        !nat(AddressFamily::Ipv6),
        "CALICO_IPV6POOL_NAT_OUTGOING defaults to false"
    );
    let warned = |a: &Answers| {
        plan::check(a)
            .problems
            .iter()
            .any(|p| p.code == "pool.ula_without_nat")
    };
    assert!(!warned(&seed()), "2019:20::/112 is global: no warning");
    let mut a = modern();
    assert!(warned(&a));
    a.calico.ipv6_pool = Some("fd00:10:244::/64".into());
    assert!(warned(&a), "any range inside fc00::/7");
    a.calico.ipv6_nat_outgoing = Some(true);
    assert!(!warned(&a));
}

#[test]
fn the_vxlan_backend_routes_only_vxlan_pools() {
    // calico@v3.32.1:manifests/calico-vxlan.yaml runs no BIRD.
    let paths = |a: &Answers, backend: &str| -> Vec<String> {
        let plan = plan::check(a).plan.unwrap();
        plan::backend_problems(&plan, backend)
            .into_iter()
            .map(|p| p.path)
            .collect()
    };
    let mut a = modern();
    assert!(paths(&a, "bird").is_empty());
    assert_eq!(
        paths(&a, "vxlan"),
        ["calico.ipv4Encapsulation", "calico.ipv6Encapsulation"]
    );
    a.calico.ipv4_encapsulation = Some(Encapsulation::Vxlan);
    a.calico.ipv6_encapsulation = Some(Encapsulation::Vxlan);
    assert!(paths(&a, "vxlan").is_empty());
    assert_eq!(paths(&a, "none"), ["calico.manifest"]);
    // Before v3.23 there is no IPv6 VXLAN, so the hint says so.
    let s = seed();
    let plan = plan::check(&s).plan.unwrap();
    let v6 = plan::backend_problems(&plan, "vxlan")
        .into_iter()
        .find(|p| p.path == "calico.ipv6Encapsulation")
        .unwrap();
    assert!(v6.hint.unwrap().contains("v3.23"));
}

/// A host whose node interfaces have the given MTUs (only what the MTU rule reads).
fn host_with_mtus(v4: (&str, u32), v6: (&str, u32)) -> dsinstall::host::facts::HostFacts {
    let iface = |(name, mtu): (&str, u32)| dsinstall::host::facts::Interface {
        name: name.into(),
        mtu,
        ..Default::default()
    };
    dsinstall::host::facts::HostFacts {
        interfaces: vec![iface(v4), iface(v6)],
        ..Default::default()
    }
}

#[test]
fn the_mtu_fits_each_family_link_with_its_encapsulation() {
    // Felix's overheads: calico@v3.32.1:felix/dataplane/linux/int_dataplane.go l.446-450.
    let codes = |a: &Answers, v4: u32, v6: u32| -> Vec<String> {
        let plan = plan::check(a).plan.unwrap();
        plan::mtu_problems(&plan, &host_with_mtus(("ens192", v4), ("ens224", v6)))
            .into_iter()
            .map(|p| format!("{} {}", p.path, p.args[2]))
            .collect()
    };
    // The seed: 1440 + IPIP 20 on a 1500 IPv4 link, IPv6 unencapsulated: fits.
    let mut a = seed();
    assert!(codes(&a, 1500, 1500).is_empty());
    assert_eq!(codes(&a, 1450, 1500), ["calico.mtu IPv4"]);
    // 1440 with IPv6 VXLAN (70) on a 1500 link is too big; 1430 fits.
    a.calico.version = "v3.32.1".into();
    a.calico.ipv6_encapsulation = Some(Encapsulation::Vxlan);
    assert_eq!(codes(&a, 1500, 1500), ["calico.mtu IPv6"]);
    let plan = plan::check(&a).plan.unwrap();
    let p = &plan::mtu_problems(&plan, &host_with_mtus(("ens192", 1500), ("ens224", 1500)))[0];
    assert_eq!(
        p.message,
        "pod MTU 1440 plus 70 bytes of IPv6 VXLAN is more than ens224's MTU 1500: packets that large between nodes are dropped"
    );
    assert!(
        p.hint
            .as_deref()
            .unwrap()
            .contains("leave calico.mtu unset"),
        "{p}"
    );
    a.calico.mtu = Some(1430);
    assert!(codes(&a, 1500, 1500).is_empty());
    // Unset on v3.17+: Felix detects it from the link, nothing to check.
    a.calico.mtu = None;
    assert!(codes(&a, 1280, 1280).is_empty());
    // Unset on v3.15: the manifest's fixed 1440 is checked.
    let mut old = seed();
    old.calico.mtu = None;
    assert_eq!(
        codes(&old, 1400, 1400),
        ["calico.mtu IPv4", "calico.mtu IPv6"]
    );
}

#[test]
fn dockershim_on_1_24_plus_gets_one_problem_with_one_fix() {
    let mut a = modern();
    a.kubernetes.version = "v1.28.0".into();
    a.kubernetes.cri_socket = Some("/var/run/dockershim.sock".into());
    let c = plan::check(&a);
    let at: Vec<_> = c.for_path("kubernetes.criSocket").collect();
    assert_eq!(at.len(), 1, "{at:?}");
    assert!(
        !at[0].hint.as_deref().unwrap_or("").contains("dockershim"),
        "{}",
        at[0]
    );
}

/// A registry with a newline is refused on its field, and no other message repeats it.
#[test]
fn a_broken_registry_is_one_error_and_no_other_message_repeats_it() {
    let mut a = modern();
    a.calico.install = dsinstall::answers::CalicoInstall::Operator;
    a.calico.registry = Some("a\nb".into());
    let c = plan::check(&a);
    assert!(c.for_path("calico.registry").any(|p| p.is_error()));
    for p in &c.problems {
        assert!(!p.message.contains('\n'), "{p}");
    }
}
