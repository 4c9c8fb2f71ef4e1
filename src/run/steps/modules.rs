//! `host.modules`: the kernel modules of the rendered modules-kubernetes.conf loaded now
//! (modprobe) and at every boot (/etc/modules-load.d/kubernetes.conf, read by
//! systemd-modules-load).

use super::common;
use super::probe_texts::said;
use crate::io::child::Command;
use crate::render::MODULES;
use crate::run::diagnose::coded;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use std::time::Duration;

const TARGET: &str = "/etc/modules-load.d/kubernetes.conf";

pub struct Modules;

/// The module names of a modules-load.d file.
pub fn names(conf: &str) -> Vec<String> {
    conf.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .map(str::to_string)
        .collect()
}

/// The wanted modules the kernel does not show as loaded.
fn missing(cx: &dyn StepCx, wanted: &[String]) -> Vec<String> {
    let loaded = common::host_text(cx, "/proc/modules")
        .map(|t| crate::host::modules::parse_proc_modules(&t))
        .unwrap_or_default();
    wanted
        .iter()
        .filter(|m| {
            !loaded.iter().any(|l| l == *m) && !cx.host_path(&format!("/sys/module/{m}")).is_dir()
        })
        .cloned()
        .collect()
}

impl Step for Modules {
    fn id(&self) -> String {
        "host.modules".into()
    }
    fn deadline(&self) -> Duration {
        Duration::from_secs(120)
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        let conf = common::rendered(cx, MODULES)?;
        let miss = missing(cx, &names(&conf));
        let file_ok = common::host_text(cx, TARGET).as_deref() == Some(conf.as_str());
        Ok(match (miss.is_empty(), file_ok) {
            (true, true) => Probe::Done(said("probe.modules.loaded", &[&TARGET])),
            (true, false) => Probe::Needed(said("probe.file.not_planned", &[&TARGET])),
            (false, _) => Probe::Needed(said("probe.modules.missing", &[&miss.join(", ")])),
        })
    }
    fn changes(&self, cx: &mut dyn StepCx) -> Vec<Change> {
        let Ok(conf) = common::rendered(cx, MODULES) else {
            return vec![Change::Note(said("change.unrendered", &[&MODULES]))];
        };
        let mut c: Vec<Change> = missing(cx, &names(&conf))
            .iter()
            .map(|m| common::command_change("modprobe", &[m]))
            .collect();
        c.extend(common::file_change(cx, TARGET, &conf));
        c
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let conf = common::rendered(cx, MODULES)?;
        for m in missing(cx, &names(&conf)) {
            let cmd = Command::new(cx.tool("modprobe"))
                .arg(&m)
                .timeout(common::QUICK);
            common::run_lines(cx, cmd, &format!("modprobe {m}"))
                .map_err(|f| coded("run.modules.load", &[&m, &f]))?;
        }
        common::write_host(cx, TARGET, &conf, 0o644)
    }
}
