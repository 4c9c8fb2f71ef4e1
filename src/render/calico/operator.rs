//! `tigera-operator.yaml` for `calico.install: operator` with a private registry: upstream's
//! operator manifest with the operator's own image (`quay.io/tigera/operator`) moved to the
//! registry. The Installation's `spec.registry` covers the images the operator pulls; the
//! operator's own image is pulled before it runs, so only the manifest can move it
//! (shared/facts/calico-dualstack.md §5.5).

use super::documents::{self, Document};
use super::{CalicoError, images, text_patch};
use crate::plan::Plan;

pub fn patch_operator(manifest: &str, plan: &Plan) -> Result<String, CalicoError> {
    let fail = |m: String| CalicoError::new(format!("calico.manifest: {m}"));
    let mut docs = documents::split(manifest).map_err(fail)?;
    if !docs.iter().any(is_operator) {
        return Err(fail(
            "no Deployment tigera-operator: in operator mode calico.manifest is Calico's tigera-operator.yaml".into(),
        ));
    }
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

fn is_operator(d: &Document) -> bool {
    d.value.as_ref().is_some_and(|v| {
        documents::kind_and_name(v) == (Some("Deployment"), Some("tigera-operator"))
    })
}
