//! Every kubectl command line the install runs, in one place, so that a test can hand each
//! to a real kubectl (Debian's kubernetes-client is 1.20) and see it accepted. Only flags
//! kubectl 1.19 has: no `wait --for=jsonpath` (1.23) or `--for=create` (1.31); waits poll
//! `get -o json` and decide in dsinstall.

use crate::io::child::Command;
use crate::run::step::StepCx;
use std::time::Duration;

/// The kubeconfig every step uses: the one `kubeadm init` wrote.
pub const ADMIN_CONF: &str = "/etc/kubernetes/admin.conf";

/// `kubectl get <kind> [name] [-n ns] -o json`.
pub fn get_json(kind: &str, name: Option<&str>, namespace: Option<&str>) -> Vec<String> {
    let mut a = vec!["get".to_string(), kind.to_string()];
    a.extend(name.map(str::to_string));
    if let Some(ns) = namespace {
        a.extend(["-n".to_string(), ns.to_string()]);
    }
    a.extend(["-o".to_string(), "json".to_string()]);
    a
}

/// `kubectl get nodes -o json`: also the probe that the API answers.
pub fn get_nodes() -> Vec<String> {
    get_json("nodes", None, None)
}

/// `kubectl get nodes NAME -o json`: one node (a join's probe and wait).
pub fn get_node(name: &str) -> Vec<String> {
    get_json("nodes", Some(name), None)
}

/// `kubectl get <kind> -n NS -l SELECTOR -o json`.
pub fn get_selected(kind: &str, namespace: &str, selector: &str) -> Vec<String> {
    vec![
        "get".into(),
        kind.into(),
        "-n".into(),
        namespace.into(),
        "-l".into(),
        selector.into(),
        "-o".into(),
        "json".into(),
    ]
}

/// `kubectl get <kind> NAME -o jsonpath=TEMPLATE`: one field of a big object. The operator's
/// Installation CRD is 1.4 MiB of YAML (calico@v3.32.1:manifests/operator-crds.yaml), more as
/// `-o json` than a captured child may print (io::child, 1 MiB); kubectl 1.19 has jsonpath.
pub fn get_jsonpath(kind: &str, name: &str, template: &str) -> Vec<String> {
    vec![
        "get".into(),
        kind.into(),
        name.into(),
        "-o".into(),
        format!("jsonpath={template}"),
    ]
}

/// `{.status.conditions[?(@.type=="Established")].status}`: "True" once a CRD's kind is
/// served (apiextensions-apiserver pkg/controller/establish).
pub const ESTABLISHED: &str = r#"{.status.conditions[?(@.type=="Established")].status}"#;

/// `kubectl apply --server-side -f FILE`: for the operator's CRDs, too big for client-side
/// apply's last-applied annotation (262144 bytes), and, unlike `create`, fine to repeat on
/// resume (server-side apply is in kubectl 1.16+).
pub fn apply_server_side(file: &str) -> Vec<String> {
    vec![
        "apply".into(),
        "--server-side".into(),
        "-f".into(),
        file.into(),
    ]
}

/// `kubectl apply -f FILE`.
pub fn apply(file: &str) -> Vec<String> {
    vec!["apply".into(), "-f".into(), file.into()]
}

/// `kubectl create -f FILE`: the operator's manifest is too big for apply's annotation
/// (Calico's docs say `create`).
pub fn create(file: &str) -> Vec<String> {
    vec!["create".into(), "-f".into(), file.into()]
}

/// `kubectl logs -n NS POD -c CONTAINER --tail=N`.
pub fn logs_tail(namespace: &str, pod: &str, container: &str, lines: u32) -> Vec<String> {
    vec![
        "logs".into(),
        "-n".into(),
        namespace.into(),
        pod.into(),
        "-c".into(),
        container.into(),
        format!("--tail={lines}"),
    ]
}

/// `kubectl delete node NAME --ignore-not-found`: a joined node leaving, for reset.
pub fn delete_node(name: &str) -> Vec<String> {
    vec![
        "delete".into(),
        "node".into(),
        name.into(),
        "--ignore-not-found".into(),
    ]
}

/// Every form above with sample arguments, for the test against real kubectl.
pub fn every_form() -> Vec<Vec<String>> {
    vec![
        get_nodes(),
        get_node("node02"),
        get_json("pods", None, Some("kube-system")),
        get_json("daemonsets", Some("calico-node"), Some("kube-system")),
        get_json("pods", None, Some("calico-system")),
        get_json(
            "customresourcedefinitions",
            Some("installations.operator.tigera.io"),
            None,
        ),
        get_json("tigerastatus", Some("calico"), None),
        get_json("installations.operator.tigera.io", Some("default"), None),
        get_selected("pods", "calico-system", "k8s-app=calico-node"),
        get_jsonpath(
            "customresourcedefinitions",
            "installations.operator.tigera.io",
            ESTABLISHED,
        ),
        apply("/dev/null"),
        apply_server_side("/dev/null"),
        create("/dev/null"),
        delete_node("node02"),
        logs_tail("kube-system", "calico-node-x", "calico-node", 20),
    ]
}

/// kubectl with the admin kubeconfig under the root and `args`, within `timeout`.
pub fn command(cx: &dyn StepCx, args: &[String], timeout: Duration) -> Command {
    Command::new(cx.tool("kubectl"))
        .arg("--kubeconfig")
        .arg(cx.host_path(ADMIN_CONF))
        .args(args)
        .timeout(timeout)
}
