//! The wizard (issue 4). Only this module knows about the terminal.
//!
//! Elm-shaped: `update::update(model, msg)` changes `model::Model`, `view::view` draws it;
//! every figure comes from the engine (`host`, `plan`, `render`).

mod demo_lab;
pub mod demo_manifests;
mod event_loop;
pub mod feed;
pub mod fields;
mod hangup;
pub mod i18n;
pub mod install;
pub mod log_view;
pub mod model;
pub mod preview;
mod signals;
pub mod terminal;
pub mod text_input;
pub mod update;
pub mod update_run;
pub mod view;

use crate::answers::Answers;
use crate::output;
use crate::render::Templates;
use i18n::Lang;
use model::{Disk, Env, ManifestSource, Model, Outcome};
use std::path::PathBuf;

/// How the wizard was started.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The seed's simulated lab: demo host facts, nothing changed.
    pub demo: bool,
    /// This host, but nothing that changes it runs.
    pub dry_run: bool,
    /// `en` or `zh-CN`; None: from the environment.
    pub lang: Option<String>,
    /// `--templates DIR`.
    pub templates: Option<PathBuf>,
    /// `--answers FILE`: start from this file instead of the detected (or the demo's)
    /// answers; Export writes back to it unless told otherwise.
    pub answers: Option<PathBuf>,
    /// `--demo --fault NAME`: the simulated lab's faults, for training (retry clears them).
    pub faults: Vec<String>,
}

/// Where the Export screen writes unless the user types another path.
pub const DEFAULT_EXPORT_PATH: &str = "dsinstall-answers.yaml";

/// Exit code when the wizard is left without finishing: without saving the answers (by
/// choice, a signal or a hang-up), or with an install that failed or still runs (128 +
/// SIGINT, as shells report an interrupted command).
pub const EXIT_CANCELLED: u8 = 130;

/// Run the wizard; returns the process exit code (0 done, 1 failed, 130 cancelled).
pub fn run(opts: Options) -> u8 {
    let lang = match Lang::choose(opts.lang.as_deref(), |v| std::env::var(v).ok()) {
        Ok(l) => l,
        Err(e) => {
            output::error(&e.to_string());
            return 1;
        }
    };
    if let Some(why) = terminal::unusable() {
        output::error(lang.texts().t(why));
        return 1;
    }
    let start = match opts.answers.as_deref().map(load_start).transpose() {
        Ok(a) => a,
        Err(e) => {
            output::error(&e);
            return 1;
        }
    };
    let mut model = initial_model(&opts, lang, start);
    model.ascii = view::ascii::wanted(|v| std::env::var(v).ok());
    model.dry_run_only = opts.dry_run;
    model.run.faults = opts.faults.clone();
    // Before any thread exists: the lab's environment is the process's.
    let lab = if opts.demo {
        match demo_lab::DemoLab::prepare(&opts.faults) {
            Ok(l) => Some(l),
            Err(e) => {
                output::error(&e);
                return 1;
            }
        }
    } else {
        None
    };
    let feeds = feed::Feeds::new(feed::RunPlace {
        root: lab
            .as_ref()
            .map_or_else(|| PathBuf::from("/"), |l| l.root()),
        lab: lab.as_ref().map(|l| l.dir.clone()),
    });
    // A run live on this host: the wizard opens on it.
    if !opts.demo
        && !opts.dry_run
        && let Some(att) = crate::run::client::find()
        && att.how == crate::run::client::Found::Live
    {
        model.run.stage = Some(install::Stage::Install);
        // The answers here are this host's suggestions, not the run's, and Install has no
        // way back to them: there is nothing to save, and `q` does not ask.
        model.saved = Some(model.answers.clone());
        feeds.attach(att);
    }
    let code = run_terminal(&mut model, lang, &feeds);
    if let Some(lab) = lab {
        lab.remove();
    }
    code
}

fn run_terminal(model: &mut Model, lang: Lang, feeds: &feed::Feeds) -> u8 {
    let signals = match signals::install() {
        Ok(s) => s,
        Err(e) => {
            output::error(&lang.texts().f("error.signals", &[&e.to_string()]));
            return 1;
        }
    };
    let mut term = match terminal::enter() {
        Ok(t) => t,
        Err(e) => {
            output::error(&lang.texts().f("error.terminal_setup", &[&e.to_string()]));
            return 1;
        }
    };
    hangup::start_watchdog(terminal::TTY_FD, EXIT_CANCELLED.into());
    let result = event_loop::run(&mut term, model, &signals, feeds);
    hangup::disarm_watchdog();
    // Show the cursor ratatui hid before leaving the alternate screen, so the last bytes
    // written are "leave alternate screen, show cursor". Should that fail (a hung-up
    // terminal), ratatui's Drop would retry and report the failure with eprintln!, which
    // panics on a dead stderr: the process ends soon, so the buffers need no freeing.
    if term.show_cursor().is_ok() {
        drop(term);
    } else {
        std::mem::forget(term);
    }
    terminal::leave();
    match result {
        // Nobody is left to read a goodbye line.
        Ok(event_loop::End::HungUp) => return EXIT_CANCELLED,
        Ok(event_loop::End::Finished) => {}
        Err(e) => {
            output::error(&lang.texts().f("error.terminal", &[&e.to_string()]));
            return 1;
        }
    }
    if let Some(s) = model.status.as_ref().filter(|s| s.ok) {
        // The answers are saved whether or not this line can be printed.
        let _ = output::print(&format!("{}\n", s.text));
    }
    match model.outcome {
        Some(Outcome::Done) => 0,
        // As `apply` when its client is interrupted: a run left behind goes on.
        Some(Outcome::Cancelled | Outcome::RunUnfinished) | None => EXIT_CANCELLED,
    }
}

/// The answers of `--answers FILE`, with a relative `calico.manifest` made absolute: it is
/// relative to the file (as `render` reads it), while the wizard may run elsewhere.
pub fn load_start(path: &std::path::Path) -> Result<Answers, String> {
    let mut a = Answers::load(path).map_err(|e| e.to_string())?;
    let base = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let (Some(base), Some(manifest)) = (base, a.calico.manifest.as_deref()) {
        let manifest = manifest.trim();
        if !manifest.is_empty()
            && !manifest.contains("://")
            && PathBuf::from(manifest).is_relative()
        {
            let joined = base.join(manifest);
            let abs = std::path::absolute(&joined).unwrap_or(joined);
            a.calico.manifest = Some(abs.display().to_string());
        }
    }
    Ok(a)
}

/// The model the wizard starts from: the demo lab, or this host with its suggested answers;
/// `start` (from `--answers`) replaces the answers either way.
pub fn initial_model(opts: &Options, lang: Lang, start: Option<Answers>) -> Model {
    let export_path = opts
        .answers
        .as_ref()
        .map_or_else(|| DEFAULT_EXPORT_PATH.into(), |p| p.display().to_string());
    // Opened from a file, the answers are saved until they change: quitting need not ask.
    let opened = start.is_some();
    let mut m = build_model(opts, lang, start, export_path);
    if opened {
        m.saved = Some(m.answers.clone());
        m.may_overwrite = Some(m.export_path.clone());
    }
    m
}

fn build_model(opts: &Options, lang: Lang, start: Option<Answers>, export_path: String) -> Model {
    let templates = match &opts.templates {
        Some(dir) => Templates::load(dir),
        None => Ok(Templates::embedded()),
    };
    let token = crate::render::new_bootstrap_token();
    let certificate_key = crate::render::new_certificate_key();
    if opts.demo {
        let env = Env {
            templates,
            manifest: ManifestSource::Bundled,
            bootstrap_token: token.clone(),
            certificate_key: certificate_key.clone(),
            disk: Disk::Demo,
        };
        let facts = crate::host::demo_facts();
        let answers = start.unwrap_or_else(Answers::seed);
        Model::new(lang, facts, answers, env, export_path, true)
    } else {
        let env = Env {
            templates,
            manifest: ManifestSource::FromAnswers,
            bootstrap_token: token.clone(),
            certificate_key: certificate_key.clone(),
            disk: Disk::Root(PathBuf::from("/")),
        };
        let facts = crate::host::detect();
        let answers = start.unwrap_or_else(|| crate::host::suggest_answers(&facts));
        Model::new(lang, facts, answers, env, export_path, false)
    }
}
