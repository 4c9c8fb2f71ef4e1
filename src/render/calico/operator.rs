//! `tigera-operator.yaml` for `calico.install: operator` with a private registry: upstream's
//! operator manifest with the operator's own image (`quay.io/tigera/operator`) moved to the
//! registry. The Installation's `spec.registry` covers the images the operator pulls; the
//! operator's own image is pulled before it runs, so only the manifest can move it
//! (shared/facts/calico-dualstack.md §5.5).

use super::documents::{self, Document};
use super::{CalicoError, images, text_patch};
use crate::plan::Plan;
use crate::plan::version::{self, KubeVersion};
use serde_yaml::Value;

pub fn patch_operator(manifest: &str, plan: &Plan) -> Result<String, CalicoError> {
    let fail = |m: String| CalicoError::new(format!("calico.manifest: {m}"));
    let mut docs = documents::split(manifest).map_err(fail)?;
    if !docs.iter().any(is_operator) {
        return Err(fail(
            "no Deployment tigera-operator: in operator mode calico.manifest is Calico's tigera-operator.yaml".into(),
        ));
    }
    check_version(&docs, plan).map_err(fail)?;
    if let Some(registry) = &plan.calico.registry {
        for d in docs.iter_mut() {
            if let Some(v) = d.value.as_mut()
                && matches!(
                    documents::kind_and_name(v).0,
                    Some("Deployment" | "DaemonSet")
                )
                && images::rewrite_workload(v, registry)
            {
                d.changed = true;
                documents::keep_comments(d, |t| text_patch::images(t, registry));
            }
        }
    }
    let note = match &plan.calico.registry {
        Some(r) => format!("# Patched by dsinstall: the operator's image is pulled from {r}.\n"),
        None => String::new(),
    };
    documents::join(&docs, &note).map_err(fail)
}

/// The operator's image tag must be the operator of `calico.version`: the operator installs
/// the Calico release it was built for, whatever the Installation says, so another
/// manifest would install another Calico than the one the plan was checked for (as a
/// calico.yaml of another version would in manifest mode). The operator has its own
/// version; the table maps its minor to Calico's (`CalicoMinor::operator_minor`).
fn check_version(docs: &[Document], plan: &Plan) -> Result<(), String> {
    let Some(image) = docs
        .iter()
        .filter(|d| is_operator(d))
        .filter_map(|d| d.value.as_ref())
        .filter_map(|v| {
            v.get("spec")?
                .get("template")?
                .get("spec")?
                .get("containers")
        })
        .filter_map(Value::as_sequence)
        .flatten()
        .find(|c| c.get("name").and_then(Value::as_str) == Some("tigera-operator"))
        .and_then(|c| c.get("image"))
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    // `registry:5000/tigera/operator:v1.38.0`: the tag follows the last ':' after the last
    // '/'; a digest-only reference names no version.
    let Some(tag) = image
        .rsplit('/')
        .next()
        .and_then(|last| last.split_once(':'))
        .map(|(_, t)| t)
    else {
        return Ok(());
    };
    let Ok(op) = KubeVersion::parse_reported(tag) else {
        return Ok(());
    };
    let want = &plan.calico_version;
    let want_row = version::calico_minor(want).ok();
    if op.major == 1 && want_row.is_some_and(|r| r.operator_minor == op.minor) {
        return Ok(());
    }
    let wanted = want_row
        .map(|r| {
            format!(
                " (Calico {want} ships tigera-operator v1.{}.x)",
                r.operator_minor
            )
        })
        .unwrap_or_default();
    Err(
        match version::calico_of_operator(op.minor).filter(|_| op.major == 1) {
            Some(r) => format!(
                "the manifest is tigera-operator {tag} (image {image}), the operator of Calico v3.{}, but calico.version is {want}{wanted}; use the tigera-operator.yaml of {want} or change calico.version",
                r.minor
            ),
            None => format!(
                "the manifest is tigera-operator {tag} (image {image}), the operator of no Calico release dsinstall knows (v3.{}–v3.{}), but calico.version is {want}{wanted}; use the tigera-operator.yaml of {want}",
                version::CALICO_OLDEST_MINOR,
                version::CALICO_NEWEST_MINOR
            ),
        },
    )
}

fn is_operator(d: &Document) -> bool {
    d.value.as_ref().is_some_and(|v| {
        documents::kind_and_name(v) == (Some("Deployment"), Some("tigera-operator"))
    })
}
