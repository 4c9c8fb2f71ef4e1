//! The checks' results (checks.md): the same whether the wizard shows them, `verify` prints
//! them, or `--json`/`--junit` write them. Field names are a public contract.

use crate::message::{Message, Part};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum CheckStatus {
    Pass,
    Fail,
    Warn,
    Skip,
}

/// One check's result for one family (or for none: `family` null).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    /// `node.internal-ips`, `svc.cluster-ip`, … (checks.md).
    pub id: String,
    /// `ipv4`, `ipv6`, or null for a check that does not apply per family.
    pub family: Option<String>,
    pub status: CheckStatus,
    pub duration_ms: u64,
    /// What the check saw: addresses, IPs, the HTTP status, the condition message.
    pub evidence: String,
    /// On FAIL/WARN: the likely cause and the fix. Null otherwise.
    pub hint: Option<String>,
    /// The hint's code and values (`verify::texts()`), for a front end in another language;
    /// absent in reports written before it existed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hint_code: Option<Box<Message>>,
    /// The evidence's code and values where the evidence is a fixed sentence ("no enabled
    /// IPv6 IPPool"), not data (addresses, kubectl's own words).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub evidence_code: Option<Box<Message>>,
    /// Where the evidence is several findings joined by "; ", each of them, coded where it
    /// is a fixed sentence (with `evidenceCode` too: they are its last value).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub evidence_parts: Vec<Part>,
}

impl CheckResult {
    /// `svc.cluster-ip/ipv6` — the name in JUnit and the text report.
    pub fn name(&self) -> String {
        match &self.family {
            Some(f) => format!("{}/{}", self.id, f),
            None => self.id.clone(),
        }
    }
}

/// The whole report: `{"checks": [...], "passed": N, "failed": N, "warned": N, "skipped": N}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Report {
    pub checks: Vec<CheckResult>,
    pub passed: usize,
    pub failed: usize,
    pub warned: usize,
    pub skipped: usize,
}

impl Report {
    pub fn new(checks: Vec<CheckResult>) -> Report {
        let count = |s| checks.iter().filter(|c| c.status == s).count();
        Report {
            passed: count(CheckStatus::Pass),
            failed: count(CheckStatus::Fail),
            warned: count(CheckStatus::Warn),
            skipped: count(CheckStatus::Skip),
            checks,
        }
    }

    /// verify's exit: WARN and SKIP pass.
    pub fn ok(&self) -> bool {
        self.failed == 0
    }
}
