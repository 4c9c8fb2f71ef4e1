//! Calico for dual-stack: patch an upstream manifest, or write the operator's Installation.

use crate::plan::Plan;

/// Why the Calico file could not be produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalicoError {
    pub message: String,
}

impl std::fmt::Display for CalicoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CalicoError {}

/// The upstream `calico.yaml` patched so that it says what the plan says.
pub fn patch_manifest(_manifest: &str, _plan: &Plan) -> Result<String, CalicoError> {
    Err(CalicoError {
        message: "the Calico manifest patch is not built yet".into(),
    })
}

/// `calico-installation.yaml` for `calico.install: operator`.
pub fn installation(_plan: &Plan) -> Result<String, CalicoError> {
    Err(CalicoError {
        message: "the Calico Installation is not built yet".into(),
    })
}
