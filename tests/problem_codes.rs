//! Every problem `plan::check` produces carries a stable code from `plan::problem::CODES`,
//! and both wizard languages have its text (`problem.<code>`, `hint.<code>`) with no `{N}`
//! beyond the values the check passes. The English texts must give back the CLI's message
//! exactly, so the wizard in English reads the same as `dsinstall render`.

mod common;

use common::modern;
use dsinstall::answers::{
    AddressFamily, Answers, Encapsulation, NodeMaskSizes, NodeRole, ProxyMode,
};
use dsinstall::plan::{self, Problem, problem::CODES};
use dsinstall::tui::i18n::{Lang, Texts};
use std::collections::BTreeSet;

/// The seed's own lab (v1.19, Calico v3.15).
fn seed() -> Answers {
    Answers::seed()
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn masks(a: &mut Answers, v4: Option<u8>, v6: Option<u8>) {
    a.networking.node_mask_sizes = Some(NodeMaskSizes { ipv4: v4, ipv6: v6 });
}

fn single_v4(a: &mut Answers) {
    a.networking.pod_subnets = s(&["10.244.0.0/16"]);
    a.networking.service_subnets = s(&["10.96.0.0/16"]);
}

type Mutation = fn(&mut Answers);

/// One answers file per rule, enough to make every code fire at least once.
fn variants() -> Vec<(fn() -> Answers, Mutation)> {
    vec![
        (seed, |_| {}),
        (modern, |_| {}),
        (modern, |a| {
            a.kubernetes.version = "v1.37.0".into();
            a.calico.version = "v3.32.1".into();
        }),
        (modern, |a| {
            a.calico.version = "v3.32.1".into();
            a.calico.install = dsinstall::answers::CalicoInstall::Operator;
            a.calico.manifest = None;
        }),
        (modern, |a| a.kubernetes.version = "banana".into()),
        (modern, |a| a.kubernetes.version = "v1.5.0".into()),
        (modern, |a| a.calico.version = "x".into()),
        (modern, |a| a.calico.version = "v3.5.0".into()),
        (modern, |a| {
            a.networking.service_subnets = s(&["fd00:10:96::/112", "10.96.0.0/16"])
        }),
        (modern, |a| {
            a.networking.service_subnets = s(&["10.0.0.0/8", "fd00:10:96::/112"])
        }),
        (modern, |a| a.node.ipv6 = None),
        (modern, single_v4),
        (modern, |a| a.node.ipv6_interface = None),
        (modern, |a| {
            a.node.api_advertise = Some(AddressFamily::Ipv6);
            a.node.ipv6 = None;
        }),
        (modern, |a| a.node.api_advertise = Some(AddressFamily::Ipv6)),
        (modern, |a| {
            a.kubernetes.control_plane_endpoint = Some("bad host!".into())
        }),
        (modern, |a| {
            a.kubernetes.control_plane_endpoint = Some("1.2.3.4:99999".into())
        }),
        (modern, |a| {
            a.kubernetes.image_repository = Some("a b".into())
        }),
        (modern, |a| {
            a.kubernetes.image_repository = Some("k8s.gcr.io".into())
        }),
        (modern, |a| {
            a.networking.pod_subnets = s(&["111.111.0.0/16", "fd00:10:244::/56"])
        }),
        (modern, |a| a.networking.pod_subnets = s(&[])),
        (modern, |a| {
            a.networking.pod_subnets = s(&["10.1.0.0/16", "10.2.0.0/16", "fd00::/56"])
        }),
        (modern, |a| {
            a.networking.service_subnets = s(&["10.96.0.0/29", "fd00:10:96::/112"])
        }),
        (modern, |a| {
            a.networking.pod_subnets = s(&["10.244.0.0/16", "fec0::/56"])
        }),
        (modern, |a| {
            a.networking.pod_subnets = s(&["0.0.0.0/0", "fd00:10:244::/56"])
        }),
        (modern, |a| {
            a.networking.pod_subnets = s(&["x/16", "fd00:10:244::/56"])
        }),
        (modern, |a| {
            a.networking.pod_subnets = s(&["10.244.0.0/16", "10.245.0.0/16"])
        }),
        (modern, |a| {
            a.networking.service_subnets = s(&["10.244.0.0/16", "fd00:10:96::/112"])
        }),
        (modern, |a| {
            a.networking.pod_subnets = s(&["10.244.0.1/16", "fd00:10:244::/56"])
        }),
        (modern, |a| {
            a.networking.pod_subnets = s(&["10.244.0.0", "fd00:10:244::/56"])
        }),
        (modern, |a| masks(a, Some(40), None)),
        (modern, |a| masks(a, Some(8), None)),
        (modern, |a| {
            a.networking.pod_subnets = s(&["10.244.0.0/25", "fd00:10:244::/56"])
        }),
        (modern, |a| {
            a.networking.pod_subnets = s(&["10.0.0.0/8", "fd00:10:244::/56"]);
            masks(a, Some(30), None);
        }),
        (modern, |a| masks(a, Some(31), None)),
        // 1.19: the controller-manager's words; 1.20: kubeadm's first wording.
        (seed, |a| {
            a.networking.pod_subnets = s(&["10.10.0.0/25", "2019:20::/112"]);
            masks(a, Some(24), None);
        }),
        (seed, |a| {
            a.networking.pod_subnets = s(&["10.10.0.0/25", "2019:20::/112"])
        }),
        (seed, |a| {
            a.networking.pod_subnets = s(&["10.10.0.0/16", "2019:20::/64"]);
            masks(a, None, Some(120));
        }),
        (seed, |a| {
            a.kubernetes.version = "v1.20.15".into();
            a.networking.pod_subnets = s(&["10.10.0.0/25", "2019:20::/112"]);
            masks(a, Some(24), Some(120));
        }),
        (seed, |a| a.kubernetes.version = "v1.20.15".into()),
        (modern, |a| {
            a.networking.pod_subnets = s(&["10.244.0.0/16", "fd00:10:244::/112"]);
            masks(a, None, Some(124));
        }),
        (modern, |a| a.node.ipv4 = Some("nope".into())),
        (modern, |a| a.node.ipv4 = Some("1.2.3.4/24".into())),
        (modern, |a| a.node.ipv4 = Some("2018::21".into())),
        (modern, |a| a.node.ipv4 = Some("127.0.0.1".into())),
        (modern, |a| a.node.name = "Node_01".into()),
        (modern, |a| a.nodes[0].name = "node01".into()),
        (modern, |a| a.nodes[0].ipv6 = None),
        (modern, |a| a.nodes[0].ipv4 = Some("111.111.111.121".into())),
        (modern, |a| a.kubernetes.cri_socket = Some(" ".into())),
        (modern, |a| a.kubernetes.cri_socket = Some("tcp://x".into())),
        (modern, |a| {
            a.kubernetes.cri_socket = Some("unix://var/run/x.sock".into())
        }),
        (modern, |a| {
            a.kubernetes.cri_socket = Some("unix:///var/run/dockershim.sock".into())
        }),
        (modern, |a| {
            a.kubernetes.cri_socket = Some("/var/run/containerd/containerd.sock".into())
        }),
        (seed, |a| {
            a.kubernetes.proxy_mode = Some(ProxyMode::Nftables)
        }),
        (modern, |a| {
            a.kubernetes.version = "v1.29.0".into();
            a.kubernetes.proxy_mode = Some(ProxyMode::Nftables);
        }),
        (modern, |a| {
            a.kubernetes.version = "v1.35.0".into();
            a.kubernetes.proxy_mode = Some(ProxyMode::Ipvs);
        }),
        (seed, |a| a.kubernetes.proxy_mode = Some(ProxyMode::Ipvs)),
        (modern, |a| a.calico.ipv4_pool = Some("fd00::/64".into())),
        (modern, |a| {
            a.calico.ipv4_pool = Some("10.250.0.0/16".into())
        }),
        (modern, |a| {
            single_v4(a);
            a.calico.ipv6_pool = Some("fd00:10:244::/56".into());
        }),
        (modern, |a| a.calico.ipv4_pool = Some("x".into())),
        (modern, |a| {
            a.calico.ipv4_pool = Some("10.244.0.1/16".into())
        }),
        (modern, |a| a.calico.ipv4_pool = Some("10.96.0.0/16".into())),
        (modern, |a| a.calico.ipv4_block_size = Some(10)),
        (modern, |a| {
            a.calico.ipv4_pool = Some("10.244.0.0/28".into())
        }),
        (modern, |a| {
            a.calico.ipv6_encapsulation = Some(Encapsulation::Ipip)
        }),
        (seed, |a| {
            a.calico.ipv6_encapsulation = Some(Encapsulation::Vxlan)
        }),
        (modern, |a| a.calico.mtu = Some(100)),
        (modern, |a| {
            a.verify.get_or_insert_with(Default::default).node_port = Some(80)
        }),
        (modern, |a| {
            a.verify.get_or_insert_with(Default::default).namespace = Some("Bad_NS".into())
        }),
        (modern, |a| {
            a.verify.get_or_insert_with(Default::default).server_image = Some(" ".into())
        }),
        (modern, |a| {
            a.networking.dns_domain = Some("Cluster.Local".into())
        }),
        (modern, |a| {
            a.calico.ipv6_autodetection_method = Some("magic".into())
        }),
        (modern, |a| {
            a.calico.ipv6_autodetection_method = Some("interface=".into())
        }),
        (seed, |a| {
            a.calico.ipv6_autodetection_method = Some("cidr=2018::/64".into())
        }),
        (seed, |a| {
            a.calico.ipv6_autodetection_method = Some("kubernetes-internal-ip".into())
        }),
        (modern, |a| {
            a.calico.ipv6_autodetection_method = Some("cidr=2018::/64,nope".into())
        }),
        (modern, |a| {
            a.calico.ipv6_autodetection_method = Some("interface=ens224".into())
        }),
        (modern, |a| {
            a.calico.install = dsinstall::answers::CalicoInstall::Operator;
            a.calico.registry = Some("registry.local:5000".into());
        }),
        (modern, |a| {
            a.kubernetes.control_plane_endpoint = None;
            a.nodes[0].role = NodeRole::ControlPlane;
        }),
        (seed, |a| {
            a.networking.service_subnets = s(&["10.96.0.0/12", "2019:30::/64"])
        }),
        (seed, |a| a.node.api_advertise = Some(AddressFamily::Ipv6)),
        (modern, |a| {
            a.networking.service_subnets = s(&["10.96.0.0/16"])
        }),
        (modern, |a| {
            a.networking.pod_subnets = s(&["10.244.0.0/16"]);
            a.networking.service_subnets = s(&["10.96.0.0/16", "fd00:10:96::/112"]);
        }),
        (modern, |a| {
            a.networking.pod_subnets = s(&["10.244.0.0/16"]);
            a.networking.service_subnets = s(&["fd00:10:96::/112"]);
        }),
        (modern, |a| {
            a.calico.ipv6_autodetection_method = Some("interface=^ens(224$".into())
        }),
        (modern, |a| {
            a.calico.ipv6_autodetection_method = Some("interface=\"ens224\"".into())
        }),
        (modern, |a| {
            a.calico.registry = Some("https://quay.io".into())
        }),
        (modern, |a| {
            a.kubernetes.cri_socket = Some("unix:///run/x.sock\nkind: x".into())
        }),
        (modern, |a| a.node.ipv6 = Some("::ffff:1.2.3.4".into())),
        (modern, |a| {
            a.nodes[0].name = format!("{}.nnn", vec!["n".repeat(60); 4].join("."))
        }),
        (modern, |a| a.node.ipv4 = Some("111.111.111.021".into())),
        (modern, |a| {
            a.networking.pod_subnets = s(&["010.010.0.0/16", "fd00:10:244::/56"])
        }),
        (modern, |a| {
            a.calico.ipv4_pool = Some("111.111.111.0/24".into())
        }),
        (modern, |a| {
            a.networking.pod_subnets = s(&["224.0.0.0/16", "fd00:10:244::/56"])
        }),
        (modern, |a| {
            a.kubernetes.cluster_name = Some("lab one".into())
        }),
        (seed, |a| {
            a.nodes[0].ssh = Some(dsinstall::answers::NodeSsh {
                host: Some("node_02".into()),
                user: Some(String::new()),
                port: Some(70000),
            });
            a.ssh = Some(dsinstall::answers::SshSettings {
                identity_file: Some(" ".into()),
                known_hosts: None,
            });
        }),
    ]
}

/// Answers checked against the demo's node01 (`dsinstall::host::demo_facts`): the host
/// rules' codes.
fn host_variants() -> Vec<Mutation> {
    vec![
        |a| a.kubernetes.cri_socket = Some("/run/containerd/containerd.sock".into()),
        |a| a.node.ipv4 = Some("111.111.111.99".into()),
        |a| a.node.ipv6_interface = Some("ens192".into()),
        |a| {
            a.kubernetes.version = "v1.21.0".into();
            a.networking.node_mask_sizes = Some(NodeMaskSizes {
                ipv4: None,
                ipv6: Some(120),
            });
        },
    ]
}

fn all_problems() -> Vec<Problem> {
    let mut all: Vec<Problem> = variants()
        .into_iter()
        .flat_map(|(base, mutate)| {
            let mut a = base();
            mutate(&mut a);
            plan::check(&a).problems
        })
        .collect();
    // The rules that need the manifest: its calico_backend against the plan's pools.
    let plan = plan::check(&modern()).plan.expect("modern plans");
    for backend in ["bird", "vxlan", "none", "gobgp"] {
        all.extend(plan::backend_problems(&plan, backend));
    }
    // And the host's: the MTU against links too small for it (v3.15 fixed, v3.28 auto).
    let small = |name: &str| dsinstall::host::facts::Interface {
        name: name.into(),
        mtu: 1300,
        ..Default::default()
    };
    let host = dsinstall::host::facts::HostFacts {
        interfaces: vec![small("ens192"), small("ens224")],
        ..Default::default()
    };
    for a in [seed(), modern()] {
        let plan = plan::check(&a).plan.expect("plans");
        all.extend(plan::mtu_problems(&plan, &host));
    }
    let facts = dsinstall::host::demo_facts();
    for mutate in host_variants() {
        let mut a = seed();
        mutate(&mut a);
        let c = plan::check(&a);
        all.extend(plan::host::check(&a, c.plan.as_ref(), &facts));
    }
    let mut kubelet = facts.clone();
    if let Some(Some(t)) = kubelet.tools.get_mut("kubelet") {
        t.version = Some("v1.20.4".into());
    }
    let a = seed();
    all.extend(plan::host::check(
        &a,
        plan::check(&a).plan.as_ref(),
        &kubelet,
    ));
    // A host with no container runtime at all: on v1.19 no docker for dockershim, and no
    // socket to suggest.
    let mut bare = facts.clone();
    bare.cri_sockets.clear();
    all.extend(plan::host::check(&a, plan::check(&a).plan.as_ref(), &bare));
    // The same on a current version, whose socket is not docker's.
    let m = modern();
    all.extend(plan::host::check(&m, plan::check(&m).plan.as_ref(), &bare));
    let mut crio = facts.clone();
    crio.cgroup_driver = Some(dsinstall::host::cgroup::RuntimeCgroup {
        runtime: "crio".into(),
        driver: "cgroupfs".into(),
        source: "/etc/crio/crio.conf".into(),
    });
    all.extend(plan::host::check(&a, plan::check(&a).plan.as_ref(), &crio));
    all.extend(source_problems());
    all.push(dsinstall::verdict::render_problem(
        &dsinstall::render::RenderError {
            file: "calico.yaml".into(),
            message: "calico.manifest: not set".into(),
        },
    ));
    all
}

/// The upstream files render reads and cannot use: not set, a URL, missing, a directory,
/// below a file, not UTF-8, empty, nested too deep; and the operator's CRD file given as a URL.
fn source_problems() -> Vec<Problem> {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let manifests: Vec<Option<String>> = vec![
        None,
        Some("https://example.org/calico.yaml".into()),
        Some(dir.path().join("nowhere.yaml").display().to_string()),
        Some(dir.path().display().to_string()),
        // Under a file: ENOTDIR, neither missing nor unusable as a manifest.
        Some(format!("{}/calico.yaml", file("plain", b"x"))),
        Some(file("latin1.yaml", b"kind: \xff\n")),
        Some(file("empty.yaml", b" \n")),
        Some(file("deep.yaml", deep.as_bytes())),
        // The seed plans Calico v3.15: a v3.32 calico.yaml is of another release.
        Some(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/calico/calico-v3.32.1.yaml"
            )
            .to_string(),
        ),
    ];
    let mut all = vec![];
    for manifest in manifests {
        let mut a = seed();
        a.calico.manifest = manifest;
        let plan = plan::check(&a).plan.expect("seed plans");
        all.extend(
            dsinstall::render::load_manifest(&plan, None)
                .err()
                .map(|e| *e.problem),
        );
    }
    let mut a = modern();
    a.calico.install = dsinstall::answers::CalicoInstall::Operator;
    a.calico.operator_crds = Some("https://example.org/operator-crds.yaml".into());
    let plan = plan::check(&a).plan.expect("modern plans");
    all.extend(
        dsinstall::render::load_operator_crds(&plan, None)
            .err()
            .map(|e| *e.problem),
    );
    all
}

/// The `{N}` placeholders in a text.
fn placeholders(text: &str) -> Vec<usize> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}')?.0.parse().ok())
        .collect()
}

fn has(tx: &Texts, key: &str) -> bool {
    tx.keys().any(|k| k == key)
}

#[test]
fn every_problem_has_a_known_code() {
    for p in all_problems() {
        assert!(
            CODES.contains(&p.code),
            "{p} has code {:?}, not in CODES",
            p.code
        );
    }
}

#[test]
fn the_variants_reach_every_code() {
    let seen: BTreeSet<&str> = all_problems().iter().map(|p| p.code).collect();
    let missing: Vec<&&str> = CODES.iter().filter(|c| !seen.contains(**c)).collect();
    assert!(missing.is_empty(), "no variant produces {missing:?}");
}

#[test]
fn both_languages_translate_every_problem_within_its_args() {
    for lang in [Lang::En, Lang::ZhCn] {
        let tx = lang.texts();
        for p in all_problems() {
            let msg = format!("problem.{}", p.code);
            let hint = format!("hint.{}", p.code);
            assert!(has(tx, &msg), "{lang:?} lacks {msg}");
            assert_eq!(
                has(tx, &hint),
                p.hint.is_some(),
                "{lang:?}: {hint} present iff {p} has a fix"
            );
            for key in [&msg, &hint] {
                for n in placeholders(tx.t(key)) {
                    assert!(
                        n < p.args.len(),
                        "{lang:?} {key} uses {{{n}}} but {p} has {} args",
                        p.args.len()
                    );
                }
            }
        }
    }
}

#[test]
fn english_texts_read_exactly_as_the_cli_prints() {
    let tx = Lang::En.texts();
    for p in all_problems() {
        assert_eq!(tx.problem(&p), p.message, "problem.{}", p.code);
        assert_eq!(tx.problem_hint(&p), p.hint, "hint.{}", p.code);
    }
}

#[test]
fn chinese_texts_differ_from_english_and_keep_the_values() {
    let zh = Lang::ZhCn.texts();
    for p in all_problems() {
        let text = zh.problem(&p);
        assert_ne!(text, p.message, "problem.{} is not translated", p.code);
        for a in &p.args {
            if placeholders(Lang::En.texts().t(&format!("problem.{}", p.code)))
                .iter()
                .any(|n| p.args.get(*n) == Some(a))
            {
                assert!(text.contains(a.as_str()), "problem.{} drops {a}", p.code);
            }
        }
    }
}

#[test]
fn no_translation_names_an_unknown_code() {
    for lang in [Lang::En, Lang::ZhCn] {
        for key in lang.texts().keys() {
            let code = key
                .strip_prefix("problem.")
                .or_else(|| key.strip_prefix("hint."));
            if let Some(code) = code
                && code != "fix"
            {
                assert!(CODES.contains(&code), "{lang:?} has {key}, not in CODES");
            }
        }
    }
}
