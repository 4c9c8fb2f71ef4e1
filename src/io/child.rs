//! Running a program so that it can neither hang dsinstall, flood its memory, nor outlive
//! it: stdin is /dev/null; stdout and stderr share ONE pipe, so their lines arrive in the
//! order they were written; the program leads its own process group, and the whole group is
//! signalled (TERM, then KILL after a grace period) when the deadline passes, the output
//! passes its cap, the caller cancels, or the program exits leaving children behind. Output
//! is counted as it comes off the pipe, so a program that prints forever costs at most the
//! cap. A grandchild that keeps the pipe open after the program exited does not make
//! dsinstall wait for the deadline: the program's own exit ends the run.
//!
//! [`Command::stream`] hands over each line as it arrives (split on `\n`, `\r` and `\r\n`;
//! bytes that are not UTF-8 shown as `\xNN`), which is what a step runner logging kubeadm
//! needs; [`Command::capture`] collects them, for probes.

use crate::message::{Said, Value};
use std::ffi::{OsStr, OsString};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A line longer than this is handed over in pieces, so one endless line costs no more.
pub const MAX_LINE: usize = 64 << 10;
/// How often the loop looks at the program, the deadline and the cancel flag when the pipe
/// is quiet.
const TICK: Duration = Duration::from_millis(20);
/// How long the output still in the pipe is read after the program exited while something
/// else holds the pipe open.
const DRAIN: Duration = Duration::from_millis(50);

/// A program to run, with its limits.
#[derive(Debug, Clone)]
pub struct Command {
    program: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    timeout: Duration,
    grace: Duration,
    max_output: Option<u64>,
    cancel: Option<Arc<AtomicBool>>,
    track: Option<PathBuf>,
}

/// Why the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The program exited (or was killed by someone else); see the status.
    Exited,
    /// The deadline passed; the group was terminated.
    TimedOut,
    /// The output passed its cap; the group was terminated.
    OutputLimit,
    /// The cancel flag was set; the group was terminated.
    Cancelled,
}

/// How a run ended: why, and the program's wait status.
#[derive(Debug, Clone, Copy)]
pub struct Finished {
    pub ended: Ended,
    pub status: ExitStatus,
    /// Bytes read from the pipe.
    pub bytes: u64,
}

/// A captured run: how it ended and its output lines, each followed by `\n`.
#[derive(Debug, Clone)]
pub struct Captured {
    pub finished: Finished,
    pub output: String,
}

impl Command {
    /// `program` with no arguments, a 30 s deadline, a 2 s grace between TERM and KILL and
    /// 1 MiB of output at most.
    pub fn new(program: impl AsRef<Path>) -> Command {
        Command {
            program: program.as_ref().to_path_buf(),
            args: Vec::new(),
            env: Vec::new(),
            timeout: Duration::from_secs(30),
            grace: Duration::from_secs(2),
            max_output: Some(1 << 20),
            cancel: None,
            track: None,
        }
    }

    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Command {
        self.args.push(a.as_ref().to_os_string());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Command {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Command {
        self.env
            .push((k.as_ref().to_os_string(), v.as_ref().to_os_string()));
        self
    }

    pub fn timeout(mut self, t: Duration) -> Command {
        self.timeout = t;
        self
    }

    /// How long the group has between SIGTERM and SIGKILL.
    pub fn grace(mut self, g: Duration) -> Command {
        self.grace = g;
        self
    }

    /// The most output read (None: no cap, for a streamed step whose lines go to a log).
    pub fn max_output(mut self, n: Option<u64>) -> Command {
        self.max_output = n;
        self
    }

    /// Setting the flag ends the run (TERM, then KILL) within a tick.
    pub fn cancel_on(mut self, flag: Arc<AtomicBool>) -> Command {
        self.cancel = Some(flag);
        self
    }

    /// Lower the deadline to at most `max` (what is left of a step's deadline).
    pub fn within(mut self, max: Duration) -> Command {
        self.timeout = self.timeout.min(max);
        self
    }

    /// Raise the output cap to at least `n` bytes: a child whose lines all go to a log (a
    /// step's output) must not be killed for being chatty (`kubeadm --v=9`).
    pub fn output_at_least(mut self, n: u64) -> Command {
        self.max_output = self.max_output.map(|m| m.max(n));
        self
    }

    /// Keep the program's process group id (and its start time) in `file` while it runs, so
    /// that whoever finds the file after dsinstall itself was killed (kill -9) can stop a
    /// group left behind: [`stop_tracked`].
    pub fn track(mut self, file: &Path) -> Command {
        self.track = Some(file.to_path_buf());
        self
    }

    pub fn arg_list(&self) -> &[OsString] {
        &self.args
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Run, calling `on_line` with each line as it arrives. Err only when the program could
    /// not be started (not found, not executable).
    pub fn stream(&self, mut on_line: impl FnMut(&str)) -> io::Result<Finished> {
        let (read_end, write_end) = pipe()?;
        let mut cmd = std::process::Command::new(&self.program);
        cmd.args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(write_end.try_clone()?))
            .stderr(Stdio::from(write_end))
            .process_group(0);
        let spawned = cmd.spawn();
        // The Command holds the pipe's write end until dropped; the end of output is only
        // seen once no copy is left here.
        drop(cmd);
        let mut child = spawned?;
        let pid = child.id() as libc::pid_t;
        if let Some(t) = &self.track {
            let line = format!("{pid} {}\n", start_time(pid).unwrap_or(0));
            // Best effort: without it, only a leftover group goes unnoticed.
            let _ = super::write::write_file(t, line.as_bytes(), super::write::PRIVATE);
        }
        let mut run = Run {
            pipe: std::fs::File::from(read_end),
            lines: Lines::default(),
            bytes: 0,
            max: self.max_output,
            eof: false,
            capped: false,
        };
        let ended = run.watch(pid, self, &mut on_line);
        // Whatever the reason, the group goes: a program that exited may have left children
        // (holding the pipe or not), and the program itself is still a zombie, so its id
        // cannot have been reused for another group yet.
        signal_group(pid, libc::SIGTERM);
        let until = Instant::now() + self.grace;
        while !(run.eof && exited(pid)) && Instant::now() < until {
            run.read_some(TICK, &mut on_line);
        }
        signal_group(pid, libc::SIGKILL);
        let status = child.wait()?;
        if let Some(t) = &self.track {
            let _ = std::fs::remove_file(t);
        }
        run.drain(Instant::now() + DRAIN, &mut on_line);
        run.lines.finish(&mut on_line);
        Ok(Finished {
            ended,
            status,
            bytes: run.bytes,
        })
    }

    /// Run and collect the output (at most the cap, `\n` after each line).
    pub fn capture(&self) -> io::Result<Captured> {
        let mut output = String::new();
        let finished = self.stream(|l| {
            output.push_str(l);
            output.push('\n');
        })?;
        Ok(Captured { finished, output })
    }
}

impl Finished {
    /// Exited by itself with status 0.
    pub fn success(&self) -> bool {
        self.ended == Ended::Exited && self.status.success()
    }

    /// Why the run is not a success, in a few words ("exited with status 1"), coded by
    /// [`TEXTS`] so that a cause it goes into reads whole in another language.
    pub fn describe(&self, cmd: &Command) -> Said {
        use std::os::unix::process::ExitStatusExt;
        match self.ended {
            Ended::TimedOut => phrase("child.timed_out", &[&seconds(cmd.timeout)]),
            Ended::OutputLimit => phrase(
                "child.output_limit",
                &[&super::read::size(cmd.max_output.unwrap_or(0))],
            ),
            Ended::Cancelled => phrase("child.cancelled", &[]),
            Ended::Exited => match (self.status.code(), self.status.signal()) {
                (Some(c), _) => ended_with(Some(c)),
                (None, Some(s)) => phrase("child.killed", &[&s]),
                _ => phrase("child.ended", &[&self.status]),
            },
        }
    }

    /// [`Finished::describe`] after the name of what ran ("init exited with status 1").
    pub fn describe_as(&self, cmd: &Command, name: &str) -> Said {
        phrase("child.named", &[&name, &self.describe(cmd)])
    }
}

/// How a program ended, in the words a cause shows it by (code, English with `{N}`); the
/// wizard translates them by their code (assets/i18n).
pub const TEXTS: &[(&str, &str)] = &[
    ("child.exited", "exited with status {0}"),
    ("child.timed_out", "did not finish within {0}"),
    ("child.killed", "was killed by signal {0}"),
    ("child.output_limit", "printed more than {0}"),
    ("child.cancelled", "was cancelled"),
    ("child.ended", "ended with {0}"),
    // Where only the exit code is known (a command run over ssh) and there is none.
    ("child.unfinished", "did not finish"),
    // Where a caller knows only that the command failed.
    ("child.failed", "failed"),
    // `{0}` names what ran, `{1}` is how it ended.
    ("child.named", "{0} {1}"),
];

/// The phrase `code` of [`TEXTS`].
pub fn phrase(code: &str, args: &[&dyn Value]) -> Said {
    Said::coded(TEXTS, code, args)
}

/// How a program with exit code `code` ended ("exited with status 1"); None: it did not
/// finish.
pub fn ended_with(code: Option<i32>) -> Said {
    match code {
        Some(c) => phrase("child.exited", &[&c]),
        None => phrase("child.unfinished", &[]),
    }
}

fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// The read side of one run.
struct Run {
    pipe: std::fs::File,
    lines: Lines,
    bytes: u64,
    max: Option<u64>,
    eof: bool,
    capped: bool,
}

impl Run {
    /// Read until the program exits (and the pipe ends or is only held by its children),
    /// the deadline, the cap or a cancel.
    fn watch(&mut self, pid: libc::pid_t, cmd: &Command, on_line: &mut impl FnMut(&str)) -> Ended {
        let deadline = Instant::now() + cmd.timeout;
        loop {
            if cmd
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::SeqCst))
            {
                return Ended::Cancelled;
            }
            if self.capped {
                return Ended::OutputLimit;
            }
            let now = Instant::now();
            if now >= deadline {
                return Ended::TimedOut;
            }
            if exited(pid) {
                if !self.eof {
                    // Its children hold the pipe: take what is already there, then stop.
                    self.drain(Instant::now() + DRAIN, on_line);
                }
                return if self.capped {
                    Ended::OutputLimit
                } else {
                    Ended::Exited
                };
            }
            if self.eof {
                std::thread::sleep(TICK.min(deadline - now).min(Duration::from_millis(5)));
            } else {
                self.read_some(TICK.min(deadline - now), on_line);
            }
        }
    }

    /// Wait up to `wait` for output and read what is there.
    fn read_some(&mut self, wait: Duration, on_line: &mut impl FnMut(&str)) {
        if self.eof {
            std::thread::sleep(wait.min(Duration::from_millis(5)));
            return;
        }
        let mut pfd = libc::pollfd {
            fd: self.pipe.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = wait.as_millis().min(i32::MAX as u128) as libc::c_int;
        // SAFETY: one valid pollfd.
        let r = unsafe { libc::poll(&mut pfd, 1, ms) };
        if r > 0 {
            self.read_available(on_line);
        }
    }

    /// Read until the pipe would block or ends.
    fn read_available(&mut self, on_line: &mut impl FnMut(&str)) -> bool {
        let mut buf = [0u8; 16 << 10];
        loop {
            match self.pipe.read(&mut buf) {
                Ok(0) => {
                    self.eof = true;
                    return false;
                }
                Ok(n) => {
                    let keep = match self.max {
                        Some(max) if self.bytes + n as u64 > max => {
                            self.capped = true;
                            (max - self.bytes.min(max)) as usize
                        }
                        _ => n,
                    };
                    self.bytes += keep as u64;
                    self.lines.feed(&buf[..keep], on_line);
                    if self.capped {
                        return false;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
                Err(_) => {
                    self.eof = true;
                    return false;
                }
            }
        }
    }

    /// What is in the pipe now, for at most until `until` (a writer may never stop).
    fn drain(&mut self, until: Instant, on_line: &mut impl FnMut(&str)) {
        while !self.eof && !self.capped && Instant::now() < until {
            if self.read_available(on_line) {
                // Nothing more right now: what the program wrote before it exited is read.
                return;
            }
        }
    }
}

/// Has the process exited? Looks without reaping it (`WNOWAIT`), so its id stays taken and
/// its process group can still be signalled safely.
fn exited(pid: libc::pid_t) -> bool {
    // SAFETY: zeroed siginfo_t is valid; waitid writes into it.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer; WNOHANG never blocks.
    let r = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    // SAFETY: si_pid is set by waitid when a child changed state, 0 otherwise.
    r == 0 && unsafe { info.si_pid() } != 0
}

/// A process's start time in clock ticks since boot (/proc/PID/stat, field 22): with the pid
/// it names one process, whatever pid reuse happened since.
fn start_time(pid: libc::pid_t) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split(' ').nth(19)?.parse().ok()
}

/// Stop the process group a [`Command::track`] file names, if that very process still runs
/// (TERM, then KILL after `grace`), and remove the file. Returns the group's id when one was
/// stopped.
pub fn stop_tracked(file: &Path, grace: Duration) -> Option<libc::pid_t> {
    let text = super::read::read_text(file, 4096).ok()?;
    let _ = std::fs::remove_file(file);
    let mut parts = text.split_whitespace();
    let pid: libc::pid_t = parts.next()?.parse().ok()?;
    let started: u64 = parts.next()?.parse().ok()?;
    if pid <= 1 || start_time(pid) != Some(started) {
        return None;
    }
    signal_group(pid, libc::SIGTERM);
    let until = Instant::now() + grace;
    while start_time(pid) == Some(started) && Instant::now() < until {
        std::thread::sleep(TICK);
    }
    signal_group(pid, libc::SIGKILL);
    Some(pid)
}

fn signal_group(pgid: libc::pid_t, sig: libc::c_int) {
    // SAFETY: kill has no memory preconditions; a group that is gone gives ESRCH.
    unsafe {
        libc::kill(-pgid, sig);
    }
}

/// A pipe whose read end does not block; both ends close on exec.
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: fds has room for two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both were just created and are owned by nobody else.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // SAFETY: valid fd; O_NONBLOCK on the read end only (the program's end stays blocking).
    unsafe {
        let flags = libc::fcntl(r.as_raw_fd(), libc::F_GETFL);
        if flags < 0 || libc::fcntl(r.as_raw_fd(), libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok((r, w))
}

/// Bytes → lines: `\n`, `\r` (a progress line redrawn) and `\r\n` each end one; a line
/// longer than MAX_LINE is cut at a character boundary.
#[derive(Default)]
pub struct Lines {
    buf: Vec<u8>,
    after_cr: bool,
}

impl Lines {
    pub fn feed(&mut self, data: &[u8], on_line: &mut impl FnMut(&str)) {
        for &b in data {
            if std::mem::take(&mut self.after_cr) && b == b'\n' {
                continue;
            }
            match b {
                b'\n' => self.emit(self.buf.len(), on_line),
                b'\r' => {
                    self.emit(self.buf.len(), on_line);
                    self.after_cr = true;
                }
                _ => {
                    self.buf.push(b);
                    if self.buf.len() >= MAX_LINE {
                        let cut = char_boundary(&self.buf);
                        self.emit(cut, on_line);
                    }
                }
            }
        }
    }

    /// The last line, when the output did not end with a line break.
    pub fn finish(&mut self, on_line: &mut impl FnMut(&str)) {
        if !self.buf.is_empty() {
            self.emit(self.buf.len(), on_line);
        }
    }

    fn emit(&mut self, n: usize, on_line: &mut impl FnMut(&str)) {
        let rest = self.buf.split_off(n);
        on_line(&readable(&self.buf));
        self.buf = rest;
    }
}

/// Where to cut a full line buffer: before a UTF-8 sequence its end has only begun.
fn char_boundary(buf: &[u8]) -> usize {
    let len = buf.len();
    for back in 1..=len.min(3) {
        let b = buf[len - back];
        if b & 0xc0 == 0x80 {
            continue;
        }
        let need = match b {
            0xf0.. => 4,
            0xe0.. => 3,
            0xc0.. => 2,
            _ => 1,
        };
        return if need > back { len - back } else { len };
    }
    len
}

/// Bytes as text: valid UTF-8 as it is, every other byte as `\xNN`.
pub fn readable(b: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(b) {
        return s.into();
    }
    let mut out = String::with_capacity(b.len() + 16);
    for chunk in b.utf8_chunks() {
        out.push_str(chunk.valid());
        for x in chunk.invalid() {
            out.push_str(&format!("\\x{x:02x}"));
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        Command::new("/bin/sh").arg("-c").arg(script)
    }

    fn lines_of(data: &[&[u8]]) -> Vec<String> {
        let mut l = Lines::default();
        let mut out = Vec::new();
        for d in data {
            l.feed(d, &mut |s: &str| out.push(s.to_string()));
        }
        l.finish(&mut |s: &str| out.push(s.to_string()));
        out
    }

    #[test]
    fn lines_split_on_newline_carriage_return_and_both() {
        assert_eq!(
            lines_of(&[b"a\nb\r", b"\nc\rd", b"\xffe"]),
            ["a", "b", "c", "d\\xffe"]
        );
        assert_eq!(lines_of(&[b"\n\n"]), ["", ""]);
        let long = "é".repeat(MAX_LINE);
        let got = lines_of(&[long.as_bytes()]);
        assert_eq!(got.concat(), long, "cut at character boundaries");
        assert!(got.iter().all(|l| l.len() <= MAX_LINE));
    }

    #[test]
    fn stdout_and_stderr_arrive_in_order_in_one_stream() {
        let c = sh("echo one; echo two >&2; echo three").capture().unwrap();
        assert!(c.finished.success());
        assert_eq!(c.output, "one\ntwo\nthree\n");
    }

    #[test]
    fn stdin_is_empty_and_the_status_is_kept() {
        let c = sh("cat; exit 3").capture().unwrap();
        assert_eq!(c.output, "");
        assert_eq!(c.finished.ended, Ended::Exited);
        assert_eq!(c.finished.status.code(), Some(3));
        assert_eq!(c.finished.describe(&sh("")).text, "exited with status 3");
    }

    #[test]
    fn endless_output_is_cut_at_the_cap() {
        let cmd = Command::new("/usr/bin/yes")
            .arg("v1.28.0")
            .max_output(Some(64 << 10));
        let c = cmd.capture().unwrap();
        assert_eq!(c.finished.ended, Ended::OutputLimit);
        assert_eq!(c.finished.bytes, 64 << 10);
        assert!(c.output.len() <= (64 << 10) + 1);
        assert_eq!(c.finished.describe(&cmd).text, "printed more than 64 KiB");
    }

    #[test]
    fn a_hung_program_and_its_children_are_killed_at_the_deadline() {
        let marker = format!("DSINSTALL_CHILD_TEST={}", std::process::id());
        let cmd = sh("sleep 1000 & sleep 1000")
            .env("DSINSTALL_CHILD_TEST", std::process::id().to_string())
            .timeout(Duration::from_millis(200))
            .grace(Duration::from_millis(200));
        let c = cmd.capture().unwrap();
        assert_eq!(c.finished.ended, Ended::TimedOut);
        assert_eq!(c.finished.describe(&cmd).text, "did not finish within 0.2s");
        assert_eq!(left_in_group_of(&marker), 0);
    }

    #[test]
    fn a_child_holding_the_pipe_does_not_hold_up_the_run() {
        // The program exits at once; its child keeps stdout open. The run ends with the
        // program, the output it wrote is kept, and the child is killed.
        let c = sh("sleep 1000 & echo v1.28.0; exit 0")
            .timeout(Duration::from_secs(600))
            .capture()
            .unwrap();
        assert!(c.finished.success(), "{:?}", c.finished);
        assert_eq!(c.output, "v1.28.0\n");
    }

    #[test]
    fn a_program_that_term_does_not_stop_is_killed() {
        let c = sh("trap '' TERM; echo go; sleep 1000")
            .timeout(Duration::from_millis(200))
            .grace(Duration::from_millis(100))
            .capture()
            .unwrap();
        assert_eq!(c.finished.ended, Ended::TimedOut);
        assert_eq!(c.output, "go\n");
    }

    #[test]
    fn cancel_ends_the_run() {
        let flag = Arc::new(AtomicBool::new(true));
        let c = sh("sleep 1000").cancel_on(flag).capture().unwrap();
        assert_eq!(c.finished.ended, Ended::Cancelled);
    }

    #[test]
    fn a_program_that_cannot_start_is_an_error() {
        let e = Command::new("/nonexistent/kubeadm").capture().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("kubeadm");
        std::fs::write(&f, "#!/bin/sh\necho v1.28.0\n").unwrap();
        let e = Command::new(&f).capture().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
    }

    #[test]
    fn streaming_gives_lines_as_they_come() {
        let mut got = Vec::new();
        let f = sh("printf 'a\\r'; printf 'b\\n'; printf 'c'")
            .stream(|l| got.push(l.to_string()))
            .unwrap();
        assert!(f.success());
        assert_eq!(got, ["a", "b", "c"]);
    }

    /// Processes whose environment holds `marker`.
    fn left_in_group_of(marker: &str) -> usize {
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| {
                std::fs::read(e.path().join("environ"))
                    .map(|c| c.split(|b| *b == 0).any(|v| v == marker.as_bytes()))
                    .unwrap_or(false)
            })
            .count()
    }
}
