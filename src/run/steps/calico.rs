//! `calico`: the rendered Calico applied. Manifest install: `kubectl apply -f calico.yaml`.
//! Operator install: the operator's manifest first (`kubectl create -f
//! tigera-operator.yaml`, as Calico's docs do: its CRDs are too big for apply's
//! last-applied annotation), then — once the Installation CRD is Established, polled with
//! `get -o json` (kubectl 1.19 has no `wait --for=jsonpath`) — the Installation.

use super::common;
use crate::answers::CalicoInstall;
use crate::plan::Plan;
use crate::render::{CALICO_INSTALLATION, CALICO_MANIFEST, TIGERA_OPERATOR};
use crate::run::kubectl;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use std::time::{Duration, Instant};

const INSTALLATION_CRD: &str = "installations.operator.tigera.io";

pub struct Calico {
    pub plan: Plan,
}

/// `kubectl get ... -o json` parsed; Err: kubectl's last line.
pub fn get(cx: &dyn StepCx, args: &[String]) -> Result<serde_json::Value, String> {
    match common::capture(&kubectl::command(cx, args, common::QUICK)) {
        Some((true, out)) => {
            serde_json::from_str(&out).map_err(|e| format!("kubectl printed no JSON: {e}"))
        }
        Some((false, out)) => Err(out
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("kubectl failed")
            .trim()
            .to_string()),
        None => Err("kubectl cannot be run".into()),
    }
}

/// Whether an object's status has condition `kind` True.
pub fn condition_true(o: &serde_json::Value, kind: &str) -> bool {
    o["status"]["conditions"].as_array().is_some_and(|cs| {
        cs.iter()
            .any(|c| c["type"] == kind && c["status"] == "True")
    })
}

impl Calico {
    fn operator(&self) -> bool {
        self.plan.calico.install == CalicoInstall::Operator
    }
    fn applied(&self, cx: &dyn StepCx) -> Result<(), String> {
        if self.operator() {
            get(
                cx,
                &kubectl::get_json(
                    "deployments",
                    Some("tigera-operator"),
                    Some("tigera-operator"),
                ),
            )?;
            get(
                cx,
                &kubectl::get_json(INSTALLATION_CRD, Some("default"), None),
            )
            .map(|_| ())
        } else {
            get(
                cx,
                &kubectl::get_json("daemonsets", Some("calico-node"), Some("kube-system")),
            )
            .map(|_| ())
        }
    }
    fn kubectl(&self, cx: &mut dyn StepCx, args: Vec<String>) -> Result<(), Failure> {
        let what = format!("kubectl {}", args.join(" "));
        let cmd = kubectl::command(cx, &args, Duration::from_secs(120));
        common::run_lines(cx, cmd, &what).map(|_| ()).map_err(|f| {
            Failure::new(
                f.cause,
                "check that the API server answers (kubectl get nodes) and the rendered Calico file, then run dsinstall apply again",
            )
        })
    }
    fn file(cx: &dyn StepCx, name: &str) -> String {
        cx.rendered().join(name).display().to_string()
    }
}

impl Step for Calico {
    fn id(&self) -> String {
        "calico".into()
    }
    fn deadline(&self) -> Duration {
        Duration::from_secs(300)
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        Ok(match self.applied(cx) {
            Ok(()) if self.operator() => {
                Probe::Done("the operator and the Installation are in the cluster".into())
            }
            Ok(()) => Probe::Done("the calico-node DaemonSet is in the cluster".into()),
            Err(e) => Probe::Needed(format!("Calico is not applied yet ({e})")),
        })
    }
    fn changes(&self, cx: &mut dyn StepCx) -> Vec<Change> {
        let v = |a: Vec<String>| {
            let mut c = vec!["kubectl".to_string()];
            c.extend(a);
            Change::Command(c)
        };
        if self.operator() {
            vec![
                v(kubectl::create(&Self::file(cx, TIGERA_OPERATOR))),
                Change::Note(format!(
                    "wait for the CRD {INSTALLATION_CRD} to be Established"
                )),
                v(kubectl::apply(&Self::file(cx, CALICO_INSTALLATION))),
            ]
        } else {
            vec![v(kubectl::apply(&Self::file(cx, CALICO_MANIFEST)))]
        }
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        if !self.operator() {
            let f = Self::file(cx, CALICO_MANIFEST);
            return self.kubectl(cx, kubectl::apply(&f));
        }
        // create fails on objects that exist: a resumed attempt goes on to the Installation.
        let operator_there = get(
            cx,
            &kubectl::get_json(
                "deployments",
                Some("tigera-operator"),
                Some("tigera-operator"),
            ),
        )
        .is_ok();
        if !operator_there {
            let f = Self::file(cx, TIGERA_OPERATOR);
            self.kubectl(cx, kubectl::create(&f))?;
        }
        cx.phase("crds");
        let until = Instant::now() + Duration::from_secs(240);
        let mut last;
        loop {
            match get(
                cx,
                &kubectl::get_json("customresourcedefinitions", Some(INSTALLATION_CRD), None),
            ) {
                Ok(o) if condition_true(&o, "Established") => break,
                Ok(_) => last = "not Established yet".to_string(),
                Err(e) => last = e,
            }
            if Instant::now() >= until {
                return Err(Failure::new(
                    format!(
                        "the CRD {INSTALLATION_CRD} was not Established within 4 minutes (last seen: {last})"
                    ),
                    "check the API server and the operator manifest (kubectl get crd), then run dsinstall apply again",
                ));
            }
            std::thread::sleep(Duration::from_secs(1));
        }
        cx.phase("installation");
        let f = Self::file(cx, CALICO_INSTALLATION);
        self.kubectl(cx, kubectl::apply(&f))
    }
}
