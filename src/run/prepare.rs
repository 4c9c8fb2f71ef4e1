//! From an answers file to what a run needs: the answers, the checked plan and every rendered
//! file, with the run's own bootstrap token and certificate key. One path for `render`,
//! `apply` (into the run's state directory, once per run) and its dry run, so that what
//! apply uses is exactly what `render` shows.

use crate::answers::Answers;
use crate::plan::{self, Plan, problem::Problem};
use crate::render::{self, RenderInputs, RenderedFile, Templates};
use std::path::Path;

pub struct Prepared {
    pub answers: Answers,
    pub plan: Plan,
    /// The plan's warnings (errors stop the preparation).
    pub warnings: Vec<Problem>,
    pub files: Vec<RenderedFile>,
}

/// Why nothing can run: the answers have problems (exit 2), or a file cannot be rendered.
#[derive(Debug)]
pub enum Refused {
    /// The plan's report text, errors first.
    Problems(String),
    /// One line naming the file.
    Render(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Problems(t) => write!(f, "{}", t.trim_end()),
            Refused::Render(t) => write!(f, "{t}"),
        }
    }
}

/// Check `answers` (read from `path`; a relative `calico.manifest` is taken from beside it)
/// and render every file with the given secrets.
pub fn prepare(
    answers: Answers,
    path: &Path,
    templates: &Templates,
    token: &str,
    certificate_key: &str,
) -> Result<Prepared, Refused> {
    let checked = plan::check(&answers);
    let Some(plan) = checked.plan.clone().filter(|_| !checked.has_errors()) else {
        return Err(Refused::Problems(plan::report::text(&checked)));
    };
    let (calico_manifest, calico_manifest_source) =
        match render::load_manifest(&plan, path.parent()) {
            Ok(Some((text, source))) => (Some(text), Some(source)),
            Ok(None) => (None, None),
            Err(e) => return Err(Refused::Render(e.to_string())),
        };
    let (operator_crds, operator_crds_source) =
        match render::load_operator_crds(&plan, path.parent()) {
            Ok(Some((text, source))) => (Some(text), Some(source)),
            Ok(None) => (None, None),
            Err(e) => return Err(Refused::Render(e.to_string())),
        };
    let inputs = RenderInputs {
        bootstrap_token: token.to_string(),
        certificate_key: certificate_key.to_string(),
        calico_manifest,
        calico_manifest_source,
        operator_crds,
        operator_crds_source,
        plan_text: plan::report::text(&checked),
    };
    let files =
        render::render(&plan, templates, &inputs).map_err(|e| Refused::Render(e.to_string()))?;
    Ok(Prepared {
        answers,
        plan,
        warnings: checked.problems,
        files,
    })
}
