//! `dsinstall export --out F` writes answers that `dsinstall plan --answers F` accepts, and
//! fails with one line when it cannot write.

mod detect_support;

use detect_support::{Netns, bin, build_node01};
use std::process::Command;

#[test]
fn export_in_the_seed_node01_namespace_passes_plan() {
    let (Some(ns), Some(lab)) = (Netns::new("export"), Netns::new("lab")) else {
        return;
    };
    build_node01(&ns, &lab);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("answers.yaml");
    let run = ns.exec(&bin(), &["export", "--out", out.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        out.display().to_string()
    );
    let answers = dsinstall::answers::Answers::load(&out).unwrap();
    assert_eq!(answers.node.ipv6.as_deref(), Some("2018::21"));
    assert_eq!(answers.node.ipv4.as_deref(), Some("111.111.111.121"));
    assert_eq!(answers.node.ipv6_interface.as_deref(), Some("ens224"));
    assert_eq!(
        answers.kubernetes.control_plane_endpoint.as_deref(),
        Some("111.111.111.120:6443")
    );
    assert_eq!(
        answers.calico.ipv6_autodetection_method.as_deref(),
        Some("interface=^ens224$")
    );
    let plan = Command::new(bin())
        .args(["plan", "--answers"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        plan.status.success(),
        "plan rejected the exported answers:\n{}{}",
        String::from_utf8_lossy(&plan.stdout),
        String::from_utf8_lossy(&plan.stderr)
    );
}

#[test]
fn export_on_this_host_writes_a_file_plan_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("answers.yaml");
    let run = Command::new(bin())
        .args(["export", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    // A host whose defaults do not plan (no IPv6, say) gets the errors and no file: export
    // never writes answers that plan refuses.
    if run.status.code() == Some(2) {
        assert!(!out.exists(), "a refused export wrote {}", out.display());
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(err.contains("nothing written"), "{err}");
        return;
    }
    assert!(run.status.success(), "{run:?}");
    dsinstall::answers::Answers::load(&out).unwrap();
    let plan = Command::new(bin())
        .args(["plan", "--answers"])
        .arg(&out)
        .output()
        .unwrap();
    // Errors are refused above; warnings (no Calico manifest yet) leave exit 0.
    assert_eq!(plan.status.code(), Some(0), "{plan:?}");
}

#[test]
fn export_to_an_unwritable_path_is_one_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    for out in [
        dir.path().join("no/such/dir/answers.yaml"),
        // A directory where the file should be: the rename cannot replace it.
        dir.path().to_path_buf(),
    ] {
        let run = Command::new(bin())
            .args(["export", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(1), "{out:?}: {run:?}");
        let err = String::from_utf8(run.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("dsinstall: cannot write "), "{err}");
        assert!(err.contains(&out.display().to_string()), "{err}");
        assert!(run.stdout.is_empty());
    }
    // Nothing half-written is left beside the target.
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A directory of fake tools: each prints `output` (or runs `body`) when called.
fn fake_tools(dir: &std::path::Path, tools: &[(&str, &str)]) {
    use std::os::unix::fs::PermissionsExt;
    for (name, body) in tools {
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn tools_that_hang_or_print_garbage_neither_stop_nor_crash_detect() {
    let dir = tempfile::tempdir().unwrap();
    // PATH will hold only the fakes, so they name what they run by its full path.
    let sleep = which::which("sleep").unwrap();
    let head = which::which("head").unwrap();
    let crictl = format!("{} 30; echo crictl version v1.19.0", sleep.display());
    let containerd = format!("{} -c 300000 /dev/urandom; exit 3", head.display());
    fake_tools(
        dir.path(),
        &[
            ("kubeadm", "echo v1.24.3"),
            // kubectl 1.19's own output.
            (
                "kubectl",
                r#"echo 'Client Version: version.Info{Major:"1", Minor:"19", GitVersion:"v1.19.0", GitCommit:"e199641"}'"#,
            ),
            // A grandchild keeps the pipe open after the tool is killed: still cut off.
            ("crictl", &crictl),
            ("containerd", &containerd),
            ("docker", "printf '\\377\\376 not a version'"),
        ],
    );
    let start = std::time::Instant::now();
    let run = Command::new(bin())
        .args(["detect", "--json"])
        .env("PATH", dir.path())
        .env_remove("DSINSTALL_KUBEADM")
        .env_remove("DSINSTALL_KUBECTL")
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(run.status.success(), "{run:?}");
    assert!(took.as_secs() < 10, "detect took {took:?}");
    let f: dsinstall::host::HostFacts = serde_json::from_slice(&run.stdout).unwrap();
    let version = |t: &str| {
        f.tools[t]
            .as_ref()
            .unwrap_or_else(|| panic!("{t} not found"))
            .version
            .clone()
    };
    assert_eq!(version("kubeadm").as_deref(), Some("v1.24.3"));
    assert_eq!(version("kubectl").as_deref(), Some("v1.19.0"));
    assert_eq!(version("crictl"), None, "timed out");
    assert_eq!(version("docker"), None);
    assert!(f.tools["kubelet"].is_none());
    assert_eq!(
        f.tools["kubeadm"].as_ref().unwrap().path,
        dir.path().join("kubeadm").display().to_string()
    );

    // DSINSTALL_KUBEADM names the kubeadm to use, wherever PATH points.
    let other = tempfile::tempdir().unwrap();
    fake_tools(other.path(), &[("my-kubeadm", "echo v1.31.2")]);
    let out = dir.path().join("answers.yaml");
    let run = Command::new(bin())
        .args(["export", "--out"])
        .arg(&out)
        .env("PATH", other.path())
        .env("DSINSTALL_KUBEADM", other.path().join("my-kubeadm"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let a = dsinstall::answers::Answers::load(&out).unwrap();
    assert_eq!(a.kubernetes.version, "v1.31.2");
}

/// `detect --json` gains `cgroupDriver` (null without a runtime): only an addition to the
/// contract's shape.
#[test]
fn detect_json_has_the_runtime_cgroup_driver() {
    let run = Command::new(bin())
        .args(["detect", "--json"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let c = v.get("cgroupDriver").expect("the cgroupDriver key");
    if !c.is_null() {
        assert!(
            ["systemd", "cgroupfs"].contains(&c["driver"].as_str().unwrap()),
            "{c}"
        );
        assert!(c["runtime"].is_string() && c["source"].is_string(), "{c}");
    }
    for key in [
        "hostname",
        "interfaces",
        "defaultRoutes",
        "sysctls",
        "tools",
        "suggested",
    ] {
        assert!(v.get(key).is_some(), "{key} is still there");
    }
}
