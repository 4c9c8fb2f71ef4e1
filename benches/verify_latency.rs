//! `dsinstall verify` on the simulated guide lab (v1.31, three nodes) with each kind of
//! latency set — pods that take 5 s to start, DNS answers in 1 s, HTTP in 0.5 s, a NodePort
//! in 0.3 s, every API request 50 ms — next to its slowest check and to the sum of its
//! checks (goal: wall time within 20% of the slowest: the checks run at once, waiting on
//! the things themselves, with no fixed sleeps).
//!
//! `cargo bench --bench verify_latency`: those latencies, 3 runs. `cargo test --all-targets`
//! runs it once with latencies a fifth as long, as a smoke test that every check passes.

#[path = "../tests/sim_support/mod.rs"]
mod sim_support;
#[path = "../tests/verify_support/mod.rs"]
mod verify_support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let (scale, runs) = if bench { (1.0, 3) } else { (0.2, 1) };
    let ms = |m: f64| format!("{}ms", (m * scale).round() as u64);
    let latencies = [
        ("pod-start", 5000.0),
        ("dns", 1000.0),
        ("http", 500.0),
        ("node-port", 300.0),
        ("api", 50.0),
    ];
    let (lab, answers) = verify_support::lab_at("v1.31.4", &[], &verify_support::same);
    let mut set = vec![];
    for (k, v) in latencies {
        set.push("--latency".to_string());
        set.push(format!("{k}={}", ms(v)));
    }
    let set: Vec<&str> = set.iter().map(String::as_str).collect();
    lab.sim(&set).ok();
    println!(
        "verify on the simulated lab (v1.31.4, 3 nodes, both families), latencies: {}",
        latencies
            .iter()
            .map(|(k, v)| format!("{k}={}", ms(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut ratios = vec![];
    for run in 1..=runs {
        let t = Instant::now();
        let (code, out, err) =
            verify_support::verify_within(&lab, &["--json", "--answers", &answers], 60);
        let wall = t.elapsed().as_secs_f64() * 1000.0;
        let rep: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
        let bad: Vec<&Value> = rep["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] != "PASS")
            .collect();
        assert!(bad.is_empty() && code == 0, "every check passes: {bad:#?}");
        // A check's time: its slowest family (each family's duration counts from the check's start).
        let mut per_check: BTreeMap<String, f64> = BTreeMap::new();
        for c in rep["checks"].as_array().unwrap() {
            let d = c["durationMs"].as_f64().unwrap();
            let e = per_check
                .entry(c["id"].as_str().unwrap().into())
                .or_default();
            *e = e.max(d);
        }
        let (slowest_id, slowest) = per_check
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, v)| (k.clone(), *v))
            .unwrap();
        let sum: f64 = per_check.values().sum();
        let ratio = wall / slowest;
        ratios.push(ratio);
        println!(
            "run {run}: wall {:.2} s | slowest check {slowest_id} {:.2} s | sum of {} checks {:.2} s | wall/slowest {:.2} (goal <= 1.20) | wall/sum {:.2}",
            wall / 1000.0,
            slowest / 1000.0,
            per_check.len(),
            sum / 1000.0,
            ratio,
            wall / sum
        );
        if bench || run == 1 {
            let mut by_time: Vec<_> = per_check.iter().collect();
            by_time.sort_by(|a, b| b.1.total_cmp(a.1));
            for (id, d) in by_time {
                println!("    {id:<22} {:>6.2} s", d / 1000.0);
            }
        }
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "wall/slowest: median {:.2}, worst {:.2} over {runs} run(s)",
        ratios[ratios.len() / 2],
        ratios[ratios.len() - 1]
    );
}
