//! `dsinstall apply` end to end on the simulated lab, run as a user runs it: the real binary,
//! the lab's stand-ins on PATH, node01's interfaces in a network namespace. The runner is
//! detached (the lab's nodes have systemd, so through the lab's `systemd-run`), so every test
//! also checks that the client is only a client: killed, hung up or run twice, the install
//! goes on and `status` tells the story.

mod apply_support;
mod common;
mod detect_support;
mod sim_support;

use apply_support::{Node, answers_text, guide_single, guide_three, wait_until, with_node_masks};
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// No secret of the run anywhere a person or a script reads.
fn assert_no_secrets(n: &Node, also: &[&str]) {
    let (token, key) = n.secrets();
    let journal = std::fs::read_to_string(n.state().join("journal.jsonl")).unwrap();
    let status = n.run(&["status", "--json"]).stdout;
    for (what, text) in [
        ("log", n.log_text()),
        ("journal", journal),
        ("status", status),
    ]
    .into_iter()
    .chain(also.iter().map(|t| ("output", t.to_string())))
    {
        assert!(!text.contains(&token), "the token is in the {what}");
        assert!(!text.contains(&key), "the certificate key is in the {what}");
    }
}

#[test]
fn the_guides_node_on_1_20_installs_end_to_end_and_the_story_is_complete() {
    let answers = guide_single("v1.20.15");
    let Some(n) = Node::new("ap120", "v1.20.15", &answers, &[]) else {
        return;
    };
    let r = n.apply(&[]);
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    // Every child line streamed with its step id; a line per step; the summary.
    assert!(r.stdout.contains("==> kubeadm.init\n"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("[kubeadm.init] [init] Using Kubernetes version: v1.20.15")
    );
    assert!(
        r.stdout
            .contains("[kubeadm.init] [bootstrap-token] Using token: <redacted>")
    );
    assert!(r.stdout.contains("<== calico: done in"), "{}", r.stdout);
    assert!(
        r.stdout.contains("[verify] [PASS] node.internal-ips/ipv6"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(": done\n"), "{}", r.stdout);
    // status --json: run.md's shape, every step done (or found done), one attempt each.
    let st = n.status();
    assert_eq!(st["state"], "done");
    assert_eq!(st["answers"], n.answers.as_str());
    let ids: Vec<&str> = st["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "preflight",
            "host.swap",
            "host.modules",
            "host.sysctl",
            "images",
            "kubeadm.init",
            "kubeconfig",
            "calico",
            "wait.node",
            "wait.calico",
            "verify"
        ]
    );
    for s in st["steps"].as_array().unwrap() {
        assert!(s["state"] == "done" || s["state"] == "skipped", "{s}");
        for k in ["startedAt", "durationMs", "attempts", "error", "hint"] {
            assert!(s.get(k).is_some(), "{k} missing in {s}");
        }
        assert!(s["attempts"].as_u64().unwrap() <= 1, "{s}");
    }
    // The log has every step and every kubeadm line; no secret anywhere.
    let log = n.log_text();
    for id in &ids {
        assert!(log.contains(&format!("[{id}]")), "{id} not in the log");
    }
    assert!(log.contains("[kubeadm.init] [addons] Applied essential addon: CoreDNS"));
    // kubeadm's phases are reported as they come, between its lines, not at its end.
    let journal = n.journal();
    let phases: Vec<(usize, &str)> = journal
        .iter()
        .enumerate()
        .filter(|(_, e)| e["event"] == "phase" && e["step"] == "kubeadm.init")
        .map(|(i, e)| (i, e["phase"].as_str().unwrap()))
        .collect();
    let names: Vec<&str> = phases.iter().map(|(_, p)| *p).collect();
    for p in [
        "certs",
        "kubeconfig",
        "kubelet-start",
        "control-plane",
        "bootstrap-token",
    ] {
        assert!(names.contains(&p), "phase {p} missing: {names:?}");
    }
    let last_line = journal
        .iter()
        .rposition(|e| e["event"] == "line" && e["step"] == "kubeadm.init")
        .unwrap();
    assert!(
        phases[0].0 < last_line,
        "the phases came after kubeadm's lines"
    );
    assert_no_secrets(&n, &[&r.stdout, &r.stderr]);
    // Host files as planned, each backed up first (none existed: reset removes them).
    let sysctl = std::fs::read_to_string(n.root("/etc/sysctl.d/kubernetes.conf")).unwrap();
    assert!(
        sysctl.contains("net.ipv6.conf.all.forwarding=1"),
        "{sysctl}"
    );
    assert!(n.root("/etc/modules-load.d/kubernetes.conf").exists());
    let manifest = std::fs::read_to_string(n.state().join("backups/manifest.json")).unwrap();
    assert!(
        manifest.contains("/etc/sysctl.d/kubernetes.conf"),
        "{manifest}"
    );
    // Secrets 0600 in a 0700 directory; the log 0600.
    assert_eq!(mode(&n.state()), 0o700);
    assert_eq!(mode(&n.state().join("run.json")), 0o600);
    assert_eq!(mode(&n.state().join("rendered/kubeadm-config.yaml")), 0o600);
    assert_eq!(mode(&n.state().join("rendered")), 0o700);
    let rec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(n.state().join("run.json")).unwrap())
            .unwrap();
    assert_eq!(
        mode(std::path::Path::new(rec["log"].as_str().unwrap())),
        0o600
    );
    // Nothing left running; a second apply reports the finished run and runs nothing.
    wait_until(5, "the runner to exit", || n.runner_pid().is_none());
    let before = n.journal().len();
    let again = n.apply(&[]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("has ended: done"), "{}", again.stdout);
    assert_eq!(n.journal().len(), before, "a finished run was run again");
}

#[test]
fn the_guides_three_nodes_on_1_20_install_from_one_apply_with_both_internal_ips() {
    let answers = guide_single("v1.20.15");
    let three = guide_three("v1.20.15");
    assert_ne!(answers, three);
    let Some(n) = Node::new("ap3n", "v1.20.15", &three, &[]) else {
        return;
    };
    let r = n.apply(&[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        n.steps_in("done")
            .iter()
            .filter(|s| s.starts_with("join."))
            .count(),
        2
    );
    assert!(r.stdout.contains("[join.node02] "), "{}", r.stdout);
    assert!(
        r.stdout.contains("[verify] [PASS] node.internal-ips/ipv6"),
        "{}",
        r.stdout
    );
    // Each node with both families' InternalIPs, as planned.
    for (name, v4, v6) in [
        ("node01", "111.111.111.121", "2018::21"),
        ("node02", "111.111.111.122", "2018::22"),
        ("node03", "111.111.111.123", "2018::23"),
    ] {
        let ips = n
            .internal_ips(name)
            .unwrap_or_else(|| panic!("{name} did not join"));
        assert_eq!(ips, [v4, v6], "{name}");
    }
    assert_no_secrets(&n, &[&r.stdout, &r.stderr]);
    // One node reset leaves the cluster; the next apply joins it again, nothing else.
    let one = n.run(&["reset", "--yes", "--node", "node02"]);
    assert_eq!(one.code, 0, "{}{}", one.stdout, one.stderr);
    assert!(
        one.stdout.contains("delete node node02 --ignore-not-found"),
        "{}",
        one.stdout
    );
    let names = n
        .lab
        .run("kubectl", &["get", "nodes", "-o", "json"])
        .ok()
        .stdout;
    assert!(!names.contains("\"node02\""), "{names}");
    let again = n.apply(&[]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert_eq!(n.starts_of("join.node02"), 2);
    assert_eq!(n.starts_of("join.node03"), 1);
    assert_eq!(n.starts_of("kubeadm.init"), 1);
    // node02 joined after node03 this time; the API lists by name all the same.
    let listed = n
        .lab
        .run(
            "kubectl",
            &["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"],
        )
        .ok()
        .stdout;
    assert_eq!(listed.trim(), "node01 node02 node03");
    // --all: the joined nodes, then this one.
    let all = n.run(&["reset", "--yes", "--all"]);
    assert_eq!(all.code, 0, "{}{}", all.stdout, all.stderr);
    let at = |s: &str| {
        all.stdout
            .find(s)
            .unwrap_or_else(|| panic!("{s}: {}", all.stdout))
    };
    assert!(at("[join.node03]") < at("[kubeadm.init]"), "{}", all.stdout);
    assert!(!n.root("/etc/kubernetes/admin.conf").exists());
    assert_eq!(n.run(&["status", "--json"]).stdout.trim(), "null");
}

#[test]
fn a_node_that_cannot_join_does_not_stop_the_other() {
    let three = guide_three("v1.20.15");
    let Some(n) = Node::new("ap3f", "v1.20.15", &three, &["host-key-unknown:node02"]) else {
        return;
    };
    let r = n.apply(&[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("failed step: join.node02"),
        "{}",
        r.stdout
    );
    assert_eq!(n.steps_in("failed"), ["join.node02"]);
    assert!(n.steps_in("done").contains(&"join.node03".to_string()));
    assert!(n.steps_in("pending").contains(&"verify".to_string()));
    // Once the key is known, the next apply joins only the node that failed.
    n.sim(&["--clear-fault", "host-key-unknown:node02"]).ok();
    let again = n.apply(&[]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert_eq!(n.starts_of("join.node03"), 1);
    assert_eq!(n.starts_of("join.node02"), 2);
}

#[test]
fn the_guides_own_1_19_node_installs_and_fails_only_where_the_guide_did() {
    let Some(n) = Node::new("ap119", "v1.19.0", &guide_single("v1.19.0"), &[]) else {
        return;
    };
    let r = n.apply(&[]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    // Everything installs; the checks find the guide's missing IPv6 InternalIP, and say why.
    let st = n.status();
    assert_eq!(st["state"], "failed");
    let failed: Vec<_> = st["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] != "done" && s["state"] != "skipped")
        .collect();
    assert_eq!(failed.len(), 1, "{st}");
    assert_eq!(failed[0]["id"], "verify");
    let err = failed[0]["error"].as_str().unwrap();
    assert!(err.contains("node.internal-ips/ipv6"), "{err}");
    assert!(
        failed[0]["hint"]
            .as_str()
            .unwrap()
            .contains("single --node-ip"),
        "{st}"
    );
    assert!(r.stdout.contains("failed step: verify"), "{}", r.stdout);
    assert!(r.stdout.contains("  fix: "), "{}", r.stdout);
    assert!(r.stdout.contains("log: "), "{}", r.stdout);
    assert_no_secrets(&n, &[&r.stdout]);
}

/// Kill the runner (kill -9) while `step` hangs; `apply` again finishes the run without
/// redoing what was done, and stops what the dead runner left running.
fn killed_during(step: &str, tag: &str) {
    let fault = format!("hang:{step}");
    let Some(n) = Node::new(tag, "v1.20.15", &guide_single("v1.20.15"), &[&fault]) else {
        return;
    };
    let mut client = n.apply_command();
    let client = client.spawn().unwrap();
    wait_until(60, &format!("{step} to start"), || n.starts_of(step) == 1);
    // Let the child get going, then kill the runner hard.
    std::thread::sleep(Duration::from_millis(300));
    let pid = n.runner_pid().expect("a live runner");
    // SAFETY: a signal to the runner we found.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    let out = client.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("the runner stopped without finishing"),
        "{stdout}"
    );
    let st = n.status();
    assert_eq!(st["state"], "interrupted", "{st}");
    let done_before: Vec<String> = n.steps_in("done");
    n.sim(&["--clear-fault", &fault]).ok();
    let r = n.apply(&[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("resumed"), "{}", r.stdout);
    for d in &done_before {
        assert_eq!(n.starts_of(d), 1, "{d} was done and ran again");
    }
    assert_eq!(n.starts_of(step), 2, "{step} was not redone");
    // The hung child of the dead runner was stopped by the next one.
    let log = n.log_text();
    assert!(log.contains("left running by the runner before"), "{log}");
    assert_eq!(n.status()["state"], "done");
}

#[test]
fn kill_9_of_the_runner_during_preflight_resumes() {
    killed_during("preflight", "k9pre");
}

#[test]
fn kill_9_of_the_runner_during_images_resumes() {
    killed_during("images", "k9img");
}

#[test]
fn kill_9_of_the_runner_during_kubeadm_init_resets_and_redoes_it() {
    killed_during("kubeadm.init", "k9init");
}

/// Each fault fails the step it belongs to with a cause and a fix; cleared, apply resumes.
#[test]
fn each_fault_names_its_step_cause_and_fix_and_the_run_resumes_once_cleared() {
    for (fault, step, tag) in [
        ("image-pull", "images", "fimg"),
        ("port-6443-in-use", "preflight", "fport"),
        ("kubelet-unhealthy", "kubeadm.init", "fkub"),
        ("calico-crashloop", "wait.node", "fcal"),
        ("node-notready", "wait.node", "fnode"),
        ("hang:wait.calico", "wait.calico", "fhang"),
    ] {
        let Some(n) = Node::new(tag, "v1.20.15", &guide_single("v1.20.15"), &[fault]) else {
            return;
        };
        // A node that never comes back fails at the wait's deadline: a short one here.
        let r = n.apply(&["--wait-timeout", "5"]);
        assert_eq!(r.code, 1, "{fault}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.contains(&format!("failed step: {step}\n")),
            "{fault}: {}",
            r.stdout
        );
        let st = n.status();
        let s = st["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == step)
            .unwrap()
            .clone();
        assert_eq!(s["state"], "failed", "{fault}: {st}");
        assert!(
            !s["error"].as_str().unwrap_or("").is_empty(),
            "{fault}: {s}"
        );
        assert!(!s["hint"].as_str().unwrap_or("").is_empty(), "{fault}: {s}");
        if fault == "calico-crashloop" {
            // The node waits for its network: the crash loop is named at once, not at the
            // deadline.
            assert!(
                s["error"]
                    .as_str()
                    .unwrap()
                    .contains("calico-node is crash-looping")
            );
            assert!(s["durationMs"].as_u64().unwrap() < 60_000, "{s}");
        }
        n.sim(&["--clear-fault", fault]).ok();
        let again = n.apply(&[]);
        assert_eq!(
            again.code, 0,
            "{fault} cleared: {}{}",
            again.stdout, again.stderr
        );
        assert_eq!(n.status()["state"], "done");
    }
}

/// Every file under the root, with its bytes: a dry run must leave it as it was.
fn tree(root: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            } else {
                out.push((p.display().to_string(), Vec::new()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_dry_run_changes_nothing_and_lists_what_the_real_run_changes() {
    let Some(n) = Node::new("apdry", "v1.20.15", &guide_single("v1.20.15"), &[]) else {
        return;
    };
    let before = tree(&n.root("/"));
    let state_before = tree(&n.state());
    let dry = n.apply(&["--dry-run"]);
    assert_eq!(dry.code, 0, "{}{}", dry.stdout, dry.stderr);
    assert_eq!(tree(&n.root("/")), before, "the dry run changed the root");
    assert_eq!(tree(&n.state()), state_before, "the dry run wrote state");
    let d = &dry.stdout;
    assert!(
        d.contains("[host.sysctl] write: /etc/sysctl.d/kubernetes.conf"),
        "{d}"
    );
    assert!(
        d.contains("[host.sysctl]   +net.ipv6.conf.all.forwarding=1"),
        "{d}"
    );
    assert!(
        d.contains("[kubeadm.init] run: kubeadm init --config"),
        "{d}"
    );
    assert!(d.contains("reset would undo"), "{d}");
    // The files it names are where the run will read them, not the dry run's own copy.
    let rendered = n.state().join("rendered/kubeadm-config.yaml");
    assert!(
        d.contains(&format!("kubeadm init --config {}", rendered.display())),
        "{d}"
    );
    assert!(!d.contains("dsinstall-dry-run-"), "{d}");
    // The real run: every host-changing command it ran is in the dry run's list.
    let r = n.apply(&[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let changing = [
        "kubeadm init ",
        "kubectl apply",
        "kubectl create",
        "modprobe ",
        "swapoff",
    ];
    for l in r.stdout.lines() {
        let Some((_, cmd)) = l.split_once("] $ ") else {
            continue;
        };
        if let Some(c) = changing.iter().find(|c| cmd.starts_with(*c)) {
            assert!(
                d.contains(&format!("run: {c}")),
                "ran `{cmd}`, not in the dry run:\n{d}"
            );
        }
    }
    // And every host file it wrote under /etc.
    for (p, _) in tree(&n.root("/etc")) {
        let host = p.trim_start_matches(n.root("/").to_str().unwrap());
        let host = format!("/{}", host.trim_start_matches('/'));
        if host.starts_with("/etc/sysctl.d") || host.starts_with("/etc/modules-load.d") {
            assert!(
                d.contains(&format!("write: {host}")),
                "{host} not in the dry run"
            );
        }
    }
}

#[test]
fn changed_answers_are_refused_and_reset_undoes_the_install() {
    let answers = guide_single("v1.20.15");
    let Some(n) = Node::new("apchg", "v1.20.15", &answers, &[]) else {
        return;
    };
    // A file dsinstall edits that was there before: put back by reset.
    std::fs::create_dir_all(n.root("/etc/sysctl.d")).unwrap();
    std::fs::write(
        n.root("/etc/sysctl.d/kubernetes.conf"),
        "# the admin's own\n",
    )
    .unwrap();
    assert_eq!(n.apply(&[]).code, 0);
    std::fs::write(
        &n.answers,
        answers.replace("nodePort: 31111", "nodePort: 31112"),
    )
    .unwrap();
    let r = n.apply(&[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("changed since run"), "{}", r.stderr);
    assert!(r.stderr.contains("dsinstall reset"), "{}", r.stderr);
    // Reset without a terminal needs --yes.
    assert_eq!(n.run(&["reset"]).code, 1);
    let reset = n.run(&["reset", "--yes"]);
    assert_eq!(reset.code, 0, "{}{}", reset.stdout, reset.stderr);
    assert!(
        reset.stdout.contains("kubeadm reset -f"),
        "{}",
        reset.stdout
    );
    assert_eq!(
        std::fs::read_to_string(n.root("/etc/sysctl.d/kubernetes.conf")).unwrap(),
        "# the admin's own\n"
    );
    assert!(!n.root("/etc/modules-load.d/kubernetes.conf").exists());
    assert!(!n.root("/etc/kubernetes/admin.conf").exists());
    assert!(!n.state().join("run.json").exists());
    assert!(!n.state().join("rendered").exists(), "the secrets stayed");
    assert_eq!(n.run(&["status", "--json"]).stdout.trim(), "null");
    // The changed answers now install.
    let again = n.apply(&[]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("started"), "{}", again.stdout);
}

#[test]
fn a_second_apply_and_logs_follow_attach_to_the_live_run() {
    let Some(n) = Node::new(
        "aplive",
        "v1.20.15",
        &guide_single("v1.20.15"),
        &["slow:kubeadm.init"],
    ) else {
        return;
    };
    let first = n.apply_command().spawn().unwrap();
    wait_until(60, "kubeadm.init to start", || {
        n.starts_of("kubeadm.init") == 1
    });
    let logs = n
        .command(&["logs", "--follow", "--step", "kubeadm.init"])
        .spawn()
        .unwrap();
    let second = n.apply(&[]);
    assert_eq!(second.code, 0, "{}{}", second.stdout, second.stderr);
    assert!(
        second.stdout.contains("is in progress: following it"),
        "{}",
        second.stdout
    );
    // It shows what happened before it attached, too.
    assert!(
        second.stdout.contains("<== preflight: done"),
        "{}",
        second.stdout
    );
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0));
    let logs = logs.wait_with_output().unwrap();
    let l = String::from_utf8_lossy(&logs.stdout);
    assert_eq!(logs.status.code(), Some(0));
    assert!(
        l.contains("[kubeadm.init] [init] Using Kubernetes version"),
        "{l}"
    );
    assert!(
        !l.contains("[calico]"),
        "--step kept another step's lines: {l}"
    );
    assert_eq!(n.starts_of("kubeadm.init"), 1, "two runners ran the step");
}

#[test]
fn ctrl_c_ends_only_the_client_and_says_how_to_reattach() {
    let Some(n) = Node::new(
        "apint",
        "v1.20.15",
        &guide_single("v1.20.15"),
        &["slow:kubeadm.init"],
    ) else {
        return;
    };
    let client = n.apply_command().spawn().unwrap();
    wait_until(60, "kubeadm.init to start", || {
        n.starts_of("kubeadm.init") == 1
    });
    // `ip netns exec` passes the signal on: the client is its child (exec'd in place).
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(client.id() as i32, libc::SIGINT) };
    let out = client.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("goes on without this terminal"), "{err}");
    assert!(err.contains("dsinstall logs --follow"), "{err}");
    wait_until(60, "the run to finish without its client", || {
        n.status()["state"] == "done"
    });
}

/// The client's terminal closes under it (the pty master closed, its session leader
/// killed), as when the SSH link drops: the runner finishes, a new apply reports it.
#[test]
fn a_closed_terminal_leaves_the_install_running_to_its_end() {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    let Some(n) = Node::new(
        "appty",
        "v1.20.15",
        &guide_single("v1.20.15"),
        &["slow:kubeadm.init"],
    ) else {
        return;
    };
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills two descriptors we then own.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0);
    // SAFETY: our own descriptor; the child must not hold the master.
    unsafe { libc::fcntl(master, libc::F_SETFD, libc::FD_CLOEXEC) };
    // SAFETY: openpty gave us this descriptor.
    let slave = unsafe { OwnedFd::from_raw_fd(slave) };
    let mut cmd = n.apply_command();
    cmd.stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave.try_clone().unwrap());
    // SAFETY: setsid and TIOCSCTTY are async-signal-safe: the pty becomes the controlling
    // terminal of a new session, as sshd makes it.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    drop(slave);
    wait_until(60, "kubeadm.init to start", || {
        n.starts_of("kubeadm.init") == 1
    });
    // SAFETY: closing our master hangs the terminal up; then the session leader goes.
    unsafe { libc::close(master) };
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    let _ = child.wait();
    wait_until(60, "the run to finish without its terminal", || {
        n.status()["state"] == "done"
    });
    let r = n.apply(&[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("has ended: done"), "{}", r.stdout);
    assert_eq!(n.starts_of("kubeadm.init"), 1);
}

/// A current pair, Kubernetes 1.35 on containerd and Calico v3.32.1's upstream manifest,
/// with the guide's addresses: every step and every check passes, both families everywhere.
#[test]
fn a_current_version_pair_installs_and_passes_every_check() {
    installs_and_passes_every_check("cur", "v1.35.0");
}

/// The newest release the lab simulates, 1.37, whose kubeadm refuses the v1beta3 config API
/// (kubernetes/kubernetes#136016): the same install goes through on v1beta4.
#[test]
fn kubernetes_137_installs_and_passes_every_check() {
    let Some(n) = installs_and_passes_every_check("k137", "v1.37.0") else {
        return;
    };
    let log = n.log_text();
    assert!(!log.contains("uses an old API spec"), "{log}");
    assert!(!log.contains("uses a deprecated API spec"), "{log}");
    assert!(
        log.contains("[init] Using Kubernetes version: v1.37.0"),
        "{log}"
    );
}

/// Install `version` with Calico v3.32.1 on containerd and assert every check passed; None:
/// skipped (no network namespaces here).
fn installs_and_passes_every_check(name: &str, version: &str) -> Option<Node> {
    let answers = answers_text("seed-v1.19.yaml", "calico-v3.32.1.yaml", true)
        .replace("version: v1.19.0", &format!("version: {version}"))
        .replace("version: v3.15.3", "version: v3.32.1")
        .replace(
            "imageRepository: k8s.gcr.io",
            "imageRepository: registry.k8s.io",
        )
        .replace(
            "criSocket: /var/run/dockershim.sock",
            "criSocket: unix:///var/run/containerd/containerd.sock",
        );
    let answers = with_node_masks(&answers);
    let n = Node::new(name, version, &answers, &[])?;
    let r = n.apply(&[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let st = n.status();
    assert_eq!(st["state"], "done", "{st}");
    let checks: Vec<_> = n
        .journal()
        .into_iter()
        .filter(|e| e["event"] == "check")
        .collect();
    assert!(!checks.is_empty());
    for c in &checks {
        assert_ne!(c["check"]["status"], "FAIL", "{c}");
    }
    // The checks' reports beside the log, as verify --json and --junit write them.
    let log = std::path::PathBuf::from(st["log"].as_str().unwrap());
    let json = log.with_extension("verify.json");
    let junit = log.with_extension("junit.xml");
    assert_eq!(mode(&json), 0o600);
    assert_eq!(mode(&junit), 0o600);
    let rep: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(rep["failed"], 0, "{rep}");
    assert_eq!(rep["checks"].as_array().unwrap().len(), checks.len());
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testsuite") && xml.contains("node.internal-ips/ipv6"),
        "{xml}"
    );
    assert!(
        r.stdout.contains("the checks' reports:") || n.log_text().contains("the checks' reports:")
    );
    Some(n)
}
