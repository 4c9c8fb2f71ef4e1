//! The kubeadm stand-in against kubeadm's documented behaviour per release: its lines and
//! streams, API versions, validation messages and exit codes, the files it writes, and
//! refusing a second init until reset.

mod sim_support;

use sim_support::*;

const GUIDE_POD: &str = "10.10.0.0/16,2019:20::/112";
const GUIDE_SVC: &str = "10.96.0.0/12,2019:30::/112";

fn init(lab: &Lab, cfg: &str) -> Run {
    let f = lab.file("kubeadm-config.yaml", cfg);
    lab.run("kubeadm", &["init", "--config", &f])
}

#[test]
fn version_short_and_json_per_release() {
    for v in [
        "v1.19.0", "v1.20.15", "v1.24.17", "v1.28.4", "v1.31.2", "v1.36.3", "v1.37.0",
    ] {
        let lab = Lab::new(v, &[]);
        assert_eq!(
            lab.run("kubeadm", &["version", "-o", "short"]).ok().stdout,
            format!("{v}\n")
        );
        let j: serde_json::Value =
            serde_json::from_str(&lab.run("kubeadm", &["version", "-o", "json"]).ok().stdout)
                .unwrap();
        assert_eq!(j["clientVersion"]["gitVersion"], v);
        assert_eq!(j["clientVersion"]["platform"], "linux/amd64");
    }
}

#[test]
fn a_fresh_host_fails_the_forwarding_and_bridge_checks_then_passes() {
    let lab = Lab::new("v1.19.0", &[]);
    let cfg = kubeadm_config(
        "v1beta2",
        GUIDE_POD,
        GUIDE_SVC,
        "111.111.111.121",
        "featureGates:\n  IPv6DualStack: true\n",
    );
    let r = init(&lab, &cfg);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("[preflight] Running pre-flight checks"));
    assert!(
        !r.stdout.contains("Pulling images"),
        "checks fail before the pull: {}",
        r.stdout
    );
    assert!(
        r.stderr.starts_with(
            "error execution phase preflight: [preflight] Some fatal errors occurred:\n"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("\t[ERROR FileContent--proc-sys-net-bridge-bridge-nf-call-iptables]: /proc/sys/net/bridge/bridge-nf-call-iptables does not exist\n"));
    assert!(r.stderr.contains("\t[ERROR FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not set to 1\n"));
    assert!(
        r.stderr
            .ends_with("To see the stack trace of this error execute with --v=5 or higher\n")
    );
    lab.prepare_host();
    let r = init(&lab, &cfg).ok();
    assert!(r.stdout.contains("[certs] apiserver serving cert is signed for DNS names [kubernetes kubernetes.default kubernetes.default.svc kubernetes.default.svc.cluster.local node01] and IPs [10.96.0.1 111.111.111.121 111.111.111.120]"), "{}", r.stdout);
    assert!(r.stdout.contains(
        "[kubelet] Creating a ConfigMap \"kubelet-config-1.19\" in namespace kube-system"
    ));
    assert!(r.stdout.contains("[mark-control-plane] Marking the node node01 as control-plane by adding the label \"node-role.kubernetes.io/master=''\""));
    assert!(
        r.stdout
            .contains("[bootstrap-token] Using token: abcdef.0123456789abcdef")
    );
    assert!(
        r.stdout
            .contains("[apiclient] All control plane components are healthy after")
    );
    assert!(
        r.stdout
            .contains("Your Kubernetes control-plane has initialized successfully!")
    );
    // 1.19's order: kubelet-start before control-plane (kubernetes/kubernetes#117984 moved it in 1.28).
    let pos = |s: &str| r.stdout.find(s).unwrap_or_else(|| panic!("{s}"));
    assert!(
        pos("[kubelet-start] Starting the kubelet") < pos("[control-plane] Using manifest folder")
    );
    assert!(
        pos("[control-plane] Creating static Pod manifest for \"kube-scheduler\"")
            < pos("[etcd] Creating static Pod manifest")
    );
}

/// sha256 of the DER SubjectPublicKeyInfo of a PEM certificate, as kubeadm pins it.
/// An IPv4-only config, so that the IPv6 forwarding check stays out of the way.
fn v4_config(api: &str) -> String {
    kubeadm_config(api, "10.244.0.0/16", "10.96.0.0/12", "111.111.111.121", "")
}

#[test]
fn a_failed_preflight_prints_the_block_then_the_error_from_134() {
    // kubernetes/kubernetes#132080 (v1.34.0-alpha.1): the [ERROR] block is printed on its
    // own, the error is "preflight checks failed", and every error has `error: ` in front.
    let lab = Lab::new("v1.35.3", &[]);
    let r = init(&lab, &v4_config("v1beta4"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "[preflight] Some fatal errors occurred:\n\
         \t[ERROR FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not set to 1\n\
         [preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\n\
         error: error execution phase preflight: preflight checks failed\n\
         To see the stack trace of this error execute with --v=5 or higher\n"
    );
    // The phase subcommand returns its error through the same handler.
    let f = lab.file("kubeadm-config.yaml", &v4_config("v1beta4"));
    let r = lab.run("kubeadm", &["init", "phase", "preflight", "--config", &f]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.ends_with(
            "`--ignore-preflight-errors=...`\nerror: error execution phase preflight: preflight checks failed\nTo see the stack trace of this error execute with --v=5 or higher\n"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_failed_preflight_is_inside_the_error_before_134() {
    let lab = Lab::new("v1.28.4", &[]);
    let r = init(&lab, &v4_config("v1beta3"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "error execution phase preflight: [preflight] Some fatal errors occurred:\n\
         \t[ERROR FileContent--proc-sys-net-bridge-bridge-nf-call-iptables]: /proc/sys/net/bridge/bridge-nf-call-iptables does not exist\n\
         \t[ERROR FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not set to 1\n\
         [preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`\n\
         To see the stack trace of this error execute with --v=5 or higher\n"
    );
}

#[test]
fn every_error_has_the_prefix_and_exits_1_from_134() {
    // Cobra's errors, config validation and reset's refusal all go through kubeadm's one
    // error handler; from 1.34 it exits 1 for all of them (validation had 3 before).
    let lab = Lab::new("v1.34.1", &[]);
    let r = lab.run("kubeadm", &["init", "--bogus"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "error: unknown flag: --bogus\nTo see the stack trace of this error execute with --v=5 or higher\n"
        )
    );
    let r = init(
        &lab,
        &kubeadm_config("v1beta4", GUIDE_POD, GUIDE_SVC, "111.111.111.121", ""),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: networking.podSubnet: Invalid value: \"10.10.0.0/16,2019:20::/112\": the size of pod subnet with mask 112 is smaller than the size of node subnet with mask 64\n"),
        "{}",
        r.stderr
    );
    let r = lab.run_stdin("kubeadm", &["reset"], "n\n");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.ends_with("error: error execution phase preflight: won't proceed; the user didn't answer (Y|y) in order to continue\nTo see the stack trace of this error execute with --v=5 or higher\n"),
        "{}",
        r.stderr
    );
}

fn pin_of(pem: &str) -> String {
    use sha2::Digest;
    use x509_cert::der::{DecodePem, Encode};
    let cert = x509_cert::Certificate::from_pem(pem.as_bytes()).unwrap();
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap();
    let d = sha2::Sha256::digest(&spki);
    format!(
        "sha256:{}",
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

#[test]
fn init_writes_a_real_ca_whose_pin_the_join_command_carries() {
    let lab = Lab::new("v1.28.4", &[]);
    lab.prepare_host();
    let cfg = kubeadm_config(
        "v1beta3",
        "10.244.0.0/16,fd00:10:244::/56",
        "10.96.0.0/16,fd00:10:96::/112",
        "111.111.111.121,2018::21",
        "",
    );
    let r = init(&lab, &cfg).ok();
    let ca = std::fs::read_to_string(lab.root("/etc/kubernetes/pki/ca.crt")).unwrap();
    let pin = pin_of(&ca);
    assert!(
        r.stdout
            .contains(&format!("--discovery-token-ca-cert-hash {pin} ")),
        "{}",
        r.stdout
    );
    let admin = std::fs::read_to_string(lab.root("/etc/kubernetes/admin.conf")).unwrap();
    assert!(admin.contains("server: https://111.111.111.120:6443"));
    for f in [
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "etcd",
    ] {
        assert!(
            lab.root(&format!("/etc/kubernetes/manifests/{f}.yaml"))
                .exists(),
            "{f}"
        );
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(lab.root("/etc/kubernetes/pki/ca.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // 1.28's order: etcd and control-plane before kubelet-start.
    let pos = |s: &str| r.stdout.find(s).unwrap_or_else(|| panic!("{s}"));
    assert!(
        pos("[etcd] Creating static Pod manifest") < pos("[kubelet-start] Starting the kubelet")
    );
    let join = lab
        .run("kubeadm", &["token", "create", "--print-join-command"])
        .ok();
    assert!(
        join.stdout
            .starts_with("kubeadm join 111.111.111.120:6443 --token ")
    );
    assert!(
        join.stdout
            .contains(&format!("--discovery-token-ca-cert-hash {pin}"))
    );
}

#[test]
fn a_second_init_is_refused_until_reset() {
    let lab = Lab::new("v1.24.17", &[]);
    lab.prepare_host();
    let cfg = kubeadm_config(
        "v1beta3",
        "10.244.0.0/16",
        "10.96.0.0/16",
        "111.111.111.121",
        "",
    );
    init(&lab, &cfg).ok();
    let r = init(&lab, &cfg);
    assert_eq!(r.code, 1);
    for e in [
        "[ERROR Port-6443]: Port 6443 is in use",
        "[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]: /etc/kubernetes/manifests/kube-apiserver.yaml already exists",
        "[ERROR DirAvailable--var-lib-etcd]: /var/lib/etcd is not empty",
    ] {
        assert!(r.stderr.contains(e), "{e}: {}", r.stderr);
    }
    let reset = lab.run("kubeadm", &["reset", "-f"]).ok();
    assert!(reset.stdout.contains("The reset process does not clean CNI configuration. To do so, you must remove /etc/cni/net.d"));
    assert!(
        !lab.root("/etc/kubernetes/manifests/kube-apiserver.yaml")
            .exists()
    );
    init(&lab, &cfg).ok();
}

#[test]
fn reset_without_force_asks_and_stops_on_no() {
    let lab = Lab::new("v1.24.17", &[]);
    let r = lab.run_stdin("kubeadm", &["reset"], "n\n");
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("[reset] Are you sure you want to proceed? [y/N]: ")
    );
    assert!(
        r.stderr
            .contains("won't proceed; the user didn't answer (Y|y) in order to continue")
    );
}

#[test]
fn api_versions_per_release() {
    let cases: &[(&str, &str, i32, &str)] = &[
        (
            "v1.19.0",
            "v1beta3",
            1,
            "no kind \"InitConfiguration\" is registered for version \"kubeadm.k8s.io/v1beta3\" in scheme \"k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/scheme/scheme.go:31\"",
        ),
        (
            "v1.24.17",
            "v1beta1",
            1,
            "your configuration file uses an old API spec: \"kubeadm.k8s.io/v1beta1\". Please use kubeadm v1.15 instead",
        ),
        (
            "v1.28.4",
            "v1beta2",
            1,
            "your configuration file uses an old API spec: \"kubeadm.k8s.io/v1beta2\". Please use kubeadm v1.22 instead",
        ),
        (
            "v1.28.4",
            "v1beta4",
            1,
            "experimental API spec: \"kubeadm.k8s.io/v1beta4\" (kind: \"InitConfiguration\") is not allowed. You can use the --allow-experimental-api flag if the command supports it.",
        ),
        (
            "v1.24.17",
            "v1beta4",
            1,
            "no kind \"InitConfiguration\" is registered for version \"kubeadm.k8s.io/v1beta4\"",
        ),
    ];
    for (v, api, code, msg) in cases {
        let lab = Lab::new(v, &[]);
        let r = init(
            &lab,
            &kubeadm_config(api, "10.244.0.0/16", "10.96.0.0/16", "111.111.111.121", ""),
        );
        assert_eq!(r.code, *code, "{v} {api}: {}", r.stderr);
        assert!(r.stderr.contains(msg), "{v} {api}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{v} {api}: nothing ran: {}", r.stdout);
    }
    // Deprecated but taken: a warning on stderr, and init goes on.
    for (v, api, msg) in [
        (
            "v1.24.17",
            "v1beta2",
            "your configuration file uses a deprecated API spec: \"kubeadm.k8s.io/v1beta2\". Please use 'kubeadm config migrate",
        ),
        (
            "v1.31.2",
            "v1beta3",
            "your configuration file uses a deprecated API spec: \"kubeadm.k8s.io/v1beta3\" (kind: \"InitConfiguration\")",
        ),
    ] {
        let lab = Lab::new(v, &[]);
        lab.prepare_host();
        let r = init(
            &lab,
            &kubeadm_config(api, "10.244.0.0/16", "10.96.0.0/16", "111.111.111.121", ""),
        )
        .ok();
        assert!(r.stderr.contains(msg), "{v}: {}", r.stderr);
        assert!(
            r.stderr
                .lines()
                .any(|l| l.starts_with('W') && l.contains("] your configuration file")),
            "klog header: {}",
            r.stderr
        );
    }
}

/// 1.37 removed v1beta3 (kubernetes/kubernetes#136016): kubeadm refuses it in 1.37's words
/// and runs nothing, takes v1beta4 without a word about the API, and keeps the placeholder
/// v1 behind --allow-experimental-api.
#[test]
fn kubeadm_137_refuses_v1beta3_and_takes_v1beta4() {
    let lab = Lab::new("v1.37.0", &[]);
    let r = init(
        &lab,
        &kubeadm_config(
            "v1beta3",
            "10.244.0.0/16",
            "10.96.0.0/16",
            "111.111.111.121",
            "",
        ),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    // A config-loading error like any other: `error: ` in front from 1.34 (kk#132080).
    assert_eq!(
        r.stderr,
        "error: your configuration file uses an old API spec: \"kubeadm.k8s.io/v1beta3\" (kind: \"InitConfiguration\"). Please use kubeadm v1.36 instead and run 'kubeadm config migrate --old-config old-config-file --new-config new-config-file', which will write the new, similar spec using a newer API version.\nTo see the stack trace of this error execute with --v=5 or higher\n"
    );
    assert!(r.stdout.is_empty(), "nothing ran: {}", r.stdout);
    // `kubeadm config validate` refuses it the same way.
    let f = lab.file(
        "v3.yaml",
        &kubeadm_config(
            "v1beta3",
            "10.244.0.0/16",
            "10.96.0.0/16",
            "111.111.111.121",
            "",
        ),
    );
    let r = lab.run("kubeadm", &["config", "validate", "--config", &f]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("uses an old API spec: \"kubeadm.k8s.io/v1beta3\""),
        "{}",
        r.stderr
    );

    let r = init(
        &lab,
        &kubeadm_config(
            "v1beta1",
            "10.244.0.0/16",
            "10.96.0.0/16",
            "111.111.111.121",
            "",
        ),
    );
    assert!(
        r.stderr.contains("\"kubeadm.k8s.io/v1beta1\" (kind: \"InitConfiguration\"). Please use kubeadm v1.15 instead"),
        "{}",
        r.stderr
    );
    let r = init(
        &lab,
        &kubeadm_config("v1", "10.244.0.0/16", "10.96.0.0/16", "111.111.111.121", ""),
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: experimental API spec: \"kubeadm.k8s.io/v1\" (kind: \"InitConfiguration\") is not allowed."),
        "{}",
        r.stderr
    );

    lab.prepare_host();
    let r = init(
        &lab,
        &kubeadm_config(
            "v1beta4",
            "10.244.0.0/16,fd00:10:244::/56",
            "10.96.0.0/16,fd00:10:96::/112",
            "111.111.111.121,2018::21",
            "",
        ),
    )
    .ok();
    assert!(!r.stderr.contains("API spec"), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("[init] Using Kubernetes version: v1.37.0"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Your Kubernetes control-plane has initialized successfully!"),
        "{}",
        r.stdout
    );
    let images = lab
        .run("kubeadm", &["config", "images", "list"])
        .ok()
        .stdout;
    for want in [
        "registry.k8s.io/kube-apiserver:v1.37.0\n",
        "registry.k8s.io/coredns/coredns:v1.14.6\n",
        "registry.k8s.io/etcd:3.7.0-0\n",
    ] {
        assert!(images.contains(want), "{want}: {images}");
    }
}

#[test]
fn unknown_fields_are_warnings_in_each_eras_words() {
    let extra = "networking2: {}\n";
    let lab = Lab::new("v1.20.15", &[]);
    lab.prepare_host();
    let r = init(
        &lab,
        &kubeadm_config(
            "v1beta2",
            "10.244.0.0/16",
            "10.96.0.0/16",
            "111.111.111.121",
            extra,
        ),
    )
    .ok();
    assert!(r.stderr.contains("strict.go:54] error unmarshaling configuration schema.GroupVersionKind{Group:\"kubeadm.k8s.io\", Version:\"v1beta2\", Kind:\"ClusterConfiguration\"}: error unmarshaling JSON: while decoding JSON: json: unknown field \"networking2\""), "{}", r.stderr);
    let lab = Lab::new("v1.31.2", &[]);
    lab.prepare_host();
    let r = init(
        &lab,
        &kubeadm_config(
            "v1beta4",
            "10.244.0.0/16",
            "10.96.0.0/16",
            "111.111.111.121",
            "apiServer:\n  timeoutForControlPlane: 4m0s\n",
        ),
    )
    .ok();
    assert!(r.stderr.contains("error unmarshaling configuration schema.GroupVersionKind{Group:\"kubeadm.k8s.io\", Version:\"v1beta4\", Kind:\"ClusterConfiguration\"}: strict decoding error: unknown field \"apiServer.timeoutForControlPlane\""), "{}", r.stderr);
}

#[test]
fn v1beta4_takes_lists_and_refuses_maps_for_extra_args() {
    let lab = Lab::new("v1.31.2", &[]);
    let cfg = kubeadm_config("v1beta4", "10.244.0.0/16", "10.96.0.0/16", "x", "").replace(
        "  - name: node-ip\n    value: \"x\"\n",
        "    node-ip: \"1.2.3.4\"\n",
    );
    let r = init(&lab, &cfg);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("cannot unmarshal object into Go struct field NodeRegistrationOptions.nodeRegistration.kubeletExtraArgs of type []v1beta4.Arg"), "{}", r.stderr);
}

#[test]
fn the_guides_pod_subnet_is_refused_from_120_without_a_node_mask() {
    let lab = Lab::new("v1.20.15", &[]);
    let gate = "featureGates:\n  IPv6DualStack: true\n";
    let r = init(
        &lab,
        &kubeadm_config("v1beta2", GUIDE_POD, GUIDE_SVC, "111.111.111.121", gate),
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "networking.podSubnet: Invalid value: \"10.10.0.0/16,2019:20::/112\": the size of pod subnet with mask 112 is smaller than the size of node subnet with mask 64\nTo see the stack trace of this error execute with --v=5 or higher\n"
    );
    // 1.19 computes the mask itself and takes it.
    let lab = Lab::new("v1.19.0", &[]);
    lab.prepare_host();
    init(
        &lab,
        &kubeadm_config("v1beta2", GUIDE_POD, GUIDE_SVC, "111.111.111.121", gate),
    )
    .ok();
}

#[test]
fn the_dual_stack_gate_is_refused_from_124() {
    let lab = Lab::new("v1.24.17", &[]);
    let r = init(
        &lab,
        &kubeadm_config(
            "v1beta3",
            "10.244.0.0/16",
            "10.96.0.0/16",
            "111.111.111.121",
            "featureGates:\n  IPv6DualStack: true\n",
        ),
    );
    assert_eq!(r.code, 3);
    assert!(r.stderr.starts_with("featureGates: Invalid value: map[string]bool{\"IPv6DualStack\":true}: IPv6DualStack is not a valid feature name.\n"), "{}", r.stderr);
}

#[test]
fn config_validate_exists_from_128() {
    let lab = Lab::new("v1.27.8", &[]);
    let f = lab.file(
        "c.yaml",
        &kubeadm_config(
            "v1beta3",
            "10.244.0.0/16",
            "10.96.0.0/16",
            "111.111.111.121",
            "",
        ),
    );
    let r = lab.run("kubeadm", &["config", "validate", "--config", &f]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.starts_with("unknown flag: --config\n"));
    let lab = Lab::new("v1.28.4", &[]);
    let f = lab.file(
        "c.yaml",
        &kubeadm_config(
            "v1beta3",
            "10.244.0.0/16",
            "10.96.0.0/16",
            "111.111.111.121",
            "",
        ),
    );
    assert_eq!(
        lab.run("kubeadm", &["config", "validate", "--config", &f])
            .ok()
            .stdout,
        "ok\n"
    );
    let bad = lab.file(
        "bad.yaml",
        &kubeadm_config(
            "v1beta3",
            "10.244.0.0/16",
            "10.96.0.0/16",
            "111.111.111.121",
            "foo: 1\n",
        ),
    );
    let r = lab.run("kubeadm", &["config", "validate", "--config", &bad]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("strict decoding error: unknown field \"foo\""),
        "{}",
        r.stderr
    );
}

#[test]
fn config_images_list_per_release() {
    let lab = Lab::new("v1.19.0", &[]);
    let r = lab.run("kubeadm", &["config", "images", "list"]).ok();
    assert_eq!(
        r.stdout.lines().next(),
        Some("k8s.gcr.io/kube-apiserver:v1.19.0")
    );
    assert!(r.stdout.contains("k8s.gcr.io/coredns:1.7.0\n"));
    let lab = Lab::new("v1.31.2", &[]);
    let r = lab.run("kubeadm", &["config", "images", "list"]).ok();
    assert!(
        r.stdout
            .contains("registry.k8s.io/coredns/coredns:v1.11.3\n")
    );
    assert!(r.stdout.contains("registry.k8s.io/pause:3.10\n"));
}

#[test]
fn health_check_lines_per_release() {
    for (v, api, want) in [
        (
            "v1.24.17",
            "v1beta3",
            "[apiclient] All control plane components are healthy after",
        ),
        (
            "v1.31.2",
            "v1beta4",
            "[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 4m0s",
        ),
        (
            "v1.31.2",
            "v1beta4",
            "[api-check] The API server is healthy after",
        ),
        (
            "v1.36.3",
            "v1beta4",
            "[control-plane-check] Checking kube-apiserver at https://111.111.111.121:6443/livez",
        ),
        (
            "v1.36.3",
            "v1beta4",
            "[kubeconfig] Writing \"super-admin.conf\" kubeconfig file",
        ),
    ] {
        let lab = Lab::new(v, &[]);
        lab.prepare_host();
        let r = init(
            &lab,
            &kubeadm_config(api, "10.244.0.0/16", "10.96.0.0/16", "111.111.111.121", ""),
        )
        .ok();
        assert!(r.stdout.contains(want), "{v}: {want}\n{}", r.stdout);
    }
}

#[test]
fn unknown_flags_and_commands_fail_as_cobra_does() {
    let lab = Lab::new("v1.28.4", &[]);
    let r = lab.run("kubeadm", &["init", "--bogus"]);
    assert_eq!(
        (r.code, r.stderr.lines().next()),
        (1, Some("unknown flag: --bogus"))
    );
    let r = lab.run("kubeadm", &["frobnicate"]);
    assert_eq!(
        (r.code, r.stderr.lines().next()),
        (1, Some("unknown command \"frobnicate\" for \"kubeadm\""))
    );
    let f = lab.file(
        "c.yaml",
        "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n",
    );
    let r = lab.run(
        "kubeadm",
        &["init", "--config", &f, "--pod-network-cidr", "10.0.0.0/16"],
    );
    assert_eq!(
        r.stderr.lines().next(),
        Some("can not mix '--config' with arguments [pod-network-cidr]")
    );
}

#[test]
fn a_119_kubelet_left_on_cgroupfs_never_gets_healthy() {
    // Before 1.21 kubeadm leaves the kubelet's cgroupDriver at the kubelet's default,
    // cgroupfs; the lab's runtime uses systemd, so the kubelet exits and init times out.
    let lab = Lab::new("v1.19.0", &[]);
    lab.prepare_host();
    let cfg = kubeadm_config(
        "v1beta2",
        "10.244.0.0/16",
        "10.96.0.0/12",
        "111.111.111.121",
        "",
    )
    .replace("cgroupDriver: systemd\n", "");
    let r = init(&lab, &cfg);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("[kubelet-check] Initial timeout of 40s passed.")
    );
    assert!(
        r.stdout
            .contains("[kubelet-check] It seems like the kubelet isn't running or healthy.")
    );
    assert!(r.stdout.contains("\t\t- 'journalctl -xeu kubelet'"));
    assert!(
        r.stdout
            .contains("\t\t- 'docker ps -a | grep kube | grep -v pause'")
    );
    assert!(
        r.stderr.starts_with(
            "error execution phase wait-control-plane: couldn't initialize a Kubernetes cluster\n"
        ),
        "{}",
        r.stderr
    );
}
