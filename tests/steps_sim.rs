//! The install's steps against the simulated lab, driven one by one through a test StepCx:
//! each step's probe, act, probe again, on the guide's answers (1.19, manifest) and a
//! modern IPv6-primary operator install (1.31); each fault failing the right step with a
//! cause and a fix and the step passing once it is cleared; a dry run changing nothing.

mod common;
mod sim_support;
mod steps_bed;
mod steps_support;

use dsinstall::run::step::{Change, Probe, Step};
use dsinstall::run::steps;
use sim_support::{BIN, Lab};
use std::path::PathBuf;
use std::time::Duration;
use steps_bed::{Bed, bed};

fn guide(faults: &[&str]) -> Bed {
    bed(
        "seed-v1.19.yaml",
        "v1.19.0",
        "calico-v3.15.3.yaml",
        |t| t,
        faults,
    )
}

/// The modern answers on Calico v3.32.1 by operator: upstream's tigera-operator.yaml of that
/// release, which holds no CRDs, and its operator-crds.yaml (`crds`: whether to set it).
fn modern_with(crds: bool, faults: &[&str]) -> Bed {
    let edit = move |t: String| {
        let t = t.replace("version: v3.28.2", "version: v3.32.1");
        if !crds {
            return t;
        }
        t.replace(
            "calico:\n",
            &format!(
                "calico:\n  operatorCrds: {}\n",
                common::fixture("calico/operator-crds-v3.32.1.yaml").display()
            ),
        )
    };
    bed(
        "modern-v1.31-ipv6-primary.yaml",
        "v1.31.2",
        "tigera-operator-v3.32.1.yaml",
        edit,
        faults,
    )
}

fn modern(faults: &[&str]) -> Bed {
    modern_with(true, faults)
}

/// The modern answers moved to 1.35, whose kubeadm prints its errors in the newer form
/// (`error: ` in front, the preflight block on its own; kubernetes/kubernetes#132080).
fn modern_135(faults: &[&str]) -> Bed {
    bed(
        "modern-v1.31-ipv6-primary.yaml",
        "v1.35.3",
        "tigera-operator-v3.32.1.yaml",
        |t| {
            t.replace("version: v1.31.2", "version: v1.35.3")
                .replace("version: v3.28.2", "version: v3.32.1")
                .replace(
                    "calico:\n",
                    &format!(
                        "calico:\n  operatorCrds: {}\n",
                        common::fixture("calico/operator-crds-v3.32.1.yaml").display()
                    ),
                )
        },
        faults,
    )
}

impl Bed {
    fn step(&self, id: &str) -> Box<dyn Step> {
        self.steps().into_iter().find(|s| s.id() == id).unwrap()
    }
    /// probe → act → probe, every step up to and including `last`.
    fn run_until(&mut self, last: &str) {
        for s in self.steps() {
            let id = s.id();
            match s.probe(&mut self.cx).unwrap() {
                Probe::Done(_) => {}
                Probe::Needed(_) => {
                    if let Err(f) = s.act(&mut self.cx) {
                        panic!("{id}: {f:?}\n{}", self.cx.text());
                    }
                    // The checks before kubeadm init are done once init is.
                    if !["preflight", "images"].contains(&id.as_str()) {
                        let again = s.probe(&mut self.cx).unwrap();
                        assert!(matches!(again, Probe::Done(_)), "{id} after act: {again:?}");
                    }
                }
            }
            if id == last {
                return;
            }
        }
    }
    fn root(&self, p: &str) -> PathBuf {
        self.lab.root(p)
    }
}

fn install_all(mut b: Bed) -> Bed {
    b.run_until("wait.calico");
    // On resume every probe says done, nothing runs again.
    let before = b.cx.commands.len();
    // The checks (`verify`) are never "done": they run on every apply. The joins come
    // after wait.calico (tests/join_sim.rs).
    for s in b
        .steps()
        .into_iter()
        .filter(|s| s.id() != "verify" && !s.id().starts_with("join."))
    {
        let p = s.probe(&mut b.cx).unwrap();
        assert!(matches!(p, Probe::Done(_)), "{}: {p:?}", s.id());
    }
    assert_eq!(
        b.cx.commands.len(),
        before,
        "probes ran commands through the runner"
    );
    b
}

#[test]
fn the_guide_installs_step_by_step() {
    let b = install_all(guide(&["swap-on"]));
    let sysctl = std::fs::read_to_string(b.root("/etc/sysctl.d/kubernetes.conf")).unwrap();
    assert!(sysctl.contains("net.ipv4.ip_forward"));
    assert!(b.root("/etc/modules-load.d/kubernetes.conf").exists());
    let kc = b.root("/root/.kube/config");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&kc).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(b.cx.phases.iter().any(|p| !p.is_empty()));
    let log = b.cx.text();
    assert!(
        log.contains("Your Kubernetes control-plane has initialized successfully"),
        "{log}"
    );
}

/// Every step to the end, the checks included: operator-crds.yaml server-side applied and
/// Established before tigera-operator.yaml, the Installation after, and the operator's
/// calico-node running in calico-system.
#[test]
fn the_modern_ipv6_primary_install_runs_every_step() {
    let b = install_all(modern(&[]));
    assert!(b.cx.text().contains("initialized successfully"));
    assert!(b.root("/root/.kube/config").exists());
    // The commands run through the step's runner (the polls are captured apart), in order.
    let at = |words: &[&str]| {
        b.cx.commands
            .iter()
            .position(|c| words.iter().all(|w| c.contains(w)))
            .unwrap_or_else(|| panic!("{words:?} not run: {:#?}", b.cx.commands))
    };
    let crds = at(&["\"--server-side\"", "operator-crds.yaml"]);
    let operator = at(&["\"create\"", "tigera-operator.yaml"]);
    let installation = at(&["\"apply\"", "calico-installation.yaml"]);
    assert!(crds < operator && operator < installation);
    assert!(
        b.cx.phases
            .windows(3)
            .any(|w| w == ["crds", "operator", "installation"]),
        "{:?}",
        b.cx.phases
    );
    let log = b.cx.text();
    assert!(
        log.contains("customresourcedefinition.apiextensions.k8s.io/installations.operator.tigera.io serverside-applied"),
        "{log}"
    );
    assert!(
        log.contains("installation.operator.tigera.io/default created"),
        "{log}"
    );
    // The checks pass against the operator's Calico: `dsinstall verify` with the lab's
    // environment, whose NodePort probes the lab answers (in this process they would
    // probe real sockets).
    let bin = b.lab.path().join("bin");
    let answers = b.lab.path().join("answers.yaml");
    let o = std::process::Command::new(BIN)
        .args(["verify", "--json", "--timeout", "5", "--answers"])
        .arg(&answers)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("KUBECONFIG", b.root("/etc/kubernetes/admin.conf"))
        .env("DSINSTALL_SIM", b.lab.path())
        .env_remove("DSINSTALL_SIM_HOST")
        .env_remove("DSINSTALL_KUBECTL")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let rep: serde_json::Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("{e}: {out}\n{}", String::from_utf8_lossy(&o.stderr)));
    let bad: Vec<&serde_json::Value> = rep["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] != "PASS")
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert_eq!(o.status.code(), Some(0));
    let calico = rep["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "calico.pods")
        .unwrap();
    assert!(
        calico.to_string().contains("tigerastatus/calico Available"),
        "{calico}"
    );
}

/// Without operator-crds.yaml a v3.30+ operator install cannot render: tigera-operator.yaml
/// holds no CRDs, and the error names the field that fixes it.
#[test]
fn a_modern_operator_install_without_its_crds_does_not_render() {
    let lab = Lab::new("v1.31.2", &[]);
    let text = std::fs::read_to_string(common::fixture("answers/modern-v1.31-ipv6-primary.yaml"))
        .unwrap()
        .replace("version: v3.28.2", "version: v3.32.1")
        .replace(
            "calico:\n",
            &format!(
                "calico:\n  manifest: {}\n",
                common::fixture("calico/tigera-operator-v3.32.1.yaml").display()
            ),
        );
    let path = lab.file("answers.yaml", &text);
    let o = std::process::Command::new(BIN)
        .args(["render", "--answers", &path, "--out"])
        .arg(lab.path().join("rendered"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("operator-crds.yaml: calico.operatorCrds: not set"),
        "{err}"
    );
    assert!(!lab.path().join("rendered").exists());
}

/// The Installation applied before its CRD exists fails with kubectl's own words; once
/// operator-crds.yaml is applied, the same file is accepted.
#[test]
fn an_installation_before_the_crds_fails_with_kubectls_words() {
    let mut b = modern(&[]);
    b.run_until("kubeconfig");
    let inst = b.setup.rendered.join("calico-installation.yaml");
    let inst = inst.to_str().unwrap();
    let o = b.lab.run("kubectl", &["apply", "-f", inst]);
    assert_ne!(o.code, 0);
    let err = o.stderr;
    let want = format!(
        "error: resource mapping not found for name: \"default\" namespace: \"\" from \"{inst}\": no matches for kind \"Installation\" in version \"operator.tigera.io/v1\"\nensure CRDs are installed first"
    );
    assert!(err.contains(&want), "{err}");
    // Client-side apply of the CRDs is refused as the API server refuses it.
    let crds = b.setup.rendered.join("operator-crds.yaml");
    let crds = crds.to_str().unwrap();
    let o = b.lab.run("kubectl", &["apply", "-f", crds]);
    assert!(
        o.stderr.contains("The CustomResourceDefinition \"installations.operator.tigera.io\" is invalid: metadata.annotations: Too long: must have at most 262144 bytes"),
        "{}",
        o.stderr
    );
    b.lab
        .run("kubectl", &["apply", "--server-side", "-f", crds])
        .ok();
    let o = b.lab.run("kubectl", &["apply", "-f", inst]).ok();
    assert!(
        o.stdout
            .contains("installation.operator.tigera.io/default created"),
        "{}",
        o.stdout
    );
}

#[test]
fn fstab_swap_is_commented_out_with_consent_after_a_backup() {
    let mut b = guide(&["swap-on"]);
    let fstab = "/dev/mapper/centos-root / xfs defaults 0 0\n/dev/mapper/centos-swap swap swap defaults 0 0\n";
    std::fs::create_dir_all(b.root("/etc")).unwrap();
    std::fs::write(b.root("/etc/fstab"), fstab).unwrap();
    let s = b.step("host.swap");
    assert!(matches!(s.probe(&mut b.cx).unwrap(), Probe::Needed(_)));
    s.act(&mut b.cx).unwrap();
    assert!(matches!(s.probe(&mut b.cx).unwrap(), Probe::Done(_)));
    let now = std::fs::read_to_string(b.root("/etc/fstab")).unwrap();
    assert!(now.contains("# /dev/mapper/centos-swap"), "{now}");
    assert_eq!(
        std::fs::read_to_string(b.lab.path().join("backups/etc/fstab")).unwrap(),
        fstab
    );
}

/// Each fault fails the step that meets it, with a cause and a fix; cleared, the step passes.
fn fault_fails(faults: &str, step: &str, before: &str, cause: &str) {
    fault_fails_on(guide, faults, step, before, cause)
}

fn fault_fails_on(make: fn(&[&str]) -> Bed, faults: &str, step: &str, before: &str, cause: &str) {
    let mut b = make(&[faults]);
    if !before.is_empty() {
        b.run_until(before);
    }
    let s: Box<dyn Step> = match step {
        "wait.node" => Box::new(steps::wait_node::WaitNode {
            node: "node01".into(),
            timeout: Duration::from_secs(3),
            calico_namespace: "kube-system",
        }),
        "wait.calico" => Box::new(steps::wait_calico::WaitCalico {
            plan: b.setup.plan.clone(),
            timeout: Duration::from_secs(3),
        }),
        _ => b.step(step),
    };
    let f = s
        .act(&mut b.cx)
        .expect_err(&format!("{faults}: {step} should fail"));
    assert!(f.cause.contains(cause), "{faults}: {f:?}\n{}", b.cx.text());
    assert!(!f.fix.is_empty());
    b.lab.sim(&["--clear-fault", faults]).ok();
    s.clean(&mut b.cx).unwrap();
    if let Err(f) = s.act(&mut b.cx) {
        panic!("{faults} cleared: {step}: {f:?}\n{}", b.cx.text());
    }
}

#[test]
fn port_in_use_fails_preflight() {
    fault_fails("port-6443-in-use", "preflight", "", "port 6443 is in use");
}

#[test]
fn port_in_use_fails_preflight_in_the_newer_error_form() {
    fault_fails_on(
        modern_135,
        "port-6443-in-use",
        "preflight",
        "",
        "port 6443 is in use",
    );
}

#[test]
fn an_unhealthy_kubelet_fails_init_in_the_newer_error_form() {
    fault_fails_on(
        modern_135,
        "kubelet-unhealthy",
        "kubeadm.init",
        "images",
        "kubelet never got healthy",
    );
}

#[test]
fn image_pull_fails_images() {
    fault_fails("image-pull", "images", "host.sysctl", "cannot be pulled");
}

#[test]
fn an_unhealthy_kubelet_fails_init() {
    fault_fails(
        "kubelet-unhealthy",
        "kubeadm.init",
        "images",
        "kubelet never got healthy",
    );
}

#[test]
fn a_crashlooping_calico_fails_wait_calico() {
    fault_fails("calico-crashloop", "wait.calico", "calico", "crash-looping");
}

#[test]
fn a_notready_node_fails_wait_node() {
    fault_fails("node-notready", "wait.node", "calico", "was not Ready");
}

#[test]
fn dry_run_changes_nothing_and_lists_the_changes() {
    let mut b = guide(&["swap-on"]);
    let snapshot = |b: &Bed| {
        let mut v = Vec::new();
        for e in walk(&b.root("/")) {
            if !e.to_string_lossy().contains("/proc/") {
                v.push((e.clone(), std::fs::read(&e).ok()));
            }
        }
        v
    };
    let before = snapshot(&b);
    b.cx.dry_run = true;
    let mut changes = Vec::new();
    for s in b.steps() {
        changes.extend(s.changes(&mut b.cx));
    }
    assert_eq!(snapshot(&b), before);
    let files: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::File { path, diff } => {
                assert!(diff.contains("+++"), "{diff}");
                Some(path.display().to_string())
            }
            _ => None,
        })
        .collect();
    assert!(
        files.contains(&"/etc/sysctl.d/kubernetes.conf".to_string()),
        "{changes:?}"
    );
    assert!(files.contains(&"/etc/modules-load.d/kubernetes.conf".to_string()));
    let cmds: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Command(a) => Some(a.join(" ")),
            _ => None,
        })
        .collect();
    for want in [
        "swapoff -a",
        "modprobe br_netfilter",
        "kubeadm init --config",
        "kubectl apply -f",
    ] {
        assert!(
            cmds.iter().any(|c| c.contains(want)),
            "{want} not in {cmds:?}"
        );
    }
    // The real run writes exactly the files the dry run listed.
    b.cx.dry_run = false;
    b.run_until("host.sysctl");
    for f in &files {
        assert!(b.root(f).exists(), "{f}");
    }
}

/// The operator install's dry run lists every command of the calico step, in the order
/// it runs them, and runs none.
#[test]
fn the_operator_dry_run_lists_the_crds_the_operator_and_the_installation() {
    let mut b = modern(&[]);
    b.cx.dry_run = true;
    let changes = b.step("calico").changes(&mut b.cx);
    let shown: Vec<String> = changes
        .iter()
        .map(|c| match c {
            Change::Command(a) => a.join(" "),
            Change::Note(n) => format!("# {}", n.text),
            other => format!("{other:?}"),
        })
        .collect();
    let rendered = b.setup.rendered.display().to_string();
    assert_eq!(
        shown,
        [
            format!("kubectl apply --server-side -f {rendered}/operator-crds.yaml"),
            "# wait for the CRDs installations.operator.tigera.io and apiservers.operator.tigera.io to be Established".to_string(),
            format!("kubectl create -f {rendered}/tigera-operator.yaml"),
            format!("kubectl apply -f {rendered}/calico-installation.yaml"),
        ]
    );
    assert!(b.cx.commands.is_empty());
}

/// Without a rendered tigera-operator.yaml (calico.manifest unset) the calico step says
/// which fields to set, instead of kubectl's missing path.
#[test]
fn the_operator_step_without_its_manifest_names_the_fields() {
    let mut b = modern(&[]);
    b.run_until("kubeconfig");
    std::fs::remove_file(b.setup.rendered.join("tigera-operator.yaml")).unwrap();
    let f = b.step("calico").act(&mut b.cx).unwrap_err();
    assert!(f.cause.contains("no tigera-operator.yaml"), "{f:?}");
    assert!(
        f.fix.contains("calico.manifest") && f.fix.contains("calico.operatorCrds"),
        "{f:?}"
    );
    assert!(
        b.cx.commands
            .iter()
            .all(|c| !c.contains("operator-crds.yaml"))
    );
}

/// calico-node crash-looping under the operator fails wait.calico in calico-system, with
/// the container's last log line, and TigeraStatus calico says Degraded.
#[test]
fn a_crashlooping_calico_under_the_operator_fails_wait_calico() {
    let mut b = modern(&["calico-crashloop"]);
    b.run_until("calico");
    let s = steps::wait_calico::WaitCalico {
        plan: b.setup.plan.clone(),
        timeout: Duration::from_secs(3),
    };
    let f = s.act(&mut b.cx).unwrap_err();
    assert!(f.cause.contains("crash-looping"), "{f:?}\n{}", b.cx.text());
    assert!(f.cause.contains("calico-node-"), "{f:?}");
    let degraded = b
        .lab
        .run(
            "kubectl",
            &[
                "get",
                "tigerastatus",
                "calico",
                "-o",
                r#"jsonpath={.status.conditions[?(@.type=="Degraded")].status}"#,
            ],
        )
        .ok()
        .stdout;
    assert_eq!(degraded, "True");
}

fn walk(d: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(d) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
