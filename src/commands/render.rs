//! `dsinstall render --answers F --out DIR`: every file the install would use, written into
//! DIR all together or not at all.

use super::{EXIT_PROBLEMS, load_answers};
use dsinstall::io::file_set;
use dsinstall::render::{self, RenderInputs, Templates};
use dsinstall::{output, plan};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code for an I/O failure (the answers were fine, the disk was not).
const EXIT_IO: u8 = 1;

pub fn run(answers_path: &Path, out: &Path, templates: Option<&Path>) -> ExitCode {
    let templates_dir = templates;
    let answers = match load_answers(answers_path) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let checked = plan::check(&answers);
    let Some(plan) = checked.plan.as_ref().filter(|_| !checked.has_errors()) else {
        output::eprint(&plan::report::text(&checked));
        output::error("render: nothing written; fix the errors above");
        return ExitCode::from(EXIT_PROBLEMS);
    };
    // Warnings do not stop the render, but the user should see them before using the files.
    for w in &checked.problems {
        output::eprint(&format!("{w}\n"));
    }
    let templates = match templates {
        Some(dir) => match Templates::load(dir) {
            Ok(t) => t,
            Err(e) => {
                output::error(&format!("--templates {e}"));
                return ExitCode::from(EXIT_PROBLEMS);
            }
        },
        None => Templates::embedded(),
    };
    let (calico_manifest, calico_manifest_source) =
        match render::load_manifest(plan, answers_path.parent()) {
            Ok(Some((text, source))) => (Some(text), Some(source)),
            Ok(None) => (None, None),
            Err(e) => {
                output::error(&e.to_string());
                return ExitCode::from(EXIT_PROBLEMS);
            }
        };
    let (operator_crds, operator_crds_source) =
        match render::load_operator_crds(plan, answers_path.parent()) {
            Ok(Some((text, source))) => (Some(text), Some(source)),
            Ok(None) => (None, None),
            Err(e) => {
                output::error(&e.to_string());
                return ExitCode::from(EXIT_PROBLEMS);
            }
        };
    let inputs_manifest = calico_manifest_source.clone();
    let inputs_crds = operator_crds_source.clone();
    let inputs = RenderInputs {
        bootstrap_token: render::new_bootstrap_token(),
        certificate_key: render::new_certificate_key(),
        calico_manifest,
        calico_manifest_source,
        operator_crds,
        operator_crds_source,
        plan_text: plan::report::text(&checked),
    };
    let files = match render::render(plan, &templates, &inputs) {
        Ok(f) => f,
        Err(e) => {
            output::error(&e.to_string());
            return ExitCode::from(EXIT_PROBLEMS);
        }
    };
    if let Some(f) = files.iter().find(|f| f.name == render::CALICO_MANIFEST)
        && let Some(note) =
            render::calico_version_note(plan, &render::calico::workload_images(&f.contents))
    {
        output::error(&format!("warning: calico.manifest: {note}"));
    }
    // Every input the render read, so that no output replaces one: `calico.manifest:
    // ./calico.yaml` with `--out .` would overwrite the upstream manifest with the patched
    // one, and the next render would patch it again.
    let mut inputs: Vec<(PathBuf, String)> =
        vec![(answers_path.to_path_buf(), "the answers file".into())];
    if let Some(src) = &inputs_manifest {
        inputs.push((
            PathBuf::from(src),
            "the upstream manifest (calico.manifest)".into(),
        ));
    }
    if let Some(src) = &inputs_crds {
        inputs.push((
            PathBuf::from(src),
            "upstream's operator-crds.yaml (calico.operatorCrds)".into(),
        ));
    }
    if let Some(dir) = templates_dir {
        for name in Templates::embedded().names() {
            inputs.push((dir.join(name), format!("the template {name}")));
        }
    }
    for f in &files {
        let target = out.join(&f.name);
        if let Some((_, what)) = inputs.iter().find(|(p, _)| file_set::same_file(&target, p)) {
            output::error(&format!(
                "render: {} is {what}; writing there would replace an input of the render: choose another --out",
                target.display()
            ));
            return ExitCode::from(EXIT_PROBLEMS);
        }
    }
    let written = render::write_dir(&files, out, || {
        output::error(&format!(
            "waiting for another dsinstall writing to {}",
            out.display()
        ))
    });
    let written = match written {
        Ok(w) => w,
        Err(e) => {
            output::error(&format!("{}: {e}", out.display()));
            return ExitCode::from(EXIT_IO);
        }
    };
    for c in &written.cleaned {
        output::error(&format!(
            "removed {}, left by a render that was interrupted",
            out.join(c).display()
        ));
    }
    for stale in stale_files(out, &files) {
        output::error(&format!(
            "warning: {} is left from an earlier render and is not part of this plan",
            out.join(stale).display()
        ));
    }
    let mut said = format!("Wrote {} files to {}:\n", files.len(), out.display());
    for f in &files {
        let note = if render::holds_secret(&f.name) {
            "  (holds the bootstrap token; mode 0600)"
        } else {
            ""
        };
        said.push_str(&format!("  {}{note}\n", out.join(&f.name).display()));
    }
    super::exit(output::print(&said))
}

/// Files in `out` named like render output (a join or Calico file) that this render did not
/// write: left from a render of other answers, where they would mislead whoever applies DIR.
fn stale_files(out: &Path, written: &[render::RenderedFile]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(out) else {
        return Vec::new();
    };
    let mut stale: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| {
            let ours = (n.starts_with("join-") && n.ends_with(".yaml"))
                || n == render::CALICO_MANIFEST
                || n == render::CALICO_INSTALLATION
                || n == render::TIGERA_OPERATOR
                || n == render::OPERATOR_CRDS;
            ours && !written.iter().any(|f| &f.name == n)
        })
        .collect();
    stale.sort();
    stale
}
