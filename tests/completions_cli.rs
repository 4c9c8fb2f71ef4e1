//! `dsinstall completions SHELL` and `dsinstall man --out DIR` as a user runs them: what they
//! print, what they write, and one-line errors for a wrong shell or a missing directory.

mod common;

use std::process::Command;

fn run(args: &[&str]) -> std::process::Output {
    Command::new(common::bin())
        .args(args)
        .output()
        .expect("dsinstall runs")
}

#[test]
fn completions_print_a_script_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _dsinstall"),
        ("zsh", "#compdef dsinstall"),
        ("fish", "complete -c dsinstall"),
    ] {
        let out = run(&["completions", shell]);
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell} script lacks {marker:?}");
        assert!(out.stderr.is_empty());
    }
}

#[test]
fn bash_script_is_valid_bash() {
    let out = run(&["completions", "bash"]);
    let check = Command::new("bash")
        .args(["--norc", "-n", "-c"])
        .arg(String::from_utf8(out.stdout).unwrap())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn an_unknown_shell_is_refused_naming_the_choices() {
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("tcsh") && err.contains("bash, zsh, fish"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn man_writes_a_page_per_command_and_prints_each_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["man", "--out", dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let mut written: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    written.sort();
    let mut want: Vec<String> = ["completions", "detect", "export", "man", "plan", "render"]
        .iter()
        .map(|c| format!("dsinstall-{c}.1"))
        .collect();
    want.push("dsinstall.1".into());
    want.sort();
    // At least the commands of today; a new command brings its page.
    for page in &want {
        assert!(written.contains(page), "{page} not written: {written:?}");
    }
    assert_eq!(printed.len(), written.len());
    for path in &printed {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains(".TH "), "{path} is not a man page");
    }
}

#[test]
fn man_into_a_missing_directory_fails_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let out = run(&["man", "--out", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--out") && err.contains("nope"), "{err}");
    assert!(!missing.exists());
}
