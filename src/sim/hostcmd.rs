//! The host commands the install runs: `sysctl`, `modprobe`, `swapoff`, changing the
//! simulated host's facts as the real ones change the kernel's (procps-ng sysctl, kmod
//! modprobe, util-linux swapoff, with the messages of CentOS 7's versions).

use crate::sim::Exit;
use crate::sim::state::{Ctx, HostState};

/// Modules the lab's kernel (3.10.0-1062.el7, the guide's CentOS 7.7) has.
const MODULES: &[&str] = &[
    "br_netfilter",
    "overlay",
    "ip_vs",
    "ip_vs_rr",
    "ip_vs_wrr",
    "ip_vs_sh",
    "nf_conntrack",
    "nf_conntrack_ipv4",
    "nf_conntrack_ipv6",
    "ip_tables",
    "ip6_tables",
    "iptable_nat",
    "xt_set",
    "ipip",
    "vxlan",
];
const KERNEL: &str = "3.10.0-1062.el7.x86_64";

fn proc_path(key: &str) -> String {
    format!("/proc/sys/{}", key.replace('.', "/"))
}

/// Whether /proc/sys has the key on this host: the bridge keys only with br_netfilter.
fn exists(h: &HostState, key: &str) -> bool {
    let known_prefix = ["net.", "vm.", "fs.", "kernel.", "user."]
        .iter()
        .any(|p| key.starts_with(p));
    known_prefix && (!key.starts_with("net.bridge.") || h.modules.contains("br_netfilter"))
}

fn value(h: &HostState, key: &str) -> String {
    h.sysctls.get(key).cloned().unwrap_or_else(|| {
        // accept_ra is 1 on a fresh device (ip-sysctl.rst); the bridge keys default on.
        if key.starts_with("net.bridge.") || key.ends_with(".accept_ra") {
            "1".into()
        } else {
            "0".into()
        }
    })
}

/// Set one key; Err: procps's message.
fn set(h: &mut HostState, key: &str, val: &str) -> Result<(), String> {
    if !exists(h, key) {
        return Err(format!(
            "sysctl: cannot stat {}: No such file or directory",
            proc_path(key)
        ));
    }
    h.sysctls.insert(key.to_string(), val.trim().to_string());
    Ok(())
}

/// Read a sysctl.conf-style file: `key = value` lines, `#` and `;` comments.
fn parse_conf(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .filter_map(|l| {
            l.split_once('=').map(|(k, v)| {
                (
                    k.trim().trim_start_matches('-').to_string(),
                    v.trim().to_string(),
                )
            })
        })
        .collect()
}

pub fn sysctl(ctx: &Ctx, args: &[String]) -> Exit {
    let root = ctx.root();
    let host = ctx.host.clone();
    let (mut quiet, mut names_only, mut write) = (false, false, false);
    let mut files: Vec<String> = Vec::new();
    let mut system = false;
    let mut keys = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-q" | "--quiet" => quiet = true,
            "-n" | "--values" => names_only = true,
            "-w" | "--write" => write = true,
            "--system" => system = true,
            "-p" | "--load" => {
                if let Some(f) = args.get(i + 1).filter(|a| !a.starts_with('-')) {
                    files.push(f.clone());
                    i += 1;
                } else {
                    files.push("/etc/sysctl.conf".into());
                }
            }
            a if a.starts_with("--load=") => files.push(a.trim_start_matches("--load=").into()),
            a if a.starts_with('-') => {
                eprintln!("sysctl: invalid option -- '{}'", a.trim_start_matches('-'));
                eprintln!("Try `sysctl --help' for more information.");
                return 255;
            }
            a => keys.push(a.to_string()),
        }
        i += 1;
    }
    let r = ctx.update(|w| {
        let h = w.hosts.get_mut(&host).ok_or("no such host")?;
        let mut rc = 0;
        let apply = |h: &mut HostState, pairs: Vec<(String, String)>, rc: &mut i32| {
            for (k, v) in pairs {
                match set(h, &k, &v) {
                    Ok(()) if !quiet => println!("{k} = {v}"),
                    Ok(()) => {}
                    Err(e) => {
                        eprintln!("{e}");
                        *rc = 255;
                    }
                }
            }
        };
        if system {
            let mut paths: Vec<String> = Vec::new();
            for d in ["usr/lib/sysctl.d", "run/sysctl.d", "etc/sysctl.d"] {
                if let Ok(rd) = std::fs::read_dir(root.join(d)) {
                    let mut names: Vec<String> = rd
                        .filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().to_string())
                        .filter(|n| n.ends_with(".conf"))
                        .collect();
                    names.sort();
                    paths.extend(names.into_iter().map(|n| format!("/{d}/{n}")));
                }
            }
            if root.join("etc/sysctl.conf").exists() {
                paths.push("/etc/sysctl.conf".into());
            }
            for p in paths {
                println!("* Applying {p} ...");
                let text = std::fs::read_to_string(root.join(p.trim_start_matches('/')))
                    .unwrap_or_default();
                apply(h, parse_conf(&text), &mut rc);
            }
            return Ok(rc);
        }
        for f in &files {
            let text = match std::fs::read_to_string(ctx.host_path(f)) {
                Ok(t) => t,
                Err(_) => {
                    eprintln!("sysctl: cannot open \"{f}\": No such file or directory");
                    rc = 255;
                    continue;
                }
            };
            apply(h, parse_conf(&text), &mut rc);
        }
        for k in &keys {
            if let Some((key, val)) = k.split_once('=') {
                apply(h, vec![(key.to_string(), val.to_string())], &mut rc);
            } else if write {
                eprintln!("sysctl: \"{k}\" must be of the form name=value");
                rc = 255;
            } else if exists(h, k) {
                if names_only {
                    println!("{}", value(h, k));
                } else {
                    println!("{k} = {}", value(h, k));
                }
            } else {
                eprintln!(
                    "sysctl: cannot stat {}: No such file or directory",
                    proc_path(k)
                );
                rc = 255;
            }
        }
        Ok(rc)
    });
    r.unwrap_or_else(|e| {
        eprintln!("sysctl: {e}");
        255
    })
}

pub fn modprobe(ctx: &Ctx, args: &[String]) -> Exit {
    let mut remove = false;
    let mut names = Vec::new();
    for a in args {
        match a.as_str() {
            "-r" | "--remove" => remove = true,
            "-q" | "--quiet" | "-v" | "--verbose" | "-a" | "--all" | "-b" => {}
            a if a.starts_with('-') => {
                eprintln!(
                    "modprobe: invalid option -- '{}'",
                    a.trim_start_matches('-')
                );
                return 1;
            }
            a => names.push(a.to_string()),
        }
    }
    if names.is_empty() {
        eprintln!("modprobe: ERROR: missing parameters. See -h.");
        return 1;
    }
    let host = ctx.host.clone();
    ctx.update(|w| {
        let h = w.hosts.get_mut(&host).ok_or("no such host")?;
        for n in &names {
            let n = n.replace('-', "_");
            if !MODULES.contains(&n.as_str()) {
                eprintln!(
                    "modprobe: FATAL: Module {n} not found in directory /lib/modules/{KERNEL}"
                );
                return Ok(1);
            }
            if remove {
                h.modules.remove(&n);
            } else {
                h.modules.insert(n);
            }
        }
        Ok(0)
    })
    .unwrap_or_else(|e| {
        eprintln!("modprobe: {e}");
        1
    })
}

pub fn swapoff(ctx: &Ctx, args: &[String]) -> Exit {
    if !args
        .iter()
        .any(|a| a == "-a" || a == "--all" || !a.starts_with('-'))
    {
        eprintln!("swapoff: bad usage");
        eprintln!("Try 'swapoff --help' for more information.");
        return 2;
    }
    let host = ctx.host.clone();
    ctx.update(|w| {
        if let Some(h) = w.hosts.get_mut(&host) {
            h.swap = false;
        }
        Ok(0)
    })
    .unwrap_or_else(|e| {
        eprintln!("swapoff: {e}");
        1
    })
}

/// The host's kernel state as the real kernel shows it, under the host's root:
/// `/proc/swaps` (its header, and the guide's swap partition while swap is on),
/// `/proc/modules`, and `/proc/sys/<key>` for each sysctl set (the bridge keys only while
/// br_netfilter is loaded), so what reads these files on a real node reads them here.
pub fn mirror_proc(root: &std::path::Path, h: &HostState) -> Result<(), String> {
    let put = |rel: &str, text: &str| {
        let p = root.join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
        }
        crate::io::write::write_file(&p, text.as_bytes(), crate::io::write::PUBLIC)
            .map_err(|e| format!("{}: {e}", p.display()))
    };
    let mut swaps = String::from("Filename\t\t\t\tType\t\tSize\tUsed\tPriority\n");
    if h.swap {
        swaps.push_str("/dev/dm-1                               partition\t2097148\t0\t-2\n");
    }
    put("proc/swaps", &swaps)?;
    let modules: String = h
        .modules
        .iter()
        .map(|m| format!("{m} 16384 0 - Live 0x0000000000000000\n"))
        .collect();
    put("proc/modules", &modules)?;
    let bridge = root.join("proc/sys/net/bridge");
    if h.modules.contains("br_netfilter") {
        for k in [
            "net.bridge.bridge-nf-call-iptables",
            "net.bridge.bridge-nf-call-ip6tables",
        ] {
            put(&proc_path(k)[1..], &format!("{}\n", value(h, k)))?;
        }
    } else if bridge.exists() {
        std::fs::remove_dir_all(&bridge).map_err(|e| format!("{}: {e}", bridge.display()))?;
    }
    for (k, v) in &h.sysctls {
        if exists(h, k) {
            put(&proc_path(k)[1..], &format!("{v}\n"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sysctl_files_as_procps_does() {
        let p = parse_conf(
            "# c\nnet.ipv4.ip_forward = 1\n; x\n-net.bridge.bridge-nf-call-iptables=1\n\n",
        );
        assert_eq!(
            p,
            [
                ("net.ipv4.ip_forward".to_string(), "1".to_string()),
                (
                    "net.bridge.bridge-nf-call-iptables".to_string(),
                    "1".to_string()
                )
            ]
        );
    }
}
