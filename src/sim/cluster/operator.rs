//! The Tigera operator's reconcile of an Installation, as far as an install's checks see
//! it (tigera/operator pkg/controller/installation, pkg/render/node.go,
//! kubecontrollers.go, typha.go): once the operator's Deployment is in the cluster and the
//! Installation `default` is applied, the `calico-system` namespace with the calico-node
//! DaemonSet, calico-typha and calico-kube-controllers, and the TigeraStatus objects whose
//! conditions the checks read. The Installation's ipPools become the pools Pods are
//! addressed from (`calico::from_installation`).

use super::{Cluster, objects};
use crate::sim::version::Version;
use serde_json::{Value, json};

/// Whether the operator runs and an Installation asks it for Calico.
pub fn installing(c: &Cluster) -> Option<&Value> {
    let operator = c.objects.iter().any(|o| {
        o["kind"] == "Deployment"
            && o["metadata"]["name"] == "tigera-operator"
            && o["metadata"]["namespace"] == "tigera-operator"
    });
    let inst = c.objects.iter().find(|o| {
        o["kind"] == "Installation"
            && o["apiVersion"] == "operator.tigera.io/v1"
            && o["metadata"]["name"] == "default"
    });
    inst.filter(|_| operator)
}

/// Create what the operator creates for the Installation, once; later changes to the
/// Installation are not followed (the lab's installs apply it once).
pub fn reconcile(c: &mut Cluster, v: Version) {
    let Some(inst) = installing(c).cloned() else {
        return;
    };
    let registry = inst["spec"]["registry"]
        .as_str()
        .filter(|r| !r.is_empty())
        .map(|r| format!("{}/", r.trim_end_matches('/')))
        .unwrap_or_else(|| "quay.io/".into());
    let tag = calico_tag(c);
    let image = |name: &str| format!("{registry}calico/{name}:{tag}");
    let ns = "calico-system";
    let add = |c: &mut Cluster, mut o: Value, namespaced: bool| {
        let (k, n, name) = objects::key_of(&o);
        if objects::find(c, &k, &n, &name).is_some() {
            return;
        }
        let rv = c.next_uid;
        objects::stamp(c, &mut o, namespaced, rv);
        c.objects.push(o);
    };
    add(
        c,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": {"name": ns, "kubernetes.io/metadata.name": ns, "pod-security.kubernetes.io/enforce": "privileged"}}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}),
        false,
    );
    let net = &inst["spec"]["calicoNetwork"];
    let pools: Vec<&str> = net["ipPools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["cidr"].as_str())
        .collect();
    let has = |v4: bool| pools.iter().any(|p| p.contains(':') != v4);
    // The operator turns nodeAddressAutodetectionV4/V6 into calico-node's env
    // (pkg/render/node.go nodeEnvVars): IP/IP6 autodetect with the method, else none.
    let mut env = vec![
        json!({"name": "DATASTORE_TYPE", "value": "kubernetes"}),
        json!({"name": "CALICO_NETWORKING_BACKEND", "value": if net["bgp"] == "Disabled" { "vxlan" } else { "bird" }}),
    ];
    for (v4, ip, method, key) in [
        (
            true,
            "IP",
            "IP_AUTODETECTION_METHOD",
            "nodeAddressAutodetectionV4",
        ),
        (
            false,
            "IP6",
            "IP6_AUTODETECTION_METHOD",
            "nodeAddressAutodetectionV6",
        ),
    ] {
        let on = has(v4) || net[key].is_object();
        env.push(json!({"name": ip, "value": if on { "autodetect" } else { "none" }}));
        if let Some(m) = on.then(|| autodetection(&net[key])).flatten() {
            env.push(json!({"name": method, "value": m}));
        }
    }
    add(
        c,
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "calico-node", "namespace": ns, "labels": {"k8s-app": "calico-node"}},
            "spec": {
                "selector": {"matchLabels": {"k8s-app": "calico-node"}},
                "template": {
                    "metadata": {"labels": {"k8s-app": "calico-node", "app.kubernetes.io/name": "calico-node"}},
                    "spec": {
                        "containers": [{"name": "calico-node", "image": image("node"), "env": env}],
                        "hostNetwork": true,
                        "nodeSelector": {"kubernetes.io/os": "linux"},
                        "priorityClassName": "system-node-critical",
                        "serviceAccountName": "calico-node",
                        "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}, {"operator": "Exists", "effect": "NoExecute"}, {"key": "CriticalAddonsOnly", "operator": "Exists"}]
                    }
                },
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}
            }
        }),
        true,
    );
    // Typha runs on the host network; kube-controllers is a pod-network Pod, addressed from
    // the Installation's pools once calico-node runs. Both tolerate the control-plane taint
    // (pkg/render/common/meta TolerateControlPlane).
    let control_plane: Vec<Value> = [
        "node-role.kubernetes.io/master",
        "node-role.kubernetes.io/control-plane",
    ]
    .iter()
    .map(|k| json!({"key": k, "effect": "NoSchedule"}))
    .chain([json!({"key": "CriticalAddonsOnly", "operator": "Exists"})])
    .collect();
    for (name, img, host) in [
        ("calico-typha", "typha", true),
        ("calico-kube-controllers", "kube-controllers", false),
    ] {
        add(
            c,
            json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": ns, "labels": {"k8s-app": name}},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"k8s-app": name}},
                    "template": {
                        "metadata": {"labels": {"k8s-app": name, "app.kubernetes.io/name": name}},
                        "spec": {
                            "containers": [{"name": name, "image": image(img)}],
                            "hostNetwork": host,
                            "nodeSelector": {"kubernetes.io/os": "linux"},
                            "priorityClassName": "system-cluster-critical",
                            "serviceAccountName": name,
                            "tolerations": control_plane
                        }
                    }
                }
            }),
            true,
        );
    }
    // TigeraStatus, where its CRD is served (operator-crds.yaml, or tigera-operator.yaml
    // up to v3.29): one per component, its conditions computed as it is read (`status`).
    if objects::resource_for(c, v, "operator.tigera.io/v1", "TigeraStatus").is_some() {
        let mut names = vec!["calico"];
        if c.objects.iter().any(|o| {
            o["kind"] == "APIServer"
                && o["apiVersion"] == "operator.tigera.io/v1"
                && o["metadata"]["name"] == "default"
        }) {
            names.push("apiserver");
        }
        for name in names {
            add(
                c,
                json!({"apiVersion": "operator.tigera.io/v1", "kind": "TigeraStatus", "metadata": {"name": name}, "spec": {}}),
                false,
            );
        }
    }
}

/// A TigeraStatus's conditions (pkg/controller/status): Available once every calico-system
/// workload is ready, Degraded when one crash-loops, else Progressing.
pub fn status(available: bool, degraded: Option<&str>, since: &str) -> Value {
    let cond = |t: &str, on: bool, reason: &str, message: &str| json!({"type": t, "status": if on { "True" } else { "False" }, "reason": reason, "message": message, "lastTransitionTime": since, "observedGeneration": 1});
    let (avail_reason, prog_msg) = if available {
        ("AllObjectsAvailable", "All Objects Available")
    } else {
        (
            "ResourceNotReady",
            "Waiting for calico-system workloads to be ready",
        )
    };
    json!({"conditions": [
        cond("Available", available, avail_reason, if available { "All objects available" } else { "" }),
        cond("Progressing", !available && degraded.is_none(), if available { "AllObjectsAvailable" } else { "ResourceNotReady" }, if available { "All Objects Available" } else { prog_msg }),
        cond("Degraded", degraded.is_some(), if degraded.is_some() { "PodFailure" } else { "AllObjectsAvailable" }, degraded.unwrap_or("")),
    ]})
}

/// The operator's `nodeAddressAutodetectionV4/V6` as calico-node's method.
fn autodetection(a: &Value) -> Option<String> {
    let (k, val) = a.as_object()?.iter().next()?;
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    Some(match k.as_str() {
        "interface" => format!("interface={}", s(val)),
        "skipInterface" => format!("skip-interface={}", s(val)),
        "canReach" => format!("can-reach={}", s(val)),
        "cidrs" => format!(
            "cidr={}",
            val.as_array()
                .map(|a| a.iter().map(s).collect::<Vec<_>>().join(","))
                .unwrap_or_default()
        ),
        "kubernetes" => "kubernetes-internal-ip".into(),
        _ => "first-found".into(),
    })
}

/// The Calico release the operator deploys, from its image tag: each operator minor pairs
/// with one Calico minor (v1.34 → v3.28 ... v1.42 → v3.32, two operator minors apart;
/// calico@v3.32.1:manifests/tigera-operator.yaml runs quay.io/tigera/operator:v1.42.3). The
/// lab names the minor's first patch release; an operator it does not know deploys v3.32.
fn calico_tag(c: &Cluster) -> String {
    let minor = c
        .objects
        .iter()
        .find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == "tigera-operator")
        .and_then(|d| d["spec"]["template"]["spec"]["containers"][0]["image"].as_str())
        .and_then(|i| i.rsplit_once(':'))
        .and_then(|(_, t)| {
            t.trim_start_matches('v')
                .split('.')
                .nth(1)?
                .parse::<u32>()
                .ok()
        })
        .filter(|m| (34..=60).contains(m) && m % 2 == 0)
        .map_or(32, |m| (m + 22) / 2);
    format!("v3.{minor}.0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autodetection_methods_as_calico_node_takes_them() {
        assert_eq!(
            autodetection(&json!({"interface": "^ens224$"})).as_deref(),
            Some("interface=^ens224$")
        );
        assert_eq!(
            autodetection(&json!({"cidrs": ["2018::/64"]})).as_deref(),
            Some("cidr=2018::/64")
        );
        assert_eq!(autodetection(&json!(null)), None);
    }

    #[test]
    fn the_operator_tag_names_its_calico_minor() {
        let with = |image: &str| {
            let mut c: Cluster = serde_json::from_value(json!({
                "created": 0, "name": "k", "endpoint": "", "dns_domain": "", "image_repository": "",
                "service_ranges": [], "cluster_cidrs": [], "mask_v4": 24, "mask_v6": 64,
                "kcm_error": null, "proxy_mode": "", "proxy_dual": false, "ca_hash": "", "ca_pem": "",
                "tokens": [], "certificate_key": null, "nodes": [], "objects": [], "pods": [],
                "service_ips": [], "next_uid": 0
            }))
            .unwrap();
            c.objects.push(json!({"kind": "Deployment", "metadata": {"name": "tigera-operator"}, "spec": {"template": {"spec": {"containers": [{"image": image}]}}}}));
            calico_tag(&c)
        };
        assert_eq!(with("quay.io/tigera/operator:v1.42.3"), "v3.32.0");
        assert_eq!(with("quay.io/tigera/operator:v1.38.0"), "v3.30.0");
        assert_eq!(with("quay.io/tigera/operator:v1.34.5"), "v3.28.0");
        assert_eq!(with("quay.io/tigera/operator:latest"), "v3.32.0");
    }

    #[test]
    fn status_conditions_follow_the_workloads() {
        let s = status(true, None, "t");
        assert_eq!(s["conditions"][0]["type"], "Available");
        assert_eq!(s["conditions"][0]["status"], "True");
        let s = status(false, Some("calico-node-x crash-looping"), "t");
        assert_eq!(s["conditions"][0]["status"], "False");
        assert_eq!(s["conditions"][2]["status"], "True");
    }
}
