//! What several steps share: running a child and turning its end into a `Failure`, the
//! unified diff of a file the step would write, and writing a host file after its backup.

use crate::io::child::Command;
use crate::message::Value;
use crate::run::diagnose::{coded, coded_as};
use crate::run::step::{Change, Failure, Said, StepCx};
use std::path::Path;
use std::time::Duration;

/// How long a quick command (sysctl, modprobe, one kubectl get) may take.
pub const QUICK: Duration = Duration::from_secs(30);

/// Run `cmd`, keeping its lines. Err when it cannot start or does not succeed; `what` names
/// it in the failure ("swapoff -a").
pub fn run_lines(
    cx: &mut dyn StepCx,
    cmd: Command,
    what: &(impl Value + ?Sized),
) -> Result<Vec<String>, Failure> {
    let (fin, lines) = run_any(cx, cmd.clone(), what)?;
    if fin.success() {
        Ok(lines)
    } else {
        Err(failed(what, &fin.describe(&cmd), &lines))
    }
}

/// Run `cmd` and keep its lines whatever its exit; Err only when it cannot start.
pub fn run_any(
    cx: &mut dyn StepCx,
    cmd: Command,
    what: &(impl Value + ?Sized),
) -> Result<(crate::io::child::Finished, Vec<String>), Failure> {
    let what = what.said();
    let mut lines = Vec::new();
    let program = cmd.program().display().to_string();
    let fin = cx
        .run_with(cmd, &mut |l| lines.push(l.to_string()))
        .map_err(|e| coded("run.command.cannot_run", &[&what, &program, &e]))?;
    Ok((fin, lines))
}

/// Run `cmd` quietly for a probe: its lines are not the step's record. Ok(None) when it
/// cannot run at all.
pub fn capture(cmd: &Command) -> Option<(bool, String)> {
    cmd.capture().ok().map(|c| (c.finished.success(), c.output))
}

/// The failure of a command that ran: what it was, how it ended ([`Command`]'s
/// `describe`) and its last line.
pub fn failed(
    what: &(impl Value + ?Sized),
    how: &(impl Value + ?Sized),
    lines: &[String],
) -> Failure {
    let how = how.said();
    let what = what.said();
    let last = lines
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim());
    match last {
        Some(l) => coded("run.command.failed", &[&what, &how, &l]),
        None => coded("run.command.failed.silent", &[&what, &how]),
    }
}

/// A failure of [`run_lines`] with the fix of `prefix`: its cause as it was, coded
/// `<prefix>.<what failed>` ("run.calico.kubectl.failed").
pub fn recoded(f: Failure, prefix: &str) -> Failure {
    let Some(d) = &f.diagnosis else {
        return f;
    };
    let Some(rest) = d.code.strip_prefix("run.command.") else {
        return f;
    };
    coded_as(
        &format!("{prefix}.{rest}"),
        d.args.clone(),
        d.arg_codes.clone(),
    )
}

/// A rendered file's text, or the failure naming it.
pub fn rendered(cx: &dyn StepCx, name: &str) -> Result<String, Failure> {
    let p = cx.rendered().join(name);
    crate::io::read::read_text(&p, 64 << 20)
        .map_err(|e| coded("run.rendered.unreadable", &[&p.display(), &e]))
}

/// The text of a host file under the root, None when absent or unreadable.
pub fn host_text(cx: &dyn StepCx, host: &str) -> Option<String> {
    crate::io::read::read_text(&cx.host_path(host), 16 << 20).ok()
}

/// A unified diff of `host` (the file on disk under the root) against `new`; the whole file
/// as added lines when it does not exist yet.
pub fn diff(cx: &dyn StepCx, host: &str, new: &str) -> String {
    let old = host_text(cx, host).unwrap_or_default();
    similar::TextDiff::from_lines(old.as_str(), new)
        .unified_diff()
        .context_radius(3)
        .header(host, host)
        .to_string()
}

/// The change of writing `new` to `host`, or None when the file already holds it.
pub fn file_change(cx: &dyn StepCx, host: &str, new: &str) -> Option<Change> {
    (host_text(cx, host).as_deref() != Some(new)).then(|| Change::File {
        path: host.into(),
        diff: diff(cx, host, new),
    })
}

/// Write `data` to the host file `host` under the root (mode `mode`), backing it up first.
pub fn write_host(cx: &mut dyn StepCx, host: &str, data: &str, mode: u32) -> Result<(), Failure> {
    let p = cx.host_path(host);
    if host_text(cx, host).as_deref() == Some(data) {
        return Ok(());
    }
    cx.backup(&p)
        .map_err(|e| coded("run.host.backup", &[&host, &e]))?;
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).map_err(|e| write_failed(host, &e))?;
    }
    crate::io::write::write_file(&p, data.as_bytes(), mode).map_err(|e| write_failed(host, &e))
}

fn write_failed(host: &str, e: &std::io::Error) -> Failure {
    coded("run.host.write", &[&host, &e])
}

/// The program with arguments as a `Change::Command`.
pub fn command_change(program: &str, args: &[&str]) -> Change {
    let mut v = vec![program.to_string()];
    v.extend(args.iter().map(|s| s.to_string()));
    Change::Command(v)
}

/// Whether this node has a cluster to ask: kubeadm init wrote admin.conf. Before it, a
/// probe of the cluster says so rather than what kubectl says of a missing kubeconfig.
pub fn cluster_exists(cx: &dyn StepCx) -> bool {
    exists(cx, crate::run::kubectl::ADMIN_CONF)
}

/// A cluster step's probe before kubeadm init.
pub fn no_cluster() -> Said {
    super::probe_texts::said("probe.no_cluster", &[&crate::run::kubectl::ADMIN_CONF])
}

/// Whether a path exists under the root.
pub fn exists(cx: &dyn StepCx, host: &str) -> bool {
    Path::new(&cx.host_path(host)).exists()
}
