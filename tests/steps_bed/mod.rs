//! A lab with answers rendered into it and a StepCx on its root: the bed the step tests
//! (tests/steps_sim.rs, tests/join_sim.rs) drive steps on.

use super::common;
use super::sim_support::Lab;
use super::steps_support::TestCx;
use dsinstall::run::step::Step;
use dsinstall::run::steps::{self, Setup};

pub struct Bed {
    pub lab: Lab,
    pub setup: Setup,
    pub cx: TestCx,
}

/// A lab at `version` with `faults`, the answers (with `calico.manifest` set to the fixture
/// `calico`, then `edit`ed) rendered into it, and a StepCx on its root.
pub fn bed(
    answers: &str,
    version: &str,
    calico: &str,
    edit: impl Fn(String) -> String,
    faults: &[&str],
) -> Bed {
    let mut extra = Vec::new();
    for f in faults {
        extra.extend(["--fault", f]);
    }
    let lab = Lab::new(version, &extra);
    let text = edit(
        std::fs::read_to_string(common::fixture(&format!("answers/{answers}")))
            .unwrap()
            .replace(
                "calico:\n",
                &format!(
                    "calico:\n  manifest: {}\n",
                    common::fixture(&format!("calico/{calico}")).display()
                ),
            ),
    );
    let path = lab.file("answers.yaml", &text);
    let out = lab.render(&path);
    let answers = dsinstall::answers::Answers::from_yaml(&text, &path).unwrap();
    let plan = dsinstall::plan::check(&answers).plan.expect("answers plan");
    let cx = TestCx::new(
        &lab.path().join("root"),
        &out,
        &lab.path().join("bin"),
        &lab.path().join("backups"),
    );
    Bed {
        setup: Setup {
            answers,
            plan,
            rendered: out,
            skip_image_pull: false,
            wait: steps::WAIT_DEFAULT,
        },
        lab,
        cx,
    }
}

impl Bed {
    /// The guide's node01 as detect sees it, read under the lab's root.
    pub fn steps(&self) -> Vec<Box<dyn Step>> {
        let mut facts = dsinstall::host::demo_facts();
        facts.warnings.clear();
        // The lab's kubeadm and runtime are the answers' version's.
        let v = self.setup.answers.kubernetes.version.clone();
        for t in facts.tools.values_mut().flatten() {
            t.version = Some(v.clone());
        }
        // The lab's runtime: docker (dockershim) before 1.24, containerd from then.
        let minor: u32 = v
            .split('.')
            .nth(1)
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        if minor >= 24 {
            facts.cri_sockets = vec!["/var/run/containerd/containerd.sock".into()];
            facts.cgroup_driver = None;
        }
        steps::list_on(&self.setup, Some(facts))
    }
}
