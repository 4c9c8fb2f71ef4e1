//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// A fixture under `tests/fixtures/` (the guide's answers, upstream Calico manifests; see
/// `tests/fixtures/README.md` and `tests/fixtures/calico/SOURCES.md` for their sources).
pub fn fixture(rel: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    assert!(p.exists(), "fixture tests/fixtures/{rel} is missing");
    p
}

/// The built `dsinstall` binary (integration tests only).
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dsinstall"))
}

/// A current cluster (v1.31, Calico v3.28.2) with the seed's node addresses and kind's pools
/// (node masks default to /24 and /64): no problems but the missing-manifest, Calico
/// tested-range and ULA-pool-without-NAT warnings.
pub fn modern() -> dsinstall::answers::Answers {
    let mut a = dsinstall::answers::Answers::seed();
    a.kubernetes.version = "v1.31.0".into();
    a.kubernetes.cri_socket = None;
    a.kubernetes.image_repository = None;
    a.calico.version = "v3.28.2".into();
    a.calico.ipv6_autodetection_method = Some("interface=^ens224$".into());
    a.networking.pod_subnets = vec!["10.244.0.0/16".into(), "fd00:10:244::/56".into()];
    a.networking.service_subnets = vec!["10.96.0.0/16".into(), "fd00:10:96::/112".into()];
    a
}

/// The schema checker (`pip install kubernetes-validate`): whether it runs; when it does not,
/// skip with a message, or fail where CI demands it (DSINSTALL_REQUIRE_KUBERNETES_VALIDATE=1).
pub const KUBERNETES_VALIDATE: &str = "kubernetes-validate";

pub fn kubernetes_validate_available() -> bool {
    let tool = KUBERNETES_VALIDATE;
    let ok = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("DSINSTALL_REQUIRE_KUBERNETES_VALIDATE").as_deref() == Ok("1") {
            panic!(
                "{tool} is required (DSINSTALL_REQUIRE_KUBERNETES_VALIDATE=1) but does not run; pip install kubernetes-validate"
            );
        }
        eprintln!("SKIP: {tool} not found; pip install kubernetes-validate to run this test");
    }
    ok
}
