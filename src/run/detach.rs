//! Starting the runner so that nothing of the client's terminal or login session can stop it
//! (run.md): a transient systemd unit where PID 1 is systemd (outside the session, so neither
//! SIGHUP nor logind's KillUserProcesses reaches it), else a double fork and `setsid`. Either
//! way stdin is /dev/null and the runner writes only its journal and log.
//!
//! systemd 219 (CentOS 7) takes `--unit`, `--description`, `--setenv` and `--property`; it
//! has no `--pipe` (systemd 235), `--wait` (232) or `--collect` (236), so none is used. A
//! unit that failed stays loaded until `systemctl reset-failed`, so each runner of a run gets
//! its own unit name (`dsinstall-apply-<run>-<n>`).

use crate::io::child::Command;
use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// The environment a runner needs from its client: where the tools and the run's files
/// are, and who invoked sudo (the kubeconfig step copies admin.conf for them). A systemd unit
/// starts with none of the client's environment, so these are passed explicitly.
pub const PASSED_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "LC_MESSAGES",
    "SUDO_USER",
    "SUDO_UID",
    "SUDO_GID",
    "DSINSTALL_STATE_DIR",
    "DSINSTALL_LOG_DIR",
    "DSINSTALL_KUBEADM",
    "DSINSTALL_KUBECTL",
    "DSINSTALL_SIM",
    "DSINSTALL_SIM_HOST",
];

/// How the runner was started, for the client's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// A transient unit of this name.
    Unit(String),
    /// A daemon of its own session.
    Session,
}

/// Whether PID 1 is systemd: its runtime directory exists (sd_booted(3)), under the root.
pub fn systemd_booted(root: &Path) -> bool {
    root.join("run/systemd/system").is_dir()
}

/// The runner's command line: this very binary, `__runner STATE`.
fn runner_argv(state: &Path) -> io::Result<(PathBuf, Vec<OsString>)> {
    let exe = std::env::current_exe()?;
    // Replaced while it ran (a package upgrade): Linux names the old file "PATH (deleted)",
    // and starting that path would fail with a bare "No such file or directory".
    if !exe.is_file() {
        let shown = exe.display().to_string();
        return Err(io::Error::other(format!(
            "{} was replaced or removed while this dsinstall ran (an upgrade?): start dsinstall again",
            shown.trim_end_matches(" (deleted)")
        )));
    }
    Ok((
        exe,
        vec!["__runner".into(), state.as_os_str().to_os_string()],
    ))
}

fn passed_env() -> Vec<(String, OsString)> {
    PASSED_ENV
        .iter()
        .filter_map(|k| std::env::var_os(k).map(|v| (k.to_string(), v)))
        .collect()
}

/// Start the runner for the state directory `state` (absolute). `unit`: the unit name to
/// use under systemd. `log`: where a runner that cannot start its own log says why.
pub fn spawn(state: &Path, root: &Path, unit: &str, log: &Path) -> io::Result<How> {
    let (exe, args) = runner_argv(state)?;
    if systemd_booted(root) {
        let systemd_run = crate::host::tools::locate("systemd-run");
        let mut cmd = Command::new(&systemd_run)
            .arg(format!("--unit={unit}"))
            .arg(format!("--description=dsinstall apply ({unit})"));
        for (k, v) in passed_env() {
            let mut kv = OsString::from(format!("--setenv={k}="));
            kv.push(v);
            cmd = cmd.arg(kv);
        }
        cmd = cmd.arg(&exe).args(&args).timeout(Duration::from_secs(30));
        match cmd.capture() {
            Ok(c) if c.finished.success() => return Ok(How::Unit(format!("{unit}.service"))),
            Ok(c) => {
                // Say why in the log, then fall back to a session of its own.
                let why = c.output.lines().last().unwrap_or("").to_string();
                note(
                    log,
                    &format!(
                        "systemd-run failed ({why}); starting the runner in a session of its own"
                    ),
                );
            }
            Err(e) => note(
                log,
                &format!(
                    "systemd-run cannot run ({e}); starting the runner in a session of its own"
                ),
            ),
        }
    }
    let errors = super::runner::open_log(log)?;
    let mut cmd = std::process::Command::new(&exe);
    cmd.args(&args)
        .env_clear()
        .envs(passed_env())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // A runner that dies before it opens its log (a panic) says why here.
        .stderr(Stdio::from(errors))
        .current_dir("/");
    // SAFETY: between fork and exec only async-signal-safe calls: setsid, fork, _exit. The
    // middle process exits at once, so the runner is nobody's child but init's and can never
    // get a controlling terminal back (it is not a session leader).
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(io::Error::last_os_error());
            }
            match libc::fork() {
                -1 => Err(io::Error::last_os_error()),
                0 => Ok(()),
                _ => libc::_exit(0),
            }
        });
    }
    let mut middle = cmd.spawn()?;
    middle.wait()?;
    Ok(How::Session)
}

fn note(log: &Path, text: &str) {
    use std::io::Write;
    if let Ok(mut f) = super::runner::open_log(log) {
        let _ = writeln!(f, "{} [run] {text}", crate::clock::now());
    }
}
