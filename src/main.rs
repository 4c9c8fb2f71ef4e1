//! The command line (the README's command-line reference): parse, dispatch, map outcomes to
//! exit codes.
//! Each subcommand lives in its own file under `commands/`.

mod commands;

use clap::{CommandFactory, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "dsinstall",
    version,
    about = "Install the first control-plane node of a dual-stack (IPv4/IPv6) kubeadm + Calico cluster",
    args_conflicts_with_subcommands = true,
    long_about = "Install the first control-plane node of a dual-stack (IPv4/IPv6) kubeadm + Calico cluster.\n\nWithout a command, starts the wizard on this host (or on the example lab with --demo);\nits options (--demo, --dry-run, --answers, --lang, --templates) belong to it alone."
)]
struct Cli {
    /// Run the wizard on the example lab of the guide (three simulated nodes); changes nothing.
    #[arg(long, conflicts_with = "dry_run")]
    demo: bool,
    /// Run the wizard on this host; nothing that would change the host runs.
    #[arg(long)]
    dry_run: bool,
    /// Start the wizard from this answers file (one written by the wizard or `export`)
    /// instead of the detected defaults.
    #[arg(long, value_name = "FILE")]
    answers: Option<PathBuf>,
    /// Language of the wizard: en or zh-CN (default: from LC_ALL / LC_MESSAGES / LANG).
    #[arg(long)]
    lang: Option<String>,
    /// Directory whose .j2 files replace the built-in templates of the same name (for the
    /// wizard's Preview).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// With --demo: switch on a fault of the simulated lab (repeatable; see
    /// `dsinstall sim --list-faults`), to train on a failure, its cause and fix, and a retry.
    #[arg(long = "fault", value_name = "NAME", requires = "demo")]
    faults: Vec<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check an answers file and print the address plan and every problem (errors first).
    Plan {
        /// The answers file to check.
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
        /// Also check the answers against this host: the CRI socket exists, the node
        /// addresses are on the chosen interfaces, the installed kubeadm and kubelet can
        /// deploy kubernetes.version, and every file renders (the Calico manifest too).
        #[arg(long)]
        host: bool,
        /// With --host, read the host's files under DIR instead of / (tests, the simulated
        /// lab); interfaces and routes still come from this network namespace, tools from PATH.
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
    },
    /// Write every file the install would use into DIR.
    Render {
        /// The answers file to render.
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
        /// Directory to write the files into (created if missing); the files all appear
        /// together, or none does.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Directory whose .j2 files replace the built-in templates of the same name.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Install this node: preflight, host settings, kubeadm init, Calico, waits, joins and
    /// the checks, run by a detached runner that survives this terminal (exit 0 done, 1 a
    /// step failed, 2 problems in the answers, 130 this client was interrupted).
    Apply {
        /// The answers file to install from.
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
        /// Show every command and file change in order, with diffs; run nothing that
        /// changes the host.
        #[arg(long)]
        dry_run: bool,
        /// Consent to the changes that need it (commenting out swap lines in /etc/fstab).
        #[arg(long)]
        yes: bool,
        /// Host files go under DIR instead of / (tests, the simulated lab).
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
        /// Do not pull the images first (they are already on the node, or kubeadm init
        /// may pull them itself).
        #[arg(long)]
        skip_image_pull: bool,
        /// Start a new run even though this host's last run was of other answers (run
        /// dsinstall reset first).
        #[arg(long)]
        restart: bool,
        /// How long the waits for the node and for Calico wait, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 600)]
        wait_timeout: u64,
    },
    /// The current or last run: each step's state, time, error and hint.
    Status {
        /// Print the status as JSON (the shape is stable; see the README).
        #[arg(long)]
        json: bool,
    },
    /// The run's log (secrets redacted).
    Logs {
        /// Keep printing what the run adds until it ends.
        #[arg(long)]
        follow: bool,
        /// Only the lines of this step (`kubeadm.init`, `calico`, ...).
        #[arg(long, value_name = "ID")]
        step: Option<String>,
    },
    /// Undo this node's install and restore every file dsinstall backed up.
    Reset {
        /// Do not ask (required without a terminal).
        #[arg(long)]
        yes: bool,
        /// Undo only the join of this node of `nodes:` (a later apply joins it again).
        #[arg(long, value_name = "NAME", conflicts_with = "all")]
        node: Option<String>,
        /// Undo every joined node's install too, then this node's.
        #[arg(long)]
        all: bool,
    },
    /// Run the built-in dual-stack checks against a running cluster (exit 0 all pass, 1 a
    /// check failed).
    Verify {
        /// The answers the cluster was installed from (default: read the families and
        /// ranges from the cluster's kubeadm-config ConfigMap).
        #[arg(long, value_name = "FILE")]
        answers: Option<PathBuf>,
        /// The kubeconfig kubectl uses (default: kubectl's own: $KUBECONFIG, ~/.kube/config).
        #[arg(long, value_name = "FILE")]
        kubeconfig: Option<PathBuf>,
        /// Print the report as JSON (the shape is stable; see the README).
        #[arg(long)]
        json: bool,
        /// Also write a JUnit XML report to FILE (written even when the run aborts).
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Keep the test workload's namespace afterwards.
        #[arg(long)]
        keep: bool,
        /// Add a readiness report: openstack (OpenStack-Helm).
        #[arg(long, value_name = "openstack", value_parser = ["openstack"])]
        profile: Option<String>,
        /// Each check's deadline, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 120)]
        timeout: u64,
    },
    /// Print this host's facts: interfaces, addresses, routes, sysctls, modules, tools.
    Detect {
        /// Print the facts as JSON (the field names are stable; see the README) instead of
        /// a table.
        #[arg(long)]
        json: bool,
        /// Read the host's files (/proc, /sys, /etc, /run, /var) under DIR instead of /
        /// (tests, the simulated lab); interfaces and routes still come from this network
        /// namespace, tools from PATH.
        #[arg(long, value_name = "DIR", default_value = "/")]
        root: PathBuf,
    },
    /// Write an answers file with this host's detected defaults, without asking.
    Export {
        /// The answers file to write (`-`: standard output).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Print the shell completion script for bash, zsh or fish.
    Completions {
        #[arg(value_enum)]
        shell: commands::completions::Shell,
    },
    /// Write the manual pages into DIR: dsinstall.1 and one dsinstall-COMMAND.1 per command.
    Man {
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Prepare a simulated lab (kubeadm, kubectl, ssh stand-ins over a simulated cluster).
    Sim {
        /// The lab's directory: bin/ (the stand-ins), state/, root/ (the first node's files).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Take the hosts (names, interfaces, addresses) from this answers file's node and nodes.
        #[arg(long, value_name = "ANSWERS")]
        lab: Option<PathBuf>,
        /// The Kubernetes release the stand-ins behave as (default v1.19.0, the guide's).
        #[arg(long, value_name = "vX.Y.Z")]
        kubernetes: Option<String>,
        /// Switch a fault on (repeatable); see --list-faults.
        #[arg(long = "fault", value_name = "NAME")]
        faults: Vec<String>,
        /// fast (no waiting, for tests) or real (about as long as a real install).
        #[arg(long, value_name = "fast|real")]
        pace: Option<String>,
        /// Make the simulated cluster take this long to answer, e.g. pod-start=5s or dns=1s
        /// (repeatable; kinds: api, pod-start, http, dns, node-port; see --list-faults).
        #[arg(long = "latency", value_name = "KIND=DURATION")]
        latencies: Vec<String>,
        /// Print the environment to use the lab (eval it in a shell).
        #[arg(long)]
        env: bool,
        /// Name the faults and what each one does.
        #[arg(long)]
        list_faults: bool,
        /// Switch a fault off again (repeatable).
        #[arg(long = "clear-fault", value_name = "NAME")]
        clear_faults: Vec<String>,
    },
}

fn main() -> ExitCode {
    // The lab's stand-ins: `dsinstall __sim-exec DIR TOOL ARGS...` takes its arguments raw,
    // as the real tool would, so it never goes through clap.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("__sim-exec") && args.len() >= 4 {
        let code = dsinstall::sim::exec(std::path::Path::new(&args[2]), &args[3], &args[4..]);
        return ExitCode::from(code.clamp(0, 255) as u8);
    }
    // The detached runner (run/detach.rs starts it): `dsinstall __runner STATE_DIR`.
    if args.get(1).map(String::as_str) == Some("__runner") && args.len() == 3 {
        let code = dsinstall::run::runner::main(std::path::Path::new(&args[2]));
        return ExitCode::from(code.clamp(0, 255) as u8);
    }
    // Not Cli::parse(): it prints --help with println!, which panics on a closed pipe.
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            return match e.print() {
                Err(w) if w.kind() != std::io::ErrorKind::BrokenPipe => {
                    dsinstall::output::error(&format!("cannot write to stdout: {w}"));
                    ExitCode::from(dsinstall::output::EXIT_WRITE_FAILED)
                }
                _ => ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)),
            };
        }
    };
    match cli.command {
        Some(Command::Plan {
            answers,
            host,
            root,
        }) => commands::plan::run(&answers, host, &root),
        Some(Command::Render {
            answers,
            out,
            templates,
        }) => commands::render::run(&answers, &out, templates.as_deref()),
        Some(Command::Apply {
            answers,
            dry_run,
            yes,
            root,
            skip_image_pull,
            restart,
            wait_timeout,
        }) => commands::apply::run(commands::apply::Args {
            answers,
            root,
            dry_run,
            yes,
            skip_image_pull,
            restart,
            wait_timeout,
        }),
        Some(Command::Status { json }) => commands::status::run(json),
        Some(Command::Logs { follow, step }) => commands::logs::run(follow, step),
        Some(Command::Reset { yes, node, all }) => commands::reset::run(yes, node, all),
        Some(Command::Verify {
            answers,
            kubeconfig,
            json,
            junit,
            keep,
            profile,
            timeout,
        }) => commands::verify::run(commands::verify::Args {
            answers,
            kubeconfig,
            json,
            junit,
            keep,
            openstack: profile.is_some(),
            timeout,
        }),
        Some(Command::Detect { json, root }) => commands::detect::run(json, &root),
        Some(Command::Export { out }) => commands::export::run(&out),
        Some(Command::Completions { shell }) => commands::completions::run(shell, Cli::command()),
        Some(Command::Man { out }) => commands::completions::man(Cli::command(), &out),
        Some(Command::Sim {
            dir,
            lab,
            kubernetes,
            faults,
            pace,
            latencies,
            env,
            list_faults,
            clear_faults,
        }) => commands::sim::run(dsinstall::sim::prepare::Options {
            dir,
            lab,
            kubernetes,
            faults,
            pace,
            latencies,
            env,
            list_faults,
            clear_faults,
        }),
        None => commands::wizard::run(commands::wizard::Start {
            demo: cli.demo,
            dry_run: cli.dry_run,
            answers: cli.answers,
            lang: cli.lang,
            templates: cli.templates,
            faults: cli.faults,
        }),
    }
}
