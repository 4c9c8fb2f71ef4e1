//! Calico for dual-stack: patch an upstream `calico.yaml` (manifest install), or write the
//! operator's `Installation` (operator install). Facts: shared/facts/calico-dualstack.md.

mod cni_config;
mod documents;
mod env;
mod images;
mod installation;
mod manifest;
pub use manifest::calico_node_version;
mod operator;
mod operator_crds;
mod text_patch;
mod yaml_text;

pub use images::{tag as image_tag, workload_images};
pub use installation::installation;
pub use manifest::patch_manifest;
pub use operator::patch_operator;
pub use operator_crds::{INSTALLATION_CRD, crd_names, has_crd, operator_crds};

/// Why the Calico file could not be produced: one sentence that names the manifest or field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalicoError {
    pub message: String,
}

impl CalicoError {
    fn new(message: impl Into<String>) -> CalicoError {
        CalicoError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CalicoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CalicoError {}
