//! Writing files where another local user can plant things, under a careless umask, on a
//! full disk, and with renders killed or run at once: nothing outside the target is
//! touched, no secret is readable by another user, and a render's files always agree.

mod common;
mod render_support;
mod root_support;

use common::bin;
use root_support::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().mode() & 0o7777
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The guide's answers (manifest mode, three nodes) in `dir`, with the manifest beside them.
fn seed_answers(dir: &Path) -> PathBuf {
    let a = render_support::fixture("seed-v1.19.yaml");
    let p = dir.join("answers.yaml");
    std::fs::write(&p, a.to_yaml()).unwrap();
    p
}

/// The modern operator-mode answers: small files, for a tiny file system.
fn operator_answers(dir: &Path) -> PathBuf {
    let p = dir.join("operator.yaml");
    std::fs::copy(
        common::fixture("answers/modern-v1.31-ipv6-primary.yaml"),
        &p,
    )
    .unwrap();
    p
}

fn render(answers: &Path, out: &Path) -> Output {
    Command::new(bin())
        .args(["render", "--answers"])
        .arg(answers)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// Every bootstrap token in the files of `dir` that hold one.
fn tokens(dir: &Path) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for n in names(dir) {
        if !dsinstall::render::holds_secret(&n) {
            continue;
        }
        let text = std::fs::read_to_string(dir.join(&n)).unwrap();
        for w in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')) {
            if dsinstall::render::is_bootstrap_token(w) && !all.iter().any(|t| t == w) {
                all.push(w.to_string());
            }
        }
    }
    all
}

fn staging_left(dir: &Path) -> Vec<String> {
    names(dir)
        .into_iter()
        .filter(|n| n.starts_with(".dsinstall-"))
        .collect()
}

/// `dsinstall export` as root, as the first process of a fresh PID namespace: it is pid 1
/// there, so the temporary name earlier versions used (`.<name>.tmp-<pid>`) is known in
/// advance to whoever wants to plant something at it.
fn export_as_pid_1(out: &Path) -> Output {
    Command::new("unshare")
        .args(["--pid", "--fork", "--"])
        .arg(bin())
        .args(["export", "--out"])
        .arg(out)
        .output()
        .expect("unshare runs (util-linux)")
}

/// A shared directory like /tmp: world-writable, sticky.
fn shared_dir(base: &Path) -> PathBuf {
    std::fs::set_permissions(base, std::fs::Permissions::from_mode(0o755)).unwrap();
    let d = base.join("shared");
    std::fs::create_dir(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o1777)).unwrap();
    d
}

#[test]
fn export_never_follows_a_link_planted_at_its_temporary_name() {
    if !root_or_skip("export_never_follows_a_link_planted_at_its_temporary_name") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let shared = shared_dir(tmp.path());
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    let planted = shared.join(".x.yaml.tmp-1");
    as_nobody_ok(&[
        "ln",
        "-s",
        victim.to_str().unwrap(),
        planted.to_str().unwrap(),
    ]);
    let out = shared.join("x.yaml");
    let run = export_as_pid_1(&out);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let m = std::fs::symlink_metadata(&out).unwrap();
    assert!(m.file_type().is_file(), "x.yaml is a regular file");
    assert_eq!((m.uid(), m.mode() & 0o7777), (0, 0o644));
}

#[test]
fn export_never_adopts_a_file_planted_at_its_temporary_name() {
    if !root_or_skip("export_never_adopts_a_file_planted_at_its_temporary_name") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let shared = shared_dir(tmp.path());
    let planted = shared.join(".x.yaml.tmp-1");
    let p = planted.to_str().unwrap();
    as_nobody_ok(&["sh", "-c", &format!("umask 0; : > {p}")]);
    let out = shared.join("x.yaml");
    let run = export_as_pid_1(&out);
    assert!(run.status.success(), "{}", stderr(&run));
    // Root's answers file is root's, and nobody else may change it before `apply` reads it.
    let m = std::fs::symlink_metadata(&out).unwrap();
    assert_eq!((m.uid(), m.mode() & 0o7777), (0, 0o644));
    let o = as_nobody(&["sh", "-c", &format!("echo evil >> {}", out.display())]);
    assert!(!o.status.success());
}

#[test]
fn export_refuses_what_is_not_a_regular_file_and_prints_with_dash() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let real = d.join("real.yaml");
    std::fs::write(&real, "mine\n").unwrap();
    std::os::unix::fs::symlink(&real, d.join("link.yaml")).unwrap();
    std::os::unix::fs::symlink("/proc/self/fd/1", d.join("stdout")).unwrap();
    let fifo = d.join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut targets = vec![
        (d.join("link.yaml"), "a symbolic link"),
        (d.join("stdout"), "a symbolic link"),
        (fifo, "a FIFO"),
    ];
    if is_root() {
        // A device node like /dev/null, made here so that a failure harms no real one.
        let null = d.join("null");
        let made = Command::new("mknod")
            .arg(&null)
            .args(["c", "1", "3"])
            .status()
            .unwrap();
        assert!(made.success());
        targets.push((null, "a character device"));
    }
    for (t, kind) in &targets {
        let run = Command::new(bin())
            .args(["export", "--out"])
            .arg(t)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(1), "{}", t.display());
        let e = stderr(&run);
        assert_eq!(
            e,
            format!(
                "dsinstall: cannot write {}: is {kind}; dsinstall only replaces a regular file (--out - prints the answers)\n",
                t.display()
            )
        );
        assert!(!std::fs::symlink_metadata(t).unwrap().file_type().is_file());
    }
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "mine\n");
    assert!(staging_left(d).is_empty());
    assert!(names(d).iter().all(|n| !n.contains("dsinstall")));

    let run = Command::new(bin())
        .args(["export", "--out", "-"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let text = String::from_utf8(run.stdout).unwrap();
    dsinstall::answers::Answers::from_yaml(&text, "stdout").unwrap();
    assert!(!d.join("-").exists());
}

#[test]
fn under_umask_000_no_secret_is_readable_by_another_user() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = seed_answers(tmp.path());
    let out = tmp.path().join("out");
    let run = Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" render --answers \"$1\" --out \"$2\"")
        .arg(bin())
        .arg(&answers)
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(mode(&out), 0o700, "--out holds the token");
    for n in names(&out) {
        let want = if dsinstall::render::holds_secret(&n) {
            0o600
        } else {
            0o644
        };
        assert_eq!(mode(&out.join(&n)), want, "{n}");
    }
    let exported = tmp.path().join("exported.yaml");
    let run = Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" export --out \"$1\"")
        .arg(bin())
        .arg(&exported)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(mode(&exported), 0o644);
    if is_root() {
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let cfg = out.join("kubeadm-config.yaml");
        let o = as_nobody(&["cat", cfg.to_str().unwrap()]);
        assert!(!o.status.success(), "nobody read the token");
    }
}

#[test]
fn a_directory_in_the_way_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = seed_answers(tmp.path());
    let out = tmp.path().join("out");
    assert!(render(&answers, &out).status.success());
    let before = tokens(&out);
    std::fs::remove_file(out.join("plan.txt")).unwrap();
    std::fs::create_dir(out.join("plan.txt")).unwrap();
    let run = render(&answers, &out);
    assert_eq!(run.status.code(), Some(1));
    let e = stderr(&run);
    assert!(
        e.contains("plan.txt is a directory; dsinstall only replaces a regular file; nothing in it was changed"),
        "{e}"
    );
    assert!(!e.contains("nothing written"), "{e}");
    assert_eq!(tokens(&out), before, "the files still agree, as before");
    assert!(staging_left(&out).is_empty());
}

#[test]
fn render_refuses_to_overwrite_the_manifest_it_patches() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let upstream = common::fixture("calico/calico-v3.15.3.yaml");
    std::fs::copy(&upstream, d.join("calico.yaml")).unwrap();
    let mut a = render_support::fixture("seed-v1.19.yaml");
    a.calico.manifest = Some("./calico.yaml".into());
    let answers = d.join("answers.yaml");
    std::fs::write(&answers, a.to_yaml()).unwrap();
    let run = render(&answers, d);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert_eq!(
        stderr(&run).lines().last().unwrap(),
        format!(
            "dsinstall: render: {} is the upstream manifest (calico.manifest); writing there would replace an input of the render: choose another --out",
            d.join("calico.yaml").display()
        )
    );
    assert_eq!(
        std::fs::read(d.join("calico.yaml")).unwrap(),
        std::fs::read(&upstream).unwrap()
    );
    assert!(!d.join("kubeadm-config.yaml").exists());
}

#[test]
fn staging_left_by_a_killed_render_is_removed_by_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = seed_answers(tmp.path());
    let out = tmp.path().join("out");
    // What an earlier version leaves after kill -9: its staging directory, live token inside.
    let legacy = out.join(".dsinstall-render-4242");
    std::fs::create_dir_all(&legacy).unwrap();
    std::fs::write(
        legacy.join("kubeadm-config.yaml"),
        "token: abcdef.0123456789abcdeg\n",
    )
    .unwrap();
    // And renders killed at any moment.
    for i in 0..20u64 {
        let mut child = Command::new(bin())
            .args(["render", "--answers"])
            .arg(&answers)
            .arg("--out")
            .arg(&out)
            .stderr(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(i * 3));
        let _ = child.kill();
        let _ = child.wait();
    }
    let run = render(&answers, &out);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(".dsinstall-render-4242, left by a render that was interrupted"),
        "{}",
        stderr(&run)
    );
    assert!(staging_left(&out).is_empty(), "{:?}", names(&out));
    assert_eq!(tokens(&out).len(), 1, "{:?}", tokens(&out));
}

#[test]
fn concurrent_renders_never_mix_tokens() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = seed_answers(tmp.path());
    let out = tmp.path().join("out");
    // Renames of different renders interleave rarely: enough rounds that mixing would show.
    for _round in 0..8 {
        let children: Vec<_> = (0..6)
            .map(|_| {
                Command::new(bin())
                    .args(["render", "--answers"])
                    .arg(&answers)
                    .arg("--out")
                    .arg(&out)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(o.status.success(), "{}", stderr(&o));
        }
        assert_eq!(tokens(&out).len(), 1, "{:?}", tokens(&out));
        assert!(staging_left(&out).is_empty());
    }
}

#[test]
fn a_full_disk_leaves_the_earlier_render_whole() {
    if !root_or_skip("a_full_disk_leaves_the_earlier_render_whole") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let answers = operator_answers(tmp.path());
    let mnt = tmp.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let _fs = Tmpfs::mount(&mnt, "256k");
    let out = mnt.join("out");
    let run = render(&answers, &out);
    assert!(run.status.success(), "{}", stderr(&run));
    let before = tokens(&out);
    let files_before = names(&out);
    // Fill the file system to the last block.
    let _ = Command::new("dd")
        .args(["if=/dev/zero", "bs=4k", "count=1000"])
        .arg(format!("of={}", mnt.join("filler").display()))
        .stderr(std::process::Stdio::null())
        .status();
    let run = render(&answers, &out);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let e = stderr(&run);
    assert!(e.contains("No space left on device"), "{e}");
    assert!(e.contains("nothing in it was changed"), "{e}");
    assert_eq!(names(&out), files_before);
    assert_eq!(tokens(&out), before);
}
