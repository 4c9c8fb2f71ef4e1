//! The text report: grouped like the guide's verification section, each check with what
//! it saw (the guide's "expected output" lines) and, on FAIL/WARN, the cause and the fix.
//! Plain text only, so NO_COLOR and a pipe need nothing special.

use super::report::{CheckResult, CheckStatus, Report};

const GROUPS: &[(&str, &str)] = &[
    ("node.", "Nodes"),
    ("calico.", "Calico"),
    ("pod.", "Pods"),
    ("svc.", "Services"),
    ("dns.", "DNS"),
    ("host.", "This host"),
    ("openstack.", "OpenStack-Helm readiness"),
];

pub fn tag(s: CheckStatus) -> &'static str {
    match s {
        CheckStatus::Pass => "PASS",
        CheckStatus::Fail => "FAIL",
        CheckStatus::Warn => "WARN",
        CheckStatus::Skip => "SKIP",
    }
}

/// One result as a line (and its evidence and hint below it).
pub fn result(r: &CheckResult) -> String {
    let mut s = format!(
        "  [{}] {:<28} {:>6}\n",
        tag(r.status),
        r.name(),
        format!("{:.1}s", r.duration_ms as f64 / 1000.0)
    );
    for part in r.evidence.split("; ").filter(|p| !p.is_empty()) {
        s.push_str(&format!("         # {part}\n"));
    }
    if let Some(h) = &r.hint {
        s.push_str(&format!("         cause and fix: {h}\n"));
    }
    s
}

pub fn report(rep: &Report, header: &str, wall_ms: u128) -> String {
    let mut out = format!("{header}\n");
    let mut shown = vec![false; rep.checks.len()];
    for (prefix, title) in GROUPS {
        let idx: Vec<usize> = (0..rep.checks.len())
            .filter(|i| rep.checks[*i].id.starts_with(prefix))
            .collect();
        if idx.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title}\n"));
        for i in idx {
            shown[i] = true;
            out.push_str(&result(&rep.checks[i]));
        }
    }
    let rest: Vec<usize> = (0..rep.checks.len()).filter(|i| !shown[*i]).collect();
    if !rest.is_empty() {
        out.push_str("\nOther\n");
        for i in rest {
            out.push_str(&result(&rep.checks[i]));
        }
    }
    let total = rep.checks.len();
    out.push_str(&format!(
        "\n{} passed, {} failed, {} warned, {} skipped in {:.1}s\n",
        rep.passed,
        rep.failed,
        rep.warned,
        rep.skipped,
        wall_ms as f64 / 1000.0
    ));
    if rep.ok() {
        out.push_str(&format!("All {total} checks successful\n"));
    }
    out
}
