//! `ssh` and `scp` to the lab's other nodes (each with its own files under DIR/hosts/NAME/root
//! and its own host state), and `systemd-run`, which starts a command detached as a
//! transient unit would: outside the caller's session, stdin from /dev/null, output to the
//! unit's log. The lab's hosts run the guide's CentOS 7.7: OpenSSH 7.4 and systemd 219.

use crate::sim::Exit;
use crate::sim::state::{Ctx, World};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The host an ssh target names: a node name or one of its addresses, after `user@`.
fn resolve<'a>(w: &'a World, target: &str) -> Option<&'a str> {
    let host = target.rsplit('@').next().unwrap_or(target);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    w.lab
        .hosts
        .iter()
        .find(|h| {
            h.name == host || h.ipv4.as_deref() == Some(host) || h.ipv6.as_deref() == Some(host)
        })
        .map(|h| h.name.as_str())
}

/// The host as typed, which is what OpenSSH names in its connect errors.
fn address_of(_w: &World, _name: &str, target: &str) -> String {
    target.rsplit('@').next().unwrap_or(target).to_string()
}

/// OpenSSH options that take an argument.
const SSH_ARG_OPTS: &[&str] = &[
    "-o", "-i", "-p", "-l", "-F", "-J", "-E", "-b", "-c", "-D", "-L", "-R", "-S", "-W", "-m", "-O",
    "-Q", "-w", "-e",
];

pub fn ssh(ctx: &Ctx, args: &[String]) -> Exit {
    let mut i = 0;
    let mut user = None;
    while i < args.len() && args[i].starts_with('-') {
        let a = args[i].as_str();
        if SSH_ARG_OPTS.contains(&a) {
            if a == "-o"
                && let Some(opt) = args.get(i + 1)
                && opt.starts_with("StrictHostKeyChecking=accept-new")
            {
                eprintln!("command-line line 0: unsupported option \"accept-new\".");
                return 255;
            }
            if a == "-l" {
                user = args.get(i + 1).cloned();
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    let _ = user;
    let Some(target) = args.get(i) else {
        eprintln!("usage: ssh [-1246AaCfGgKkMNnqsTtVvXxYy] [-b bind_address] [-c cipher_spec]");
        return 255;
    };
    let command = args[i + 1..].join(" ");
    let w = match ctx.load() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("ssh: {e}");
            return 255;
        }
    };
    let Some(name) = resolve(&w, target).map(str::to_string) else {
        let host = target.rsplit('@').next().unwrap_or(target);
        eprintln!("ssh: Could not resolve hostname {host}: Name or service not known");
        return 255;
    };
    if refused(&w, &name, target) {
        return 255;
    }
    if command.trim().is_empty() {
        eprintln!("Pseudo-terminal will not be allocated because stdin is not a terminal.");
        return 0;
    }
    let first = w.lab.hosts[0].name == name;
    let root = crate::sim::state::host_root(&ctx.dir, &name, first);
    let home = root.join("root");
    let _ = std::fs::create_dir_all(&home);
    let path = format!(
        "{}:{}",
        ctx.dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new("/bin/sh")
        .arg("-c")
        .arg(&command)
        .current_dir(&home)
        .env("PATH", path)
        .env("HOME", &home)
        .env("DSINSTALL_SIM_HOST", &name)
        // The node's files for the shell's own file commands (cp, mv, awk): what a remote
        // script reaches as /etc is this host's root (run::steps::join_host).
        .env("DSINSTALL_HOST_ROOT", &root)
        .env_remove("KUBECONFIG")
        .status();
    match status {
        Ok(s) => s.code().unwrap_or(255),
        Err(e) => {
            eprintln!("ssh: {e}");
            255
        }
    }
}

/// Whether a fault stops the connection to `name` before a command runs, with OpenSSH's
/// own lines: a dropped link times out; an unknown host key under StrictHostKeyChecking
/// (sshconnect.c, check_host_key) is refused.
fn refused(w: &World, name: &str, target: &str) -> bool {
    let host = address_of(w, name, target);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if w.has_fault(&format!("ssh-drop:{name}")) {
        eprintln!("ssh: connect to host {host} port 22: Connection timed out");
        return true;
    }
    if w.has_fault(&format!("host-key-unknown:{name}")) {
        eprintln!("No ECDSA host key is known for {host} and you have requested strict checking.");
        eprintln!("Host key verification failed.");
        return true;
    }
    false
}

/// `host:path` split: `[v6]:path` with the brackets, else at the first colon.
fn split_remote(s: &str) -> Option<(&str, &str)> {
    if s.starts_with('[') {
        let close = s.find("]:")?;
        return Some((&s[..=close], &s[close + 2..]));
    }
    s.split_once(':').filter(|(h, _)| !h.contains('/'))
}

/// A path on a host: `host:path` names a node's file, anything else a local one.
fn scp_side(ctx: &Ctx, w: &World, s: &str) -> Result<(Option<String>, PathBuf), Exit> {
    if let Some((h, p)) = split_remote(s) {
        let Some(name) = resolve(w, h) else {
            eprintln!(
                "ssh: Could not resolve hostname {}: Name or service not known",
                h.rsplit('@').next().unwrap_or(h)
            );
            eprintln!("lost connection");
            return Err(1);
        };
        if refused(w, name, h) {
            eprintln!("lost connection");
            return Err(1);
        }
        let first = w.lab.hosts[0].name == name;
        let root = crate::sim::state::host_root(&ctx.dir, name, first);
        let p = if p.starts_with('/') {
            root.join(p.trim_start_matches('/'))
        } else {
            root.join("root").join(p)
        };
        return Ok((Some(name.to_string()), p));
    }
    Ok((None, ctx.host_path(s)))
}

pub fn scp(ctx: &Ctx, args: &[String]) -> Exit {
    let mut paths = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if ["-o", "-i", "-P", "-F", "-l", "-S", "-c"].contains(&a.as_str()) {
            i += 2;
            continue;
        }
        if !a.starts_with('-') {
            paths.push(a.clone());
        }
        i += 1;
    }
    if paths.len() < 2 {
        eprintln!("usage: scp [-12346BCpqrv] [-c cipher] [-F ssh_config] [-i identity_file]");
        return 1;
    }
    let w = match ctx.load() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("scp: {e}");
            return 1;
        }
    };
    let (dst_spec, srcs) = paths.split_last().expect("two paths");
    let (_, dst) = match scp_side(ctx, &w, dst_spec) {
        Ok(x) => x,
        Err(c) => return c,
    };
    for s in srcs {
        let (_, src) = match scp_side(ctx, &w, s) {
            Ok(x) => x,
            Err(c) => return c,
        };
        let target = if dst.is_dir() || dst_spec.ends_with('/') {
            dst.join(src.file_name().unwrap_or_default())
        } else {
            dst.clone()
        };
        if let Some(d) = target.parent()
            && !d.exists()
        {
            eprintln!(
                "scp: {}: No such file or directory",
                split_remote(dst_spec).map(|(_, p)| p).unwrap_or(dst_spec)
            );
            return 1;
        }
        if let Err(e) = std::fs::copy(&src, &target) {
            let shown = split_remote(s).map(|(_, p)| p).unwrap_or(s);
            eprintln!(
                "scp: {shown}: {}",
                if e.kind() == std::io::ErrorKind::NotFound {
                    "No such file or directory".to_string()
                } else {
                    e.to_string()
                }
            );
            return 1;
        }
    }
    0
}

/// `sudo [-n] [-E] [-H] [-u root] [--] COMMAND...`: runs COMMAND as the host's root (the
/// lab has no other users), unless the sudo-password fault says the user's sudoers entry
/// wants a password: then `-n` fails with sudo 1.8's words, and without `-n` there is no
/// terminal to ask on (plugins/sudoers/auth/sudo_auth.c, tgetpass.c).
pub fn sudo(ctx: &Ctx, args: &[String]) -> Exit {
    let mut i = 0;
    let mut non_interactive = false;
    while i < args.len() && args[i].starts_with('-') {
        match args[i].as_str() {
            "-n" | "--non-interactive" => non_interactive = true,
            "-E" | "-H" | "--preserve-env" | "--set-home" => {}
            "-u" | "--user" => i += 1,
            "--" => {
                i += 1;
                break;
            }
            other => {
                eprintln!(
                    "sudo: invalid option -- '{}'",
                    other.trim_start_matches('-')
                );
                eprintln!("usage: sudo -h | -K | -k | -V");
                return 1;
            }
        }
        i += 1;
    }
    if i >= args.len() {
        eprintln!("usage: sudo -h | -K | -k | -V");
        return 1;
    }
    let w = match ctx.load() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("sudo: {e}");
            return 1;
        }
    };
    if w.has_fault(&format!("sudo-password:{}", ctx.host)) {
        if non_interactive {
            eprintln!("sudo: a password is required");
        } else {
            eprintln!("sudo: no tty present and no askpass program specified");
        }
        return 1;
    }
    match Command::new(&args[i]).args(&args[i + 1..]).status() {
        Ok(s) => s.code().unwrap_or(1),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("sudo: {}: command not found", args[i]);
            1
        }
        Err(e) => {
            eprintln!("sudo: {}: {e}", args[i]);
            1
        }
    }
}

/// systemd 219 (CentOS 7) has no --pipe (235), --collect (236) or --wait (232).
const NOT_IN_219: &[&str] = &["--pipe", "-P", "--collect", "-G", "--wait", "-W"];

/// What a unit's environment holds besides `--setenv`: systemd's own default PATH (systemd
/// 219 src/core/main.c, DEFAULT_PATH). A unit inherits nothing of its caller's environment.
const UNIT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin";

pub fn systemd_run(ctx: &Ctx, args: &[String]) -> Exit {
    let mut unit = None;
    let mut env: Vec<(String, String)> = vec![("PATH".into(), UNIT_PATH.into())];
    let mut set = |kv: &str| {
        if let Some((k, v)) = kv.split_once('=') {
            env.retain(|(x, _)| x != k);
            env.push((k.to_string(), v.to_string()));
        }
    };
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        let a = args[i].as_str();
        if NOT_IN_219.contains(&a) {
            eprintln!("systemd-run: unrecognized option '{a}'");
            return 1;
        }
        if let Some(u) = a.strip_prefix("--unit=") {
            unit = Some(u.to_string());
        } else if let Some(kv) = a.strip_prefix("--setenv=") {
            set(kv);
        } else if a == "--unit"
            || a == "-p"
            || a == "--property"
            || a == "--description"
            || a == "--slice"
            || a == "--uid"
            || a == "--gid"
            || a == "--setenv"
            || a == "-E"
        {
            if a == "--unit" {
                unit = args.get(i + 1).cloned();
            }
            if a == "--setenv" || a == "-E" {
                set(args.get(i + 1).map(String::as_str).unwrap_or(""));
            }
            i += 1;
        }
        i += 1;
    }
    if i >= args.len() {
        eprintln!("Command line to execute required.");
        return 1;
    }
    let unit = unit.unwrap_or_else(|| format!("run-{}", std::process::id()));
    let unit = if unit.ends_with(".service") {
        unit
    } else {
        format!("{unit}.service")
    };
    let units = ctx.dir.join("state").join("units");
    let _ = std::fs::create_dir_all(&units);
    let pidfile = units.join(format!("{unit}.pid"));
    if let Some(pid) = std::fs::read_to_string(&pidfile)
        .ok()
        .and_then(|s| s.trim().parse::<i32>().ok())
    {
        // SAFETY: signal 0 only asks whether the process exists.
        if unsafe { libc::kill(pid, 0) } == 0 {
            eprintln!("Failed to start transient service unit: Unit {unit} already exists.");
            return 1;
        }
    }
    let log = match std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(units.join(format!("{unit}.log")))
    {
        Ok(f) => f,
        Err(e) => {
            eprintln!("Failed to start transient service unit: {e}");
            return 1;
        }
    };
    let log2 = match log.try_clone() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("Failed to start transient service unit: {e}");
            return 1;
        }
    };
    let mut cmd = Command::new(&args[i]);
    cmd.args(&args[i + 1..])
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .current_dir("/");
    {
        use std::os::unix::process::CommandExt;
        // A new session: out of the caller's process group and terminal, as a unit is.
        // SAFETY: setsid is async-signal-safe and touches nothing of the parent.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
    }
    match cmd.spawn() {
        Ok(child) => {
            let _ = crate::io::write::write_file(
                &pidfile,
                child.id().to_string().as_bytes(),
                crate::io::write::PUBLIC,
            );
            eprintln!("Running as unit {unit}.");
            0
        }
        Err(e) => {
            eprintln!("Failed to execute {}: {e}", args[i]);
            1
        }
    }
}
