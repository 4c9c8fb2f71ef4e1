//! `dsinstall status [--json]`: the current or last run of this host, folded from its
//! journal (run.md); a run whose runner is gone without an end is `interrupted`.

use dsinstall::output;
use dsinstall::run::{lock, paths, runner, status};
use std::process::ExitCode;

pub fn run(json: bool) -> ExitCode {
    let state = paths::state_dir();
    let st = status::fold(
        &runner::read_all(&paths::journal(&state)),
        lock::held(&state),
    );
    if json {
        let text = match &st {
            Some(s) => serde_json::to_string_pretty(s).expect("status serialises"),
            None => "null".into(),
        };
        return super::exit(output::print_json(&text));
    }
    let Some(st) = st else {
        return super::exit(output::print(&format!(
            "no run on this host yet (state directory {})\n",
            state.display()
        )));
    };
    let mut s = format!(
        "run {}: {}\n  answers: {}\n  log: {}\n",
        st.run,
        runner::run_word(st.state),
        st.answers,
        st.log
    );
    for step in &st.steps {
        s.push_str(&format!(
            "  {:<8} {:>10}  {}{}\n",
            runner::state_word(step.state),
            step.duration_ms.map(runner::seconds).unwrap_or_default(),
            step.id,
            if step.attempts > 1 {
                format!(" ({} attempts)", step.attempts)
            } else {
                String::new()
            }
        ));
        if let Some(e) = &step.error {
            s.push_str(&format!("           cause: {e}\n"));
        }
        if let Some(h) = &step.hint {
            s.push_str(&format!("           fix: {h}\n"));
        }
    }
    super::exit(output::print(&s))
}
