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
