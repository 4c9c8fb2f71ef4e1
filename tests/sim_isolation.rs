//! The simulated lab must not agree with dsinstall by construction: nothing under src/sim
//! may use dsinstall's answers, plan, render or tui code.

use std::path::Path;

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn sim_uses_none_of_answers_plan_render_or_tui() {
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim"),
        &mut files,
    );
    assert!(files.len() > 10, "src/sim has its files");
    let forbidden = ["answers", "plan", "render", "tui"];
    let mut hits = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            for m in forbidden {
                for prefix in ["crate::", "dsinstall::", "super::super::super::"] {
                    if line.contains(&format!("{prefix}{m}")) {
                        hits.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "src/sim reaches into the engine:\n{}",
        hits.join("\n")
    );
}
