//! What each Kubernetes and Calico version needs: one table, one row per minor.
//!
//! Templates and checks read these rows, never a version string. Each fact cites where it
//! comes from; `kk#N` is a kubernetes/kubernetes PR or issue, `kubeadm#N` kubernetes/kubeadm,
//! `calico@vX:path` a file at a projectcalico/calico tag. The fuller story is in
//! `shared/facts/kubeadm-dualstack-sources.md` and `shared/facts/calico-dualstack.md`.

use crate::answers::ProxyMode;
use crate::terminal_text::quote;
use serde::Serialize;

/// A Kubernetes release as the answers file names it (`v1.19.0`, `1.31`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: Option<u32>,
}

impl KubeVersion {
    /// Parse `v1.31.2`, `1.31.2` or `1.31`. Nothing is coerced: a pre-release (`-rc.1`) or
    /// build suffix (`+k3s1`) is refused rather than dropped, since kubeadm would then be
    /// given another release than the one written, and so are leading zeros (`v01.19.0`).
    pub fn parse(s: &str) -> Result<KubeVersion, String> {
        let t = s.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        if let Some(at) = t.find(['-', '+']) {
            return Err(format!(
                "{s} has the suffix {}; dsinstall takes release versions only, like v1.31.2",
                quote(&t[at..]),
                s = quote(s)
            ));
        }
        let parts: Vec<&str> = t.split('.').collect();
        let num = |p: &str| -> Result<u32, String> {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 6 {
                Err(format!(
                    "{s} is not a Kubernetes version like v1.31.2",
                    s = quote(s)
                ))
            } else if p.len() > 1 && p.starts_with('0') {
                Err(format!(
                    "{s} has a leading zero in {p}; write it like v1.31.2",
                    s = quote(s),
                    p = quote(p)
                ))
            } else {
                p.parse()
                    .map_err(|_| format!("{s} is not a version", s = quote(s)))
            }
        };
        match parts.as_slice() {
            [maj, min] => Ok(KubeVersion {
                major: num(maj)?,
                minor: num(min)?,
                patch: None,
            }),
            [maj, min, pat] => Ok(KubeVersion {
                major: num(maj)?,
                minor: num(min)?,
                patch: Some(num(pat)?),
            }),
            _ => Err(format!(
                "{s} is not a Kubernetes version like v1.31.2",
                s = quote(s)
            )),
        }
    }

    /// The release a tool reports (`kubeadm version -o short`, an image tag): as `parse`, but
    /// a pre-release or build suffix is dropped, since only the minor is looked up there.
    pub fn parse_reported(s: &str) -> Result<KubeVersion, String> {
        let t = s.trim();
        let core = t.split(['-', '+']).next().unwrap_or("");
        KubeVersion::parse(core)
            .map_err(|_| format!("{s} is not a version like v1.31.2", s = quote(s)))
    }

    /// The version kubeadm's `kubernetesVersion` gets: `v1.31.2`, or `v1.31.0` when only the
    /// minor was given (kubeadm would otherwise look the version up online, which an
    /// air-gapped lab cannot).
    pub fn kubeadm_string(&self) -> String {
        format!("v{}.{}.{}", self.major, self.minor, self.patch.unwrap_or(0))
    }
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.patch {
            Some(p) => write!(f, "v{}.{}.{}", self.major, self.minor, p),
            None => write!(f, "v{}.{}", self.major, self.minor),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum KubeadmApi {
    V1beta2,
    V1beta3,
    V1beta4,
}

impl KubeadmApi {
    pub fn as_str(self) -> &'static str {
        match self {
            KubeadmApi::V1beta2 => "kubeadm.k8s.io/v1beta2",
            KubeadmApi::V1beta3 => "kubeadm.k8s.io/v1beta3",
            KubeadmApi::V1beta4 => "kubeadm.k8s.io/v1beta4",
        }
    }
    /// v1beta4 turned `extraArgs` and `kubeletExtraArgs` from maps into `{name, value}` lists
    /// (kk#125029).
    pub fn extra_args_as_list(self) -> bool {
        self == KubeadmApi::V1beta4
    }
}

/// Whether the `IPv6DualStack` feature gate may appear in a config for this version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum GateRule {
    /// Alpha, off by default: dual-stack does not work without it.
    MustSet,
    /// Beta or GA: on by default; setting it is accepted (GA prints a warning), but the
    /// components store it and refuse it once it is removed, so dsinstall does not write it.
    MaySet,
    /// Removed: the component refuses to start ("unrecognized feature gate") or kubeadm
    /// rejects the config ("IPv6DualStack is not a valid feature name").
    MustNotSet,
}

/// How a Service asks for its IP family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ServiceFamilyFields {
    /// `spec.ipFamily: IPv4|IPv6`, one family per Service (1.16–1.19 alpha API).
    IpFamily,
    /// `spec.ipFamilies` + `spec.ipFamilyPolicy` (1.20+).
    IpFamilies,
}

/// Who stops a service range that is too large, which decides the words the user sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ServiceSizeCheck {
    /// 1.19: kubeadm does not check; kube-apiserver exits with "specified
    /// --service-cluster-ip-range is too large" (or --secondary-service-cluster-ip-range),
    /// no mask in the message (cmd/kube-apiserver/app/options/validation.go at 1.19).
    Apiserver,
    /// 1.20+: kubeadm's ValidateServiceSubnetSize refuses it first, "specified service subnet
    /// is too large; for 128-bit addresses, the mask must be >= 108"
    /// (cmd/kubeadm/app/apis/kubeadm/validation/validation.go, kk#95723).
    Kubeadm,
}

/// Who refuses a pod subnet that does not fit its node mask, which decides the words the
/// user sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NodeMaskCheck {
    /// 1.19: kubeadm does not check (ValidatePodSubnetNodeMask came with kk#95723, 1.20; the
    /// 1.18/1.19 ValidateNetworking only parses the subnets). kube-controller-manager exits:
    /// NewNodeIpamController's klog.Fatal "Controller: Invalid --cluster-cidr, mask size of
    /// cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR
    /// family" (pkg/controller/nodeipam/node_ipam_controller.go), and cidrset.NewCIDRSet's
    /// ErrCIDRSetSubNetTooBig "New CIDR set failed; the node CIDR size is too big" for an
    /// IPv6 range more than clusterSubnetMaxDiff (16) bits above the mask; an IPv4 range has
    /// no such limit (`clusterCIDR.IP.To4() == nil &&`, pkg/controller/nodeipam/ipam/cidrset/
    /// cidr_set.go).
    ControllerManager,
    /// 1.20: kubeadm's first wording, "pod subnet size is smaller than the node subnet size"
    /// (kk#95723; quoted from a 1.20 kubeadm in kk#98796 and kk#98785, which reworded it for
    /// 1.21). Its difference message is the one 1.21 keeps.
    KubeadmFirst,
    /// 1.21+: "the size of pod subnet with mask %d is smaller than the size of node subnet
    /// with mask %d" and "pod subnet mask (%d) and node-mask (%d) difference is greater than
    /// %d" (ValidatePodSubnetNodeMask, cmd/kubeadm/app/apis/kubeadm/validation/validation.go;
    /// kk#98796).
    Kubeadm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Maturity {
    Alpha,
    Beta,
    Ga,
    Deprecated,
}

/// Everything about one Kubernetes minor that changes what dsinstall writes or checks.
#[derive(Debug, Clone, Serialize)]
pub struct KubeMinor {
    pub minor: u32,
    pub kubeadm_api: KubeadmApi,
    /// Gate in kubeadm's own `ClusterConfiguration.featureGates`.
    pub kubeadm_gate: GateRule,
    /// Gate on kube-apiserver, kube-controller-manager, kubelet and kube-proxy.
    pub component_gate: GateRule,
    /// The kubelet takes `--node-ip <v4>,<v6>` (bare metal, no cloud provider).
    pub node_ip_pair: bool,
    pub service_family_fields: ServiceFamilyFields,
    /// The taints kubeadm puts on a control-plane node.
    pub control_plane_taints: &'static [&'static str],
    pub default_image_repository: &'static str,
    /// Patch release from which kubeadm's default moved to registry.k8s.io by backport.
    pub registry_k8s_io_from_patch: Option<u32>,
    pub default_cri_socket: &'static str,
    /// kubeadm wants `unix://` URLs (and prepends it with a warning when missing).
    pub cri_socket_url: bool,
    /// dockershim is still part of the kubelet.
    pub dockershim: bool,
    /// With the dockershim socket, kubeadm asks docker for its cgroup driver (`docker info -f
    /// {{.CgroupDriver}}`, GetCgroupDriverDocker) and writes `--cgroup-driver` into
    /// kubeadm-flags.env, which wins over the KubeletConfiguration (buildKubeletArgMap,
    /// cmd/kubeadm/app/phases/kubelet/flags_unix.go); removed in 1.21 (kk#99647).
    pub kubeadm_sets_docker_cgroup_driver: bool,
    /// kube-proxy modes and how mature each is on this minor.
    pub proxy_modes: &'static [(ProxyMode, Maturity)],
    /// ipvs misses IPv6 NodePorts on kernels that mark IPv6 local routes `proto none`.
    pub ipvs_ipv6_nodeport_bug: bool,
    /// kubeadm computes `--node-cidr-mask-size-ipv6` itself (calcNodeCidrSize).
    pub kubeadm_computes_node_mask: bool,
    /// Who refuses a pod subnet that does not fit its node mask, and in whose words.
    pub node_mask_check: NodeMaskCheck,
    /// Largest service range kube-apiserver and kubeadm accept, in host bits.
    pub service_max_host_bits: u8,
    /// Who refuses a service range over `service_max_host_bits`, and in whose words.
    pub service_size_check: ServiceSizeCheck,
    /// The apiserver's ClusterIP allocator keeps an IPv6 range in a bitmap of at most 65,536
    /// slots, so a /108–/111 still gives 65,535 addresses (NewAllocatorCIDRRange /
    /// ipallocator.New, pkg/registry/core/service/ipallocator/allocator.go: "Limit the max
    /// size, since the allocator keeps a bitmap of that size"). From 1.34
    /// DisableAllocatorDualWrite is GA and on (pkg/features/kube_features.go), so only the
    /// IPAddress allocator (ipallocator.go, MultiCIDRServiceAllocator GA in 1.33) counts,
    /// which uses every address but the network's.
    pub service_ipv6_bitmap: bool,
    /// kube-apiserver refuses to start when the advertise address's family differs from the
    /// primary service range's ("service IP family %q must match public address family %q",
    /// kk#106721, 1.24; kk#111671). Before, it starts and `kubernetes.default` gets an
    /// endpoint of the other family, which in-cluster clients cannot reach.
    pub apiserver_checks_advertise_family: bool,
    /// `kubeadm config validate` exists.
    pub kubeadm_config_validate: bool,
    /// kubeadm's preflight checks bridge-nf-call-iptables/ip6tables.
    pub preflight_bridge_nf: bool,
}

use GateRule::*;
use KubeadmApi::*;
use Maturity::*;
use ProxyMode::*;

const MASTER: &[&str] = &["node-role.kubernetes.io/master"];
const MASTER_AND_CP: &[&str] = &[
    "node-role.kubernetes.io/master",
    "node-role.kubernetes.io/control-plane",
];
const CP: &[&str] = &["node-role.kubernetes.io/control-plane"];

const PROXY_OLD: &[(ProxyMode, Maturity)] = &[(Iptables, Ga), (Ipvs, Ga)];
const PROXY_NFT_ALPHA: &[(ProxyMode, Maturity)] = &[(Iptables, Ga), (Ipvs, Ga), (Nftables, Alpha)];
const PROXY_NFT_BETA: &[(ProxyMode, Maturity)] = &[(Iptables, Ga), (Ipvs, Ga), (Nftables, Beta)];
const PROXY_NFT_GA: &[(ProxyMode, Maturity)] = &[(Iptables, Ga), (Ipvs, Ga), (Nftables, Ga)];
const PROXY_IPVS_DEPRECATED: &[(ProxyMode, Maturity)] =
    &[(Iptables, Ga), (Ipvs, Deprecated), (Nftables, Ga)];

const DOCKERSHIM: &str = "/var/run/dockershim.sock";
const CONTAINERD: &str = "unix:///var/run/containerd/containerd.sock";

/// Build one row; the columns that change are arguments, the rest follow from the minor.
#[allow(clippy::too_many_arguments)] // a table row reads best as one call per minor
const fn row(
    minor: u32,
    kubeadm_api: KubeadmApi,
    kubeadm_gate: GateRule,
    component_gate: GateRule,
    control_plane_taints: &'static [&'static str],
    default_image_repository: &'static str,
    registry_k8s_io_from_patch: Option<u32>,
    proxy_modes: &'static [(ProxyMode, Maturity)],
) -> KubeMinor {
    KubeMinor {
        minor,
        kubeadm_api,
        kubeadm_gate,
        component_gate,
        // kubelet takes a dual-stack --node-ip from 1.20 (kk#95239); 1.19 takes one address,
        // so the node shows no IPv6 InternalIP (kk#90704, kk#93598; the seed's own run).
        node_ip_pair: minor >= 20,
        // ipFamilies/ipFamilyPolicy replaced ipFamily in 1.20 (kk#91824, kk#95894).
        service_family_fields: if minor >= 20 {
            ServiceFamilyFields::IpFamilies
        } else {
            ServiceFamilyFields::IpFamily
        },
        control_plane_taints,
        default_image_repository,
        registry_k8s_io_from_patch,
        // dockershim removed in 1.24 (KEP-2221); kubeadm then defaults to containerd and
        // wants unix:// URLs, prepending it with a warning (kk#107295, kubeadm#2426).
        default_cri_socket: if minor >= 24 { CONTAINERD } else { DOCKERSHIM },
        cri_socket_url: minor >= 24,
        dockershim: minor < 24,
        kubeadm_sets_docker_cgroup_driver: minor < 21,
        proxy_modes,
        // Fixed by kk#101429 "Kube-proxy/ipvs; Use go net lib to get nodeIPs" (1.22);
        // reports: kubeadm#2205, kk#92412, kk#93858. The seed saw it on 1.19.
        ipvs_ipv6_nodeport_bug: minor < 22,
        // calcNodeCidrSize was dropped in 1.20: "kubeadm no longer sets the node-mask
        // automatically on IPv6 deployments" (kk#95723); kcm defaults /24 and /64 apply.
        kubeadm_computes_node_mask: minor < 20,
        node_mask_check: match minor {
            ..=19 => NodeMaskCheck::ControllerManager,
            20 => NodeMaskCheck::KubeadmFirst,
            _ => NodeMaskCheck::Kubeadm,
        },
        // kube-apiserver validateClusterIPFlags and kubeadm ValidateServiceSubnetSize
        // (MaximumBitsForServiceSubnet = 20, kk#95723). The apiserver lifts its cap from 1.34
        // when MultiCIDRServiceAllocator + DisableAllocatorDualWrite are on, but kubeadm still
        // validates 20 bits, so 20 holds for every kubeadm install.
        service_max_host_bits: 20,
        service_size_check: if minor >= 20 {
            ServiceSizeCheck::Kubeadm
        } else {
            ServiceSizeCheck::Apiserver
        },
        service_ipv6_bitmap: minor < 34,
        apiserver_checks_advertise_family: minor >= 24,
        // `kubeadm config validate` added in 1.28 (kk#118013).
        kubeadm_config_validate: minor >= 28,
        // bridge-nf-call-* preflight checks removed in 1.30 (kk#123464).
        preflight_bridge_nf: minor < 30,
    }
}

/// One row per supported minor. Sources per column:
/// - kubeadm API: v1beta3 added 1.22 (kk#101129), v1beta2 removed 1.27 (kk#114540),
///   v1beta4 usable and default 1.31 (kk#125029), v1beta3 removed 1.37 (kk#136016,
///   CHANGELOG-1.37 "since v1.36.0"). We emit the newest API each minor accepts.
/// - kubeadm gate: alpha 1.16 (kk#80145), beta 1.21, GA+locked 1.23, removed from kubeadm in
///   1.24 (kk#106648): "IPv6DualStack is not a valid feature name".
/// - component gate: alpha ≤1.20, beta 1.21, GA locked 1.23 (kk#104691), removed 1.25
///   ("unrecognized feature gate"; kcm's copy removed 1.27, kk#116255).
/// - taints: KEP-2067: control-plane taint added 1.24 beside master, master removed 1.25.
/// - image repository: registry.k8s.io default from 1.25 (kk#109938, kk#110343), backported
///   to 1.22 (kk#113388), 1.23 (kk#113393) and 1.24 (kk#113395/#113984), merged after the
///   November 2022 patches, so first in the December 2022 ones: 1.22.17, 1.23.15, 1.24.9
///   (kubernetes/minikube#15546 lists 1.23.15 and 1.24.9; kubermatic/kubeone#2459 "starting
///   with December patch releases").
/// - proxy modes: nftables alpha 1.29, beta 1.31, GA 1.33 (KEP-3866); ipvs deprecated 1.35
///   (KEP-5495), kubeadm warns on it from 1.37 (kk#139067).
#[rustfmt::skip]
pub const KUBE_TABLE: &[KubeMinor] = &[
    //  minor  api     kubeadm gate  component gate  taints         default repository  k8s.io from  proxy modes
    row(19, V1beta2, MustSet,    MustSet,    MASTER,        "k8s.gcr.io",       None,     PROXY_OLD),
    row(20, V1beta2, MustSet,    MustSet,    MASTER,        "k8s.gcr.io",       None,     PROXY_OLD),
    row(21, V1beta2, MaySet,     MaySet,     MASTER,        "k8s.gcr.io",       None,     PROXY_OLD),
    row(22, V1beta3, MaySet,     MaySet,     MASTER,        "k8s.gcr.io",       Some(17), PROXY_OLD),
    row(23, V1beta3, MaySet,     MaySet,     MASTER,        "k8s.gcr.io",       Some(15), PROXY_OLD),
    row(24, V1beta3, MustNotSet, MaySet,     MASTER_AND_CP, "k8s.gcr.io",       Some(9),  PROXY_OLD),
    row(25, V1beta3, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_OLD),
    row(26, V1beta3, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_OLD),
    row(27, V1beta3, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_OLD),
    row(28, V1beta3, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_OLD),
    row(29, V1beta3, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_NFT_ALPHA),
    row(30, V1beta3, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_NFT_ALPHA),
    row(31, V1beta4, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_NFT_BETA),
    row(32, V1beta4, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_NFT_BETA),
    row(33, V1beta4, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_NFT_GA),
    row(34, V1beta4, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_NFT_GA),
    row(35, V1beta4, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_IPVS_DEPRECATED),
    row(36, V1beta4, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_IPVS_DEPRECATED),
    row(37, V1beta4, MustNotSet, MustNotSet, CP,            "registry.k8s.io",  None,     PROXY_IPVS_DEPRECATED),
];

pub const OLDEST_MINOR: u32 = 19;
/// The newest minor with published schemas (`kubernetes-validate` 1.37) and a release.
pub const NEWEST_MINOR: u32 = 37;

/// The row for a version, or a one-sentence reason it is not supported.
pub fn kube_minor(v: &KubeVersion) -> Result<&'static KubeMinor, String> {
    if v.major != 1 {
        return Err(format!(
            "Kubernetes {v} is not supported; dsinstall supports v1.{OLDEST_MINOR} to v1.{NEWEST_MINOR}"
        ));
    }
    KUBE_TABLE.iter().find(|r| r.minor == v.minor).ok_or_else(|| {
        format!("Kubernetes {v} is not supported; dsinstall supports v1.{OLDEST_MINOR} to v1.{NEWEST_MINOR}")
    })
}

impl KubeMinor {
    /// The image repository kubeadm defaults to for this exact release.
    pub fn image_repository_for(&self, v: &KubeVersion) -> &'static str {
        match (self.registry_k8s_io_from_patch, v.patch) {
            (Some(from), Some(p)) if p >= from => "registry.k8s.io",
            _ => self.default_image_repository,
        }
    }

    pub fn proxy_mode(&self, mode: ProxyMode) -> Option<Maturity> {
        self.proxy_modes
            .iter()
            .find(|(m, _)| *m == mode)
            .map(|(_, s)| *s)
    }
}

/// A Calico release (`v3.15.3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CalicoVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: Option<u32>,
}

impl CalicoVersion {
    /// An image tag's release, suffixes dropped (see `KubeVersion::parse_reported`).
    pub fn parse_reported(s: &str) -> Result<CalicoVersion, String> {
        let k = KubeVersion::parse_reported(s)
            .map_err(|_| format!("{s} is not a Calico version like v3.28.2", s = quote(s)))?;
        Ok(CalicoVersion {
            major: k.major,
            minor: k.minor,
            patch: k.patch,
        })
    }

    pub fn parse(s: &str) -> Result<CalicoVersion, String> {
        let k = KubeVersion::parse(s)
            .map_err(|_| format!("{s} is not a Calico version like v3.28.2", s = quote(s)))?;
        Ok(CalicoVersion {
            major: k.major,
            minor: k.minor,
            patch: k.patch,
        })
    }
}

impl std::fmt::Display for CalicoVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.patch {
            Some(p) => write!(f, "v{}.{}.{}", self.major, self.minor, p),
            None => write!(f, "v{}.{}", self.major, self.minor),
        }
    }
}

/// What a Calico minor can do for dual-stack. Sources: `shared/facts/calico-dualstack.md`,
/// which cites the calico tags read.
#[derive(Debug, Clone, Serialize)]
pub struct CalicoMinor {
    pub minor: u32,
    /// `IP6_AUTODETECTION_METHOD=cidr=...` (calico@v3.16.0:node startup autodetection).
    pub autodetect_cidr: bool,
    /// `kubernetes-internal-ip` (calico@v3.22.0; absent in v3.21.0-node).
    pub autodetect_kubernetes_internal_ip: bool,
    /// IPv6 VXLAN pools and `CALICO_IPV6POOL_VXLAN` (manifests since v3.23).
    pub ipv6_vxlan: bool,
    /// `veth_mtu: "0"` means auto-detect (v3.17+; calico@v3.17.0:_includes/charts/calico/templates/calico-config.yaml
    /// l.64); before that the manifest ships 1440.
    pub mtu_auto: bool,
    /// `CALICO_IPV4POOL_CIDR=none` skips a family's pool (v3.29+).
    pub pool_none: bool,
    /// Default interface excludes are anchored (`^lo`), v3.25+; before, `lo` also excludes
    /// e.g. `wlo1`.
    pub anchored_default_excludes: bool,
    /// Oldest and newest Kubernetes minor Calico's own requirements page says this release
    /// is tested against ("We test Calico vX.Y against the following Kubernetes versions").
    /// Other versions often work; the plan only warns outside this range.
    pub tested_kube: (u32, u32),
    /// The operator install's CRDs ship only in `operator-crds.yaml`, which is created before
    /// `tigera-operator.yaml` (v3.30+): calico@v3.30.0:manifests/tigera-operator.yaml holds no
    /// CustomResourceDefinition (v3.29.0's holds 24, the same as its operator-crds.yaml), and
    /// docs@b5aa61e6:calico_versioned_docs/version-3.30/getting-started/kubernetes/self-managed-onprem/onpremises.mdx
    /// says `kubectl create -f operator-crds.yaml` then `kubectl create -f tigera-operator.yaml`.
    pub operator_crds_separate: bool,
    /// The oldest Linux kernel the requirements page names: 3.10 up to v3.28, 5.10 from
    /// v3.29 (see the sources above CALICO_TABLE). CentOS 7's 3.10 is below the newer bar.
    pub min_kernel: (u32, u32),
    /// The tigera-operator minor this Calico minor ships (`quay.io/tigera/operator:v1.N.x`
    /// in its tigera-operator.yaml), the same for every patch release of the minor: the
    /// operator has its own version, so the manifest names Calico only through it. Read at
    /// the first and last patch tag of each minor: calico@vX:manifests/tigera-operator.yaml
    /// from v3.24 on (the Deployment's image and TIGERA_OPERATOR_INIT_IMAGE_VERSION),
    /// calico@vX:_data/versions.yml `tigera-operator: version:` before (v3.22–v3.23:
    /// calico/_data/versions.yml; v3.16.0's says "master", v3.16.10's v1.10.14).
    pub operator_minor: u32,
}

const fn calico_row(minor: u32, tested_kube: (u32, u32), operator_minor: u32) -> CalicoMinor {
    CalicoMinor {
        minor,
        tested_kube,
        operator_minor,
        min_kernel: if minor >= 29 { (5, 10) } else { (3, 10) },
        autodetect_cidr: minor >= 16,
        autodetect_kubernetes_internal_ip: minor >= 22,
        ipv6_vxlan: minor >= 23,
        mtu_auto: minor >= 17,
        pool_none: minor >= 29,
        anchored_default_excludes: minor >= 25,
        operator_crds_separate: minor >= 30,
    }
}

pub const CALICO_OLDEST_MINOR: u32 = 15;
pub const CALICO_NEWEST_MINOR: u32 = 32;

/// One row per Calico minor; the third column is the tigera-operator minor it ships
/// (`operator_minor`); the second column is the Kubernetes range from the release's
/// requirements page as last published (pages were updated after release as patch releases
/// added Kubernetes versions, so the range at the .0 tag is sometimes narrower; noted where
/// it differs). Sources: `calico@<ref>:<path>` is projectcalico/calico, where the docs lived
/// up to v3.24 (served as docs.projectcalico.org/archive/vX.Y from the release branch);
/// `docs@<ref>:<path>` is tigera/docs (docs.tigera.io/calico/X.Y), from v3.25 on; its
/// `archive-os*-3.Y` branches hold the archived versions. Kernel: every page up to v3.28
/// says "Linux kernel 3.10 or later"; v3.29–v3.32 say 5.10 or later (docs@1bbcbaeda,
/// December 2025, changed v3.29–v3.31 retroactively).
#[rustfmt::skip]
pub const CALICO_TABLE: &[CalicoMinor] = &[
    calico_row(15, (16, 18),  7), // calico@release-v3.15:getting-started/kubernetes/requirements.md (v3.15.0 tag: 1.14–1.16)
    calico_row(16, (16, 19), 10), // calico@release-v3.16:getting-started/kubernetes/requirements.md (v3.16.0 tag: 1.16–1.18)
    calico_row(17, (17, 19), 13), // calico@release-v3.17:getting-started/kubernetes/requirements.md
    calico_row(18, (18, 20), 15), // calico@release-v3.18:getting-started/kubernetes/requirements.md
    calico_row(19, (19, 21), 17), // calico@release-v3.19:getting-started/kubernetes/requirements.md
    calico_row(20, (19, 21), 20), // calico@release-v3.20:getting-started/kubernetes/requirements.md
    calico_row(21, (20, 22), 23), // calico@release-v3.21:calico/getting-started/kubernetes/requirements.md
    calico_row(22, (21, 23), 25), // calico@release-v3.22:calico/getting-started/kubernetes/requirements.md
    calico_row(23, (21, 23), 27), // calico@release-v3.23:calico/getting-started/kubernetes/requirements.md
    calico_row(24, (22, 25), 28), // calico@release-v3.24:calico/getting-started/kubernetes/requirements.md, docs@archive-os-3.24 (v3.24.0 tag: 1.22–1.24)
    calico_row(25, (23, 28), 29), // docs@archive-os-3.25:calico_versioned_docs/version-3.25/getting-started/kubernetes/requirements.mdx (at release 1.22–1.24, mid-2023 1.23–1.26)
    calico_row(26, (24, 28), 30), // docs@archive-oss-3.26:calico_versioned_docs/version-3.26/getting-started/kubernetes/requirements.mdx (at release 1.24–1.26, mid-2023 1.24–1.27)
    calico_row(27, (27, 29), 32), // docs@archive-os-3.27:calico_versioned_docs/version-3.27/getting-started/kubernetes/requirements.mdx
    calico_row(28, (27, 30), 34), // docs@archive-os-3.28:calico_versioned_docs/version-3.28/getting-started/kubernetes/requirements.mdx (at release 1.27–1.29)
    calico_row(29, (29, 32), 36), // docs@f2a276243:calico_versioned_docs/version-3.29/_includes/partials/_system-requirements.mdx (until 2026 1.29–1.31)
    calico_row(30, (31, 35), 38), // docs@f2a276243:calico_versioned_docs/version-3.30/_includes/partials/_system-requirements.mdx (at release 1.29–1.31)
    calico_row(31, (32, 35), 40), // docs@f2a276243:calico_versioned_docs/version-3.31/_includes/partials/_system-requirements.mdx
    calico_row(32, (34, 36), 42), // docs@f2a276243:calico_versioned_docs/version-3.32/_includes/partials/_system-requirements.mdx (at release 1.32–1.36)
];

/// The Calico minor whose tigera-operator.yaml ships operator minor `operator_minor`.
pub fn calico_of_operator(operator_minor: u32) -> Option<&'static CalicoMinor> {
    CALICO_TABLE
        .iter()
        .find(|r| r.operator_minor == operator_minor)
}

pub fn calico_minor(v: &CalicoVersion) -> Result<&'static CalicoMinor, String> {
    let unsupported = || {
        format!(
            "Calico {v} is not supported; dsinstall supports v3.{CALICO_OLDEST_MINOR} to v3.{CALICO_NEWEST_MINOR}"
        )
    };
    if v.major != 3 {
        return Err(unsupported());
    }
    CALICO_TABLE
        .iter()
        .find(|r| r.minor == v.minor)
        .ok_or_else(unsupported)
}

impl CalicoMinor {
    /// Whether Calico's docs list this Kubernetes minor as tested for this release.
    pub fn tests_kube(&self, kube_minor: u32) -> bool {
        (self.tested_kube.0..=self.tested_kube.1).contains(&kube_minor)
    }

    /// How many minors `kube_minor` lies outside the tested range (0 inside it).
    fn kube_distance(&self, kube_minor: u32) -> u32 {
        let (lo, hi) = self.tested_kube;
        lo.saturating_sub(kube_minor) + kube_minor.saturating_sub(hi)
    }
}

/// The Calico minors tested with a Kubernetes minor, oldest first; empty when none is.
pub fn calico_tested_with(kube_minor: u32) -> Vec<u32> {
    CALICO_TABLE
        .iter()
        .filter(|r| r.tests_kube(kube_minor))
        .map(|r| r.minor)
        .collect()
}

/// The Calico release to suggest for a Kubernetes minor: the newest one tested with it, else
/// the one whose tested range is nearest (the newest among equally near ones).
pub fn calico_for_kube(kube_minor: u32) -> &'static CalicoMinor {
    calico_for(kube_minor, None)
}

/// As `calico_for_kube`, among the releases whose stated kernel minimum `kernel` (major,
/// minor) meets, when it is known; if none does, among all.
pub fn calico_for(kube_minor: u32, kernel: Option<(u32, u32)>) -> &'static CalicoMinor {
    let fits = |r: &&CalicoMinor| kernel.is_none_or(|k| k >= r.min_kernel);
    let pool: Vec<&CalicoMinor> = CALICO_TABLE.iter().filter(fits).collect();
    let pool = if pool.is_empty() {
        CALICO_TABLE.iter().collect()
    } else {
        pool
    };
    pool.into_iter()
        .rev()
        .min_by_key(|r| r.kube_distance(kube_minor))
        .expect("the Calico table is not empty")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_contiguous_and_ordered() {
        let minors: Vec<u32> = KUBE_TABLE.iter().map(|r| r.minor).collect();
        let want: Vec<u32> = (OLDEST_MINOR..=NEWEST_MINOR).collect();
        assert_eq!(minors, want);
        let cal: Vec<u32> = CALICO_TABLE.iter().map(|r| r.minor).collect();
        assert_eq!(
            cal,
            (CALICO_OLDEST_MINOR..=CALICO_NEWEST_MINOR).collect::<Vec<_>>()
        );
    }

    #[test]
    fn each_calico_minor_has_its_own_newer_operator_minor() {
        for w in CALICO_TABLE.windows(2) {
            assert!(
                w[0].operator_minor < w[1].operator_minor,
                "v3.{}",
                w[1].minor
            );
        }
        // calico@v3.30.0 and calico@v3.30.7:manifests/tigera-operator.yaml: v1.38.0, v1.38.13.
        assert_eq!(calico_of_operator(38).map(|r| r.minor), Some(30));
        assert_eq!(calico_of_operator(40).map(|r| r.minor), Some(31));
        assert_eq!(calico_of_operator(39).map(|r| r.minor), None);
    }

    #[test]
    fn an_old_kernel_gets_a_calico_that_states_it_supports_it() {
        assert_eq!(calico_for(31, None).minor, 30);
        // CentOS 7's 3.10 kernel: v3.29+ ask for 5.10, so the newest fitting is v3.28.
        assert_eq!(calico_for(31, Some((3, 10))).minor, 28);
        assert_eq!(calico_for(19, Some((3, 10))).minor, 20);
        assert_eq!(calico_for(36, Some((6, 1))).minor, 32);
        assert_eq!(
            calico_for(36, Some((2, 6))).minor,
            32,
            "nothing fits: as if unknown"
        );
    }

    #[test]
    fn tested_ranges_are_ordered_and_move_forward() {
        for r in CALICO_TABLE {
            let (lo, hi) = r.tested_kube;
            assert!(lo <= hi, "v3.{}", r.minor);
            assert!(
                (OLDEST_MINOR - 3..=NEWEST_MINOR).contains(&lo),
                "v3.{}",
                r.minor
            );
        }
        for w in CALICO_TABLE.windows(2) {
            assert!(
                w[0].tested_kube.0 <= w[1].tested_kube.0,
                "v3.{}",
                w[1].minor
            );
            assert!(
                w[0].tested_kube.1 <= w[1].tested_kube.1,
                "v3.{}",
                w[1].minor
            );
        }
    }

    #[test]
    fn calico_for_kube_prefers_the_newest_tested_then_the_nearest() {
        // Known datapoints from the requirements pages.
        let range = |m: u32| {
            CALICO_TABLE
                .iter()
                .find(|r| r.minor == m)
                .unwrap()
                .tested_kube
        };
        assert_eq!(range(15), (16, 18));
        assert_eq!(range(22), (21, 23));
        assert_eq!(range(29), (29, 32));
        assert_eq!(calico_tested_with(19), vec![16, 17, 18, 19, 20]);
        assert_eq!(calico_for_kube(19).minor, 20);
        assert_eq!(calico_for_kube(26).minor, 26);
        assert_eq!(calico_for_kube(36).minor, 32);
        // Nothing is tested with 1.37 yet: the newest release is nearest.
        assert!(calico_tested_with(NEWEST_MINOR).is_empty());
        assert_eq!(calico_for_kube(NEWEST_MINOR).minor, CALICO_NEWEST_MINOR);
        // Every Kubernetes minor dsinstall supports gets a suggestion that is tested, or is
        // newer than every tested one.
        for k in OLDEST_MINOR..=NEWEST_MINOR {
            let r = calico_for_kube(k);
            assert!(r.tests_kube(k) || k > 36, "1.{k} -> v3.{}", r.minor);
        }
    }

    #[test]
    fn parses_versions() {
        let v = KubeVersion::parse("v1.19.0").unwrap();
        assert_eq!((v.major, v.minor, v.patch), (1, 19, Some(0)));
        assert_eq!(
            KubeVersion::parse("1.31").unwrap().kubeadm_string(),
            "v1.31.0"
        );
        for bad in [
            "",
            "v",
            "1",
            "1.x",
            "v1.19.0.1",
            "1..2",
            "-1.2",
            "v1.19.0+k3s1",
            "v1.37.0-rc.1",
            "v01.19.0",
            "v1.019.0",
        ] {
            assert!(KubeVersion::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            KubeVersion::parse_reported("v1.37.0-rc.1").unwrap().minor,
            37
        );
        for bad in ["v1.19.0+k3s1", "v1.37.0-rc.1"] {
            assert!(KubeVersion::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn out_of_table_is_a_clear_error() {
        let e = kube_minor(&KubeVersion::parse("v1.18.5").unwrap()).unwrap_err();
        assert!(e.contains("v1.19 to v1.37"), "{e}");
        assert!(kube_minor(&KubeVersion::parse("v1.38.0").unwrap()).is_err());
        assert!(kube_minor(&KubeVersion::parse("v2.0.0").unwrap()).is_err());
        assert!(calico_minor(&CalicoVersion::parse("v3.14.0").unwrap()).is_err());
    }

    #[test]
    fn eras_match_the_facts() {
        let r = |m: u32| {
            kube_minor(&KubeVersion {
                major: 1,
                minor: m,
                patch: None,
            })
            .unwrap()
        };
        assert_eq!(r(19).kubeadm_api, V1beta2);
        assert_eq!(r(22).kubeadm_api, V1beta3);
        assert_eq!(r(30).kubeadm_api, V1beta3);
        assert_eq!(r(31).kubeadm_api, V1beta4);
        assert_eq!(r(19).component_gate, MustSet);
        assert_eq!(r(24).kubeadm_gate, MustNotSet);
        assert_eq!(r(25).component_gate, MustNotSet);
        assert!(!r(19).node_ip_pair && r(20).node_ip_pair);
        assert_eq!(r(23).default_cri_socket, DOCKERSHIM);
        assert_eq!(r(24).default_cri_socket, CONTAINERD);
        let v = KubeVersion::parse("v1.24.9").unwrap();
        assert_eq!(r(24).image_repository_for(&v), "registry.k8s.io");
        let v = KubeVersion::parse("v1.24.3").unwrap();
        assert_eq!(r(24).image_repository_for(&v), "k8s.gcr.io");
        assert_eq!(r(19).node_mask_check, NodeMaskCheck::ControllerManager);
        assert_eq!(r(20).node_mask_check, NodeMaskCheck::KubeadmFirst);
        assert_eq!(r(21).node_mask_check, NodeMaskCheck::Kubeadm);
        assert_eq!(r(19).service_size_check, ServiceSizeCheck::Apiserver);
        assert_eq!(r(20).service_size_check, ServiceSizeCheck::Kubeadm);
        assert!(r(33).service_ipv6_bitmap && !r(34).service_ipv6_bitmap);
        assert!(!r(23).apiserver_checks_advertise_family);
        assert!(r(24).apiserver_checks_advertise_family);
        assert_eq!(r(29).proxy_mode(Nftables), Some(Alpha));
        assert_eq!(r(28).proxy_mode(Nftables), None);
    }
}
