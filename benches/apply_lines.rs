//! A step's child printing a flood of lines (kubeadm `--v=9` is that chatty) through the
//! runner's context into the journal and the log, with a client following the journal:
//! lines per second next to `cat` of the same output into a file (goal: at least half of
//! it), the runner's and the client's peak RSS at a tenth and at the whole of the lines
//! (goal: flat), and the client's CPU time while following.
//!
//! `cargo bench --bench apply_lines`: 1M lines. `cargo test --all-targets` runs it once with
//! 20k lines as a smoke test. The runner and the client are separate processes (this binary
//! again, with DSINSTALL_BENCH_ROLE set), as they are in a real run.

use dsinstall::io::child::Command;
use dsinstall::run::cx::{RunCx, Sink};
use dsinstall::run::event::{Event, RunState};
use dsinstall::run::journal::Follower;
use dsinstall::run::lock::RunLock;
use dsinstall::run::redact::Redactor;
use dsinstall::run::runner::JournalSink;
use dsinstall::run::step::StepCx;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

const TOKEN: &str = "abcdef.0123456789abcdef";

fn lines() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        1_000_000
    } else {
        20_000
    }
}

/// Peak resident set of this process, from /proc/self/status (VmHWM), in KiB.
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// User + system CPU of this process, in ms.
fn cpu_ms() -> u64 {
    // SAFETY: rusage is plain data; getrusage fills it.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let ms = |t: libc::timeval| t.tv_sec as u64 * 1000 + t.tv_usec as u64 / 1000;
    ms(u.ru_utime) + ms(u.ru_stime)
}

/// klog lines as kubeadm `--v=9` prints them, about 150 bytes each; one in 10,000 holds the
/// token, so redaction has work to do.
fn write_input(path: &Path, n: usize) {
    let mut s = String::with_capacity(n * 160);
    for i in 0..n {
        if i % 10_000 == 0 {
            s.push_str(&format!("[bootstrap-token] Using token: {TOKEN}\n"));
        } else {
            s.push_str(&format!(
                "I1202 06:35:29.{:06}   12345 round_trippers.go:443] GET https://111.111.111.121:6443/api/v1/nodes/node01?timeout=10s 200 OK in {} milliseconds\n",
                i % 1_000_000,
                i % 97
            ));
        }
    }
    std::fs::write(path, s).unwrap();
}

fn runner_role(input: &Path, state: &Path) {
    let _lock = RunLock::try_take(state).unwrap().expect("the lock");
    let mut sink =
        JournalSink::open(&state.join("journal.jsonl"), &state.join("apply.log")).unwrap();
    sink.event(Event::RunStarted {
        run: "bench".into(),
        time: dsinstall::clock::now(),
        answers: "-".into(),
        log: "-".into(),
        steps: vec!["kubeadm.init".into()],
        pid: std::process::id(),
        dry_run: false,
    });
    let mut redactor = Redactor::new(&[TOKEN]);
    let t0 = Instant::now();
    {
        let mut cx = RunCx {
            root: PathBuf::from("/"),
            rendered: state.to_path_buf(),
            step: "kubeadm.init".into(),
            sink: &mut sink,
            redactor: &mut redactor,
            deadline: Instant::now() + Duration::from_secs(3600),
            cancel: Arc::new(AtomicBool::new(false)),
            backups: None,
            dry_run: false,
            consented: true,
            track: None,
        };
        let fin = cx
            .run(
                Command::new("cat")
                    .arg(input)
                    .timeout(Duration::from_secs(3600)),
            )
            .unwrap();
        assert!(fin.success());
    }
    let elapsed = t0.elapsed();
    sink.event(Event::RunEnded {
        state: RunState::Done,
        time: dsinstall::clock::now(),
    });
    println!("{} {}", elapsed.as_micros(), peak_kib());
}

fn client_role(state: &Path) {
    let mut f = Follower::new(&state.join("journal.jsonl"));
    let mut shown = 0u64;
    loop {
        let events = f.poll(1 << 20).unwrap();
        if events.is_empty() {
            std::thread::sleep(Duration::from_millis(50));
            continue;
        }
        for e in &events {
            match e {
                Event::Line { text, .. } => {
                    assert!(!text.contains(TOKEN), "a secret reached the journal");
                    shown += text.len() as u64;
                }
                Event::RunEnded { .. } => {
                    println!("{} {} {}", cpu_ms(), peak_kib(), shown);
                    return;
                }
                _ => {}
            }
        }
    }
}

struct Measured {
    runner_us: u128,
    runner_kib: u64,
    client_cpu_ms: u64,
    client_kib: u64,
}

fn measure(input: &Path) -> Measured {
    let state = tempfile::tempdir().unwrap();
    let me = std::env::current_exe().unwrap();
    let client = std::process::Command::new(&me)
        .env("DSINSTALL_BENCH_ROLE", "client")
        .env("DSINSTALL_BENCH_STATE", state.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let runner = std::process::Command::new(&me)
        .env("DSINSTALL_BENCH_ROLE", "runner")
        .env("DSINSTALL_BENCH_STATE", state.path())
        .env("DSINSTALL_BENCH_INPUT", input)
        .output()
        .unwrap();
    assert!(runner.status.success(), "{runner:?}");
    let client = client.wait_with_output().unwrap();
    assert!(client.status.success(), "{client:?}");
    let r: Vec<u128> = String::from_utf8_lossy(&runner.stdout)
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let c: Vec<u64> = String::from_utf8_lossy(&client.stdout)
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let log = std::fs::read_to_string(state.path().join("apply.log")).unwrap();
    assert!(!log.contains(TOKEN), "a secret reached the log");
    Measured {
        runner_us: r[0],
        runner_kib: r[1] as u64,
        client_cpu_ms: c[0],
        client_kib: c[1],
    }
}

fn main() {
    let state = std::env::var_os("DSINSTALL_BENCH_STATE").map(PathBuf::from);
    match std::env::var("DSINSTALL_BENCH_ROLE").as_deref() {
        Ok("runner") => {
            let input = PathBuf::from(std::env::var_os("DSINSTALL_BENCH_INPUT").unwrap());
            return runner_role(&input, &state.unwrap());
        }
        Ok("client") => return client_role(&state.unwrap()),
        _ => {}
    }
    let n = lines();
    let dir = tempfile::tempdir().unwrap();
    let (small, big) = (dir.path().join("small.txt"), dir.path().join("big.txt"));
    write_input(&small, n / 10);
    write_input(&big, n);
    let bytes = std::fs::metadata(&big).unwrap().len();
    // The floor: cat of the same output into a file.
    let out = std::fs::File::create(dir.path().join("cat.out")).unwrap();
    let t0 = Instant::now();
    let st = std::process::Command::new("cat")
        .arg(&big)
        .stdout(out)
        .status()
        .unwrap();
    assert!(st.success());
    let cat = t0.elapsed();
    let tenth = measure(&small);
    let whole = measure(&big);
    let rate = |us: u128, n: usize| n as f64 / (us as f64 / 1e6);
    let cat_rate = rate(cat.as_micros().max(1), n);
    let run_rate = rate(whole.runner_us.max(1), n);
    println!(
        "apply_lines: {n} lines ({:.1} MB) of a step's child through the runner into journal + log, one client following",
        bytes as f64 / 1e6
    );
    println!("  cat > file             {:>12.0} lines/s", cat_rate);
    println!(
        "  runner                 {:>12.0} lines/s  ({:.0}% of cat; goal >= 50%)",
        run_rate,
        run_rate / cat_rate * 100.0
    );
    println!(
        "  runner peak RSS        {:>8} KiB at {} lines, {:>8} KiB at {} lines (goal: flat)",
        tenth.runner_kib,
        n / 10,
        whole.runner_kib,
        n
    );
    println!(
        "  client peak RSS        {:>8} KiB at {} lines, {:>8} KiB at {} lines (goal: flat)",
        tenth.client_kib,
        n / 10,
        whole.client_kib,
        n
    );
    println!(
        "  client CPU following   {:>8} ms for {} lines ({:.1}% of the runner's wall time)",
        whole.client_cpu_ms,
        n,
        whole.client_cpu_ms as f64 * 1000.0 / whole.runner_us.max(1) as f64 * 100.0
    );
}
