//! The install's steps in order (run.md, "Steps"), one file each.

pub mod verify;

use super::step::Step;
use crate::answers::Answers;
use crate::plan::Plan;
use std::path::PathBuf;

/// What every step is built from: the run's answers and plan, and where its rendered files
/// are (the run's own copy in the state directory, rendered once per run).
pub struct Setup {
    pub answers: Answers,
    pub plan: Plan,
    pub rendered: PathBuf,
    pub skip_image_pull: bool,
}

/// The steps of a run, in order.
pub fn list(_setup: &Setup) -> Vec<Box<dyn Step>> {
    Vec::new()
}
