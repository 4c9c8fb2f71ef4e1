//! A smoke test in tmux (TERM=screen/tmux, Esc delayed): the wizard draws at 80x24 in
//! Chinese, moves on a key, and quits. Skips with a message when tmux is not installed.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    }
    fn capture(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }
    fn wait_for(&self, text: &str) {
        let end = Instant::now() + Duration::from_secs(10);
        while Instant::now() < end {
            if self.capture().contains(text) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{text:?} did not appear:\n{}", self.capture());
    }
    fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "t"])
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

#[test]
fn wizard_draws_moves_and_quits_in_tmux_at_80x24() {
    if which::which("tmux").is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let t = Tmux {
        socket: format!("dsinstall-test-{}", std::process::id()),
    };
    let cmd = format!(
        "env LC_CTYPE=C.UTF-8 {} --demo --lang zh-CN",
        common::bin().display()
    );
    t.run(&["new-session", "-d", "-s", "t", "-x", "80", "-y", "24", &cmd]);
    t.wait_for("按 Enter 或 → 开始");
    t.wait_for("[1 欢迎!]");
    t.run(&["send-keys", "-t", "t", "Enter"]);
    t.wait_for("网卡（地址、作用域、标志）");
    t.run(&["send-keys", "-t", "t", "Right"]);
    t.wait_for("每个 /120");
    // Backspace goes back (Esc alone waits for tmux's escape-time).
    t.run(&["send-keys", "-t", "t", "BSpace"]);
    t.wait_for("[2 网络]");
    t.run(&["send-keys", "-t", "t", "q"]);
    t.wait_for("应答尚未保存");
    t.run(&["send-keys", "-t", "t", "y"]);
    let end = Instant::now() + Duration::from_secs(5);
    while t.alive() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!t.alive(), "the wizard left and the pane closed");
}

/// Whether `pid` has ended (gone, or a zombie waiting for its new parent to reap it).
fn ended(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 2..].chars().next())
            .is_some_and(|s| s == 'Z' || s == 'X'),
    }
}

#[test]
fn killing_the_tmux_session_ends_the_wizard_within_a_second() {
    if which::which("tmux").is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let t = Tmux {
        socket: format!("dsinstall-test-kill-{}", std::process::id()),
    };
    let cmd = format!("{} --demo --lang en", common::bin().display());
    t.run(&["new-session", "-d", "-s", "t", "-x", "80", "-y", "24", &cmd]);
    t.wait_for("Press Enter");
    let pid = t.run(&["list-panes", "-t", "t", "-F", "#{pane_pid}"]);
    let pid = pid.trim().to_string();
    assert!(
        !pid.is_empty() && !ended(&pid),
        "the wizard runs as {pid:?}"
    );
    let start = Instant::now();
    t.run(&["kill-session", "-t", "t"]);
    while !ended(&pid) && start.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        ended(&pid),
        "the wizard still runs 3 s after its session was killed"
    );
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
}
