//! The install's steps in order (run.md, "Steps"), one file each.

pub mod calico;
pub mod common;
pub mod images;
pub mod init;
pub mod join;
pub mod join_host;
pub mod kubeconfig;
pub mod modules;
pub mod netfilter;
pub mod preflight;
pub mod probe_texts;
pub mod swap;
pub mod sysctl;
pub mod verify;
pub mod wait_calico;
pub mod wait_node;

/// The causes and fixes the host and cluster steps write, as
/// [`crate::run::diagnose::TEXTS`] (the joins' are [`join::TEXTS`]).
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "run.command.cannot_run",
        "{0}: could not run {1}: {2}",
        "install it or put it on PATH, then run dsinstall apply again",
    ),
    (
        "run.command.failed",
        "{0} {1}: {2}",
        "see the step's lines in the log, fix the cause, then run dsinstall apply again",
    ),
    (
        "run.command.failed.silent",
        "{0} {1}",
        "see the step's lines in the log, fix the cause, then run dsinstall apply again",
    ),
    (
        "run.rendered.unreadable",
        "the rendered file {0} cannot be read: {1}",
        "run dsinstall apply again so the run renders its files",
    ),
    (
        "run.host.backup",
        "{0} cannot be backed up before it is changed: {1}",
        "free space in the state directory or fix its permissions, then run dsinstall apply again",
    ),
    (
        "run.host.write",
        "{0} cannot be written: {1}",
        "check the file system is writable and mounted, then run dsinstall apply again",
    ),
    (
        "run.preflight.host_warning",
        "this host cannot take the install ({0}): {1}",
        "fix it on the host (dsinstall detect shows it), then run dsinstall apply again",
    ),
    // The fix is the plan's own hint, kept as the plan wrote it.
    ("run.preflight.problem", "{0}: {1}", ""),
    (
        "run.preflight.problem.no_hint",
        "{0}: {1}",
        "change the answers or the host, then run dsinstall apply again",
    ),
    (
        "run.swap.still_on",
        "swap is still on after swapoff -a: {0}",
        "free memory so the swapped pages fit, run swapoff -a by hand, then dsinstall apply again",
    ),
    (
        "run.modules.load",
        "the kernel module {0} cannot be loaded ({1})",
        "install the kernel's extra modules package (kernel-modules-extra / linux-modules-extra) or build {0} in, then run dsinstall apply again",
    ),
    (
        "run.sysctl.value",
        "the sysctl {0} did not take: it is {1}{2}",
        "set {0} by hand (sysctl -w) to see why the kernel refuses it, then run dsinstall apply again",
    ),
    (
        "run.sysctl.value.bridge",
        "the sysctl {0} did not take: it is {1}{2}",
        "load br_netfilter (modprobe br_netfilter) so the bridge keys exist, then run dsinstall apply again",
    ),
    (
        "run.sysctl.error",
        "the sysctl {0} did not take: it {1}{2}",
        "set {0} by hand (sysctl -w) to see why the kernel refuses it, then run dsinstall apply again",
    ),
    (
        "run.sysctl.error.bridge",
        "the sysctl {0} did not take: it {1}{2}",
        "load br_netfilter (modprobe br_netfilter) so the bridge keys exist, then run dsinstall apply again",
    ),
    (
        "run.sysctl.no_sysctl",
        "the sysctl {0} did not take: it sysctl cannot be run{2}",
        "set {0} by hand (sysctl -w) to see why the kernel refuses it, then run dsinstall apply again",
    ),
    (
        "run.sysctl.no_sysctl.bridge",
        "the sysctl {0} did not take: it sysctl cannot be run{2}",
        "load br_netfilter (modprobe br_netfilter) so the bridge keys exist, then run dsinstall apply again",
    ),
    (
        "run.images.cannot_run",
        "kubeadm config images pull could not run: {0}",
        "install kubeadm or put it on PATH",
    ),
    (
        "run.images.pull",
        "{4} cannot be pulled ({0} of {1} pulled; kubeadm {2}): {3}",
        "check that the node reaches the registry (imageRepository in the answers) or load the images into the runtime and run dsinstall apply --skip-image-pull",
    ),
    (
        "run.images.pull.unnamed",
        "an image cannot be pulled ({0} of {1} pulled; kubeadm {2}): {3}",
        "check that the node reaches the registry (imageRepository in the answers) or load the images into the runtime and run dsinstall apply --skip-image-pull",
    ),
    (
        "run.init.cannot_run",
        "kubeadm init could not run: {0}",
        "install kubeadm or put it on PATH",
    ),
    (
        "run.init.remove_file",
        "{0} cannot be removed: {1}",
        "remove it by hand",
    ),
    (
        "run.init.empty_dir",
        "{0} cannot be removed: {1}",
        "remove it by hand, then run the command again",
    ),
    (
        "run.kubeconfig.missing",
        "{0} is not there",
        "kubeadm init did not finish: run dsinstall apply again",
    ),
    (
        "run.kubeconfig.chown",
        "{0} cannot be given to uid {1}: {2}",
        "run dsinstall apply as root",
    ),
    (
        "run.calico.kubectl.cannot_run",
        "{0}: could not run {1}: {2}",
        "check that the API server answers (kubectl get nodes) and the rendered Calico file, then run dsinstall apply again",
    ),
    (
        "run.calico.kubectl.failed",
        "{0} {1}: {2}",
        "check that the API server answers (kubectl get nodes) and the rendered Calico file, then run dsinstall apply again",
    ),
    (
        "run.calico.kubectl.failed.silent",
        "{0} {1}",
        "check that the API server answers (kubectl get nodes) and the rendered Calico file, then run dsinstall apply again",
    ),
    (
        "run.calico.crd_timeout",
        "the CRD {0} was not Established within {1} minutes (last seen: {2})",
        "Calico v3.30 and newer ship the operator's CRDs in operator-crds.yaml: set calico.operatorCrds to it and render again; else check the API server (kubectl get crd), then run dsinstall apply again",
    ),
    (
        "run.calico.crd_timeout.pending",
        "the CRD {0} was not Established within {1} minutes (last seen: not Established yet)",
        "Calico v3.30 and newer ship the operator's CRDs in operator-crds.yaml: set calico.operatorCrds to it and render again; else check the API server (kubectl get crd), then run dsinstall apply again",
    ),
    (
        "run.calico.crd_timeout.no_kubectl",
        "the CRD {0} was not Established within {1} minutes (last seen: kubectl cannot be run)",
        "Calico v3.30 and newer ship the operator's CRDs in operator-crds.yaml: set calico.operatorCrds to it and render again; else check the API server (kubectl get crd), then run dsinstall apply again",
    ),
    (
        "run.calico.no_operator",
        "the rendered files hold no tigera-operator.yaml: calico.manifest names none",
        "set calico.manifest to Calico's tigera-operator.yaml (and, for Calico v3.30 and newer, calico.operatorCrds to its operator-crds.yaml), then run dsinstall apply again",
    ),
    (
        "run.calico.crashloop",
        "calico-node is crash-looping ({0}, {1}): {2}",
        "most often its IP autodetection finds no address: set calico autodetection (IP_AUTODETECTION_METHOD / IP6_AUTODETECTION_METHOD, e.g. interface=ens224) in the answers, then run dsinstall apply again",
    ),
    (
        "run.calico.crashloop.silent",
        "calico-node is crash-looping ({0}, {1})",
        "most often its IP autodetection finds no address: set calico autodetection (IP_AUTODETECTION_METHOD / IP6_AUTODETECTION_METHOD, e.g. interface=ens224) in the answers, then run dsinstall apply again",
    ),
    (
        "run.calico.not_ready",
        "calico-node was not ready within {0}s: {1}",
        "see kubectl -n {2} get pods and their events (image pulls, autodetection), then run dsinstall apply again",
    ),
    (
        "run.wait_node.no_network",
        "node {0} was not Ready within {1}s: {2}",
        "the pod network is not up: see wait.calico and kubectl -n kube-system get pods; then run dsinstall apply again",
    ),
    (
        "run.wait_node.kubelet_stopped",
        "node {0} was not Ready within {1}s: {2}",
        "the kubelet stopped reporting: systemctl status kubelet, journalctl -u kubelet; then run dsinstall apply again",
    ),
    (
        "run.wait_node.not_ready",
        "node {0} was not Ready within {1}s: {2}",
        "see kubectl describe node and journalctl -u kubelet; then run dsinstall apply again",
    ),
    (
        "run.verify.scratch",
        "{0}: {1}",
        "check the state directory's permissions",
    ),
    // The fix is the failed check's hint, kept as the check wrote it.
    ("run.verify.failed", "{0} failed: {1}", ""),
    (
        "run.verify.failed.no_hint",
        "{0} failed: {1}",
        "see `dsinstall verify`",
    ),
];

use super::step::Step;
use crate::answers::Answers;
use crate::host::HostFacts;
use crate::plan::Plan;
use std::path::PathBuf;
use std::time::Duration;

/// What every step is built from: the run's answers and plan, and where its rendered files
/// are (the run's own copy in the state directory, rendered once per run).
pub struct Setup {
    pub answers: Answers,
    pub plan: Plan,
    pub rendered: PathBuf,
    pub skip_image_pull: bool,
    /// How long the waits for the node and for Calico wait (`apply --wait-timeout`).
    pub wait: Duration,
}

/// How long the waits wait for the node and for Calico unless told otherwise.
pub const WAIT_DEFAULT: Duration = Duration::from_secs(600);

/// The steps of a run, in order.
pub fn list(setup: &Setup) -> Vec<Box<dyn Step>> {
    list_on(setup, None)
}

/// The steps of a run with the host's facts given (tests, the wizard that detected them
/// already); None: preflight detects them under the root when it runs.
pub fn list_on(setup: &Setup, facts: Option<HostFacts>) -> Vec<Box<dyn Step>> {
    let plan = || setup.plan.clone();
    let mut steps: Vec<Box<dyn Step>> = vec![
        Box::new(preflight::Preflight {
            answers: setup.answers.clone(),
            plan: plan(),
            facts,
        }),
        Box::new(swap::Swap),
        Box::new(modules::Modules),
        Box::new(sysctl::Sysctl),
        Box::new(images::Images {
            skip_pull: setup.skip_image_pull,
        }),
        Box::new(init::Init { plan: plan() }),
        Box::new(kubeconfig::Kubeconfig),
        Box::new(calico::Calico { plan: plan() }),
        Box::new(wait_node::WaitNode {
            node: setup.plan.node.name.clone(),
            timeout: setup.wait,
            calico_namespace: wait_calico::namespace(&setup.plan),
        }),
        Box::new(wait_calico::WaitCalico {
            plan: plan(),
            timeout: setup.wait,
        }),
    ];
    // One `join.<node>` per entry of `nodes:`, in order, once the first node is up.
    for j in &setup.plan.joins {
        steps.push(Box::new(join::Join::new(&setup.answers, &setup.plan, j)));
    }
    // The built-in checks against the cluster just installed, last (run.md).
    steps.push(Box::new(verify::Verify {
        plan: plan(),
        kubeconfig: None,
        keep: false,
    }));
    steps.shrink_to_fit();
    steps
}
