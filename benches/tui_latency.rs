//! Wizard latency in a real pty (not a timed test; prints figures):
//!  - launch → first frame: spawn `dsinstall --demo` until the Welcome screen is drawn;
//!  - keypress → redraw: `n`/`p` alternately until the tab strip shows the new screen;
//!  - key → Preview drawn: rendering every file (and patching calico.yaml) on the way;
//!  - Install fed a million log lines (the runner's events straight into `update`, drawn
//!    as the event loop does, a frame per drained batch, on a 120x40 terminal that
//!    counts the bytes it is sent): keypress → redraw with the log full, a frame's draw
//!    time, the terminal's bytes against the log's, and this process's peak RSS.
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
    install_log(if bench { 1_000_000 } else { 20_000 }, presses);
}

/// A writer that only counts what the terminal would be sent.
struct Count(std::rc::Rc<std::cell::Cell<u64>>);

impl std::io::Write for Count {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + b.len() as u64);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Install with `lines` log lines streamed in, then keys on the full log.
fn install_log(lines: usize, presses: usize) {
    use crossterm::event::KeyCode::*;
    use dsinstall::tui::i18n::Lang;
    use dsinstall::tui::update::{Msg, update};
    use ratatui::layout::Rect;
    use ratatui::{Terminal, TerminalOptions, Viewport};
    use tui_support::runner_events::*;

    let mut m = tui_support::demo(Lang::En, "dsinstall-answers.yaml");
    running(&mut m);
    let sent = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let backend = ratatui::backend::CrosstermBackend::new(Count(sent.clone()));
    let mut t = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 120, 40)),
        },
    )
    .unwrap();
    // A busy kubeadm: ~1,000 lines a frame (30 frames a second), some longer than the pane.
    let batch = 1000;
    let mut log_bytes = 0u64;
    let mut frames = vec![];
    let fed = Instant::now();
    for i in 0..lines {
        let text = if i % 7 == 0 {
            format!(
                "[kubelet-check] line {i}: waiting for the kubelet at http://localhost:10248/healthz to answer with its status, attempt {i}"
            )
        } else {
            format!("[certs] line {i}: generating key")
        };
        log_bytes += text.len() as u64 + 1;
        line(&mut m, "kubeadm.init", &text);
        if (i + 1) % batch == 0 {
            let start = Instant::now();
            t.draw(|f| dsinstall::tui::view::view(f, &m)).unwrap();
            frames.push(start.elapsed());
        }
    }
    let fed = fed.elapsed();
    let streamed = sent.get();
    // With the log full: search it, step through matches, shift, wrap, page.
    update(&mut m, Msg::ch('/'));
    for c in "kubelet".chars() {
        update(&mut m, Msg::ch(c));
    }
    update(&mut m, Msg::key(Enter));
    let keys = [
        Msg::ch('N'),
        Msg::key(Right),
        Msg::ch('n'),
        Msg::key(Left),
        Msg::key(PageUp),
        Msg::ch('w'),
        Msg::key(PageDown),
        Msg::ch('w'),
    ];
    let mut redraw = vec![];
    for i in 0..presses.max(8) {
        let start = Instant::now();
        update(&mut m, keys[i % keys.len()].clone());
        t.draw(|f| dsinstall::tui::view::view(f, &m)).unwrap();
        redraw.push(start.elapsed());
    }
    // SAFETY: getrusage(2) fills the struct it is given.
    let rss_kb = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut u);
        u.ru_maxrss
    };
    let secs = lines as f64 / batch as f64 / 30.0;
    println!(
        "Install fed {lines} log lines ({:.1} MB) in {:.2} s, {} kept",
        log_bytes as f64 / 1e6,
        fed.as_secs_f64(),
        m.run.log.len()
    );
    println!(
        "terminal bytes while streaming  {:.2} MB ({:.1}% of the log's; {:.0} KB/s at 30 frames/s)",
        streamed as f64 / 1e6,
        streamed as f64 * 100.0 / log_bytes as f64,
        streamed as f64 / 1e3 / secs
    );
    println!("peak RSS of this process  {rss_kb} kB");
    stats("frame, log full", frames);
    stats("key -> redraw, log full", redraw);
}
