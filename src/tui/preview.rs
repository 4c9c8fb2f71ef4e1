//! The Preview screen's data: the engine's rendered files, each with the file already on
//! disk at its install path and a line diff against it (`similar`).

use crate::render::{RenderError, RenderInputs, RenderedFile};
use crate::tui::model::{Disk, ManifestSource, Model};
use similar::{ChangeTag, TextDiff};

/// Where the install puts a rendered file, for the files that have a fixed place on the node.
pub fn install_path(name: &str) -> Option<&'static str> {
    match name {
        "sysctl-kubernetes.conf" => Some("/etc/sysctl.d/kubernetes.conf"),
        "modules-kubernetes.conf" => Some("/etc/modules-load.d/kubernetes.conf"),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffTag {
    Same,
    Removed,
    Added,
}

#[derive(Debug, Clone)]
pub struct PreviewFile {
    pub name: String,
    pub lines: Vec<String>,
    /// Install path and, when a file is there now, the diff from it to this file.
    pub install_path: Option<&'static str>,
    pub diff: Option<Vec<(DiffTag, String)>>,
}

#[derive(Debug, Clone)]
pub struct Preview {
    pub files: Vec<PreviewFile>,
    /// Why nothing could be rendered (plan errors are shown from `checked` instead).
    pub error: Option<String>,
    pub tab: usize,
    pub scroll: usize,
    pub show_diff: bool,
    /// The search being typed after `/`, if any.
    pub search: Option<crate::tui::text_input::TextInput>,
    /// The last search, repeated by `/` Enter; with whether it was found.
    pub last_search: Option<(String, bool)>,
    /// Rows of text on screen (a page for Space/b and the end for End).
    pub page: usize,
}

impl Default for Preview {
    fn default() -> Preview {
        Preview {
            files: vec![],
            error: None,
            tab: 0,
            scroll: 0,
            show_diff: false,
            search: None,
            last_search: None,
            // An 80x24 terminal until the first Resize says otherwise.
            page: 16,
        }
    }
}

impl Preview {
    /// The lines of the current tab as shown (the file, or its diff).
    pub fn shown_lines(&self) -> Vec<&str> {
        match self.files.get(self.tab) {
            Some(f) => match (&f.diff, self.show_diff) {
                (Some(d), true) => d.iter().map(|(_, l)| l.as_str()).collect(),
                _ => f.lines.iter().map(String::as_str).collect(),
            },
            None => vec![],
        }
    }

    /// Scroll to the next line (after the top one, wrapping) that contains `needle`,
    /// ignoring case. False when no line does.
    pub fn find_next(&mut self, needle: &str) -> bool {
        let needle = needle.to_lowercase();
        let lines = self.shown_lines();
        let n = lines.len();
        let hit = (1..=n)
            .map(|k| (self.scroll + k) % n.max(1))
            .find(|&i| lines[i].to_lowercase().contains(&needle));
        if let Some(i) = hit {
            self.scroll = i;
        }
        hit.is_some()
    }
}

/// Render the current answers into the preview (called when the Preview screen opens).
pub fn rebuild(m: &mut Model) {
    let tab_name = m.preview.files.get(m.preview.tab).map(|f| f.name.clone());
    let (files, sources, error) = match render_files(m) {
        Ok((files, sources)) => (files, sources, None),
        Err(e) => (vec![], vec![], Some(e)),
    };
    // A file whose upstream source could not be read fails for that reason alone: the
    // reader's problem, on its field, stands for it.
    let explained = |file: &str| {
        sources.iter().any(|p| match p.path.as_str() {
            "calico.manifest" => {
                file == crate::render::CALICO_MANIFEST || file == crate::render::TIGERA_OPERATOR
            }
            "calico.operatorCrds" => file == crate::render::OPERATOR_CRDS,
            _ => false,
        })
    };
    let mut failed = sources.clone();
    failed.extend(
        files
            .iter()
            .filter_map(|f| f.as_ref().err())
            .filter(|e| !explained(&e.file))
            .filter(|e| {
                e.file != crate::render::CALICO_MANIFEST
                    || m.answers.calico.manifest.is_some()
                    || !matches!(m.env.manifest, ManifestSource::Bundled)
                    || super::demo_manifests::for_version(&m.answers.calico.version).is_none()
            })
            .map(crate::verdict::render_problem),
    );
    // Replaces the verdict's manifest-read problem with what rendering found, which also
    // knows the manifest's version.
    m.add_render_problems(failed);
    let files: Vec<PreviewFile> = files
        .into_iter()
        .map(|f| match f {
            Ok(f) => preview_file(f, &m.env.disk),
            Err(e) => failed_file(e),
        })
        .collect();
    let tab = tab_name
        .and_then(|n| files.iter().position(|f| f.name == n))
        .unwrap_or(0);
    let keep_scroll = tab == m.preview.tab;
    m.preview = Preview {
        files,
        error,
        tab,
        scroll: if keep_scroll { m.preview.scroll } else { 0 },
        show_diff: m.preview.show_diff,
        search: None,
        last_search: m.preview.last_search.clone(),
        page: m.preview.page,
    };
}

/// Every file the engine renders, each an error of its own when it fails: a missing Calico
/// manifest leaves the other files to read.
type Rendered = Vec<Result<RenderedFile, RenderError>>;

/// The files, and the problems of the upstream sources that could not be read.
fn render_files(m: &Model) -> Result<(Rendered, Vec<crate::plan::Problem>), String> {
    let Some(plan) = &m.checked.plan else {
        return Ok((vec![], vec![]));
    };
    let mut sources = vec![];
    let templates = m.env.templates.as_ref().map_err(|e| e.clone())?;
    // A manifest path in the answers wins; the demo falls back to its bundled manifest.
    let mut missing_manifest = None;
    let (manifest, source) = match (&m.env.manifest, &m.answers.calico.manifest) {
        // The bundled manifest is calico.yaml: of no use to the operator install.
        (ManifestSource::Bundled, None)
            if plan.calico.install == crate::answers::CalicoInstall::Manifest
                && super::demo_manifests::for_version(&m.answers.calico.version).is_some() =>
        {
            let b = super::demo_manifests::for_version(&m.answers.calico.version)
                .expect("checked in the guard");
            (Some(b.text.to_string()), Some(format!("{} (demo)", b.name)))
        }
        // The engine's own reader: same errors and hints as `dsinstall render`.
        _ => match crate::render::load_manifest(plan, None) {
            Ok(Some((text, path))) => (Some(text), Some(path)),
            Ok(None) => (None, None),
            Err(e) => {
                missing_manifest = Some(source_error(m, &e));
                sources.push(*e.problem);
                (None, None)
            }
        },
    };
    // operator-crds.yaml: read as `dsinstall render` reads it; unreadable, its tab says why.
    let (operator_crds, operator_crds_source, crds_error) =
        match crate::render::load_operator_crds(plan, None) {
            Ok(Some((text, path))) => (Some(text), Some(path), None),
            Ok(None) => (None, None, None),
            Err(e) => {
                let why = source_error(m, &e);
                sources.push(*e.problem);
                (None, None, Some(why))
            }
        };
    let inputs = RenderInputs {
        bootstrap_token: m.env.bootstrap_token.clone(),
        certificate_key: m.env.certificate_key.clone(),
        calico_manifest: manifest,
        calico_manifest_source: source,
        operator_crds,
        operator_crds_source,
        plan_text: crate::plan::report::text(&m.checked),
    };
    let mut files =
        crate::render::render_each(plan, templates, &inputs).map_err(|e| e.to_string())?;
    if let Some(why) = crds_error {
        let err = Err(RenderError {
            file: crate::render::OPERATOR_CRDS.into(),
            message: why,
        });
        match files
            .iter()
            .position(|f| matches!(f, Err(e) if e.file == crate::render::OPERATOR_CRDS))
        {
            Some(i) => files[i] = err,
            None => files.push(err),
        }
    }
    // The reader's message says where to get the manifest; the renderer's only that it is
    // missing.
    if let Some(why) = missing_manifest {
        if plan.calico.install == crate::answers::CalicoInstall::Operator {
            files.push(Err(RenderError {
                file: crate::render::TIGERA_OPERATOR.into(),
                message: why.clone(),
            }));
        }
        for f in files.iter_mut() {
            if let Err(e) = f
                && e.file == crate::render::CALICO_MANIFEST
            {
                e.message = why.clone();
            }
        }
    }
    Ok((files, sources))
}

/// Why the manifest or the CRD file cannot be read, in the wizard's language, its fix after.
fn source_error(m: &Model, e: &crate::render::SourceError) -> String {
    let tx = m.tx();
    let what = format!("{}: {}", e.problem.path, tx.problem(&e.problem));
    match tx.problem_hint(&e.problem) {
        Some(h) => format!("{what}; {} {h}", tx.t("problem.fix")),
        None => what,
    }
}

/// A file the engine could not render: its tab shows why, wrapped for the screen.
fn failed_file(e: RenderError) -> PreviewFile {
    let mut lines = vec![format!("✗ {}", e.file), String::new()];
    lines.extend(crate::tui::view::text::wrap(&e.message, 76));
    PreviewFile {
        name: e.file,
        lines,
        install_path: None,
        diff: None,
    }
}

fn preview_file(f: RenderedFile, disk: &Disk) -> PreviewFile {
    let install_path = install_path(&f.name);
    let diff = install_path
        .and_then(|p| on_disk(disk, p))
        .map(|old| diff_lines(&old, &f.contents));
    PreviewFile {
        lines: f
            .contents
            .lines()
            .map(|l| l.replace('\t', "    "))
            .collect(),
        name: f.name,
        install_path,
        diff,
    }
}

fn on_disk(disk: &Disk, path: &str) -> Option<String> {
    match disk {
        // Bounded: a device or FIFO planted at an install path must not hang the wizard.
        Disk::Root(root) => crate::io::read::read_text(
            &root.join(path.trim_start_matches('/')),
            crate::io::read::MAX_FILE,
        )
        .ok(),
        Disk::Demo => (path == "/etc/sysctl.d/kubernetes.conf")
            .then(|| include_str!("../../assets/demo/disk/etc/sysctl.d/kubernetes.conf").into()),
    }
}

pub fn diff_lines(old: &str, new: &str) -> Vec<(DiffTag, String)> {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| {
            let tag = match c.tag() {
                ChangeTag::Equal => DiffTag::Same,
                ChangeTag::Delete => DiffTag::Removed,
                ChangeTag::Insert => DiffTag::Added,
            };
            (tag, c.value().trim_end_matches('\n').to_string())
        })
        .collect()
}
