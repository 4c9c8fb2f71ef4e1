//! `operator-crds.yaml` for `calico.install: operator`: from Calico v3.30 the operator's
//! CustomResourceDefinitions (operator.tigera.io and crd.projectcalico.org) ship only in
//! upstream's manifests/operator-crds.yaml; tigera-operator.yaml holds none
//! (calico@v3.30.0:manifests/tigera-operator.yaml; v3.29.0's still holds them). The file is
//! copied as it is: it names no image, so the registry rewrite has nothing to move.

use super::CalicoError;
use super::documents;

/// The CRD the Installation needs: `kubectl apply` of an Installation fails until it is
/// Established ("no matches for kind \"Installation\" in version \"operator.tigera.io/v1\"").
pub const INSTALLATION_CRD: &str = "installations.operator.tigera.io";

/// Whether a manifest holds the CustomResourceDefinition `name`.
pub fn has_crd(manifest: &str, name: &str) -> bool {
    documents::split(manifest).is_ok_and(|docs| {
        docs.iter().any(|d| {
            d.value.as_ref().is_some_and(|v| {
                documents::kind_and_name(v) == (Some("CustomResourceDefinition"), Some(name))
            })
        })
    })
}

/// The CRDs of a manifest, by name, in file order.
pub fn crd_names(manifest: &str) -> Vec<String> {
    documents::split(manifest)
        .map(|docs| {
            docs.iter()
                .filter_map(|d| match d.value.as_ref().map(documents::kind_and_name) {
                    Some((Some("CustomResourceDefinition"), Some(n))) => Some(n.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Upstream's operator-crds.yaml, checked to be one: it parses and defines the
/// Installation's CRD. Returned unchanged.
pub fn operator_crds(text: &str) -> Result<String, CalicoError> {
    let fail = |m: String| CalicoError::new(format!("calico.operatorCrds: {m}"));
    documents::split(text).map_err(fail)?;
    if !has_crd(text, INSTALLATION_CRD) {
        return Err(fail(format!(
            "no CustomResourceDefinition {INSTALLATION_CRD}: calico.operatorCrds is Calico's operator-crds.yaml"
        )));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: installations.operator.tigera.io\n";

    #[test]
    fn the_installation_crd_is_required() {
        assert_eq!(operator_crds(CRD).unwrap(), CRD);
        let e = operator_crds("kind: ConfigMap\nmetadata:\n  name: x\n").unwrap_err();
        assert!(
            e.message.starts_with(
                "calico.operatorCrds: no CustomResourceDefinition installations.operator.tigera.io"
            ),
            "{e}"
        );
        assert!(operator_crds("a: [").is_err());
        assert_eq!(
            crd_names(&format!("{CRD}---\nkind: Namespace\n")),
            [INSTALLATION_CRD]
        );
    }
}
