//! The real binary in a pseudo-terminal: the demo walked from Welcome to Export, the
//! exported answers compared with the seed's, and the terminal restored however it ends.

mod common;
mod tui_support;

use dsinstall::answers::Answers;
use std::time::{Duration, Instant};
use tui_support::pty::Pty;

/// What `terminal::leave` writes last: leave the alternate screen, show the cursor.
const RESTORE: &[u8] = b"\x1b[?2004l\x1b[?1049l\x1b[?25h";

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The terminal was restored: the last escape sequences written are RESTORE (any plain text
/// after it is the goodbye line).
fn assert_restored(raw: &[u8]) {
    let at = find(raw, RESTORE).unwrap_or_else(|| {
        panic!(
            "no restore sequence; tail: {:?}",
            String::from_utf8_lossy(&raw[raw.len().saturating_sub(200)..])
        )
    });
    let after = &raw[at + RESTORE.len()..];
    assert!(
        !after.contains(&0x1b),
        "escapes after the restore: {:?}",
        String::from_utf8_lossy(after)
    );
}

#[test]
fn demo_walk_exports_the_seed_answers_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exported.yaml");
    let mut p = Pty::spawn(&common::bin(), &["--demo", "--lang", "en"], dir.path(), &[]);
    p.wait_for("Press Enter", 10);
    p.send("\r");
    p.wait_for("Network interfaces", 5);
    p.wait_for("2018::21/64", 5);
    p.send("n");
    p.wait_for("Address plan", 5);
    p.wait_for("256 nodes × 256 addresses, /120 each", 5);
    p.send("\x1b[C"); // Right arrow
    p.wait_for("CRI socket", 5);
    p.send("\x1b[6~"); // PgDn
    p.wait_for("Node 3 name", 5);
    p.send("n");
    p.wait_for("[6 Preview]", 5);
    p.send("n");
    p.wait_for("Answers file", 5);
    p.send("\r\x15"); // edit the path, Ctrl-U clears it
    p.send(out.to_str().unwrap());
    p.send("\r");
    p.send("e");
    p.wait_for("answers written to", 5);
    p.send("q");
    assert_eq!(p.wait_exit(5), Some(0), "saved, so q leaves at once with 0");
    assert_restored(&p.raw_bytes());
    let mut exported = Answers::load(&out).expect("the exported file loads");
    // The demo's bundled manifest lands beside the answers, named relative to them.
    assert_eq!(
        exported.calico.manifest.as_deref(),
        Some("calico-v3.15.3.yaml")
    );
    let bundled = std::fs::read(dir.path().join("calico-v3.15.3.yaml")).unwrap();
    assert_eq!(
        bundled,
        std::fs::read(common::fixture("calico/calico-v3.15.3.yaml")).unwrap()
    );
    // render takes the exported file as it is, from any directory.
    let files = dir.path().join("files");
    let r = std::process::Command::new(common::bin())
        .args(["render", "--answers"])
        .arg(&out)
        .arg("--out")
        .arg(&files)
        .current_dir("/")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert!(files.join("calico.yaml").exists());
    exported.calico.manifest = None;
    let seed = Answers::load(&common::fixture("answers/seed-v1.19.yaml")).unwrap();
    assert_eq!(
        exported, seed,
        "modulo the manifest, the demo exports the seed's answers"
    );
}

#[test]
fn a_bracketed_paste_on_the_nodes_screen_is_text_not_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(&common::bin(), &["--demo", "--lang", "en"], dir.path(), &[]);
    p.wait_for("Press Enter", 10);
    p.send("\r");
    p.wait_for("Network interfaces", 5);
    p.send("nnn");
    p.wait_for("Node 3 name", 5);
    // What a terminal sends for a pasted "axe" in bracketed-paste mode (xterm's ctlseqs,
    // "Bracketed Paste Mode"): typed, a would add a node, x remove one, e export.
    p.send("\x1b[200~axe\x1b[201~");
    p.send("\r");
    p.wait_for("node02axe", 5);
    assert!(!p.screen().contains("node04"), "{}", p.screen());
    assert!(
        find(&p.raw_bytes(), b"\x1b[?2004h").is_some(),
        "the wizard turns bracketed paste on"
    );
    p.send("q");
    p.wait_for("Quit?", 5);
    p.send("y");
    assert_eq!(p.wait_exit(5), Some(130));
    assert_restored(&p.raw_bytes());
    assert!(
        !dir.path().join("answers.yaml").exists(),
        "nothing exported"
    );
}

#[test]
fn quit_without_saving_asks_then_exits_130_restored() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(
        &common::bin(),
        &["--demo", "--lang", "zh-CN"],
        dir.path(),
        &[],
    );
    p.wait_for("按 Enter", 10);
    p.send("q");
    p.wait_for("应答尚未保存", 5);
    p.send("y");
    assert_eq!(p.wait_exit(5), Some(130));
    assert_restored(&p.raw_bytes());
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

fn signal_stops_promptly(sig: libc::c_int) {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(&common::bin(), &["--demo", "--lang", "en"], dir.path(), &[]);
    p.wait_for("Press Enter", 10);
    let pid = p.child.process_id().expect("pid") as libc::pid_t;
    let start = Instant::now();
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    let code = p.wait_exit(3);
    assert!(code.is_some(), "still running 3 s after signal {sig}");
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(code, Some(130));
    assert_restored(&p.raw_bytes());
}

#[test]
fn sighup_stops_promptly_and_restores() {
    signal_stops_promptly(libc::SIGHUP);
}

#[test]
fn sigterm_stops_promptly_and_restores() {
    signal_stops_promptly(libc::SIGTERM);
}

/// Signals whose default action ends the process: the terminal is restored first, then the
/// process ends as that signal.
fn deadly_signal_restores_the_terminal(sig: libc::c_int) {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(&common::bin(), &["--demo", "--lang", "en"], dir.path(), &[]);
    p.wait_for("Press Enter", 10);
    assert!(!p.cooked(), "the wizard runs in raw mode");
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(p.pid(), sig) }, 0);
    let ended_by = p.wait_signal(3);
    assert!(ended_by.is_some(), "signal {sig} did not end the wizard");
    assert_restored(&p.raw_bytes());
    assert!(p.cooked(), "signal {sig} left the terminal raw");
}

#[test]
fn sigquit_restores_the_terminal() {
    deadly_signal_restores_the_terminal(libc::SIGQUIT);
}

#[test]
fn sigabrt_restores_the_terminal() {
    deadly_signal_restores_the_terminal(libc::SIGABRT);
}

#[test]
fn sigusr1_restores_the_terminal() {
    deadly_signal_restores_the_terminal(libc::SIGUSR1);
}

#[test]
fn sigalrm_restores_the_terminal() {
    deadly_signal_restores_the_terminal(libc::SIGALRM);
}

#[test]
fn stop_gives_the_shell_its_screen_and_continue_redraws_the_wizard() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(&common::bin(), &["--demo", "--lang", "en"], dir.path(), &[]);
    p.wait_for("Press Enter", 10);
    p.send("\r");
    p.wait_for("Network interfaces", 5);
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(p.pid(), libc::SIGTSTP) }, 0);
    p.wait_state('T', 3);
    std::thread::sleep(Duration::from_millis(100)); // the reader drains the last bytes
    assert_restored(&p.raw_bytes());
    assert!(p.cooked(), "stopped, the terminal is the shell's again");
    assert!(
        !p.screen().contains("Network interfaces"),
        "the main screen is back: {}",
        p.screen()
    );
    let before = p.raw_bytes().len();
    assert_eq!(unsafe { libc::kill(p.pid(), libc::SIGCONT) }, 0);
    p.wait_for("Network interfaces", 5);
    let after = p.raw_bytes()[before..].to_vec();
    assert!(
        find(&after, b"\x1b[?1049h").is_some(),
        "the alternate screen is entered again"
    );
    assert!(!p.cooked(), "raw mode again");
    // The whole screen is drawn again, not only what changed: the tab strip too.
    p.wait_for("[2 Network]", 5);
    p.send("\x03");
    assert_eq!(p.wait_exit(5), Some(130));
    assert_restored(&p.raw_bytes());
}

#[test]
fn ctrl_c_cancels_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(&common::bin(), &["--demo", "--lang", "en"], dir.path(), &[]);
    p.wait_for("Press Enter", 10);
    p.send("\x03");
    assert_eq!(p.wait_exit(3), Some(130));
    assert_restored(&p.raw_bytes());
}

#[test]
fn not_a_terminal_prints_one_line_and_exits_1() {
    let out = std::process::Command::new(common::bin())
        .args(["--demo", "--lang", "en"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "no escape codes into a redirected stdout"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("dsinstall apply --answers FILE"), "{err}");
}

#[test]
fn dumb_terminal_is_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(
        &common::bin(),
        &["--demo", "--lang", "en"],
        dir.path(),
        &[("TERM", "dumb")],
    );
    assert_eq!(p.wait_exit(5), Some(1));
    let raw = String::from_utf8_lossy(&p.raw_bytes()).to_string();
    assert!(raw.contains("TERM is unset or dumb"), "{raw}");
    assert!(
        !raw.contains("\x1b[?1049h"),
        "never entered the alternate screen"
    );
}

/// Foreground colour escapes crossterm writes (`ESC[38;5;Nm`) or the short forms.
fn has_colour(raw: &[u8]) -> bool {
    let s = String::from_utf8_lossy(raw);
    s.contains("\x1b[38;5;") || (30..=37).any(|n| s.contains(&format!("\x1b[{n}m")))
}

#[test]
fn no_color_drops_colours_but_keeps_markers_and_reverse_video() {
    let dir = tempfile::tempdir().unwrap();
    let with = |env: &[(&str, &str)]| {
        let mut p = Pty::spawn(&common::bin(), &["--demo", "--lang", "en"], dir.path(), env);
        p.wait_for("Press Enter", 10);
        p.send("\r");
        p.wait_for("> Node name", 5);
        p.send("\x03");
        p.wait_exit(5);
        p.raw_bytes()
    };
    assert!(has_colour(&with(&[])), "colours are used by default");
    let raw = with(&[("NO_COLOR", "1")]);
    assert!(!has_colour(&raw), "NO_COLOR: no colour escapes");
    assert!(
        String::from_utf8_lossy(&raw).contains("\x1b[7m"),
        "reverse video stays"
    );
}

#[test]
fn resize_below_80x24_says_so_and_back_redraws() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(&common::bin(), &["--demo", "--lang", "en"], dir.path(), &[]);
    p.wait_for("Press Enter", 10);
    p.resize(20, 60);
    p.wait_for("the wizard needs at least 80x24", 5);
    p.resize(40, 120);
    p.wait_for("Press Enter", 5);
    p.wait_for("[1 Welcome!]", 5);
    // The first key after a resize is acted on at once, and the wizard waits idle rather
    // than spinning (crossterm returns a resize and drops the terminal's readiness reported
    // beside it, mio's epoll being edge-triggered: the key would sit until the next one).
    let before = cpu_ticks(p.pid());
    p.send("\r");
    p.wait_for("Network interfaces", 2);
    std::thread::sleep(std::time::Duration::from_secs(1));
    let used = cpu_ticks(p.pid()) - before;
    assert!(
        used < 30,
        "{used} clock ticks of CPU in about a second of idling"
    );
    p.send("\x03");
    assert_eq!(p.wait_exit(5), Some(130));
}

#[test]
fn a_panic_restores_the_terminal_before_the_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(
        &common::bin(),
        &["--demo", "--lang", "en"],
        dir.path(),
        &[("DSINSTALL_TEST_PANIC_ON_KEY", "1")],
    );
    p.wait_for("Press Enter", 10);
    p.send("x");
    assert_eq!(p.wait_exit(5), Some(101), "Rust's panic exit code");
    let raw = p.raw_bytes();
    let restore = find(&raw, RESTORE).expect("restored");
    let msg = find(&raw, b"DSINSTALL_TEST_PANIC_ON_KEY is set").expect("panic message");
    assert!(restore < msg, "the message lands on the restored terminal");
}

#[test]
fn demo_export_with_a_calico_manifest_is_accepted_by_render() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("answers.yaml");
    let manifest = common::fixture("calico/calico-v3.15.3.yaml");
    let mut p = Pty::spawn(&common::bin(), &["--demo", "--lang", "en"], dir.path(), &[]);
    p.wait_for("Press Enter", 10);
    p.send("nnn");
    p.wait_for("> Kubernetes version", 5);
    p.send("\t\t\t\t\t\t\t\t\t"); // to "Calico manifest file"
    p.wait_for("> Calico manifest file", 5);
    p.send("\r");
    p.send(manifest.to_str().unwrap());
    p.send("\r");
    // The path may be cut to the screen; the keys after it are read in order, the closing
    // Enter first.
    p.wait_for("field: calico.manifest", 5);
    p.send("nnn");
    p.wait_for("> Answers file", 5);
    p.send("\r\x15");
    p.send(out.to_str().unwrap());
    p.send("\re");
    p.wait_for("answers written to", 5);
    p.send("q");
    assert_eq!(p.wait_exit(5), Some(0));
    let exported = Answers::load(&out).unwrap();
    assert_eq!(exported.calico.manifest.as_deref(), manifest.to_str());
    let files = dir.path().join("files");
    let r = std::process::Command::new(common::bin())
        .args(["render", "--answers"])
        .arg(&out)
        .arg("--out")
        .arg(&files)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let calico = std::fs::read_to_string(files.join("calico.yaml")).unwrap();
    assert!(
        calico.contains("2019:20::/112"),
        "the patched manifest has the IPv6 pool"
    );
}

#[test]
fn every_key_after_a_resize_is_acted_on_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(&common::bin(), &["--demo", "--lang", "en"], dir.path(), &[]);
    p.wait_for("Press Enter", 10);
    p.send("\r");
    p.wait_for("Network interfaces", 5);
    let focused = |p: &Pty| {
        p.screen()
            .lines()
            .find(|l| l.starts_with('>'))
            .map(|l| {
                l.split_whitespace()
                    .skip(1)
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    };
    // Down thrice, a resize to 100x30 and back before each: each Down moves the focus by one,
    // before the next key is sent (a key stuck behind a resize moves only with the next).
    let mut seen = vec![focused(&p)];
    for _ in 0..3 {
        p.resize(30, 100);
        p.wait_for("Network interfaces", 5);
        p.resize(24, 80);
        std::thread::sleep(std::time::Duration::from_millis(200));
        p.send("\x1b[B");
        // Time enough on a loaded machine; a key stuck behind the resize never moves.
        let until = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while focused(&p) == *seen.last().unwrap() && std::time::Instant::now() < until {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        seen.push(focused(&p));
    }
    for w in seen.windows(2) {
        assert_ne!(
            w[0], w[1],
            "a Down after a resize did not move the focus: {seen:?}"
        );
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 4, "one field per Down: {seen:?}");
    p.send("\x03");
    assert_eq!(p.wait_exit(5), Some(130));
}

/// utime + stime of a live process, from /proc/PID/stat (fields 14 and 15, in clock ticks).
fn cpu_ticks(pid: libc::pid_t) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

/// The wizard in a pty opened here (not portable-pty, whose writer sends keys when dropped
/// and whose reader thread keeps the master open), so the test can close the master: what
/// the kernel does when an SSH link drops or tmux kills the session.
#[test]
fn closing_the_terminal_exits_130_within_a_second_without_spinning() {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty fills two descriptors we then own.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty");
    // SAFETY: fcntl on our own descriptor: the child must not hold the master open.
    unsafe { libc::fcntl(master, libc::F_SETFD, libc::FD_CLOEXEC) };
    let slave = unsafe { OwnedFd::from_raw_fd(slave) };
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(common::bin());
    cmd.args(["--demo", "--lang", "en"])
        .current_dir(dir.path())
        .env("TERM", "xterm-256color")
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave.try_clone().unwrap());
    // SAFETY: setsid and TIOCSCTTY are async-signal-safe; the pty becomes the child's
    // controlling terminal, as a login or tmux pane makes it.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    // Reaped with wait4 below, which also gives its CPU time.
    #[allow(clippy::zombie_processes)]
    let mut child = cmd.spawn().expect("spawn");
    drop(slave);
    let pid = child.id() as libc::pid_t;
    // Read the screen until the wizard is up.
    let mut seen = Vec::new();
    let end = Instant::now() + Duration::from_secs(10);
    while !String::from_utf8_lossy(&seen).contains("Press Enter") {
        assert!(Instant::now() < end, "the wizard did not draw");
        let mut p = libc::pollfd {
            fd: master,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: poll and read on our own master descriptor into a local buffer.
        if unsafe { libc::poll(&mut p, 1, 100) } > 0 {
            let mut buf = [0u8; 4096];
            let n = unsafe { libc::read(master, buf.as_mut_ptr().cast(), buf.len()) };
            if n > 0 {
                seen.extend_from_slice(&buf[..n as usize]);
            }
        }
    }
    let before = cpu_ticks(pid);
    let start = Instant::now();
    // SAFETY: closing the master we own hangs the child's terminal up.
    unsafe { libc::close(master) };
    let mut status = 0;
    // SAFETY: rusage is plain data, filled by wait4 for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut reaped = false;
    while start.elapsed() < Duration::from_secs(3) {
        if unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) } == pid {
            reaped = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let elapsed = start.elapsed();
    if !reaped {
        let spent = cpu_ticks(pid) - before;
        let _ = child.kill();
        let _ = child.wait();
        panic!("still running 3 s after the terminal closed ({spent} ticks of CPU)");
    }
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
    assert!(libc::WIFEXITED(status), "ended by a signal: {status:#x}");
    assert_eq!(libc::WEXITSTATUS(status), 130);
    // SAFETY: sysconf has no preconditions.
    let tick_us = 1_000_000 / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as i64;
    let total_us = |t: libc::timeval| t.tv_sec * 1_000_000 + t.tv_usec;
    let cpu_after_close =
        total_us(usage.ru_utime) + total_us(usage.ru_stime) - before as i64 * tick_us;
    // A spin on EOF burns the whole interval; waking up and leaving takes a few ms. One tick
    // of slack for the rounding of the ticks read before the close.
    assert!(
        cpu_after_close < 200_000 + tick_us,
        "{cpu_after_close} µs of CPU between the close and the exit"
    );
}

#[test]
fn answers_flag_opens_the_wizard_on_that_file_and_exports_back_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("mine.yaml");
    let mut a = Answers::load(&common::fixture("answers/seed-v1.19.yaml")).unwrap();
    a.node.name = "node07".into();
    // Relative to the file, as `render` reads it: the wizard runs elsewhere.
    std::fs::copy(
        common::fixture("calico/calico-v3.15.3.yaml"),
        dir.path().join("calico.yaml"),
    )
    .unwrap();
    a.calico.manifest = Some("calico.yaml".into());
    a.save(&f, false).unwrap();
    let mut p = Pty::spawn(
        &common::bin(),
        &[
            "--dry-run",
            "--lang",
            "en",
            "--answers",
            f.to_str().unwrap(),
        ],
        std::path::Path::new("/"),
        &[],
    );
    p.wait_for("Press Enter", 10);
    p.send("\r");
    p.wait_for("node07", 5);
    // Unchanged since it was opened: q leaves at once.
    p.send("q");
    assert_eq!(p.wait_exit(5), Some(0), "{}", p.screen());
    assert_restored(&p.raw_bytes());

    // Change the name and export: it goes back to the file it came from.
    let mut p = Pty::spawn(
        &common::bin(),
        &[
            "--dry-run",
            "--lang",
            "en",
            "--answers",
            f.to_str().unwrap(),
        ],
        std::path::Path::new("/"),
        &[],
    );
    p.wait_for("Press Enter", 10);
    p.send("\r");
    p.wait_for("> Node name", 5);
    p.send("\r\x15node08\r");
    p.wait_for("node08", 5);
    p.send("e");
    p.wait_for("answers written to", 5);
    p.send("q");
    assert_eq!(p.wait_exit(5), Some(0), "{}", p.screen());
    let back = Answers::load(&f).unwrap();
    assert_eq!(back.node.name, "node08");
    let manifest = back.calico.manifest.unwrap();
    assert!(
        std::path::Path::new(&manifest).exists(),
        "the manifest is still found: {manifest}"
    );
}

#[test]
fn answers_flag_with_a_broken_file_says_why_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.yaml");
    std::fs::write(&f, "apiVersion: 5\n").unwrap();
    let mut p = Pty::spawn(
        &common::bin(),
        &["--demo", "--lang", "en", "--answers", f.to_str().unwrap()],
        dir.path(),
        &[],
    );
    assert_eq!(p.wait_exit(5), Some(1));
    let raw = String::from_utf8_lossy(&p.raw_bytes()).to_string();
    assert!(raw.contains("apiVersion: is the number 5"), "{raw}");
    assert!(
        !raw.contains("\x1b[?1049h"),
        "never entered the alternate screen"
    );
}

#[test]
fn a_c_locale_draws_ascii_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = Pty::spawn(
        &common::bin(),
        &["--demo", "--lang", "en"],
        dir.path(),
        &[("LC_CTYPE", "C"), ("LANG", "C")],
    );
    p.wait_for("Press Enter", 10);
    p.send("\r");
    p.wait_for("Network interfaces", 5);
    let screen = p.screen();
    assert!(screen.is_ascii(), "non-ASCII on screen:\n{screen}");
    p.send("\x03");
    assert_eq!(p.wait_exit(5), Some(130));
}

#[test]
fn export_over_an_existing_file_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("old.yaml");
    std::fs::write(&out, "old\n").unwrap();
    let mut p = Pty::spawn(&common::bin(), &["--demo", "--lang", "en"], dir.path(), &[]);
    p.wait_for("Press Enter", 10);
    p.send("nnnnnn");
    p.wait_for("> Answers file", 5);
    p.send("\r\x15");
    p.send(out.to_str().unwrap());
    p.send("\re");
    p.wait_for("already exists", 5);
    p.send("y");
    p.wait_for("answers written to", 5);
    p.send("q");
    assert_eq!(p.wait_exit(5), Some(0));
    assert!(Answers::load(&out).is_ok(), "replaced after y");
}

/// The demo from Export through Confirm and Install to Checks, on the simulated lab: a
/// training fault fails preflight with its cause and fix, r clears it and retries, the
/// guide's v1.19 answers end in verify's InternalIP failure, Checks shows it, and the lab
/// is gone once the wizard has left.
/// The processes whose command line names `dir` (the lab's stand-ins do).
fn lab_processes(dir: &std::path::Path) -> Vec<String> {
    let dir = dir.to_str().unwrap();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| {
            let pid: u32 = e.ok()?.file_name().to_str()?.parse().ok()?;
            let c = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let c = String::from_utf8_lossy(&c).replace('\0', " ");
            c.contains(dir).then(|| format!("{pid}: {c}"))
        })
        .collect()
}

/// The demo (`bin`, in English, at the lab's fast pace, `faults` given) started in `dir`
/// with its lab under `dir/tmp`, and walked from Welcome to Confirm until its list of
/// changes is in.
fn demo_at_confirm(bin: &std::path::Path, dir: &std::path::Path, faults: &[&str]) -> Pty {
    let tmp = dir.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut args = vec!["--demo", "--lang", "en"];
    for f in faults {
        args.extend(["--fault", f]);
    }
    let mut p = Pty::spawn(
        bin,
        &args,
        dir,
        &[
            ("TMPDIR", tmp.to_str().unwrap()),
            ("DSINSTALL_TEST_DEMO_PACE", "fast"),
        ],
    );
    p.wait_for("Press Enter", 10);
    for _ in 0..6 {
        p.send("n");
    }
    p.wait_for("Answers file", 5);
    p.send("a");
    p.wait_for("[Confirm]", 5);
    p.wait_for("Install these changes now?", 60);
    p
}

#[test]
fn leaving_during_a_join_stops_what_the_lab_runs_and_removes_the_lab() {
    // A join runs on the lab's node02 over its ssh, as on a real node it would go on
    // after the link goes: leaving the demo must stop it, not leave it writing the lab.
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    let mut p = demo_at_confirm(&common::bin(), dir.path(), &["hang:join.node02"]);
    p.send("y");
    p.wait_for("[Install]", 5);
    let lab = std::fs::read_dir(&tmp)
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path()))
        .find(|p| p.to_string_lossy().contains("dsinstall-demo-"))
        .expect("the demo's lab");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !lab_processes(&lab)
        .iter()
        .any(|c| c.contains("kubeadm join"))
    {
        assert!(std::time::Instant::now() < until, "{}", p.screen());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    p.send("q");
    p.send("y");
    assert!(p.wait_exit(20).is_some(), "{}", p.screen());
    assert_eq!(lab_processes(&lab), Vec::<String>::new(), "left running");
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(!lab.exists(), "the lab is left: {}", lab.display());
}

#[test]
fn a_binary_replaced_while_the_wizard_runs_is_named_when_the_install_starts() {
    // A package upgrade while the wizard is open: the runner cannot be this binary's file.
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("dsinstall");
    std::fs::copy(common::bin(), &exe).unwrap();
    let mut p = demo_at_confirm(&exe, dir.path(), &[]);
    std::fs::remove_file(&exe).unwrap();
    p.send("y");
    p.wait_for("replaced or", 10);
    assert!(!p.screen().contains("(deleted)"), "{}", p.screen());
    p.send("q");
    p.send("y");
    assert!(p.wait_exit(15).is_some());
}

#[test]
fn demo_walks_from_export_through_install_to_checks_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    let mut p = demo_at_confirm(&common::bin(), dir.path(), &["port-6443-in-use"]);
    p.send("\x1b[F"); // End: the list scrolls to its last page
    p.wait_for("dsinstall reset would undo", 5);
    p.send("y");
    p.wait_for("[Install]", 5);
    p.wait_for("preflight failed", 60);
    p.wait_for("port 6443 is in use", 5);
    p.wait_for("r retry", 5);
    p.send("r");
    p.wait_for("verify failed", 180);
    p.wait_for("no IPv6 InternalIP", 5);
    p.send("c");
    p.wait_for("[Checks]", 5);
    p.wait_for("node.internal-ips/ipv6", 5);
    // The run's checks are written out beside its log, and the screen says where.
    p.wait_for(".verify.json", 10);
    p.wait_for(".junit.xml", 5);
    // The first check (not the failing one, which waits out its deadline) runs again
    // through verify's engine; its scratch directory goes once it is in.
    for _ in 0..20 {
        p.send("\x1b[A");
    }
    p.send("r");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    std::thread::sleep(std::time::Duration::from_millis(300));
    while p.screen().contains("running again") && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(!p.screen().contains("running again"), "{}", p.screen());
    assert!(
        !p.screen().contains("could not run again"),
        "{}",
        p.screen()
    );
    // The demo's answers were never written: q asks first, as on the answers' screens,
    // and e writes them before leaving.
    p.send("q");
    p.wait_for("quit without saving", 5);
    p.send("e");
    assert_eq!(p.wait_exit(15), Some(130), "a failed run is left, not done");
    assert!(Answers::load(&dir.path().join("dsinstall-answers.yaml")).is_ok());
    assert_restored(&p.raw_bytes());
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "the demo lab is removed: {left:?}");
}

/// The terminal going away mid-install (SIGHUP, as the kernel sends the session's leader)
/// exits 130; the demo's runner is stopped and its lab removed, a hung step and all.
#[test]
fn demo_hang_up_mid_install_exits_130_and_removes_the_lab() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    let mut p = demo_at_confirm(&common::bin(), dir.path(), &["hang:kubeadm.init"]);
    p.send("y");
    p.wait_for("[kubeadm.init]", 60);
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(p.pid(), libc::SIGHUP) };
    assert_eq!(p.wait_exit(15), Some(130));
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "the demo lab is removed: {left:?}");
}
