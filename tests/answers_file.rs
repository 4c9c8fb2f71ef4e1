//! The answers file contract (README: "The answers file"): load, save, round-trip, and bad input
//! rejected with the field path.

mod common;

use dsinstall::answers::{Answers, LoadError};

fn load(text: &str) -> Result<Answers, LoadError> {
    Answers::from_yaml(text, "answers.yaml")
}

fn seed_text() -> String {
    std::fs::read_to_string(common::fixture("answers/seed-v1.19.yaml")).unwrap()
}

#[test]
fn fixtures_load_and_round_trip() {
    for name in ["seed-v1.19.yaml", "modern-v1.31-ipv6-primary.yaml"] {
        let path = common::fixture(&format!("answers/{name}"));
        let a = Answers::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let again = load(&a.to_yaml()).unwrap();
        assert_eq!(a, again, "{name} round-trips");
    }
}

#[test]
fn save_is_atomic_and_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("answers.yaml");
    let a = Answers::seed();
    a.save(&path, false).unwrap();
    assert_eq!(Answers::load(&path).unwrap(), a);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temp file left behind: {names:?}");
    use std::os::unix::fs::PermissionsExt;
    let secret = dir.path().join("with-secret.yaml");
    a.save(&secret, true).unwrap();
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn save_into_a_missing_directory_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/answers.yaml");
    assert!(Answers::seed().save(&path, false).is_err());
}

fn expect_error(text: &str, path: &str, needle: &str) {
    let e = load(text).expect_err("must be rejected");
    assert_eq!(e.path, path, "{e}");
    assert!(e.message.contains(needle), "{e}");
    assert!(!e.to_string().contains('\n'), "one line: {e}");
}

#[test]
fn unknown_keys_are_rejected_with_their_path() {
    expect_error(
        &format!("{}\nextra: 1\n", seed_text()),
        "extra",
        "unknown field `extra`",
    );
    let t = seed_text().replace(
        "  dnsDomain: cluster.local",
        "  dnsDomain: cluster.local\n  podCidr: 10.0.0.0/8",
    );
    expect_error(&t, "networking.podCidr", "unknown field `podCidr`");
    let t = seed_text().replace("  mtu: 1440", "  mtu: 1440\n  ipv6Pools: []");
    expect_error(&t, "calico.ipv6Pools", "unknown field `ipv6Pools`");
}

#[test]
fn wrong_types_are_rejected_with_their_path() {
    let t = seed_text().replace("  mtu: 1440", "  mtu: big");
    expect_error(&t, "calico.mtu", "invalid type");
    let t = seed_text().replace(
        "podSubnets: [10.10.0.0/16, 2019:20::/112]",
        "podSubnets: [10.10.0.0/16, {a: 1}]",
    );
    expect_error(&t, "networking.podSubnets[1]", "invalid type");
    let t = seed_text().replace("  install: manifest", "  install: helm");
    expect_error(&t, "calico.install", "unknown variant `helm`");
    let t = seed_text().replace("  proxyMode: iptables", "  proxyMode: userspace");
    expect_error(&t, "kubernetes.proxyMode", "unknown variant");
    let t = seed_text().replace("nodePort: 31111", "nodePort: 70000");
    expect_error(&t, "verify.nodePort", "invalid value");
}

#[test]
fn wrong_api_version_and_kind_are_named() {
    let t = seed_text().replace("apiVersion: dsinstall/v1alpha1", "apiVersion: dsinstall/v1");
    expect_error(&t, "apiVersion", "expected \"dsinstall/v1alpha1\"");
    let t = seed_text().replace("kind: Answers", "kind: Config");
    expect_error(&t, "kind", "expected \"Answers\"");
    let t = seed_text().replace("kind: Answers\n", "");
    expect_error(&t, "kind", "missing");
}

#[test]
fn missing_required_fields_are_named() {
    let t = seed_text().replace("  version: v1.19.0\n", "");
    expect_error(&t, "kubernetes", "missing field `version`");
}

#[test]
fn not_yaml_or_not_a_mapping() {
    for text in ["", "- a\n- b\n", "a: [", "\u{0}", "42"] {
        let e = load(text).expect_err(text);
        assert!(!e.to_string().contains('\n'), "{e}");
    }
}

#[test]
fn duplicate_keys_are_rejected() {
    let t = seed_text().replace("  mtu: 1440", "  mtu: 1440\n  mtu: 1500");
    assert!(load(&t).is_err());
}
