//! The host checks (`plan::host::check`): answers + detected facts in, problems out. Fed the
//! demo's node01 (the guide's lab), changed one fact or answer at a time.

use dsinstall::answers::{Answers, NodeMaskSizes};
use dsinstall::host::demo_facts;
use dsinstall::plan::{self, Problem};

fn host_problems(a: &Answers, facts: &dsinstall::host::facts::HostFacts) -> Vec<Problem> {
    let c = plan::check(a);
    plan::host::check(a, c.plan.as_ref(), facts)
}

#[test]
fn the_guide_on_its_own_node_has_no_host_problems() {
    assert_eq!(host_problems(&Answers::seed(), &demo_facts()), vec![]);
}

#[test]
fn a_socket_that_is_not_there_is_an_error_on_cri_socket() {
    let mut a = Answers::seed();
    a.kubernetes.cri_socket = Some("/run/containerd/containerd.sock".into());
    let p = host_problems(&a, &demo_facts());
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "kubernetes.criSocket");
    assert!(
        p[0].message.contains("/var/run/dockershim.sock"),
        "{}",
        p[0]
    );
}

#[test]
fn a_socket_under_var_run_is_the_one_found_under_run() {
    // detect lists containerd's socket as /run/containerd/containerd.sock; the criSocket fix
    // the plan itself offers is unix:///var/run/containerd/containerd.sock. /var/run is /run.
    let mut facts = demo_facts();
    facts.cri_sockets = vec!["/run/containerd/containerd.sock".into()];
    for (answer, problems) in [
        ("unix:///var/run/containerd/containerd.sock", 0),
        ("/run/containerd/containerd.sock", 0),
        ("unix:///var/run/crio/crio.sock", 1),
        ("/var/runx/containerd/containerd.sock", 1),
    ] {
        let mut a = Answers::seed();
        a.kubernetes.version = "v1.35.0".into();
        a.kubernetes.image_repository = Some("registry.k8s.io".into());
        a.networking.node_mask_sizes = Some(NodeMaskSizes {
            ipv4: None,
            ipv6: Some(120),
        });
        a.kubernetes.cri_socket = Some(answer.into());
        let c = plan::check(&a);
        assert!(c.plan.is_some(), "{answer}: {:?}", c.problems);
        let p: Vec<Problem> = host_problems(&a, &facts)
            .into_iter()
            .filter(|p| p.path == "kubernetes.criSocket")
            .collect();
        assert_eq!(p.len(), problems, "{answer}: {p:?}");
    }
}

#[test]
fn node_addresses_must_be_on_this_host_and_on_the_chosen_interface() {
    let mut a = Answers::seed();
    a.node.ipv4 = Some("111.111.111.99".into());
    let p = host_problems(&a, &demo_facts());
    assert_eq!(p[0].path, "node.ipv4", "{p:?}");
    let mut a = Answers::seed();
    a.node.ipv6_interface = Some("ens192".into());
    let p = host_problems(&a, &demo_facts());
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].path, "node.ipv6Interface");
    assert!(p[0].message.contains("ens224"), "{}", p[0]);
}

/// kubeadm deploys its own minor and the one before (MinimumControlPlaneVersion,
/// cmd/kubeadm/app/constants/constants.go): a v1.19 kubeadm takes v1.18–v1.19 only.
#[test]
fn kubeadm_deploys_its_minor_and_the_one_before() {
    let facts = demo_facts(); // kubeadm v1.19.0
    for (version, ok) in [("v1.19.0", true), ("v1.20.0", false), ("v1.37.0", false)] {
        let mut a = Answers::seed();
        a.kubernetes.version = version.into();
        a.networking.node_mask_sizes = Some(NodeMaskSizes {
            ipv4: None,
            ipv6: Some(120),
        });
        if version != "v1.19.0" {
            a.kubernetes.cri_socket = None;
            a.kubernetes.image_repository = None;
        }
        let p: Vec<_> = host_problems(&a, &facts)
            .into_iter()
            .filter(|p| p.code == "host.kubeadm_skew")
            .collect();
        assert_eq!(p.is_empty(), ok, "{version}: {p:?}");
        if !ok {
            assert_eq!(p[0].path, "kubernetes.version");
        }
    }
    let mut newer = facts.clone();
    if let Some(Some(t)) = newer.tools.get_mut("kubeadm") {
        t.version = Some("v1.20.3".into());
    }
    assert!(
        host_problems(&Answers::seed(), &newer)
            .iter()
            .all(|p| p.code != "host.kubeadm_skew"),
        "a v1.20 kubeadm deploys v1.19"
    );
}

#[test]
fn a_kubelet_newer_than_the_control_plane_is_an_error() {
    let mut facts = demo_facts();
    if let Some(Some(t)) = facts.tools.get_mut("kubelet") {
        t.version = Some("v1.20.4".into());
    }
    let p = host_problems(&Answers::seed(), &facts);
    assert!(p.iter().any(|p| p.code == "host.kubelet_newer"), "{p:?}");
}

/// The verdict the wizard and `plan --host` show: an unset manifest in manifest mode is an
/// error there, not the plan's warning only.
#[test]
fn the_verdict_refuses_what_render_refuses() {
    let a = Answers::seed(); // manifest mode, no calico.manifest
    let c = dsinstall::verdict::on_host(&a, &demo_facts(), None);
    let e: Vec<_> = c.errors().collect();
    assert!(
        e.iter()
            .any(|p| p.path == "calico.manifest" && p.code == "render.source_unset"),
        "{e:?}"
    );
}

/// Another error stops the plan before render reads the manifest: the unset manifest is
/// still an error, not a warning that says render stops there.
#[test]
fn an_unset_manifest_stays_an_error_while_another_error_stops_the_plan() {
    let mut a = Answers::seed();
    a.networking.service_subnets = vec!["not a cidr".into(), "2019:30::/108".into()];
    let c = dsinstall::verdict::on_host(&a, &demo_facts(), None);
    assert!(c.plan.is_none(), "{:?}", c.problems);
    assert!(
        c.errors().any(|p| p.path == "calico.manifest"),
        "{:?}",
        c.problems
    );
}

fn with_runtime(runtime: &str, driver: &str) -> dsinstall::host::facts::HostFacts {
    let mut f = demo_facts();
    f.cgroup_driver = Some(dsinstall::host::cgroup::RuntimeCgroup {
        runtime: runtime.into(),
        driver: driver.into(),
        source: "default".into(),
    });
    f
}

/// The kubelet's driver must be the runtime's; on 1.19/1.20 with dockershim kubeadm writes
/// docker's own driver into kubeadm-flags.env (buildKubeletArgMap,
/// cmd/kubeadm/app/phases/kubelet/flags_unix.go), so the guide's cgroupfs docker is fine.
#[test]
fn the_cgroup_driver_follows_the_runtime() {
    let mismatch = |a: &Answers, f: &dsinstall::host::facts::HostFacts| {
        host_problems(a, f)
            .into_iter()
            .filter(|p| p.code == "host.cgroup_driver_mismatch")
            .collect::<Vec<_>>()
    };
    let seed = Answers::seed();
    let docker = with_runtime("docker", "cgroupfs");
    assert!(mismatch(&seed, &docker).is_empty());
    let mut v21 = Answers::seed();
    v21.kubernetes.version = "v1.21.0".into();
    v21.networking.node_mask_sizes = Some(NodeMaskSizes {
        ipv4: None,
        ipv6: Some(120),
    });
    let mut facts = with_runtime("docker", "cgroupfs");
    if let Some(Some(t)) = facts.tools.get_mut("kubeadm") {
        t.version = Some("v1.21.0".into());
    }
    let p = mismatch(&v21, &facts);
    assert_eq!(p.len(), 1, "1.21 no longer reads docker's driver");
    assert_eq!(p[0].path, "kubernetes.cgroupDriver");
    assert!(
        p[0].hint
            .as_deref()
            .unwrap()
            .contains("cgroupDriver: cgroupfs")
    );
    v21.kubernetes.cgroup_driver = Some(dsinstall::answers::CgroupDriver::Cgroupfs);
    assert!(mismatch(&v21, &facts).is_empty());
}

/// In operator mode the verdict refuses a tigera-operator.yaml of another Calico than
/// calico.version, on calico.manifest, naming both versions.
#[test]
fn the_verdict_refuses_an_operator_manifest_of_another_calico() {
    let fixtures = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut a = Answers::seed();
    a.kubernetes.version = "v1.35.0".into();
    a.kubernetes.cri_socket = None;
    a.kubernetes.image_repository = None;
    a.networking.node_mask_sizes = Some(NodeMaskSizes {
        ipv4: None,
        ipv6: Some(120),
    });
    a.calico.install = dsinstall::answers::CalicoInstall::Operator;
    a.calico.manifest = Some(
        fixtures
            .join("calico/tigera-operator-v3.32.1.yaml")
            .display()
            .to_string(),
    );
    a.calico.operator_crds = Some(
        fixtures
            .join("calico/operator-crds-v3.32.1.yaml")
            .display()
            .to_string(),
    );
    let on_manifest = |a: &Answers| {
        dsinstall::verdict::on_host(a, &dsinstall::host::demo_facts_at("v1.35.0"), None)
            .errors()
            .filter(|p| p.path == "calico.manifest")
            .cloned()
            .collect::<Vec<_>>()
    };
    a.calico.version = "v3.32.1".into();
    assert_eq!(on_manifest(&a), vec![]);
    a.calico.version = "v3.31.2".into();
    let p = on_manifest(&a);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].message.contains("tigera-operator v1.42.3")
            && p[0].message.contains("the operator of Calico v3.32")
            && p[0].message.contains("calico.version is v3.31.2"),
        "{}",
        p[0]
    );
}
