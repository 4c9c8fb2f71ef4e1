//! `dsinstall sim --dir DIR ...`: prepare a lab, change its faults, print its environment.

use crate::sim::faults;
use crate::sim::lab::Lab;
use crate::sim::latency::{self, Latency};
use crate::sim::pace::Pace;
use crate::sim::state::{self, World};
use crate::sim::version::{self, Version};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The options of `dsinstall sim`.
#[derive(Debug, Default)]
pub struct Options {
    pub dir: Option<PathBuf>,
    pub lab: Option<PathBuf>,
    pub kubernetes: Option<String>,
    pub faults: Vec<String>,
    pub pace: Option<String>,
    /// `KIND=DURATION` (sim::latency).
    pub latencies: Vec<String>,
    pub env: bool,
    pub list_faults: bool,
    pub clear_faults: Vec<String>,
}

/// Run `dsinstall sim`; Ok carries what to print on stdout.
pub fn run(o: &Options, exe: &Path) -> Result<String, String> {
    if o.list_faults {
        return Ok(format!("{}{}", faults::listing(), latency::listing()));
    }
    let dir = o
        .dir
        .as_deref()
        .ok_or("sim: --dir DIR is required (except with --list-faults)")?;
    let dir = absolute(dir)?;
    let prepared = dir.join("state").join("lab.json").exists();
    let mut out = String::new();
    if !prepared {
        prepare(&dir, o, exe)?;
        out.push_str(&format!("Prepared a simulated lab in {}\n", dir.display()));
    } else if o.lab.is_some() || o.kubernetes.is_some() {
        return Err(format!(
            "sim: {} already holds a lab; --lab and --kubernetes only prepare a new one (use another --dir, or remove this one)",
            dir.display()
        ));
    } else if !o.faults.is_empty()
        || o.pace.is_some()
        || !o.clear_faults.is_empty()
        || !o.latencies.is_empty()
    {
        change(&dir, o)?;
    }
    if o.env {
        out.push_str(&env(&dir));
    } else if !prepared {
        out.push_str(&format!(
            "Use it with: eval \"$(dsinstall sim --dir {} --env)\"\n",
            shell_quote(&dir.to_string_lossy())
        ));
    }
    Ok(out)
}

fn absolute(p: &Path) -> Result<PathBuf, String> {
    if p.is_absolute() {
        Ok(p.to_path_buf())
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .map_err(|e| format!("sim: current directory: {e}"))
    }
}

fn prepare(dir: &Path, o: &Options, exe: &Path) -> Result<(), String> {
    let lab = match &o.lab {
        Some(p) => Lab::from_answers(p).map_err(|e| format!("sim: --lab {e}"))?,
        None => Lab::guide(),
    };
    let version = match &o.kubernetes {
        Some(v) => Version::parse(v).map_err(|e| format!("sim: --kubernetes {e}"))?,
        None => version::OLDEST,
    };
    let pace = match &o.pace {
        Some(p) => Pace::parse(p).map_err(|e| format!("sim: {e}"))?,
        None => Pace::Fast,
    };
    let names: Vec<String> = lab.hosts.iter().map(|h| h.name.clone()).collect();
    for f in &o.faults {
        faults::validate(f, &names).map_err(|e| format!("sim: {e}"))?;
    }
    let mut latency = Latency::default();
    for l in &o.latencies {
        latency.apply(l).map_err(|e| format!("sim: {e}"))?;
    }
    for sub in [
        "bin",
        "state",
        "root",
        "var/lib/dsinstall",
        "var/log/dsinstall",
    ] {
        mkdir(&dir.join(sub))?;
    }
    // dsinstall's own directories hold secrets: 0700, as dsinstall makes them (run.md).
    for sub in ["var/lib/dsinstall", "var/log/dsinstall"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join(sub), std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("sim: {sub}: {e}"))?;
    }
    let swap = o.faults.iter().any(|f| f == "swap-on");
    let mut hosts = BTreeMap::new();
    for (i, h) in lab.hosts.iter().enumerate() {
        let root = state::host_root(dir, &h.name, i == 0);
        mkdir(&root.join("root"))?;
        super::node_files::write(&root, &h.name, version)?;
        hosts.insert(h.name.clone(), World::fresh_host(h.clone(), swap));
    }
    let world = World {
        kubernetes: version.to_string(),
        pace,
        faults: o.faults.clone(),
        latency,
        lab,
        hosts,
        cluster: None,
        generation: 1,
    };
    state::write_world(dir, &world)?;
    for tool in crate::sim::TOOLS {
        write_standin(dir, exe, tool)?;
    }
    Ok(())
}

fn change(dir: &Path, o: &Options) -> Result<(), String> {
    let ctx = state::Ctx::open(dir, None)?;
    ctx.update(|w| {
        let names: Vec<String> = w.lab.hosts.iter().map(|h| h.name.clone()).collect();
        for f in &o.faults {
            faults::validate(f, &names).map_err(|e| format!("sim: {e}"))?;
            if !w.has_fault(f) {
                w.faults.push(f.clone());
            }
            if f == "swap-on" {
                w.hosts.values_mut().for_each(|h| h.swap = true);
            }
        }
        for f in &o.clear_faults {
            if !w.has_fault(f) {
                return Err(format!(
                    "sim: --clear-fault {f}: the lab has no such fault on"
                ));
            }
            w.faults.retain(|x| x != f);
        }
        if let Some(p) = &o.pace {
            w.pace = Pace::parse(p).map_err(|e| format!("sim: {e}"))?;
        }
        for l in &o.latencies {
            w.latency.apply(l).map_err(|e| format!("sim: {e}"))?;
        }
        Ok(())
    })
}

fn mkdir(p: &Path) -> Result<(), String> {
    std::fs::create_dir_all(p).map_err(|e| format!("sim: {}: {e}", p.display()))
}

/// A stand-in: a two-line script that runs this binary's simulation of `tool`.
fn write_standin(dir: &Path, exe: &Path, tool: &str) -> Result<(), String> {
    let script = format!(
        "#!/bin/sh\n# dsinstall's simulated lab: a stand-in for {tool}.\nexec {} __sim-exec {} {tool} \"$@\"\n",
        shell_quote(&exe.to_string_lossy()),
        shell_quote(&dir.to_string_lossy()),
    );
    let p = dir.join("bin").join(tool);
    crate::io::write::write_file(&p, script.as_bytes(), 0o755)
        .map_err(|e| format!("sim: {}: {e}", p.display()))
}

/// The environment that points dsinstall (and a user's shell) at the lab.
pub fn env(dir: &Path) -> String {
    let d = dir.to_string_lossy();
    let q = |s: &str| shell_quote(s);
    format!(
        "export PATH={}:\"$PATH\"\nexport DSINSTALL_SIM={}\nexport DSINSTALL_STATE_DIR={}\nexport DSINSTALL_LOG_DIR={}\nexport KUBECONFIG={}\n",
        q(&format!("{d}/bin")),
        q(&d),
        q(&format!("{d}/var/lib/dsinstall")),
        q(&format!("{d}/var/log/dsinstall")),
        q(&format!("{d}/root/etc/kubernetes/admin.conf")),
    )
}

/// Quote for sh: single quotes, with embedded ones closed, escaped and reopened.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-:=+,@".contains(&b))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}
