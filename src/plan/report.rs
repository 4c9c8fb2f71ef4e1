//! The address plan as text: what `dsinstall plan` prints and `plan.txt` holds.

use super::cidr::{self, human_count};
use super::{Checked, MaskSource, Plan, Problem};

/// The whole report: the plan (when there is one) and every problem.
pub fn text(checked: &Checked) -> String {
    let mut out = String::new();
    if let Some(plan) = &checked.plan {
        out.push_str(&plan_table(plan));
    }
    out.push_str(&problems_text(&checked.problems));
    out
}

pub fn problems_text(problems: &[Problem]) -> String {
    let mut out = String::new();
    if problems.is_empty() {
        out.push_str("\nNo problems found.\n");
        return out;
    }
    let errors = problems.iter().filter(|p| p.is_error()).count();
    out.push_str(&format!(
        "\nProblems: {}, {}\n",
        count(errors, "error", "errors"),
        count(problems.len() - errors, "warning", "warnings")
    ));
    // Errors first: they are what stops the install, and a long list of warnings must not
    // push them off the screen.
    for p in problems.iter().filter(|p| p.is_error()) {
        out.push_str(&format!("  {p}\n"));
    }
    for p in problems.iter().filter(|p| !p.is_error()) {
        out.push_str(&format!("  {p}\n"));
    }
    out
}

/// "1 error", "2 errors".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn plan_table(plan: &Plan) -> String {
    let mut out = String::new();
    let stack = if plan.is_dual_stack() {
        format!("dual-stack, {} primary", plan.primary().family.kube_name())
    } else {
        format!("single-stack {}", plan.primary().family.kube_name())
    };
    out.push_str(&format!(
        "Kubernetes {} (kubeadm {}), Calico {} ({}), {}\n",
        plan.kube_version,
        plan.kube.kubeadm_api.as_str(),
        plan.calico_version,
        match plan.calico.install {
            crate::answers::CalicoInstall::Manifest => "manifest",
            crate::answers::CalicoInstall::Operator => "operator",
        },
        stack
    ));
    let ips: Vec<String> = plan.node.node_ips.iter().map(|i| i.to_string()).collect();
    out.push_str(&format!(
        "Node {}: advertise {}, kubelet node-ip {}\n",
        plan.node.name,
        plan.node.advertise_address,
        ips.join(",")
    ));
    if let Some(e) = &plan.control_plane_endpoint {
        out.push_str(&format!("Control-plane endpoint: {e}\n"));
    }
    out.push_str("\nAddress plan\n");
    out.push_str(&format!(
        "  {:<6} {:<22} {:<9} {:>9} {:>12} {:<22} {:>10} {:<22}\n",
        "family",
        "pod subnet",
        "per node",
        "nodes",
        "addr/node",
        "service subnet",
        "services",
        "calico pool"
    ));
    for f in &plan.families {
        out.push_str(&format!(
            "  {:<6} {:<22} {:<9} {:>9} {:>12} {:<22} {:>10} {:<22}\n",
            f.family.kube_name(),
            f.pod_subnet.to_string(),
            format!("/{}", f.node_mask),
            human_count(f.nodes_fit),
            human_count(f.addresses_per_node),
            f.service_subnet.to_string(),
            human_count(f.service_addresses),
            format!("{} /{}", f.calico_pool, f.block_size),
        ));
    }
    out.push('\n');
    for f in &plan.families {
        let how = match f.node_mask_source {
            MaskSource::Answers => "set in the answers".to_string(),
            MaskSource::Kubeadm => format!(
                "computed by kubeadm v1.{} from the /{} pod subnet",
                plan.kube.minor,
                f.pod_subnet.prefix_len()
            ),
            MaskSource::ControllerManager => "kube-controller-manager's default".to_string(),
        };
        let ranges = cidr::node_ranges(&f.pod_subnet, f.node_mask, 3);
        let shown: Vec<String> = ranges.iter().map(|r| r.to_string()).collect();
        out.push_str(&format!(
            "  {} node podCIDRs /{} ({how}; kube-controller-manager assigns them): {}{}\n",
            f.family.kube_name(),
            f.node_mask,
            shown.join(", "),
            if f.nodes_fit > 3 { ", ..." } else { "" }
        ));
    }
    out.push_str(&ipam_text(plan));
    out.push_str(&operator_files_text(plan));
    for j in &plan.joins {
        let ips: Vec<String> = j.node_ips.iter().map(|i| i.to_string()).collect();
        out.push_str(&format!("  join {}: node-ip {}\n", j.name, ips.join(",")));
    }
    out
}

/// Calico's IPAM blocks per pool: what pods really take their addresses from.
fn ipam_text(plan: &Plan) -> String {
    let nodes = 1 + plan.joins.len();
    let mut out = String::from(
        "\nCalico IPAM: pods take addresses from the pool's blocks, not from the node podCIDRs; each node claims blocks as it needs them\n",
    );
    for f in &plan.families {
        let Some((blocks, per_block)) = super::ipam::family_blocks(f) else {
            continue;
        };
        out.push_str(&format!(
            "  {} pool {}: {} blocks of /{} ({} addresses each); one block or more per node, {} node(s) in this plan\n",
            f.family.kube_name(),
            f.calico_pool,
            human_count(blocks),
            f.block_size,
            human_count(per_block),
            nodes
        ));
    }
    out
}

/// The operator install's files in the order they are applied: from Calico v3.30 the CRDs
/// are only in operator-crds.yaml, which comes first (`CalicoMinor::operator_crds_separate`).
fn operator_files_text(plan: &Plan) -> String {
    if plan.calico.install != crate::answers::CalicoInstall::Operator {
        return String::new();
    }
    let v = &plan.calico_version;
    let mut steps = Vec::new();
    if plan.calico_row.operator_crds_separate {
        steps.push(format!(
            "operator-crds.yaml of Calico {v}, upstream's (from v3.30 tigera-operator.yaml holds no CRDs): kubectl create -f operator-crds.yaml"
        ));
    }
    let has_manifest = plan
        .calico
        .manifest
        .as_deref()
        .is_some_and(|m| !m.trim().is_empty());
    steps.push(match (has_manifest, &plan.calico.registry) {
        (true, Some(r)) => format!(
            "tigera-operator.yaml, rendered from calico.manifest with the operator image from {r}: kubectl create -f tigera-operator.yaml"
        ),
        (true, None) => "tigera-operator.yaml, rendered from calico.manifest: kubectl create -f tigera-operator.yaml".to_string(),
        (false, _) => format!(
            "tigera-operator.yaml of Calico {v}, upstream's: kubectl create -f tigera-operator.yaml"
        ),
    });
    steps.push(
        "calico-installation.yaml, rendered: kubectl create -f calico-installation.yaml (after the operator is running)"
            .to_string(),
    );
    let mut out = String::from("\nCalico operator files, in the order to apply\n");
    for (i, s) in steps.iter().enumerate() {
        out.push_str(&format!("  {}. {s}\n", i + 1));
    }
    out
}
