//! The demo's simulated lab: prepared in a private temporary directory as
//! `dsinstall sim --dir D --pace real` does, the runner pointed at it through the
//! environment it reads (run.md), and removed, its runner stopped first, when the wizard
//! leaves.

use crate::run::event::Event;
use crate::sim::version::Version;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub struct DemoLab {
    pub dir: PathBuf,
}

impl DemoLab {
    /// Prepare the lab and point this process's environment at it. Call before any thread
    /// starts: the environment is process-wide.
    pub fn prepare(faults: &[String]) -> Result<DemoLab, String> {
        let dir = std::env::temp_dir().join(format!(
            "dsinstall-demo-{}",
            crate::io::sys::random_suffix()
        ));
        crate::io::write::create_private_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        let lab = DemoLab { dir };
        if let Err(e) = fill(&lab.dir, faults, None) {
            let _ = std::fs::remove_dir_all(&lab.dir);
            return Err(e);
        }
        let d = &lab.dir;
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![d.join("bin")];
        paths.extend(std::env::split_paths(&path));
        let path = std::env::join_paths(paths).map_err(|e| e.to_string())?;
        let vars: [(&str, std::ffi::OsString); 5] = [
            ("PATH", path),
            ("DSINSTALL_SIM", d.clone().into()),
            ("DSINSTALL_STATE_DIR", d.join("var/lib/dsinstall").into()),
            ("DSINSTALL_LOG_DIR", d.join("var/log/dsinstall").into()),
            (
                "KUBECONFIG",
                d.join("root/etc/kubernetes/admin.conf").into(),
            ),
        ];
        for (k, v) in vars {
            // SAFETY: called from `tui::run` before the signal handlers, the watchdog or
            // any feed thread exist; no other thread reads the environment meanwhile.
            unsafe { std::env::set_var(k, v) };
        }
        Ok(lab)
    }

    pub fn root(&self) -> PathBuf {
        self.dir.join("root")
    }

    /// The lab's nodes run the answers' Kubernetes version: before the first run, a lab of
    /// another version is made again in the same place (the environment stays right). Once
    /// a run has started, its lab stays as it is.
    pub fn ensure_version(dir: &Path, faults: &[String], version: &str) -> Result<(), String> {
        if dir
            .join("var/lib/dsinstall")
            .join(crate::run::record::RECORD)
            .exists()
        {
            return Ok(());
        }
        let wanted = Version::parse(version).map_err(|e| format!("the demo lab: {e}"))?;
        let lab = crate::io::read::read_text(&dir.join("state/lab.json"), 1 << 24)
            .map_err(|e| format!("the demo lab: {e}"))?;
        let has = serde_json::from_str::<serde_json::Value>(&lab)
            .ok()
            .and_then(|v| v.get("kubernetes")?.as_str().map(String::from))
            .and_then(|v| Version::parse(&v).ok());
        if has == Some(wanted) {
            return Ok(());
        }
        for e in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let p = e.map_err(|e| e.to_string())?.path();
            std::fs::remove_dir_all(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        }
        fill(dir, faults, Some(version))
    }

    /// Stop the lab's live runner (it holds the state directory's lock) and remove it all.
    pub fn remove(self) {
        let state = self.dir.join("var/lib/dsinstall");
        if crate::run::lock::held(&state)
            && let Some(pid) = runner_pid(&state)
        {
            // SAFETY: kill(2) on the pid this lab's runner journaled; it is our child's
            // detached grandchild, and its lock says it still lives.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
            let until = Instant::now() + Duration::from_secs(5);
            while crate::run::lock::held(&state) && Instant::now() < until {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        // What the lab's nodes still run (a join the runner started over the lab's ssh goes
        // on when the link goes, as on a real node) would write into the lab after it is
        // removed: stop it first.
        stop_lab_processes(&self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Kill every process of the lab's stand-ins: each is `dsinstall __sim-exec DIR TOOL …`
/// (the lab's `bin/` scripts exec it), so its command line names the lab's directory.
fn stop_lab_processes(dir: &Path) {
    let me = std::process::id();
    let of_lab = |pid: u32| {
        let Ok(cmdline) =
            crate::io::read::read_bytes(Path::new(&format!("/proc/{pid}/cmdline")), 1 << 16)
        else {
            return false;
        };
        let mut args = cmdline.split(|b| *b == 0);
        args.any(|a| a == b"__sim-exec") && args.next() == Some(dir.as_os_str().as_encoded_bytes())
    };
    let live = || -> Vec<u32> {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| *pid != me && of_lab(*pid))
            .collect()
    };
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        let pids = live();
        if pids.is_empty() || Instant::now() >= until {
            return;
        }
        for pid in pids {
            // SAFETY: kill(2) on a process whose command line is one of this lab's
            // stand-ins, found in /proc just now.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `dsinstall sim --dir DIR --pace real [--kubernetes V] [--fault F]...` into `dir`.
fn fill(dir: &Path, faults: &[String], kubernetes: Option<&str>) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("this program's path: {e}"))?;
    let o = crate::sim::prepare::Options {
        dir: Some(dir.to_path_buf()),
        kubernetes: kubernetes.map(String::from),
        // A watchable pace: the whole install in a minute or two. The pty tests walk it
        // at the lab's fast pace (a seam, as DSINSTALL_TEST_PANIC_ON_KEY is).
        pace: Some(std::env::var("DSINSTALL_TEST_DEMO_PACE").unwrap_or_else(|_| "real".into())),
        faults: faults.to_vec(),
        ..Default::default()
    };
    crate::sim::prepare::run(&o, &exe).map(|_| ())
}

/// The pid in the journal's last `runStarted`.
fn runner_pid(state: &Path) -> Option<u32> {
    crate::run::runner::read_all(&crate::run::paths::journal(state))
        .iter()
        .rev()
        .find_map(|e| match e {
            Event::RunStarted { pid, .. } if *pid != 0 => Some(*pid),
            _ => None,
        })
}
