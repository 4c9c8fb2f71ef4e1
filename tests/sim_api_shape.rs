//! What the lab's kubectl returns has the API's shape: every Node, Pod, Service, DaemonSet,
//! Deployment, ConfigMap and Namespace passes `kubernetes-validate --strict` for the
//! simulated release (schemas exist from 1.25), with Calico by manifest and by the
//! operator (what it makes of an Installation). Skips without the tool unless
//! DSINSTALL_REQUIRE_KUBERNETES_VALIDATE=1.

mod common;
mod sim_support;

use sim_support::*;
use std::process::Command;

use common::KUBERNETES_VALIDATE as TOOL;

const WORKLOAD: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shape\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shape\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:latest\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shape\nspec:\n  type: NodePort\n  ipFamilyPolicy: PreferDualStack\n  selector: {app: web}\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: client\n  namespace: shape\nspec:\n  containers:\n  - name: c\n    image: busybox:latest\n    command: [sleep, '3600']\n";

#[test]
fn every_kind_the_lab_returns_passes_strict_validation() {
    if !common::kubernetes_validate_available() {
        return;
    }
    for (v, minor) in [
        ("v1.28.4", "1.28.0"),
        ("v1.31.2", "1.31.0"),
        ("v1.36.3", "1.36.0"),
        ("v1.37.0", "1.37.0"),
    ] {
        let lab = Lab::new(v, &[]);
        lab.prepare_host();
        let api = if v == "v1.28.4" { "v1beta3" } else { "v1beta4" };
        let cfg = lab.file(
            "k.yaml",
            &kubeadm_config(
                api,
                "10.244.0.0/16,fd00:10:244::/56",
                "10.96.0.0/16,fd00:10:96::/112",
                "111.111.111.121,2018::21",
                "",
            ),
        );
        lab.run("kubeadm", &["init", "--config", &cfg]).ok();
        let calico = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/calico/calico-v3.32.1.yaml"
        );
        lab.run("kubectl", &["apply", "-f", calico]).ok();
        let w = lab.file("w.yaml", WORKLOAD);
        lab.run("kubectl", &["apply", "-f", &w]).ok();
        validate_all(&lab, v, minor);
    }
}

/// The operator's install: its CRDs (server-side), its manifest, an Installation; the
/// operator's calico-system objects and Pods take the same shape checks.
#[test]
fn what_the_operator_makes_passes_strict_validation() {
    if !common::kubernetes_validate_available() {
        return;
    }
    let (v, minor) = ("v1.31.2", "1.31.0");
    let lab = Lab::new(v, &[]);
    lab.prepare_host();
    let cfg = lab.file(
        "k.yaml",
        &kubeadm_config(
            "v1beta4",
            "10.244.0.0/16,fd00:10:244::/56",
            "10.96.0.0/16,fd00:10:96::/112",
            "111.111.111.121,2018::21",
            "",
        ),
    );
    lab.run("kubeadm", &["init", "--config", &cfg]).ok();
    let fixture = |f: &str| format!("{}/tests/fixtures/calico/{f}", env!("CARGO_MANIFEST_DIR"));
    let crds = fixture("operator-crds-v3.32.1.yaml");
    lab.run("kubectl", &["apply", "--server-side", "-f", &crds])
        .ok();
    lab.run(
        "kubectl",
        &["create", "-f", &fixture("tigera-operator-v3.32.1.yaml")],
    )
    .ok();
    let inst = lab.file(
        "i.yaml",
        "apiVersion: operator.tigera.io/v1\nkind: Installation\nmetadata:\n  name: default\nspec:\n  calicoNetwork:\n    ipPools:\n    - cidr: 10.244.0.0/16\n    - cidr: fd00:10:244::/56\n",
    );
    lab.run("kubectl", &["apply", "-f", &inst]).ok();
    let ds = lab
        .run(
            "kubectl",
            &["get", "daemonsets", "-n", "calico-system", "-o", "name"],
        )
        .ok()
        .stdout;
    assert_eq!(ds, "daemonset.apps/calico-node\n");
    let available = lab
        .run(
            "kubectl",
            &[
                "get",
                "tigerastatus",
                "calico",
                "-o",
                r#"jsonpath={.status.conditions[?(@.type=="Available")].status}"#,
            ],
        )
        .ok()
        .stdout;
    assert_eq!(available, "True");
    validate_all(&lab, v, minor);
}

/// Every object of the built-in kinds the lab returns, validated for `minor`.
fn validate_all(lab: &Lab, v: &str, minor: &str) {
    for kind in [
        "nodes",
        "pods",
        "services",
        "daemonsets",
        "deployments",
        "configmaps",
        "namespaces",
    ] {
        let list = lab
            .run("kubectl", &["get", kind, "-A", "-o", "json"])
            .ok()
            .stdout;
        let list: serde_json::Value = serde_json::from_str(&list).unwrap();
        let items = list["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{v} {kind}");
        let mut docs = String::new();
        for i in items {
            docs.push_str("---\n");
            // JSON keeps timestamps quoted (YAML would read them as dates).
            docs.push_str(&serde_json::to_string(i).unwrap());
            docs.push('\n');
        }
        let f = lab.file(&format!("{kind}.yaml"), &docs);
        let o = Command::new(TOOL)
            .args(["--strict", "--quiet", "-k", minor, &f])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{v} {kind}:\n{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
