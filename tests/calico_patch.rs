//! The Calico manifest patch on every upstream fixture: the patched ConfigMap and DaemonSet
//! say what the plan says, and nothing else in the manifest changed.

mod common;

use dsinstall::answers::{Answers, Encapsulation};
use dsinstall::plan::{self, Plan};
use dsinstall::render::calico::patch_manifest;
use serde_yaml::Value;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(common::fixture(&format!("calico/{name}"))).unwrap()
}

fn plan_of(a: &Answers) -> Plan {
    let checked = plan::check(a);
    checked
        .plan
        .unwrap_or_else(|| panic!("answers have problems: {:?}", checked.problems))
}

/// The seed's answers (Calico v3.15.3 on Kubernetes 1.19).
fn seed() -> Answers {
    Answers::seed()
}

/// The seed's addresses on a current stack: Kubernetes 1.31, Calico v3.32.1.
fn modern() -> Answers {
    let mut a = Answers::seed();
    a.kubernetes.version = "v1.31.2".into();
    a.kubernetes.cri_socket = None;
    a.kubernetes.image_repository = None;
    a.calico.version = "v3.32.1".into();
    // From 1.20 the controller manager, not kubeadm, sizes node ranges (/64 by default).
    a.networking.node_mask_sizes = Some(dsinstall::answers::NodeMaskSizes {
        ipv4: None,
        ipv6: Some(120),
    });
    a
}

fn docs(s: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(s)
        .map(|d| Value::deserialize(d).expect("every document parses"))
        .collect()
}

use serde::Deserialize;

fn is(v: &Value, kind: &str, name: &str) -> bool {
    v["kind"].as_str() == Some(kind) && v["metadata"]["name"].as_str() == Some(name)
}

fn node_env(ds: &Value) -> Vec<(String, Value)> {
    ds["spec"]["template"]["spec"]["containers"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "calico-node")
        .unwrap()["env"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|e| (e["name"].as_str().unwrap().to_string(), e.clone()))
        .collect()
}

fn env_value(env: &[(String, Value)], name: &str) -> Option<String> {
    env.iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, e)| e["value"].as_str().map(str::to_string))
}

/// The CNI template with its one unquoted placeholder filled, as JSON.
fn cni_json(cm: &Value) -> serde_json::Value {
    let text = cm["data"]["cni_network_config"].as_str().unwrap();
    serde_json::from_str(&text.replace("__CNI_MTU__", "1440")).unwrap()
}

/// Every variable dsinstall may set on calico-node.
const OURS: &[&str] = &[
    "IP",
    "IP_AUTODETECTION_METHOD",
    "IP6",
    "IP6_AUTODETECTION_METHOD",
    "CALICO_ROUTER_ID",
    "CALICO_IPV4POOL_CIDR",
    "CALICO_IPV4POOL_BLOCK_SIZE",
    "CALICO_IPV4POOL_IPIP",
    "CALICO_IPV4POOL_VXLAN",
    "CALICO_IPV4POOL_NAT_OUTGOING",
    "CALICO_IPV6POOL_CIDR",
    "CALICO_IPV6POOL_BLOCK_SIZE",
    "CALICO_IPV6POOL_NAT_OUTGOING",
    "CALICO_IPV6POOL_VXLAN",
    "FELIX_IPV6SUPPORT",
    "FELIX_VXLANMTUV6",
];

fn check_fixture(manifest_name: &str, answers: Answers) {
    let original = fixture(manifest_name);
    let plan = plan_of(&answers);
    let patched = patch_manifest(&original, &plan).expect("patches");
    let before = docs(&original);
    let after = docs(&patched);
    assert_eq!(before.len(), after.len(), "{manifest_name}: document count");

    for (b, a) in before.iter().zip(&after) {
        if is(b, "ConfigMap", "calico-config") {
            let (mut bd, mut ad) = (b.clone(), a.clone());
            for d in [&mut bd, &mut ad] {
                let data = d["data"].as_mapping_mut().unwrap();
                data.remove("cni_network_config");
                data.remove("veth_mtu");
            }
            assert_eq!(
                bd, ad,
                "{manifest_name}: calico-config changed beyond CNI and MTU"
            );
            assert_eq!(a["data"]["veth_mtu"].as_str(), Some("1440"));
            let (mut bj, aj) = (cni_json(b), cni_json(a));
            let ipam = &aj["plugins"][0]["ipam"];
            assert_eq!(ipam["type"], "calico-ipam");
            assert_eq!(ipam["assign_ipv4"], "true");
            assert_eq!(ipam["assign_ipv6"], "true");
            let bipam = bj["plugins"][0]["ipam"].as_object_mut().unwrap();
            bipam.insert("assign_ipv4".into(), "true".into());
            bipam.insert("assign_ipv6".into(), "true".into());
            assert_eq!(
                bj, aj,
                "{manifest_name}: the CNI config changed beyond IPAM"
            );
            assert!(
                a["data"]["cni_network_config"]
                    .as_str()
                    .unwrap()
                    .contains("\"mtu\": __CNI_MTU__"),
                "the install-cni placeholder stays unquoted"
            );
        } else if is(b, "DaemonSet", "calico-node") {
            let env = node_env(a);
            let want = [
                ("IP", "autodetect"),
                ("IP_AUTODETECTION_METHOD", "interface=^ens192$"),
                ("IP6", "autodetect"),
                ("IP6_AUTODETECTION_METHOD", "interface=ens224"),
                ("FELIX_IPV6SUPPORT", "true"),
                ("CALICO_IPV4POOL_CIDR", "10.10.0.0/16"),
                ("CALICO_IPV6POOL_CIDR", "2019:20::/112"),
                ("CALICO_IPV4POOL_BLOCK_SIZE", "26"),
                ("CALICO_IPV6POOL_BLOCK_SIZE", "122"),
                ("CALICO_IPV4POOL_IPIP", "Always"),
                ("CALICO_IPV4POOL_VXLAN", "Never"),
                ("CALICO_IPV4POOL_NAT_OUTGOING", "true"),
                // Calico's own default for IPv6; the seed's 2019:20::/112 is a global range.
                ("CALICO_IPV6POOL_NAT_OUTGOING", "false"),
            ];
            for (n, v) in want {
                assert_eq!(
                    env_value(&env, n).as_deref(),
                    Some(v),
                    "{manifest_name}: {n}"
                );
            }
            let names: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
            let unique: std::collections::BTreeSet<_> = names.iter().collect();
            assert_eq!(unique.len(), names.len(), "no variable twice: {names:?}");
            assert_eq!(
                names.contains(&"CALICO_IPV6POOL_VXLAN"),
                plan.calico_row.ipv6_vxlan,
                "CALICO_IPV6POOL_VXLAN only where the version reads it"
            );
            // Every variable upstream set that is not ours is untouched.
            for (n, e) in node_env(b) {
                if !OURS.contains(&n.as_str()) {
                    let kept = env.iter().find(|(m, _)| *m == n).map(|(_, e)| e);
                    assert_eq!(kept, Some(&e), "{manifest_name}: {n} changed");
                }
            }
            // And nothing else in the DaemonSet changed.
            let strip = |v: &Value| {
                let mut v = v.clone();
                for c in v["spec"]["template"]["spec"]["containers"]
                    .as_sequence_mut()
                    .unwrap()
                {
                    c.as_mapping_mut().unwrap().remove("env");
                }
                v
            };
            assert_eq!(
                strip(b),
                strip(a),
                "{manifest_name}: DaemonSet changed beyond env"
            );
        } else {
            assert_eq!(b, a, "{manifest_name}: {:?} changed", b.get("kind"));
        }
    }

    // Documents not patched are written back byte for byte, comments included.
    let crd_start = original.find("kind: CustomResourceDefinition").unwrap();
    let crd_chunk = &original[crd_start..crd_start + 2000];
    assert!(
        patched.contains(crd_chunk),
        "{manifest_name}: CRDs not verbatim"
    );
    assert!(patched.contains("# Patched by dsinstall for dual-stack"));
}

#[test]
fn seed_v3_15_manifest_says_what_the_plan_says() {
    check_fixture("calico-v3.15.3.yaml", seed());
}

#[test]
fn current_v3_32_manifest_says_what_the_plan_says() {
    check_fixture("calico-v3.32.1.yaml", modern());
}

#[test]
fn registry_rewrite_reaches_every_image_and_nothing_else() {
    for (name, mut a) in [
        ("calico-v3.15.3.yaml", seed()),
        ("calico-v3.32.1.yaml", modern()),
    ] {
        a.calico.registry = Some("registry.local:5000".into());
        let original = fixture(name);
        let patched = patch_manifest(&original, &plan_of(&a)).unwrap();
        let images: Vec<&str> = patched
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("image: "))
            .collect();
        let upstream = original
            .lines()
            .filter(|l| l.trim_start().starts_with("image: "))
            .count();
        assert_eq!(images.len(), upstream, "{name}");
        for i in images {
            let i = i.trim_matches(['"', '\'']);
            assert!(i.starts_with("registry.local:5000/calico/"), "{name}: {i}");
            assert!(!i.contains("docker.io") && !i.contains("quay.io"), "{i}");
        }
    }
}

#[test]
fn etcd_manifests_are_refused_by_name() {
    for (name, a) in [
        ("calico-etcd-v3.15.3.yaml", seed()),
        ("calico-etcd-v3.32.1.yaml", modern()),
    ] {
        let err = patch_manifest(&fixture(name), &plan_of(&a))
            .unwrap_err()
            .message;
        assert!(err.starts_with("calico.manifest: "), "{err}");
        assert!(err.contains("etcd"), "{err}");
    }
}

#[test]
fn a_manifest_of_another_calico_version_is_refused() {
    let err = patch_manifest(&fixture("calico-v3.32.1.yaml"), &plan_of(&seed()))
        .unwrap_err()
        .message;
    assert!(
        err.contains("v3.32.1") && err.contains("calico.version"),
        "{err}"
    );
}

#[test]
fn broken_or_foreign_input_is_a_clear_error() {
    let plan = plan_of(&seed());
    for (input, expect) in [
        ("kind: [", "not valid YAML"),
        ("", "no ConfigMap calico-config"),
        (
            "kind: ConfigMap\nmetadata: {name: calico-config}\ndata: {}\n",
            "no cni_network_config",
        ),
        (
            "kind: ConfigMap\nmetadata: {name: calico-config}\ndata:\n  cni_network_config: '{'\n",
            "not the JSON template",
        ),
        (
            "kind: ConfigMap\nmetadata: {name: calico-config}\ndata:\n  cni_network_config: '{\"plugins\":[{\"type\":\"calico\",\"ipam\":{\"type\":\"calico-ipam\"}}]}'\n",
            "no DaemonSet calico-node",
        ),
    ] {
        let err = patch_manifest(input, &plan).unwrap_err().message;
        assert!(
            err.starts_with("calico.manifest: ") && err.contains(expect),
            "{input:?} → {err}"
        );
    }
}

#[test]
fn ipv6_primary_order_patches_the_same_variables() {
    let mut a = modern();
    a.networking.pod_subnets.reverse();
    a.networking.service_subnets.reverse();
    a.node.api_advertise = Some(dsinstall::answers::AddressFamily::Ipv6);
    let patched = patch_manifest(&fixture("calico-v3.32.1.yaml"), &plan_of(&a)).unwrap();
    let ds = docs(&patched)
        .into_iter()
        .find(|d| is(d, "DaemonSet", "calico-node"))
        .unwrap();
    let env = node_env(&ds);
    assert_eq!(
        env_value(&env, "CALICO_IPV6POOL_CIDR").as_deref(),
        Some("2019:20::/112")
    );
    assert_eq!(
        env_value(&env, "CALICO_IPV4POOL_CIDR").as_deref(),
        Some("10.10.0.0/16")
    );
    assert_eq!(
        env_value(&env, "CALICO_IPV6POOL_VXLAN").as_deref(),
        Some("Never")
    );
}

#[test]
fn ipv6_only_turns_ipv4_off_everywhere() {
    let mut a = modern();
    a.networking.pod_subnets = vec!["2019:20::/112".into()];
    a.networking.service_subnets = vec!["2019:30::/112".into()];
    a.node.ipv4 = None;
    a.node.ipv4_interface = None;
    a.node.api_advertise = Some(dsinstall::answers::AddressFamily::Ipv6);
    a.kubernetes.control_plane_endpoint = Some("[2018::20]:6443".into());
    for n in a.nodes.iter_mut() {
        n.ipv4 = None;
    }
    let plan = plan_of(&a);
    assert!(!plan.is_dual_stack());
    let patched = patch_manifest(&fixture("calico-v3.32.1.yaml"), &plan).unwrap();
    let all = docs(&patched);
    let ds = all
        .iter()
        .find(|d| is(d, "DaemonSet", "calico-node"))
        .unwrap();
    let env = node_env(ds);
    for (n, v) in [
        ("IP", "none"),
        ("CALICO_ROUTER_ID", "hash"),
        ("IP6", "autodetect"),
        ("CALICO_IPV4POOL_CIDR", "none"),
        ("CALICO_IPV4POOL_IPIP", "Never"),
        ("CALICO_IPV6POOL_CIDR", "2019:20::/112"),
        ("FELIX_IPV6SUPPORT", "true"),
    ] {
        assert_eq!(env_value(&env, n).as_deref(), Some(v), "{n}");
    }
    let cm = all
        .iter()
        .find(|d| is(d, "ConfigMap", "calico-config"))
        .unwrap();
    let ipam = &cni_json(cm)["plugins"][0]["ipam"];
    assert_eq!(ipam["assign_ipv4"], "false");
    assert_eq!(ipam["assign_ipv6"], "true");
    assert!(
        patched.contains("# Patched by dsinstall for a single family (IPv6 pool 2019:20::/112).")
    );
}

#[test]
fn nat_outgoing_follows_the_answers_per_family() {
    for (v4, v6) in [
        (Some(false), Some(true)),
        (None, None),
        (Some(true), Some(false)),
    ] {
        let mut a = modern();
        a.calico.ipv4_nat_outgoing = v4;
        a.calico.ipv6_nat_outgoing = v6;
        let patched = patch_manifest(&fixture("calico-v3.32.1.yaml"), &plan_of(&a)).unwrap();
        let ds = docs(&patched)
            .into_iter()
            .find(|d| is(d, "DaemonSet", "calico-node"))
            .unwrap();
        let env = node_env(&ds);
        assert_eq!(
            env_value(&env, "CALICO_IPV4POOL_NAT_OUTGOING"),
            Some(v4.unwrap_or(true).to_string())
        );
        assert_eq!(
            env_value(&env, "CALICO_IPV6POOL_NAT_OUTGOING"),
            Some(v6.unwrap_or(false).to_string())
        );
    }
}

/// The document of a stream (split at `---` lines) that holds both markers.
fn chunk<'a>(stream: &'a str, kind: &str, name: &str) -> &'a str {
    let mut start = 0;
    let mut chunks = Vec::new();
    for (i, _) in stream.match_indices("\n---\n") {
        chunks.push(&stream[start..i + 1]);
        start = i + 1;
    }
    chunks.push(&stream[start..]);
    chunks
        .into_iter()
        .find(|c| {
            c.lines().any(|l| l == format!("kind: {kind}"))
                && c.lines().any(|l| l == format!("  name: {name}"))
        })
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn comments(doc: &str) -> Vec<&str> {
    doc.lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .collect()
}

#[test]
fn upstream_comments_of_the_patched_documents_survive() {
    for (name, a) in [
        ("calico-v3.15.3.yaml", seed()),
        ("calico-v3.32.1.yaml", modern()),
    ] {
        for registry in [None, Some("registry.local:5000")] {
            let mut a = a.clone();
            a.calico.registry = registry.map(str::to_string);
            let original = fixture(name);
            let patched = patch_manifest(&original, &plan_of(&a)).unwrap();
            for (kind, obj) in [("ConfigMap", "calico-config"), ("DaemonSet", "calico-node")] {
                let before = comments(chunk(&original, kind, obj));
                let after = comments(chunk(&patched, kind, obj));
                assert!(before.len() > 3, "{name}: {obj} has comments upstream");
                // Every upstream comment line, in order, indentation included; ours are extra.
                let mut rest = after.iter();
                for c in &before {
                    assert!(
                        rest.any(|x| x == c),
                        "{name} {registry:?}: {obj} lost {c:?}"
                    );
                }
                assert!(
                    patched.contains("Changing this value after installation will have"),
                    "{name}"
                );
            }
            if registry.is_some() {
                let kc = comments(chunk(&original, "Deployment", "calico-kube-controllers"));
                let ka = comments(chunk(&patched, "Deployment", "calico-kube-controllers"));
                for c in &kc {
                    assert!(ka.contains(c), "{name}: kube-controllers lost {c:?}");
                }
            }
        }
    }
}

#[test]
fn the_patched_documents_are_line_edits_of_upstream() {
    // Beyond the comments: the lines dsinstall does not change stay exactly as upstream wrote
    // them (quoting, key order), so a diff against upstream shows only the patch.
    let original = fixture("calico-v3.32.1.yaml");
    let patched = patch_manifest(&original, &plan_of(&modern())).unwrap();
    let before = chunk(&original, "DaemonSet", "calico-node");
    let after = chunk(&patched, "DaemonSet", "calico-node");
    for line in [
        "            - name: DATASTORE_TYPE",
        "              value: \"kubernetes\"",
        "          image: quay.io/calico/node:v3.32.1",
        "            - name: CALICO_DISABLE_FILE_LOGGING",
    ] {
        assert!(before.contains(line) && after.contains(line), "{line}");
    }
    assert!(after.contains("            - name: FELIX_IPV6SUPPORT\n              value: \"true\""));
    assert!(after.contains("            - name: IP6\n              value: \"autodetect\""));
    let cm = chunk(&patched, "ConfigMap", "calico-config");
    assert!(
        cm.contains("          \"ipam\": {\n              \"type\": \"calico-ipam\",\n              \"assign_ipv4\": \"true\",\n              \"assign_ipv6\": \"true\"\n          },"),
        "{cm}"
    );
}

/// The seed's addresses on v3.32.1 with upstream's calico-vxlan.yaml (no BIRD).
fn vxlan_manifest() -> String {
    fixture("calico-vxlan-v3.32.1.yaml")
}

#[test]
fn the_vxlan_backend_refuses_pools_that_need_bgp() {
    // The defaults (IPIP for IPv4, unencapsulated IPv6) need BIRD's routes in both families.
    let err = patch_manifest(&vxlan_manifest(), &plan_of(&modern()))
        .unwrap_err()
        .message;
    assert!(
        err.starts_with("calico.ipv4Encapsulation: the manifest's calico_backend is vxlan"),
        "{err}"
    );
    assert!(err.contains("IPIP"), "{err}");
    let mut a = modern();
    a.calico.ipv4_encapsulation = Some(Encapsulation::Vxlan);
    let err = patch_manifest(&vxlan_manifest(), &plan_of(&a))
        .unwrap_err()
        .message;
    assert!(err.starts_with("calico.ipv6Encapsulation: "), "{err}");
    assert!(err.contains("uses None"), "{err}");
    // The same answers on calico.yaml (backend bird) are fine.
    assert!(patch_manifest(&fixture("calico-v3.32.1.yaml"), &plan_of(&modern())).is_ok());
}

#[test]
fn the_vxlan_backend_patches_vxlan_pools_in_both_families() {
    let mut a = modern();
    a.calico.ipv4_encapsulation = Some(Encapsulation::Vxlan);
    a.calico.ipv6_encapsulation = Some(Encapsulation::Vxlan);
    let original = vxlan_manifest();
    let patched = patch_manifest(&original, &plan_of(&a)).unwrap();
    let ds = docs(&patched)
        .into_iter()
        .find(|d| is(d, "DaemonSet", "calico-node"))
        .unwrap();
    let env = node_env(&ds);
    for (n, v) in [
        ("CALICO_IPV4POOL_IPIP", "Never"),
        ("CALICO_IPV4POOL_VXLAN", "Always"),
        ("CALICO_IPV6POOL_VXLAN", "Always"),
    ] {
        assert_eq!(env_value(&env, n).as_deref(), Some(v), "{n}");
    }
    assert!(patched.contains("  calico_backend: \"vxlan\""));
    for c in comments(chunk(&original, "DaemonSet", "calico-node")) {
        assert!(patched.contains(c), "lost {c:?}");
    }
}

#[test]
fn a_policy_only_or_unknown_backend_is_refused_by_name() {
    for (backend, expect) in [("none", "policy only"), ("gobgp", "does not know")] {
        let m = fixture("calico-v3.32.1.yaml").replacen(
            "calico_backend: \"bird\"",
            &format!("calico_backend: \"{backend}\""),
            1,
        );
        let err = patch_manifest(&m, &plan_of(&modern())).unwrap_err().message;
        assert!(err.starts_with("calico.manifest: "), "{err}");
        assert!(err.contains(expect), "{err}");
    }
}

#[test]
fn images_of_another_patch_release_are_named() {
    // Upstream's v3.24.6 calico.yaml pins v3.24.5 images (calico@v3.24.6:manifests/calico.yaml
    // l.4393); the same shape here: the v3.32.1 manifest with v3.32.0 images.
    let m = fixture("calico-v3.32.1.yaml").replace(":v3.32.1", ":v3.32.0");
    let plan = plan_of(&modern());
    let patched = patch_manifest(&m, &plan).expect("the minor matches, so it patches");
    let images = dsinstall::render::calico::workload_images(&patched);
    assert_eq!(
        images,
        [
            "quay.io/calico/cni:v3.32.0",
            "quay.io/calico/node:v3.32.0",
            "quay.io/calico/kube-controllers:v3.32.0"
        ]
    );
    let note = dsinstall::render::calico_version_note(&plan, &images).unwrap();
    assert!(
        note.contains(
            "Calico v3.32.0 (quay.io/calico/node:v3.32.0) while calico.version is v3.32.1"
        ),
        "{note}"
    );
    let same = dsinstall::render::calico::workload_images(
        &patch_manifest(&fixture("calico-v3.32.1.yaml"), &plan).unwrap(),
    );
    assert_eq!(dsinstall::render::calico_version_note(&plan, &same), None);
}

#[test]
fn a_given_mtu_reaches_the_ipv6_vxlan_device_where_felix_has_one() {
    let env_of = |a: &Answers, manifest: &str| {
        let patched = patch_manifest(&fixture(manifest), &plan_of(a)).unwrap();
        let ds = docs(&patched)
            .into_iter()
            .find(|d| is(d, "DaemonSet", "calico-node"))
            .unwrap();
        node_env(&ds)
    };
    // The seed's mtu 1440 on v3.32.1: FELIX_VXLANMTUV6 beside FELIX_VXLANMTU, as the operator.
    let env = env_of(&modern(), "calico-v3.32.1.yaml");
    assert_eq!(env_value(&env, "FELIX_VXLANMTUV6").as_deref(), Some("1440"));
    let names: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
    let at = names.iter().position(|n| *n == "FELIX_VXLANMTU").unwrap();
    assert_eq!(names[at + 1], "FELIX_VXLANMTUV6");
    // No mtu: upstream's veth_mtu "0" (auto-detect) stays and nothing is set.
    let mut a = modern();
    a.calico.mtu = None;
    let patched = patch_manifest(&fixture("calico-v3.32.1.yaml"), &plan_of(&a)).unwrap();
    assert!(patched.contains("  veth_mtu: \"0\""));
    assert_eq!(
        env_value(&env_of(&a, "calico-v3.32.1.yaml"), "FELIX_VXLANMTUV6"),
        None
    );
    // v3.15 has no IPv6 VXLAN device.
    assert_eq!(
        env_value(&env_of(&seed(), "calico-v3.15.3.yaml"), "FELIX_VXLANMTUV6"),
        None
    );
}

#[test]
fn a_manifest_with_two_calico_nodes_is_refused_not_half_patched() {
    let one = fixture("calico-v3.15.3.yaml");
    let twice = format!("{one}\n---\n{one}");
    let e = patch_manifest(&twice, &plan_of(&seed()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("2 ConfigMaps named calico-config"), "{e}");
    assert!(patch_manifest(&one, &plan_of(&seed())).is_ok());
}

/// What `kubectl apply -f` takes is valid input: a stream opening with a `%YAML 1.1`
/// directive, and a JSON `kind: List` (what `kubectl get -o json` writes).
#[test]
fn a_yaml_directive_and_a_json_list_are_patched_like_the_stream() {
    let upstream = fixture("calico-v3.15.3.yaml");
    let items: Vec<serde_json::Value> = docs(&upstream)
        .into_iter()
        .filter(|d| !d.is_null())
        .map(|d| serde_json::to_value(d).unwrap())
        .collect();
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
    for input in [
        format!("%YAML 1.1\n---\n{upstream}"),
        serde_json::to_string_pretty(&list).unwrap(),
    ] {
        let patched = patch_manifest(&input, &plan_of(&seed())).unwrap();
        let ds = docs(&patched)
            .into_iter()
            .find(|d| is(d, "DaemonSet", "calico-node"))
            .unwrap();
        assert_eq!(
            env_value(&node_env(&ds), "CALICO_IPV6POOL_CIDR").as_deref(),
            Some("2019:20::/112")
        );
    }
}
