//! `calico`: the rendered Calico applied. Manifest install: `kubectl apply -f calico.yaml`.
//! Operator install, in the order Calico's docs give (docs@b5aa61e6:calico_versioned_docs/
//! version-3.30/getting-started/kubernetes/self-managed-onprem/onpremises.mdx): the
//! operator's CRDs first when they ship apart (operator-crds.yaml, Calico v3.30+), with
//! `apply --server-side` since they are too big for apply's last-applied annotation; once
//! they are Established, the operator (`kubectl create -f tigera-operator.yaml`, which up to
//! v3.29 carries the CRDs itself); once the Installation CRD is Established, the
//! Installation. "Established" is polled with `get -o jsonpath` (kubectl 1.19 has no
//! `wait --for=jsonpath`).

use super::common;
use super::probe_texts::said;
use crate::answers::CalicoInstall;
use crate::plan::Plan;
use crate::render::{CALICO_INSTALLATION, CALICO_MANIFEST, OPERATOR_CRDS, TIGERA_OPERATOR};
use crate::run::diagnose::coded;
use crate::run::kubectl;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use std::time::{Duration, Instant};

/// The CRD of the Installation, which every operator install applies.
const INSTALLATION_CRD: &str = "installations.operator.tigera.io";

/// How long the CRDs may take to be Established, in all.
const CRD_WAIT: Duration = Duration::from_secs(240);

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

impl Calico {
    fn operator(&self) -> bool {
        self.plan.calico.install == CalicoInstall::Operator
    }
    fn operator_there(cx: &dyn StepCx) -> Result<(), String> {
        get(
            cx,
            &kubectl::get_json(
                "deployments",
                Some("tigera-operator"),
                Some("tigera-operator"),
            ),
        )
        .map(|_| ())
    }
    fn applied(&self, cx: &dyn StepCx) -> Result<(), String> {
        if self.operator() {
            Self::operator_there(cx)?;
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
        common::run_lines(cx, cmd, &what)
            .map(|_| ())
            .map_err(|f| common::recoded(f, "run.calico.kubectl"))
    }
    fn file(cx: &dyn StepCx, name: &str) -> String {
        cx.rendered().join(name).display().to_string()
    }
    /// Whether render wrote upstream's operator-crds.yaml (calico.operatorCrds).
    fn separate_crds(cx: &dyn StepCx) -> bool {
        cx.rendered().join(OPERATOR_CRDS).is_file()
    }
    /// The CRDs of the kinds in calico-installation.yaml (Installation; APIServer from
    /// Calico v3.20): `<plural>.<group>`, each kind's plural being its lowercase name plus
    /// "s" (operator api/v1). Unreadable: the Installation's alone.
    fn installation_crds(cx: &dyn StepCx) -> Vec<String> {
        let path = cx.rendered().join(CALICO_INSTALLATION);
        let mut out = vec![INSTALLATION_CRD.to_string()];
        let Ok(text) = crate::io::read::read_text(&path, crate::io::read::MAX_FILE) else {
            return out;
        };
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let Ok(v) = <serde_yaml::Value as serde::Deserialize>::deserialize(doc) else {
                continue;
            };
            let (Some(kind), Some(api)) = (v["kind"].as_str(), v["apiVersion"].as_str()) else {
                continue;
            };
            let group = api.rsplit_once('/').map_or("", |(g, _)| g);
            let crd = format!("{}s.{group}", kind.to_lowercase());
            if !out.contains(&crd) {
                out.push(crd);
            }
        }
        out
    }
    /// Poll each CRD until it is Established, or fail at `until` naming the one that is not.
    fn wait_established(cx: &mut dyn StepCx, until: Instant) -> Result<(), Failure> {
        for name in Self::installation_crds(cx) {
            let name = name.as_str();
            let args =
                kubectl::get_jsonpath("customresourcedefinitions", name, kubectl::ESTABLISHED);
            loop {
                // (the code of the failure at the deadline, kubectl's last line)
                let (code, last) =
                    match common::capture(&kubectl::command(cx, &args, common::QUICK)) {
                        Some((true, out)) if out.trim() == "True" => break,
                        Some((true, _)) => ("run.calico.crd_timeout.pending", String::new()),
                        Some((false, out)) => (
                            "run.calico.crd_timeout",
                            out.lines()
                                .rev()
                                .find(|l| !l.trim().is_empty())
                                .unwrap_or("kubectl failed")
                                .trim()
                                .to_string(),
                        ),
                        None => ("run.calico.crd_timeout.no_kubectl", String::new()),
                    };
                if Instant::now() >= until {
                    return Err(coded(code, &[&name, &(CRD_WAIT.as_secs() / 60), &last]));
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        Ok(())
    }
}

impl Step for Calico {
    fn id(&self) -> String {
        "calico".into()
    }
    fn deadline(&self) -> Duration {
        Duration::from_secs(420)
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        Ok(match self.applied(cx) {
            _ if !common::cluster_exists(cx) => Probe::Needed(common::no_cluster()),
            Ok(()) if self.operator() => Probe::Done(said("probe.calico.operator", &[])),
            Ok(()) => Probe::Done(said("probe.calico.manifest", &[])),
            Err(e) => Probe::Needed(said("probe.calico.not_applied", &[&e])),
        })
    }
    fn changes(&self, cx: &mut dyn StepCx) -> Vec<Change> {
        let v = |a: Vec<String>| {
            let mut c = vec!["kubectl".to_string()];
            c.extend(a);
            Change::Command(c)
        };
        if !self.operator() {
            return vec![v(kubectl::apply(&Self::file(cx, CALICO_MANIFEST)))];
        }
        let wait = Change::Note(match Self::installation_crds(cx).as_slice() {
            [one] => said("change.calico.crd_wait", &[one]),
            [a, b] => said("change.calico.crds_wait", &[a, b]),
            more => said("change.calico.crd_wait", &[&more.join(", ")]),
        });
        let mut out = Vec::new();
        if Self::separate_crds(cx) {
            out.push(v(kubectl::apply_server_side(&Self::file(
                cx,
                OPERATOR_CRDS,
            ))));
            out.push(wait.clone());
            out.push(v(kubectl::create(&Self::file(cx, TIGERA_OPERATOR))));
        } else {
            out.push(v(kubectl::create(&Self::file(cx, TIGERA_OPERATOR))));
            out.push(wait);
        }
        out.push(v(kubectl::apply(&Self::file(cx, CALICO_INSTALLATION))));
        out
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        if !self.operator() {
            let f = Self::file(cx, CALICO_MANIFEST);
            return self.kubectl(cx, kubectl::apply(&f));
        }
        if !cx.rendered().join(TIGERA_OPERATOR).is_file() {
            return Err(coded("run.calico.no_operator", &[]));
        }
        let until = Instant::now() + CRD_WAIT;
        if Self::separate_crds(cx) {
            cx.phase("crds");
            let f = Self::file(cx, OPERATOR_CRDS);
            self.kubectl(cx, kubectl::apply_server_side(&f))?;
            Self::wait_established(cx, until)?;
        }
        // create fails on objects that exist: a resumed attempt goes on to the Installation.
        if Self::operator_there(cx).is_err() {
            cx.phase("operator");
            let f = Self::file(cx, TIGERA_OPERATOR);
            self.kubectl(cx, kubectl::create(&f))?;
        }
        // Up to v3.29 the CRDs come with the operator's manifest; from v3.30 they are
        // Established already and this is one look.
        Self::wait_established(cx, until)?;
        cx.phase("installation");
        let f = Self::file(cx, CALICO_INSTALLATION);
        self.kubectl(cx, kubectl::apply(&f))
    }
}
