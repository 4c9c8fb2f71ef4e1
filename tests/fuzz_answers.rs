//! No answers file makes dsinstall panic: mutate the fixtures (structurally and as raw text),
//! then load, check, report and render whatever loads.

mod common;

use dsinstall::answers::Answers;
use dsinstall::plan;
use dsinstall::render::{self, RenderInputs, Templates};
use proptest::prelude::*;
use serde_yaml::Value;

fn fixtures() -> Vec<String> {
    ["seed-v1.19.yaml", "modern-v1.31-ipv6-primary.yaml"]
        .iter()
        .map(|n| std::fs::read_to_string(common::fixture(&format!("answers/{n}"))).unwrap())
        .collect()
}

/// Values that have broken parsers before: edges of every range the plan checks.
fn tricky() -> Vec<Value> {
    let strs = [
        "",
        " ",
        "::",
        "0.0.0.0",
        "0.0.0.0/0",
        "::/0",
        "::/128",
        "2019:20::/129",
        "2019:20::5/112",
        "10.10.0.0/33",
        "255.255.255.255/32",
        "fe80::1/64",
        "fe80::1",
        "ff02::1",
        "::ffff:1.2.3.4",
        "::ffff:10.0.0.0/104",
        "1.2.3.4:0",
        "[::1]:65536",
        "[2018::20]",
        "v1.19",
        "v1.99.0",
        "v1",
        "v0.0.0",
        "v4294967296.1.1",
        "v1.19.0-rc.1",
        "interface=",
        "cidr=,",
        "cidr=::/0",
        "can-reach=",
        "unix://",
        "tcp://x",
        "ÿ",
        "节点",
        "a\nb",
        "-",
        ".",
        "a..b",
        "x".repeat(300).leak(),
        "IPIP",
        "VXLAN",
        "None",
        "ipv4",
        "ipv6",
        "manifest",
        "operator",
        "worker",
        "control-plane",
    ];
    let mut v: Vec<Value> = strs.iter().map(|s| Value::String(s.to_string())).collect();
    for n in [
        0i64,
        -1,
        1,
        8,
        24,
        32,
        64,
        112,
        120,
        128,
        129,
        255,
        256,
        1280,
        65535,
        65536,
        i64::MAX,
        i64::MIN,
    ] {
        v.push(Value::Number(n.into()));
    }
    v.push(Value::Number(serde_yaml::Number::from(1.5f64)));
    v.push(Value::Bool(true));
    v.push(Value::Null);
    v.push(Value::Sequence(vec![]));
    v.push(Value::Sequence(vec![
        "10.0.0.0/8".into(),
        "fd00::/8".into(),
        "10.1.0.0/16".into(),
    ]));
    v.push(Value::Sequence(vec![
        "fd00::/112".into(),
        "fd01::/112".into(),
    ]));
    v.push(Value::Mapping(Default::default()));
    v
}

/// Every path to a node in the document, as a list of keys / indices.
fn paths(v: &Value, prefix: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(prefix.clone());
    match v {
        Value::Mapping(m) => {
            for (k, child) in m {
                let mut p = prefix.clone();
                p.push(k.clone());
                paths(child, p, out);
            }
        }
        Value::Sequence(s) => {
            for (i, child) in s.iter().enumerate() {
                let mut p = prefix.clone();
                p.push(Value::Number((i as u64).into()));
                paths(child, p, out);
            }
        }
        _ => {}
    }
}

fn node_at<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
    let mut cur = v;
    for k in path {
        cur = match (cur, k) {
            (Value::Sequence(s), Value::Number(n)) => &mut s[n.as_u64().unwrap() as usize],
            (Value::Mapping(m), k) => m.get_mut(k).unwrap(),
            _ => unreachable!(),
        };
    }
    cur
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace { path: usize, value: usize },
    Delete { path: usize },
    AddKey { path: usize, value: usize },
}

fn mutate(doc: &str, muts: &[Mutation]) -> String {
    let mut v: Value = serde_yaml::from_str(doc).unwrap();
    let tricky = tricky();
    for m in muts {
        let mut ps = Vec::new();
        paths(&v, vec![], &mut ps);
        match m {
            Mutation::Replace { path, value } => {
                let p = &ps[path % ps.len()];
                *node_at(&mut v, p) = tricky[value % tricky.len()].clone();
            }
            Mutation::Delete { path } => {
                let p = &ps[path % ps.len()];
                if let Some((last, parent)) = p.split_last() {
                    match node_at(&mut v, parent) {
                        Value::Mapping(m) => {
                            m.remove(last);
                        }
                        Value::Sequence(s) => {
                            s.remove(last.as_u64().unwrap() as usize);
                        }
                        _ => {}
                    }
                }
            }
            Mutation::AddKey { path, value } => {
                let p = &ps[path % ps.len()];
                if let Value::Mapping(m) = node_at(&mut v, p) {
                    let keys = [
                        "ipv6Pool",
                        "ipv4",
                        "nodeMaskSizes",
                        "bogus",
                        "ipv6BlockSize",
                        "controlPlaneEndpoint",
                        "apiAdvertise",
                        "role",
                    ];
                    m.insert(
                        keys[value % keys.len()].into(),
                        tricky[value % tricky.len()].clone(),
                    );
                }
            }
        }
    }
    serde_yaml::to_string(&v).unwrap()
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<usize>()).prop_map(|(path, value)| Mutation::Replace { path, value }),
        1 => any::<usize>().prop_map(|path| Mutation::Delete { path }),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(path, value)| Mutation::AddKey { path, value }),
    ]
}

/// Everything a user's file goes through before anything is written.
fn exercise(text: &str) {
    if let Ok(a) = Answers::from_yaml(text, "fuzz.yaml") {
        let checked = plan::check(&a);
        let _ = plan::report::text(&checked);
        for p in &checked.problems {
            assert!(!p.path.is_empty(), "every problem names a field: {p}");
            assert!(!p.message.contains('\n'), "one line: {p}");
        }
        if let Some(plan) = &checked.plan {
            assert!(!checked.has_errors());
            assert!(!plan.families.is_empty());
            let _ = a.to_yaml();
            // Rendering a valid plan never panics; in manifest mode without a manifest it
            // is an error naming calico.yaml (patching the 180 kB manifest per case would
            // make this test minutes long; tests/calico_patch.rs covers the patch).
            let inputs = RenderInputs {
                bootstrap_token: "abcdef.0123456789abcdez".into(),
                certificate_key: "0".repeat(64),
                calico_manifest: None,
                calico_manifest_source: None,
                operator_crds: None,
                operator_crds_source: None,
                plan_text: "plan".into(),
            };
            match render::render(plan, &Templates::embedded(), &inputs) {
                Ok(files) => assert!(files.iter().all(|f| !f.contents.is_empty())),
                Err(e) => assert!(!e.to_string().contains('\n'), "one line: {e}"),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn structural_mutations_never_panic(which in 0usize..2, muts in prop::collection::vec(mutation(), 1..4)) {
        let doc = mutate(&fixtures()[which], &muts);
        exercise(&doc);
    }

    #[test]
    fn raw_text_mutations_never_panic(which in 0usize..2, edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
        let mut bytes = fixtures()[which].clone().into_bytes();
        for (pos, b) in edits {
            let i = pos % bytes.len();
            bytes[i] = b;
        }
        exercise(&String::from_utf8_lossy(&bytes));
    }
}

/// The mutations must reach the plan, not just the YAML parser; otherwise the properties above
/// would prove little.
#[test]
fn mutations_reach_the_checks() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let (mut loaded, mut planned, mut rejected) = (0, 0, 0);
    let docs = fixtures();
    for i in 0..400 {
        let muts = prop::collection::vec(mutation(), 1..3)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let text = mutate(&docs[i % 2], &muts);
        if let Ok(a) = Answers::from_yaml(&text, "fuzz.yaml") {
            loaded += 1;
            if plan::check(&a).plan.is_some() {
                planned += 1;
            } else {
                rejected += 1;
            }
        }
    }
    assert!(
        loaded > 100 && planned > 20 && rejected > 20,
        "loaded {loaded}, planned {planned}, rejected {rejected}"
    );
}
