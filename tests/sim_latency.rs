//! The lab's latencies (`dsinstall sim --latency KIND=DURATION`): a slow API server bounded by
//! kubectl's `--request-timeout` as client-go bounds it, pods that take time to start, and
//! verify waiting for them by polling rather than failing or sleeping a fixed time.

mod sim_support;
mod verify_support;

use sim_support::*;
use std::time::Instant;
use verify_support::*;

#[test]
fn bad_latencies_are_refused_naming_the_flag() {
    let lab = Lab::new("v1.28.4", &[]);
    for (arg, says) in [
        ("pod-start", "use KIND=DURATION"),
        ("warp=5s", "\"warp\" is not a latency of this lab"),
        ("dns=fast", "\"fast\" is not a duration like 5s or 500ms"),
        ("api=11m", "(at most 10m)"),
        ("http=-1s", "is not a duration"),
    ] {
        let r = lab.sim(&["--latency", arg]);
        assert_eq!(r.code, 2, "{arg}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("--latency {arg}: ")) && r.stderr.contains(says),
            "{arg}: {}",
            r.stderr
        );
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    }
    let list = lab.sim(&["--list-faults"]).ok().stdout;
    for kind in ["api", "pod-start", "http", "dns", "node-port"] {
        assert!(
            list.lines().any(|l| l.trim_start().starts_with(kind)),
            "{kind}: {list}"
        );
    }
}

#[test]
fn a_slow_api_server_answers_late_or_times_out_as_kubectl_does() {
    let lab = Lab::new("v1.28.4", &[]);
    let cfg = lab.file(
        "k.yaml",
        &kubeadm_config(
            "v1beta3",
            "10.244.0.0/16",
            "10.96.0.0/16",
            "111.111.111.121",
            "",
        ),
    );
    lab.prepare_host();
    lab.run("kubeadm", &["init", "--config", &cfg]).ok();
    lab.sim(&["--latency", "api=1500ms"]).ok();

    let t = Instant::now();
    lab.run("kubectl", &["get", "nodes", "-o", "name"]).ok();
    assert!(t.elapsed().as_millis() >= 1500, "{:?}", t.elapsed());

    // Shorter than the server takes: client-go's own timeout, kubectl's exit 1.
    let t = Instant::now();
    let r = lab.run("kubectl", &["get", "nodes", "--request-timeout", "300ms"]);
    let took = t.elapsed().as_millis();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        "Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)"
    );
    assert!((300..1500).contains(&took), "{took} ms");
    // Longer: it waits. A bare integer is seconds, as kubectl reads it.
    lab.run("kubectl", &["get", "nodes", "--request-timeout=2"])
        .ok();
    // kubectl refuses a value it cannot read before it asks the server.
    let r = lab.run("kubectl", &["get", "nodes", "--request-timeout", "soon"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)"),
        "{}",
        r.stderr
    );

    lab.sim(&["--latency", "api=0"]).ok();
    let t = Instant::now();
    lab.run("kubectl", &["get", "nodes", "--request-timeout", "300ms"])
        .ok();
    assert!(t.elapsed().as_millis() < 1500);
}

#[test]
fn verify_waits_for_pods_that_start_late() {
    let (lab, answers) = lab_at("v1.31.4", &[], &same);
    lab.sim(&["--latency", "pod-start=2s"]).ok();
    let t = Instant::now();
    let (code, out, err) = verify_within(&lab, &["--json", "--answers", &answers], 20);
    let wall = t.elapsed().as_millis() as u64;
    let rep: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    assert_eq!(code, 0, "{rep:#}");
    // The workload's pods turn Running 2 s after they were created (just before the check
    // started): the pod checks saw them pending and polled until they were not (without the
    // latency they take a few milliseconds).
    let ips = find(&rep, "pod.ips/ipv6");
    assert_eq!(ips["status"], "PASS", "{ips:#}");
    assert!(ips["durationMs"].as_u64().unwrap() >= 1000, "{ips:#}");
    assert!((2000..15_000).contains(&wall), "{wall} ms");

    // With a deadline shorter than the start, the check says what it waited for.
    lab.sim(&["--latency", "pod-start=8s"]).ok();
    let (code, out, _) = verify_within(&lab, &["--json", "--answers", &answers], 2);
    let rep: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 1);
    let ips = find(&rep, "pod.ips/ipv6");
    assert_eq!(ips["status"], "FAIL", "{ips:#}");
}
