//! The verify tests' bed, shared with benches/verify_latency.rs: the guide's lab brought up
//! as a real install would be — `dsinstall render`, then the stand-ins' kubeadm init,
//! kubectl apply and the joins — and `dsinstall verify` run against it.

#![allow(dead_code)]

use crate::sim_support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// The guide's answers at `version` (the Calico manifest fixture; the IPv6 node mask the
/// guide's /112 needs from 1.20), edited by `edit`.
pub fn answers(lab: &Lab, version: &str, edit: &dyn Fn(String) -> String) -> String {
    let seed = std::fs::read_to_string(format!("{FIXTURES}/answers/seed-v1.19.yaml")).unwrap();
    let mut a = seed.replace("v1.19.0", version).replace(
        "calico:\n",
        &format!("calico:\n  manifest: {FIXTURES}/calico/calico-v3.15.3.yaml\n"),
    );
    if !["v1.19.0", "v1.20.15"].contains(&version) {
        a = a.replace(
            "/var/run/dockershim.sock",
            "unix:///var/run/containerd/containerd.sock",
        );
    }
    if version != "v1.19.0" {
        a = a.replace(
            "  dnsDomain: cluster.local\n",
            "  dnsDomain: cluster.local\n  nodeMaskSizes: {ipv6: 120}\n",
        );
    }
    lab.file("answers.yaml", &edit(a))
}

pub fn render(lab: &Lab, answers: &str) -> PathBuf {
    lab.render(answers)
}

/// kubeadm init, Calico, and every join, through the stand-ins.
pub fn install(lab: &Lab, out: &Path) {
    lab.prepare_host();
    let cfg = out.join("kubeadm-config.yaml");
    lab.run("kubeadm", &["init", "--config", cfg.to_str().unwrap()])
        .ok();
    lab.run(
        "kubectl",
        &["apply", "-f", out.join("calico.yaml").to_str().unwrap()],
    )
    .ok();
    let join = lab
        .run("kubeadm", &["token", "create", "--print-join-command"])
        .ok()
        .stdout;
    let hash = join
        .split_whitespace()
        .find(|w| w.starts_with("sha256:"))
        .unwrap()
        .to_string();
    for node in ["node02", "node03"] {
        let j = std::fs::read_to_string(out.join(format!("join-{node}.yaml")))
            .unwrap()
            .replace("sha256:CA-HASH-KNOWN-AFTER-KUBEADM-INIT", &hash);
        let f = lab.file(&format!("join-{node}.yaml"), &j);
        lab.run("scp", &[&f, &format!("{node}:/root/join.yaml")])
            .ok();
        lab.run("ssh", &[node, "modprobe br_netfilter && sysctl -q -w net.ipv4.ip_forward=1 && kubeadm join --config /root/join.yaml"]).ok();
    }
}

/// `dsinstall verify` with the lab's environment.
pub fn verify(lab: &Lab, args: &[&str]) -> (i32, String, String) {
    verify_within(lab, args, 3)
}

/// `dsinstall verify` with each check's deadline `secs`.
pub fn verify_within(lab: &Lab, args: &[&str], secs: u64) -> (i32, String, String) {
    let bin = lab.path().join("bin");
    let o = Command::new(BIN)
        .arg("verify")
        .args(args)
        .args(["--timeout", &secs.to_string()])
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("KUBECONFIG", lab.root("/etc/kubernetes/admin.conf"))
        .env("DSINSTALL_SIM", lab.path())
        .env_remove("DSINSTALL_SIM_HOST")
        .env_remove("DSINSTALL_KUBECTL")
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

pub fn json_report(lab: &Lab, answers: Option<&str>) -> (i32, Value) {
    let mut args = vec!["--json"];
    if let Some(a) = answers {
        args.extend(["--answers", a]);
    }
    let (code, out, err) = verify(lab, &args);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

pub fn find<'a>(rep: &'a Value, name: &str) -> &'a Value {
    rep["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| match c["family"].as_str() {
            Some(f) => format!("{}/{f}", c["id"].as_str().unwrap()) == name,
            None => c["id"] == name,
        })
        .unwrap_or_else(|| panic!("no {name} in {rep:#}"))
}

pub fn status(rep: &Value, name: &str) -> String {
    find(rep, name)["status"].as_str().unwrap().to_string()
}

pub fn lab_at(version: &str, faults: &[&str], edit: &dyn Fn(String) -> String) -> (Lab, String) {
    let mut extra = vec![];
    for f in faults {
        extra.extend(["--fault", f]);
    }
    let lab = Lab::new(version, &extra);
    let a = answers(&lab, version, edit);
    let out = render(&lab, &a);
    install(&lab, &out);
    (lab, a)
}

pub fn same(s: String) -> String {
    s
}
