//! `host.swap`: swap off now (`swapoff -a`) and, with consent, for good: the swap lines of
//! /etc/fstab commented out after a backup. The kubelet refuses to start with swap on
//! (failSwapOn, pkg/kubelet/cm/container_manager_linux.go) and kubeadm's Swap preflight
//! check fails on it.

use super::common;
use super::probe_texts::said;
use crate::io::child::Command;
use crate::run::diagnose::coded;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use std::time::Duration;

const FSTAB: &str = "/etc/fstab";

pub struct Swap;

/// The active swap areas, as the kernel lists them.
fn active(cx: &dyn StepCx) -> Vec<String> {
    common::host_text(cx, "/proc/swaps")
        .map(|t| crate::host::system::parse_swaps(&t))
        .unwrap_or_default()
}

/// Whether an fstab line mounts swap (its third field), not commented out.
fn is_swap_line(l: &str) -> bool {
    let t = l.trim_start();
    !t.starts_with('#') && t.split_whitespace().nth(2) == Some("swap")
}

/// fstab with every swap line commented out, or None when it has none.
pub fn without_swap(fstab: &str) -> Option<String> {
    if !fstab.lines().any(is_swap_line) {
        return None;
    }
    let mut out: String = fstab
        .lines()
        .map(|l| {
            if is_swap_line(l) {
                format!("# {l}  # swap off for the kubelet (dsinstall)\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    if !fstab.ends_with('\n') {
        out.pop();
    }
    Some(out)
}

impl Step for Swap {
    fn id(&self) -> String {
        "host.swap".into()
    }
    fn deadline(&self) -> Duration {
        Duration::from_secs(120)
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        let on = active(cx);
        let fstab = common::host_text(cx, FSTAB).and_then(|t| without_swap(&t));
        Ok(match (on.is_empty(), fstab.is_some() && cx.consented()) {
            (true, false) if fstab.is_some() => Probe::Done(said("probe.swap.off_fstab_kept", &[])),
            (true, false) => Probe::Done(said("probe.swap.off", &[])),
            (false, _) => Probe::Needed(said("probe.swap.on", &[&on.join(", ")])),
            (true, true) => Probe::Needed(said("probe.swap.fstab", &[])),
        })
    }
    fn changes(&self, cx: &mut dyn StepCx) -> Vec<Change> {
        let mut c = Vec::new();
        let on = active(cx);
        if !on.is_empty() {
            c.push(common::command_change("swapoff", &["-a"]));
        }
        if let Some(new) = common::host_text(cx, FSTAB).and_then(|t| without_swap(&t)) {
            if cx.consented() {
                c.extend(common::file_change(cx, FSTAB, &new));
            } else {
                c.push(Change::Note(said("change.swap.fstab_kept", &[])));
            }
        }
        c
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        if !active(cx).is_empty() {
            let cmd = Command::new(cx.tool("swapoff"))
                .arg("-a")
                .timeout(Duration::from_secs(100));
            common::run_lines(cx, cmd, "swapoff -a")?;
            let left = active(cx);
            if !left.is_empty() {
                return Err(coded("run.swap.still_on", &[&left.join(", ")]));
            }
        }
        match common::host_text(cx, FSTAB).and_then(|t| without_swap(&t)) {
            Some(new) if cx.consented() => common::write_host(cx, FSTAB, &new, 0o644),
            Some(_) => {
                cx.say("/etc/fstab turns swap on at boot; left alone without consent (--yes): comment its swap lines out before a reboot");
                Ok(())
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_out_only_swap_lines() {
        let f = "/dev/mapper/centos-root / xfs defaults 0 0\n/dev/mapper/centos-swap swap swap defaults 0 0\n# /dev/sdb none swap sw 0 0\n";
        let out = without_swap(f).unwrap();
        assert!(out.contains("# /dev/mapper/centos-swap swap swap"));
        assert!(out.starts_with("/dev/mapper/centos-root / xfs"));
        assert!(without_swap(&out).is_none());
        assert!(without_swap("/dev/sda1 / ext4 defaults 0 1\n").is_none());
    }
}
