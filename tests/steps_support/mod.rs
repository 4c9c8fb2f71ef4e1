//! A StepCx for tests: children run directly with io::child, host files under a temporary
//! root, backups copied into a directory once per file, every line kept.

#![allow(dead_code)]

use dsinstall::io::child::{Command, Finished};
use dsinstall::run::step::StepCx;
use dsinstall::verify::report::CheckResult;
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

pub struct TestCx {
    pub root: PathBuf,
    pub rendered: PathBuf,
    /// Where the tools are (the lab's bin/); absent ones come from PATH.
    pub bin: PathBuf,
    pub backups: PathBuf,
    pub backed_up: BTreeSet<PathBuf>,
    pub lines: Vec<String>,
    pub phases: Vec<String>,
    /// Every command run, with its arguments.
    pub commands: Vec<String>,
    pub dry_run: bool,
    pub consented: bool,
}

impl TestCx {
    pub fn new(root: &Path, rendered: &Path, bin: &Path, backups: &Path) -> TestCx {
        TestCx {
            root: root.into(),
            rendered: rendered.into(),
            bin: bin.into(),
            backups: backups.into(),
            backed_up: BTreeSet::new(),
            lines: Vec::new(),
            phases: Vec::new(),
            commands: Vec::new(),
            dry_run: false,
            consented: true,
        }
    }
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

impl StepCx for TestCx {
    fn root(&self) -> &Path {
        &self.root
    }
    fn rendered(&self) -> &Path {
        &self.rendered
    }
    fn tool(&self, name: &str) -> PathBuf {
        let p = self.bin.join(name);
        if p.exists() { p } else { PathBuf::from(name) }
    }
    fn run(&mut self, cmd: Command) -> io::Result<Finished> {
        self.run_with(cmd, &mut |_| {})
    }
    fn run_with(&mut self, cmd: Command, on_line: &mut dyn FnMut(&str)) -> io::Result<Finished> {
        assert!(!self.dry_run, "a dry run ran {}", cmd.program().display());
        self.commands.push(format!("{cmd:?}"));
        let mut seen = Vec::new();
        let r = cmd.stream(|l| {
            seen.push(l.to_string());
            on_line(l);
        });
        self.lines.extend(seen);
        r
    }
    fn say(&mut self, text: &str) {
        self.lines.push(text.to_string());
    }
    fn phase(&mut self, phase: &str) {
        self.phases.push(phase.to_string());
    }
    fn check(&mut self, _result: &CheckResult) {}
    fn backup(&mut self, host: &Path) -> io::Result<()> {
        assert!(!self.dry_run, "a dry run backed up {}", host.display());
        if !self.backed_up.insert(host.to_path_buf()) || !host.exists() {
            return Ok(());
        }
        let rel = host.strip_prefix(&self.root).unwrap_or(host);
        let to = self
            .backups
            .join(rel.to_string_lossy().trim_start_matches('/'));
        std::fs::create_dir_all(to.parent().unwrap())?;
        std::fs::copy(host, to).map(|_| ())
    }
    fn dry_run(&self) -> bool {
        self.dry_run
    }
    fn consented(&self) -> bool {
        self.consented
    }
}
