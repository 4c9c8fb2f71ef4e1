//! verify's JUnit file against the JUnit schema Jenkins reads (tests/fixtures/junit, with its
//! source): every status, an aborted run's error testcase, and text that needs escaping,
//! checked by libxml2's `xmllint --schema`. Skipped without xmllint (`apt install
//! libxml2-utils`), unless DSINSTALL_REQUIRE_XMLLINT=1.

mod common;

use dsinstall::verify::junit;
use dsinstall::verify::report::{CheckResult, CheckStatus, Report};
use std::process::Command;

fn result(id: &str, family: Option<&str>, status: CheckStatus, hint: Option<&str>) -> CheckResult {
    CheckResult {
        id: id.into(),
        family: family.map(String::from),
        status,
        duration_ms: 1234,
        evidence: format!("{id}: 111.111.111.121, 2018::21 <tag> & \"quotes\" \u{1b}[31m"),
        hint: hint.map(String::from),
        hint_code: None,
        evidence_code: None,
        evidence_parts: Vec::new(),
    }
}

fn valid(xml: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xml");
    std::fs::write(&file, xml).unwrap();
    let o = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(common::fixture("junit/jenkins-junit.xsd"))
        .arg(&file)
        .output()
        .unwrap();
    if o.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    }
}

#[test]
fn verify_junit_files_are_valid_against_the_jenkins_schema() {
    if Command::new("xmllint").arg("--version").output().is_err() {
        assert!(
            std::env::var("DSINSTALL_REQUIRE_XMLLINT").as_deref() != Ok("1"),
            "DSINSTALL_REQUIRE_XMLLINT=1 but xmllint is missing"
        );
        eprintln!("SKIPPED: xmllint is not installed");
        return;
    }
    let rep = Report::new(vec![
        result("node.ready", None, CheckStatus::Pass, None),
        result(
            "node.internal-ips",
            Some("ipv6"),
            CheckStatus::Fail,
            Some("Kubernetes v1.19's kubelet takes a single --node-ip"),
        ),
        result(
            "node.pod-cidrs",
            Some("ipv6"),
            CheckStatus::Warn,
            Some("Calico IPAM"),
        ),
        result("svc.node-port", Some("ipv6"), CheckStatus::Skip, None),
    ]);
    for aborted in [None, Some("the run stopped: interrupted <by> \"SIGTERM\"")] {
        let xml = junit::xml(&rep, aborted);
        if let Err(e) = valid(&xml) {
            panic!("{e}\n{xml}");
        }
    }
    // An empty run (aborted before any check) too.
    let xml = junit::xml(&Report::new(vec![]), Some("no cluster answered"));
    valid(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    // And the validator does refuse what the schema forbids.
    let bad = junit::xml(&rep, None).replace("<testcase ", "<testcase bogus=\"1\" ");
    assert!(
        valid(&bad).is_err(),
        "xmllint accepted an unknown attribute"
    );
}
