//! The rendered Kubernetes objects (Namespace, Deployment, Pod, Services of the verification
//! workload) against Kubernetes' own OpenAPI schemas, with `kubernetes-validate --strict`
//! (PyPI `kubernetes-validate`), for every minor it has schemas for (1.25–1.37). kubeadm's
//! and Calico's types have no schema there.

mod common;
mod render_support;

use dsinstall::plan::version;
use render_support::*;
use std::path::Path;
use std::process::Command;

use common::KUBERNETES_VALIDATE as TOOL;
/// The oldest minor `kubernetes-validate` ships schemas for.
const OLDEST_SCHEMA_MINOR: u32 = 25;

/// Validate one file for one minor; Err carries the tool's output.
fn validate(file: &Path, minor: u32) -> Result<(), String> {
    let out = Command::new(TOOL)
        .args(["--strict", "--quiet", "-k", &format!("1.{minor}.0")])
        .arg(file)
        .output()
        .expect("kubernetes-validate runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn write_workload(dir: &Path, minor: u32, text: &str) -> std::path::PathBuf {
    let p = dir.join(format!("verify-workload-1.{minor}.yaml"));
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn verify_workload_passes_strict_validation_for_every_minor_with_a_schema() {
    if !common::kubernetes_validate_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for minor in OLDEST_SCHEMA_MINOR..=version::NEWEST_MINOR {
        let files = render_answers(&seed_at(minor));
        let text = file(&files, "verify-workload.yaml");
        // The file holds the Namespace, the Deployment, the client Pod and the Services.
        assert_eq!(docs(text).len(), 6, "v1.{minor}");
        let p = write_workload(dir.path(), minor, text);
        if let Err(e) = validate(&p, minor) {
            failures.push(format!("v1.{minor}: {e}"));
        }
    }
    // The IPv6-primary fixture too.
    let files = render_answers(&fixture("modern-v1.31-ipv6-primary.yaml"));
    let p = write_workload(dir.path(), 131, file(&files, "verify-workload.yaml"));
    if let Err(e) = validate(&p, 31) {
        failures.push(format!("modern v1.31: {e}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The check can fail: the 1.19 shape (the alpha `spec.ipFamily` field) is not part of any
/// schema the tool has, and strict validation must say so.
#[test]
fn strict_validation_rejects_the_pre_1_20_service_shape() {
    if !common::kubernetes_validate_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = render_answers(&seed_at(19));
    let text = file(&files, "verify-workload.yaml");
    assert!(text.contains("ipFamily:"));
    let p = write_workload(dir.path(), 19, text);
    let e = validate(&p, OLDEST_SCHEMA_MINOR).expect_err("ipFamily is unknown to 1.25");
    assert!(e.contains("ipFamily"), "{e}");
}
