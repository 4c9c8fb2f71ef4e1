//! The answers file (the README's answers-file reference): every choice the wizard asks for, as one
//! YAML document. Addresses and CIDRs stay text here so that a half-typed wizard field and a
//! hand-edited file are checked by the same code (`plan`), which names the field on failure.

use serde::{Deserialize, Serialize};
use std::path::Path;

pub const API_VERSION: &str = "dsinstall/v1alpha1";
pub const KIND: &str = "Answers";

/// The largest answers file read: a real one is a few KiB; past this it is not one, and
/// YAML this size would take seconds to parse.
pub const MAX_FILE: u64 = 1 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Answers {
    pub api_version: String,
    pub kind: String,
    pub kubernetes: Kubernetes,
    pub node: Node,
    pub networking: Networking,
    pub calico: Calico,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nodes: Vec<OtherNode>,
    /// How apply reaches every node of `nodes:` over SSH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<SshSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verify>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Kubernetes {
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_repository: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cri_socket: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_mode: Option<ProxyMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    /// An extension of the contract: the kubelet's cgroup driver, which must be the
    /// runtime's (default systemd; export writes the detected runtime's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup_driver: Option<CgroupDriver>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CgroupDriver {
    Systemd,
    Cgroupfs,
}

impl CgroupDriver {
    pub fn as_str(self) -> &'static str {
        match self {
            CgroupDriver::Systemd => "systemd",
            CgroupDriver::Cgroupfs => "cgroupfs",
        }
    }
    pub fn parse(s: &str) -> Option<CgroupDriver> {
        match s {
            "systemd" => Some(CgroupDriver::Systemd),
            "cgroupfs" => Some(CgroupDriver::Cgroupfs),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProxyMode {
    Iptables,
    Ipvs,
    Nftables,
}

impl ProxyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProxyMode::Iptables => "iptables",
            ProxyMode::Ipvs => "ipvs",
            ProxyMode::Nftables => "nftables",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Node {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_interface: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_interface: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_advertise: Option<AddressFamily>,
}

/// An IP family as the answers file spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AddressFamily {
    Ipv4,
    Ipv6,
}

impl AddressFamily {
    pub fn as_str(self) -> &'static str {
        match self {
            AddressFamily::Ipv4 => "ipv4",
            AddressFamily::Ipv6 => "ipv6",
        }
    }
    /// The spelling Kubernetes uses in `ipFamilies` / `ipFamily`.
    pub fn kube_name(self) -> &'static str {
        match self {
            AddressFamily::Ipv4 => "IPv4",
            AddressFamily::Ipv6 => "IPv6",
        }
    }
    pub fn bits(self) -> u8 {
        match self {
            AddressFamily::Ipv4 => 32,
            AddressFamily::Ipv6 => 128,
        }
    }
    pub fn of(addr: &std::net::IpAddr) -> Self {
        if addr.is_ipv4() {
            AddressFamily::Ipv4
        } else {
            AddressFamily::Ipv6
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Networking {
    pub pod_subnets: Vec<String>,
    pub service_subnets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_mask_sizes: Option<NodeMaskSizes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_domain: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeMaskSizes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Calico {
    pub version: String,
    pub install: CalicoInstall,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    /// An extension of the contract: Calico's upstream `operator-crds.yaml` (operator mode).
    /// From v3.30 the operator's CRDs ship only there, not in tigera-operator.yaml. Unset:
    /// `operator-crds.yaml` beside `calico.manifest`, when that file is there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_crds: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_pool: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_pool: Option<String>,
    /// An extension of the contract: the IPv4 block size, like `ipv6BlockSize`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_block_size: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_block_size: Option<u8>,
    /// An extension of the contract: the IPv4 autodetection method (Calico's default first-found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_autodetection_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_autodetection_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_encapsulation: Option<Encapsulation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_encapsulation: Option<Encapsulation>,
    /// An extension of the contract: NAT for traffic leaving the cluster from the IPv4 pool.
    /// Unset: Calico's default, true (calico-node CALICO_IPV4POOL_NAT_OUTGOING).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4_nat_outgoing: Option<bool>,
    /// An extension of the contract: NAT for the IPv6 pool. Unset: Calico's default, false
    /// (calico-node CALICO_IPV6POOL_NAT_OUTGOING; the operator's Disabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_nat_outgoing: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CalicoInstall {
    #[default]
    Manifest,
    Operator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encapsulation {
    #[serde(rename = "IPIP")]
    Ipip,
    #[serde(rename = "VXLAN")]
    Vxlan,
    None,
}

impl Encapsulation {
    pub fn as_str(self) -> &'static str {
        match self {
            Encapsulation::Ipip => "IPIP",
            Encapsulation::Vxlan => "VXLAN",
            Encapsulation::None => "None",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OtherNode {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6: Option<String>,
    #[serde(default)]
    pub role: NodeRole,
    /// How apply reaches this node to join it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<NodeSsh>,
}

/// `nodes[].ssh`: where and as whom apply logs in to join the node. Every field optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeSsh {
    /// An address or an RFC 1123 name; default the node's address of the API advertise
    /// family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Default root; another user needs passwordless sudo (`sudo -n`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Default 22. Wider than a port so that 70000 is a plan problem naming the field,
    /// not a parse error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
}

/// `ssh:`: what every node's SSH connection uses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SshSettings {
    /// Default: ssh's own (agent, ~/.ssh/config).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_file: Option<String>,
    /// Default: ssh's own (~/.ssh/known_hosts). Host keys are always checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_hosts: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRole {
    #[default]
    Worker,
    ControlPlane,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Verify {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Why an answers file could not be read. `path` is the field path (`networking.podSubnets[1]`)
/// or empty when the document as a whole is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    pub file: String,
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.path, self.message)
        }
    }
}

impl std::error::Error for LoadError {}

impl Answers {
    /// Parse an answers document. `file` names the source in errors.
    pub fn from_yaml(text: &str, file: &str) -> Result<Answers, LoadError> {
        let err = |path: String, message: String| LoadError {
            file: file.to_string(),
            path,
            message,
        };
        if text.len() as u64 > MAX_FILE {
            return Err(err(
                String::new(),
                format!(
                    "is larger than {}, more than an answers file holds",
                    crate::io::read::size(MAX_FILE)
                ),
            ));
        }
        crate::io::yaml::check_depth(text).map_err(|e| err(String::new(), e))?;
        // First as a generic value: a wrong apiVersion/kind is reported as such, not as the
        // first field that happens not to fit.
        let value: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| err(String::new(), one_line(&e.to_string())))?;
        let map = value.as_mapping().ok_or_else(|| {
            err(
                String::new(),
                "the answers file must be a YAML mapping (apiVersion, kind, kubernetes, ...)"
                    .into(),
            )
        })?;
        for (key, expected) in [("apiVersion", API_VERSION), ("kind", KIND)] {
            let message = match map.get(key) {
                None => format!("missing; expected {expected:?}"),
                Some(serde_yaml::Value::String(v)) if v == expected => continue,
                Some(serde_yaml::Value::String(v)) => {
                    format!("is {:?}, expected {expected:?}", cut(v))
                }
                Some(other) => format!("is {}, expected the string {expected:?}", kind_of(other)),
            };
            return Err(err(key.into(), message));
        }
        let de = serde_yaml::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            let message = one_line(&e.into_inner().to_string());
            // serde_yaml starts some messages with the path itself (`node.apiAdvertise:
            // unknown variant ...`); the error prints the path once, in front.
            let message = match message.strip_prefix(&format!("{path}: ")) {
                Some(rest) if !path.is_empty() => rest.to_string(),
                _ => message,
            };
            err(path, cut_quoted(&message))
        })
    }

    /// Read and parse an answers file: a regular file of at most `MAX_FILE`.
    pub fn load(path: &Path) -> Result<Answers, LoadError> {
        let file = path.display().to_string();
        let text = crate::io::read::read_text(path, MAX_FILE).map_err(|e| LoadError {
            file: file.clone(),
            path: String::new(),
            message: format!("cannot read: {e}"),
        })?;
        Answers::from_yaml(&text, &file)
    }

    pub fn to_yaml(&self) -> String {
        let body = serde_yaml::to_string(self).expect("answers always serialize");
        format!("# dsinstall answers file: replay with `dsinstall apply --answers FILE`\n{body}")
    }

    /// Write through `io::write` (atomic, never through a planted link, only over a regular
    /// file). Answers files hold no secrets; the caller passes `secret = true` when one was
    /// added, which makes it 0600.
    pub fn save(&self, path: &Path, secret: bool) -> std::io::Result<()> {
        let mode = if secret {
            crate::io::write::PRIVATE
        } else {
            crate::io::write::PUBLIC
        };
        crate::io::write::write_file(path, self.to_yaml().as_bytes(), mode)
    }

    /// The seed document's lab, used by `--demo` and as the wizard's starting point when
    /// nothing better is known.
    pub fn seed() -> Answers {
        Answers::from_yaml(include_str!("../assets/demo/answers.yaml"), "seed")
            .expect("embedded seed answers parse")
    }
}

/// serde_yaml errors end with "at line N column M"; keep them on one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The longest value an error repeats whole; longer ones are cut with an ellipsis, so a
/// pasted blob does not fill the screen.
const SHOWN_VALUE_CHARS: usize = 60;

/// `v` cut to `SHOWN_VALUE_CHARS` characters, with `…` when something was cut.
fn cut(v: &str) -> String {
    if v.chars().count() <= SHOWN_VALUE_CHARS {
        return v.to_string();
    }
    let mut out: String = v.chars().take(SHOWN_VALUE_CHARS).collect();
    out.push('…');
    out
}

/// A message with every quoted value ("...", `...`) cut by `cut`.
fn cut_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(512));
    let mut rest = message;
    while let Some(start) = rest.find(['"', '`']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        let after = &rest[start + 1..];
        let Some(len) = after.find(quote) else {
            break;
        };
        out.push_str(&rest[..=start]);
        out.push_str(&cut(&after[..len]));
        out.push(quote);
        rest = &after[len + 1..];
    }
    out.push_str(rest);
    out
}

/// What a YAML value is, for "is a sequence, expected the string ...".
fn kind_of(v: &serde_yaml::Value) -> String {
    use serde_yaml::Value;
    match v {
        Value::Null => "empty".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {}", cut(&n.to_string())),
        Value::String(s) => format!("{:?}", cut(s)),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("tagged {}", cut(&t.tag.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_error(text: &str) -> String {
        Answers::from_yaml(text, "f.yaml").unwrap_err().to_string()
    }

    fn seed_with(old: &str, new: &str) -> String {
        let seed = include_str!("../assets/demo/answers.yaml");
        assert!(seed.contains(old), "{old}");
        seed.replacen(old, new, 1)
    }

    #[test]
    fn api_version_of_another_type_is_not_called_missing() {
        let e = load_error(&seed_with(
            "apiVersion: dsinstall/v1alpha1",
            "apiVersion: 5",
        ));
        assert_eq!(
            e,
            "f.yaml: apiVersion: is the number 5, expected the string \"dsinstall/v1alpha1\""
        );
        let e = load_error(&seed_with(
            "apiVersion: dsinstall/v1alpha1",
            "apiVersion: [a]",
        ));
        assert!(e.contains("apiVersion: is a list"), "{e}");
        let e = load_error("kind: Answers\n");
        assert!(e.contains("apiVersion: missing"), "{e}");
    }

    #[test]
    fn the_field_path_is_printed_once() {
        let e = load_error(&seed_with(
            "  name: node01\n",
            "  name: node01\n  apiAdvertise: bogus\n",
        ));
        assert_eq!(e.matches("node.apiAdvertise").count(), 1, "{e}");
        assert!(
            e.starts_with("f.yaml: node.apiAdvertise: unknown variant `bogus`"),
            "{e}"
        );
    }

    #[test]
    fn ssh_settings_are_read_and_unknown_keys_named() {
        let text = seed_with(
            "verify:",
            "ssh:\n  identityFile: ~/.ssh/id_ed25519\n  knownHosts: ~/.ssh/known_hosts\nverify:",
        );
        let text = text.replacen(
            "role: worker}",
            "role: worker, ssh: {host: 111.111.111.122, user: admin, port: 2222}}",
            1,
        );
        let a = Answers::from_yaml(&text, "f.yaml").unwrap();
        assert_eq!(
            a.nodes[0].ssh,
            Some(NodeSsh {
                host: Some("111.111.111.122".into()),
                user: Some("admin".into()),
                port: Some(2222),
            })
        );
        let s = a.ssh.as_ref().unwrap();
        assert_eq!(s.identity_file.as_deref(), Some("~/.ssh/id_ed25519"));
        assert_eq!(s.known_hosts.as_deref(), Some("~/.ssh/known_hosts"));
        assert_eq!(Answers::from_yaml(&a.to_yaml(), "again").unwrap(), a);

        let e = load_error(&text.replacen("port: 2222", "port: 2222, password: x", 1));
        assert!(e.starts_with("f.yaml: nodes[0].ssh.password: "), "{e}");
        assert!(e.contains("unknown field `password`"), "{e}");
        let e = load_error(&text.replacen("  knownHosts:", "  strict: no\n  knownHosts:", 1));
        assert!(e.starts_with("f.yaml: ssh.strict: "), "{e}");
        assert!(e.contains("unknown field `strict`"), "{e}");
        let e = load_error(&text.replacen("port: 2222", "port: [22]", 1));
        assert!(e.starts_with("f.yaml: nodes[0].ssh.port: "), "{e}");
    }

    #[test]
    fn huge_values_are_cut_with_an_ellipsis() {
        let huge = "A".repeat(5000);
        for text in [
            seed_with(
                "apiVersion: dsinstall/v1alpha1",
                &format!("apiVersion: {huge}"),
            ),
            seed_with("proxyMode: iptables", &format!("proxyMode: {huge}")),
        ] {
            let e = load_error(&text);
            assert!(e.len() < 300, "{} chars: {}", e.len(), cut(&e));
            assert!(
                e.contains(&format!("{}…", "A".repeat(SHOWN_VALUE_CHARS))),
                "{e}"
            );
        }
    }
}
