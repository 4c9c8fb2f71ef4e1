//! A problem found in the answers: where (field path), how bad, what, and how to fix it.

use serde::Serialize;

/// Every problem code the checks produce; a test holds the checks and the wizard's
/// translations (`problem.<code>`, `hint.<code>` in assets/i18n) to this list.
pub const CODES: &[&str] = &[
    "autodetect.bad_cidr",
    "autodetect.bad_regex",
    "autodetect.cidr_unsupported",
    "autodetect.invalid_chars",
    "autodetect.internal_ip_unsupported",
    "autodetect.needs_value",
    "autodetect.unanchored",
    "autodetect.unknown",
    "block.fewer_than_nodes",
    "block.out_of_range",
    "block.pool_too_small",
    "calico.backend_needs_bgp",
    "calico.backend_policy_only",
    "calico.backend_unknown",
    "calico.ipip_ipv6",
    "calico.manifest_missing",
    "calico.registry_invalid",
    "calico.mtu_range",
    "calico.mtu_too_big",
    "calico.mtu_too_big_auto",
    "calico.operator_crds_missing",
    "calico.operator_image",
    "calico.version_syntax",
    "calico.version_unsupported",
    "calico.vxlan_ipv6",
    "cidr.host_bits",
    "cidr.leading_zeros",
    "cidr.no_prefix",
    "cluster_name.invalid",
    "cri.dockershim",
    "cri.empty",
    "cri.invalid_chars",
    "cri.relative",
    "cri.scheme",
    "cri.url_expected",
    "dns_domain.invalid",
    "endpoint.invalid",
    "endpoint.port",
    "endpoint.required_for_control_plane",
    "host.address_not_here",
    "host.address_other_interface",
    "host.cgroup_driver_mismatch",
    "host.cri_socket_missing",
    "host.docker_not_running",
    "host.cri_socket_none",
    "host.kubeadm_skew",
    "host.kubelet_newer",
    "image_repository.frozen",
    "calico.untested_pair",
    "calico.untested_pair_nearest",
    "image_repository.invalid",
    "ip.invalid",
    "ip.invalid_with_prefix",
    "ip.leading_zeros",
    "ip.ipv4_mapped",
    "ip.not_global",
    "ip.wrong_family",
    "kubernetes.single_node_ip",
    "kubernetes.version_syntax",
    "kubernetes.version_unsupported",
    "node.address_in_range",
    "node.address_missing",
    "node.advertise_family",
    "node.advertise_family_endpoint",
    "node.advertise_missing",
    "node.ipv6_interface_required",
    "node.name_invalid",
    "node_mask.diff_too_large",
    "node_mask.diff_too_large_kcm",
    "node_mask.few_addresses",
    "node_mask.no_room",
    "node_mask.pod_smaller",
    "node_mask.pod_smaller_default",
    "node_mask.pod_smaller_default_kcm",
    "node_mask.pod_smaller_default_v1_20",
    "node_mask.pod_smaller_kcm",
    "node_mask.pod_smaller_v1_20",
    "node_mask.too_long",
    "nodes.address_duplicate",
    "nodes.address_missing",
    "nodes.name_duplicate",
    "nodes.name_too_long",
    "pods.single_stack",
    "pool.no_pod_subnet",
    "pool.covers_node",
    "pool.outside_pod_subnet",
    "pool.overlaps_service",
    "pool.ula_without_nat",
    "pool.unparsable",
    "pool.wrong_family",
    "proxy.alpha",
    "proxy.deprecated",
    "proxy.ipvs_ipv6_nodeport",
    "proxy.unsupported",
    "render.failed",
    "render.source_unset",
    "render.source_url",
    "render.source_missing",
    "render.source_unreadable",
    "render.source_invalid",
    "render.source_empty",
    "render.source_depth",
    "render.source_version",
    "service.family_extra",
    "service.family_mismatch",
    "service.family_missing",
    "service.family_order",
    "service.too_large",
    "service.too_large_apiserver",
    "ssh.host_invalid",
    "ssh.path_empty",
    "ssh.port_range",
    "ssh.user_empty",
    "subnets.empty",
    "subnets.overlap",
    "subnets.reserved",
    "subnets.same_family",
    "subnets.site_local",
    "subnets.too_many",
    "subnets.too_small",
    "subnets.unparsable",
    "subnets.zero_prefix",
    "verify.image_invalid",
    "verify.namespace_invalid",
    "verify.node_port_range",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Field path in the answers file, e.g. `networking.podSubnets[1]`.
    pub path: String,
    pub severity: Severity,
    /// One sentence: what is wrong.
    pub message: String,
    /// How to fix it, where a fix exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// A stable id (one of [`CODES`]) so a front end can show the message in another
    /// language: the wizard looks up `problem.<code>` and `hint.<code>`.
    pub code: &'static str,
    /// The values interpolated into the message, in order, as the English text shows them.
    /// The message and the hint share this one list: `{N}` in either is `args[N]`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
}

impl Problem {
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            severity: Severity::Error,
            message: message.into(),
            hint: None,
            code: "",
            args: Vec::new(),
        }
    }

    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            severity: Severity::Warning,
            message: message.into(),
            hint: None,
            code: "",
            args: Vec::new(),
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Problem {
        self.hint = Some(hint.into());
        self
    }

    /// Set the stable code and the interpolated values (shared by message and hint).
    pub fn code(mut self, code: &'static str, args: &[&dyn std::fmt::Display]) -> Problem {
        debug_assert!(CODES.contains(&code), "unknown problem code {code}");
        self.code = code;
        self.args = args.iter().map(|a| a.to_string()).collect();
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.severity.as_str(),
            self.path,
            self.message
        )?;
        if let Some(h) = &self.hint {
            write!(f, " (fix: {h})")?;
        }
        Ok(())
    }
}
