//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// A file under the steering repository's `shared/` folder. CI clones the project with
/// `shared/` beside it (`<repo>/../shared`); developers' machines have it at /work/shared.
pub fn shared(rel: &str) -> PathBuf {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for base in [repo.join("../shared"), PathBuf::from("/work/shared")] {
        let p = base.join(rel);
        if p.exists() {
            return p;
        }
    }
    panic!("shared/{rel} not found beside the repository or at /work/shared");
}

/// The steering repository's `shared/` folder itself.
pub fn shared_dir() -> PathBuf {
    shared("design").parent().unwrap().to_path_buf()
}

/// The built `dsinstall` binary (integration tests only).
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dsinstall"))
}

/// A current cluster (v1.31, Calico v3.28.2) with the seed's node addresses and kind's pools
/// (node masks default to /24 and /64): no problems but the missing-manifest and Calico
/// tested-range warnings.
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
