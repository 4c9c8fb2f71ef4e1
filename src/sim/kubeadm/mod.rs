//! The kubeadm stand-in: the commands dsinstall runs, with kubeadm's own lines, streams and
//! exit codes for the simulated release (cmd/kubeadm/app/cmd/*.go).

pub mod apiversions;
pub mod config;
pub mod fields;
pub mod files;
pub mod images;
pub mod init;
pub mod join;
pub mod klog;
pub mod preflight;
pub mod reset;
pub mod token;
pub mod validation;

use crate::sim::Exit;
use crate::sim::state::Ctx;
use crate::sim::version::Version;

/// kubeadm's tail line under every error (cmd/kubeadm/app/util/error.go; from 1.34
/// cmd/kubeadm/app/util/errors/errors.go, handleError).
pub const STACK_HINT: &str = "To see the stack trace of this error execute with --v=5 or higher";

/// Exit codes of cmd/kubeadm/app/util/error.go before 1.34: 1 default, 2 preflight (not
/// reached through the phase runner, which wraps the error), 3 validation (an aggregate of
/// field errors). From 1.34 every error exits 1 (see `fail`).
pub const EXIT_DEFAULT: Exit = 1;
pub const EXIT_VALIDATION: Exit = 3;

/// Print an error as release `v` of kubeadm does (stderr, then the stack-trace hint) and
/// give its exit code.
///
/// Every error kubeadm returns reaches one handler at the top (cobra's own, like `unknown
/// flag`, too: kubeadm silences cobra's printing), and phase subcommands return theirs
/// through it as well (RunE in cmd/kubeadm/app/cmd/phases/workflow/runner.go). Before 1.34
/// that is util.CheckErr, which prints the message bare and keeps the codes above. From
/// 1.34 it is errors.HandleError (kubernetes/kubernetes#132080, in CHANGELOG-1.34
/// v1.34.0-alpha.1: "Kubeadm: consistently print an 'error: ' prefix before errors."):
/// `error: ` goes in front of every message, and the PR dropped the codes above 1
/// (handleError always passes defaultErrorExitCode).
pub fn fail(v: Version, msg: &str, code: Exit) -> Exit {
    if v.errors_prefixed() {
        eprintln!("error: {msg}");
        eprintln!("{STACK_HINT}");
        EXIT_DEFAULT
    } else {
        eprintln!("{msg}");
        eprintln!("{STACK_HINT}");
        code
    }
}

/// Parsed command-line flags: `--name value`, `--name=value`, boolean `--name`.
#[derive(Debug, Default)]
pub struct Flags {
    pub values: Vec<(String, String)>,
    pub positional: Vec<String>,
}

impl Flags {
    /// Parse `args` against the flags the command knows: `value_flags` take a value,
    /// `bool_flags` do not. Err: kubeadm's (cobra's) `unknown flag` line.
    pub fn parse(
        args: &[String],
        value_flags: &[&str],
        bool_flags: &[&str],
    ) -> Result<Flags, String> {
        let mut f = Flags::default();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if let Some(body) = a
                .strip_prefix("--")
                .or_else(|| a.strip_prefix('-').filter(|b| b.len() == 1))
            {
                let (name, inline) = match body.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (body.to_string(), None),
                };
                let name = if name == "f" {
                    "force".to_string()
                } else {
                    name
                };
                if value_flags.contains(&name.as_str()) || name == "v" {
                    let val = match inline {
                        Some(v) => v,
                        None => {
                            i += 1;
                            args.get(i)
                                .cloned()
                                .ok_or_else(|| format!("flag needs an argument: --{name}"))?
                        }
                    };
                    f.values.push((name, val));
                } else if bool_flags.contains(&name.as_str()) {
                    f.values
                        .push((name, inline.unwrap_or_else(|| "true".into())));
                } else {
                    return Err(format!(
                        "unknown flag: {}",
                        if a.starts_with("--") {
                            format!("--{name}")
                        } else {
                            format!("-{name}")
                        }
                    ));
                }
            } else {
                f.positional.push(a.clone());
            }
            i += 1;
        }
        Ok(f)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v != "false")
    }

    /// A comma list flag given once or several times.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()))
            .filter(|s| !s.is_empty())
            .collect()
    }
}

pub fn main(ctx: &Ctx, args: &[String]) -> Exit {
    let world = match ctx.load() {
        Ok(w) => w,
        // The lab's own trouble (no world to load), before any release is known: said in
        // the older form, as nothing tells which kubeadm this would have been.
        Err(e) => {
            eprintln!("{e}");
            eprintln!("{STACK_HINT}");
            return EXIT_DEFAULT;
        }
    };
    let v = world.version();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let rest = |n: usize| args[n.min(args.len())..].to_vec();
    match words.as_slice() {
        ["version", ..] => version(v, &rest(1)),
        ["init", "phase", "preflight", ..] => init::phase_preflight(ctx, v, &rest(3)),
        ["init", "phase", "upload-certs", ..] => init::phase_upload_certs(ctx, v, &rest(3)),
        ["init", "phase", other, ..] => {
            fail(v, &format!("invalid subcommand: {other:?}"), EXIT_DEFAULT)
        }
        ["init", ..] => init::run(ctx, v, &rest(1)),
        ["join", ..] => join::run(ctx, v, &rest(1)),
        ["reset", ..] => reset::run(ctx, v, &rest(1)),
        ["token", "create", ..] => token::create(ctx, v, &rest(2)),
        ["token", "list", ..] => token::list(ctx, v, &rest(2)),
        ["config", "images", "list", ..] => images::list(ctx, v, &rest(3)),
        ["config", "images", "pull", ..] => images::pull(ctx, v, &rest(3)),
        ["config", "validate", ..] if v.at_least(28) => validation::validate_cmd(v, &rest(2)),
        // Before 1.28 (kubernetes/kubernetes#118013) `config` has no validate subcommand, and
        // cobra refuses the --config flag before it gets to say so.
        ["config", "validate", ..] if args.iter().any(|a| a.starts_with("--config")) => {
            fail(v, "unknown flag: --config", EXIT_DEFAULT)
        }
        ["config", sub, ..] if !sub.starts_with('-') => {
            fail(v, &format!("invalid subcommand: {sub:?}"), EXIT_DEFAULT)
        }
        ["config", ..] => fail(
            v,
            "missing subcommand; \"config\" is not meant to be run on its own",
            EXIT_DEFAULT,
        ),
        [] => {
            println!("kubeadm: easily bootstrap a secure Kubernetes cluster");
            0
        }
        [other, ..] => fail(
            v,
            &format!("unknown command {other:?} for \"kubeadm\""),
            EXIT_DEFAULT,
        ),
    }
}

/// `kubeadm version [-o short|json|yaml]`.
fn version(v: Version, args: &[String]) -> Exit {
    let flags = match Flags::parse(args, &["output", "o"], &[]) {
        Ok(f) => f,
        Err(e) => return fail(v, &e, EXIT_DEFAULT),
    };
    let info = version_info(v);
    match flags.get("output").or(flags.get("o")) {
        None => println!(
            "kubeadm version: &version.Info{{Major:\"1\", Minor:\"{}\", GitVersion:\"{v}\", GitCommit:\"{}\", GitTreeState:\"clean\", BuildDate:\"{}\", GoVersion:\"{}\", Compiler:\"gc\", Platform:\"linux/amd64\"}}",
            v.minor,
            info["gitCommit"].as_str().unwrap_or(""),
            info["buildDate"].as_str().unwrap_or(""),
            info["goVersion"].as_str().unwrap_or("")
        ),
        Some("short") => println!("{v}"),
        Some("json") => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"clientVersion": info}))
                .unwrap_or_default()
        ),
        Some("yaml") => print!(
            "{}",
            serde_yaml::to_string(&serde_json::json!({"clientVersion": info})).unwrap_or_default()
        ),
        Some(o) => return fail(v, &format!("invalid output format: {o}"), EXIT_DEFAULT),
    }
    0
}

/// The version.Info of a release, as `-o json` prints it.
pub fn version_info(v: crate::sim::version::Version) -> serde_json::Value {
    // Go versions the releases were built with (the .0 releases' go.mod / release notes).
    let go = match v.minor {
        19 => "go1.15",
        20 => "go1.15.5",
        21 => "go1.16.1",
        22 => "go1.16.5",
        23 => "go1.17.3",
        24 => "go1.18",
        25 => "go1.19",
        26 => "go1.19.4",
        27 => "go1.20.3",
        28 => "go1.20.7",
        29 => "go1.21.5",
        30 => "go1.22.2",
        31 => "go1.22.5",
        32 => "go1.23.3",
        33 => "go1.24.2",
        34 => "go1.24.6",
        35 => "go1.25.3",
        36 => "go1.25.7",
        // The newest Go CHANGELOG-1.37 names (v1.37.0-alpha.1: "built using Go 1.26.4",
        // kk#139584); v1.37.0's own notes were not at hand.
        _ => "go1.26.4",
    };
    serde_json::json!({
        "major": "1",
        "minor": v.minor.to_string(),
        "gitVersion": v.to_string(),
        "gitCommit": format!("{:040x}", (v.minor as u128) << 64 | v.patch as u128),
        "gitTreeState": "clean",
        "buildDate": "2020-08-26T14:27:41Z",
        "goVersion": go,
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}
