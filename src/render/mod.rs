//! Plan → the files an install uses (shared/design/cli.md, "What `render --out DIR` writes").
//!
//! Pure: templates and the upstream Calico manifest come in as text, the bootstrap token as a
//! value; reading them from disk is the caller's job (`Templates::load`, `load_manifest`).

pub mod calico;
pub mod templates;

use std::path::Path;

pub use templates::Templates;

/// One rendered file, named as the contract names it (`kubeadm-config.yaml`, `join-node02.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub name: String,
    pub contents: String,
}

/// What rendering needs besides the plan.
#[derive(Debug, Clone)]
pub struct RenderInputs {
    /// A kubeadm bootstrap token (`[a-z0-9]{6}.[a-z0-9]{16}`), fresh for each install.
    pub bootstrap_token: String,
    /// The upstream Calico manifest to patch (manifest install). None: `calico.yaml` cannot be
    /// rendered, which is an error in manifest mode.
    pub calico_manifest: Option<String>,
    /// Where `calico_manifest` came from, for messages.
    pub calico_manifest_source: Option<String>,
    /// The address plan text for `plan.txt`.
    pub plan_text: String,
}

/// Why rendering failed: the file it was producing and one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for RenderError {}

/// Every file of the contract for this plan, in a stable order.
pub fn render(
    _plan: &crate::plan::Plan,
    _templates: &Templates,
    _inputs: &RenderInputs,
) -> Result<Vec<RenderedFile>, RenderError> {
    Err(RenderError {
        file: "kubeadm-config.yaml".into(),
        message: "rendering is not built yet".into(),
    })
}

/// A fresh bootstrap token in kubeadm's format, from the OS's random source.
pub fn new_bootstrap_token() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; 22];
    let mut out = String::with_capacity(23);
    // Rejection sampling keeps every character equally likely (256 is not a multiple of 36).
    let mut i = 0;
    while i < 22 {
        getrandom::fill(&mut bytes).expect("the OS random source works");
        for b in bytes {
            if i == 22 {
                break;
            }
            if b < 252 {
                if i == 6 {
                    out.push('.');
                }
                out.push(ALPHABET[(b % 36) as usize] as char);
                i += 1;
            }
        }
    }
    out
}

/// Write every file into `dir` so that either all of them land or none do: they are written
/// into a fresh sibling directory which then replaces the files by rename.
pub fn write_dir(files: &[RenderedFile], dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let staging = dir.join(format!(".dsinstall-render-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir(&staging)?;
    let result = (|| {
        for f in files {
            crate::fsutil::write_atomic(&staging.join(&f.name), f.contents.as_bytes(), false)?;
        }
        for f in files {
            std::fs::rename(staging.join(&f.name), dir.join(&f.name))?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_has_kubeadm_format_and_is_fresh() {
        let a = new_bootstrap_token();
        let b = new_bootstrap_token();
        assert_ne!(a, b);
        assert_ne!(a, "abcdef.0123456789abcdef");
        let (id, secret) = a.split_once('.').unwrap();
        assert_eq!(id.len(), 6);
        assert_eq!(secret.len(), 16);
        assert!(
            a.bytes()
                .all(|c| c == b'.' || c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }
}
