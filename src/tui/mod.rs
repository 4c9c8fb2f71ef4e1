//! The wizard (issue 4). Only this module knows about the terminal.
//!
//! Elm-shaped: `update::update(model, msg)` changes `model::Model`, `view::view` draws it;
//! every figure comes from the engine (`host`, `plan`, `render`).

mod event_loop;
pub mod fields;
mod hangup;
pub mod i18n;
pub mod model;
pub mod preview;
mod signals;
pub mod terminal;
pub mod text_input;
pub mod update;
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
}

/// Where the Export screen writes unless the user types another path.
pub const DEFAULT_EXPORT_PATH: &str = "dsinstall-answers.yaml";

/// The calico manifest the demo previews (the seed's version, as published upstream).
pub const DEMO_CALICO_MANIFEST: &str = include_str!("../../assets/demo/calico-v3.15.3.yaml");

/// Exit code when the wizard is left without finishing: by choice, a signal or a hang-up
/// (128 + SIGINT, as shells report an interrupted command).
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
    let mut model = initial_model(&opts, lang);
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
    let result = event_loop::run(&mut term, &mut model, &signals);
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
        _ => EXIT_CANCELLED,
    }
}

/// The model the wizard starts from: the demo lab, or this host with its suggested answers.
pub fn initial_model(opts: &Options, lang: Lang) -> Model {
    let templates = match &opts.templates {
        Some(dir) => Templates::load(dir),
        None => Ok(Templates::embedded()),
    };
    let token = crate::render::new_bootstrap_token();
    let certificate_key = crate::render::new_certificate_key();
    if opts.demo {
        let env = Env {
            templates,
            manifest: ManifestSource::Embedded(DEMO_CALICO_MANIFEST),
            bootstrap_token: token.clone(),
            certificate_key: certificate_key.clone(),
            disk: Disk::Demo,
        };
        let facts = crate::host::demo_facts();
        Model::new(
            lang,
            facts,
            Answers::seed(),
            env,
            DEFAULT_EXPORT_PATH.into(),
            true,
        )
    } else {
        let env = Env {
            templates,
            manifest: ManifestSource::FromAnswers,
            bootstrap_token: token.clone(),
            certificate_key: certificate_key.clone(),
            disk: Disk::Root(PathBuf::from("/")),
        };
        let facts = crate::host::detect();
        let answers = crate::host::suggest_answers(&facts);
        Model::new(lang, facts, answers, env, DEFAULT_EXPORT_PATH.into(), false)
    }
}
