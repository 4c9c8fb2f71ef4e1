//! Every host warning the detector gives has a `warning.<id>` text in both wizard languages
//! that uses only the values the warning carries; in English it reads exactly as
//! `dsinstall detect` prints it.

use dsinstall::host::facts::{Address, ExistingCluster, HostFacts, HostWarning, Tool};
use dsinstall::host::{demo_facts, warnings::warnings};
use dsinstall::tui::i18n::{Lang, placeholders};
use std::collections::BTreeSet;
use std::time::Duration;

/// Hosts that between them raise every warning (the conditions of src/host/warnings.rs).
fn hosts() -> Vec<HostFacts> {
    let demo = demo_facts();

    let mut broken = demo.clone();
    broken.is_root = false;
    broken.swap_on = true;
    broken.existing_cluster = Some(ExistingCluster {
        evidence: vec!["/etc/kubernetes/admin.conf".into()],
    });
    broken.tools.insert("kubeadm".into(), None);
    broken
        .sysctls
        .insert("net.ipv6.conf.all.disable_ipv6".into(), "1".into());
    broken.default_routes.clear();

    let mut no_kernel_ipv6 = demo.clone();
    no_kernel_ipv6
        .sysctls
        .retain(|k, _| !k.starts_with("net.ipv6"));
    no_kernel_ipv6
        .sysctls_missing
        .push("net.ipv6.conf.all.disable_ipv6".into());

    let mut link_local = demo.clone();
    for i in &mut link_local.interfaces {
        i.addresses
            .retain(|a| a.family == "ipv4" || a.scope != "global");
    }
    let mut tentative = link_local.clone();
    tentative.interfaces[2].addresses.push(Address {
        address: "2018::21".into(),
        prefix: 64,
        family: "ipv6".into(),
        scope: "global".into(),
        flags: vec!["dadfailed".into(), "tentative".into()],
        ..Default::default()
    });

    let mut ra = demo.clone();
    ra.default_routes[1].protocol = Some("ra".into());
    ra.sysctls
        .insert("net.ipv6.conf.ens224.accept_ra".into(), "1".into());

    let mut unusable = demo.clone();
    unusable.tools.insert(
        "kubeadm".into(),
        Some(Tool {
            path: "/opt/kubeadm".into(),
            version: None,
            problem: Some("is not executable".into()),
            problem_code: None,
        }),
    );

    // Its version command exited with status 1: how it ended is coded.
    let mut failing = demo.clone();
    let ended = unusable_kubeadm("exit 1");
    failing.tools.insert("kubeadm".into(), Some(ended));

    vec![
        failing,
        demo,
        broken,
        no_kernel_ipv6,
        link_local,
        tentative,
        ra,
        unusable,
    ]
}

fn all_warnings() -> Vec<HostWarning> {
    hosts().iter().flat_map(warnings).collect()
}

#[test]
fn english_texts_read_exactly_as_detect_prints() {
    let en = Lang::En.texts();
    for w in all_warnings() {
        assert_eq!(en.host_warning(&w), w.message, "warning.{}", w.id);
    }
}

#[test]
fn chinese_texts_exist_fit_their_args_and_keep_the_values() {
    let zh = Lang::ZhCn.texts();
    let keys: BTreeSet<&str> = zh.keys().collect();
    for w in all_warnings() {
        let key = format!("warning.{}", w.id);
        assert!(keys.contains(key.as_str()), "zh-CN lacks {key}");
        for n in placeholders(zh.t(&key)) {
            assert!(n < w.args.len() || w.args.is_empty(), "{key} uses {{{n}}}");
        }
        let text = zh.host_warning(&w);
        assert_ne!(text, w.message, "{key} is not translated");
        for (i, a) in w.args.iter().enumerate() {
            match w.arg_codes.get(i) {
                // A coded value is said in Chinese; its own data stays.
                Some(m) => {
                    for a in m.args.iter().filter(|a| !a.contains(' ')) {
                        assert!(text.contains(a.as_str()), "{key} drops {a}");
                    }
                }
                None => assert!(text.contains(a.as_str()), "{key} drops {a}"),
            }
        }
    }
}

#[test]
fn the_hosts_raise_every_translated_warning() {
    let seen: BTreeSet<String> = all_warnings().into_iter().map(|w| w.id).collect();
    for lang in [Lang::En, Lang::ZhCn] {
        for key in lang.texts().keys() {
            if let Some(id) = key.strip_prefix("warning.") {
                let id = id.strip_suffix(".bare").unwrap_or(id);
                assert!(seen.contains(id), "{lang:?} {key}: no host raises it");
            }
        }
    }
    assert!(seen.len() >= 13, "{seen:?}");
}

/// A kubeadm whose version command runs `body`, as detection records it.
fn unusable_kubeadm(body: &str) -> Tool {
    unusable_kubeadm_within(body, dsinstall::host::tools::TIMEOUT)
}

fn unusable_kubeadm_within(body: &str, timeout: Duration) -> Tool {
    use std::os::unix::fs::PermissionsExt;
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("dsinstall-hwt-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kubeadm");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let why = dsinstall::host::tools::probe(&path, &["version", "-o", "short"], timeout)
        .expect_err("the version command fails");
    std::fs::remove_dir_all(&dir).ok();
    Tool {
        path: "/opt/kubeadm".into(),
        version: None,
        problem: Some(why.text),
        problem_code: why.code.map(|m| *m),
    }
}

/// The English phrases of how a command ended.
const PHRASES: &[&str] = &[
    "exited with status",
    "did not finish",
    "was killed",
    "printed more than",
    "was cancelled",
];

fn unusable_warning(t: Tool) -> HostWarning {
    let mut f = demo_facts();
    f.tools.insert("kubeadm".into(), Some(t));
    let w = warnings(&f)
        .into_iter()
        .find(|w| w.id == "kubeadm-unusable")
        .expect("kubeadm-unusable");
    // As the wizard reads it: from detect's JSON.
    let json = serde_json::to_string(&w).unwrap();
    serde_json::from_str(&json).unwrap()
}

#[test]
fn a_chinese_kubeadm_unusable_warning_says_how_its_version_command_ended() {
    let zh = Lang::ZhCn.texts();
    let en = Lang::En.texts();
    let exited = unusable_warning(unusable_kubeadm("exit 1"));
    assert_eq!(
        exited.message,
        "kubeadm at /opt/kubeadm is not usable: `version -o short` exited with status 1; fix or replace it before the install"
    );
    assert_eq!(en.host_warning(&exited), exited.message);
    assert_eq!(
        zh.host_warning(&exited),
        "/opt/kubeadm 处的 kubeadm 无法使用：`version -o short`：以状态码 1 退出；安装前请修复或替换它"
    );

    let hung = unusable_warning(unusable_kubeadm_within(
        "sleep 30",
        Duration::from_millis(300),
    ));
    assert_eq!(
        hung.message,
        "kubeadm at /opt/kubeadm is not usable: `version -o short` did not finish within 0.3s; fix or replace it before the install"
    );
    assert_eq!(en.host_warning(&hung), hung.message);
    assert_eq!(
        zh.host_warning(&hung),
        "/opt/kubeadm 处的 kubeadm 无法使用：`version -o short`：未在 0.3s 内完成；安装前请修复或替换它"
    );
    // One that does not even start.
    let not_executable = {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("dsinstall-hwt-{}-x", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kubeadm");
        std::fs::write(&path, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let why = dsinstall::host::tools::probe(&path, &["version"], Duration::from_secs(3))
            .expect_err("a file without an execute bit does not run");
        std::fs::remove_dir_all(&dir).ok();
        unusable_warning(Tool {
            path: "/opt/kubeadm".into(),
            version: None,
            problem: Some(why.text),
            problem_code: why.code.map(|m| *m),
        })
    };
    assert_eq!(
        not_executable.message,
        "kubeadm at /opt/kubeadm is not usable: is not executable; fix or replace it before the install"
    );
    assert_eq!(en.host_warning(&not_executable), not_executable.message);
    assert_eq!(
        zh.host_warning(&not_executable),
        "/opt/kubeadm 处的 kubeadm 无法使用：不可执行；安装前请修复或替换它"
    );
    for w in [&exited, &hung] {
        let text = zh.host_warning(w);
        for p in PHRASES {
            assert!(!text.contains(p), "{p:?} is left in {text:?}");
        }
    }
}

#[test]
fn a_warning_without_coded_values_reads_and_writes_as_before() {
    let old = r#"{"id":"kubeadm-unusable","blocking":false,"message":"kubeadm at /opt/kubeadm is not usable: `version -o short` exited with status 1; fix or replace it before the install","args":["/opt/kubeadm","`version -o short` exited with status 1"]}"#;
    let w: HostWarning = serde_json::from_str(old).expect("a warning of an older detect reads");
    assert!(w.arg_codes.is_empty());
    assert_eq!(
        serde_json::to_string(&w).unwrap(),
        old,
        "no argCodes key added"
    );
    assert_eq!(
        Lang::ZhCn.texts().host_warning(&w),
        "/opt/kubeadm 处的 kubeadm 无法使用：`version -o short` exited with status 1；安装前请修复或替换它",
        "its values show as they were written"
    );
    let tool = r#"{"path":"/opt/kubeadm","version":null,"problem":"is not executable"}"#;
    let t: Tool = serde_json::from_str(tool).expect("a tool of an older detect reads");
    assert_eq!(t.problem_code, None);
    assert_eq!(
        serde_json::to_string(&t).unwrap(),
        tool,
        "no problemCode key added"
    );
    let coded = serde_json::to_string(&unusable_warning(unusable_kubeadm("exit 1"))).unwrap();
    assert!(
        coded.contains(r#""argCodes":[null,{"code":"child.named","args":["`version -o short`","exited with status 1"],"argCodes":[null,{"code":"child.exited","args":["1"]}]}]"#),
        "{coded}"
    );
}
