//! The command line (the README's command-line reference): parse, dispatch, map outcomes to
//! exit codes.
//! Each subcommand lives in its own file under `commands/`.

mod commands;

use clap::{Parser, Subcommand};
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
    /// Print this host's facts: interfaces, addresses, routes, sysctls, modules, tools.
    Detect {
        /// Print the facts as JSON (the field names are stable; see the README) instead of
        /// a table.
        #[arg(long)]
        json: bool,
    },
    /// Write an answers file with this host's detected defaults, without asking.
    Export {
        /// The answers file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
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
        Some(Command::Plan { answers }) => commands::plan::run(&answers),
        Some(Command::Render {
            answers,
            out,
            templates,
        }) => commands::render::run(&answers, &out, templates.as_deref()),
        Some(Command::Detect { json }) => commands::detect::run(json),
        Some(Command::Export { out }) => commands::export::run(&out),
        None => commands::wizard::run(commands::wizard::Start {
            demo: cli.demo,
            dry_run: cli.dry_run,
            answers: cli.answers,
            lang: cli.lang,
            templates: cli.templates,
        }),
    }
}
