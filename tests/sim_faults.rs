//! Each fault of the lab fails the way a real install fails, in the real tool's words, and
//! clears so a run can fail, be fixed and go on.

mod sim_support;

use sim_support::*;

fn cfg(lab: &Lab, v: &str) -> String {
    let api = if v.starts_with("v1.19") {
        "v1beta2"
    } else if v.starts_with("v1.3") {
        "v1beta4"
    } else {
        "v1beta3"
    };
    lab.file(
        "k.yaml",
        &kubeadm_config(api, "10.244.0.0/16", "10.96.0.0/16", "111.111.111.121", ""),
    )
}

#[test]
fn list_faults_names_them_all() {
    let lab = Lab::new("v1.28.4", &[]);
    let out = lab.sim(&["--list-faults"]).ok().stdout;
    for f in [
        "image-pull",
        "port-6443-in-use",
        "swap-on",
        "kubelet-unhealthy",
        "calico-crashloop",
        "node-notready",
        "slow:<step>",
        "hang:<step>",
        "ssh-drop:<node>",
        "token-expired",
    ] {
        assert!(out.lines().any(|l| l.starts_with(f)), "{f}");
    }
    let r = lab.sim(&["--fault", "nonsense"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--fault nonsense: not a fault of this lab")
    );
    let r = lab.sim(&["--clear-fault", "swap-on"]);
    assert!(r.stderr.contains("the lab has no such fault on"));
}

#[test]
fn image_pull_fails_preflight_and_config_images_pull() {
    let lab = Lab::new("v1.28.4", &["--fault", "image-pull"]);
    lab.prepare_host();
    let r = lab.run("kubeadm", &["config", "images", "pull"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with("failed to pull image registry.k8s.io/kube-apiserver:v1.28.4: output: "),
        "{}",
        r.stderr
    );
    let r = lab.run("kubeadm", &["init", "--config", &cfg(&lab, "v1.28.4")]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("\t[ERROR ImagePull]: failed to pull image registry.k8s.io/etcd:3.5.9-0"),
        "{}",
        r.stderr
    );
    lab.sim(&["--clear-fault", "image-pull"]).ok();
    lab.run("kubeadm", &["init", "--config", &cfg(&lab, "v1.28.4")])
        .ok();
}

#[test]
fn port_6443_in_use() {
    let lab = Lab::new("v1.24.17", &["--fault", "port-6443-in-use"]);
    lab.prepare_host();
    let r = lab.run(
        "kubeadm",
        &[
            "init",
            "phase",
            "preflight",
            "--config",
            &cfg(&lab, "v1.24.17"),
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("\t[ERROR Port-6443]: Port 6443 is in use\n")
    );
}

#[test]
fn swap_on_until_swapoff() {
    let lab = Lab::new("v1.24.17", &["--fault", "swap-on"]);
    lab.prepare_host();
    let r = lab.run("kubeadm", &["init", "--config", &cfg(&lab, "v1.24.17")]);
    assert!(
        r.stderr.contains(
            "\t[ERROR Swap]: running with swap on is not supported. Please disable swap\n"
        ),
        "{}",
        r.stderr
    );
    lab.run("swapoff", &["-a"]).ok();
    lab.run("kubeadm", &["init", "--config", &cfg(&lab, "v1.24.17")])
        .ok();
    // From 1.28 kubeadm only warns, and the kubelet refuses to start instead.
    let lab = Lab::new("v1.28.4", &["--fault", "swap-on"]);
    lab.prepare_host();
    let r = lab.run("kubeadm", &["init", "--config", &cfg(&lab, "v1.28.4")]);
    assert!(
        r.stderr
            .contains("\t[WARNING Swap]: swap is supported for cgroup v2 only."),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(
        "error execution phase wait-control-plane: couldn't initialize a Kubernetes cluster"
    ));
}

#[test]
fn kubelet_unhealthy_times_out_wait_control_plane() {
    let lab = Lab::new("v1.24.17", &["--fault", "kubelet-unhealthy"]);
    lab.prepare_host();
    let r = lab.run("kubeadm", &["init", "--config", &cfg(&lab, "v1.24.17")]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("[kubelet-check] It seems like the kubelet isn't running or healthy.")
    );
    assert!(r.stdout.contains("\t\t- 'crictl --runtime-endpoint unix:///var/run/containerd/containerd.sock ps -a | grep kube | grep -v pause'"), "{}", r.stdout);
    assert!(r.stderr.starts_with(
        "error execution phase wait-control-plane: couldn't initialize a Kubernetes cluster\n"
    ));
    let lab = Lab::new("v1.31.2", &["--fault", "kubelet-unhealthy"]);
    lab.prepare_host();
    let r = lab.run("kubeadm", &["init", "--config", &cfg(&lab, "v1.31.2")]);
    assert!(
        r.stdout
            .contains("[kubelet-check] The kubelet is not healthy after 4m0"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.starts_with("error execution phase wait-control-plane: failed while waiting for the kubelet to start: The HTTP call equal to 'curl -sSL http://127.0.0.1:10248/healthz' returned error"));
}

fn cluster_with_calico(lab: &Lab, v: &str) {
    lab.prepare_host();
    lab.run("kubeadm", &["init", "--config", &cfg(lab, v)]).ok();
    lab.run(
        "kubectl",
        &[
            "apply",
            "-f",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/calico/calico-v3.32.1.yaml"
            ),
        ],
    )
    .ok();
}

#[test]
fn calico_crashloop_leaves_the_node_not_ready() {
    let lab = Lab::new("v1.28.4", &["--fault", "calico-crashloop"]);
    cluster_with_calico(&lab, "v1.28.4");
    let pods = calico_pods(&lab, &[]);
    assert!(pods.contains("CrashLoopBackOff"), "{pods}");
    let name = pods
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let logs = lab
        .run("kubectl", &["logs", "-n", "kube-system", &name])
        .ok()
        .stdout;
    assert!(logs.contains("Unable to auto-detect an IPv4 address: no valid IPv4 addresses found on the host interfaces"));
    let msg = lab
        .run(
            "kubectl",
            &[
                "get",
                "node",
                "node01",
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}",
            ],
        )
        .ok()
        .stdout;
    assert!(msg.contains("cni plugin not initialized"), "{msg}");
    lab.sim(&["--clear-fault", "calico-crashloop"]).ok();
    let r = lab
        .run("kubectl", &["wait", "--for=condition=Ready", "node/node01"])
        .ok();
    assert_eq!(r.stdout, "node/node01 condition met\n");
}

#[test]
fn node_notready_stops_the_status() {
    let lab = Lab::new("v1.28.4", &[]);
    cluster_with_calico(&lab, "v1.28.4");
    lab.sim(&["--fault", "node-notready"]).ok();
    let r = lab.run("kubectl", &["get", "nodes"]).ok().stdout;
    assert!(r.contains("node01   NotReady"), "{r}");
    let msg = lab
        .run(
            "kubectl",
            &[
                "get",
                "node",
                "node01",
                "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}",
            ],
        )
        .ok()
        .stdout;
    assert_eq!(msg, "Kubelet stopped posting node status.");
    let r = lab.run(
        "kubectl",
        &[
            "wait",
            "--for=condition=Ready",
            "node/node01",
            "--timeout=1s",
        ],
    );
    assert_eq!(
        r.stderr,
        "error: timed out waiting for the condition on nodes/node01\n"
    );
}

#[test]
fn ssh_drop_and_token_expired_fail_the_join() {
    let lab = Lab::new(
        "v1.28.4",
        &["--fault", "ssh-drop:node02", "--fault", "token-expired"],
    );
    cluster_with_calico(&lab, "v1.28.4");
    let r = lab.run("ssh", &["root@node02", "true"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            255,
            "ssh: connect to host node02 port 22: Connection timed out\n"
        )
    );
    let r = lab.run("scp", &["/etc/hostname", "111.111.111.122:/root/"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.ends_with("lost connection\n"));
    lab.sim(&["--clear-fault", "ssh-drop:node02"]).ok();
    let ca = std::fs::read_to_string(lab.root("/etc/kubernetes/pki/ca.crt")).unwrap();
    let _ = ca;
    let join = lab
        .run("kubeadm", &["token", "create", "--print-join-command"])
        .ok()
        .stdout;
    let hash = join
        .split_whitespace()
        .find(|w| w.starts_with("sha256:"))
        .unwrap()
        .to_string();
    let base = "modprobe br_netfilter && sysctl -q -w net.ipv4.ip_forward=1 && kubeadm join 111.111.111.120:6443 --discovery-token-ca-cert-hash ";
    let r = lab.run(
        "ssh",
        &[
            "node02",
            &format!("{base}{hash} --token abcdef.0123456789abcdef"),
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "could not find a JWS signature in the cluster-info ConfigMap for token ID \"abcdef\""
        ),
        "{}",
        r.stderr
    );
    // A token made after the fault is good.
    let token = join.split_whitespace().nth(4).unwrap();
    let r = lab
        .run("ssh", &["node02", &format!("{base}{hash} --token {token}")])
        .ok();
    assert!(r.stdout.contains("This node has joined the cluster:"));
    assert_eq!(
        lab.run("kubectl", &["get", "nodes", "-o", "name"])
            .ok()
            .stdout,
        "node/node01\nnode/node02\n"
    );
}

#[test]
fn slow_steps_still_finish() {
    let lab = Lab::new("v1.28.4", &["--fault", "slow:images"]);
    let r = lab.run("kubeadm", &["config", "images", "pull"]).ok();
    assert!(
        r.stdout
            .starts_with("[config/images] Pulled registry.k8s.io/kube-apiserver:v1.28.4\n")
    );
}

#[test]
fn systemd_run_starts_detached_and_refuses_219s_missing_options() {
    let lab = Lab::new("v1.28.4", &[]);
    let r = lab.run("systemd-run", &["--collect", "true"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "systemd-run: unrecognized option '--collect'\n")
    );
    let r = lab
        .run(
            "systemd-run",
            &["--unit=dsinstall-apply-x", "/bin/sh", "-c", "echo started"],
        )
        .ok();
    assert_eq!(r.stderr, "Running as unit dsinstall-apply-x.service.\n");
}

/// `kubectl get pods` of calico-node, with `more` arguments (an output format).
fn calico_pods(lab: &Lab, more: &[&str]) -> String {
    let mut args = vec![
        "get",
        "pods",
        "-n",
        "kube-system",
        "-l",
        "k8s-app=calico-node",
    ];
    args.extend(more);
    lab.run("kubectl", &args).ok().stdout
}

/// calico-node's pods' Ready conditions, as `kubectl get -o jsonpath` prints them.
fn calico_ready(lab: &Lab) -> String {
    calico_pods(
        lab,
        &[
            "-o",
            "jsonpath={.items[*].status.conditions[?(@.type==\"Ready\")].status}",
        ],
    )
}

#[test]
fn hang_wait_calico_keeps_calico_node_unready_until_cleared() {
    let lab = Lab::new("v1.28.4", &["--fault", "hang:wait.calico"]);
    cluster_with_calico(&lab, "v1.28.4");
    assert_eq!(calico_ready(&lab), "False");
    let ds = lab
        .run(
            "kubectl",
            &[
                "get",
                "ds",
                "calico-node",
                "-n",
                "kube-system",
                "-o",
                "jsonpath={.status.numberReady}/{.status.desiredNumberScheduled}",
            ],
        )
        .ok()
        .stdout;
    assert_eq!(ds, "0/1");
    let pods = calico_pods(&lab, &[]);
    assert!(pods.contains("0/1") && pods.contains("Running"), "{pods}");
    lab.sim(&["--clear-fault", "hang:wait.calico"]).ok();
    assert_eq!(calico_ready(&lab), "True");
}

#[test]
fn slow_wait_calico_makes_calico_node_ready_later() {
    let lab = Lab::new("v1.28.4", &["--fault", "slow:wait.calico"]);
    cluster_with_calico(&lab, "v1.28.4");
    assert_eq!(calico_ready(&lab), "False");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while calico_ready(&lab) != "True" {
        assert!(std::time::Instant::now() < until, "still not ready");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}
