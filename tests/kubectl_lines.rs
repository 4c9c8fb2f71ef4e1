//! Every kubectl command line the install runs (run::kubectl::every_form) handed to the real
//! kubectl installed here (Debian's kubernetes-client, 1.20) against a closed loopback port:
//! each must fail to connect, never with a usage error (an unknown flag or a malformed line).

use dsinstall::run::kubectl;
use std::process::Command;

#[test]
fn real_kubectl_accepts_every_command_line() {
    let Ok(v) = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
    else {
        eprintln!("skipped: no kubectl installed (apt-get install kubernetes-client)");
        return;
    };
    eprintln!("kubectl: {}", String::from_utf8_lossy(&v.stdout).trim());
    for args in kubectl::every_form() {
        let o = Command::new("kubectl")
            .args(["--server", "https://127.0.0.1:1", "--request-timeout=5s"])
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).to_lowercase();
        assert!(
            !o.status.success(),
            "{args:?} succeeded against a closed port"
        );
        for usage in [
            "unknown flag",
            "unknown shorthand",
            "usage:",
            "invalid argument",
            "flag needs an argument",
        ] {
            assert!(!err.contains(usage), "{args:?}: usage error: {err}");
        }
    }
}
