//! `dsinstall plan` as a user runs it: the report's problems, errors first.

mod common;

use std::process::Command;

#[test]
fn plan_lists_errors_before_warnings_and_counts_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut a =
        dsinstall::answers::Answers::load(&common::fixture("answers/seed-v1.19.yaml")).unwrap();
    // One error (a bad node name) among the seed's warnings.
    a.node.name = "Node_01".into();
    let f = dir.path().join("a.yaml");
    a.save(&f, false).unwrap();
    let out = Command::new(common::bin())
        .args(["plan", "--answers"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    let problems: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Problems:"))
        .collect();
    assert!(
        problems[0].starts_with("Problems: 1 error, ") && problems[0].ends_with(" warnings"),
        "{}",
        problems[0]
    );
    assert!(problems[1].starts_with("  error: node.name"), "{text}");
    assert!(
        problems[2..].iter().all(|l| l.starts_with("  warning:")),
        "{text}"
    );
}
