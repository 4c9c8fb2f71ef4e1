//! Answers → rendered files, as golden snapshots, plus the facts each version must show.

mod common;
mod render_support;

use dsinstall::render::{self, Templates};
use render_support::*;

/// A snapshot name from a file name: `join-node02.yaml` → `join_node02_yaml`.
fn snap_name(prefix: &str, file: &str) -> String {
    format!("{prefix}__{}", file.replace(['.', '-'], "_"))
}

/// The patched Calico manifest as a diff against the upstream one: what dsinstall changed is
/// what a reviewer needs to see, not 180 kB of upstream YAML.
fn calico_diff(upstream: &str, patched: &str) -> String {
    similar::TextDiff::from_lines(upstream, patched)
        .unified_diff()
        .context_radius(2)
        .header("upstream", "patched")
        .to_string()
}

fn snapshot_fixture(name: &str, prefix: &str) {
    let a = fixture(name);
    let files = render_answers(&a);
    for f in &files {
        let contents = if f.name == render::CALICO_MANIFEST || f.name == render::TIGERA_OPERATOR {
            let upstream = std::fs::read_to_string(a.calico.manifest.as_deref().unwrap()).unwrap();
            calico_diff(&upstream, &f.contents)
        } else {
            f.contents.clone()
        };
        insta::assert_snapshot!(snap_name(prefix, &f.name), contents);
    }
}

#[test]
fn seed_fixture_files() {
    snapshot_fixture("seed-v1.19.yaml", "seed_v1_19");
}

#[test]
fn modern_fixture_files() {
    snapshot_fixture("modern-v1.31-ipv6-primary.yaml", "modern_v1_31");
}

/// The minors the matrix renders: every era boundary of the version table and the newest.
fn matrix_minors() -> Vec<u32> {
    let mut m = vec![19, 20, 21, 22, 23, 24, 25, 27, 29, 31];
    m.push(newest_minor());
    m
}

#[test]
fn version_matrix() {
    for minor in matrix_minors() {
        let files = render_answers(&seed_at(minor));
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "kubeadm-config.yaml",
                "sysctl-kubernetes.conf",
                "calico.yaml",
                "join-node02.yaml",
                "join-node03.yaml",
                "verify-workload.yaml",
                "modules-kubernetes.conf",
                "plan.txt",
                "images.txt"
            ],
            "v1.{minor}"
        );
        // The Calico patch and the sysctl file do not depend on the Kubernetes version;
        // the seed snapshots hold them.
        for f in [
            "kubeadm-config.yaml",
            "join-node02.yaml",
            "verify-workload.yaml",
        ] {
            insta::assert_snapshot!(snap_name(&format!("v1_{minor}"), f), file(&files, f));
        }
    }
}

#[test]
fn every_rendered_yaml_document_parses_back() {
    let mut answers: Vec<_> = matrix_minors().into_iter().map(seed_at).collect();
    answers.push(fixture("modern-v1.31-ipv6-primary.yaml"));
    for a in answers {
        for f in render_answers(&a) {
            if f.name.ends_with(".yaml") {
                let docs = docs(&f.contents);
                assert!(!docs.is_empty(), "{} has no document", f.name);
                for d in docs {
                    assert!(
                        d["apiVersion"].is_string() && d["kind"].is_string(),
                        "{}: a document without apiVersion/kind",
                        f.name
                    );
                }
            }
        }
    }
}

#[test]
fn v1_19_uses_v1beta2_and_the_gate_on_every_component() {
    let files = render_answers(&seed_at(19));
    let k = file(&files, "kubeadm-config.yaml");
    for d in docs(k) {
        let api = d["apiVersion"].as_str().unwrap();
        assert!(!api.starts_with("kubeadm.k8s.io/") || api == "kubeadm.k8s.io/v1beta2");
    }
    let cluster = doc(k, "ClusterConfiguration");
    assert_eq!(cluster["featureGates"]["IPv6DualStack"], true);
    for component in ["apiServer", "controllerManager", "scheduler"] {
        assert_eq!(
            arg(&cluster[component]["extraArgs"], "feature-gates").as_deref(),
            Some("IPv6DualStack=true"),
            "{component}"
        );
    }
    assert_eq!(
        doc(k, "KubeletConfiguration")["featureGates"]["IPv6DualStack"],
        true
    );
    let proxy = doc(k, "KubeProxyConfiguration");
    assert_eq!(proxy["featureGates"]["IPv6DualStack"], true);
    assert_eq!(proxy["mode"], "iptables");
    assert_eq!(proxy["clusterCIDR"], "10.10.0.0/16,2019:20::/112");
    let init = doc(k, "InitConfiguration");
    // 1.19's kubelet takes one --node-ip.
    assert_eq!(
        arg(&init["nodeRegistration"]["kubeletExtraArgs"], "node-ip").as_deref(),
        Some("111.111.111.121")
    );
    assert_eq!(
        init["nodeRegistration"]["criSocket"],
        "/var/run/dockershim.sock"
    );
    assert_eq!(
        init["nodeRegistration"]["taints"][0]["key"],
        "node-role.kubernetes.io/master"
    );
    assert_eq!(
        cluster["networking"]["podSubnet"],
        "10.10.0.0/16,2019:20::/112"
    );
    assert_eq!(
        cluster["networking"]["serviceSubnet"],
        "10.96.0.0/12,2019:30::/112"
    );
    assert_eq!(cluster["controlPlaneEndpoint"], "111.111.111.120:6443");
    assert_eq!(cluster["imageRepository"], "k8s.gcr.io");
    assert_eq!(doc(k, "KubeletConfiguration")["cgroupDriver"], "systemd");
    let join = doc(file(&files, "join-node02.yaml"), "JoinConfiguration");
    assert_eq!(join["apiVersion"], "kubeadm.k8s.io/v1beta2");
    assert_eq!(
        arg(&join["nodeRegistration"]["kubeletExtraArgs"], "node-ip").as_deref(),
        Some("111.111.111.122")
    );
    // One Service per family, the alpha ipFamily field, no ipFamilies.
    let services: Vec<_> = docs(file(&files, "verify-workload.yaml"))
        .into_iter()
        .filter(|d| d["kind"] == "Service")
        .collect();
    let fams: Vec<_> = services
        .iter()
        .map(|s| s["spec"]["ipFamily"].clone())
        .collect();
    assert_eq!(fams, ["IPv4", "IPv6"]);
    assert!(services.iter().all(|s| s["spec"]["ipFamilies"].is_null()));
    let v6 = &services[1];
    assert_eq!(v6["spec"]["type"], "NodePort");
    assert_eq!(v6["spec"]["ports"][0]["nodePort"], 31111);
}

#[test]
fn v1_31_uses_v1beta4_containerd_and_a_node_ip_pair_without_the_gate() {
    let files = render_answers(&seed_at(31));
    for f in &files {
        if f.name != "plan.txt" && f.name != "calico.yaml" {
            assert!(
                !f.contents.contains("IPv6DualStack"),
                "{} names the removed gate",
                f.name
            );
        }
    }
    let k = file(&files, "kubeadm-config.yaml");
    let init = doc(k, "InitConfiguration");
    assert_eq!(init["apiVersion"], "kubeadm.k8s.io/v1beta4");
    assert_eq!(
        doc(k, "ClusterConfiguration")["apiVersion"],
        "kubeadm.k8s.io/v1beta4"
    );
    assert_eq!(
        init["nodeRegistration"]["criSocket"],
        "unix:///var/run/containerd/containerd.sock"
    );
    // v1beta4: kubeletExtraArgs is a list of {name, value}.
    assert!(init["nodeRegistration"]["kubeletExtraArgs"].is_sequence());
    assert_eq!(
        arg(&init["nodeRegistration"]["kubeletExtraArgs"], "node-ip").as_deref(),
        Some("111.111.111.121,2018::21")
    );
    assert_eq!(
        init["nodeRegistration"]["taints"][0]["key"],
        "node-role.kubernetes.io/control-plane"
    );
    for (node, ip) in [
        ("node02", "111.111.111.122,2018::22"),
        ("node03", "111.111.111.123,2018::23"),
    ] {
        let join = doc(
            file(&files, &format!("join-{node}.yaml")),
            "JoinConfiguration",
        );
        assert_eq!(join["apiVersion"], "kubeadm.k8s.io/v1beta4");
        assert_eq!(
            arg(&join["nodeRegistration"]["kubeletExtraArgs"], "node-ip").as_deref(),
            Some(ip)
        );
        assert_eq!(
            join["discovery"]["bootstrapToken"]["apiServerEndpoint"],
            "111.111.111.120:6443"
        );
        assert_eq!(join["discovery"]["bootstrapToken"]["token"], FIXED_TOKEN);
        assert!(
            join["controlPlane"].is_null(),
            "workers get no controlPlane"
        );
    }
    let svc = docs(file(&files, "verify-workload.yaml"))
        .into_iter()
        .find(|d| d["kind"] == "Service" && d["metadata"]["name"] == "dsinstall-web")
        .expect("the dual-stack Service");
    assert_eq!(svc["spec"]["ipFamilyPolicy"], "RequireDualStack");
    assert_eq!(
        svc["spec"]["ipFamilies"],
        serde_yaml::from_str::<serde_yaml::Value>("[IPv4, IPv6]").unwrap()
    );
    assert!(svc["spec"]["ipFamily"].is_null());
}

#[test]
fn gates_follow_the_table_per_minor() {
    for minor in matrix_minors() {
        let k = file(&render_answers(&seed_at(minor)), "kubeadm-config.yaml").to_string();
        let cluster = doc(&k, "ClusterConfiguration");
        let kubeadm_gate = !cluster["featureGates"]["IPv6DualStack"].is_null();
        let kubelet_gate =
            !doc(&k, "KubeletConfiguration")["featureGates"]["IPv6DualStack"].is_null();
        let apiserver_gate = arg(&cluster["apiServer"]["extraArgs"], "feature-gates").is_some();
        // Only where dual-stack needs it (alpha, 1.19–1.20): from 1.21 it is on by default,
        // and a gate stored in the ConfigMaps would stop the 1.25 components after an
        // upgrade ("unrecognized feature gate: IPv6DualStack").
        assert_eq!(kubeadm_gate, minor < 21, "kubeadm gate on v1.{minor}");
        assert_eq!(kubelet_gate, minor < 21, "kubelet gate on v1.{minor}");
        assert_eq!(apiserver_gate, minor < 21, "apiserver gate on v1.{minor}");
        let proxy_gate =
            !doc(&k, "KubeProxyConfiguration")["featureGates"]["IPv6DualStack"].is_null();
        assert_eq!(proxy_gate, minor < 21, "kube-proxy gate on v1.{minor}");
        let init = doc(&k, "InitConfiguration");
        let want_api = match minor {
            19..=21 => "kubeadm.k8s.io/v1beta2",
            22..=30 => "kubeadm.k8s.io/v1beta3",
            _ => "kubeadm.k8s.io/v1beta4",
        };
        assert_eq!(init["apiVersion"], want_api, "v1.{minor}");
        let ips = arg(&init["nodeRegistration"]["kubeletExtraArgs"], "node-ip").unwrap();
        assert_eq!(
            ips.split(',').count(),
            if minor >= 20 { 2 } else { 1 },
            "v1.{minor}"
        );
    }
}

#[test]
fn node_masks_from_the_answers_reach_the_controller_manager() {
    let mut a = seed_at(31);
    a.networking.node_mask_sizes = Some(dsinstall::answers::NodeMaskSizes {
        ipv4: Some(25),
        ipv6: Some(120),
    });
    let k = file(&render_answers(&a), "kubeadm-config.yaml").to_string();
    let cm = &doc(&k, "ClusterConfiguration")["controllerManager"]["extraArgs"];
    assert_eq!(arg(cm, "node-cidr-mask-size-ipv4").as_deref(), Some("25"));
    assert_eq!(arg(cm, "node-cidr-mask-size-ipv6").as_deref(), Some("120"));
    // Without them kube-controller-manager's defaults apply and no flag is written.
    let k = file(
        &render_answers(&fixture("modern-v1.31-ipv6-primary.yaml")),
        "kubeadm-config.yaml",
    )
    .to_string();
    assert!(doc(&k, "ClusterConfiguration")["controllerManager"]["extraArgs"].is_null());
}

#[test]
fn values_with_yaml_syntax_stay_values() {
    // The plan refuses such values; the renderer quotes them anyway, so a template cannot be
    // broken by a plan that some other front end builds.
    let a = fixture("modern-v1.31-ipv6-primary.yaml");
    let (mut plan, plan_text) = plan_of(&a);
    let repo = "registry.local:5000/k8s#mirror";
    plan.image_repository = repo.into();
    plan.cluster_name = "lab: #1 'x' \"y\"".into();
    plan.verify.server_image = "registry.local:5000/web:1.27#a".into();
    let files = render::render(
        &plan,
        &Templates::embedded(),
        &render::RenderInputs {
            bootstrap_token: FIXED_TOKEN.into(),
            certificate_key: CERTIFICATE_KEY.into(),
            calico_manifest: None,
            calico_manifest_source: None,
            operator_crds: None,
            operator_crds_source: None,
            plan_text,
        },
    )
    .expect("renders");
    let k = file(&files, "kubeadm-config.yaml");
    let cluster = doc(k, "ClusterConfiguration");
    assert_eq!(cluster["imageRepository"], repo);
    assert_eq!(cluster["clusterName"], "lab: #1 'x' \"y\"");
    assert_eq!(cluster["controlPlaneEndpoint"], "[2018::20]:6443");
    let dep = doc(file(&files, "verify-workload.yaml"), "Deployment");
    assert_eq!(
        dep["spec"]["template"]["spec"]["containers"][0]["image"],
        "registry.local:5000/web:1.27#a"
    );
}

#[test]
fn the_token_comes_from_the_inputs_and_must_be_kubeadm_shaped() {
    let a = seed_at(31);
    let files = render_answers(&a);
    let init = doc(file(&files, "kubeadm-config.yaml"), "InitConfiguration");
    assert_eq!(init["bootstrapTokens"][0]["token"], FIXED_TOKEN);
    for bad in [
        "abcdef.0123456789abcdef",
        "ABCDEF.0123456789abcdef",
        "short.x",
        "",
    ] {
        let e = render_with(&a, &Templates::embedded(), bad).unwrap_err();
        assert_eq!(e.file, "kubeadm-config.yaml", "{bad}");
    }
    let fresh = render::new_bootstrap_token();
    let files = render_with(&a, &Templates::embedded(), &fresh).unwrap();
    assert!(file(&files, "kubeadm-config.yaml").contains(&fresh));
    assert!(render::is_bootstrap_token(&fresh));
    assert_ne!(fresh, render::new_bootstrap_token());
}

#[test]
fn joins_pin_the_ca_only_through_the_placeholder() {
    let files = render_answers(&seed_at(31));
    let j = file(&files, "join-node02.yaml");
    let d = doc(j, "JoinConfiguration");
    assert!(d["discovery"]["bootstrapToken"]["unsafeSkipCAVerification"].is_null());
    assert_eq!(
        d["discovery"]["bootstrapToken"]["caCertHashes"][0],
        render::CA_CERT_HASH_PLACEHOLDER
    );
    let hash = format!("sha256:{}", "ab".repeat(32));
    let pinned = render::pin_ca_cert_hash(j, &hash).unwrap();
    assert_eq!(
        doc(&pinned, "JoinConfiguration")["discovery"]["bootstrapToken"]["caCertHashes"][0],
        hash.as_str()
    );
    assert!(render::pin_ca_cert_hash(j, "sha256:abc").is_err());
    assert!(render::pin_ca_cert_hash(&pinned, &hash).is_err());
}

#[test]
fn control_plane_joins_get_their_own_api_endpoint() {
    let mut a = seed_at(29);
    a.nodes[1].role = dsinstall::answers::NodeRole::ControlPlane;
    let files = render_answers(&a);
    let d = doc(file(&files, "join-node03.yaml"), "JoinConfiguration");
    assert_eq!(
        d["controlPlane"]["localAPIEndpoint"]["advertiseAddress"],
        "111.111.111.123"
    );
    assert_eq!(d["controlPlane"]["localAPIEndpoint"]["bindPort"], 6443);
    // The certificates travel encrypted with one key, the same in init and in the join.
    assert_eq!(d["controlPlane"]["certificateKey"], CERTIFICATE_KEY);
    let kubeadm = file(&files, "kubeadm-config.yaml");
    assert_eq!(
        doc(kubeadm, "InitConfiguration")["certificateKey"],
        CERTIFICATE_KEY
    );
    assert!(kubeadm.lines().next().unwrap().ends_with("--upload-certs"));
}

#[test]
fn without_control_plane_joins_there_is_no_certificate_key() {
    for minor in [19, 29, 31] {
        let files = render_answers(&seed_at(minor));
        let kubeadm = file(&files, "kubeadm-config.yaml");
        assert!(
            doc(kubeadm, "InitConfiguration")
                .get("certificateKey")
                .is_none()
        );
        assert!(!kubeadm.contains("--upload-certs") && !kubeadm.contains(CERTIFICATE_KEY));
    }
}

#[test]
fn a_malformed_certificate_key_is_refused() {
    let a = seed_at(29);
    let checked = dsinstall::plan::check(&a);
    let plan = checked.plan.unwrap();
    for bad in ["", "xyz", &"A".repeat(64), &"0".repeat(63)] {
        let inputs = dsinstall::render::RenderInputs {
            bootstrap_token: "abcdef.0123456789abcdez".into(),
            certificate_key: bad.to_string(),
            calico_manifest: None,
            calico_manifest_source: None,
            operator_crds: None,
            operator_crds_source: None,
            plan_text: "plan".into(),
        };
        let e =
            dsinstall::render::render(&plan, &dsinstall::render::Templates::embedded(), &inputs)
                .unwrap_err();
        assert!(e.message.contains("certificate key"), "{bad:?}: {e}");
    }
    let fresh = dsinstall::render::new_certificate_key();
    assert!(dsinstall::render::is_certificate_key(&fresh));
    assert_ne!(fresh, dsinstall::render::new_certificate_key());
}

#[test]
fn sysctl_file_has_comments_on_their_own_lines() {
    let files = render_answers(&seed_at(19));
    let s = file(&files, "sysctl-kubernetes.conf");
    for line in s.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').expect("key=value");
        assert!(!value.contains('#') && !key.contains(' '), "{line}");
    }
    for want in [
        "net.ipv6.conf.all.disable_ipv6=0",
        "net.ipv6.conf.all.forwarding=1",
        "net.ipv6.conf.default.forwarding=1",
        "net.ipv4.ip_forward=1",
        "net.bridge.bridge-nf-call-ip6tables=1",
    ] {
        assert!(s.lines().any(|l| l == want), "{want}");
    }
    // A single-stack IPv4 cluster turns IPv6 off, as the seed's template does.
    let mut a = seed_at(31);
    a.networking.pod_subnets.truncate(1);
    a.networking.service_subnets.truncate(1);
    let s = file(&render_answers(&a), "sysctl-kubernetes.conf").to_string();
    assert!(s.lines().any(|l| l == "net.ipv6.conf.all.disable_ipv6=1"));
    assert!(!s.contains("forwarding"));
}

#[test]
fn plan_txt_is_the_plan_report() {
    let a = seed_at(19);
    let (_, text) = plan_of(&a);
    assert_eq!(file(&render_answers(&a), "plan.txt"), text);
}

#[test]
fn nftables_gets_its_gate_only_while_alpha() {
    for (minor, gated) in [(29, true), (30, true), (31, false), (33, false)] {
        let mut a = seed_at(minor);
        a.kubernetes.proxy_mode = Some(dsinstall::answers::ProxyMode::Nftables);
        let k = file(&render_answers(&a), "kubeadm-config.yaml").to_string();
        let proxy = doc(&k, "KubeProxyConfiguration");
        assert_eq!(proxy["mode"], "nftables");
        assert_eq!(
            !proxy["featureGates"]["NFTablesProxyMode"].is_null(),
            gated,
            "v1.{minor}"
        );
    }
}

#[test]
fn joins_without_an_endpoint_discover_the_advertise_address() {
    let mut a = fixture("modern-v1.31-ipv6-primary.yaml");
    a.kubernetes.control_plane_endpoint = None;
    a.nodes.push(dsinstall::answers::OtherNode {
        name: "node02".into(),
        ipv4: Some("111.111.111.122".into()),
        ipv6: Some("2018::22".into()),
        role: dsinstall::answers::NodeRole::Worker,
        ssh: None,
    });
    let files = render_answers(&a);
    let j = doc(file(&files, "join-node02.yaml"), "JoinConfiguration");
    assert_eq!(
        j["discovery"]["bootstrapToken"]["apiServerEndpoint"],
        "[2018::21]:6443"
    );
    // IPv6 primary: the IPv6 address first in the pair.
    assert_eq!(
        arg(&j["nodeRegistration"]["kubeletExtraArgs"], "node-ip").as_deref(),
        Some("2018::22,111.111.111.122")
    );
    let cluster = doc(file(&files, "kubeadm-config.yaml"), "ClusterConfiguration");
    assert!(cluster["controlPlaneEndpoint"].is_null());
}

#[test]
fn the_api_certificate_names_both_families_of_every_control_plane_node_and_the_endpoint() {
    let mut a = seed_at(31);
    a.kubernetes.control_plane_endpoint = Some("api.lab.example:6443".into());
    a.nodes[0].role = dsinstall::answers::NodeRole::ControlPlane;
    let k = file(&render_answers(&a), "kubeadm-config.yaml").to_string();
    let sans = &doc(&k, "ClusterConfiguration")["apiServer"]["certSANs"];
    let sans: Vec<&str> = sans
        .as_sequence()
        .expect("certSANs")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        sans,
        [
            "111.111.111.121",
            "2018::21",
            "111.111.111.122",
            "2018::22",
            "api.lab.example"
        ]
    );
    // 1.19 takes one --node-ip, yet the certificate still covers both addresses.
    let k = file(&render_answers(&seed_at(19)), "kubeadm-config.yaml").to_string();
    let sans = &doc(&k, "ClusterConfiguration")["apiServer"]["certSANs"];
    assert_eq!(sans.as_sequence().unwrap().len(), 3, "{sans:?}");
    assert_eq!(sans[1], "2018::21");
}

#[test]
fn modules_load_at_boot_and_ipvs_adds_its_own() {
    let s = file(&render_answers(&seed_at(31)), "modules-kubernetes.conf").to_string();
    let names = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(names(&s), ["br_netfilter", "overlay"]);
    let mut a = seed_at(31);
    a.kubernetes.proxy_mode = Some(dsinstall::answers::ProxyMode::Ipvs);
    let s = file(&render_answers(&a), "modules-kubernetes.conf").to_string();
    assert_eq!(
        names(&s),
        [
            "br_netfilter",
            "overlay",
            "ip_vs",
            "ip_vs_rr",
            "ip_vs_wrr",
            "ip_vs_sh",
            "nf_conntrack"
        ]
    );
}
