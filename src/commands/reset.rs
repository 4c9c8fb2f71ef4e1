//! `dsinstall reset [--yes]`: undo this node's install (run.md). Asks first on a terminal;
//! without one, `--yes` is required.

use dsinstall::output;
use dsinstall::run::{paths, reset};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

pub fn run(yes: bool, node: Option<String>, all: bool) -> ExitCode {
    let scope = match (node, all) {
        (Some(n), _) => reset::Scope::Node(n),
        (None, true) => reset::Scope::All,
        (None, false) => reset::Scope::ThisNode,
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            output::error(
                "reset: this undoes the install (kubeadm reset, the CNI files, the KUBE-/cali- chains, every file dsinstall changed); pass --yes to confirm",
            );
            return ExitCode::from(1);
        }
        let _ = output::print(
            "This undoes the install on this node: kubeadm reset -f, Calico's interfaces and files, the KUBE-/cali- chains, and every file dsinstall changed put back. Continue? [y/N] ",
        );
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        if !matches!(line.trim(), "y" | "Y" | "yes") {
            output::error("reset: nothing was changed");
            return ExitCode::from(1);
        }
    }
    let (state, logs) = match paths::prepare() {
        Ok(p) => p,
        Err(e) => {
            output::error(&format!("reset: {e}"));
            return ExitCode::from(1);
        }
    };
    let mut closed = false;
    let r = reset::reset(&state, &logs, &scope, &mut |l| {
        if !closed && output::print(&format!("{l}\n")).is_err() {
            closed = true;
        }
    });
    match r {
        Ok(reset::Outcome::Done) => super::exit(output::print("reset: done\n")),
        Ok(reset::Outcome::NothingRecorded) => super::exit(output::print(
            "reset: no dsinstall run is recorded on this host; nothing to undo\n",
        )),
        Ok(reset::Outcome::Incomplete(n)) => {
            output::error(&format!(
                "reset: {n} thing(s) could not be undone (said above); fix them and run dsinstall reset again"
            ));
            ExitCode::from(1)
        }
        Err(e) => {
            output::error(&format!("reset: {e}"));
            ExitCode::from(1)
        }
    }
}
