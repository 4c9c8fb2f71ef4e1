//! The lab's state: DIR/state/lab.json, the simulated hosts and cluster. Several stand-ins run
//! at once (an install's runner, a user's kubectl), so every change takes an exclusive flock
//! on DIR/state/lock, re-reads, changes and writes the file whole through a rename.

use crate::sim::cluster::Cluster;
use crate::sim::lab::{HostSpec, Lab};
use crate::sim::latency::Latency;
use crate::sim::pace::Pace;
use crate::sim::version::Version;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

/// Everything the lab knows. Written only under the lock.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct World {
    pub kubernetes: String,
    pub pace: Pace,
    pub faults: Vec<String>,
    /// Set by `--latency`; labs prepared before it have none.
    #[serde(default)]
    pub latency: Latency,
    pub lab: Lab,
    pub hosts: BTreeMap<String, HostState>,
    pub cluster: Option<Cluster>,
    /// Counts state changes, so the objects' resourceVersion moves as a real API server's does.
    pub generation: u64,
}

/// One machine's changing facts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HostState {
    pub spec: HostSpec,
    pub sysctls: BTreeMap<String, String>,
    pub modules: BTreeSet<String>,
    pub swap: bool,
    /// Set by a successful `kubeadm init` or `join` on this host, cleared by `reset`.
    pub kubeadm: Option<KubeadmDone>,
}

/// What kubeadm left running on a host.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KubeadmDone {
    pub control_plane: bool,
    /// The kubelet's `--node-ip` as kubeadm wrote it into kubeadm-flags.env, if any.
    pub node_ip: Option<String>,
}

impl World {
    pub fn version(&self) -> Version {
        // Written by `prepare` from a parsed version, so it parses.
        Version::parse(&self.kubernetes).unwrap_or(crate::sim::version::NEWEST)
    }

    /// Hold up the caller for the lab's latency of `kind` (sim::latency).
    pub fn wait_latency(&self, kind: &str) {
        self.latency.wait(kind, self.pace);
    }

    pub fn has_fault(&self, f: &str) -> bool {
        self.faults.iter().any(|x| x == f)
    }

    /// A host as it starts: the sysctls and modules of a fresh CentOS 7 / Debian install
    /// (forwarding off, br_netfilter not loaded), swap on only under the swap-on fault.
    pub fn fresh_host(spec: HostSpec, swap: bool) -> HostState {
        let sysctls = [
            ("net.ipv4.ip_forward", "0"),
            ("net.ipv6.conf.all.forwarding", "0"),
            ("net.ipv6.conf.default.forwarding", "0"),
            ("net.ipv6.conf.all.disable_ipv6", "0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        HostState {
            spec,
            sysctls,
            modules: BTreeSet::new(),
            swap,
            kubeadm: None,
        }
    }
}

/// Where one stand-in runs: the lab directory and the host it runs as.
pub struct Ctx {
    pub dir: PathBuf,
    pub host: String,
}

impl Ctx {
    /// Open a prepared lab as `host` (default: the first node).
    pub fn open(dir: &Path, host: Option<&str>) -> Result<Ctx, String> {
        let w = read_world(dir)?;
        let host = match host {
            Some(h) if w.hosts.contains_key(h) => h.to_string(),
            Some(h) => return Err(format!("no host {h} in this lab")),
            None => w.lab.hosts[0].name.clone(),
        };
        Ok(Ctx {
            dir: dir.to_path_buf(),
            host,
        })
    }

    /// A snapshot of the state (read under the lock, so never half a file).
    pub fn load(&self) -> Result<World, String> {
        let _l = Lock::take(&self.dir)?;
        read_world(&self.dir)
    }

    /// Change the state: under the lock, re-read, apply `f`, write back if `f` succeeded.
    pub fn update<T>(&self, f: impl FnOnce(&mut World) -> Result<T, String>) -> Result<T, String> {
        let _l = Lock::take(&self.dir)?;
        let mut w = read_world(&self.dir)?;
        let out = f(&mut w)?;
        w.generation += 1;
        write_world(&self.dir, &w)?;
        Ok(out)
    }

    /// This host's files (its `/`).
    pub fn root(&self) -> PathBuf {
        host_root(&self.dir, &self.host, self.is_first())
    }

    /// A path as a command on this host means it: on the first node the real path (dsinstall
    /// runs there with real paths); on the others, under that host's root.
    pub fn host_path(&self, p: &str) -> PathBuf {
        if self.is_first() || !p.starts_with('/') {
            PathBuf::from(p)
        } else {
            self.root().join(p.trim_start_matches('/'))
        }
    }

    pub fn is_first(&self) -> bool {
        read_world(&self.dir)
            .map(|w| w.lab.hosts[0].name == self.host)
            .unwrap_or(true)
    }
}

/// The first node's files are DIR/root (what `apply --root` points at); the others'
/// DIR/hosts/NAME/root.
pub fn host_root(dir: &Path, name: &str, first: bool) -> PathBuf {
    if first {
        dir.join("root")
    } else {
        dir.join("hosts").join(name).join("root")
    }
}

/// The exclusive lock on the lab's state, released when dropped.
pub struct Lock {
    _file: std::fs::File,
}

impl Lock {
    pub fn take(dir: &Path) -> Result<Lock, String> {
        let p = dir.join("state").join("lock");
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&p)
            .map_err(|e| format!("{}: {e}", p.display()))?;
        // SAFETY: flock on a file descriptor we own; it is released when the file closes.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(format!(
                "{}: {}",
                p.display(),
                std::io::Error::last_os_error()
            ));
        }
        Ok(Lock { _file: f })
    }
}

fn state_file(dir: &Path) -> PathBuf {
    dir.join("state").join("lab.json")
}

pub fn read_world(dir: &Path) -> Result<World, String> {
    let p = state_file(dir);
    let text = std::fs::read_to_string(&p).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!(
                "{} is not a prepared lab (run dsinstall sim --dir {} first)",
                dir.display(),
                dir.display()
            )
        }
        _ => format!("{}: {e}", p.display()),
    })?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
}

pub fn write_world(dir: &Path, w: &World) -> Result<(), String> {
    let p = state_file(dir);
    let text = serde_json::to_string_pretty(w).map_err(|e| e.to_string())?;
    crate::io::write::write_file(&p, text.as_bytes(), crate::io::write::PUBLIC)
        .map_err(|e| format!("{}: {e}", p.display()))?;
    for (i, (name, h)) in w.hosts.iter().enumerate() {
        let first = w.lab.hosts.first().map_or(i == 0, |f| &f.name == name);
        crate::sim::hostcmd::mirror_proc(&host_root(dir, name, first), h)?;
    }
    Ok(())
}

/// Write a file under a host's root, making its directories; `private` makes it 0600.
pub fn write_host_file(root: &Path, abs: &str, data: &[u8], private: bool) -> Result<(), String> {
    let p = root.join(abs.trim_start_matches('/'));
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    crate::io::write::write_file(
        &p,
        data,
        if private {
            crate::io::write::PRIVATE
        } else {
            crate::io::write::PUBLIC
        },
    )
    .map_err(|e| format!("{}: {e}", p.display()))
}
