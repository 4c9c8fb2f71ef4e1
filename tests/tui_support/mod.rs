//! Helpers for the wizard's tests: the demo model with a fixed token, keys, drawing.
#![allow(dead_code)]

use crossterm::event::KeyCode;
use dsinstall::answers::Answers;
use dsinstall::render::Templates;
use dsinstall::tui::i18n::Lang;
use dsinstall::tui::model::{Disk, Env, ManifestSource, Model};
use dsinstall::tui::update::{Msg, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// A fixed bootstrap token: snapshots must not change from run to run.
pub const TEST_TOKEN: &str = "tuitst.0123456789abcdef";
/// A fixed certificate key, for the same reason.
pub const TEST_CERTIFICATE_KEY: &str =
    "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

/// The demo lab as `--demo` starts it, with a fixed token and `export_path` as the target.
pub fn demo(lang: Lang, export_path: &str) -> Model {
    let env = Env {
        templates: Ok(Templates::embedded()),
        manifest: ManifestSource::Bundled,
        bootstrap_token: TEST_TOKEN.into(),
        certificate_key: TEST_CERTIFICATE_KEY.into(),
        disk: Disk::Demo,
    };
    Model::new(
        lang,
        dsinstall::host::demo_facts(),
        Answers::seed(),
        env,
        export_path.into(),
        true,
    )
}

pub fn press(m: &mut Model, code: KeyCode) {
    update(m, Msg::key(code));
}

pub fn chars(m: &mut Model, s: &str) {
    for c in s.chars() {
        update(m, Msg::ch(c));
    }
}

pub fn keys(m: &mut Model, codes: &[KeyCode]) {
    for c in codes {
        press(m, *c);
    }
}

/// Focus the field with this label path (answers path) on the current screen.
pub fn focus_path(m: &mut Model, path: &str) {
    for _ in 0..m.fields().len() + 1 {
        if m.focused_field().map(|f| f.path(m)) == Some(path.to_string()) {
            return;
        }
        press(m, KeyCode::Tab);
    }
    panic!("no field {path} on {:?}", m.screen);
}

/// Go to screen `i` (0-based) with the screen keys.
pub fn goto(m: &mut Model, i: usize) {
    while m.screen.index() > i {
        press(m, KeyCode::Left);
    }
    while m.screen.index() < i {
        press(m, KeyCode::Right);
    }
}

/// Draw the model on a test terminal of this size.
pub fn draw(m: &Model, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| dsinstall::tui::view::view(f, m)).unwrap();
    t
}

/// The screen's text, one string per row.
pub fn rows(t: &Terminal<TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let mut s = String::new();
            let mut x = 0;
            while x < buf.area.width {
                let sym = buf[(x, y)].symbol();
                s.push_str(sym);
                x += unicode_width::UnicodeWidthStr::width(sym).max(1) as u16;
            }
            s
        })
        .collect()
}

pub mod pty {
    //! The real binary in a pseudo-terminal: keys in, screen (vt100) and raw bytes out.

    use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
    use std::io::{Read, Write};
    use std::path::Path;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    pub struct Pty {
        pub child: Box<dyn Child + Send + Sync>,
        writer: Box<dyn Write + Send>,
        _master: Box<dyn MasterPty + Send>,
        pub raw: Arc<Mutex<Vec<u8>>>,
        pub parser: Arc<Mutex<vt100::Parser>>,
        /// Set when the reader saw the end of the output (the child and its pty closed).
        eof: Arc<std::sync::atomic::AtomicBool>,
    }

    impl Pty {
        /// Start `bin args` in an 80x24 pty with TERM=xterm-256color in `cwd`.
        pub fn spawn(bin: &Path, args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Pty {
            let pair = native_pty_system()
                .openpty(PtySize {
                    rows: 24,
                    cols: 80,
                    pixel_width: 0,
                    pixel_height: 0,
                })
                .expect("openpty");
            let mut cmd = CommandBuilder::new(bin);
            cmd.args(args);
            cmd.cwd(cwd);
            cmd.env("TERM", "xterm-256color");
            for v in ["LANG", "LC_ALL", "LC_MESSAGES", "LC_CTYPE", "NO_COLOR"] {
                cmd.env_remove(v);
            }
            // A UTF-8 locale that names no language: the wizard draws Unicode and takes its
            // language from --lang.
            cmd.env("LC_CTYPE", "C.UTF-8");
            for (k, v) in env {
                cmd.env(k, v);
            }
            let child = pair.slave.spawn_command(cmd).expect("spawn");
            drop(pair.slave);
            let mut reader = pair.master.try_clone_reader().unwrap();
            let writer = pair.master.take_writer().unwrap();
            let raw = Arc::new(Mutex::new(Vec::new()));
            let parser = Arc::new(Mutex::new(vt100::Parser::new(
                std::num::NonZeroU16::new(24).unwrap(),
                std::num::NonZeroU16::new(80).unwrap(),
                0,
            )));
            let (r2, p2) = (Arc::clone(&raw), Arc::clone(&parser));
            let eof = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let eof2 = Arc::clone(&eof);
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    r2.lock().unwrap().extend_from_slice(&buf[..n]);
                    p2.lock().unwrap().process(&buf[..n]);
                }
                eof2.store(true, std::sync::atomic::Ordering::SeqCst);
            });
            Pty {
                child,
                writer,
                _master: pair.master,
                raw,
                parser,
                eof,
            }
        }

        pub fn screen(&self) -> String {
            self.parser.lock().unwrap().screen().contents()
        }

        /// Wait until the screen shows `text`; panics with the screen after `secs`.
        pub fn wait_for(&self, text: &str, secs: u64) {
            let end = Instant::now() + Duration::from_secs(secs);
            while Instant::now() < end {
                if self.screen().contains(text) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            panic!("{text:?} did not appear; screen:\n{}", self.screen());
        }

        pub fn send(&mut self, s: &str) {
            self.writer.write_all(s.as_bytes()).unwrap();
            self.writer.flush().unwrap();
        }

        /// The exit code, waiting at most `secs`; None when it is still running.
        pub fn wait_exit(&mut self, secs: u64) -> Option<u32> {
            let end = Instant::now() + Duration::from_secs(secs);
            while Instant::now() < end {
                if let Some(s) = self.child.try_wait().unwrap() {
                    // Let the reader drain the last bytes (EOF, or 2 s at most).
                    let drained = Instant::now() + Duration::from_secs(2);
                    while !self.eof.load(std::sync::atomic::Ordering::SeqCst)
                        && Instant::now() < drained
                    {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    return Some(s.exit_code());
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            None
        }

        /// The signal that ended the child (its strsignal name), waiting at most `secs`;
        /// None when it is still running or exited normally.
        pub fn wait_signal(&mut self, secs: u64) -> Option<String> {
            let end = Instant::now() + Duration::from_secs(secs);
            while Instant::now() < end {
                if let Some(s) = self.child.try_wait().unwrap() {
                    let drained = Instant::now() + Duration::from_secs(2);
                    while !self.eof.load(std::sync::atomic::Ordering::SeqCst)
                        && Instant::now() < drained
                    {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    return s.signal().map(str::to_string);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            None
        }

        /// Wait until the child's state (field 3 of /proc/PID/stat) is `state`.
        pub fn wait_state(&self, state: char, secs: u64) {
            let end = Instant::now() + Duration::from_secs(secs);
            let read = || {
                let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))
                    .unwrap_or_default();
                stat.rfind(')')
                    .and_then(|i| stat[i + 2..].chars().next())
                    .unwrap_or('?')
            };
            while Instant::now() < end {
                if read() == state {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            panic!("the child never reached state {state}; it is {}", read());
        }

        /// Resize the terminal (the child gets SIGWINCH) and the emulated screen with it.
        pub fn resize(&self, rows: u16, cols: u16) {
            let nz = |n: u16| std::num::NonZeroU16::new(n).expect("non-zero size");
            self.parser
                .lock()
                .unwrap()
                .screen_mut()
                .set_size(nz(rows), nz(cols));
            self._master
                .resize(PtySize {
                    rows,
                    cols,
                    pixel_width: 0,
                    pixel_height: 0,
                })
                .unwrap();
        }

        /// Whether the terminal is in cooked mode (line editing and echo on), as a shell
        /// needs it; false in the wizard's raw mode.
        pub fn cooked(&self) -> bool {
            let fd = self._master.as_raw_fd().expect("a unix pty");
            // SAFETY: tcgetattr on the master reports the pty's mode into a local struct.
            let mut t: libc::termios = unsafe { std::mem::zeroed() };
            assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0, "tcgetattr");
            t.c_lflag & (libc::ICANON | libc::ECHO) == (libc::ICANON | libc::ECHO)
        }

        pub fn pid(&self) -> libc::pid_t {
            self.child.process_id().expect("pid") as libc::pid_t
        }

        pub fn raw_bytes(&self) -> Vec<u8> {
            self.raw.lock().unwrap().clone()
        }
    }

    impl Drop for Pty {
        fn drop(&mut self) {
            let _ = self.child.kill();
        }
    }
}

/// Runner events, as the journal holds them, for the Install and Checks screens.
pub mod runner_events {
    use dsinstall::run::event::{Event, RunState, StepState};
    use dsinstall::run::step::Failure;
    use dsinstall::tui::install::Feed;
    use dsinstall::tui::model::Model;
    use dsinstall::tui::update::{Msg, update};
    use dsinstall::verify::report::{CheckResult, CheckStatus};

    pub const STEPS: [&str; 5] = [
        "preflight",
        "host.sysctl",
        "images",
        "kubeadm.init",
        "verify",
    ];

    pub fn feed(m: &mut Model, e: Event) {
        update(m, Msg::Feed(Feed::Event(e)));
    }

    pub fn started(m: &mut Model) {
        feed(
            m,
            Event::RunStarted {
                run: "20261202T070000Z-ab12".into(),
                time: "2026-12-02T07:00:00.000Z".into(),
                answers: "/tmp/lab/answers.yaml".into(),
                log: "/tmp/lab/var/log/dsinstall/apply-20261202T070000Z-ab12.log".into(),
                steps: STEPS.iter().map(|s| s.to_string()).collect(),
                pid: 4242,
                dry_run: false,
            },
        );
    }

    pub fn step(m: &mut Model, id: &str, attempt: u32) {
        feed(
            m,
            Event::StepStarted {
                step: id.into(),
                attempt,
                time: "2026-12-02T07:00:01.000Z".into(),
            },
        );
    }

    pub fn line(m: &mut Model, id: &str, text: &str) {
        feed(
            m,
            Event::Line {
                step: id.into(),
                text: text.into(),
            },
        );
    }

    pub fn ended(m: &mut Model, id: &str, ms: u64) {
        feed(
            m,
            Event::StepEnded {
                step: id.into(),
                state: StepState::Done,
                duration_ms: ms,
                error: None,
                hint: None,
                diagnosis: None,
            },
        );
    }

    pub fn failed(m: &mut Model, id: &str, cause: &str, fix: &str) {
        feed(
            m,
            Event::StepEnded {
                step: id.into(),
                state: StepState::Failed,
                duration_ms: 5200,
                error: Some(cause.into()),
                hint: Some(fix.into()),
                diagnosis: None,
            },
        );
    }

    /// A step failed as the runner reports it: the cause and fix with their code.
    pub fn failed_with(m: &mut Model, id: &str, f: Failure) {
        feed(
            m,
            Event::StepEnded {
                step: id.into(),
                state: StepState::Failed,
                duration_ms: 5200,
                error: Some(f.cause),
                hint: Some(f.fix),
                diagnosis: f.diagnosis,
            },
        );
    }

    pub fn run_ended(m: &mut Model, state: RunState) {
        feed(
            m,
            Event::RunEnded {
                state,
                time: "2026-12-02T07:02:00.000Z".into(),
            },
        );
    }

    pub fn check(
        m: &mut Model,
        id: &str,
        family: Option<&str>,
        status: CheckStatus,
        hint: Option<&str>,
    ) {
        feed(
            m,
            Event::Check {
                check: CheckResult {
                    id: id.into(),
                    family: family.map(String::from),
                    status,
                    duration_ms: 120,
                    evidence: format!("{id} evidence: 10.0.0.1, fd00::1"),
                    hint: hint.map(String::from),
                    hint_code: None,
                    evidence_code: None,
                    evidence_parts: Vec::new(),
                },
            },
        );
    }

    /// A run in kubeadm.init, its log busy.
    pub fn running(m: &mut Model) {
        m.run.stage = Some(dsinstall::tui::install::Stage::Install);
        started(m);
        for (id, ms) in [("preflight", 300), ("host.sysctl", 400), ("images", 28000)] {
            step(m, id, 1);
            line(m, id, &format!("{id} did its work"));
            ended(m, id, ms);
        }
        step(m, "kubeadm.init", 1);
        feed(
            m,
            Event::Phase {
                step: "kubeadm.init".into(),
                phase: "[certs]".into(),
            },
        );
        for i in 0..40 {
            line(m, "kubeadm.init", &format!("[certs] Generating key {i}"));
        }
    }

    /// The guide's run, failed in kubeadm.init.
    pub fn failed_run(m: &mut Model) {
        running(m);
        failed(
            m,
            "kubeadm.init",
            "the node's InternalIP is IPv4 only",
            "set nodes[0].addresses to one address of each family",
        );
        run_ended(m, RunState::Failed);
    }

    /// A run that passed, its checks in.
    pub fn done_run(m: &mut Model) {
        running(m);
        ended(m, "kubeadm.init", 61000);
        step(m, "verify", 1);
        check(
            m,
            "node.internal-ips",
            Some("ipv4"),
            CheckStatus::Pass,
            None,
        );
        check(
            m,
            "node.internal-ips",
            Some("ipv6"),
            CheckStatus::Pass,
            None,
        );
        check(
            m,
            "svc.cluster-ip",
            Some("ipv6"),
            CheckStatus::Warn,
            Some("kube-proxy is slow to program ip6tables"),
        );
        check(m, "dns.resolve", None, CheckStatus::Pass, None);
        ended(m, "verify", 3000);
        run_ended(m, RunState::Done);
    }

    /// kubeadm's preflight as `kubeadm init` prints it: the port in use, and swap on.
    pub const PREFLIGHT_LINES: [&str; 4] = [
        "[preflight] Running pre-flight checks",
        "error execution phase preflight: [preflight] Some fatal errors occurred:",
        "\t[ERROR Port-6443]: Port 6443 is in use",
        "\t[ERROR Swap]: running with swap on is not supported. Please disable swap",
    ];

    /// The run failed in kubeadm.init's preflight, diagnosed by the runner.
    pub fn diagnosed_run(m: &mut Model) {
        running(m);
        let lines: Vec<String> = PREFLIGHT_LINES.iter().map(|l| l.to_string()).collect();
        failed_with(
            m,
            "kubeadm.init",
            dsinstall::run::diagnose::kubeadm(&lines, "init"),
        );
        run_ended(m, RunState::Failed);
    }

    /// The run failed joining node02: it cannot be reached over SSH, as the SSH link
    /// explains it (its cause and fix by code).
    pub fn ssh_failed_run(m: &mut Model) {
        m.run.stage = Some(dsinstall::tui::install::Stage::Install);
        let mut steps: Vec<String> = STEPS.iter().map(|s| s.to_string()).collect();
        steps.insert(4, "join.node02".into());
        feed(
            m,
            Event::RunStarted {
                run: "20261202T070000Z-ab12".into(),
                time: "2026-12-02T07:00:00.000Z".into(),
                answers: "/tmp/lab/answers.yaml".into(),
                log: "/tmp/lab/var/log/dsinstall/apply-20261202T070000Z-ab12.log".into(),
                steps,
                pid: 4242,
                dry_run: false,
            },
        );
        for (id, ms) in [
            ("preflight", 300),
            ("host.sysctl", 400),
            ("images", 28000),
            ("kubeadm.init", 61000),
        ] {
            step(m, id, 1);
            ended(m, id, ms);
        }
        step(m, "join.node02", 1);
        let dir = tempfile::tempdir().unwrap();
        let target = dsinstall::run::remote::Target {
            node: "node02".into(),
            host: "2018::22".into(),
            user: "root".into(),
            port: 22,
            identity_file: None,
            known_hosts: None,
        };
        let r = dsinstall::run::remote::Remote::new(target, dir.path()).unwrap();
        let ran = dsinstall::run::remote::Ran {
            code: Some(255),
            lines: vec!["ssh: connect to host 2018::22 port 22: Connection timed out".into()],
        };
        failed_with(m, "join.node02", r.explain(&ran).unwrap());
        run_ended(m, RunState::Failed);
    }

    /// The guide's 1.19 run: it installed, and node.internal-ips found no IPv6 InternalIP,
    /// with the hint the check writes for 1.19 (by its code).
    pub fn failed_checks_run(m: &mut Model) {
        running(m);
        ended(m, "kubeadm.init", 61000);
        step(m, "verify", 1);
        check(m, "node.ready", None, CheckStatus::Pass, None);
        check(
            m,
            "node.internal-ips",
            Some("ipv4"),
            CheckStatus::Pass,
            None,
        );
        use dsinstall::message::Said;
        use dsinstall::verify::{calico, nodes};
        let failed = [
            (
                "node.internal-ips",
                Said::joined([Said::coded(
                    nodes::TEXTS,
                    "verify.node.internal_ips.missing",
                    &[&"node01", &"IPv6", &"111.111.111.121"],
                )]),
                Said::coded(nodes::TEXTS, "verify.node.internal_ips.v119", &[]),
            ),
            (
                "calico.pools",
                Said::coded(calico::TEXTS, "verify.calico.pools.none", &[&"IPv6"]),
                Said::coded(calico::TEXTS, "verify.calico.pools.no_ipv6", &[]),
            ),
        ];
        failed_checks_end(m, failed);
    }

    /// A two-node run whose checks found several things each: per-node findings joined
    /// into one evidence, as the checks write them (each finding by its code).
    pub fn composite_checks_run(m: &mut Model) {
        use dsinstall::message::Said;
        use dsinstall::verify::{calico, nodes};
        running(m);
        ended(m, "kubeadm.init", 61000);
        step(m, "verify", 1);
        check(m, "node.ready", None, CheckStatus::Pass, None);
        let failed = [
            (
                "node.internal-ips",
                Said::joined([
                    Said::coded(
                        nodes::TEXTS,
                        "verify.node.internal_ips.missing.none",
                        &[&"node02", &"IPv6"],
                    ),
                    Said::coded(
                        nodes::TEXTS,
                        "verify.node.internal_ips.planned",
                        &[&"node03", &"2018::123", &"2018::124"],
                    ),
                    Said::coded(
                        nodes::TEXTS,
                        "verify.node.internal_ips.seen",
                        &[&"node01", &"2018::121"],
                    ),
                ]),
                Said::coded(nodes::TEXTS, "verify.node.internal_ips.node_ip", &[]),
            ),
            (
                "calico.pools",
                Said::coded_with(
                    calico::TEXTS,
                    "verify.calico.pools.differs",
                    &[
                        &"default-ipv6-ippool: cidr fd00:10:244::/64, blockSize 122, encapsulation None, natOutgoing true",
                    ],
                    [
                        Said::coded(
                            calico::TEXTS,
                            "verify.calico.pools.planned",
                            &[&"cidr", &"fd00:10:244::/64", &"fd00:10:244::/56"],
                        ),
                        Said::coded(
                            calico::TEXTS,
                            "verify.calico.pools.planned",
                            &[&"blockSize", &122, &120],
                        ),
                    ],
                ),
                Said::coded(calico::TEXTS, "verify.calico.pools.kept", &[]),
            ),
        ];
        failed_checks_end(m, failed);
    }

    /// The guide's 1.19 run failed in verify: node.internal-ips found no IPv6 InternalIP,
    /// and the verify step failed naming that check (its evidence in the cause, its hint
    /// as the fix), as the runner writes it.
    pub fn failed_verify_run(m: &mut Model) {
        use dsinstall::message::Said;
        use dsinstall::verify::nodes;
        running(m);
        ended(m, "kubeadm.init", 61000);
        step(m, "verify", 1);
        let evidence = Said::joined([Said::coded(
            nodes::TEXTS,
            "verify.node.internal_ips.missing",
            &[&"node01", &"IPv6", &"111.111.111.121"],
        )]);
        let hint = Said::coded(nodes::TEXTS, "verify.node.internal_ips.v119", &[]);
        let (cause_evidence, fix) = (evidence.text.clone(), hint.text.clone());
        failed_check(m, "node.internal-ips", evidence, hint);
        let f = dsinstall::run::diagnose::coded(
            "run.verify.failed",
            &[&"node.internal-ips/ipv6", &cause_evidence],
        );
        failed_with(m, "verify", Failure { fix, ..f });
        run_ended(m, RunState::Failed);
    }

    /// Each (id, evidence, hint) as a failed IPv6 check, then verify and the run end.
    fn failed_checks_end<'a>(
        m: &mut Model,
        failed: impl IntoIterator<Item = (&'a str, dsinstall::message::Said, dsinstall::message::Said)>,
    ) {
        for (id, evidence, hint) in failed {
            failed_check(m, id, evidence, hint);
        }
        ended(m, "verify", 3000);
        run_ended(m, RunState::Done);
    }

    /// A failed IPv6 check `id` with its evidence and hint, as the checks write them.
    fn failed_check(
        m: &mut Model,
        id: &str,
        evidence: dsinstall::message::Said,
        hint: dsinstall::message::Said,
    ) {
        feed(
            m,
            Event::Check {
                check: CheckResult {
                    id: id.into(),
                    family: Some("ipv6".into()),
                    status: CheckStatus::Fail,
                    duration_ms: 120,
                    evidence: evidence.text,
                    evidence_code: evidence.code,
                    evidence_parts: evidence.parts,
                    hint: Some(hint.text),
                    hint_code: hint.code,
                },
            },
        );
    }
}
