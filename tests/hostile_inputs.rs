//! Inputs that never end, nest without end or loop without end, and tools that print
//! forever, hang, leave children, cannot run or fail: each is one clear error (or "not
//! usable" with the reason), quickly, with bounded memory and no process left behind.

mod common;
mod render_support;
mod root_support;

use common::bin;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Run, but never wait forever: an input that is read without end would otherwise hang the
/// test instead of failing it.
fn run_guarded(cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{cmd:?} did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn plan(answers: &Path) -> Output {
    run_guarded(Command::new(bin()).args(["plan", "--answers"]).arg(answers))
}

fn render(answers: &Path, out: &Path, templates: Option<&Path>) -> Output {
    let mut c = Command::new(bin());
    c.args(["render", "--answers"])
        .arg(answers)
        .arg("--out")
        .arg(out);
    if let Some(t) = templates {
        c.arg("--templates").arg(t);
    }
    run_guarded(&mut c)
}

fn answers_with_manifest(dir: &Path, manifest: &Path) -> PathBuf {
    let mut a = render_support::fixture("seed-v1.19.yaml");
    a.calico.manifest = Some(manifest.display().to_string());
    let p = dir.join("answers.yaml");
    std::fs::write(&p, a.to_yaml()).unwrap();
    p
}

fn sparse(p: &Path, len: u64) {
    std::fs::File::create(p).unwrap().set_len(len).unwrap();
}

#[test]
fn answers_that_are_not_a_regular_file_or_too_big_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let big = tmp.path().join("big.yaml");
    sparse(&big, 2 << 20);
    for (p, why) in [
        (
            Path::new("/dev/zero"),
            "is a character device, not a regular file",
        ),
        (fifo.as_path(), "is a FIFO, not a regular file"),
        (
            big.as_path(),
            "is larger than 1 MiB, the most dsinstall reads",
        ),
    ] {
        let o = plan(p);
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(
            stderr(&o),
            format!("dsinstall: {}: cannot read: {why}\n", p.display())
        );
    }
}

#[test]
fn manifests_and_templates_that_never_end_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = d.join("out");
    let big = d.join("big-calico.yaml");
    sparse(&big, (64 << 20) + 1);
    for (m, why) in [
        (
            PathBuf::from("/dev/zero"),
            "is a character device, not a regular file".to_string(),
        ),
        (
            big.clone(),
            "is larger than 64 MiB, the most dsinstall reads".into(),
        ),
    ] {
        let answers = answers_with_manifest(d, &m);
        let o = render(&answers, &out, None);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_eq!(
            stderr(&o).lines().last().unwrap(),
            format!("dsinstall: calico.manifest: {} {why}", m.display())
        );
    }
    let answers = answers_with_manifest(d, &common::fixture("calico/calico-v3.15.3.yaml"));
    let templates = d.join("templates");
    std::fs::create_dir(&templates).unwrap();
    let t = templates.join("kubeadm-config.yaml.j2");
    std::os::unix::fs::symlink("/dev/zero", &t).unwrap();
    let o = render(&answers, &out, Some(&templates));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).lines().last().unwrap(),
        format!(
            "dsinstall: --templates {}: is a character device, not a regular file",
            t.display()
        )
    );
    assert!(!out.exists());
}

#[test]
fn deeply_nested_yaml_is_refused_before_it_is_parsed() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let deep = d.join("deep.yaml");
    std::fs::write(
        &deep,
        format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .unwrap();
    let o = plan(&deep);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "dsinstall: {}: line 1: nested deeper than 100 levels, more than dsinstall reads\n",
            deep.display()
        )
    );
    let answers = answers_with_manifest(d, &deep);
    let o = render(&answers, &d.join("out"), None);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).lines().last().unwrap(),
        format!(
            "dsinstall: calico.manifest: {}: line 1: nested deeper than 100 levels, more than dsinstall reads",
            deep.display()
        )
    );
}

#[test]
fn runaway_templates_stop_with_one_error_naming_the_template() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let answers = answers_with_manifest(d, &common::fixture("calico/calico-v3.15.3.yaml"));
    let cases = [
        (
            "kubeadm-config.yaml.j2",
            "{% for i in range(20000) %}{% for j in range(20000) %}{% endfor %}{% endfor %}",
            "dsinstall: kubeadm-config.yaml: template kubeadm-config.yaml.j2: does more work than a template may (a loop too long?), so it was stopped",
        ),
        (
            "sysctl-kubernetes.conf.j2",
            "{% for i in range(2200) %}{{ 'x' * 4000 }}{% endfor %}",
            "dsinstall: sysctl-kubernetes.conf: template sysctl-kubernetes.conf.j2: writes more than 8 MiB, more than any file of an install",
        ),
    ];
    for (name, source, want) in cases {
        let templates = d.join(format!("t-{name}"));
        std::fs::create_dir(&templates).unwrap();
        std::fs::write(templates.join(name), source).unwrap();
        let out = d.join("out");
        let o = render(&answers, &out, Some(&templates));
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_eq!(stderr(&o).lines().last().unwrap(), want);
        assert!(!out.exists());
    }
}

/// `detect --json` with DSINSTALL_KUBEADM at a script; its `tools.kubeadm`.
fn detect_kubeadm(script: &Path, marker: &str) -> serde_json::Value {
    let o = run_guarded(
        Command::new(bin())
            .args(["detect", "--json"])
            .env("DSINSTALL_KUBEADM", script)
            .env("DSINSTALL_TEST_MARKER", marker),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["tools"]["kubeadm"].clone()
}

fn script(dir: &Path, name: &str, body: &str, mode: u32) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    p
}

/// Fails when a process carrying `marker` is still running; kills them either way.
fn assert_none_left(marker: &str) {
    let entry = format!("DSINSTALL_TEST_MARKER={marker}");
    let left = root_support::processes_with_env(&entry);
    for pid in &left {
        // SAFETY: kill has no memory preconditions.
        unsafe { libc::kill(*pid as i32, libc::SIGKILL) };
    }
    assert!(left.is_empty(), "left running: {left:?}");
}

#[test]
fn a_kubeadm_that_prints_forever_costs_only_the_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let k = script(tmp.path(), "kubeadm", "exec yes v1.28.0", 0o755);
    let marker = format!("yes-{}", std::process::id());
    let t = detect_kubeadm(&k, &marker);
    assert_eq!(t["version"], serde_json::Value::Null);
    assert_eq!(t["problem"], "`version -o short` printed more than 64 KiB");
    assert_none_left(&marker);
    // SAFETY: zeroed rusage is valid; getrusage fills it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer.
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) },
        0
    );
    // ru_maxrss is in KiB: the largest child of this test process, detect included.
    assert!(
        ru.ru_maxrss < 256 * 1024,
        "a child grew to {} KiB",
        ru.ru_maxrss
    );
}

#[test]
fn a_hung_kubeadm_leaves_no_process_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let k = script(tmp.path(), "kubeadm", "sleep 1000", 0o755);
    let marker = format!("hung-{}", std::process::id());
    let t = detect_kubeadm(&k, &marker);
    assert_eq!(t["version"], serde_json::Value::Null);
    assert_eq!(t["problem"], "`version -o short` did not finish within 3s");
    assert_none_left(&marker);
}

#[test]
fn a_kubeadm_whose_child_holds_the_pipe_still_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let k = script(tmp.path(), "kubeadm", "sleep 1000 &\necho v1.28.0", 0o755);
    let marker = format!("pipe-{}", std::process::id());
    let t = detect_kubeadm(&k, &marker);
    assert_eq!(t["version"], "v1.28.0");
    assert_eq!(t.get("problem"), None);
    assert_none_left(&marker);
}

#[test]
fn a_kubeadm_that_cannot_run_or_fails_is_not_usable() {
    let tmp = tempfile::tempdir().unwrap();
    let marker = format!("bad-{}", std::process::id());
    let plain = script(tmp.path(), "kubeadm-plain", "echo v1.28.0", 0o644);
    let t = detect_kubeadm(&plain, &marker);
    assert_eq!(t["path"], plain.display().to_string());
    assert_eq!(t["version"], serde_json::Value::Null);
    assert_eq!(t["problem"], "is not executable");

    let failing = script(tmp.path(), "kubeadm-fails", "echo v1.28.0; exit 1", 0o755);
    let t = detect_kubeadm(&failing, &marker);
    assert_eq!(t["version"], serde_json::Value::Null);
    assert_eq!(t["problem"], "`version -o short` exited with status 1");

    // The table and the warnings say so too.
    let o = run_guarded(
        Command::new(bin())
            .arg("detect")
            .env("DSINSTALL_KUBEADM", &plain),
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(&format!(
            "{} (not usable: is not executable)",
            plain.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "kubeadm at {} is not usable: is not executable",
            plain.display()
        )),
        "{text}"
    );
}
