//! Reading a kubeadm `--config` file as the simulated kubeadm release would: which API
//! versions it takes (apiversions.rs), the strict-decoding warnings about unknown fields, the
//! map-or-list shape of extraArgs (lists from v1beta4), and the values the lab goes on with.

use super::apiversions::{self, Support};
use super::fields;
use super::klog;
use crate::sim::version::Version;
use serde_yaml::Value;
use std::path::Path;

/// A failure to load the config: kubeadm's message and its exit code.
#[derive(Debug)]
pub struct LoadError {
    pub message: String,
    pub code: i32,
}

impl LoadError {
    fn new(message: impl Into<String>) -> LoadError {
        LoadError {
            message: message.into(),
            code: 1,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct NodeReg {
    pub name: Option<String>,
    pub cri_socket: Option<String>,
    pub kubelet_extra_args: Vec<(String, String)>,
    /// None: kubeadm's default taints; Some(empty): `taints: []`, none at all.
    pub taints: Option<Vec<(String, String)>>,
    pub ignore_preflight_errors: Vec<String>,
}

impl NodeReg {
    pub fn node_ip(&self) -> Option<&str> {
        self.kubelet_extra_args
            .iter()
            .rev()
            .find(|(k, _)| k == "node-ip")
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default, Clone)]
pub struct InitCfg {
    pub advertise_address: Option<String>,
    pub bind_port: u16,
    pub node: NodeReg,
    pub tokens: Vec<String>,
    pub certificate_key: Option<String>,
    pub skip_phases: Vec<String>,
}

#[derive(Debug, Default, Clone)]
pub struct ClusterCfg {
    pub kubernetes_version: Option<String>,
    pub control_plane_endpoint: Option<String>,
    pub image_repository: Option<String>,
    pub cluster_name: Option<String>,
    pub pod_subnet: Option<String>,
    pub service_subnet: Option<String>,
    pub dns_domain: Option<String>,
    pub feature_gates: Vec<(String, bool)>,
    pub apiserver_args: Vec<(String, String)>,
    pub controller_manager_args: Vec<(String, String)>,
    pub cert_sans: Vec<String>,
}

impl ClusterCfg {
    pub fn gate(&self, name: &str) -> Option<bool> {
        self.feature_gates
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    }
    pub fn kcm_arg(&self, name: &str) -> Option<&str> {
        self.controller_manager_args
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default, Clone)]
pub struct JoinCfg {
    pub node: NodeReg,
    pub endpoint: Option<String>,
    pub token: Option<String>,
    pub ca_cert_hashes: Vec<String>,
    pub unsafe_skip_ca_verification: bool,
    pub control_plane: bool,
    pub certificate_key: Option<String>,
    pub advertise_address: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct KubeletCfg {
    pub cgroup_driver: Option<String>,
    pub feature_gates: Vec<(String, bool)>,
    pub fail_swap_on: Option<bool>,
}

#[derive(Debug, Default, Clone)]
pub struct ProxyCfg {
    pub mode: Option<String>,
    pub cluster_cidr: Option<String>,
    pub feature_gates: Vec<(String, bool)>,
}

/// Everything read from the file, with the warnings kubeadm printed while reading it.
#[derive(Debug, Default, Clone)]
pub struct KubeadmConfig {
    pub init: Option<InitCfg>,
    pub cluster: ClusterCfg,
    pub join: Option<JoinCfg>,
    pub kubelet: KubeletCfg,
    pub proxy: ProxyCfg,
    /// The kubeadm API version of the Init/Join document.
    pub api: String,
}

/// Load `path` for `purpose` ("init", "join" or "validate"); Ok carries the config and the
/// warning lines kubeadm writes to stderr.
pub fn load(
    path: &Path,
    v: Version,
    purpose: &str,
) -> Result<(KubeadmConfig, Vec<String>), LoadError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        LoadError::new(format!(
            "unable to read config from {:?} : open {}: {}",
            path.to_string_lossy(),
            path.to_string_lossy(),
            io_words(&e)
        ))
    })?;
    let docs = crate::sim::yaml::documents(&text)
        .map_err(|e| LoadError::new(format!("error converting YAML to JSON: {e}")))?;
    let mut cfg = KubeadmConfig::default();
    let mut warnings = Vec::new();
    let mut seen_kubeadm = false;
    for doc in &docs {
        let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
        if api_version.is_empty() || kind.is_empty() {
            return Err(LoadError::new("invalid configuration for GroupVersionKind /, Kind=: kind and apiVersion is mandatory information that must be specified".to_string()));
        }
        let (group, ver) = api_version.split_once('/').unwrap_or(("", api_version));
        match group {
            "kubeadm.k8s.io" => {
                seen_kubeadm = true;
                match apiversions::support(v, ver) {
                    Support::Ok => {}
                    Support::Deprecated => warnings.push(klog::warning(
                        "common.go:83",
                        &apiversions::deprecated_message(v, ver, kind),
                    )),
                    Support::Old(release) => {
                        return Err(LoadError::new(apiversions::old_message(
                            v, ver, kind, release,
                        )));
                    }
                    Support::Experimental => {
                        return Err(LoadError::new(apiversions::experimental_message(ver, kind)));
                    }
                    Support::Unknown => {
                        warnings.push(klog::warning(
                            "strict.go:47",
                            &format!(
                                "unknown configuration schema.GroupVersionKind{{Group:\"kubeadm.k8s.io\", Version:{ver:?}, Kind:{kind:?}}} for scheme definitions in \"k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/scheme/scheme.go:31\" and \"k8s.io/kubernetes/cmd/kubeadm/app/componentconfigs/scheme.go:28\""
                            ),
                        ));
                        return Err(LoadError {
                            message: apiversions::unknown_message(ver, kind),
                            code: 1,
                        });
                    }
                }
                if let Some(schema) = fields::schema(ver, kind) {
                    let unknown = fields::unknown(doc, schema);
                    if let Some(w) = strict_warning(v, group, ver, kind, &unknown) {
                        warnings.push(w);
                    }
                }
                let v4 = ver == "v1beta4";
                match kind {
                    "InitConfiguration" => {
                        cfg.api = ver.to_string();
                        cfg.init = Some(read_init(doc, v4)?);
                    }
                    "ClusterConfiguration" => cfg.cluster = read_cluster(doc, v4)?,
                    "JoinConfiguration" => {
                        cfg.api = ver.to_string();
                        cfg.join = Some(read_join(doc, v4)?);
                    }
                    _ => warnings.push(ignored(v, api_version, kind)),
                }
            }
            "kubelet.config.k8s.io" if ver == "v1beta1" && kind == "KubeletConfiguration" => {
                cfg.kubelet = KubeletCfg {
                    cgroup_driver: str_at(doc, &["cgroupDriver"]),
                    feature_gates: gates(doc.get("featureGates")),
                    fail_swap_on: doc.get("failSwapOn").and_then(Value::as_bool),
                }
            }
            "kubeproxy.config.k8s.io" if ver == "v1alpha1" && kind == "KubeProxyConfiguration" => {
                cfg.proxy = ProxyCfg {
                    mode: str_at(doc, &["mode"]),
                    cluster_cidr: str_at(doc, &["clusterCIDR"]),
                    feature_gates: gates(doc.get("featureGates")),
                }
            }
            _ => warnings.push(ignored(v, api_version, kind)),
        }
    }
    if !seen_kubeadm {
        return Err(LoadError::new(
            "no InitConfiguration or ClusterConfiguration kind was found in the YAML file"
                .to_string(),
        ));
    }
    // A JoinConfiguration in an init file (and the reverse) is ignored with a warning.
    if purpose == "init" && cfg.join.take().is_some() {
        warnings.push(ignored(
            v,
            &format!("kubeadm.k8s.io/{}", cfg.api),
            "JoinConfiguration",
        ));
    }
    if purpose == "join" && cfg.join.is_none() {
        return Err(LoadError::new(
            "no JoinConfiguration kind was found in the YAML file",
        ));
    }
    if purpose == "init" && cfg.init.is_none() {
        cfg.init = Some(InitCfg {
            bind_port: 6443,
            ..InitCfg::default()
        });
    }
    Ok((cfg, warnings))
}

fn io_words(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory",
        std::io::ErrorKind::PermissionDenied => "permission denied",
        _ => "input/output error",
    }
}

fn ignored(v: Version, api_version: &str, kind: &str) -> String {
    let line = if v.at_least(24) {
        "initconfiguration.go:332"
    } else {
        "initconfiguration.go:236"
    };
    klog::warning(
        line,
        &format!(
            "[config] WARNING: Ignored YAML document with GroupVersionKind {api_version}, Kind={kind}"
        ),
    )
}

/// The strict-decoding warning. Up to 1.22 kubeadm's own UnmarshalStrict named the first
/// unknown field by its leaf name (kubernetes/kubernetes#78589 shows the form); from 1.23 the
/// apimachinery strict decoder names every one by its path (kubekey#2083,
/// kubernetes/kubernetes#127913).
fn strict_warning(
    v: Version,
    group: &str,
    ver: &str,
    kind: &str,
    unknown: &[String],
) -> Option<String> {
    let first = unknown.first()?;
    let gvk = format!("schema.GroupVersionKind{{Group:{group:?}, Version:{ver:?}, Kind:{kind:?}}}");
    Some(if v.at_least(23) {
        let list: Vec<String> = unknown
            .iter()
            .map(|u| format!("unknown field {u:?}"))
            .collect();
        let line = if v.at_least(28) {
            "initconfiguration.go:332"
        } else {
            "initconfiguration.go:306"
        };
        klog::warning(
            line,
            &format!(
                "error unmarshaling configuration {gvk}: strict decoding error: {}",
                list.join(", ")
            ),
        )
    } else {
        let leaf = first.rsplit('.').next().unwrap_or(first);
        let leaf = leaf.split('[').next().unwrap_or(leaf);
        klog::warning(
            "strict.go:54",
            &format!(
                "error unmarshaling configuration {gvk}: error unmarshaling JSON: while decoding JSON: json: unknown field {leaf:?}"
            ),
        )
    })
}

fn str_at(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn gates(v: Option<&Value>) -> Vec<(String, bool)> {
    v.and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_bool()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// extraArgs: a map up to v1beta3, a list of {name, value} from v1beta4. The other shape is a
/// decoding error, worded as Go's encoding/json words it.
fn args(v: Option<&Value>, v4: bool, go_field: &str) -> Result<Vec<(String, String)>, LoadError> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let scalar = |x: &Value| match x {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match (v, v4) {
        (Value::Mapping(m), false) => Ok(m
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), scalar(v)?)))
            .collect()),
        (Value::Sequence(s), true) => Ok(s
            .iter()
            .filter_map(|a| {
                Some((
                    a.get("name")?.as_str()?.to_string(),
                    scalar(a.get("value")?)?,
                ))
            })
            .collect()),
        (Value::Null, _) => Ok(Vec::new()),
        (Value::Mapping(_), true) => Err(LoadError::new(format!(
            "json: cannot unmarshal object into Go struct field {go_field} of type []v1beta4.Arg"
        ))),
        (_, _) => Err(LoadError::new(format!(
            "json: cannot unmarshal array into Go struct field {go_field} of type map[string]string"
        ))),
    }
}

fn node_reg(doc: &Value, v4: bool) -> Result<NodeReg, LoadError> {
    let n = doc.get("nodeRegistration");
    let taints = n.and_then(|n| n.get("taints")).map(|t| {
        t.as_sequence()
            .map(|s| {
                s.iter()
                    .map(|t| {
                        (
                            t.get("key")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string(),
                            t.get("effect")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    Ok(NodeReg {
        name: n.and_then(|n| str_at(n, &["name"])),
        cri_socket: n.and_then(|n| str_at(n, &["criSocket"])),
        kubelet_extra_args: args(
            n.and_then(|n| n.get("kubeletExtraArgs")),
            v4,
            "NodeRegistrationOptions.nodeRegistration.kubeletExtraArgs",
        )?,
        taints,
        ignore_preflight_errors: n
            .and_then(|n| n.get("ignorePreflightErrors"))
            .and_then(Value::as_sequence)
            .map(|s| {
                s.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn read_init(doc: &Value, v4: bool) -> Result<InitCfg, LoadError> {
    let tokens = doc
        .get("bootstrapTokens")
        .and_then(Value::as_sequence)
        .map(|s| s.iter().filter_map(|t| str_at(t, &["token"])).collect())
        .unwrap_or_default();
    Ok(InitCfg {
        advertise_address: str_at(doc, &["localAPIEndpoint", "advertiseAddress"]),
        bind_port: str_at(doc, &["localAPIEndpoint", "bindPort"])
            .and_then(|p| p.parse().ok())
            .unwrap_or(6443),
        node: node_reg(doc, v4)?,
        tokens,
        certificate_key: str_at(doc, &["certificateKey"]),
        skip_phases: doc
            .get("skipPhases")
            .and_then(Value::as_sequence)
            .map(|s| {
                s.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn read_cluster(doc: &Value, v4: bool) -> Result<ClusterCfg, LoadError> {
    Ok(ClusterCfg {
        kubernetes_version: str_at(doc, &["kubernetesVersion"]),
        control_plane_endpoint: str_at(doc, &["controlPlaneEndpoint"]),
        image_repository: str_at(doc, &["imageRepository"]),
        cluster_name: str_at(doc, &["clusterName"]),
        pod_subnet: str_at(doc, &["networking", "podSubnet"]),
        service_subnet: str_at(doc, &["networking", "serviceSubnet"]),
        dns_domain: str_at(doc, &["networking", "dnsDomain"]),
        feature_gates: gates(doc.get("featureGates")),
        apiserver_args: args(
            doc.get("apiServer").and_then(|a| a.get("extraArgs")),
            v4,
            "APIServer.apiServer.ControlPlaneComponent.extraArgs",
        )?,
        controller_manager_args: args(
            doc.get("controllerManager")
                .and_then(|a| a.get("extraArgs")),
            v4,
            "ControlPlaneComponent.controllerManager.extraArgs",
        )?,
        cert_sans: doc
            .get("apiServer")
            .and_then(|a| a.get("certSANs"))
            .and_then(Value::as_sequence)
            .map(|s| {
                s.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

fn read_join(doc: &Value, v4: bool) -> Result<JoinCfg, LoadError> {
    let bt = doc.get("discovery").and_then(|d| d.get("bootstrapToken"));
    Ok(JoinCfg {
        node: node_reg(doc, v4)?,
        endpoint: bt.and_then(|b| str_at(b, &["apiServerEndpoint"])),
        token: bt.and_then(|b| str_at(b, &["token"])),
        ca_cert_hashes: bt
            .and_then(|b| b.get("caCertHashes"))
            .and_then(Value::as_sequence)
            .map(|s| {
                s.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        unsafe_skip_ca_verification: bt
            .and_then(|b| b.get("unsafeSkipCAVerification"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        control_plane: doc.get("controlPlane").is_some_and(|c| !c.is_null()),
        certificate_key: str_at(doc, &["controlPlane", "certificateKey"]),
        advertise_address: str_at(
            doc,
            &["controlPlane", "localAPIEndpoint", "advertiseAddress"],
        ),
    })
}
