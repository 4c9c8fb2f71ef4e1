//! `images`: kubeadm's images for this config (`kubeadm config images list --config F`),
//! pulled (`kubeadm config images pull --config F`) unless the run was told they are
//! there already (`--skip-image-pull`). Sub-progress "image i/n" from kubeadm's
//! `[config/images] Pulled <image>` lines (cmd/kubeadm/app/cmd/config.go).

use super::common;
use super::probe_texts::said;
use crate::io::child::Command;
use crate::render::KUBEADM_CONFIG;
use crate::run::diagnose::coded;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use std::time::Duration;

pub struct Images {
    pub skip_pull: bool,
}

fn kubeadm(cx: &dyn StepCx, verb: &str, timeout: Duration) -> Command {
    Command::new(cx.tool("kubeadm"))
        .args(["config", "images", verb, "--config"])
        .arg(cx.rendered().join(KUBEADM_CONFIG))
        .timeout(timeout)
}

/// The image names of `config images list`: lines that are not kubeadm's own notes.
fn image_names(out: &str) -> Vec<String> {
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('[') && !l.starts_with('W') && !l.contains(' '))
        .map(str::to_string)
        .collect()
}

impl Step for Images {
    fn id(&self) -> String {
        "images".into()
    }
    fn deadline(&self) -> Duration {
        Duration::from_secs(1800)
    }
    fn once_per_run(&self) -> bool {
        true
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        if common::exists(cx, crate::run::kubectl::ADMIN_CONF) {
            return Ok(Probe::Done(said("probe.images.initialized", &[])));
        }
        Ok(Probe::Needed(if self.skip_pull {
            said("probe.images.list_only", &[])
        } else {
            said("probe.images.pull", &[])
        }))
    }
    fn changes(&self, cx: &mut dyn StepCx) -> Vec<Change> {
        if self.skip_pull {
            return vec![Change::Note(said("change.images.skipped", &[]))];
        }
        let cfg = cx.rendered().join(KUBEADM_CONFIG).display().to_string();
        vec![common::command_change(
            "kubeadm",
            &["config", "images", "pull", "--config", &cfg],
        )]
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let list = kubeadm(cx, "list", Duration::from_secs(120));
        let lines = common::run_lines(cx, list, "kubeadm config images list")?;
        let images = image_names(&lines.join("\n"));
        if self.skip_pull {
            cx.say(&format!(
                "{} images expected in the runtime; not pulled (--skip-image-pull)",
                images.len()
            ));
            return Ok(());
        }
        let n = images.len();
        let pull = kubeadm(cx, "pull", Duration::from_secs(1750));
        let mut done = 0;
        let mut out = Vec::new();
        let fin = cx
            .run_phased(pull.clone(), &mut |l| {
                out.push(l.to_string());
                l.contains("Pulled ").then(|| {
                    done += 1;
                    format!("image {done}/{n}")
                })
            })
            .map_err(|e| coded("run.images.cannot_run", &[&e]))?;
        if fin.success() {
            return Ok(());
        }
        let failed = out
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .cloned()
            .unwrap_or_default();
        let how = fin.describe(&pull);
        let failed = failed.trim();
        Err(match images.get(done) {
            Some(next) => coded("run.images.pull", &[&done, &n, &how, &failed, next]),
            None => coded("run.images.pull.unnamed", &[&done, &n, &how, &failed]),
        })
    }
}
