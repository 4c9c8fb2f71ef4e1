//! Detection time with 500 interfaces, next to `ip -d addr` on the same namespace.
//! `cargo bench --bench detect_500`; needs root (network namespaces), else it says so and
//! exits 0.

#[path = "../tests/detect_support/mod.rs"]
mod detect_support;

use detect_support::{Netns, bin, build_many};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs per figure under `cargo bench`; `cargo test --all-targets` runs this once as a smoke
/// test (no `--bench` argument).
fn runs() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        15
    } else {
        1
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Median wall time of `ip netns exec NS program args...` over RUNS runs.
fn time(ns: &Netns, path_env: Option<&str>, program: &str, args: &[&str]) -> Duration {
    let mut v = Vec::new();
    for _ in 0..runs() {
        // The absolute path: PATH may be emptied for the child.
        let mut c = Command::new(which::which("ip").expect("ip on PATH"));
        c.args(["netns", "exec", &ns.name, program]).args(args);
        if let Some(p) = path_env {
            c.env("PATH", p);
        }
        let start = Instant::now();
        let out = c.output().expect("run");
        v.push(start.elapsed());
        assert!(out.status.success(), "{program} {args:?}: {out:?}");
    }
    median(v)
}

/// Peak resident memory (KiB) of one `ip netns exec NS program args...`: `ip` execs the
/// program in place, so the waited-for process is the program itself. The kernel folds in
/// the program's own children (tool version commands: kubectl alone is ~45 MB), so
/// dsinstall is measured with an empty PATH.
// The child is reaped by wait4 below, which std's Child cannot see.
#[allow(clippy::zombie_processes)]
fn peak_rss_kib(ns: &Netns, program: &str, args: &[&str]) -> i64 {
    let child = Command::new(which::which("ip").expect("ip on PATH"))
        .args(["netns", "exec", &ns.name, program])
        .args(args)
        .env("PATH", "")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("run");
    let mut status = 0;
    // SAFETY: rusage is plain data, and the pid is our own child, waited for once here.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4");
    usage.ru_maxrss
}

fn main() {
    // `cargo bench` passes --bench; nothing else is taken.
    let Some(ns) = Netns::new("bench") else {
        println!("detect_500: skipped (needs root and `ip netns`)");
        return;
    };
    build_many(&ns, true);
    let f = ns.detect();
    let addrs: usize = f.interfaces.iter().map(|i| i.addresses.len()).sum();
    let me = bin();
    let me = me.to_str().expect("utf-8 path");
    let ip = which::which("ip").expect("ip on PATH");
    let ip = ip.to_str().expect("utf-8 path");

    let detect_json = time(&ns, None, me, &["detect", "--json"]);
    let detect_no_tools = time(&ns, Some("/nonexistent"), me, &["detect", "--json"]);
    let ip_d_addr = time(&ns, None, ip, &["-d", "addr"]);
    let ip_exec_only = time(&ns, None, "/bin/true", &[]);

    println!(
        "detect_500: {} interfaces, {addrs} addresses; median of {} runs, each through `ip netns exec`",
        f.interfaces.len(),
        runs()
    );
    println!("  dsinstall detect --json            {detect_json:>10.2?}");
    println!(
        "  dsinstall detect --json (no PATH)  {detect_no_tools:>10.2?}  (no tool version commands)"
    );
    println!("  ip -d addr                         {ip_d_addr:>10.2?}");
    println!("  ip netns exec /bin/true            {ip_exec_only:>10.2?}  (the exec itself)");
    let rss = peak_rss_kib(&ns, me, &["detect", "--json"]);
    let ip_rss = peak_rss_kib(&ns, ip, &["-d", "addr"]);
    println!("  peak memory: dsinstall detect --json (no PATH) {rss} KiB, ip -d addr {ip_rss} KiB");
}
