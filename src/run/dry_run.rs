//! `apply --dry-run` (run.md): the whole sequence — each step's probe, then the commands it
//! would run with their arguments and the files it would write with diffs against what is on
//! disk — and what `reset` would undo, with nothing run that changes the host. It runs in the
//! client: the files are rendered into a private temporary directory removed afterwards, and
//! neither the state directory nor the log is touched.

use super::cx::RunCx;
use super::event::Event;
use super::prepare::{self, Refused};
use super::redact::Redactor;
use super::step::{Change, Probe};
use super::steps::{self, Setup};
use crate::answers::Answers;
use crate::render::Templates;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// The dry run's report, a line at a time; Err when the answers cannot be prepared.
pub fn run(
    answers: Answers,
    answers_path: &Path,
    root: &Path,
    skip_image_pull: bool,
    consented: bool,
    out: &mut dyn FnMut(&str),
) -> Result<(), Refused> {
    // Secrets of its own, used for nothing and redacted from every line shown.
    let token = crate::render::new_bootstrap_token();
    let key = crate::render::new_certificate_key();
    let prepared = prepare::prepare(answers, answers_path, &Templates::embedded(), &token, &key)?;
    let mut redactor = Redactor::new(&[&token, &key]);
    let out = &mut |l: &str| out(&redactor.line(l));
    let tmp = std::env::temp_dir().join(format!(
        "dsinstall-dry-run-{}",
        crate::io::sys::random_suffix()
    ));
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

fn report(setup: &Setup, root: &Path, consented: bool, out: &mut dyn FnMut(&str)) {
    let mut sink: Vec<Event> = Vec::new();
    let mut redactor = Redactor::new(&[]);
    let cancel = Arc::new(AtomicBool::new(false));
    out("dry run: nothing that changes the host runs; the steps in order:");
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
        let probe = match step.probe(&mut cx) {
            Ok(Probe::Done(d)) => format!("done already: {d}"),
            Ok(Probe::Needed(d)) => format!("to do: {d}"),
            Err(f) => format!("would fail: {} (fix: {})", f.cause, f.fix),
        };
        out(&format!("==> {id}: {probe}"));
        for c in step.changes(&mut cx) {
            match c {
                Change::Command(argv) => out(&format!("[{id}] run: {}", shell_words(&argv))),
                Change::File { path, diff } => {
                    out(&format!("[{id}] write: {}", path.display()));
                    for l in diff.lines() {
                        out(&format!("[{id}]   {l}"));
                    }
                }
                Change::Note(n) => out(&format!("[{id}] {n}")),
            }
        }
        sink.clear();
    }
    out(
        "dsinstall reset would undo: kubeadm reset -f; the CNI configuration, Calico's interfaces and state; the KUBE-/cali- chains of iptables and ip6tables; IPVS in ipvs mode; the kubeconfig copies; and every file above put back as it was (or removed, where dsinstall created it)",
    );
}

fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|a| super::cx::shell_word(a))
        .collect::<Vec<_>>()
        .join(" ")
}
