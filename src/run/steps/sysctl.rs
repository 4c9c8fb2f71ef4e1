//! `host.sysctl`: the rendered sysctl-kubernetes.conf written to
//! /etc/sysctl.d/kubernetes.conf, applied (`sysctl -p FILE`), and every key read back
//! (`sysctl -n KEY`): a key the kernel lacks (the bridge keys without br_netfilter) or
//! refuses is named in the failure.

use super::common;
use super::probe_texts::said;
use crate::io::child::Command;
use crate::message::Said;
use crate::render::SYSCTL;
use crate::run::diagnose::coded;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use std::time::Duration;

const TARGET: &str = "/etc/sysctl.d/kubernetes.conf";

pub struct Sysctl;

/// The `key = value` pairs of a sysctl.d file (procps's syntax: `#`/`;` comments, a
/// leading `-` means ignore errors).
pub fn pairs(conf: &str) -> Vec<(String, String)> {
    conf.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().trim_start_matches('-').to_string(),
                v.trim().to_string(),
            )
        })
        .collect()
}

/// What the kernel says of a key that is not as wanted.
enum Wrong {
    /// It has this other value.
    Value(String),
    /// `sysctl -n` failed with these words ("cannot stat /proc/sys/…").
    Error(String),
    /// sysctl itself does not run.
    NoSysctl,
}

impl Wrong {
    /// The probe's detail for key `k`.
    fn said(&self, k: &str) -> Said {
        match self {
            Wrong::Value(v) => said("probe.sysctl.value", &[&k, v]),
            Wrong::Error(e) => said("probe.sysctl.error", &[&k, e]),
            Wrong::NoSysctl => said("probe.sysctl.no_sysctl", &[&k]),
        }
    }
}

/// The keys whose current value is not the wanted one: (key, what the kernel says).
fn wrong(cx: &dyn StepCx, want: &[(String, String)]) -> Vec<(String, Wrong)> {
    want.iter()
        .filter_map(|(k, v)| {
            let cmd = Command::new(cx.tool("sysctl"))
                .args(["-n", k])
                .timeout(common::QUICK);
            match common::capture(&cmd) {
                Some((true, out)) if norm(&out) == norm(v) => None,
                Some((true, out)) => Some((k.clone(), Wrong::Value(out.trim().to_string()))),
                Some((false, out)) => Some((k.clone(), Wrong::Error(out.trim().to_string()))),
                None => Some((k.clone(), Wrong::NoSysctl)),
            }
        })
        .collect()
}

/// Values as the kernel prints them: whitespace-separated fields, tabs or spaces.
fn norm(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Step for Sysctl {
    fn id(&self) -> String {
        "host.sysctl".into()
    }
    fn deadline(&self) -> Duration {
        Duration::from_secs(120)
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        let conf = common::rendered(cx, SYSCTL)?;
        let bad = wrong(cx, &pairs(&conf));
        let file_ok = common::host_text(cx, TARGET).as_deref() == Some(conf.as_str());
        Ok(match (bad.first(), file_ok) {
            (None, true) => Probe::Done(said("probe.sysctl.set", &[&TARGET])),
            (None, false) => Probe::Needed(said("probe.file.not_planned", &[&TARGET])),
            (Some((k, why)), _) => Probe::Needed(why.said(k)),
        })
    }
    fn changes(&self, cx: &mut dyn StepCx) -> Vec<Change> {
        let Ok(conf) = common::rendered(cx, SYSCTL) else {
            return vec![Change::Note(said("change.unrendered", &[&SYSCTL]))];
        };
        let mut c: Vec<Change> = common::file_change(cx, TARGET, &conf).into_iter().collect();
        let file = cx.host_path(TARGET).display().to_string();
        c.push(common::command_change("sysctl", &["-p", &file]));
        c
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let conf = common::rendered(cx, SYSCTL)?;
        common::write_host(cx, TARGET, &conf, 0o644)?;
        let file = cx.host_path(TARGET);
        let cmd = Command::new(cx.tool("sysctl"))
            .arg("-p")
            .arg(&file)
            .timeout(common::QUICK);
        // A failed key is named by the read-back below, with what the kernel said.
        let (_, lines) = common::run_any(cx, cmd, "sysctl -p")?;
        if let Some((k, why)) = wrong(cx, &pairs(&conf)).into_iter().next() {
            let said = lines
                .iter()
                .find(|l| l.contains(&k.replace('.', "/")) || l.contains(&k))
                .map(|l| format!(" ({})", l.trim()))
                .unwrap_or_default();
            let (code, why) = match why {
                Wrong::Value(value) => ("run.sysctl.value", value),
                Wrong::NoSysctl => ("run.sysctl.no_sysctl", String::new()),
                Wrong::Error(e) => ("run.sysctl.error", e),
            };
            let code = if k.starts_with("net.bridge.") {
                format!("{code}.bridge")
            } else {
                code.to_string()
            };
            return Err(coded(&code, &[&k, &why, &said]));
        }
        Ok(())
    }
}
