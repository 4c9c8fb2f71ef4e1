//! The engine's whole verdict on answers for this host: the plan's rules, the host checks,
//! and whether every file renders. The wizard's header and Export, `plan --host` and
//! `export` all use it, so none of them says "no errors" for answers `render` or `apply`
//! would refuse.

use crate::answers::Answers;
use crate::host::facts::HostFacts;
use crate::plan::{self, Checked, Problem};
use crate::render::{self, RenderInputs, Templates};
use std::path::Path;

/// `plan::check`, then `plan::host::check` against `facts`, then a render of every file
/// (the Calico manifest read from `calico.manifest`, relative to `base`). Reads the
/// manifest from disk; everything else is pure.
pub fn on_host(a: &Answers, facts: &HostFacts, base: Option<&Path>) -> Checked {
    let mut c = plan::check(a);
    let host = plan::host::check(a, c.plan.as_ref(), facts);
    c.problems.extend(host);
    if let Some(p) = &c.plan {
        let refused = render_problems(p, base, &plan::report::text(&c));
        add_refused(&mut c, refused);
    } else {
        // Other errors stop the plan before render reads the manifest; a manifest that is
        // not set is still one render refuses, so it stays the error it is once they go.
        for q in c
            .problems
            .iter_mut()
            .filter(|q| q.code == "calico.manifest_missing")
        {
            q.severity = plan::Severity::Error;
        }
    }
    c
}

/// Add the files render refuses to the verdict. The plan alone can only warn that render
/// will stop at a missing manifest; once render has refused it, that refusal is the one
/// problem, with its one fix.
pub fn add_refused(c: &mut Checked, refused: Vec<Problem>) {
    if refused.iter().any(|r| r.path == "calico.manifest") {
        c.problems.retain(|q| q.code != "calico.manifest_missing");
    }
    c.problems.extend(refused);
}

/// The files that would not render, as problems (`render_problem`).
pub fn render_problems(p: &plan::Plan, base: Option<&Path>, plan_text: &str) -> Vec<Problem> {
    let (manifest, source) = match render::load_manifest(p, base) {
        Ok(Some((t, s))) => (Some(t), Some(s)),
        Ok(None) => (None, None),
        Err(e) => return vec![*e.problem],
    };
    let (operator_crds, operator_crds_source) = match render::load_operator_crds(p, base) {
        Ok(Some((t, s))) => (Some(t), Some(s)),
        Ok(None) => (None, None),
        Err(e) => return vec![*e.problem],
    };
    let inputs = RenderInputs {
        bootstrap_token: render::new_bootstrap_token(),
        certificate_key: render::new_certificate_key(),
        calico_manifest: manifest,
        calico_manifest_source: source,
        operator_crds,
        operator_crds_source,
        plan_text: plan_text.to_string(),
    };
    match render::render_each(p, &Templates::embedded(), &inputs) {
        Ok(files) => files
            .iter()
            .filter_map(|f| f.as_ref().err())
            .map(render_problem)
            .collect(),
        Err(e) => vec![render_problem(&e)],
    }
}

/// A file that does not render, as a problem on the field that fixes it: the Calico file on
/// `calico.manifest` (unreadable, empty, of another version), and so is tigera-operator.yaml,
/// rendered from it in operator mode; operator-crds.yaml on `calico.operatorCrds`, the rest
/// on the file.
pub fn render_problem(e: &render::RenderError) -> Problem {
    let field = if e.file == render::CALICO_MANIFEST || e.file == render::TIGERA_OPERATOR {
        Some("calico.manifest")
    } else if e.file == render::OPERATOR_CRDS {
        Some("calico.operatorCrds")
    } else {
        None
    };
    let path = field.map_or_else(|| e.file.clone(), str::to_string);
    // The render message starts with the field when it names one; keep it once.
    let message = field
        .and_then(|f| e.message.strip_prefix(&format!("{f}: ")))
        .unwrap_or(&e.message)
        .to_string();
    Problem::error(path, format!("{} cannot be rendered: {message}", e.file))
        .code("render.failed", &[&e.file, &message])
}
