//! What the steps' probes saw and the changes they list, as sentences with codes
//! ([`crate::message`]): `apply --dry-run` writes their English, the wizard's Confirm screen
//! shows them in its language. Paths, node names and the tools' own words are values.

use crate::message::{Said, Value};

/// (code, English): the probes' details (`probe.*`) and the listed changes (`change.*`).
pub const TEXTS: &[(&str, &str)] = &[
    // Probes.
    ("probe.earlier", "passed earlier in this run"),
    (
        "probe.no_cluster",
        "no cluster yet: {0} is not there (kubeadm init writes it)",
    ),
    (
        "probe.preflight.behind",
        "the control plane is initialized: the checks before it are behind",
    ),
    (
        "probe.preflight.every_install",
        "the host is checked before every install",
    ),
    (
        "probe.swap.off_fstab_kept",
        "swap is off; /etc/fstab still turns it on at boot (no consent to edit it)",
    ),
    ("probe.swap.off", "swap is off and /etc/fstab has no swap"),
    ("probe.swap.on", "swap is on: {0}"),
    ("probe.swap.fstab", "/etc/fstab turns swap on at boot"),
    ("probe.file.not_planned", "{0} is not the planned one"),
    ("probe.modules.loaded", "loaded, and listed in {0}"),
    ("probe.modules.missing", "not loaded: {0}"),
    ("probe.sysctl.set", "every key of {0} is set"),
    ("probe.sysctl.value", "{0} is {1}"),
    // {1}: what sysctl printed for the key.
    ("probe.sysctl.error", "{0} {1}"),
    ("probe.sysctl.no_sysctl", "{0}: sysctl cannot be run"),
    (
        "probe.images.initialized",
        "the control plane is initialized: its images are there",
    ),
    (
        "probe.images.list_only",
        "the image list is checked (pull skipped)",
    ),
    (
        "probe.images.pull",
        "the images are pulled before kubeadm init (the runtime skips those it has)",
    ),
    (
        "probe.init.answers",
        "admin.conf is there and the API server answers",
    ),
    (
        "probe.init.not_answering",
        "admin.conf is there but the API server does not answer: reset and init again",
    ),
    ("probe.init.none", "no control plane on this node yet"),
    (
        "probe.kubeconfig.match",
        "the kubeconfig copies match admin.conf",
    ),
    (
        "probe.kubeconfig.stale",
        "not a copy of admin.conf yet: {0}",
    ),
    (
        "probe.calico.operator",
        "the operator and the Installation are in the cluster",
    ),
    (
        "probe.calico.manifest",
        "the calico-node DaemonSet is in the cluster",
    ),
    // {0}: kubectl's own words.
    (
        "probe.calico.not_applied",
        "Calico is not applied yet ({0})",
    ),
    ("probe.calico.ready", "{0} calico-node pods ready"),
    ("probe.node.ready", "node {0} is Ready"),
    ("probe.node.unregistered", "node {0} is not registered"),
    ("probe.node.not_ready", "Ready is {0} ({1}): {2}"),
    ("probe.node.no_condition", "no Ready condition yet"),
    (
        "probe.node.joined",
        "node {0} is Ready with InternalIPs {1}",
    ),
    (
        "probe.node.without",
        "Ready, but its InternalIPs are [{0}], without {1}",
    ),
    ("probe.join.node", "node {0}: {1}"),
    ("probe.verify.every_apply", "the checks run on every apply"),
    // Changes.
    ("change.unrendered", "{0} is not rendered yet"),
    (
        "change.preflight.checks",
        "checks only: host warnings, host checks, kubeadm init phase preflight",
    ),
    (
        "change.swap.fstab_kept",
        "/etc/fstab has swap lines: left alone without --yes, swap comes back at boot",
    ),
    (
        "change.images.skipped",
        "image pull skipped (--skip-image-pull)",
    ),
    (
        "change.init.writes",
        "writes /etc/kubernetes (certificates, kubeconfigs, static Pod manifests), /var/lib/kubelet, /var/lib/etcd; starts the kubelet",
    ),
    ("change.kubeconfig.copy", "{0} copied to {1} (0600)"),
    (
        "change.calico.crd_wait",
        "wait for the CRD {0} to be Established",
    ),
    (
        "change.calico.crds_wait",
        "wait for the CRDs {0} and {1} to be Established",
    ),
    ("change.wait_node", "wait for node {0} to be Ready"),
    (
        "change.wait_calico",
        "wait for calico-node to be ready in {0}",
    ),
    ("change.join.connect", "connect to {0} over SSH"),
    (
        "change.join.host_files",
        "write {0} and {1} on {2} (what was there kept under {3} there)",
    ),
    (
        "change.join.host_files.fstab",
        "write {0} and {1} on {2} (what was there kept under {3} there), and comment out the swap lines of /etc/fstab",
    ),
    (
        "change.join.copy",
        "copy {0} to {1}:~/{2} (0600), the CA hash of /etc/kubernetes/pki/ca.crt filled in",
    ),
    (
        "change.join.wait",
        "wait for node {0} to be Ready with InternalIPs {1}",
    ),
    (
        "change.verify.workload",
        "deploy the test workload in namespace {0} and remove it after the checks",
    ),
];

/// The sentence `code` of [`TEXTS`] with `args` (a value that is a sentence itself, a
/// [`Said`], is shown in the same language).
pub fn said(code: &str, args: &[&dyn Value]) -> Said {
    Said::coded(TEXTS, code, args)
}
