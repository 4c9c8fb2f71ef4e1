//! `dsinstall verify` on the simulated guide lab, brought up as a real install would be:
//! `dsinstall render`, then the stand-ins' kubeadm init, kubectl apply and the joins.
//! The guide's 1.19 run fails at node.internal-ips with its cause; 1.20 and 1.31 pass;
//! every fault names its cause.

mod sim_support;
mod verify_support;

use serde_json::Value;
use sim_support::*;
use std::path::{Path, PathBuf};
use verify_support::*;

#[test]
fn the_guides_lab_on_119_fails_at_internal_ips_with_the_single_node_ip_cause() {
    let (lab, a) = lab_at("v1.19.0", &[], &same);
    let (code, rep) = json_report(&lab, Some(&a));
    assert_eq!(code, 1, "{rep:#}");
    let ip = find(&rep, "node.internal-ips/ipv6");
    assert_eq!(ip["status"], "FAIL");
    assert!(
        ip["evidence"]
            .as_str()
            .unwrap()
            .contains("node01: no IPv6 InternalIP"),
        "{ip}"
    );
    assert!(
        ip["hint"].as_str().unwrap().contains("single --node-ip"),
        "{ip}"
    );
    assert_eq!(status(&rep, "node.internal-ips/ipv4"), "PASS");
    // The guide's expected outputs: podCIDRs, pod IPs of both families, the IPv6 Service
    // and its NodePort on [2018::22]:31111.
    let cidrs = find(&rep, "node.pod-cidrs/ipv6");
    assert_eq!(cidrs["status"], "PASS", "{cidrs}");
    assert!(
        cidrs["evidence"]
            .as_str()
            .unwrap()
            .contains("node01: 2019:20::/120")
    );
    assert!(
        find(&rep, "node.pod-cidrs/ipv4")["evidence"]
            .as_str()
            .unwrap()
            .contains("node01: 10.10.0.0/24")
    );
    for name in [
        "pod.ips/ipv4",
        "pod.ips/ipv6",
        "svc.cluster-ip/ipv6",
        "svc.cluster-ip.reach/ipv6",
        "svc.node-port/ipv6",
        "calico.pods",
        "calico.pools/ipv6",
        "node.ready",
        "dns.aaaa/ipv6",
        "pod.pod-reach/ipv6",
    ] {
        assert_eq!(status(&rep, name), "PASS", "{name}: {:#}", find(&rep, name));
    }
    assert!(
        find(&rep, "svc.node-port/ipv6")["evidence"]
            .as_str()
            .unwrap()
            .contains("[2018::22]:31111")
    );
    // Before 1.20 a Service has one family: the NodePort is on the IPv6 one.
    assert_eq!(status(&rep, "svc.node-port/ipv4"), "SKIP");
    assert_eq!(rep["failed"], 1, "{rep:#}");
    // Removed afterwards.
    let ns = lab.run("kubectl", &["get", "namespace", "dsinstall-verify"]);
    assert_ne!(ns.code, 0);
}

#[test]
fn from_120_and_on_131_every_check_passes() {
    for v in ["v1.20.15", "v1.31.4"] {
        let (lab, a) = lab_at(v, &[], &same);
        let (code, rep) = json_report(&lab, Some(&a));
        let bad: Vec<&Value> = rep["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] != "PASS")
            .collect();
        assert!(bad.is_empty(), "{v}: {bad:#?}");
        assert_eq!(code, 0);
        assert_eq!(
            rep["passed"].as_u64().unwrap() as usize,
            rep["checks"].as_array().unwrap().len()
        );
        // Without answers: the same verdict from the cluster's kubeadm-config.
        let (code, rep) = json_report(&lab, None);
        let bad: Vec<&Value> = rep["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "FAIL")
            .collect();
        assert!(bad.is_empty(), "{v} from the cluster: {bad:#?}");
        assert_eq!(code, 0);
    }
}

#[test]
fn a_leftover_namespace_is_replaced_and_keep_keeps_it() {
    let (lab, a) = lab_at("v1.31.4", &[], &same);
    lab.run(
        "kubectl",
        &[
            "apply",
            "-f",
            lab.path()
                .join("rendered/verify-workload.yaml")
                .to_str()
                .unwrap(),
        ],
    )
    .ok();
    let (code, out, err) = verify(&lab, &["--answers", &a, "--keep"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("[PASS] pod.ips/ipv6"), "{out}");
    assert!(out.contains("All "), "{out}");
    lab.run("kubectl", &["get", "namespace", "dsinstall-verify"])
        .ok();
}

#[test]
fn calico_crashloop_names_the_autodetection() {
    let (lab, a) = lab_at("v1.31.4", &["calico-crashloop"], &same);
    let (code, rep) = json_report(&lab, Some(&a));
    assert_eq!(code, 1);
    let c = find(&rep, "calico.pods");
    assert_eq!(c["status"], "FAIL", "{c}");
    let ev = c["evidence"].as_str().unwrap();
    assert!(
        ev.contains("CrashLoopBackOff") && ev.contains("IP6_AUTODETECTION_METHOD"),
        "{ev}"
    );
    assert!(c["hint"].as_str().unwrap().contains("autodetection"), "{c}");
}

#[test]
fn a_notready_node_shows_its_own_message() {
    let (lab, a) = lab_at("v1.31.4", &["node-notready"], &same);
    let (code, rep) = json_report(&lab, Some(&a));
    assert_eq!(code, 1);
    let n = find(&rep, "node.ready");
    assert_eq!(n["status"], "FAIL", "{n}");
    assert!(
        n["evidence"]
            .as_str()
            .unwrap()
            .contains("node01 NotReady: "),
        "{n}"
    );
}

#[test]
fn a_manifest_without_assign_ipv6_gives_ipv4_pods_and_names_it() {
    let lab = Lab::new("v1.31.4", &[]);
    let a = answers(&lab, "v1.31.4", &same);
    let out = render(&lab, &a);
    let calico = std::fs::read_to_string(out.join("calico.yaml")).unwrap();
    std::fs::write(
        out.join("calico.yaml"),
        calico.replace("\"assign_ipv6\": \"true\"", "\"assign_ipv6\": \"false\""),
    )
    .unwrap();
    install(&lab, &out);
    let (code, rep) = json_report(&lab, Some(&a));
    assert_eq!(code, 1);
    let p = find(&rep, "pod.ips/ipv6");
    assert_eq!(p["status"], "FAIL", "{p}");
    assert!(p["hint"].as_str().unwrap().contains("assign_ipv6"), "{p}");
    assert_eq!(status(&rep, "pod.ips/ipv4"), "PASS");
}

#[test]
fn ipvs_on_121_fails_the_ipv6_node_port_with_the_cause() {
    let (lab, a) = lab_at("v1.21.14", &[], &|s: String| {
        s.replace("proxyMode: iptables", "proxyMode: ipvs")
    });
    let (code, rep) = json_report(&lab, Some(&a));
    assert_eq!(code, 1);
    let n = find(&rep, "svc.node-port/ipv6");
    assert_eq!(n["status"], "FAIL", "{n}");
    assert!(
        n["hint"]
            .as_str()
            .unwrap()
            .contains("ipvs mode before 1.22"),
        "{n}"
    );
    assert_eq!(status(&rep, "svc.node-port/ipv4"), "PASS");
}

#[test]
fn the_junit_file_has_one_testcase_per_check_and_family() {
    let (lab, a) = lab_at("v1.19.0", &[], &same);
    let f = lab.path().join("junit.xml");
    let (code, _, err) = verify(&lab, &["--answers", &a, "--junit", f.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let x = std::fs::read_to_string(&f).unwrap();
    assert_eq!(x.matches("<testsuite ").count(), 1);
    assert!(x.contains("name=\"node.internal-ips/ipv6\""), "{x}");
    assert_eq!(x.matches("<failure ").count(), 1, "{x}");
    assert!(!x.contains("type=\"aborted\""), "{x}");
}

#[test]
fn an_unreachable_cluster_still_writes_the_junit_file() {
    let lab = Lab::new("v1.31.4", &[]);
    let f = lab.path().join("junit.xml");
    let (code, _, err) = verify(&lab, &["--junit", f.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("kubeadm-config"), "{err}");
    let x = std::fs::read_to_string(&f).unwrap();
    assert!(x.contains("type=\"aborted\""), "{x}");
}

/// The runner's side, enough for the verify step: the lab's kubectl, the checks kept.
struct StepCx {
    root: PathBuf,
    bin: PathBuf,
    checks: Vec<dsinstall::verify::report::CheckResult>,
}

impl dsinstall::run::step::StepCx for StepCx {
    fn root(&self) -> &Path {
        &self.root
    }
    fn rendered(&self) -> &Path {
        &self.root
    }
    fn tool(&self, name: &str) -> PathBuf {
        self.bin.join(name)
    }
    fn run(
        &mut self,
        _cmd: dsinstall::io::child::Command,
    ) -> std::io::Result<dsinstall::io::child::Finished> {
        unreachable!("verify runs its children through its own kubectl")
    }
    fn run_with(
        &mut self,
        _cmd: dsinstall::io::child::Command,
        _l: &mut dyn FnMut(&str),
    ) -> std::io::Result<dsinstall::io::child::Finished> {
        unreachable!()
    }
    fn say(&mut self, _text: &str) {}
    fn phase(&mut self, _phase: &str) {}
    fn check(&mut self, r: &dsinstall::verify::report::CheckResult) {
        self.checks.push(r.clone());
    }
    fn backup(&mut self, _host: &Path) -> std::io::Result<()> {
        Ok(())
    }
    fn dry_run(&self) -> bool {
        false
    }
    fn consented(&self) -> bool {
        true
    }
}

#[test]
fn the_verify_step_journals_every_result() {
    use dsinstall::run::step::Step;
    let (lab, a) = lab_at("v1.31.4", &[], &same);
    let answers = dsinstall::answers::Answers::load(Path::new(&a)).unwrap();
    let plan = dsinstall::plan::check(&answers).plan.unwrap();
    let step = dsinstall::run::steps::verify::Verify {
        plan,
        kubeconfig: None,
        keep: false,
    };
    let mut cx = StepCx {
        root: lab.path().join("root"),
        bin: lab.path().join("bin"),
        checks: vec![],
    };
    let got = step.act(&mut cx);
    // host.sysctl reads this test host's own sysctls and svc.node-port probes real
    // sockets: the step runs in this process, without DSINSTALL_SIM.
    assert_eq!(cx.checks.len(), 22, "{:#?}", cx.checks);
    let cluster: Vec<_> = cx
        .checks
        .iter()
        .filter(|c| c.id != "host.sysctl" && c.id != "svc.node-port")
        .collect();
    assert!(
        cluster
            .iter()
            .all(|c| c.status == dsinstall::verify::report::CheckStatus::Pass),
        "{cluster:#?}"
    );
    if let Err(f) = got {
        assert!(
            f.cause.starts_with("host.sysctl") || f.cause.starts_with("svc.node-port"),
            "{f:?}"
        );
    }
}
