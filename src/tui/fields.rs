//! The wizard's fields: where each lives in the answers file, how it is read and written,
//! and what it offers to choose from. Checking them is the engine's job (`plan::check`).

use crate::answers::{AddressFamily, NodeRole, OtherNode};
use crate::host::HostFacts;
use crate::tui::i18n::Texts;
use crate::tui::model::{Model, Screen};

const V4: AddressFamily = AddressFamily::Ipv4;
const V6: AddressFamily = AddressFamily::Ipv6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    NodeName,
    Ipv6Interface,
    Ipv6,
    Ipv4Interface,
    Ipv4,
    ApiAdvertise,
    ControlPlaneEndpoint,
    PrimaryFamily,
    PodSubnet(AddressFamily),
    ServiceSubnet(AddressFamily),
    NodeMask(AddressFamily),
    CalicoPool(AddressFamily),
    BlockSize(AddressFamily),
    KubeVersion,
    ImageRepository,
    CriSocket,
    ProxyMode,
    CalicoVersion,
    CalicoInstall,
    CalicoManifest,
    CalicoOperatorCrds,
    Autodetection(AddressFamily),
    Encapsulation(AddressFamily),
    NatOutgoing(AddressFamily),
    CgroupDriver,
    Mtu,
    ClusterName,
    DnsDomain,
    OtherName(usize),
    OtherIpv4(usize),
    OtherIpv6(usize),
    OtherRole(usize),
    VerifyServerImage,
    VerifyClientImage,
    VerifyNodePort,
    VerifyNamespace,
    ExportPath,
}

/// How a field is changed: typed (with suggestions to cycle through) or picked from a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Choice,
}

/// The fields of a screen, top to bottom.
pub fn of_screen(screen: Screen, m: &Model) -> Vec<Field> {
    use Field::*;
    match screen {
        Screen::Welcome | Screen::Preview => vec![],
        Screen::Network => vec![
            NodeName,
            Ipv6Interface,
            Ipv6,
            Ipv4Interface,
            Ipv4,
            ApiAdvertise,
            ControlPlaneEndpoint,
        ],
        Screen::Pools => {
            let mut v = vec![PrimaryFamily];
            for f in [V4, V6] {
                v.extend([
                    PodSubnet(f),
                    ServiceSubnet(f),
                    NodeMask(f),
                    CalicoPool(f),
                    BlockSize(f),
                ]);
            }
            v
        }
        Screen::Kube => {
            let mut v = vec![
                KubeVersion,
                ImageRepository,
                CriSocket,
                CgroupDriver,
                ProxyMode,
                ClusterName,
                DnsDomain,
                CalicoVersion,
                CalicoInstall,
                CalicoManifest,
            ];
            // Only the operator install has CRDs of its own to create.
            if m.answers.calico.install == crate::answers::CalicoInstall::Operator {
                v.push(CalicoOperatorCrds);
            }
            v.extend([
                Autodetection(V4),
                Autodetection(V6),
                Encapsulation(V4),
                Encapsulation(V6),
                NatOutgoing(V4),
                NatOutgoing(V6),
                Mtu,
            ]);
            v
        }
        // Four fields per node, then the verification workload's four (the view groups by 4).
        Screen::Nodes => (0..m.answers.nodes.len())
            .flat_map(|i| [OtherName(i), OtherIpv4(i), OtherIpv6(i), OtherRole(i)])
            .chain([
                VerifyServerImage,
                VerifyClientImage,
                VerifyNodePort,
                VerifyNamespace,
            ])
            .collect(),
        Screen::Export => vec![ExportPath],
    }
}

fn fam(f: AddressFamily) -> &'static str {
    f.kube_name()
}

impl Field {
    pub fn kind(self) -> Kind {
        use Field::*;
        match self {
            Ipv6Interface | Ipv4Interface | ApiAdvertise | PrimaryFamily | ProxyMode
            | CalicoInstall | Encapsulation(_) | NatOutgoing(_) | CgroupDriver | OtherRole(_) => {
                Kind::Choice
            }
            _ => Kind::Text,
        }
    }

    /// Numbers are parsed here (the answers file holds them as numbers); the i18n key of the
    /// complaint when the text is not one.
    fn number_range(self) -> Option<(u32, u32)> {
        match self {
            Field::NodeMask(f) | Field::BlockSize(f) => Some((0, f.bits() as u32)),
            Field::Mtu | Field::VerifyNodePort => Some((0, 65535)),
            _ => None,
        }
    }

    pub fn label(self, tx: &Texts) -> String {
        use Field::*;
        match self {
            NodeName => tx.t("field.node_name").into(),
            Ipv6Interface => tx.t("field.ipv6_interface").into(),
            Ipv6 => tx.t("field.ipv6").into(),
            Ipv4Interface => tx.t("field.ipv4_interface").into(),
            Ipv4 => tx.t("field.ipv4").into(),
            ApiAdvertise => tx.t("field.api_advertise").into(),
            ControlPlaneEndpoint => tx.t("field.control_plane_endpoint").into(),
            PrimaryFamily => tx.t("field.primary_family").into(),
            PodSubnet(f) => tx.f("field.pod_subnet", &[fam(f)]),
            ServiceSubnet(f) => tx.f("field.service_subnet", &[fam(f)]),
            NodeMask(f) => tx.f("field.node_mask", &[fam(f)]),
            CalicoPool(f) => tx.f("field.calico_pool", &[fam(f)]),
            BlockSize(f) => tx.f("field.block_size", &[fam(f)]),
            KubeVersion => tx.t("field.kube_version").into(),
            ImageRepository => tx.t("field.image_repository").into(),
            CriSocket => tx.t("field.cri_socket").into(),
            ProxyMode => tx.t("field.proxy_mode").into(),
            CgroupDriver => tx.t("field.cgroup_driver").into(),
            CalicoVersion => tx.t("field.calico_version").into(),
            CalicoInstall => tx.t("field.calico_install").into(),
            CalicoManifest => tx.t("field.calico_manifest").into(),
            CalicoOperatorCrds => tx.t("field.calico_operator_crds").into(),
            Autodetection(f) => tx.f("field.autodetection", &[fam(f)]),
            Encapsulation(f) => tx.f("field.encapsulation", &[fam(f)]),
            NatOutgoing(f) => tx.f("field.nat_outgoing", &[fam(f)]),
            Mtu => tx.t("field.mtu").into(),
            OtherName(i) => tx.f("field.other_name", &[&(i + 2).to_string()]),
            OtherIpv4(_) => tx.t("field.other_ipv4").into(),
            OtherIpv6(_) => tx.t("field.other_ipv6").into(),
            OtherRole(_) => tx.t("field.other_role").into(),
            ClusterName => tx.t("field.cluster_name").into(),
            DnsDomain => tx.t("field.dns_domain").into(),
            VerifyServerImage => tx.t("field.verify_server_image").into(),
            VerifyClientImage => tx.t("field.verify_client_image").into(),
            VerifyNodePort => tx.t("field.verify_node_port").into(),
            VerifyNamespace => tx.t("field.verify_namespace").into(),
            ExportPath => tx.t("field.export_path").into(),
        }
    }

    /// The i18n key of this field's own help (key `i`), where it has one.
    pub fn help_key(self) -> Option<&'static str> {
        use Field::*;
        Some(match self {
            NodeName => "fieldhelp.node_name",
            Ipv6Interface | Ipv4Interface => "fieldhelp.interface",
            Ipv6 | Ipv4 => "fieldhelp.node_address",
            ApiAdvertise => "fieldhelp.api_advertise",
            ControlPlaneEndpoint => "fieldhelp.control_plane_endpoint",
            PrimaryFamily => "fieldhelp.primary_family",
            PodSubnet(_) => "fieldhelp.pod_subnet",
            ServiceSubnet(_) => "fieldhelp.service_subnet",
            NodeMask(_) => "fieldhelp.node_mask",
            CalicoPool(_) => "fieldhelp.calico_pool",
            BlockSize(_) => "fieldhelp.block_size",
            CriSocket => "fieldhelp.cri_socket",
            ProxyMode => "fieldhelp.proxy_mode",
            CgroupDriver => "fieldhelp.cgroup_driver",
            CalicoInstall => "fieldhelp.calico_install",
            CalicoManifest => "fieldhelp.calico_manifest",
            CalicoOperatorCrds => "fieldhelp.calico_operator_crds",
            Autodetection(_) => "fieldhelp.autodetection",
            Encapsulation(_) => "fieldhelp.encapsulation",
            NatOutgoing(_) => "fieldhelp.nat_outgoing",
            Mtu => "fieldhelp.mtu",
            VerifyNodePort => "fieldhelp.verify_node_port",
            _ => return None,
        })
    }

    /// The answers-file path of this field (what `plan::check` names in its problems).
    pub fn path(self, m: &Model) -> String {
        use Field::*;
        let idx = |f: AddressFamily| if f == m.primary { 0 } else { 1 };
        match self {
            NodeName => "node.name".into(),
            Ipv6Interface => "node.ipv6Interface".into(),
            Ipv6 => "node.ipv6".into(),
            Ipv4Interface => "node.ipv4Interface".into(),
            Ipv4 => "node.ipv4".into(),
            ApiAdvertise => "node.apiAdvertise".into(),
            ControlPlaneEndpoint => "kubernetes.controlPlaneEndpoint".into(),
            PrimaryFamily => "networking.podSubnets".into(),
            PodSubnet(f) => format!("networking.podSubnets[{}]", idx(f)),
            ServiceSubnet(f) => format!("networking.serviceSubnets[{}]", idx(f)),
            NodeMask(f) => format!("networking.nodeMaskSizes.{}", f.as_str()),
            CalicoPool(f) => format!("calico.{}Pool", f.as_str()),
            BlockSize(f) => format!("calico.{}BlockSize", f.as_str()),
            KubeVersion => "kubernetes.version".into(),
            ImageRepository => "kubernetes.imageRepository".into(),
            CriSocket => "kubernetes.criSocket".into(),
            ProxyMode => "kubernetes.proxyMode".into(),
            CgroupDriver => "kubernetes.cgroupDriver".into(),
            CalicoVersion => "calico.version".into(),
            CalicoInstall => "calico.install".into(),
            CalicoManifest => "calico.manifest".into(),
            CalicoOperatorCrds => "calico.operatorCrds".into(),
            Autodetection(f) => format!("calico.{}AutodetectionMethod", f.as_str()),
            Encapsulation(f) => format!("calico.{}Encapsulation", f.as_str()),
            NatOutgoing(f) => format!("calico.{}NatOutgoing", f.as_str()),
            Mtu => "calico.mtu".into(),
            OtherName(i) => format!("nodes[{i}].name"),
            OtherIpv4(i) => format!("nodes[{i}].ipv4"),
            OtherIpv6(i) => format!("nodes[{i}].ipv6"),
            OtherRole(i) => format!("nodes[{i}].role"),
            ClusterName => "kubernetes.clusterName".into(),
            DnsDomain => "networking.dnsDomain".into(),
            VerifyServerImage => "verify.serverImage".into(),
            VerifyClientImage => "verify.clientImage".into(),
            VerifyNodePort => "verify.nodePort".into(),
            VerifyNamespace => "verify.namespace".into(),
            ExportPath => String::new(),
        }
    }

    /// Problems shown under this field: the ones whose home (`home`) it is.
    pub fn problems(self, m: &Model) -> Vec<&crate::plan::Problem> {
        m.checked
            .problems
            .iter()
            .filter(|p| home(p, m).map(|(_, f)| f) == Some(self))
            .collect()
    }

    /// The field's value as text ("" for unset).
    pub fn get(self, m: &Model) -> String {
        use Field::*;
        let a = &m.answers;
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        // Masks read as they are written in CIDRs and in the defaults shown beside them.
        let mask = |o: Option<u8>| o.map(|n| format!("/{n}")).unwrap_or_default();
        let idx = |f: AddressFamily| if f == m.primary { 0 } else { 1 };
        let pick = |f: AddressFamily, v4: &Option<String>, v6: &Option<String>| match f {
            AddressFamily::Ipv4 => opt(v4),
            AddressFamily::Ipv6 => opt(v6),
        };
        let other = |i: usize| a.nodes.get(i).cloned().unwrap_or_default();
        match self {
            NodeName => a.node.name.clone(),
            Ipv6Interface => opt(&a.node.ipv6_interface),
            Ipv6 => opt(&a.node.ipv6),
            Ipv4Interface => opt(&a.node.ipv4_interface),
            Ipv4 => opt(&a.node.ipv4),
            ApiAdvertise => a
                .node
                .api_advertise
                .map(|f| f.as_str())
                .unwrap_or("")
                .into(),
            ControlPlaneEndpoint => opt(&a.kubernetes.control_plane_endpoint),
            PrimaryFamily => m.primary.as_str().into(),
            PodSubnet(f) => a
                .networking
                .pod_subnets
                .get(idx(f))
                .cloned()
                .unwrap_or_default(),
            ServiceSubnet(f) => a
                .networking
                .service_subnets
                .get(idx(f))
                .cloned()
                .unwrap_or_default(),
            NodeMask(f) => {
                let m = a.networking.node_mask_sizes.unwrap_or_default();
                mask(if f == AddressFamily::Ipv4 {
                    m.ipv4
                } else {
                    m.ipv6
                })
            }
            CalicoPool(f) => pick(f, &a.calico.ipv4_pool, &a.calico.ipv6_pool),
            BlockSize(f) => mask(match f {
                AddressFamily::Ipv4 => a.calico.ipv4_block_size,
                AddressFamily::Ipv6 => a.calico.ipv6_block_size,
            }),
            KubeVersion => a.kubernetes.version.clone(),
            ImageRepository => opt(&a.kubernetes.image_repository),
            CriSocket => opt(&a.kubernetes.cri_socket),
            ProxyMode => a
                .kubernetes
                .proxy_mode
                .map(|p| p.as_str())
                .unwrap_or("")
                .into(),
            CalicoVersion => a.calico.version.clone(),
            CalicoInstall => match a.calico.install {
                crate::answers::CalicoInstall::Manifest => "manifest".into(),
                crate::answers::CalicoInstall::Operator => "operator".into(),
            },
            CalicoManifest => opt(&a.calico.manifest),
            CalicoOperatorCrds => opt(&a.calico.operator_crds),
            Autodetection(f) => pick(
                f,
                &a.calico.ipv4_autodetection_method,
                &a.calico.ipv6_autodetection_method,
            ),
            Encapsulation(f) => match f {
                AddressFamily::Ipv4 => a.calico.ipv4_encapsulation,
                AddressFamily::Ipv6 => a.calico.ipv6_encapsulation,
            }
            .map(|e| e.as_str())
            .unwrap_or("")
            .into(),
            NatOutgoing(f) => match f {
                AddressFamily::Ipv4 => a.calico.ipv4_nat_outgoing,
                AddressFamily::Ipv6 => a.calico.ipv6_nat_outgoing,
            }
            .map(|b| b.to_string())
            .unwrap_or_default(),
            Mtu => a.calico.mtu.map(|n| n.to_string()).unwrap_or_default(),
            CgroupDriver => a
                .kubernetes
                .cgroup_driver
                .map(|d| d.as_str().to_string())
                .unwrap_or_default(),
            OtherName(i) => other(i).name,
            OtherIpv4(i) => opt(&other(i).ipv4),
            OtherIpv6(i) => opt(&other(i).ipv6),
            OtherRole(i) => match other(i).role {
                NodeRole::Worker => "worker".into(),
                NodeRole::ControlPlane => "control-plane".into(),
            },
            ClusterName => opt(&a.kubernetes.cluster_name),
            DnsDomain => opt(&a.networking.dns_domain),
            VerifyServerImage => a
                .verify
                .as_ref()
                .map(|v| opt(&v.server_image))
                .unwrap_or_default(),
            VerifyClientImage => a
                .verify
                .as_ref()
                .map(|v| opt(&v.client_image))
                .unwrap_or_default(),
            VerifyNodePort => a
                .verify
                .as_ref()
                .and_then(|v| v.node_port)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            VerifyNamespace => a
                .verify
                .as_ref()
                .map(|v| opt(&v.namespace))
                .unwrap_or_default(),
            ExportPath => m.export_path.clone(),
        }
    }

    /// Store `text` into the answers. Err: the i18n key saying why the text is not a value
    /// of this field (only numbers can fail here; everything else is the engine's to judge).
    pub fn set(self, m: &mut Model, text: &str) -> Result<(), &'static str> {
        use Field::*;
        let text = text.trim();
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let number = if let Some((lo, hi)) = self.number_range() {
            if text.is_empty() {
                None
            } else {
                // Masks are shown as "/120": typing them the same way works too.
                let digits = match self {
                    NodeMask(_) | BlockSize(_) => text.strip_prefix('/').unwrap_or(text),
                    _ => text,
                };
                match digits.parse::<u32>() {
                    Ok(n) if (lo..=hi).contains(&n) => Some(n),
                    _ => {
                        return Err(match self {
                            Mtu => "error.not_mtu",
                            VerifyNodePort => "error.not_port",
                            NodeMask(AddressFamily::Ipv4) | BlockSize(AddressFamily::Ipv4) => {
                                "error.not_mask4"
                            }
                            _ => "error.not_mask6",
                        });
                    }
                }
            }
        } else {
            None
        };
        let primary = m.primary;
        let a = &mut m.answers;
        match self {
            NodeName => a.node.name = text.to_string(),
            Ipv6Interface => {
                a.node.ipv6_interface = opt(text);
                follow_interface(m, Field::Ipv6);
            }
            Ipv6 => a.node.ipv6 = opt(text),
            Ipv4Interface => {
                a.node.ipv4_interface = opt(text);
                follow_interface(m, Field::Ipv4);
            }
            Ipv4 => a.node.ipv4 = opt(text),
            ApiAdvertise => {
                a.node.api_advertise = match text {
                    "ipv4" => Some(AddressFamily::Ipv4),
                    "ipv6" => Some(AddressFamily::Ipv6),
                    _ => None,
                }
            }
            ControlPlaneEndpoint => a.kubernetes.control_plane_endpoint = opt(text),
            PrimaryFamily => {
                let want = if text == "ipv6" { V6 } else { V4 };
                if want != primary {
                    // The order of podSubnets/serviceSubnets is what makes a family primary.
                    for list in [
                        &mut a.networking.pod_subnets,
                        &mut a.networking.service_subnets,
                    ] {
                        if list.len() == 2 {
                            list.swap(0, 1);
                        }
                    }
                    m.primary = want;
                }
            }
            PodSubnet(f) => set_family_entry(&mut a.networking.pod_subnets, f == primary, text),
            ServiceSubnet(f) => {
                set_family_entry(&mut a.networking.service_subnets, f == primary, text)
            }
            NodeMask(f) => {
                let mut masks = a.networking.node_mask_sizes.unwrap_or_default();
                let n = number.map(|n| n as u8);
                match f {
                    AddressFamily::Ipv4 => masks.ipv4 = n,
                    AddressFamily::Ipv6 => masks.ipv6 = n,
                }
                a.networking.node_mask_sizes =
                    (masks.ipv4.is_some() || masks.ipv6.is_some()).then_some(masks);
            }
            CalicoPool(AddressFamily::Ipv4) => a.calico.ipv4_pool = opt(text),
            CalicoPool(AddressFamily::Ipv6) => a.calico.ipv6_pool = opt(text),
            BlockSize(AddressFamily::Ipv4) => a.calico.ipv4_block_size = number.map(|n| n as u8),
            BlockSize(AddressFamily::Ipv6) => a.calico.ipv6_block_size = number.map(|n| n as u8),
            KubeVersion => a.kubernetes.version = text.to_string(),
            ImageRepository => a.kubernetes.image_repository = opt(text),
            CriSocket => a.kubernetes.cri_socket = opt(text),
            ProxyMode => {
                a.kubernetes.proxy_mode = match text {
                    "iptables" => Some(crate::answers::ProxyMode::Iptables),
                    "ipvs" => Some(crate::answers::ProxyMode::Ipvs),
                    "nftables" => Some(crate::answers::ProxyMode::Nftables),
                    _ => None,
                }
            }
            CalicoVersion => a.calico.version = text.to_string(),
            CalicoInstall => {
                a.calico.install = if text == "operator" {
                    crate::answers::CalicoInstall::Operator
                } else {
                    crate::answers::CalicoInstall::Manifest
                }
            }
            CalicoManifest => a.calico.manifest = opt(text),
            CalicoOperatorCrds => a.calico.operator_crds = opt(text),
            Autodetection(AddressFamily::Ipv4) => a.calico.ipv4_autodetection_method = opt(text),
            Autodetection(AddressFamily::Ipv6) => a.calico.ipv6_autodetection_method = opt(text),
            Encapsulation(f) => {
                let e = match text {
                    "IPIP" => Some(crate::answers::Encapsulation::Ipip),
                    "VXLAN" => Some(crate::answers::Encapsulation::Vxlan),
                    "None" => Some(crate::answers::Encapsulation::None),
                    _ => None,
                };
                match f {
                    AddressFamily::Ipv4 => a.calico.ipv4_encapsulation = e,
                    AddressFamily::Ipv6 => a.calico.ipv6_encapsulation = e,
                }
            }
            NatOutgoing(f) => {
                let on = match text {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                };
                match f {
                    AddressFamily::Ipv4 => a.calico.ipv4_nat_outgoing = on,
                    AddressFamily::Ipv6 => a.calico.ipv6_nat_outgoing = on,
                }
            }
            Mtu => a.calico.mtu = number,
            CgroupDriver => a.kubernetes.cgroup_driver = crate::answers::CgroupDriver::parse(text),
            OtherName(i) | OtherIpv4(i) | OtherIpv6(i) | OtherRole(i) => {
                if let Some(n) = a.nodes.get_mut(i) {
                    set_other(n, self, text);
                }
            }
            ClusterName => a.kubernetes.cluster_name = opt(text),
            DnsDomain => a.networking.dns_domain = opt(text),
            VerifyServerImage | VerifyClientImage | VerifyNodePort | VerifyNamespace => {
                let mut v = a.verify.take().unwrap_or_default();
                match self {
                    VerifyServerImage => v.server_image = opt(text),
                    VerifyClientImage => v.client_image = opt(text),
                    VerifyNodePort => v.node_port = number.map(|n| n as u16),
                    _ => v.namespace = opt(text),
                }
                // An empty section stays out of the file, as it was.
                let empty = v == crate::answers::Verify::default();
                a.verify = (!empty).then_some(v);
            }
            ExportPath => m.export_path = text.to_string(),
        }
        Ok(())
    }

    /// What Space cycles through (Choice: all the values; Text: suggestions). "" is unset.
    pub fn options(self, m: &Model) -> Vec<String> {
        use Field::*;
        let f = &m.facts;
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let mut out = match self {
            Ipv6Interface => interfaces_with(f, "ipv6"),
            Ipv4Interface => interfaces_with(f, "ipv4"),
            Ipv6 => addresses_of(f, m.answers.node.ipv6_interface.as_deref(), "ipv6"),
            Ipv4 => addresses_of(f, m.answers.node.ipv4_interface.as_deref(), "ipv4"),
            ApiAdvertise => s(&["", "ipv4", "ipv6"]),
            ControlPlaneEndpoint => std::iter::once(String::new())
                .chain(f.suggested.vip_candidates.iter().map(|v| endpoint(v)))
                .collect(),
            PrimaryFamily => s(&["ipv4", "ipv6"]),
            KubeVersion => f
                .tools
                .get("kubeadm")
                .and_then(|t| t.as_ref())
                .and_then(|t| t.version.clone())
                .into_iter()
                .collect(),
            ImageRepository => s(&["", "k8s.gcr.io", "registry.k8s.io", "registry.local"]),
            CriSocket => {
                let mut v = f.cri_sockets.clone();
                v.extend(s(&[
                    "unix:///var/run/containerd/containerd.sock",
                    "unix:///var/run/crio/crio.sock",
                    "unix:///var/run/cri-dockerd.sock",
                ]));
                v
            }
            ProxyMode => s(&["", "iptables", "ipvs", "nftables"]),
            CgroupDriver => s(&["", "systemd", "cgroupfs"]),
            CalicoVersion => s(&["v3.15.3", "v3.32.1"]),
            CalicoInstall => s(&["manifest", "operator"]),
            Autodetection(fam) => {
                let iface = match fam {
                    AddressFamily::Ipv4 => m.answers.node.ipv4_interface.clone(),
                    AddressFamily::Ipv6 => m.answers.node.ipv6_interface.clone(),
                };
                let mut v = s(&["", "first-found"]);
                if let Some(i) = iface {
                    v.push(format!("interface=^{i}$"));
                }
                v
            }
            Encapsulation(_) => s(&["", "IPIP", "VXLAN", "None"]),
            NatOutgoing(_) => s(&["", "true", "false"]),
            OtherRole(_) => s(&["worker", "control-plane"]),
            _ => vec![],
        };
        let cur = self.get(m);
        if self.kind() == Kind::Choice && !out.contains(&cur) {
            out.push(cur);
        }
        out.dedup();
        out
    }

    /// The detection's reason for a suggested value, when the field holds that value.
    pub fn reason(self, m: &Model) -> Option<String> {
        let s = &m.facts.suggested;
        // Detection words its reasons freely (one may cover two fields), so a field's reason
        // is the first one that names the suggested value.
        let (suggested, value) = match self {
            Field::Ipv6Interface => (s.ipv6_interface.clone(), s.ipv6_interface.clone()),
            Field::Ipv6 => (s.ipv6.clone(), s.ipv6.clone()),
            Field::Ipv4Interface => (s.ipv4_interface.clone(), s.ipv4_interface.clone()),
            Field::Ipv4 => (s.ipv4.clone(), s.ipv4.clone()),
            Field::ControlPlaneEndpoint => {
                let vip = s.vip_candidates.first();
                (vip.map(|v| endpoint(v)), vip.cloned())
            }
            _ => return None,
        };
        if suggested.as_deref() != Some(self.get(m).as_str()) {
            return None;
        }
        let value = value?;
        let i = s.reasons.iter().position(|r| mentions(r, &value))?;
        // In the wizard's language where detection gave the reason's findings by code.
        Some(m.tx().said(&crate::message::Said {
            text: s.reasons[i].clone(),
            code: None,
            parts: s.reason_parts.get(i).cloned().unwrap_or_default(),
        }))
    }

    /// What the engine will use when the field is left empty (from the plan's defaults).
    pub fn effective(self, m: &Model) -> Option<String> {
        // From the answers themselves: the last plan's mask may be another version's.
        if let Field::NodeMask(f) = self
            && let Some(n) = crate::plan::default_node_mask(&m.answers, f)
        {
            return Some(format!("/{n}"));
        }
        // The default socket depends on the version (dockershim before 1.24): only the
        // current plan's, never a stale one's.
        if self == Field::CriSocket {
            return m.checked.plan.as_ref().map(|p| p.cri_socket.clone());
        }
        // The demo renders with the manifest it bundles, and export writes it beside the
        // answers: that is the file in force while none is named.
        if self == Field::CalicoManifest
            && matches!(m.env.manifest, crate::tui::model::ManifestSource::Bundled)
            && m.answers.calico.install == crate::answers::CalicoInstall::Manifest
            && let Some(b) = crate::tui::demo_manifests::for_version(&m.answers.calico.version)
        {
            return Some(m.tx().f("value.demo_manifest", &[b.name]));
        }
        let plan = m.plan_in_force()?;
        Some(match self {
            Field::ApiAdvertise => AddressFamily::of(&plan.node.advertise_address)
                .as_str()
                .to_string(),
            Field::NodeMask(f) => format!("/{}", plan.family(f)?.node_mask),
            Field::BlockSize(f) => format!("/{}", plan.family(f)?.block_size),
            Field::CalicoPool(f) => plan.family(f)?.calico_pool.to_string(),
            Field::Autodetection(f) => plan.family(f)?.autodetection.clone(),
            Field::Encapsulation(f) => plan.family(f)?.encapsulation.as_str().to_string(),
            Field::NatOutgoing(f) => plan.family(f)?.nat_outgoing.to_string(),
            Field::ImageRepository => plan.image_repository.clone(),
            Field::ProxyMode => plan.proxy_mode.as_str().to_string(),
            // v1.19/v1.20 with dockershim: kubeadm writes docker's own driver into
            // kubeadm-flags.env, over the KubeletConfiguration's (flags_unix.go).
            Field::CgroupDriver => match &m.facts.cgroup_driver {
                Some(rt)
                    if rt.runtime == "docker"
                        && plan.kube.kubeadm_sets_docker_cgroup_driver
                        && plan.cri_socket.ends_with("dockershim.sock") =>
                {
                    m.tx().f("value.docker_cgroup_driver", &[&rt.driver])
                }
                _ => plan.cgroup_driver.as_str().to_string(),
            },
            Field::ClusterName => plan.cluster_name.clone(),
            Field::DnsDomain => plan.dns_domain.clone(),
            Field::VerifyServerImage => plan.verify.server_image.clone(),
            Field::VerifyClientImage => plan.verify.client_image.clone(),
            Field::VerifyNodePort => plan.verify.node_port.to_string(),
            Field::VerifyNamespace => plan.verify.namespace.clone(),
            // Unset: Felix detects it from the links (v3.17+), or the manifest's own 1440.
            Field::Mtu => match crate::plan::pod_mtu(plan) {
                Some(n) => n.to_string(),
                None => m.tx().t("value.mtu_auto").into(),
            },
            // Without an endpoint, kubeadm points every kubeconfig and join at the
            // advertise address and bind port: that is what is in force.
            Field::ControlPlaneEndpoint if plan.control_plane_endpoint.is_none() => {
                plan.api_server_endpoint()
            }
            _ => return None,
        })
    }
}

/// After the interface changed: keep the node address if it is on the new interface, else
/// take that interface's first usable address (the same order Space offers).
fn follow_interface(m: &mut Model, addr: Field) {
    let options = addr.options(m);
    let current = addr.get(m);
    if let Some(first) = options.first()
        && !options.contains(&current)
    {
        let first = first.clone();
        let _ = addr.set(m, &first);
    }
}

fn endpoint(vip: &str) -> String {
    if vip.contains(':') {
        format!("[{vip}]:6443")
    } else {
        format!("{vip}:6443")
    }
}

fn set_family_entry(list: &mut Vec<String>, primary: bool, text: &str) {
    let idx = if primary { 0 } else { 1 };
    if text.is_empty() && idx + 1 >= list.len() {
        list.truncate(idx);
        return;
    }
    while list.len() <= idx {
        list.push(String::new());
    }
    list[idx] = text.to_string();
}

fn set_other(n: &mut OtherNode, field: Field, text: &str) {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    match field {
        Field::OtherName(_) => n.name = text.to_string(),
        Field::OtherIpv4(_) => n.ipv4 = opt(text),
        Field::OtherIpv6(_) => n.ipv6 = opt(text),
        Field::OtherRole(_) => {
            n.role = if text == "control-plane" {
                NodeRole::ControlPlane
            } else {
                NodeRole::Worker
            }
        }
        _ => {}
    }
}

fn interfaces_with(f: &HostFacts, family: &str) -> Vec<String> {
    f.interfaces
        .iter()
        .filter(|i| {
            i.addresses
                .iter()
                .any(|a| a.family == family && a.scope == "global")
        })
        .map(|i| i.name.clone())
        .collect()
}

/// Global addresses of the interface (all interfaces when none is chosen), usable ones first.
fn addresses_of(f: &HostFacts, iface: Option<&str>, family: &str) -> Vec<String> {
    let mut v: Vec<(bool, String)> = f
        .interfaces
        .iter()
        .filter(|i| iface.is_none_or(|n| n == i.name))
        .flat_map(|i| i.addresses.iter())
        .filter(|a| a.family == family && a.scope == "global")
        .map(|a| {
            let unusable =
                a.has_flag("tentative") || a.has_flag("deprecated") || a.has_flag("dadfailed");
            (unusable, a.address.clone())
        })
        .collect();
    v.sort_by_key(|(u, _)| *u);
    v.into_iter().map(|(_, a)| a).collect()
}

/// `text` names `word` as a whole token: `2018::2` is not named by `2018::21`.
fn mentions(text: &str, word: &str) -> bool {
    let part_of_token = |c: char| c.is_ascii_alphanumeric() || c == ':';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(part_of_token) && !after.is_some_and(part_of_token)
    })
}

#[cfg(test)]
mod reason_tests {
    use super::mentions;

    #[test]
    fn mentions_whole_tokens_only() {
        assert!(mentions("2018::21 is stable", "2018::21"));
        assert!(!mentions("2018::21 is stable", "2018::2"));
        assert!(mentions(
            "111.111.111.120/32 looks like a VIP",
            "111.111.111.120"
        ));
        assert!(mentions("ens224 has the default route", "ens224"));
        assert!(!mentions("vethens224x", "ens224"));
    }
}

/// The field that fixes a problem, and its screen: the field at the problem's path, the
/// innermost field above it (a problem at `nodes[1].ipv6.x` lives under `nodes[1].ipv6`),
/// else the first field of its section. A problem about a whole subnet list (wrong families,
/// wrong order) goes to the per-family field whose entry is missing or of the wrong family,
/// since the form edits the lists one family at a time.
pub fn home(p: &crate::plan::Problem, m: &Model) -> Option<(Screen, Field)> {
    let path = p.path.as_str();
    for (list, field) in [
        (
            "networking.podSubnets",
            Field::PodSubnet as fn(AddressFamily) -> Field,
        ),
        ("networking.serviceSubnets", Field::ServiceSubnet),
    ] {
        // Both entries of one family: the plan blames the second (the first names the
        // primary family in the answers file), but on the form the wrong one is the entry
        // whose family field holds the other family's range.
        let same_family = p.code == "subnets.same_family" && path.starts_with(list);
        if path == list || same_family {
            let entries = if list.ends_with("podSubnets") {
                &m.answers.networking.pod_subnets
            } else {
                &m.answers.networking.service_subnets
            };
            return Some((Screen::Pools, field(family_to_fix(entries, m.primary))));
        }
    }
    let mut best: Option<(usize, Screen, Field)> = None;
    for screen in Screen::ALL {
        for f in of_screen(screen, m) {
            let fp = f.path(m);
            if fp.is_empty() {
                continue;
            }
            let under = path == fp
                || path.starts_with(&format!("{fp}."))
                || path.starts_with(&format!("{fp}["));
            if under && best.is_none_or(|(len, _, _)| fp.len() > len) {
                best = Some((fp.len(), screen, f));
            }
        }
    }
    if let Some((_, screen, f)) = best {
        return Some((screen, f));
    }
    // A section as a whole: its first field.
    let section = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}."));
    let node_entry = path
        .strip_prefix("nodes[")
        .and_then(|r| r.split(']').next())
        .and_then(|i| i.parse::<usize>().ok())
        .filter(|i| *i < m.answers.nodes.len());
    let f = if let Some(i) = node_entry {
        Field::OtherName(i)
    } else if section("node") {
        Field::NodeName
    } else if section("networking") {
        Field::PrimaryFamily
    } else if section("kubernetes") {
        Field::KubeVersion
    } else if section("calico") {
        Field::CalicoVersion
    } else if section("verify") || path == "nodes" {
        Field::VerifyServerImage
    } else {
        return None;
    };
    Screen::ALL
        .into_iter()
        .find(|s| of_screen(*s, m).contains(&f))
        .map(|s| (s, f))
}

/// Which family's entry of a pod or service subnet list is wrong: the first (primary first)
/// that is missing or of the other family; the second family when both look right.
fn family_to_fix(entries: &[String], primary: AddressFamily) -> AddressFamily {
    let other = if primary == V4 { V6 } else { V4 };
    for (i, f) in [primary, other].into_iter().enumerate() {
        let fits = entries.get(i).is_some_and(|e| {
            let v6 = e.contains(':');
            !e.trim().is_empty() && v6 == (f == V6)
        });
        if !fits {
            return f;
        }
    }
    other
}

/// Where a problem shows: its screen, the index of its field there, and how bad it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spot {
    pub screen: Screen,
    pub field: usize,
    pub severity: crate::plan::Severity,
}

/// Every plan problem's spot, in screen and field order (problems without a field are left
/// out: the header and Export still count them).
pub fn spots(m: &Model) -> Vec<Spot> {
    let mut out: Vec<Spot> = m
        .checked
        .problems
        .iter()
        .filter_map(|p| {
            let (screen, f) = home(p, m)?;
            let field = of_screen(screen, m).iter().position(|x| *x == f)?;
            Some(Spot {
                screen,
                field,
                severity: p.severity,
            })
        })
        .collect();
    out.sort_by_key(|s| (s.screen.index(), s.field));
    out
}

/// The worst problem on a screen, if any (Welcome: the host warnings).
pub fn screen_severity(m: &Model, screen: Screen) -> Option<crate::plan::Severity> {
    let worst = spots(m)
        .into_iter()
        .filter(|s| s.screen == screen)
        .map(|s| s.severity)
        .max();
    if screen == Screen::Welcome && !m.facts.warnings.is_empty() {
        return worst.or(Some(crate::plan::Severity::Warning));
    }
    worst
}
