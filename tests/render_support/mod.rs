//! Helpers for the render tests: fixture answers, version variants, rendering with a fixed
//! token, and splitting rendered YAML into documents.
#![allow(dead_code)]

use crate::common;
use dsinstall::answers::{Answers, CalicoInstall};
use dsinstall::plan::{self, Plan, version};
use dsinstall::render::{self, RenderInputs, RenderedFile, Templates};

/// A token in kubeadm's form that no real install would draw, so snapshots are stable.
pub const FIXED_TOKEN: &str = "fixtok.abcdefghij012345";

/// An answers fixture, with `calico.manifest` pointed at the matching upstream fixture when
/// the answers use manifest mode.
pub fn fixture(name: &str) -> Answers {
    let path = common::fixture(&format!("answers/{name}"));
    let mut a = Answers::load(&path).expect("fixture answers load");
    if a.calico.install == CalicoInstall::Manifest && a.calico.manifest.is_none() {
        a.calico.manifest = Some(calico_fixture(&a.calico.version));
    }
    let v = a.calico.version.trim_start_matches('v');
    let stored = common::fixture("calico").join(format!("tigera-operator-v{v}.yaml"));
    if a.calico.install == CalicoInstall::Operator && a.calico.manifest.is_none() && stored.exists()
    {
        a.calico.manifest = Some(stored.display().to_string());
    }
    a
}

/// Upstream's tigera-operator.yaml for a Calico version (only v3.32.1 is stored).
pub fn operator_fixture(version: &str) -> String {
    let v = version.trim_start_matches('v');
    common::fixture(&format!("calico/tigera-operator-v{v}.yaml"))
        .display()
        .to_string()
}

/// The Calico manifest fixture for a Calico version (only v3.15.3 and v3.32.1 are stored).
pub fn calico_fixture(version: &str) -> String {
    let v = version.trim_start_matches('v');
    common::fixture(&format!("calico/calico-v{v}.yaml"))
        .display()
        .to_string()
}

/// The seed's answers moved to another Kubernetes minor, changed only where that minor
/// refuses the seed's choices: dockershim is gone from 1.24 (containerd's socket instead)
/// and k8s.gcr.io no longer receives images (registry.k8s.io from 1.24); from 1.20 kubeadm no
/// longer computes the /120 node mask the seed's /112 IPv6 pod subnet needs, so it is given.
pub fn seed_at(minor: u32) -> Answers {
    let mut a = fixture("seed-v1.19.yaml");
    a.kubernetes.version = format!("v1.{minor}.0");
    if minor >= 20 {
        a.networking.node_mask_sizes = Some(dsinstall::answers::NodeMaskSizes {
            ipv4: None,
            ipv6: Some(120),
        });
    }
    if minor >= 24 {
        a.kubernetes.cri_socket = Some("unix:///var/run/containerd/containerd.sock".into());
        a.kubernetes.image_repository = Some("registry.k8s.io".into());
    }
    a
}

pub fn newest_minor() -> u32 {
    version::NEWEST_MINOR
}

pub fn plan_of(a: &Answers) -> (Plan, String) {
    let checked = plan::check(a);
    assert!(
        !checked.has_errors(),
        "answers have errors:\n{}",
        plan::report::text(&checked)
    );
    let text = plan::report::text(&checked);
    (checked.plan.expect("a plan"), text)
}

/// Render with the embedded templates and a fixed token.
pub fn render_answers(a: &Answers) -> Vec<RenderedFile> {
    render_with(a, &Templates::embedded(), FIXED_TOKEN).expect("renders")
}

pub fn render_with(
    a: &Answers,
    templates: &Templates,
    token: &str,
) -> Result<Vec<RenderedFile>, render::RenderError> {
    let (plan, plan_text) = plan_of(a);
    let (calico_manifest, calico_manifest_source) = match render::load_manifest(&plan, None) {
        Ok(Some((t, s))) => (Some(t), Some(s)),
        Ok(None) => (None, None),
        Err(e) => panic!("{e}"),
    };
    let (operator_crds, operator_crds_source) = match render::load_operator_crds(&plan, None) {
        Ok(Some((t, s))) => (Some(t), Some(s)),
        Ok(None) => (None, None),
        Err(e) => panic!("{e}"),
    };
    render::render(
        &plan,
        templates,
        &RenderInputs {
            bootstrap_token: token.into(),
            certificate_key: CERTIFICATE_KEY.into(),
            calico_manifest,
            calico_manifest_source,
            operator_crds,
            operator_crds_source,
            plan_text,
        },
    )
}

pub fn file<'a>(files: &'a [RenderedFile], name: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} was not rendered"))
        .contents
}

/// Every document of a YAML text, parsed.
pub fn docs(text: &str) -> Vec<serde_yaml::Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(text)
        .map(|d| serde_yaml::Value::deserialize(d).expect("document parses"))
        .filter(|v| !v.is_null())
        .collect()
}

/// The document of a given kind.
pub fn doc(text: &str, kind: &str) -> serde_yaml::Value {
    docs(text)
        .into_iter()
        .find(|d| d["kind"].as_str() == Some(kind))
        .unwrap_or_else(|| panic!("no {kind} document"))
}

/// `extraArgs`/`kubeletExtraArgs` as (name, value) pairs, from either the map form
/// (v1beta2/3) or the list form (v1beta4).
pub fn args(v: &serde_yaml::Value) -> Vec<(String, String)> {
    match v {
        serde_yaml::Value::Mapping(m) => m
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().unwrap().to_string(),
                    v.as_str().unwrap().to_string(),
                )
            })
            .collect(),
        serde_yaml::Value::Sequence(s) => s
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_string(),
                    e["value"].as_str().unwrap().to_string(),
                )
            })
            .collect(),
        serde_yaml::Value::Null => Vec::new(),
        other => panic!("extraArgs is neither a map nor a list: {other:?}"),
    }
}

pub fn arg(v: &serde_yaml::Value, name: &str) -> Option<String> {
    args(v).into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// A fixed certificate key: snapshots must not change from run to run.
pub const CERTIFICATE_KEY: &str =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
