//! The fields of kubeadm's config types per API version, for the strict-decoding warnings
//! kubeadm prints about fields it does not know (cmd/kubeadm/app/apis/kubeadm/v1beta2,
//! v1beta3, v1beta4 types.go). Only the kubeadm kinds: the kubelet's and kube-proxy's
//! component configs have hundreds of fields the lab does not model.

/// A field: its name and what is under it.
pub struct Field {
    pub name: &'static str,
    pub sub: Sub,
}

pub enum Sub {
    /// A value kubeadm does not look into further here.
    Leaf,
    /// An object with these fields.
    Obj(&'static [Field]),
    /// A list of objects with these fields.
    List(&'static [Field]),
}

const fn f(name: &'static str) -> Field {
    Field {
        name,
        sub: Sub::Leaf,
    }
}
const fn obj(name: &'static str, fields: &'static [Field]) -> Field {
    Field {
        name,
        sub: Sub::Obj(fields),
    }
}
const fn list(name: &'static str, fields: &'static [Field]) -> Field {
    Field {
        name,
        sub: Sub::List(fields),
    }
}

const TOKEN: &[Field] = &[
    f("token"),
    f("description"),
    f("ttl"),
    f("expires"),
    f("usages"),
    f("groups"),
];
const ENDPOINT: &[Field] = &[f("advertiseAddress"), f("bindPort")];
const NODEREG_V2: &[Field] = &[
    f("name"),
    f("criSocket"),
    f("taints"),
    f("kubeletExtraArgs"),
    f("ignorePreflightErrors"),
];
const NODEREG_V3: &[Field] = &[
    f("name"),
    f("criSocket"),
    f("taints"),
    f("kubeletExtraArgs"),
    f("ignorePreflightErrors"),
    f("imagePullPolicy"),
];
const NODEREG_V4: &[Field] = &[
    f("name"),
    f("criSocket"),
    f("taints"),
    f("kubeletExtraArgs"),
    f("ignorePreflightErrors"),
    f("imagePullPolicy"),
    f("imagePullSerial"),
];
const NETWORKING: &[Field] = &[f("serviceSubnet"), f("podSubnet"), f("dnsDomain")];
const CONTROL: &[Field] = &[f("extraArgs"), f("extraVolumes")];
const CONTROL_V4: &[Field] = &[f("extraArgs"), f("extraVolumes"), f("extraEnvs")];
const APISERVER: &[Field] = &[
    f("extraArgs"),
    f("extraVolumes"),
    f("certSANs"),
    f("timeoutForControlPlane"),
];
const APISERVER_V4: &[Field] = &[
    f("extraArgs"),
    f("extraVolumes"),
    f("extraEnvs"),
    f("certSANs"),
];
const DNS_V2: &[Field] = &[f("type"), f("imageRepository"), f("imageTag")];
const DNS_V3: &[Field] = &[f("imageRepository"), f("imageTag")];
const DNS_V4: &[Field] = &[f("imageRepository"), f("imageTag"), f("disabled")];
const ETCD: &[Field] = &[f("local"), f("external")];
const TIMEOUTS: &[Field] = &[
    f("controlPlaneComponentHealthCheck"),
    f("kubeletHealthCheck"),
    f("kubernetesAPICall"),
    f("etcdAPICall"),
    f("tlsBootstrap"),
    f("discovery"),
    f("upgradeManifests"),
];
const DISCOVERY_V2: &[Field] = &[
    f("bootstrapToken"),
    f("file"),
    f("tlsBootstrapToken"),
    f("timeout"),
];
const DISCOVERY_V4: &[Field] = &[f("bootstrapToken"), f("file"), f("tlsBootstrapToken")];
const JOIN_CP: &[Field] = &[obj("localAPIEndpoint", ENDPOINT), f("certificateKey")];

const INIT_V2: &[Field] = &[
    f("apiVersion"),
    f("kind"),
    list("bootstrapTokens", TOKEN),
    obj("nodeRegistration", NODEREG_V2),
    obj("localAPIEndpoint", ENDPOINT),
    f("certificateKey"),
];
const INIT_V3: &[Field] = &[
    f("apiVersion"),
    f("kind"),
    list("bootstrapTokens", TOKEN),
    obj("nodeRegistration", NODEREG_V3),
    obj("localAPIEndpoint", ENDPOINT),
    f("certificateKey"),
    f("skipPhases"),
    f("patches"),
];
const INIT_V4: &[Field] = &[
    f("apiVersion"),
    f("kind"),
    list("bootstrapTokens", TOKEN),
    obj("nodeRegistration", NODEREG_V4),
    obj("localAPIEndpoint", ENDPOINT),
    f("certificateKey"),
    f("skipPhases"),
    f("patches"),
    f("dryRun"),
    obj("timeouts", TIMEOUTS),
];

const CLUSTER_V2: &[Field] = &[
    f("apiVersion"),
    f("kind"),
    obj("etcd", ETCD),
    obj("networking", NETWORKING),
    f("kubernetesVersion"),
    f("controlPlaneEndpoint"),
    obj("apiServer", APISERVER),
    obj("controllerManager", CONTROL),
    obj("scheduler", CONTROL),
    obj("dns", DNS_V2),
    f("certificatesDir"),
    f("imageRepository"),
    f("useHyperKubeImage"),
    f("featureGates"),
    f("clusterName"),
];
const CLUSTER_V3: &[Field] = &[
    f("apiVersion"),
    f("kind"),
    obj("etcd", ETCD),
    obj("networking", NETWORKING),
    f("kubernetesVersion"),
    f("controlPlaneEndpoint"),
    obj("apiServer", APISERVER),
    obj("controllerManager", CONTROL),
    obj("scheduler", CONTROL),
    obj("dns", DNS_V3),
    f("certificatesDir"),
    f("imageRepository"),
    f("featureGates"),
    f("clusterName"),
];
const CLUSTER_V4: &[Field] = &[
    f("apiVersion"),
    f("kind"),
    obj("etcd", ETCD),
    obj("networking", NETWORKING),
    f("kubernetesVersion"),
    f("controlPlaneEndpoint"),
    obj("apiServer", APISERVER_V4),
    obj("controllerManager", CONTROL_V4),
    obj("scheduler", CONTROL_V4),
    obj("dns", DNS_V4),
    f("proxy"),
    f("certificatesDir"),
    f("imageRepository"),
    f("featureGates"),
    f("clusterName"),
    f("encryptionAlgorithm"),
    f("certificateValidityPeriod"),
    f("caCertificateValidityPeriod"),
];

const JOIN_V2: &[Field] = &[
    f("apiVersion"),
    f("kind"),
    obj("nodeRegistration", NODEREG_V2),
    f("caCertPath"),
    obj("discovery", DISCOVERY_V2),
    obj("controlPlane", JOIN_CP),
];
const JOIN_V3: &[Field] = &[
    f("apiVersion"),
    f("kind"),
    obj("nodeRegistration", NODEREG_V3),
    f("caCertPath"),
    obj("discovery", DISCOVERY_V2),
    obj("controlPlane", JOIN_CP),
    f("skipPhases"),
    f("patches"),
];
const JOIN_V4: &[Field] = &[
    f("apiVersion"),
    f("kind"),
    obj("nodeRegistration", NODEREG_V4),
    f("caCertPath"),
    obj("discovery", DISCOVERY_V4),
    obj("controlPlane", JOIN_CP),
    f("skipPhases"),
    f("patches"),
    f("dryRun"),
    obj("timeouts", TIMEOUTS),
];

/// The fields of `kind` in `api` (v1beta1 is read as v1beta2: the lab does not model the
/// differences of a version only 1.19–1.21 still take).
pub fn schema(api: &str, kind: &str) -> Option<&'static [Field]> {
    let v = match api {
        "v1beta1" | "v1beta2" => 2,
        "v1beta3" => 3,
        "v1beta4" => 4,
        _ => return None,
    };
    Some(match (kind, v) {
        ("InitConfiguration", 2) => INIT_V2,
        ("InitConfiguration", 3) => INIT_V3,
        ("InitConfiguration", _) => INIT_V4,
        ("ClusterConfiguration", 2) => CLUSTER_V2,
        ("ClusterConfiguration", 3) => CLUSTER_V3,
        ("ClusterConfiguration", _) => CLUSTER_V4,
        ("JoinConfiguration", 2) => JOIN_V2,
        ("JoinConfiguration", 3) => JOIN_V3,
        ("JoinConfiguration", _) => JOIN_V4,
        _ => return None,
    })
}

/// The unknown fields of `v` against `fields`, as dotted paths (`networking.foo`,
/// `bootstrapTokens[0].foo`), in document order.
pub fn unknown(v: &serde_yaml::Value, fields: &[Field]) -> Vec<String> {
    let mut out = Vec::new();
    walk(v, fields, "", &mut out);
    out
}

fn walk(v: &serde_yaml::Value, fields: &[Field], prefix: &str, out: &mut Vec<String>) {
    let Some(map) = v.as_mapping() else { return };
    for (k, val) in map {
        let Some(k) = k.as_str() else { continue };
        let path = if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        };
        match fields.iter().find(|f| f.name == k) {
            None => out.push(path),
            Some(Field {
                sub: Sub::Obj(sub), ..
            }) => walk(val, sub, &path, out),
            Some(Field {
                sub: Sub::List(sub),
                ..
            }) => {
                for (i, item) in val.as_sequence().into_iter().flatten().enumerate() {
                    walk(item, sub, &format!("{path}[{i}]"), out);
                }
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_unknown_fields_with_their_paths() {
        let v: serde_yaml::Value = serde_yaml::from_str(
            "apiVersion: x\nkind: ClusterConfiguration\nnetworking: {podSubnet: a, foo: 1}\nbar: 2\ndns: {type: CoreDNS}\n",
        )
        .unwrap();
        assert_eq!(
            unknown(&v, schema("v1beta3", "ClusterConfiguration").unwrap()),
            ["networking.foo", "bar", "dns.type"]
        );
        assert_eq!(
            unknown(&v, schema("v1beta2", "ClusterConfiguration").unwrap()),
            ["networking.foo", "bar"]
        );
        let t: serde_yaml::Value =
            serde_yaml::from_str("kind: InitConfiguration\nbootstrapTokens: [{token: a, x: 1}]\n")
                .unwrap();
        assert_eq!(
            unknown(&t, schema("v1beta4", "InitConfiguration").unwrap()),
            ["bootstrapTokens[0].x"]
        );
    }
}
