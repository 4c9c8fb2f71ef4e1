//! `apply --dry-run` (run.md): the whole sequence — each step's probe, then the commands it
//! would run with their arguments and the files it would write with diffs against what is on
//! disk — and what `reset` would undo, with nothing run that changes the host. It runs in the
//! client: the files are rendered into a private temporary directory removed afterwards, and
//! neither the state directory nor the log is touched.

use super::cx::RunCx;
use super::event::Event;
use super::prepare::{self, Refused};
use super::redact::Redactor;
use super::step::{Change, Failure, Probe, Said};
use super::steps::{self, Setup};
use crate::answers::Answers;
use crate::render::Templates;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// The dry run's report, a line at a time; Err when the answers cannot be prepared.
/// `consented`: as `--yes` (the fstab edit is listed as done rather than left alone).
pub fn run(
    answers: Answers,
    answers_path: &Path,
    root: &Path,
    skip_image_pull: bool,
    consented: bool,
    out: &mut dyn FnMut(Line),
) -> Result<(), Refused> {
    // Secrets of its own, used for nothing and redacted from every line shown.
    let token = crate::render::new_bootstrap_token();
    let key = crate::render::new_certificate_key();
    let prepared = prepare::prepare(answers, answers_path, &Templates::embedded(), &token, &key)?;
    let mut redactor = Redactor::new(&[&token, &key]);
    let tmp = std::env::temp_dir().join(format!(
        "dsinstall-dry-run-{}",
        crate::io::sys::random_suffix()
    ));
    // The files are rendered to a temporary directory, but the run reads them from the
    // state directory: the lines say where the run will have them.
    let (shown_tmp, shown_run) = (
        tmp.display().to_string(),
        super::paths::state_dir()
            .join(super::record::RENDERED)
            .display()
            .to_string(),
    );
    let out = &mut |l: Line| {
        out(l.map_values(&mut |v| redactor.line(&v).replace(&shown_tmp, &shown_run)))
    };
    crate::io::write::create_private_dir(&tmp)
        .map_err(|e| Refused::Render(format!("{}: {e}", tmp.display())))?;
    let result = (|| {
        crate::render::write_dir(&prepared.files, &tmp, || {})
            .map_err(|e| Refused::Render(format!("{}: {e}", tmp.display())))?;
        let setup = Setup {
            answers: prepared.answers,
            plan: prepared.plan,
            rendered: tmp.clone(),
            skip_image_pull,
            wait: steps::WAIT_DEFAULT,
        };
        report(&setup, root, consented, out);
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

/// One line of the dry run's report, as data: `apply --dry-run` prints its English
/// ([`Line::english`]), the wizard's Confirm screen shows it in its language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// The report's first line.
    Header,
    /// A step and its probe's verdict.
    Step { step: String, verdict: Verdict },
    /// A command the step runs, as a shell would read it.
    Run { step: String, command: String },
    /// A file the step writes, followed by its diff.
    Write { step: String, path: String },
    /// One line of a unified diff (`+added`, `-removed`, ` kept`, headers).
    Diff { step: String, line: String },
    /// Any other change the step makes.
    Note { step: String, note: Said },
    /// What `dsinstall reset` would undo.
    Reset,
}

/// What a step's probe found, in a dry run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Done(Said),
    ToDo(Said),
    /// The probe itself failed: the step would fail so.
    WouldFail(Failure),
}

/// (code, English) of the report's lines; `{0}` is the step id where a line has one.
pub const TEXTS: &[(&str, &str)] = &[
    (
        "dry.header",
        "dry run: nothing that changes the host runs; the steps in order:",
    ),
    ("dry.done", "==> {0}: done already: {1}"),
    ("dry.todo", "==> {0}: to do: {1}"),
    ("dry.would_fail", "==> {0}: would fail: {1} (fix: {2})"),
    ("dry.run", "[{0}] run: {1}"),
    ("dry.write", "[{0}] write: {1}"),
    ("dry.note", "[{0}] {1}"),
    (
        "dry.reset",
        "dsinstall reset would undo: kubeadm reset -f; the CNI configuration, Calico's interfaces and state; the KUBE-/cali- chains of iptables and ip6tables; IPVS in ipvs mode; the kubeconfig copies; and every file above put back as it was (or removed, where dsinstall created it)",
    ),
];

impl Line {
    /// The line's code and its values, the step's detail last where there is one (a front
    /// end shows the detail in its language in that place). None for a diff line: data.
    pub fn code(&self) -> Option<(&'static str, Vec<&str>)> {
        Some(match self {
            Line::Header => ("dry.header", vec![]),
            Line::Step { step, verdict } => match verdict {
                Verdict::Done(d) => ("dry.done", vec![step, &d.text]),
                Verdict::ToDo(d) => ("dry.todo", vec![step, &d.text]),
                Verdict::WouldFail(f) => ("dry.would_fail", vec![step, &f.cause, &f.fix]),
            },
            Line::Run { step, command } => ("dry.run", vec![step, command]),
            Line::Write { step, path } => ("dry.write", vec![step, path]),
            Line::Note { step, note } => ("dry.note", vec![step, &note.text]),
            Line::Diff { .. } => return None,
            Line::Reset => ("dry.reset", vec![]),
        })
    }

    /// The line as `apply --dry-run` prints it.
    pub fn english(&self) -> String {
        match (self, self.code()) {
            (Line::Diff { step, line }, _) => format!("[{step}]   {line}"),
            (_, Some((code, args))) => {
                crate::message::fill(crate::message::english(TEXTS, code).unwrap_or(code), &args)
            }
            (_, None) => String::new(),
        }
    }

    /// The line with `f` applied to every value in it (redaction).
    fn map_values(self, m: &mut dyn FnMut(String) -> String) -> Line {
        match self {
            Line::Step { step, verdict } => Line::Step {
                step,
                verdict: match verdict {
                    Verdict::Done(d) => Verdict::Done(d.map_values(m)),
                    Verdict::ToDo(d) => Verdict::ToDo(d.map_values(m)),
                    Verdict::WouldFail(f) => Verdict::WouldFail(Failure {
                        cause: m(f.cause),
                        fix: m(f.fix),
                        diagnosis: f.diagnosis.map(|mut d| {
                            d.args = d.args.into_iter().map(&mut *m).collect();
                            d.arg_codes = d.arg_codes.map_values(m);
                            d
                        }),
                    }),
                },
            },
            Line::Run { step, command } => Line::Run {
                step,
                command: m(command),
            },
            Line::Write { step, path } => Line::Write {
                step,
                path: m(path),
            },
            Line::Diff { step, line } => Line::Diff {
                step,
                line: m(line),
            },
            Line::Note { step, note } => Line::Note {
                step,
                note: note.map_values(m),
            },
            l @ (Line::Header | Line::Reset) => l,
        }
    }
}

fn report(setup: &Setup, root: &Path, consented: bool, out: &mut dyn FnMut(Line)) {
    let mut sink: Vec<Event> = Vec::new();
    let mut redactor = Redactor::new(&[]);
    let cancel = Arc::new(AtomicBool::new(false));
    out(Line::Header);
    for step in steps::list(setup) {
        let id = step.id();
        let mut cx = RunCx {
            root: root.to_path_buf(),
            rendered: setup.rendered.clone(),
            step: id.clone(),
            sink: &mut sink,
            redactor: &mut redactor,
            deadline: Instant::now() + Duration::from_secs(60),
            cancel: cancel.clone(),
            backups: None,
            dry_run: true,
            consented,
            track: None,
        };
        let verdict = match step.probe(&mut cx) {
            Ok(Probe::Done(d)) => Verdict::Done(d),
            Ok(Probe::Needed(d)) => Verdict::ToDo(d),
            Err(f) => Verdict::WouldFail(f),
        };
        out(Line::Step {
            step: id.clone(),
            verdict,
        });
        for c in step.changes(&mut cx) {
            let step = id.clone();
            match c {
                Change::Command(argv) => out(Line::Run {
                    step,
                    command: shell_words(&argv),
                }),
                Change::File { path, diff } => {
                    out(Line::Write {
                        step: step.clone(),
                        path: path.display().to_string(),
                    });
                    for l in diff.lines() {
                        out(Line::Diff {
                            step: step.clone(),
                            line: l.to_string(),
                        });
                    }
                }
                Change::Note(note) => out(Line::Note { step, note }),
            }
        }
        sink.clear();
    }
    out(Line::Reset);
}

fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|a| super::cx::shell_word(a))
        .collect::<Vec<_>>()
        .join(" ")
}
