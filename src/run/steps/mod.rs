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
pub mod swap;
pub mod sysctl;
pub mod verify;
pub mod wait_calico;
pub mod wait_node;

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
