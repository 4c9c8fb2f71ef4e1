//! The operator's Installation: one pool per family in the plan's order, every key one the
//! upstream Installation uses, and the APIServer where the Calico version ships one.

mod common;

use dsinstall::answers::Answers;
use dsinstall::plan;
use dsinstall::render::calico::installation;
use serde::Deserialize;
use serde_yaml::Value;
use std::collections::BTreeSet;

fn docs(s: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(s)
        .map(|d| Value::deserialize(d).unwrap())
        .collect()
}

fn answers(name: &str) -> Answers {
    Answers::load(&common::fixture(&format!("answers/{name}"))).unwrap()
}

fn render(a: &Answers) -> Vec<Value> {
    let checked = plan::check(a);
    let plan = checked
        .plan
        .unwrap_or_else(|| panic!("{:?}", checked.problems));
    docs(&installation(&plan).unwrap())
}

/// Pool keys the upstream Installations use (tigera/docs and custom-resources fixtures).
fn upstream_pool_keys() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for f in [
        "installation-dualstack-docs-v3.32.yaml",
        "custom-resources-v3.32.1.yaml",
    ] {
        let text = std::fs::read_to_string(common::fixture(&format!("calico/{f}"))).unwrap();
        for d in docs(&text) {
            if let Some(pools) = d["spec"]["calicoNetwork"]["ipPools"].as_sequence() {
                for p in pools {
                    keys.extend(
                        p.as_mapping()
                            .unwrap()
                            .keys()
                            .map(|k| k.as_str().unwrap().to_string()),
                    );
                }
            }
        }
    }
    keys
}

#[test]
fn modern_fixture_gives_ipv6_first_pools_registry_and_apiserver() {
    let d = render(&answers("modern-v1.31-ipv6-primary.yaml"));
    assert_eq!(d.len(), 2);
    let inst = &d[0];
    assert_eq!(inst["apiVersion"], "operator.tigera.io/v1");
    assert_eq!(inst["kind"], "Installation");
    assert_eq!(inst["metadata"]["name"], "default");
    assert_eq!(inst["spec"]["registry"], "registry.local:5000/");
    let pools = inst["spec"]["calicoNetwork"]["ipPools"]
        .as_sequence()
        .unwrap();
    assert_eq!(pools.len(), 2);
    assert_eq!(pools[0]["cidr"], "fd00:10:244::/56");
    assert_eq!(pools[0]["blockSize"], 122);
    assert_eq!(pools[0]["encapsulation"], "None");
    assert_eq!(pools[0]["name"], "default-ipv6-ippool");
    assert_eq!(pools[1]["cidr"], "10.244.0.0/16");
    assert_eq!(pools[1]["encapsulation"], "IPIP");
    let keys = upstream_pool_keys();
    for p in pools {
        for k in p.as_mapping().unwrap().keys() {
            assert!(
                keys.contains(k.as_str().unwrap()),
                "pool key {k:?} is not one upstream uses"
            );
        }
        assert!(["Enabled", "Disabled"].contains(&p["natOutgoing"].as_str().unwrap()));
    }
    let v6 = &inst["spec"]["calicoNetwork"]["nodeAddressAutodetectionV6"];
    assert_eq!(v6["interface"], "^ens224$");
    assert_eq!(v6.as_mapping().unwrap().len(), 1, "at most one method");
    assert_eq!(d[1]["kind"], "APIServer");
}

#[test]
fn seed_on_operator_v3_15_has_no_apiserver_and_no_pool_names() {
    let mut a = answers("seed-v1.19.yaml");
    a.calico.install = dsinstall::answers::CalicoInstall::Operator;
    let d = render(&a);
    assert_eq!(d.len(), 1, "Calico v3.15 ships no APIServer resource");
    let net = &d[0]["spec"]["calicoNetwork"];
    assert_eq!(net["mtu"], 1440);
    let pools = net["ipPools"].as_sequence().unwrap();
    assert_eq!(pools[0]["cidr"], "10.10.0.0/16");
    assert_eq!(pools[1]["cidr"], "2019:20::/112");
    assert!(pools.iter().all(|p| p.get("name").is_none()));
    assert_eq!(net["nodeAddressAutodetectionV6"]["interface"], "ens224");
    assert!(d[0]["spec"].get("registry").is_none());
}

#[test]
fn the_apiserver_arrives_with_calico_v3_20() {
    for (version, want) in [("v3.19.4", 1), ("v3.20.0", 2)] {
        let mut a = answers("seed-v1.19.yaml");
        a.calico.install = dsinstall::answers::CalicoInstall::Operator;
        a.calico.version = version.into();
        let d = render(&a);
        assert_eq!(d.len(), want, "{version}");
        assert_eq!(
            d.last().unwrap()["kind"],
            if want == 2 {
                "APIServer"
            } else {
                "Installation"
            }
        );
    }
}

#[test]
fn the_operator_manifest_gets_the_registry_and_keeps_everything_else() {
    let upstream =
        std::fs::read_to_string(common::fixture("calico/tigera-operator-v3.32.1.yaml")).unwrap();
    let mut a = answers("modern-v1.31-ipv6-primary.yaml");
    a.calico.version = "v3.32.1".into();
    let plan = plan::check(&a).plan.unwrap();
    let patched = dsinstall::render::calico::patch_operator(&upstream, &plan).unwrap();
    // Only the image line (and the note) differ from upstream.
    let removed: Vec<&str> = upstream.lines().filter(|l| !patched.contains(*l)).collect();
    assert_eq!(
        removed,
        ["          image: quay.io/tigera/operator:v1.42.3"]
    );
    assert!(patched.contains("          image: \"registry.local:5000/tigera/operator:v1.42.3\""));
    assert_eq!(docs(&patched).len(), docs(&upstream).len());
    // No registry: upstream's text as it is.
    a.calico.registry = None;
    let plan = plan::check(&a).plan.unwrap();
    assert_eq!(
        dsinstall::render::calico::patch_operator(&upstream, &plan).unwrap(),
        upstream
    );
}

/// The operator installs the Calico it was built for: calico@v3.32.1's tigera-operator.yaml
/// runs quay.io/tigera/operator:v1.42.3, the operator of v3.32 (`operator_minor`), so it
/// is refused for calico.version v3.31.2 as a calico.yaml of another version is.
#[test]
fn an_operator_manifest_of_another_calico_is_refused() {
    let upstream =
        std::fs::read_to_string(common::fixture("calico/tigera-operator-v3.32.1.yaml")).unwrap();
    let mut a = answers("modern-v1.31-ipv6-primary.yaml");
    a.calico.version = "v3.31.2".into();
    let plan = plan::check(&a).plan.unwrap();
    let e = dsinstall::render::calico::patch_operator(&upstream, &plan)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "calico.manifest: the manifest is tigera-operator v1.42.3 (image quay.io/tigera/operator:v1.42.3), the operator of Calico v3.32, but calico.version is v3.31.2 (Calico v3.31.2 ships tigera-operator v1.40.x); use the tigera-operator.yaml of v3.31.2 or change calico.version"
    );
    // An operator no Calico of the table ships (a newer release's).
    let newer = upstream.replace("operator:v1.42.3", "operator:v1.44.0");
    a.calico.version = "v3.32.1".into();
    let plan = plan::check(&a).plan.unwrap();
    let e = dsinstall::render::calico::patch_operator(&newer, &plan)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("tigera-operator v1.44.0 (image quay.io/tigera/operator:v1.44.0), the operator of no Calico release dsinstall knows (v3.15–v3.32)"),
        "{e}"
    );
    // Moved to a registry with a port, the tag is still read.
    let moved = upstream.replace(
        "quay.io/tigera/operator:v1.42.3",
        "registry.local:5000/tigera/operator:v1.42.3",
    );
    assert!(dsinstall::render::calico::patch_operator(&moved, &plan).is_ok());
}
