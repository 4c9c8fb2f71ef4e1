//! `dsinstall sim --dir DIR ...`: prepare a simulated lab, change its faults, print its env.

use std::process::ExitCode;

pub fn run(opts: dsinstall::sim::prepare::Options) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("dsinstall: sim: cannot find this program's path: {e}");
            return ExitCode::from(1);
        }
    };
    match dsinstall::sim::prepare::run(&opts, &exe) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dsinstall: {e}");
            ExitCode::from(2)
        }
    }
}
