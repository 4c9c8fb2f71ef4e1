//! Wizard latency in a real pty (not a timed test; prints figures):
//!  - launch → first frame: spawn `dsinstall --demo` until the Welcome screen is drawn;
//!  - keypress → redraw: `n`/`p` alternately until the tab strip shows the new screen;
//!  - key → Preview drawn: rendering every file (and patching calico.yaml) on the way.
//!
//! Run: `cargo bench --bench tui_latency` (optionally `-- LAUNCHES KEYS`).

#[path = "../tests/tui_support/mod.rs"]
mod tui_support;

use std::path::Path;
use std::time::{Duration, Instant};
use tui_support::pty::Pty;

fn wait(p: &Pty, text: &str) -> Duration {
    let start = Instant::now();
    while !p.screen().contains(text) {
        if start.elapsed() > Duration::from_secs(10) {
            panic!("{text:?} never appeared:\n{}", p.screen());
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    start.elapsed()
}

fn stats(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p95 = v[((v.len() as f64 * 0.95).ceil() as usize).saturating_sub(1)];
    println!(
        "{name:<22} n={:<4} median {:7.2} ms   p95 {:7.2} ms   min {:7.2} ms   max {:7.2} ms",
        v.len(),
        ms(v[v.len() / 2]),
        ms(p95),
        ms(v[0]),
        ms(v[v.len() - 1])
    );
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this once as a smoke
    // test, so keep that run short.
    let bench = std::env::args().any(|a| a == "--bench");
    let launches = args.first().copied().unwrap_or(if bench { 10 } else { 2 });
    let presses = args.get(1).copied().unwrap_or(if bench { 100 } else { 10 });
    let bin = Path::new(env!("CARGO_BIN_EXE_dsinstall"));
    let dir = std::env::temp_dir();
    let demo = ["--demo", "--lang", "en"];

    let mut first = vec![];
    for _ in 0..launches {
        let start = Instant::now();
        let mut p = Pty::spawn(bin, &demo, &dir, &[]);
        wait(&p, "Press Enter");
        first.push(start.elapsed());
        p.send("\x03");
        p.wait_exit(5);
    }

    let mut p = Pty::spawn(bin, &demo, &dir, &[]);
    wait(&p, "Press Enter");
    let mut redraw = vec![];
    for i in 0..presses {
        let (key, target) = if i % 2 == 0 {
            ("n", "[2 Network]")
        } else {
            ("p", "[1 Welcome!]")
        };
        // Let the frame throttle's window pass, as between a person's key presses.
        std::thread::sleep(Duration::from_millis(40));
        let start = Instant::now();
        p.send(key);
        wait(&p, target);
        redraw.push(start.elapsed());
    }
    // Opening Preview renders every file and patches the 180 KB Calico manifest.
    p.send("nnnn");
    wait(&p, "[5 Nodes]");
    let mut preview = vec![];
    for _ in 0..presses.div_ceil(4) {
        std::thread::sleep(Duration::from_millis(40));
        let start = Instant::now();
        p.send("n");
        wait(&p, "kubeadm-config.yaml]");
        preview.push(start.elapsed());
        std::thread::sleep(Duration::from_millis(40));
        p.send("p");
        wait(&p, "[5 Nodes]");
    }
    // Peak resident memory after every screen and Preview (the patched manifest in memory).
    let hwm = p
        .child
        .process_id()
        .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l["VmHWM:".len()..].trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    p.send("\x03");
    p.wait_exit(5);

    println!("dsinstall wizard latency (80x24 pty, --demo)");
    println!("peak memory after Preview  {hwm}");
    stats("launch -> first frame", first);
    stats("keypress -> redraw", redraw);
    stats("key -> Preview drawn", preview);
}
