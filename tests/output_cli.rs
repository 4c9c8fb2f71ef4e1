//! Every command's stdout when nobody reads it (a closed pipe, as after `| head -1`) or it
//! cannot be written (`> /dev/full`): no panic; a closed pipe ends quietly with 141, any
//! other failure is one line on stderr and exit 1.

mod common;

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};

/// The write end of a pipe whose read end is already closed: the first write gets EPIPE
/// (Rust programs ignore SIGPIPE, so it is an error, not a signal).
fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: pipe(2) fills two descriptors we then own.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both are ours; the read end is closed at once.
    unsafe {
        libc::close(fds[0]);
        Stdio::from(OwnedFd::from_raw_fd(fds[1]))
    }
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

struct Ran {
    code: Option<i32>,
    stderr: String,
}

fn run(args: &[&str], stdout: Stdio) -> Ran {
    let out = Command::new(common::bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .output()
        .expect("dsinstall runs");
    Ran {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

fn seed() -> String {
    common::fixture("answers/seed-v1.19.yaml")
        .to_string_lossy()
        .into_owned()
}

fn assert_quiet_close(args: &[&str]) {
    let r = run(args, closed_pipe());
    assert_eq!(r.code, Some(141), "{args:?}: {}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
    assert!(
        !r.stderr.contains("stdout"),
        "{args:?}: a closed pipe is not reported: {}",
        r.stderr
    );
}

fn assert_one_line_on_full_disk(args: &[&str]) {
    let r = run(args, dev_full());
    assert_eq!(r.code, Some(1), "{args:?}: {}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().filter(|l| l.contains("stdout")).collect();
    assert_eq!(
        lines,
        ["dsinstall: cannot write to stdout: No space left on device (os error 28)"],
        "{args:?}: {}",
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
}

#[test]
fn detect_into_a_closed_pipe_ends_quietly() {
    assert_quiet_close(&["detect"]);
    assert_quiet_close(&["detect", "--json"]);
}

#[test]
fn detect_onto_a_full_disk_says_so_in_one_line() {
    assert_one_line_on_full_disk(&["detect"]);
    assert_one_line_on_full_disk(&["detect", "--json"]);
}

#[test]
fn plan_into_a_closed_pipe_or_a_full_disk() {
    let seed = seed();
    assert_quiet_close(&["plan", "--answers", &seed]);
    assert_one_line_on_full_disk(&["plan", "--answers", &seed]);
}

#[test]
fn render_into_a_closed_pipe_still_writes_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = common::fixture("calico/calico-v3.15.3.yaml");
    let answers = dir.path().join("answers.yaml");
    let mut a = dsinstall::answers::Answers::load(std::path::Path::new(&seed())).unwrap();
    a.calico.manifest = Some(manifest.to_string_lossy().into_owned());
    a.save(&answers, false).unwrap();
    let out = dir.path().join("files");
    let args = [
        "render",
        "--answers",
        answers.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    assert_quiet_close(&args);
    assert!(out.join("kubeadm-config.yaml").exists());
    std::fs::remove_dir_all(&out).unwrap();
    assert_one_line_on_full_disk(&args);
}

#[test]
fn export_and_help_into_a_closed_pipe_or_a_full_disk() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.yaml");
    let f = f.to_str().unwrap();
    assert_quiet_close(&["export", "--out", f]);
    assert_one_line_on_full_disk(&["export", "--out", f]);
    let r = run(&["--help"], closed_pipe());
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert_one_line_on_full_disk(&["--help"]);
}

/// The shell pipelines themselves, where a shell is at hand.
#[test]
fn real_pipelines_do_not_panic() {
    let seed = seed();
    let bin = common::bin();
    for cmd in [
        format!("{} detect | head -1", bin.display()),
        format!("{} plan --answers {seed} | true", bin.display()),
    ] {
        let out = Command::new("sh").arg("-c").arg(&cmd).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{cmd}: {err}");
        assert!(err.is_empty(), "{cmd}: {err}");
    }
}

/// Escape sequences in answers values never reach the terminal from `plan` or `render`,
/// whether the value lands in the report, a problem, or a load error.
#[test]
fn escape_sequences_in_answers_are_printed_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::fs::read_to_string(seed()).unwrap();
    let hostile = [
        seed.replace("name: node01", "name: \"n\\e]0;pwned\\a1\""),
        seed.replace(
            "ipv6AutodetectionMethod: interface=ens224",
            "ipv6AutodetectionMethod: \"interface=ens\\e[2J224\"",
        ),
        seed.replace("ipv6: 2018::21", "ipv6: \"2018::21\\e[2J\""),
        format!("{seed}\n\"extra\\e[31m\": 1\n"),
        "apiVersion: \"x\\e]0;t\\a\"\n".to_string(),
    ];
    for (i, text) in hostile.iter().enumerate() {
        assert!(!text.contains('\x1b'), "the file spells ESC as \\e");
        let f = dir.path().join(format!("a{i}.yaml"));
        std::fs::write(&f, text).unwrap();
        for cmd in [&["plan", "--answers"][..], &["render", "--answers"][..]] {
            let mut c = Command::new(common::bin());
            c.args(cmd).arg(&f);
            if cmd[0] == "render" {
                c.arg("--out").arg(dir.path().join(format!("out{i}")));
            }
            let out = c.output().unwrap();
            let all = [out.stdout, out.stderr].concat();
            let said = String::from_utf8_lossy(&all);
            assert!(
                !all.iter().any(|b| *b == 0x1b || *b == 0x07),
                "{cmd:?} {i}: raw control bytes in {said:?}"
            );
            assert!(
                said.contains("1b"),
                "{cmd:?} {i}: the escape is shown as text: {said}"
            );
        }
    }
}
