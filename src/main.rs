//! The command line (shared/design/cli.md): parse, dispatch, map outcomes to exit codes.
//! Each subcommand lives in its own file under `commands/`.

mod commands;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "dsinstall",
    version,
    about = "Install the first control-plane node of a dual-stack (IPv4/IPv6) kubeadm + Calico cluster"
)]
struct Cli {
    /// Run the wizard on the seed's simulated three-node lab; changes nothing.
    #[arg(long)]
    demo: bool,
    /// Run the wizard on this host, but only show and log what would change it.
    #[arg(long)]
    dry_run: bool,
    /// Language of the wizard: en or zh-CN (default: from LC_ALL / LC_MESSAGES / LANG).
    #[arg(long)]
    lang: Option<String>,
    /// Directory whose .j2 files replace the embedded templates of the same name.
    #[arg(long, global = true, value_name = "DIR")]
    templates: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check an answers file and print the address plan and every problem.
    Plan {
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
    },
    /// Write every file the install would use into DIR.
    Render {
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Print this host's facts: interfaces, addresses, routes, sysctls, modules, tools.
    Detect {
        /// The JSON shape of shared/design/cli.md instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write an answers file with this host's detected defaults, without asking.
    Export {
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
    let templates = cli.templates.as_deref();
    match cli.command {
        Some(Command::Plan { answers }) => commands::plan::run(&answers),
        Some(Command::Render { answers, out }) => commands::render::run(&answers, &out, templates),
        Some(Command::Detect { json }) => commands::detect::run(json),
        Some(Command::Export { out }) => commands::export::run(&out),
        None => commands::wizard::run(cli.demo, cli.dry_run, cli.lang, cli.templates),
    }
}
