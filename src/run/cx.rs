//! The runner's `StepCx`: every child of a step runs through `io::child` with what is left of
//! the step's deadline and the run's cancel flag, and each of its lines is redacted and handed
//! to the run's sink (the journal and the log for a run; the screen for reset and dry run)
//! under the step's id, as it arrives.

use super::backups::Backups;
use super::event::Event;
use super::redact::Redactor;
use super::step::StepCx;
use crate::io::child::{Command, Finished};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Most output a step's child may print before it is stopped: far past any real kubeadm
/// (`--v=9` of a whole init is tens of MB), short of filling the log's disk unattended.
pub const STEP_OUTPUT_CAP: u64 = 1 << 30;

/// Where a run's events go.
pub trait Sink {
    fn event(&mut self, e: Event);
}

/// A sink that keeps events (tests, dry runs).
impl Sink for Vec<Event> {
    fn event(&mut self, e: Event) {
        self.push(e);
    }
}

pub struct RunCx<'a> {
    pub root: PathBuf,
    pub rendered: PathBuf,
    pub step: String,
    pub sink: &'a mut dyn Sink,
    pub redactor: &'a mut Redactor,
    pub deadline: Instant,
    pub cancel: Arc<AtomicBool>,
    /// None in a dry run: nothing is backed up because nothing is changed.
    pub backups: Option<&'a mut Backups>,
    pub dry_run: bool,
    pub consented: bool,
    /// Where the running child's process group is kept (`io::child::Command::track`), so a
    /// runner that starts after this one was killed can stop what it left running.
    pub track: Option<PathBuf>,
}

impl RunCx<'_> {
    fn line(&mut self, text: &str) -> String {
        let t = self.redactor.line(text);
        self.sink.event(Event::Line {
            step: self.step.clone(),
            text: t.clone(),
        });
        t
    }

    /// Run a child under the step's deadline and the run's cancel flag; each line redacted
    /// into the sink, then handed to `on_line`, whose phase (when new) follows it.
    fn stream(
        &mut self,
        cmd: Command,
        on_line: &mut dyn FnMut(&str) -> Option<String>,
    ) -> io::Result<Finished> {
        if self.dry_run {
            return Err(io::Error::other(format!(
                "a dry run does not run {}",
                cmd.program().display()
            )));
        }
        if self.cancel.load(Ordering::Relaxed) {
            return Err(io::Error::other("the run was stopped"));
        }
        let mut cmd = cmd
            .within(self.left())
            .output_at_least(STEP_OUTPUT_CAP)
            .cancel_on(self.cancel.clone());
        if let Some(t) = &self.track {
            cmd = cmd.track(t);
        }
        let shown = format!("$ {}", describe(&cmd));
        self.line(&shown);
        let (sink, redactor, step) = (&mut *self.sink, &mut *self.redactor, &self.step);
        let mut last: Option<String> = None;
        cmd.stream(|l| {
            let t = redactor.line(l);
            sink.event(Event::Line {
                step: step.clone(),
                text: t.clone(),
            });
            if let Some(p) = on_line(&t)
                && last.as_deref() != Some(p.as_str())
            {
                sink.event(Event::Phase {
                    step: step.clone(),
                    phase: p.clone(),
                });
                last = Some(p);
            }
        })
    }

    fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }
}

impl StepCx for RunCx<'_> {
    fn root(&self) -> &Path {
        &self.root
    }
    fn rendered(&self) -> &Path {
        &self.rendered
    }
    fn tool(&self, name: &str) -> PathBuf {
        crate::host::tools::locate(name)
    }
    fn run(&mut self, cmd: Command) -> io::Result<Finished> {
        self.run_with(cmd, &mut |_| {})
    }
    fn run_with(&mut self, cmd: Command, on_line: &mut dyn FnMut(&str)) -> io::Result<Finished> {
        self.stream(cmd, &mut |l| {
            on_line(l);
            None
        })
    }
    fn run_phased(
        &mut self,
        cmd: Command,
        on_line: &mut dyn FnMut(&str) -> Option<String>,
    ) -> io::Result<Finished> {
        self.stream(cmd, on_line)
    }
    fn say(&mut self, text: &str) {
        self.line(text);
    }
    fn phase(&mut self, phase: &str) {
        self.sink.event(Event::Phase {
            step: self.step.clone(),
            phase: phase.to_string(),
        });
    }
    fn check(&mut self, result: &crate::verify::report::CheckResult) {
        self.sink.event(Event::Check {
            check: result.clone(),
        });
    }
    fn backup(&mut self, host: &Path) -> io::Result<()> {
        match self.backups.as_deref_mut() {
            Some(b) => b.backup(host),
            None => Err(io::Error::other("a dry run changes no file")),
        }
    }
    fn dry_run(&self) -> bool {
        self.dry_run
    }
    fn consented(&self) -> bool {
        self.consented
    }
}

/// The command line as a person would type it (program's file name and arguments), for the
/// log. Redacted with the rest of the line.
pub fn describe(cmd: &Command) -> String {
    let mut s = cmd
        .program()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for a in cmd.arg_list() {
        s.push(' ');
        let a = a.to_string_lossy();
        // A script handed to a shell (`ssh node sh -c '...'`) is the step's business, not a
        // line of its log: its first line stands for it.
        match a.split_once('\n') {
            Some((first, rest)) => s.push_str(&format!(
                "{}…(+{} lines)",
                shell_word(first),
                rest.lines().count()
            )),
            None => s.push_str(&shell_word(&a)),
        }
    }
    s
}

/// One argument as a POSIX shell reads it back: quoted only where it has to be.
pub fn shell_word(a: &str) -> String {
    if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$`\\;&|<>()*?#~".contains(c)) {
        format!("'{}'", a.replace('\'', r"'\''"))
    } else {
        a.to_string()
    }
}
