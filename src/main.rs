//! The command line (shared/design/cli.md): parse, dispatch, map outcomes to exit codes.

use clap::{Parser, Subcommand};
use dsinstall::answers::Answers;
use dsinstall::plan;
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
    #[arg(long, global = false)]
    demo: bool,
    /// Run the wizard on this host, but only show and log what would change it.
    #[arg(long)]
    dry_run: bool,
    /// Language of the wizard: en or zh-CN (default: from LC_ALL / LANG).
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
}

const EXIT_PROBLEMS: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Plan { answers }) => cmd_plan(&answers),
        None => {
            eprintln!(
                "dsinstall: the wizard is not built yet; use `dsinstall plan --answers FILE`"
            );
            ExitCode::from(1)
        }
    }
}

fn load(path: &std::path::Path) -> Result<Answers, ExitCode> {
    Answers::load(path).map_err(|e| {
        eprintln!("dsinstall: {e}");
        ExitCode::from(EXIT_PROBLEMS)
    })
}

fn cmd_plan(path: &std::path::Path) -> ExitCode {
    let answers = match load(path) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let checked = plan::check(&answers);
    print!("{}", plan::report::text(&checked));
    if checked.has_errors() {
        ExitCode::from(EXIT_PROBLEMS)
    } else {
        ExitCode::SUCCESS
    }
}
