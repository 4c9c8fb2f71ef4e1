//! `dsinstall render` as a user runs it: the real binary, real fixture answers.

mod common;
mod render_support;

use dsinstall::answers::Answers;
use render_support::*;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&std::ffi::OsStr]) -> Run {
    let out: Output = Command::new(common::bin())
        .args(args)
        .output()
        .expect("dsinstall runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

fn render(answers: &Path, out: &Path, templates: Option<&Path>) -> Run {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "render".as_ref(),
        "--answers".as_ref(),
        answers.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    if let Some(t) = templates {
        args.push("--templates".as_ref());
        args.push(t.as_os_str());
    }
    run(&args)
}

/// Errors are one line each, `dsinstall: ...`; the plan's warnings come before them.
fn error_lines(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.starts_with("dsinstall:"))
        .count()
}

fn write_answers(dir: &Path, name: &str, a: &Answers) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, a.to_yaml()).unwrap();
    p
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect(),
        Err(_) => return vec!["<absent>".into()],
    };
    v.sort();
    v
}

const SEED_FILES: [&str; 9] = [
    "calico.yaml",
    "images.txt",
    "join-node02.yaml",
    "join-node03.yaml",
    "kubeadm-config.yaml",
    "modules-kubernetes.conf",
    "plan.txt",
    "sysctl-kubernetes.conf",
    "verify-workload.yaml",
];

fn token_of(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("kubeadm-config.yaml")).unwrap();
    doc(&text, "InitConfiguration")["bootstrapTokens"][0]["token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn seed_answers_render_every_file_with_a_fresh_token() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = write_answers(tmp.path(), "seed.yaml", &fixture("seed-v1.19.yaml"));
    let out = tmp.path().join("out");
    let r = render(&answers, &out, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(listing(&out), SEED_FILES);
    for f in SEED_FILES {
        assert!(
            r.stdout.contains(f),
            "stdout does not list {f}: {}",
            r.stdout
        );
    }
    // The files with the token are private.
    for f in ["kubeadm-config.yaml", "join-node02.yaml"] {
        let mode = std::fs::metadata(out.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{f}");
    }
    let mode = std::fs::metadata(out.join("verify-workload.yaml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
    // The seed's 1.19 warning is shown, not hidden.
    assert!(r.stderr.contains("single --node-ip"), "{}", r.stderr);

    let first = token_of(&out);
    let out2 = tmp.path().join("out2");
    assert_eq!(render(&answers, &out2, None).code, 0);
    let second = token_of(&out2);
    assert!(dsinstall::render::is_bootstrap_token(&first), "{first}");
    assert_ne!(first, "abcdef.0123456789abcdef");
    assert_ne!(first, second, "every render draws a new token");
    let join = std::fs::read_to_string(out2.join("join-node03.yaml")).unwrap();
    assert!(join.contains(&second));

    // Rendering other answers into the same directory names what is left over.
    let mut a = fixture("seed-v1.19.yaml");
    a.nodes.truncate(1);
    let fewer = write_answers(tmp.path(), "fewer.yaml", &a);
    let r = render(&fewer, &out2, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("join-node03.yaml is left from an earlier render"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("join-node02.yaml is left"));
}

#[test]
fn operator_mode_writes_the_installation() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = common::fixture("answers/modern-v1.31-ipv6-primary.yaml");
    let out = tmp.path().join("out");
    let r = render(&answers, &out, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        listing(&out),
        [
            "calico-installation.yaml",
            "images.txt",
            "kubeadm-config.yaml",
            "modules-kubernetes.conf",
            "plan.txt",
            "sysctl-kubernetes.conf",
            "verify-workload.yaml"
        ]
    );
    // With a registry and no operator manifest, the operator's own image is named.
    assert!(r.stderr.contains("quay.io/tigera/operator"), "{}", r.stderr);
    // Calico v3.28's tigera-operator.yaml still carries the CRDs.
    let plan = std::fs::read_to_string(out.join("plan.txt")).unwrap();
    assert!(!plan.contains("operator-crds.yaml"), "{plan}");
    let op = plan
        .find("1. tigera-operator.yaml of Calico v3.28.2")
        .expect("the operator first");
    let inst = plan
        .find("2. calico-installation.yaml")
        .expect("then the Installation");
    assert!(op < inst, "{plan}");
}

#[test]
fn operator_mode_rewrites_the_operator_image_from_its_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = Answers::load(&common::fixture("answers/modern-v1.31-ipv6-primary.yaml")).unwrap();
    a.calico.version = "v3.32.1".into();
    a.calico.manifest = Some(operator_fixture("v3.32.1"));
    let crds = common::fixture("calico/operator-crds-v3.32.1.yaml");
    a.calico.operator_crds = Some(crds.display().to_string());
    let answers = write_answers(tmp.path(), "op.yaml", &a);
    let out = tmp.path().join("out");
    let r = render(&answers, &out, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Upstream's operator-crds.yaml, copied byte for byte.
    assert_eq!(
        std::fs::read(out.join("operator-crds.yaml")).unwrap(),
        std::fs::read(&crds).unwrap()
    );
    // From v3.30 the CRDs come first, in operator-crds.yaml.
    let plan = std::fs::read_to_string(out.join("plan.txt")).unwrap();
    let crds = plan
        .find("1. operator-crds.yaml of Calico v3.32.1")
        .expect("CRDs first");
    let op = plan
        .find("2. tigera-operator.yaml, rendered from calico.manifest with the operator image from registry.local:5000")
        .expect("then the operator");
    let inst = plan
        .find("3. calico-installation.yaml")
        .expect("then the Installation");
    assert!(crds < op && op < inst, "{plan}");
    let inst = std::fs::read_to_string(out.join("calico-installation.yaml")).unwrap();
    assert!(inst.contains("# Create after operator-crds.yaml and tigera-operator.yaml"));
    assert!(
        !r.stderr.contains("quay.io/tigera/operator"),
        "{}",
        r.stderr
    );
    let op = std::fs::read_to_string(out.join("tigera-operator.yaml")).unwrap();
    assert!(
        op.contains("          image: \"registry.local:5000/tigera/operator:v1.42.3\""),
        "{op}"
    );
    assert!(!op.contains("quay.io/tigera/operator"));
    // Upstream's comments stay, e.g. on the CRD flag.
    assert!(
        op.contains("# Configure tigera-operator to manage installation of the necessary CRDs.")
    );
    let images = std::fs::read_to_string(out.join("images.txt")).unwrap();
    assert!(
        images
            .lines()
            .any(|l| l == "registry.local:5000/tigera/operator:v1.42.3"),
        "{images}"
    );
    // A calico.yaml where tigera-operator.yaml belongs is refused by name.
    a.calico.manifest = Some(calico_fixture("v3.32.1"));
    let wrong = write_answers(tmp.path(), "wrong.yaml", &a);
    let r = render(&wrong, &tmp.path().join("out2"), None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("tigera-operator.yaml: "), "{}", r.stderr);
    assert!(
        r.stderr.contains("no Deployment tigera-operator"),
        "{}",
        r.stderr
    );
}

/// operator-crds.yaml is found beside calico.manifest, as upstream publishes the two; a
/// named one that is missing says where to get it; a file that is not it is refused.
#[test]
fn operator_crds_beside_the_manifest_are_found_and_a_wrong_one_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::fixture("calico/tigera-operator-v3.32.1.yaml"),
        tmp.path().join("tigera-operator.yaml"),
    )
    .unwrap();
    std::fs::copy(
        common::fixture("calico/operator-crds-v3.32.1.yaml"),
        tmp.path().join("operator-crds.yaml"),
    )
    .unwrap();
    let mut a = Answers::load(&common::fixture("answers/modern-v1.31-ipv6-primary.yaml")).unwrap();
    a.calico.version = "v3.32.1".into();
    a.calico.manifest = Some("./tigera-operator.yaml".into());
    let answers = write_answers(tmp.path(), "op.yaml", &a);
    let out = tmp.path().join("out");
    let r = render(&answers, &out, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("operator-crds.yaml"), "{}", r.stdout);
    assert!(out.join("operator-crds.yaml").is_file());

    a.calico.operator_crds = Some("./nope/operator-crds.yaml".into());
    let missing = write_answers(tmp.path(), "missing.yaml", &a);
    let r = render(&missing, &tmp.path().join("out2"), None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("calico.operatorCrds: cannot read"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("https://raw.githubusercontent.com/projectcalico/calico/v3.32.1/manifests/operator-crds.yaml"),
        "{}",
        r.stderr
    );

    a.calico.operator_crds = Some("./tigera-operator.yaml".into());
    let wrong = write_answers(tmp.path(), "wrong.yaml", &a);
    let r = render(&wrong, &tmp.path().join("out3"), None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("no CustomResourceDefinition installations.operator.tigera.io"),
        "{}",
        r.stderr
    );
    assert!(!tmp.path().join("out3").exists());
}

/// Answers that the plan rejects: exit 2, the field on stderr, and the output directory
/// exactly as it was.
#[test]
fn bad_answers_write_nothing_and_name_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = fixture("seed-v1.19.yaml");
    let mut cases: Vec<(&str, String, &str)> = Vec::new();

    let mut a = seed.clone();
    a.networking.pod_subnets[0] = "10.10.0.5/16".into();
    cases.push(("host-bits", a.to_yaml(), "networking.podSubnets[0]"));

    let mut a = seed.clone();
    a.calico.ipv6_encapsulation = Some(dsinstall::answers::Encapsulation::Ipip);
    cases.push(("ipip-v6", a.to_yaml(), "calico.ipv6Encapsulation"));

    let mut a = seed.clone();
    a.networking.pod_subnets.push("10.20.0.0/16".into());
    cases.push(("three-pods", a.to_yaml(), "networking.podSubnets"));

    let text = seed
        .to_yaml()
        .replace("kubernetes:\n", "kubernetes:\n  colour: blue\n");
    cases.push(("unknown-key", text, "colour"));

    for (name, text, field) in cases {
        let answers = tmp.path().join(format!("{name}.yaml"));
        std::fs::write(&answers, text).unwrap();
        // An output directory that already holds a file, and one that does not exist.
        let out = tmp.path().join(format!("out-{name}"));
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("keep.txt"), "mine").unwrap();
        let r = render(&answers, &out, None);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(field),
            "{name}: stderr does not name {field}: {}",
            r.stderr
        );
        assert_eq!(listing(&out), ["keep.txt"], "{name}");
        let absent = tmp.path().join(format!("absent-{name}"));
        assert_eq!(render(&answers, &absent, None).code, 2);
        assert!(!absent.exists(), "{name}: created {}", absent.display());
    }
}

#[test]
fn a_missing_calico_manifest_is_one_line_naming_the_field_and_the_download() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = fixture("seed-v1.19.yaml");
    a.calico.manifest = None;
    let answers = write_answers(tmp.path(), "a.yaml", &a);
    let out = tmp.path().join("out");
    let r = render(&answers, &out, None);
    assert_eq!(r.code, 2);
    assert_eq!(error_lines(&r.stderr), 1, "{}", r.stderr);
    assert!(r.stderr.contains("calico.manifest"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("https://docs.projectcalico.org/v3.15/manifests/calico.yaml"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());

    a.calico.manifest = Some(tmp.path().join("nope.yaml").display().to_string());
    a.calico.version = "v3.28.2".into();
    let answers = write_answers(tmp.path(), "b.yaml", &a);
    let r = render(&answers, &out, None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope.yaml"), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "https://raw.githubusercontent.com/projectcalico/calico/v3.28.2/manifests/calico.yaml"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_templates_dir_overrides_one_template() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = write_answers(tmp.path(), "seed.yaml", &fixture("seed-v1.19.yaml"));
    let tdir = tmp.path().join("templates");
    std::fs::create_dir(&tdir).unwrap();
    std::fs::write(
        tdir.join("sysctl-kubernetes.conf.j2"),
        "# site policy\nnet.ipv4.ip_forward=1\n{% if sysctl.enable_ipv6 %}net.ipv6.conf.all.forwarding=1\n{% endif %}",
    )
    .unwrap();
    std::fs::write(tdir.join("README.txt"), "not a template").unwrap();
    let out = tmp.path().join("out");
    let r = render(&answers, &out, Some(&tdir));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sysctl = std::fs::read_to_string(out.join("sysctl-kubernetes.conf")).unwrap();
    assert_eq!(
        sysctl,
        "# site policy\nnet.ipv4.ip_forward=1\nnet.ipv6.conf.all.forwarding=1\n"
    );
    // The other templates are still the embedded ones.
    let k = std::fs::read_to_string(out.join("kubeadm-config.yaml")).unwrap();
    assert!(k.contains("kind: ClusterConfiguration"));
}

#[test]
fn an_unknown_template_name_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = write_answers(tmp.path(), "seed.yaml", &fixture("seed-v1.19.yaml"));
    let tdir = tmp.path().join("templates");
    std::fs::create_dir(&tdir).unwrap();
    std::fs::write(tdir.join("kubeadm.yaml.j2"), "kind: Typo\n").unwrap();
    let out = tmp.path().join("out");
    let r = render(&answers, &out, Some(&tdir));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("kubeadm.yaml.j2"), "{}", r.stderr);
    assert!(
        r.stderr.contains("kubeadm-config.yaml.j2"),
        "names the known ones: {}",
        r.stderr
    );
    assert!(!out.exists());
}

#[test]
fn a_template_that_breaks_yaml_or_names_an_unknown_value_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let answers = write_answers(tmp.path(), "seed.yaml", &fixture("seed-v1.19.yaml"));
    for (name, body, want) in [
        ("broken", "a: [unclosed\n", "not valid YAML"),
        ("undefined", "kind: {{ no_such_value }}\n", "undefined"),
    ] {
        let tdir = tmp.path().join(format!("t-{name}"));
        std::fs::create_dir(&tdir).unwrap();
        std::fs::write(tdir.join("verify-workload.yaml.j2"), body).unwrap();
        let out = tmp.path().join(format!("out-{name}"));
        let r = render(&answers, &out, Some(&tdir));
        assert_eq!(r.code, 2, "{name}");
        assert_eq!(error_lines(&r.stderr), 1, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains("verify-workload.yaml"),
            "{name}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(want), "{name}: {}", r.stderr);
        assert!(!out.exists(), "{name}");
    }
}

#[test]
fn a_relative_manifest_is_read_beside_the_answers_file() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    std::fs::create_dir(&bundle).unwrap();
    std::fs::copy(
        common::fixture("calico/calico-v3.15.3.yaml"),
        bundle.join("calico.yaml"),
    )
    .unwrap();
    let mut a = Answers::seed();
    a.calico.manifest = Some("calico.yaml".into());
    let answers = write_answers(&bundle, "answers.yaml", &a);
    // Run from elsewhere: the path is the answers file's, not the working directory's.
    let out = dir.path().join("out");
    let r = render(&answers, &out, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(out.join("calico.yaml").exists());
    std::fs::remove_file(bundle.join("calico.yaml")).unwrap();
    let r = render(&answers, &dir.path().join("out2"), None);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("calico.manifest: cannot read")
            && r.stderr.contains("bundle/calico.yaml"),
        "{}",
        r.stderr
    );
}

#[test]
fn only_a_missing_manifest_is_told_where_to_download_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("calico.yaml")).unwrap();
    let mut a = Answers::seed();
    a.calico.manifest = Some("calico.yaml".into());
    let answers = write_answers(dir.path(), "answers.yaml", &a);
    // A directory where the manifest should be: the system's error, no download advice.
    let r = render(&answers, &dir.path().join("out"), None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("calico.manifest: "), "{}", r.stderr);
    assert!(!r.stderr.contains("curl"), "{}", r.stderr);
    // Missing: where to get it.
    a.calico.manifest = Some("absent.yaml".into());
    let answers = write_answers(dir.path(), "answers.yaml", &a);
    let r = render(&answers, &dir.path().join("out"), None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("curl -fLO"), "{}", r.stderr);
}

/// A calico.yaml of another release than calico.version: refused on the field, before any
/// patching, with the planned release's download and the other way out.
#[test]
fn a_manifest_of_another_release_is_refused_with_the_right_download() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Answers::seed();
    a.calico.manifest = Some(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/calico/calico-v3.32.1.yaml"
        )
        .into(),
    );
    let answers = write_answers(dir.path(), "answers.yaml", &a);
    let r = render(&answers, &dir.path().join("out"), None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| !l.starts_with("warning:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("is Calico v3.32.1 (image")
            && r.stderr.contains("but calico.version is v3.15.3")
            && r.stderr.contains("curl -fLO https://")
            && r.stderr.contains("v3.15")
            && r.stderr.contains("or set calico.version to v3.32.1"),
        "{}",
        r.stderr
    );
    assert!(!dir.path().join("out").exists(), "nothing written");
}
