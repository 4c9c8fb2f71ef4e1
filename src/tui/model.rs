//! The wizard's state. `update` changes it, `view` draws it; nothing else does either.

use crate::answers::{AddressFamily, Answers};
use crate::host::HostFacts;
use crate::plan::Checked;
use crate::render::Templates;
use crate::tui::fields::{self, Field};
use crate::tui::i18n::{Lang, Texts};
use crate::tui::preview::Preview;
use crate::tui::text_input::TextInput;
use std::path::PathBuf;

/// The screens in the order the wizard walks them. New screens (install steps, checks)
/// slot in here; `ALL` drives navigation and the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Welcome,
    Network,
    Pools,
    Kube,
    Nodes,
    Preview,
    Export,
}

impl Screen {
    pub const ALL: [Screen; 7] = [
        Screen::Welcome,
        Screen::Network,
        Screen::Pools,
        Screen::Kube,
        Screen::Nodes,
        Screen::Preview,
        Screen::Export,
    ];
    pub fn index(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
    /// The short name in the tab strip.
    pub fn tab_key(self) -> &'static str {
        match self {
            Screen::Welcome => "tab.welcome",
            Screen::Network => "tab.network",
            Screen::Pools => "tab.pools",
            Screen::Kube => "tab.kube",
            Screen::Nodes => "tab.nodes",
            Screen::Preview => "tab.preview",
            Screen::Export => "tab.export",
        }
    }
    pub fn title_key(self) -> &'static str {
        match self {
            Screen::Welcome => "screen.welcome",
            Screen::Network => "screen.network",
            Screen::Pools => "screen.pools",
            Screen::Kube => "screen.kube",
            Screen::Nodes => "screen.nodes",
            Screen::Preview => "screen.preview",
            Screen::Export => "screen.export",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    /// What the focused field means (key `i`).
    FieldHelp,
    ConfirmQuit,
    /// The answers file exists and was not written by this session: replace it?
    ConfirmOverwrite,
}

/// How the wizard ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Left with the answers saved (or nothing to save).
    Done,
    /// Left without saving, by choice, Ctrl-C or a signal.
    Cancelled,
    /// Left an install that has not passed: it failed, or it is still running (and goes on
    /// in the background, its state kept for `apply` to resume). The answers are saved.
    RunUnfinished,
}

/// The field being edited: its buffer, the value to go back to on Esc, and why the buffer
/// is not a value yet (an i18n key).
/// What `u` on the Nodes screen takes back.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeUndo {
    /// `a` appended the node at this index.
    Added(usize),
    /// `x` removed this node from this index.
    Removed(usize, crate::answers::OtherNode),
}

#[derive(Debug, Clone)]
pub struct Editing {
    pub field: Field,
    pub input: TextInput,
    pub original: String,
    pub error: Option<&'static str>,
}

/// A one-line message at the bottom (export results).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub ok: bool,
    pub text: String,
}

/// Where the files the preview compares against live.
#[derive(Debug, Clone)]
pub enum Disk {
    /// This machine's filesystem under a root (`/` for real).
    Root(PathBuf),
    /// The demo lab's simulated files (assets/demo/disk).
    Demo,
}

/// The calico manifest to patch in the preview.
#[derive(Debug, Clone)]
pub enum ManifestSource {
    /// The demo's bundled upstream manifest of `calico.version` (demo_manifests.rs), unless
    /// `calico.manifest` names another.
    Bundled,
    /// `calico.manifest` from the answers, read when the preview is built.
    FromAnswers,
}

/// What the wizard needs from the world besides the answers: injectable for tests.
#[derive(Debug, Clone)]
pub struct Env {
    pub templates: Result<Templates, String>,
    pub manifest: ManifestSource,
    pub bootstrap_token: String,
    /// kubeadm's certificate key for control-plane joins, fresh per run like the token.
    pub certificate_key: String,
    pub disk: Disk,
}

pub struct Model {
    pub lang: Lang,
    pub facts: HostFacts,
    pub answers: Answers,
    pub checked: Checked,
    /// The last plan the answers had, kept while an error stops planning.
    pub last_plan: Option<crate::plan::Plan>,
    /// The family listed first in podSubnets/serviceSubnets.
    pub primary: AddressFamily,
    pub screen: Screen,
    /// Focused field per screen (index into `fields::of_screen`).
    pub focus: [usize; Screen::ALL.len()],
    pub editing: Option<Editing>,
    pub overlay: Overlay,
    /// The answers as last written by an export.
    pub saved: Option<Answers>,
    pub export_path: String,
    /// A path Export may write without asking: opened with --answers, written already, or
    /// agreed to.
    pub may_overwrite: Option<String>,
    /// The nodes `a` added and `x` removed, newest last, for `u` to undo one by one.
    pub node_undo: Vec<NodeUndo>,
    pub status: Option<Status>,
    pub preview: Preview,
    pub env: Env,
    pub outcome: Option<Outcome>,
    /// Started with `--demo`: the simulated lab, nothing on this machine is read or changed.
    pub demo: bool,
    /// Draw with ASCII only (the locale is not UTF-8, or the terminal is a VT100/VT220).
    pub ascii: bool,
    /// Confirm, Install and Checks: shown instead of the answers' screens once opened.
    pub run: crate::tui::install::RunUi,
    /// `--dry-run`: Confirm lists the changes and nothing starts.
    pub dry_run_only: bool,
}

impl Model {
    pub fn new(
        lang: Lang,
        facts: HostFacts,
        answers: Answers,
        env: Env,
        export_path: String,
        demo: bool,
    ) -> Model {
        let checked = verdict(&answers, &facts, &env);
        let primary = primary_of(&answers);
        Model {
            lang,
            facts,
            answers,
            checked,
            last_plan: None,
            primary,
            screen: Screen::Welcome,
            focus: [0; Screen::ALL.len()],
            editing: None,
            overlay: Overlay::None,
            saved: None,
            export_path,
            may_overwrite: None,
            node_undo: Vec::new(),
            status: None,
            preview: Preview::default(),
            env,
            outcome: None,
            demo,
            ascii: false,
            run: Default::default(),
            dry_run_only: false,
        }
    }

    pub fn tx(&self) -> &'static Texts {
        self.lang.texts()
    }

    pub fn fields(&self) -> Vec<Field> {
        fields::of_screen(self.screen, self)
    }

    pub fn focused_field(&self) -> Option<Field> {
        let f = self.fields();
        f.get(self.focus[self.screen.index()].min(f.len().saturating_sub(1)))
            .copied()
    }

    pub fn unsaved(&self) -> bool {
        self.saved.as_ref() != Some(&self.answers)
    }

    /// Re-run the engine's checks after a change.
    pub fn recheck(&mut self) {
        // The demo's lab is made for the answers' version when the install starts
        // (`demo_lab.rs`): its node01 is checked as that lab's.
        if self.demo {
            self.facts = crate::host::demo_facts_at(&self.answers.kubernetes.version);
        }
        let checked = verdict(&self.answers, &self.facts, &self.env);
        if let Some(old) = std::mem::replace(&mut self.checked, checked).plan {
            self.last_plan = Some(old);
        }
    }

    /// The plan to take the values in force from: the current one, or while an error
    /// stops the plan, the last one there was (so defaults stay visible while you fix it).
    pub fn plan_in_force(&self) -> Option<&crate::plan::Plan> {
        self.checked.plan.as_ref().or(self.last_plan.as_ref())
    }

    /// Add the files Preview could not render to the verdict (the manifest's version, say,
    /// shows only once it is patched).
    pub fn add_render_problems(&mut self, problems: Vec<crate::plan::Problem>) {
        self.checked
            .problems
            .retain(|p| p.code != "render.failed" && !p.code.starts_with("render.source_"));
        crate::verdict::add_refused(&mut self.checked, problems);
    }
}

/// The engine's verdict as the header and Export show it: the plan's rules, the host checks
/// against the detected (or, in the demo, simulated) facts, and whether the Calico manifest
/// can be read (`crate::verdict`). The demo renders with its bundled manifest when none is
/// set, so it does not warn that none is.
fn verdict(answers: &Answers, facts: &HostFacts, env: &Env) -> Checked {
    let mut c = crate::plan::check(answers);
    let bundled = matches!(env.manifest, ManifestSource::Bundled)
        && answers.calico.manifest.is_none()
        && super::demo_manifests::for_version(&answers.calico.version).is_some();
    if bundled {
        c.problems.retain(|p| p.code != "calico.manifest_missing");
        if let Some(plan) = c.plan.as_mut() {
            plan.warnings
                .retain(|p| p.code != "calico.manifest_missing");
        }
    }
    let host = crate::plan::host::check(answers, c.plan.as_ref(), facts);
    c.problems.extend(host);
    if let Some(plan) = &c.plan
        && !bundled
        && let Err(e) = crate::render::load_manifest(plan, None)
    {
        // The same reader as `render`: not set, unreadable, empty, a URL.
        crate::verdict::add_refused(&mut c, vec![*e.problem]);
    }
    c
}

/// IPv6 is primary when the first pod subnet is IPv6 (kubeadm's rule: the first CIDR's family).
fn primary_of(a: &Answers) -> AddressFamily {
    match a.networking.pod_subnets.first() {
        Some(s) if s.contains(':') => AddressFamily::Ipv6,
        _ => AddressFamily::Ipv4,
    }
}
