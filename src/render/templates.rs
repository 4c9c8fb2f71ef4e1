//! The minijinja templates: embedded in the binary (it must run from one file on a node),
//! each overridable by a file of the same name in `--templates DIR`.

use std::collections::BTreeMap;
use std::path::Path;

/// Template name → source. Names are the file names under `templates/`.
#[derive(Debug, Clone)]
pub struct Templates {
    sources: BTreeMap<&'static str, String>,
}

/// Every template the renderer uses, embedded at build time.
const EMBEDDED: &[(&str, &str)] = &[
    (
        KUBEADM_CONFIG,
        include_str!("../../templates/kubeadm-config.yaml.j2"),
    ),
    (JOIN, include_str!("../../templates/join.yaml.j2")),
    (
        SYSCTL,
        include_str!("../../templates/sysctl-kubernetes.conf.j2"),
    ),
    (
        MODULES,
        include_str!("../../templates/modules-kubernetes.conf.j2"),
    ),
    (
        VERIFY_WORKLOAD,
        include_str!("../../templates/verify-workload.yaml.j2"),
    ),
];

/// The largest template read from `--templates`: the embedded ones are a few KiB.
pub const MAX_TEMPLATE: u64 = 1 << 20;

pub const KUBEADM_CONFIG: &str = "kubeadm-config.yaml.j2";
pub const JOIN: &str = "join.yaml.j2";
pub const SYSCTL: &str = "sysctl-kubernetes.conf.j2";
pub const VERIFY_WORKLOAD: &str = "verify-workload.yaml.j2";
pub const MODULES: &str = "modules-kubernetes.conf.j2";

impl Templates {
    pub fn embedded() -> Templates {
        Templates {
            sources: EMBEDDED.iter().map(|(n, s)| (*n, s.to_string())).collect(),
        }
    }

    /// The embedded set, with any template found in `dir` replacing its namesake. A file in
    /// `dir` that names no template is an error: it is almost certainly a typo.
    pub fn load(dir: &Path) -> Result<Templates, String> {
        let mut t = Templates::embedded();
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            let name = entry.file_name().to_string_lossy().to_string();
            if !name.ends_with(".j2") {
                continue;
            }
            let Some(key) = EMBEDDED.iter().map(|(n, _)| *n).find(|n| *n == name) else {
                return Err(format!(
                    "{}: no template is named {name}; known: {}",
                    dir.display(),
                    EMBEDDED
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            let text = crate::io::read::read_text(&entry.path(), MAX_TEMPLATE)
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            t.sources.insert(key, text);
        }
        Ok(t)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.sources.get(name).map(String::as_str)
    }

    pub fn names(&self) -> impl Iterator<Item = &&'static str> {
        self.sources.keys()
    }
}
