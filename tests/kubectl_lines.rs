//! Every kubectl command line the install and the checks run (run::kubectl::every_form,
//! verify::kubectl::Call::every_shape) handed to real
//! kubectl binaries against a closed loopback port: each must fail to connect ("was refused"),
//! never with a usage error (an unknown flag or a malformed line).
//!
//! The binaries: `DSINSTALL_TEST_KUBECTLS` (colon-separated; CI puts Debian's
//! kubernetes-client 1.20 there, unpacked beside the machine's newer kubectl), else `kubectl`
//! on PATH. `DSINSTALL_REQUIRE_KUBECTL=1` turns "none found" into a failure.

use dsinstall::run::kubectl;
use std::process::{Command, Stdio};

fn kubectls() -> Vec<String> {
    match std::env::var("DSINSTALL_TEST_KUBECTLS") {
        Ok(list) if !list.is_empty() => list.split(':').map(str::to_string).collect(),
        _ => vec!["kubectl".to_string()],
    }
}

#[test]
fn real_kubectl_accepts_every_command_line() {
    let mut ran = 0;
    // Forms that take a file get a real object, so kubectl goes on to the server.
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("cm.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n  namespace: default\n",
    )
    .unwrap();
    for k in kubectls() {
        let Ok(v) = Command::new(&k).args(["version", "--client"]).output() else {
            eprintln!("skipped {k}: not installed");
            continue;
        };
        ran += 1;
        eprintln!("{k}: {}", String::from_utf8_lossy(&v.stdout).trim());
        // The install's lines, and the built-in checks' (verify::kubectl::Call).
        let verify_forms = dsinstall::verify::kubectl::Call::every_shape()
            .iter()
            .map(|c| c.argv())
            .collect::<Vec<_>>();
        for mut args in kubectl::every_form().into_iter().chain(verify_forms) {
            for a in args.iter_mut().filter(|a| *a == "/dev/null") {
                *a = manifest.display().to_string();
            }
            // A token, so kubectl never prompts for a username on an https server.
            let o = Command::new(&k)
                .args(["--server", "https://127.0.0.1:1", "--token", "not-a-token"])
                .args(["--request-timeout=5s"])
                .args(&args)
                .stdin(Stdio::null())
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                !o.status.success(),
                "{k} {args:?} succeeded against a closed port"
            );
            assert!(
                err.contains("was refused") || err.contains("connection refused"),
                "{k} {args:?}: not a connection error: {err}"
            );
        }
    }
    if ran == 0 {
        assert!(
            std::env::var_os("DSINSTALL_REQUIRE_KUBECTL").is_none(),
            "no kubectl found (DSINSTALL_REQUIRE_KUBECTL is set)"
        );
        eprintln!("skipped: no kubectl installed");
    }
}

/// What the simulated lab's kubectl says of a `--kubeconfig` that is not there (a cluster
/// step's probe before kubeadm init) is what every real kubectl says.
#[test]
fn a_missing_kubeconfig_is_refused_in_real_kubectls_words() {
    let sim = "error: stat /nonexistent/admin.conf: no such file or directory";
    let mut ran = 0;
    for k in kubectls() {
        let Ok(o) = Command::new(&k)
            .args(["--kubeconfig", "/nonexistent/admin.conf", "get", "nodes"])
            .stdin(Stdio::null())
            .output()
        else {
            continue;
        };
        ran += 1;
        assert!(!o.status.success(), "{k}");
        assert_eq!(String::from_utf8_lossy(&o.stderr).trim(), sim, "{k}");
    }
    if ran == 0 {
        assert!(
            std::env::var_os("DSINSTALL_REQUIRE_KUBECTL").is_none(),
            "no kubectl found (DSINSTALL_REQUIRE_KUBECTL is set)"
        );
    }
}
