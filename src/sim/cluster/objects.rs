//! The API server's store: which kinds it serves (built-in ones and those CRDs add), the
//! metadata it fills in, and what kubeadm creates at init (namespaces, kube-dns, CoreDNS,
//! kube-proxy, the control-plane Pods, kubeadm-config).

use super::nodes::{self, NodeRec};
use super::pods::PodRec;
use super::{Cluster, services, time};
use crate::sim::lab::HostSpec;
use crate::sim::version::Version;
use serde_json::{Value, json};

/// A kind the API serves: its resource name, group, whether namespaced.
#[derive(Debug, Clone)]
pub struct Resource {
    pub kind: String,
    pub plural: String,
    pub group: String,
    pub version: String,
    pub namespaced: bool,
    pub short: Vec<String>,
}

impl Resource {
    /// `deployment.apps`, `configmap`: how kubectl names objects of this kind in its output.
    pub fn display(&self) -> String {
        if self.group.is_empty() {
            self.kind.to_lowercase()
        } else {
            format!("{}.{}", self.kind.to_lowercase(), self.group)
        }
    }
    /// `deployments.apps`: the name in API errors.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

/// kind, plural, group, version, namespaced, short names.
type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
);
const BUILTIN: &[Builtin] = &[
    ("Namespace", "namespaces", "", "v1", false, &["ns"]),
    ("Node", "nodes", "", "v1", false, &["no"]),
    ("Pod", "pods", "", "v1", true, &["po"]),
    ("Service", "services", "", "v1", true, &["svc"]),
    ("Endpoints", "endpoints", "", "v1", true, &["ep"]),
    ("ConfigMap", "configmaps", "", "v1", true, &["cm"]),
    ("Secret", "secrets", "", "v1", true, &[]),
    ("ServiceAccount", "serviceaccounts", "", "v1", true, &["sa"]),
    ("Deployment", "deployments", "apps", "v1", true, &["deploy"]),
    ("DaemonSet", "daemonsets", "apps", "v1", true, &["ds"]),
    ("ReplicaSet", "replicasets", "apps", "v1", true, &["rs"]),
    (
        "ClusterRole",
        "clusterroles",
        "rbac.authorization.k8s.io",
        "v1",
        false,
        &[],
    ),
    (
        "ClusterRoleBinding",
        "clusterrolebindings",
        "rbac.authorization.k8s.io",
        "v1",
        false,
        &[],
    ),
    (
        "Role",
        "roles",
        "rbac.authorization.k8s.io",
        "v1",
        true,
        &[],
    ),
    (
        "RoleBinding",
        "rolebindings",
        "rbac.authorization.k8s.io",
        "v1",
        true,
        &[],
    ),
    (
        "CustomResourceDefinition",
        "customresourcedefinitions",
        "apiextensions.k8s.io",
        "v1",
        false,
        &["crd", "crds"],
    ),
    (
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        "policy",
        "v1",
        true,
        &["pdb"],
    ),
    (
        "PriorityClass",
        "priorityclasses",
        "scheduling.k8s.io",
        "v1",
        false,
        &["pc"],
    ),
];

/// Every kind the cluster serves now: the built-ins and the kinds its CRDs define.
pub fn resources(c: &Cluster, v: Version) -> Vec<Resource> {
    let mut out: Vec<Resource> = BUILTIN
        .iter()
        .filter(|(k, ..)| *k != "PodDisruptionBudget" || v.at_least(21))
        .map(
            |(kind, plural, group, version, namespaced, short)| Resource {
                kind: kind.to_string(),
                plural: plural.to_string(),
                group: group.to_string(),
                version: version.to_string(),
                namespaced: *namespaced,
                short: short.iter().map(|s| s.to_string()).collect(),
            },
        )
        .collect();
    for crd in c
        .objects
        .iter()
        .filter(|o| o["kind"] == "CustomResourceDefinition")
    {
        let spec = &crd["spec"];
        let version = spec["versions"][0]["name"]
            .as_str()
            .or(spec["version"].as_str())
            .unwrap_or("v1");
        out.push(Resource {
            kind: spec["names"]["kind"].as_str().unwrap_or("").to_string(),
            plural: spec["names"]["plural"].as_str().unwrap_or("").to_string(),
            group: spec["group"].as_str().unwrap_or("").to_string(),
            version: version.to_string(),
            namespaced: spec["scope"].as_str() != Some("Cluster"),
            short: spec["names"]["shortNames"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    out
}

/// The resource for an object's apiVersion and kind.
pub fn resource_for(c: &Cluster, v: Version, api_version: &str, kind: &str) -> Option<Resource> {
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    resources(c, v)
        .into_iter()
        .find(|r| r.kind == kind && r.group == group)
}

/// The resource kubectl means by a name typed on its command line (`po`, `pods`, `pod`,
/// `deployments.apps`, `ippools.crd.projectcalico.org`).
pub fn resource_named(c: &Cluster, v: Version, name: &str) -> Option<Resource> {
    let lower = name.to_lowercase();
    let (base, group) = match lower.split_once('.') {
        Some((b, g)) => (b.to_string(), Some(g.to_string())),
        None => (lower.clone(), None),
    };
    resources(c, v).into_iter().find(|r| {
        let names = [r.plural.clone(), r.kind.to_lowercase()];
        (names.contains(&base) || r.short.contains(&base))
            && group.as_deref().is_none_or(|g| g == r.group)
    })
}

/// Fill in what the API server sets on create.
pub fn stamp(c: &mut Cluster, obj: &mut Value, namespaced: bool, rv: u64) {
    let uid = c.uid();
    let meta = obj.as_object_mut().and_then(|o| {
        o.entry("metadata").or_insert_with(|| json!({}));
        o.get_mut("metadata")?.as_object_mut()
    });
    if let Some(m) = meta {
        if namespaced && !m.contains_key("namespace") {
            m.insert("namespace".into(), json!("default"));
        }
        if !namespaced {
            m.remove("namespace");
        }
        m.insert("uid".into(), json!(uid));
        m.insert("resourceVersion".into(), json!(rv.to_string()));
        m.insert(
            "creationTimestamp".into(),
            json!(time::rfc3339(time::now_secs())),
        );
        if m.get("generation").is_none() {
            m.insert("generation".into(), json!(1));
        }
    }
}

pub fn key_of(obj: &Value) -> (String, String, String) {
    (
        obj["kind"].as_str().unwrap_or("").to_string(),
        obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or("")
            .to_string(),
        obj["metadata"]["name"].as_str().unwrap_or("").to_string(),
    )
}

pub fn find<'a>(c: &'a Cluster, kind: &str, ns: &str, name: &str) -> Option<&'a Value> {
    c.objects
        .iter()
        .find(|o| key_of(o) == (kind.to_string(), ns.to_string(), name.to_string()))
}

#[allow(clippy::too_many_arguments)]
/// A node joins: the kubelet registers it and the controller-manager cuts its pod ranges.
pub fn register_node(
    c: &mut Cluster,
    v: Version,
    name: &str,
    ips: Vec<String>,
    control_plane: bool,
    taints: Vec<(String, String)>,
    cri: &str,
    spec: &HostSpec,
) {
    c.nodes.retain(|n| n.name != name);
    let uid = c.uid();
    let mut n = NodeRec {
        name: name.to_string(),
        uid,
        created: time::now_secs(),
        internal_ips: ips,
        pod_cidrs: Vec::new(),
        control_plane,
        taints,
        cri_socket: cri.to_string(),
        host_ipv4: spec.ipv4.clone(),
        host_ipv6: spec.ipv6.clone(),
        ipv4_interface: spec.ipv4_interface.clone(),
        ipv6_interface: spec.ipv6_interface.clone(),
        kubelet_stopped: false,
    };
    n.pod_cidrs = nodes::allocate_pod_cidrs(c);
    c.nodes.push(n);
    let _ = v;
    // Static control-plane Pods run on a control-plane node, on the host network.
    if control_plane {
        for comp in [
            "etcd",
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
        ] {
            let pod = PodRec::host_network(
                c,
                &format!("{comp}-{name}"),
                "kube-system",
                name,
                &[("component", comp), ("tier", "control-plane")],
                comp,
                "Node",
                name,
            );
            c.pods.push(pod);
        }
    }
}

/// What kubeadm creates in a new cluster: namespaces, its ConfigMaps, the kubernetes and
/// kube-dns Services, the CoreDNS Deployment and the kube-proxy DaemonSet.
pub fn bootstrap(c: &mut Cluster, v: Version) {
    let rv = 1;
    let add = |c: &mut Cluster, mut o: Value, namespaced: bool| {
        stamp(c, &mut o, namespaced, rv);
        c.objects.push(o);
    };
    for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        add(
            c,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}),
            false,
        );
    }
    let cluster_cfg = format!(
        "apiVersion: kubeadm.k8s.io/v1beta{}\nclusterName: {}\ncontrolPlaneEndpoint: {}\nkind: ClusterConfiguration\nkubernetesVersion: {v}\nnetworking:\n  dnsDomain: {}\n  podSubnet: {}\n  serviceSubnet: {}\n",
        if v.at_least(31) {
            4
        } else if v.at_least(22) {
            3
        } else {
            2
        },
        c.name,
        c.endpoint,
        c.dns_domain,
        c.cluster_cidrs.join(","),
        c.service_ranges.join(","),
    );
    add(
        c,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kubeadm-config", "namespace": "kube-system"}, "data": {"ClusterConfiguration": cluster_cfg}}),
        true,
    );
    let kubelet_cm = if v.at_least(24) {
        "kubelet-config".to_string()
    } else {
        format!("kubelet-config-1.{}", v.minor)
    };
    add(
        c,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": kubelet_cm, "namespace": "kube-system"}, "data": {"kubelet": "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"}}),
        true,
    );
    let (dns_img, dns_tag) = v.coredns();
    let corefile = format!(
        ".:53 {{\n    errors\n    health {{\n       lameduck 5s\n    }}\n    ready\n    kubernetes {} in-addr.arpa ip6.arpa {{\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n       ttl 30\n    }}\n    prometheus :9153\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n    loadbalance\n}}\n",
        c.dns_domain
    );
    add(
        c,
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "coredns", "namespace": "kube-system"}, "data": {"Corefile": corefile}}),
        true,
    );
    // The kubernetes Service: the first address of the primary range; kube-dns: the tenth
    // (cmd/kubeadm/app/constants GetDNSIP).
    let primary = c.service_ranges.first().cloned();
    if let Some(r) = primary
        .as_deref()
        .and_then(|r| r.parse::<ipnet::IpNet>().ok())
    {
        let fam = if r.addr().is_ipv4() { "IPv4" } else { "IPv6" };
        let api_ip = services::nth_ip(&r, 1);
        let dns_ip = services::nth_ip(&r, 10);
        let svc = |name: &str,
                   ns: &str,
                   ip: &str,
                   ports: Value,
                   selector: Option<Value>,
                   labels: Value| {
            let mut spec = json!({"clusterIP": ip, "ports": ports, "sessionAffinity": "None", "type": "ClusterIP"});
            if v.at_least(20) {
                spec["clusterIPs"] = json!([ip]);
                spec["ipFamilies"] = json!([fam]);
                spec["ipFamilyPolicy"] = json!("SingleStack");
            }
            if v.at_least(22) {
                spec["internalTrafficPolicy"] = json!("Cluster");
            }
            if let Some(s) = selector {
                spec["selector"] = s;
            }
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns, "labels": labels}, "spec": spec, "status": {"loadBalancer": {}}})
        };
        let k = svc(
            "kubernetes",
            "default",
            &api_ip,
            json!([{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]),
            None,
            json!({"component": "apiserver", "provider": "kubernetes"}),
        );
        add(c, k, true);
        let d = svc(
            "kube-dns",
            "kube-system",
            &dns_ip,
            json!([{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}, {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}, {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]),
            Some(json!({"k8s-app": "kube-dns"})),
            json!({"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"}),
        );
        add(c, d, true);
        c.service_ips
            .push(("default/kubernetes".into(), vec![api_ip]));
        c.service_ips
            .push(("kube-system/kube-dns".into(), vec![dns_ip]));
    }
    let toleration_keys: Vec<&str> = if v.at_least(26) {
        vec!["node-role.kubernetes.io/control-plane"]
    } else if v.at_least(24) {
        vec![
            "node-role.kubernetes.io/master",
            "node-role.kubernetes.io/control-plane",
        ]
    } else {
        vec!["CriticalAddonsOnly", "node-role.kubernetes.io/master"]
    };
    let mut tolerations: Vec<Value> =
        vec![json!({"key": "CriticalAddonsOnly", "operator": "Exists"})];
    for k in toleration_keys
        .iter()
        .filter(|k| **k != "CriticalAddonsOnly")
    {
        tolerations.push(json!({"effect": "NoSchedule", "key": k}));
    }
    let coredns = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
            "template": {
                "metadata": {"labels": {"k8s-app": "kube-dns"}},
                "spec": {
                    "containers": [{"name": "coredns", "image": format!("{}/{dns_img}:{dns_tag}", c.image_repository), "args": ["-conf", "/etc/coredns/Corefile"], "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"}, {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"}]}],
                    "dnsPolicy": "Default",
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "tolerations": tolerations
                }
            }
        }
    });
    add(c, coredns, true);
    let proxy = json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": {"k8s-app": "kube-proxy"}},
        "spec": {
            "selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
            "template": {
                "metadata": {"labels": {"k8s-app": "kube-proxy"}},
                "spec": {
                    "containers": [{"name": "kube-proxy", "image": format!("{}/kube-proxy:{v}", c.image_repository), "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"]}],
                    "hostNetwork": true,
                    "priorityClassName": "system-node-critical",
                    "serviceAccountName": "kube-proxy",
                    "tolerations": [{"operator": "Exists"}]
                }
            },
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}
        }
    });
    add(c, proxy, true);
}
