//! The reports of a run's checks, beside its log: `apply-RUN.verify.json` and
//! `apply-RUN.junit.xml`, as `dsinstall verify --json` and `--junit` write them. The runner
//! writes them when its verify step ends; the wizard rewrites them after re-running checks.

use crate::verify::report::{CheckResult, Report};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reports {
    pub json: PathBuf,
    pub junit: PathBuf,
}

impl Reports {
    /// `apply-RUN.log` → `apply-RUN.verify.json`, `apply-RUN.junit.xml`.
    pub fn beside(log: &Path) -> Reports {
        Reports {
            json: log.with_extension("verify.json"),
            junit: log.with_extension("junit.xml"),
        }
    }

    /// Write both reports of `checks` (0600, like the log beside them), in checks.md's
    /// order whatever order the results arrived in.
    pub fn write(&self, checks: &[CheckResult]) -> Result<(), String> {
        let mut sorted = checks.to_vec();
        sorted.sort_by_key(crate::verify::order_key);
        let rep = Report::new(sorted);
        let json = serde_json::to_string_pretty(&rep).map_err(|e| e.to_string())? + "\n";
        for (path, data) in [
            (&self.json, json),
            (&self.junit, crate::verify::junit::xml(&rep, None)),
        ] {
            crate::io::write::write_file(path, data.as_bytes(), crate::io::write::PRIVATE)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// The latest result of each check and family, as the events bring them.
pub fn keep_latest(checks: &mut Vec<CheckResult>, r: &CheckResult) {
    checks.retain(|c| !(c.id == r.id && c.family == r.family));
    checks.push(r.clone());
}
