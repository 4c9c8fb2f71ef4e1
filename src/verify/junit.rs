//! JUnit XML (the schema Jenkins and GitLab read): one testsuite, one testcase per check
//! and family; FAIL is a <failure>, SKIP a <skipped/>, WARN passes with its text in
//! <system-out>. An aborted run adds an <error> testcase naming why.

use super::report::{CheckStatus, Report};

fn esc(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

pub fn xml(rep: &Report, aborted: Option<&str>) -> String {
    let secs = |ms: u64| format!("{:.3}", ms as f64 / 1000.0);
    let total_ms: u64 = rep.checks.iter().map(|c| c.duration_ms).max().unwrap_or(0);
    let tests = rep.checks.len() + usize::from(aborted.is_some());
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!(
        "<testsuite name=\"dsinstall verify\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
        rep.failed,
        usize::from(aborted.is_some()),
        rep.skipped,
        secs(total_ms)
    ));
    for c in &rep.checks {
        s.push_str(&format!(
            "  <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
            esc(&c.id),
            esc(&c.name()),
            secs(c.duration_ms)
        ));
        let hint = c.hint.as_deref().unwrap_or("");
        match c.status {
            CheckStatus::Pass => s.push_str(&format!(
                ">\n    <system-out>{}</system-out>\n  </testcase>\n",
                esc(&c.evidence)
            )),
            CheckStatus::Warn => s.push_str(&format!(
                ">\n    <system-out>WARN: {}\n{}</system-out>\n  </testcase>\n",
                esc(&c.evidence),
                esc(hint)
            )),
            CheckStatus::Skip => s.push_str(&format!(
                // Jenkins' junit-4.xsd allows no attribute on <skipped>: the reason is its text.
                ">\n    <skipped>{}</skipped>\n  </testcase>\n",
                esc(&c.evidence)
            )),
            CheckStatus::Fail => s.push_str(&format!(
                ">\n    <failure message=\"{}\" type=\"FAIL\">{}\n{}</failure>\n  </testcase>\n",
                esc(&c.evidence),
                esc(&c.evidence),
                esc(hint)
            )),
        }
    }
    if let Some(why) = aborted {
        s.push_str(&format!(
            "  <testcase classname=\"verify\" name=\"verify\" time=\"0.000\">\n    <error message=\"{}\" type=\"aborted\"/>\n  </testcase>\n",
            esc(why)
        ));
    }
    s.push_str("</testsuite>\n");
    s
}
