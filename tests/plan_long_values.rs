//! A huge or hostile answers value makes a short, safe problem line: `dsinstall plan`
//! shows each user value cut to a few dozen characters and escaped, never a megabyte
//! line or raw terminal commands (the regex crate's error, for one, echoes the whole
//! pattern it failed to compile).

mod common;

use common::{bin, fixture};
use serde_yaml::Value;
use std::process::Command;

/// Fields that hold a free string, each with the answers path `plan` names it by.
const FIELDS: &[&str] = &[
    "node.name",
    "node.ipv4",
    "kubernetes.version",
    "kubernetes.imageRepository",
    "kubernetes.criSocket",
    "kubernetes.clusterName",
    "kubernetes.controlPlaneEndpoint",
    "networking.dnsDomain",
    "calico.version",
    "calico.registry",
    "calico.ipv4Pool",
    "calico.ipv4AutodetectionMethod",
    "calico.ipv6AutodetectionMethod",
    "verify.serverImage",
    "verify.clientImage",
    "verify.namespace",
    "nodes[0].name",
    "nodes[0].ssh.host",
];

/// Just under the answers file limit (1 MiB) with the rest of the guide's answers.
const HUGE: usize = 1_000_000;

/// The guide's answers with `path` set to `value`, written to a file in `dir`.
fn answers_with(dir: &std::path::Path, path: &str, value: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(fixture("answers/seed-v1.19.yaml")).unwrap();
    let mut doc: Value = serde_yaml::from_str(&text).unwrap();
    let mut at = &mut doc;
    for key in path.split('.') {
        let (name, index) = match key.split_once('[') {
            Some((n, i)) => (n, Some(i.trim_end_matches(']').parse::<usize>().unwrap())),
            None => (key, None),
        };
        let map = at.as_mapping_mut().unwrap();
        if !map.contains_key(name) {
            map.insert(name.into(), Value::Mapping(Default::default()));
        }
        at = map.get_mut(name).unwrap();
        if let Some(i) = index {
            at = &mut at.as_sequence_mut().unwrap()[i];
        }
    }
    *at = Value::String(value.to_string());
    let file = dir.join(format!("{path}.yaml"));
    std::fs::write(&file, serde_yaml::to_string(&doc).unwrap()).unwrap();
    file
}

/// What each field gets: a megabyte that fails its check (an autodetection method is an
/// unclosed regex group; a space is refused everywhere else), and a shorter one that clears
/// the screen.
fn values(path: &str) -> [String; 2] {
    let body = "x".repeat(HUGE);
    if path.ends_with("AutodetectionMethod") {
        [
            format!("interface={body}("),
            "interface=\x1b[2J(".to_string(),
        ]
    } else {
        [
            format!("{body} !"),
            format!("\x1b[2J{} !", "x".repeat(1000)),
        ]
    }
}

#[test]
fn every_string_field_makes_short_escaped_problem_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for path in FIELDS {
        for (n, value) in values(path).iter().enumerate() {
            let file = answers_with(dir.path(), path, value);
            let out = Command::new(bin())
                .args(["plan", "--answers"])
                .arg(&file)
                .output()
                .unwrap();
            let what = format!("{path} (value {n}, {} bytes)", value.len());
            if out.status.code() != Some(2) {
                failures.push(format!("{what}: exit {:?}", out.status.code()));
            }
            let both = [&out.stdout[..], &out.stderr[..]].concat();
            if both.contains(&0x1b) {
                failures.push(format!("{what}: a raw ESC was printed"));
            }
            if let Some(long) = both.split(|b| *b == b'\n').map(<[u8]>::len).max()
                && long >= 600
            {
                failures.push(format!("{what}: a line of {long} bytes"));
            }
            if !String::from_utf8_lossy(&both).contains(*path) {
                failures.push(format!("{what}: the field is not named"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A hostile node name reaches the messages that name the node only when the node lacks
/// an address or joins as a control plane without an endpoint: those lines stay one short,
/// escaped line too.
#[test]
fn a_hostile_node_name_stays_escaped_where_a_node_is_named() {
    let text = std::fs::read_to_string(fixture("answers/seed-v1.19.yaml")).unwrap();
    let mut a = dsinstall::answers::Answers::from_yaml(&text, "seed.yaml").unwrap();
    let n = &mut a.nodes[0];
    n.name = format!("a\nb\u{1b}[2J{}", "x".repeat(10_000));
    n.ipv6 = None;
    n.role = dsinstall::answers::NodeRole::ControlPlane;
    a.kubernetes.control_plane_endpoint = None;
    let checked = dsinstall::plan::check(&a);
    let named: Vec<_> = checked
        .problems
        .iter()
        .filter(|p| p.path == "nodes[0].ipv6" || p.path == "kubernetes.controlPlaneEndpoint")
        .collect();
    assert_eq!(named.len(), 2, "{:?}", checked.problems);
    for p in checked.problems {
        assert!(
            !p.message.contains('\n') && !p.message.contains('\u{1b}'),
            "{p}"
        );
        assert!(
            p.message.len() < 600,
            "{} bytes: {}",
            p.message.len(),
            p.path
        );
    }
}
