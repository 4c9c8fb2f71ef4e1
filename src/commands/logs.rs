//! `dsinstall logs [--follow] [--step ID]`: the run's log file (secrets already redacted by
//! the runner); `--follow` keeps printing what the runner appends until the run ends.

use dsinstall::output;
use dsinstall::run::{lock, paths, record::Record};
use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub fn run(follow: bool, step: Option<String>) -> ExitCode {
    let state = paths::state_dir();
    let rec = match Record::load(&state) {
        Ok(Some(r)) => r,
        Ok(None) => {
            output::error(&format!(
                "logs: no run on this host yet (state directory {})",
                state.display()
            ));
            return ExitCode::from(1);
        }
        Err(e) => {
            output::error(&format!("logs: {e}"));
            return ExitCode::from(1);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        let _ = signal_hook::flag::register(sig, stop.clone());
    }
    let mut file = match std::fs::File::open(&rec.log) {
        Ok(f) => f,
        Err(e) => {
            output::error(&format!("logs: {}: {e}", rec.log));
            return ExitCode::from(1);
        }
    };
    let tag = step.map(|s| format!(" [{s}] "));
    let mut partial = Vec::new();
    let mut buf = vec![0u8; 256 << 10];
    let mut idle_dead = 0;
    loop {
        let n = match file.read(&mut buf) {
            Ok(n) => n,
            Err(e) => {
                output::error(&format!("logs: {}: {e}", rec.log));
                return ExitCode::from(1);
            }
        };
        if n > 0 {
            partial.extend_from_slice(&buf[..n]);
            let upto = partial.iter().rposition(|b| *b == b'\n').map(|i| i + 1);
            if let Some(upto) = upto {
                let text = String::from_utf8_lossy(&partial[..upto]).into_owned();
                partial.drain(..upto);
                let shown: String = match &tag {
                    Some(t) => text
                        .lines()
                        .filter(|l| l.contains(t.as_str()))
                        .map(|l| format!("{l}\n"))
                        .collect(),
                    None => text,
                };
                if let Err(e) = output::print(&shown) {
                    return ExitCode::from(e.report());
                }
            }
            continue;
        }
        if !follow || stop.load(Ordering::Relaxed) {
            return ExitCode::SUCCESS;
        }
        if lock::held(&state) {
            idle_dead = 0;
        } else {
            idle_dead += 1;
            if idle_dead > 2 {
                return ExitCode::SUCCESS;
            }
        }
        // A read past the end of a file the runner appends to returns what it added since.
        std::thread::sleep(Duration::from_millis(100));
    }
}
