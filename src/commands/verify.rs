//! `dsinstall verify [--answers F] [--kubeconfig K] [--json] [--junit FILE] [--keep]
//! [--profile openstack] [--timeout SECONDS]`: the built-in dual-stack checks (checks.md).
//! Exit 0 when every check passes (WARN and SKIP pass), 1 otherwise, 2 for bad answers.

use super::{EXIT_PROBLEMS, load_answers};
use dsinstall::verify::check::Cx;
use dsinstall::verify::expect::{self, Expected};
use dsinstall::verify::kubectl::{Call, Kubectl};
use dsinstall::verify::report::Report;
use dsinstall::verify::{self, junit, text, workload};
use dsinstall::{output, plan};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub struct Args {
    pub answers: Option<PathBuf>,
    pub kubeconfig: Option<PathBuf>,
    pub json: bool,
    pub junit: Option<PathBuf>,
    pub keep: bool,
    pub openstack: bool,
    pub timeout: u64,
}

fn write_junit(path: Option<&Path>, rep: &Report, aborted: Option<&str>) {
    if let Some(p) = path
        && let Err(e) =
            dsinstall::io::write::write_file(p, junit::xml(rep, aborted).as_bytes(), 0o644)
    {
        output::error(&format!("--junit {}: {e}", p.display()));
    }
}

pub fn run(a: Args) -> ExitCode {
    let started = Instant::now();
    let kubectl = Kubectl::from_env(a.kubeconfig.clone());
    let expected = match &a.answers {
        Some(path) => {
            let answers = match load_answers(path) {
                Ok(x) => x,
                Err(code) => return code,
            };
            let checked = plan::check(&answers);
            let Some(p) = checked.plan.as_ref().filter(|_| !checked.has_errors()) else {
                output::eprint(&plan::report::text(&checked));
                return ExitCode::from(EXIT_PROBLEMS);
            };
            Expected::from_plan(
                p,
                workload::render_for(p),
                &format!("answers {}", path.display()),
            )
        }
        None => match from_cluster(&kubectl) {
            Ok(e) => e,
            Err(e) => {
                output::error(&format!("verify: {e}"));
                write_junit(a.junit.as_deref(), &Report::new(vec![]), Some(&e));
                return ExitCode::from(1);
            }
        },
    };
    let header = format!(
        "Verifying the cluster against {} (Kubernetes 1.{}, {}, kube-proxy {}, Calico {})",
        expected.source,
        expected.minor,
        expected
            .families
            .iter()
            .map(|f| format!("{} {}", f.family.kube_name(), f.pod_subnet))
            .collect::<Vec<_>>()
            .join(" + "),
        expected.proxy_mode,
        if expected.operator {
            "operator"
        } else {
            "manifest"
        }
    );
    let cx = Cx {
        kubectl,
        expected,
        deadline: Duration::from_secs(a.timeout.max(1)),
        sim: std::env::var_os("DSINSTALL_SIM")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from),
    };
    let scratch = std::env::temp_dir().join(format!("dsinstall-verify-{}", std::process::id()));
    if let Err(e) = dsinstall::io::write::create_private_dir(&scratch) {
        output::error(&format!("verify: {}: {e}", scratch.display()));
        return ExitCode::from(1);
    }
    let opts = verify::Options {
        keep: a.keep,
        openstack: a.openstack,
        only: None,
    };
    if !a.json {
        let _ = output::print(&format!("{header}\n"));
    }
    // The JUnit file is rewritten as results arrive: a run killed half way leaves the
    // results so far and an error testcase saying it did not finish.
    let mut so_far = vec![];
    write_junit(
        a.junit.as_deref(),
        &Report::new(vec![]),
        Some("the run did not finish"),
    );
    let junit_path = a.junit.clone();
    let rep = verify::run(&cx, &opts, &scratch, &mut |r| {
        so_far.push(r.clone());
        write_junit(
            junit_path.as_deref(),
            &Report::new(so_far.clone()),
            Some("the run did not finish"),
        );
    });
    let _ = std::fs::remove_dir_all(&scratch);
    write_junit(a.junit.as_deref(), &rep, None);
    let printed = if a.json {
        output::print_json(&serde_json::to_string_pretty(&rep).unwrap_or_default())
    } else {
        let t = text::report(&rep, "", started.elapsed().as_millis());
        output::print(t.trim_start_matches('\n'))
    };
    if let Err(e) = printed {
        return ExitCode::from(e.report());
    }
    if rep.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Expectations for a cluster dsinstall did not install: kubeadm-config, and the workload
/// rendered from answers made of what the cluster says.
fn from_cluster(k: &Kubectl) -> Result<Expected, String> {
    let c = expect::read_cluster(k)?;
    let t = Duration::from_secs(15);
    let nodes = k
        .items(&Call::get("nodes", None, None), t)
        .map_err(|e| e.text)?;
    let ds_ns = if c.operator {
        "calico-system"
    } else {
        "kube-system"
    };
    let calico_version = k
        .get_json(&Call::get("daemonset", Some(ds_ns), Some("calico-node")), t)
        .ok()
        .and_then(|d| {
            let img = d["spec"]["template"]["spec"]["containers"][0]["image"]
                .as_str()?
                .to_string();
            img.rsplit_once(':').map(|(_, tag)| tag.to_string())
        })
        .unwrap_or_else(|| "v3.15.3".into());
    let answers = workload::answers_from_cluster(&c, &nodes, &calico_version);
    let checked = plan::check(&answers);
    let work = match checked.plan.as_ref().filter(|_| !checked.has_errors()) {
        Some(p) => workload::render_for(p),
        None => Err(format!(
            "the workload cannot be made from the cluster's settings: {}",
            checked
                .errors()
                .next()
                .map(|p| p.message.clone())
                .unwrap_or_default()
        )),
    };
    let ns = checked
        .plan
        .as_ref()
        .map(|p| p.verify.namespace.clone())
        .unwrap_or_else(|| "dsinstall-verify".into());
    Ok(c.expected(work, &ns))
}
