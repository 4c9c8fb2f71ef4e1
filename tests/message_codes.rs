//! What the engine writes during an install carries stable codes: every sentence of the
//! checks (`verify::texts()`) and every cause and fix of a failed step
//! (`run::diagnose::TEXTS`), and the phrases inside them (`run::diagnose::phrases()`: how a
//! command ended, what a call to a node was for). Both wizard languages have each code's text with the same
//! `{N}` as the engine's English, the English texts are the engine's exactly (so the
//! English screens read as the reports), and the serialized shapes only gained optional
//! fields: files written before them still read.

use dsinstall::io::child::{Command, Ended, Finished, ended_with};
use dsinstall::message::{Message, fill, placeholders};
use dsinstall::run::diagnose::{self, TEXTS as FAILURES};
use dsinstall::run::dry_run;
use dsinstall::run::event::{Diagnosis, Event, StepState};
use dsinstall::run::status::{Status, StepStatus};
use dsinstall::run::step::Failure;
use dsinstall::run::steps::common;
use dsinstall::run::steps::probe_texts;
use dsinstall::tui::i18n::{Lang, Texts};
use dsinstall::verify::report::{CheckResult, Report};
use std::collections::BTreeSet;
use std::time::Duration;

/// Every key the engine's codes need, with the engine's English: (key, English).
fn engine_keys() -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = dsinstall::verify::texts()
        .map(|(c, t)| (c.to_string(), t.to_string()))
        .collect();
    for (code, cause, fix) in diagnose::texts() {
        keys.push((format!("cause.{code}"), cause.to_string()));
        if !fix.is_empty() {
            keys.push((format!("fix.{code}"), fix.to_string()));
        }
    }
    keys.push(("diagnosis.also_failed".into(), diagnose::ALSO_FAILED.into()));
    for (code, english) in dry_run::TEXTS
        .iter()
        .chain(probe_texts::TEXTS)
        .chain(dsinstall::host::suggest::TEXTS)
    {
        keys.push((code.to_string(), english.to_string()));
    }
    keys.extend(diagnose::phrases().map(|(c, t)| (c.to_string(), t.to_string())));
    keys
}

fn text<'a>(tx: &'a Texts, key: &'a str) -> Option<&'a str> {
    tx.keys().any(|k| k == key).then(|| tx.t(key))
}

fn numbers(t: &str) -> BTreeSet<usize> {
    placeholders(t).collect()
}

#[test]
fn codes_are_unique() {
    let mut seen = BTreeSet::new();
    for (key, _) in engine_keys() {
        assert!(seen.insert(key.clone()), "{key} is defined twice");
    }
}

#[test]
fn the_english_texts_are_the_engines() {
    let en = Lang::En.texts();
    for (key, english) in engine_keys() {
        assert_eq!(text(en, &key), Some(english.as_str()), "en.yaml {key}");
    }
}

#[test]
fn chinese_has_every_code_with_the_same_placeholders() {
    let zh = Lang::ZhCn.texts();
    for (key, english) in engine_keys() {
        let t = text(zh, &key).unwrap_or_else(|| panic!("zh-CN.yaml lacks {key}"));
        assert_eq!(numbers(t), numbers(&english), "zh-CN {key}: {t}");
        // A text of values and signs alone ("[{0}] {1}") reads the same in both.
        let words = fill(&english, &[]).chars().any(char::is_alphabetic);
        if words {
            assert_ne!(t, english, "zh-CN {key} is not translated");
        }
    }
}

#[test]
fn chinese_texts_keep_the_house_style() {
    let zh = Lang::ZhCn.texts();
    for (key, _) in engine_keys() {
        let t = text(zh, &key).unwrap();
        assert!(
            !t.contains("： "),
            "zh-CN {key}: a space after a full-width colon"
        );
        assert!(
            !t.contains("种子") && !t.to_lowercase().contains("seed"),
            "zh-CN {key}"
        );
        // The references and identifiers stay as they are.
        for word in ["kubernetes#", "calico#", "kubeadm#"] {
            let english = Lang::En.texts().t(&key);
            assert_eq!(
                english.matches(word).count(),
                t.matches(word).count(),
                "zh-CN {key} keeps {word}"
            );
        }
    }
}

#[test]
fn no_translation_names_an_unknown_engine_code() {
    let known: BTreeSet<String> = engine_keys().into_iter().map(|(k, _)| k).collect();
    for lang in [Lang::En, Lang::ZhCn] {
        for key in lang.texts().keys() {
            let engine = [
                "verify.",
                "cause.",
                "fix.",
                "diagnosis.",
                "child.",
                "ssh.",
                "join.what.",
            ]
            .iter()
            .any(|p| key.starts_with(p));
            assert!(
                !engine || known.contains(key),
                "{lang:?} has {key}, which no engine table defines"
            );
        }
    }
}

/// The sources of the checks: each code is written somewhere besides its table.
#[test]
fn every_check_code_is_written_by_a_check() {
    let src = [
        include_str!("../src/verify/mod.rs"),
        include_str!("../src/verify/nodes.rs"),
        include_str!("../src/verify/calico.rs"),
        include_str!("../src/verify/pods.rs"),
        include_str!("../src/verify/services.rs"),
        include_str!("../src/verify/dns.rs"),
        include_str!("../src/verify/host.rs"),
        include_str!("../src/verify/openstack.rs"),
        include_str!("../src/verify/kubectl.rs"),
        include_str!("../src/verify/workload.rs"),
    ];
    for (code, _) in dsinstall::verify::texts() {
        let quoted = format!("\"{code}\"");
        let uses: usize = src.iter().map(|s| s.matches(&quoted).count()).sum();
        assert!(
            uses >= 2,
            "{code} is in a TEXTS table but no check writes it"
        );
    }
}

/// The phrases' sources: each code is written somewhere besides its table.
#[test]
fn every_phrase_code_is_written() {
    let src = [
        include_str!("../src/io/child.rs"),
        include_str!("../src/run/remote.rs"),
        include_str!("../src/run/steps/join.rs"),
        include_str!("../src/host/tools.rs"),
    ];
    for (code, _) in diagnose::phrases() {
        let quoted = format!("\"{code}\"");
        let uses: usize = src.iter().map(|s| s.matches(&quoted).count()).sum();
        assert!(uses >= 2, "{code} is a phrase but nothing writes it");
    }
}

/// kubeadm's failures, one for each diagnosis.
fn diagnosed() -> Vec<dsinstall::run::step::Failure> {
    let lines = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut all: Vec<_> = [
        "Port-6443",
        "Swap",
        "ImagePull",
        "FileContent--proc-sys-net-ipv4-ip_forward",
        "FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml",
        "DirAvailable--var-lib-etcd",
        "CRI",
        "IsPrivilegedUser",
        "KubeletVersion",
        "FileExisting-conntrack",
        "NumCPU",
        "Mem",
        "SystemVerification",
    ]
    .iter()
    .map(|name| diagnose::preflight_error(name, "the check's message"))
    .collect();
    let kubelet = "[kubelet-check] It seems like the kubelet isn't running or healthy.";
    for (extra, phase) in [
        (kubelet, "wait-control-plane"),
        ("", "wait-control-plane"),
        ("", "preflight"),
        ("", "certs/apiserver"),
        ("", "upload-config/kubelet"),
        ("", "addon"),
        ("", "kubelet-finalize"),
    ] {
        let msg = if phase == "preflight" {
            "failed to pull image registry.k8s.io/pause"
        } else {
            "timed out"
        };
        let last = format!("error execution phase {phase}: {msg}");
        all.push(diagnose::kubeadm(&lines(&[extra, &last]), "init"));
    }
    all.push(diagnose::kubeadm(&lines(&["something odd"]), "init"));
    all.push(diagnose::kubeadm(&[], "init"));
    all.push(diagnose::coded("run.stopped", &[]));
    all.push(diagnose::coded("run.runner_gone", &[]));
    all
}

#[test]
fn every_failure_code_is_reachable_and_reads_back_in_english() {
    let en = Lang::En.texts();
    let mut seen = BTreeSet::new();
    for f in diagnosed() {
        let d = f.diagnosis.clone().expect("kubeadm's failures are coded");
        seen.insert(d.code.clone());
        let st = failed_step(&f.cause, &f.fix, Some(d));
        assert_eq!(en.step_cause(&st).as_deref(), Some(f.cause.as_str()));
        assert_eq!(en.step_fix(&st).as_deref(), Some(f.fix.as_str()));
    }
    let all: BTreeSet<String> = FAILURES.iter().map(|(c, ..)| c.to_string()).collect();
    assert_eq!(seen, all, "codes no failure above produces");
}

fn failed_step(cause: &str, fix: &str, diagnosis: Option<Box<Diagnosis>>) -> StepStatus {
    StepStatus {
        id: "kubeadm.init".into(),
        state: StepState::Failed,
        started_at: None,
        duration_ms: Some(1),
        attempts: 1,
        error: Some(cause.into()),
        hint: Some(fix.into()),
        diagnosis,
    }
}

#[test]
fn a_chinese_cause_names_the_other_checks_and_the_node() {
    let lines: Vec<String> = [
        "\t[ERROR Port-6443]: Port 6443 is in use",
        "\t[ERROR Swap]: running with swap on is not supported",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let f = diagnose::kubeadm(&lines, "join");
    let mut d = f.diagnosis.clone().unwrap();
    d.node = Some("node02".into());
    let st = failed_step(&format!("node02: {}", f.cause), &f.fix, Some(d));
    let zh = Lang::ZhCn.texts();
    assert_eq!(
        zh.step_cause(&st).unwrap(),
        "node02：本节点的端口 6443 已被占用：Port 6443 is in use（另有检查失败：Swap）"
    );
    assert_eq!(
        Lang::En.texts().step_cause(&st).unwrap(),
        format!("node02: {}", f.cause),
        "the English reads as the runner wrote it"
    );
}

#[test]
fn without_a_code_the_screens_show_the_engines_english() {
    let zh = Lang::ZhCn.texts();
    let st = failed_step("ssh: no route to host", "check the network", None);
    assert_eq!(zh.step_cause(&st).as_deref(), Some("ssh: no route to host"));
    let unknown = Diagnosis {
        code: "run.from_a_newer_runner".into(),
        args: vec![],
        arg_codes: Default::default(),
        also_failed: vec![],
        node: None,
    };
    let st = failed_step("a newer cause", "a newer fix", Some(Box::new(unknown)));
    assert_eq!(zh.step_fix(&st).as_deref(), Some("a newer fix"));
    let c: CheckResult = serde_json::from_str(
        r#"{"id":"x","family":null,"status":"FAIL","durationMs":1,"evidence":"e","hint":"h",
            "hintCode":{"code":"verify.from_a_newer_verify"}}"#,
    )
    .unwrap();
    assert_eq!(zh.check_hint(&c).as_deref(), Some("h"));
}

const OLD_REPORT: &str = r#"{"checks": [{"id": "node.internal-ips", "family": "ipv6",
    "status": "FAIL", "durationMs": 12, "evidence": "node01: no IPv6 InternalIP",
    "hint": "the kubelet's --node-ip must name both addresses"}],
    "passed": 0, "failed": 1, "warned": 0, "skipped": 0}"#;

#[test]
fn a_report_without_codes_still_reads_and_writes_as_before() {
    let r: Report = serde_json::from_str(OLD_REPORT).unwrap();
    assert_eq!(r.checks[0].hint_code, None);
    assert_eq!(r.checks[0].evidence_code, None);
    let again = serde_json::to_string(&r).unwrap();
    assert!(
        !again.contains("Code"),
        "no code field when there is none: {again}"
    );
    assert_eq!(serde_json::from_str::<Report>(&again).unwrap(), r);
}

#[test]
fn a_report_with_codes_round_trips() {
    let mut r: Report = serde_json::from_str(OLD_REPORT).unwrap();
    r.checks[0].hint_code = Some(Box::new(Message {
        code: "verify.node.internal_ips.node_ip".into(),
        args: vec![],
        arg_codes: Default::default(),
    }));
    let json = serde_json::to_string(&r).unwrap();
    assert!(
        json.contains(r#""hintCode":{"code":"verify.node.internal_ips.node_ip"}"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Report>(&json).unwrap(), r);
}

#[test]
fn a_journal_and_a_status_without_a_diagnosis_still_read() {
    let line = r#"{"event":"stepEnded","step":"kubeadm.init","state":"failed","durationMs":5,"error":"port 6443 is in use","hint":"stop it"}"#;
    let Some(Event::StepEnded { diagnosis, .. }) = Event::from_line(line) else {
        panic!("an old stepEnded line reads");
    };
    assert_eq!(diagnosis, None);
    let status = r#"{"run": "r", "state": "failed", "answers": "a", "log": "l",
        "steps": [{"id": "kubeadm.init", "state": "failed", "startedAt": null,
                   "durationMs": 5, "attempts": 1, "error": "e", "hint": "h"}]}"#;
    let st: Status = serde_json::from_str(status).unwrap();
    assert_eq!(st.steps[0].diagnosis, None);
    assert!(!serde_json::to_string(&st).unwrap().contains("diagnosis"));
}

#[test]
fn a_step_ended_with_a_diagnosis_round_trips_through_the_status() {
    let f = diagnose::preflight_error("Port-6443", "Port 6443 is in use");
    let e = Event::StepEnded {
        step: "kubeadm.init".into(),
        state: StepState::Failed,
        duration_ms: 5,
        error: Some(f.cause.clone()),
        hint: Some(f.fix.clone()),
        diagnosis: f.diagnosis.clone(),
    };
    let line = e.to_line();
    assert!(
        line.contains(
            r#""diagnosis":{"code":"run.preflight.port","args":["6443","Port 6443 is in use"]}"#
        ),
        "{line}"
    );
    assert_eq!(Event::from_line(&line), Some(e.clone()));
    let started = Event::RunStarted {
        run: "r".into(),
        time: "t".into(),
        answers: "a".into(),
        log: "l".into(),
        steps: vec!["kubeadm.init".into()],
        pid: 1,
        dry_run: false,
    };
    let st = dsinstall::run::status::fold([&started, &e], true).unwrap();
    let json = serde_json::to_string(&st).unwrap();
    let back: Status = serde_json::from_str(&json).unwrap();
    assert_eq!(back.steps[0].diagnosis, f.diagnosis);
}

/// The steps' sources, where their codes are written.
const STEPS_SRC: [&str; 13] = [
    include_str!("../src/run/steps/join.rs"),
    include_str!("../src/run/steps/common.rs"),
    include_str!("../src/run/steps/calico.rs"),
    include_str!("../src/run/steps/images.rs"),
    include_str!("../src/run/steps/init.rs"),
    include_str!("../src/run/steps/kubeconfig.rs"),
    include_str!("../src/run/steps/modules.rs"),
    include_str!("../src/run/steps/preflight.rs"),
    include_str!("../src/run/steps/swap.rs"),
    include_str!("../src/run/steps/sysctl.rs"),
    include_str!("../src/run/steps/verify.rs"),
    include_str!("../src/run/steps/wait_calico.rs"),
    include_str!("../src/run/steps/wait_node.rs"),
];

/// The runner's other tables (the SSH link's, the joins', the steps'): each code is written
/// somewhere besides its table.
#[test]
fn every_run_code_is_written_by_a_step_or_the_ssh_link() {
    let src: Vec<&str> = [include_str!("../src/run/remote.rs")]
        .into_iter()
        .chain(STEPS_SRC)
        .collect();
    let tables = [
        dsinstall::run::remote::TEXTS,
        dsinstall::run::steps::join::TEXTS,
        dsinstall::run::steps::TEXTS,
    ];
    for (code, ..) in tables.into_iter().flatten() {
        let quoted = format!("\"{code}\"");
        let uses: usize = src.iter().map(|s| s.matches(&quoted).count()).sum();
        // Codes made by a suffix (".bridge", recoded "run.command.*") are written by parts.
        let by_parts = code.ends_with(".bridge") || code.starts_with("run.calico.kubectl.");
        assert!(
            uses >= 1 || by_parts,
            "{code} is in a TEXTS table but no step writes it"
        );
    }
}

#[test]
fn every_probe_and_change_code_is_written_by_a_step() {
    let src: Vec<&str> = [include_str!("../src/run/runner.rs")]
        .into_iter()
        .chain(STEPS_SRC)
        .collect();
    for (code, _) in probe_texts::TEXTS {
        let quoted = format!("\"{code}\"");
        assert!(
            src.iter().any(|s| s.contains(&quoted)),
            "{code} is in the probes' table but no step writes it"
        );
    }
}

/// The Confirm screen in Chinese: every line of a dry run of the guide's node01 (before
/// anything is installed) is in Chinese, the values (ids, paths, commands) as they are.
#[test]
fn the_dry_runs_lines_are_shown_in_chinese() {
    use dry_run::{Line, Verdict};
    let zh = Lang::ZhCn.texts();
    let en = Lang::En.texts();
    let lines = [
        Line::Header,
        Line::Step {
            step: "host.swap".into(),
            verdict: Verdict::Done(probe_texts::said("probe.swap.off", &[])),
        },
        Line::Step {
            step: "join.node02".into(),
            verdict: Verdict::ToDo(probe_texts::said(
                "probe.join.node",
                &[
                    &"node02",
                    &probe_texts::said("probe.node.no_condition", &[]),
                ],
            )),
        },
        Line::Note {
            step: "kubeconfig".into(),
            note: probe_texts::said(
                "change.kubeconfig.copy",
                &[&"/etc/kubernetes/admin.conf", &"/root/.kube/config"],
            ),
        },
        Line::Run {
            step: "host.modules".into(),
            command: "modprobe br_netfilter".into(),
        },
        Line::Step {
            step: "preflight".into(),
            verdict: Verdict::WouldFail(dsinstall::run::diagnose::coded(
                "run.swap.still_on",
                &[&"/dev/sda2"],
            )),
        },
        Line::Reset,
    ];
    let shown: Vec<String> = lines.iter().map(|l| zh.dry_line(l)).collect();
    assert_eq!(
        shown[1],
        "==> host.swap：已完成：交换分区已关闭，/etc/fstab 中也没有交换分区"
    );
    assert_eq!(
        shown[2],
        "==> join.node02：待执行：节点 node02：还没有 Ready 状态条件"
    );
    assert_eq!(
        shown[3],
        "[kubeconfig] /etc/kubernetes/admin.conf 复制到 /root/.kube/config（0600）"
    );
    assert_eq!(shown[4], "[host.modules] 运行：modprobe br_netfilter");
    assert!(
        shown[5].contains("/dev/sda2") && !shown[5].contains("swap is still on"),
        "{}",
        shown[5]
    );
    for (l, s) in lines.iter().zip(&shown) {
        assert_eq!(en.dry_line(l), l.english(), "English is the CLI's");
        assert_ne!(s, &l.english(), "{s}");
    }
}

/// A node02 over SSH, its control directory in `dir`.
fn node02(dir: &std::path::Path) -> dsinstall::run::remote::Remote {
    let target = dsinstall::run::remote::Target {
        node: "node02".into(),
        host: "2018::22".into(),
        user: "kube".into(),
        port: 2222,
        identity_file: None,
        known_hosts: None,
    };
    dsinstall::run::remote::Remote::new(target, dir).expect("a private control directory")
}

/// What ssh says for each failure the SSH link explains, and the code it gets.
const SSH_SAID: &[(Option<i32>, &[&str], &str)] = &[
    (
        Some(255),
        &["ssh: connect to host 2018::22 port 2222: Connection timed out"],
        "run.ssh.unreachable",
    ),
    (None, &[], "run.ssh.unreachable.no_output"),
    (
        Some(255),
        &["kex_exchange_identification: odd"],
        "run.ssh.failed",
    ),
    (Some(255), &[], "run.ssh.failed.no_output"),
    (
        Some(1),
        &["sudo: a password is required"],
        "run.ssh.sudo_password",
    ),
    (
        Some(255),
        &["@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @"],
        "run.ssh.host_key_changed",
    ),
    (
        Some(255),
        &["Host key verification failed."],
        "run.ssh.host_key_unknown",
    ),
    (
        Some(255),
        &["kube@2018::22: Permission denied (publickey)."],
        "run.ssh.login_refused",
    ),
];

#[test]
fn the_ssh_links_failures_are_coded_and_read_back_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let r = node02(dir.path());
    let (en, zh) = (Lang::En.texts(), Lang::ZhCn.texts());
    for (code, lines, want) in SSH_SAID {
        let ran = dsinstall::run::remote::Ran {
            code: *code,
            lines: lines.iter().map(|s| s.to_string()).collect(),
        };
        let f = r.explain(&ran).expect("explained");
        let d = f.diagnosis.clone().expect("coded");
        assert_eq!(&d.code, want, "{f:?}");
        let st = failed_step(&f.cause, &f.fix, Some(d));
        assert_eq!(en.step_cause(&st).as_deref(), Some(f.cause.as_str()));
        assert_eq!(en.step_fix(&st).as_deref(), Some(f.fix.as_str()));
        let cause = zh.step_cause(&st).unwrap();
        assert_ne!(cause, f.cause, "{want} is shown in Chinese");
        assert!(
            cause.contains("node02") && cause.contains("2018::22"),
            "{cause}"
        );
    }
    let ran = dsinstall::run::remote::Ran {
        code: Some(255),
        lines: vec!["ssh: connect to host 2018::22 port 2222: Connection refused".into()],
    };
    let f = r.explain(&ran).unwrap();
    assert_eq!(
        f.cause,
        "node02 (kube@2018::22 port 2222) cannot be reached over SSH: ssh: connect to host 2018::22 port 2222: Connection refused"
    );
    let st = failed_step(&f.cause, &f.fix, f.diagnosis.clone());
    assert_eq!(
        zh.step_cause(&st).unwrap(),
        "无法通过 SSH 连接 node02（kube@2018::22，端口 2222）：ssh: connect to host 2018::22 port 2222: Connection refused"
    );
    assert_eq!(
        zh.step_fix(&st).unwrap(),
        "请确认 node02 已开机，且 sshd 在端口 2222 上监听（ssh -p 2222 kube@2018::22 true），然后再次执行 dsinstall apply"
    );
}

/// Every code of the runner's tables, filled with numbered values: the English the
/// wizard shows is the runner's, and the Chinese keeps every value.
#[test]
fn every_run_code_reads_back_with_its_values() {
    let (en, zh) = (Lang::En.texts(), Lang::ZhCn.texts());
    for (code, cause, fix) in diagnose::texts() {
        let n = numbers(cause)
            .union(&numbers(fix))
            .max()
            .map_or(0, |m| m + 1);
        let values: Vec<String> = (0..n).map(|i| format!("<v{i}>")).collect();
        let args: Vec<&dyn dsinstall::message::Value> = values
            .iter()
            .map(|v| v as &dyn dsinstall::message::Value)
            .collect();
        let f = diagnose::coded(code, &args);
        let st = failed_step(&f.cause, &f.fix, f.diagnosis.clone());
        assert_eq!(
            en.step_cause(&st).as_deref(),
            Some(f.cause.as_str()),
            "{code}"
        );
        assert_eq!(en.step_fix(&st).as_deref(), Some(f.fix.as_str()), "{code}");
        let zh_cause = zh.step_cause(&st).unwrap();
        for i in numbers(cause) {
            assert!(zh_cause.contains(&values[i]), "zh cause.{code}: {zh_cause}");
        }
    }
}

#[test]
fn a_kubeadm_without_output_says_so_in_chinese() {
    let f = diagnose::kubeadm(&[], "init");
    assert_eq!(f.cause, "kubeadm init: no output");
    let st = failed_step(&f.cause, &f.fix, f.diagnosis.clone());
    assert_eq!(
        Lang::ZhCn.texts().step_cause(&st).unwrap(),
        "kubeadm init：没有输出"
    );
}

/// A check result whose evidence is `e`, as the checks write it.
fn with_evidence(e: dsinstall::message::Said) -> CheckResult {
    CheckResult {
        id: "calico.pools".into(),
        family: Some("ipv6".into()),
        status: dsinstall::verify::report::CheckStatus::Fail,
        duration_ms: 1,
        evidence: e.text,
        evidence_code: e.code,
        evidence_parts: e.parts,
        hint: None,
        hint_code: None,
    }
}

#[test]
fn composite_evidence_is_translated_part_by_part_and_round_trips() {
    use dsinstall::message::Said;
    use dsinstall::verify::{calico, host, nodes};
    let zh = Lang::ZhCn.texts();
    let en = Lang::En.texts();
    // Findings joined by "; ", one of them data.
    let e = Said::joined([
        Said::coded(
            nodes::TEXTS,
            "verify.node.internal_ips.missing",
            &[&"node02", &"IPv6", &"10.0.0.2"],
        ),
        Said::from("kubectl said: something"),
    ]);
    assert_eq!(
        e.text,
        "node02: no IPv6 InternalIP (has 10.0.0.2); kubectl said: something"
    );
    let c = with_evidence(e);
    assert_eq!(en.check_evidence(&c), c.evidence);
    assert_eq!(
        zh.check_evidence(&c),
        "node02：没有 IPv6 InternalIP（现有 10.0.0.2）；kubectl said: something"
    );
    let json = serde_json::to_string(&c).unwrap();
    assert!(
        json.contains(r#""evidenceParts":[{"text":"node02: no IPv6 InternalIP (has 10.0.0.2)","code":"verify.node.internal_ips.missing","args":["node02","IPv6","10.0.0.2"]},{"text":"kubectl said: something"}]"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<CheckResult>(&json).unwrap(), c);
    // A coded sentence whose last value is the findings.
    let pool =
        "default-ipv6-ippool: cidr fd00::/64, blockSize 122, encapsulation None, natOutgoing true";
    let e = Said::coded_with(
        calico::TEXTS,
        "verify.calico.pools.differs",
        &[&pool],
        [
            Said::coded(
                calico::TEXTS,
                "verify.calico.pools.planned",
                &[&"cidr", &"fd00::/64", &"fd00::/56"],
            ),
            Said::coded(calico::TEXTS, "verify.calico.pools.ipip_on_ipv6", &[]),
        ],
    );
    assert_eq!(
        e.text,
        format!("{pool} (cidr fd00::/64, planned fd00::/56; IPIP on an IPv6 pool)")
    );
    let c = with_evidence(e);
    assert_eq!(en.check_evidence(&c), c.evidence);
    assert_eq!(
        zh.check_evidence(&c),
        format!("{pool}（cidr 为 fd00::/64，规划为 fd00::/56；IPv6 地址池使用了 IPIP）")
    );
    // A list joined by ", ".
    let e = Said::listed([
        Said::coded(
            host::TEXTS,
            "verify.host.sysctl.ra_ignored",
            &[&"net.ipv6.conf.eth0.accept_ra", &1, &"eth0"],
        ),
        Said::from("net.ipv6.conf.all.forwarding = 1"),
    ]);
    assert_eq!(
        e.text,
        "net.ipv6.conf.eth0.accept_ra = 1, but the IPv6 default route via eth0 comes from router advertisements, net.ipv6.conf.all.forwarding = 1"
    );
    let c = with_evidence(e);
    assert_eq!(en.check_evidence(&c), c.evidence);
    assert_eq!(
        zh.check_evidence(&c),
        "net.ipv6.conf.eth0.accept_ra = 1，但经 eth0 的 IPv6 默认路由来自路由器通告，net.ipv6.conf.all.forwarding = 1"
    );
    // Data only: no parts, as before.
    let e = Said::joined([Said::from("a"), Said::from("b")]);
    assert_eq!((e.text.as_str(), e.parts.len()), ("a; b", 0));
}

#[test]
fn the_separators_are_the_engines_in_english() {
    let en = Lang::En.texts();
    assert_eq!(en.t("checks.parts_separator"), dsinstall::message::PARTS);
    assert_eq!(en.t("checks.list_separator"), dsinstall::message::LIST);
}

#[test]
fn no_openstack_taint_says_none_in_chinese() {
    use dsinstall::message::Said;
    let e = Said::coded(
        dsinstall::verify::openstack::TEXTS,
        "verify.openstack.taint.ok.none",
        &[&5],
    );
    assert_eq!(e.text, "5 nodes; tainted control-plane nodes: none");
    let c = with_evidence(e);
    assert_eq!(
        Lang::ZhCn.texts().check_evidence(&c),
        "5 个节点；带污点的控制平面节点：无"
    );
}

/// How a child ended, as `io::child` reports it (`status` a wait status).
fn finished(ended: Ended, status: i32) -> Finished {
    use std::os::unix::process::ExitStatusExt;
    Finished {
        ended,
        status: std::process::ExitStatus::from_raw(status),
        bytes: 0,
    }
}

/// What the wizard reads back of a failure: through the journal line and the status file.
fn read_back(f: &Failure) -> StepStatus {
    let e = Event::StepEnded {
        step: "kubeadm.init".into(),
        state: StepState::Failed,
        duration_ms: 5,
        error: Some(f.cause.clone()),
        hint: Some(f.fix.clone()),
        diagnosis: f.diagnosis.clone(),
    };
    let Some(Event::StepEnded { diagnosis, .. }) = Event::from_line(&e.to_line()) else {
        panic!("the line reads back");
    };
    assert_eq!(diagnosis, f.diagnosis, "argCodes round-trip");
    failed_step(&f.cause, &f.fix, diagnosis)
}

/// The English phrases of how a command ended and of what a call was for.
const PHRASES: &[&str] = &[
    "exited with status",
    "did not finish",
    "was killed",
    "printed more than",
    "was cancelled",
    "failed",
    "preparing the node",
    " on node02",
];

fn assert_no_english_phrase(zh: &str) {
    for p in PHRASES {
        assert!(!zh.contains(p), "{p:?} is left in {zh:?}");
    }
}

#[test]
fn a_chinese_cause_has_no_english_phrase_of_how_a_command_ended() {
    let zh = Lang::ZhCn.texts();
    let en = Lang::En.texts();
    let init = Command::new("kubeadm");
    let lines = vec!["something odd".to_string()];
    let how = finished(Ended::Exited, 1 << 8).describe_as(&init, "init");
    let kubeadm = diagnose::kubeadm(&lines, &how);
    assert_eq!(
        kubeadm.cause,
        "kubeadm init exited with status 1: something odd"
    );
    let st = read_back(&kubeadm);
    assert_eq!(
        zh.step_cause(&st).unwrap(),
        "kubeadm init：以状态码 1 退出：something odd"
    );
    assert_eq!(en.step_cause(&st).unwrap(), kubeadm.cause);

    let swapoff = Command::new("swapoff").timeout(Duration::from_secs(30));
    let how = finished(Ended::TimedOut, 9).describe(&swapoff);
    let timed_out = common::failed("swapoff -a", &how, &[]);
    assert_eq!(timed_out.cause, "swapoff -a did not finish within 30s");
    let st = read_back(&timed_out);
    assert_eq!(zh.step_cause(&st).unwrap(), "swapoff -a：未在 30s 内完成");
    assert_eq!(en.step_cause(&st).unwrap(), timed_out.cause);

    let modprobe = Command::new("modprobe");
    let how = finished(Ended::Exited, 1 << 8).describe(&modprobe);
    let said = vec!["modprobe: FATAL: Module br_netfilter not found.".to_string()];
    let inner = common::failed("modprobe br_netfilter", &how, &said);
    let module = diagnose::coded("run.modules.load", &[&"br_netfilter", &inner]);
    assert_eq!(
        module.cause,
        "the kernel module br_netfilter cannot be loaded (modprobe br_netfilter exited with status 1: modprobe: FATAL: Module br_netfilter not found.)"
    );
    let st = read_back(&module);
    assert_eq!(
        zh.step_cause(&st).unwrap(),
        "无法加载内核模块 br_netfilter（modprobe br_netfilter：以状态码 1 退出：modprobe: FATAL: Module br_netfilter not found.）"
    );
    assert_eq!(en.step_cause(&st).unwrap(), module.cause);
    for f in [&kubeadm, &timed_out, &module] {
        assert_no_english_phrase(&zh.step_cause(&read_back(f)).unwrap());
    }
}

#[test]
fn a_chinese_cause_has_no_english_phrase_of_what_a_join_call_was_for() {
    let zh = Lang::ZhCn.texts();
    let target = dsinstall::run::remote::Target {
        node: "node02".into(),
        host: "2018::22".into(),
        user: "root".into(),
        port: 22,
        identity_file: None,
        known_hosts: None,
    };
    let preparing = dsinstall::message::Said::coded(
        dsinstall::run::steps::join::WHAT,
        "join.what.prepare.script",
        &[],
    );
    let lines = vec!["sysctl: cannot stat /proc/sys/net/x".to_string()];
    let f = common::failed(&target.on_node(&preparing), &ended_with(Some(1)), &lines);
    assert_eq!(
        f.cause,
        "preparing the node (swapoff, modprobe, sysctl) on node02 exited with status 1: sysctl: cannot stat /proc/sys/net/x"
    );
    let zh_cause = zh.step_cause(&read_back(&f)).unwrap();
    assert_eq!(
        zh_cause,
        "在 node02 上准备节点（swapoff、modprobe、sysctl）：以状态码 1 退出：sysctl: cannot stat /proc/sys/net/x"
    );
    assert_no_english_phrase(&zh_cause);
}

#[test]
fn a_diagnosis_without_coded_values_still_reads() {
    let line = r#"{"event":"stepEnded","step":"host.modules","state":"failed","durationMs":5,"error":"e","hint":"h","diagnosis":{"code":"run.modules.load","args":["br_netfilter","modprobe br_netfilter exited with status 1"]}}"#;
    let Some(Event::StepEnded {
        diagnosis: Some(d), ..
    }) = Event::from_line(line)
    else {
        panic!("a diagnosis of an older runner reads");
    };
    assert!(d.arg_codes.is_empty());
    let st = failed_step("e", "h", Some(d));
    assert_eq!(
        Lang::ZhCn.texts().step_cause(&st).unwrap(),
        "无法加载内核模块 br_netfilter（modprobe br_netfilter exited with status 1）",
        "its values show as they were written"
    );
}

/// A stand-in kubectl: a script in `dir` that runs `body`.
fn fake_kubectl(dir: &std::path::Path, body: &str) -> dsinstall::verify::kubectl::Kubectl {
    use std::os::unix::fs::PermissionsExt;
    // One file for each: none is rewritten while one of them may still run.
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let program = dir.join(format!("kubectl-{n}"));
    std::fs::write(&program, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    dsinstall::verify::kubectl::Kubectl {
        program,
        kubeconfig: None,
        server: None,
    }
}

/// A check result read back from its JSON, as the wizard reads the report.
fn read_back_check(c: &CheckResult) -> CheckResult {
    let json = serde_json::to_string(c).unwrap();
    serde_json::from_str(&json).unwrap()
}

#[test]
fn a_chinese_check_evidence_has_no_english_phrase_of_how_kubectl_ended() {
    use dsinstall::io::child::Captured;
    use dsinstall::message::Said;
    use dsinstall::verify::kubectl::{self, Call};
    use dsinstall::verify::{TEXTS as RUN, calico, dns};
    let zh = Lang::ZhCn.texts();
    let en = Lang::En.texts();
    let dir = tempfile::tempdir().unwrap();
    let nodes = Call::get("nodes", None, None);

    // Exited with status 1 and said nothing: how it ended is the evidence.
    let silent = fake_kubectl(dir.path(), "exit 1")
        .run(&nodes, Duration::from_secs(5))
        .unwrap_err();
    assert_eq!(silent.text, "kubectl exited with status 1");
    let c = read_back_check(&with_evidence(silent.clone()));
    assert_eq!(zh.check_evidence(&c), "kubectl：以状态码 1 退出");
    assert_eq!(en.check_evidence(&c), "kubectl exited with status 1");

    // Inside a check's own sentence, and inside a part of a composite one.
    let e = Said::coded(
        calico::TEXTS,
        "verify.calico.pods.tigerastatus_error",
        &[&silent],
    );
    let c = read_back_check(&with_evidence(e));
    assert_eq!(
        zh.check_evidence(&c),
        "tigerastatus/calico：kubectl：以状态码 1 退出"
    );
    assert_eq!(
        en.check_evidence(&c),
        "tigerastatus/calico: kubectl exited with status 1"
    );
    let name = "dsinstall-web.dsinstall-verify.svc.cluster.local";
    let e = Said::joined([
        Said::coded(dns::TEXTS, "verify.dns.nslookup_failed", &[&name, &silent]),
        Said::coded(dns::TEXTS, "verify.dns.service", &[&"10.96.0.10"]),
    ]);
    let c = read_back_check(&with_evidence(e));
    assert_eq!(
        c.evidence,
        format!("nslookup {name}: kubectl exited with status 1; DNS Service kube-dns 10.96.0.10")
    );
    assert_eq!(
        zh.check_evidence(&c),
        format!("nslookup {name}：kubectl：以状态码 1 退出；DNS Service kube-dns 为 10.96.0.10")
    );
    assert_eq!(en.check_evidence(&c), c.evidence);

    // Exited with status 1 and said why: kubectl's own words, verbatim in both.
    let said = fake_kubectl(
        dir.path(),
        "echo 'Error from server (NotFound): nodes \"x\" not found'; exit 1",
    )
    .run(&nodes, Duration::from_secs(5))
    .unwrap_err();
    let c = read_back_check(&with_evidence(said));
    assert_eq!(
        c.evidence,
        "Error from server (NotFound): nodes \"x\" not found"
    );
    assert_eq!(zh.check_evidence(&c), c.evidence);

    // Stopped at its deadline: how it ended, then its last lines as they are.
    let hung = fake_kubectl(dir.path(), "echo 'I1203 waiting for the server'; sleep 30")
        .run(&nodes, Duration::from_secs(1))
        .unwrap_err();
    assert_eq!(
        hung.text,
        "kubectl did not finish within 1s; its last lines: I1203 waiting for the server"
    );
    let e = Said::coded(
        RUN,
        "verify.workload.not_deployed",
        &[&Said::coded(RUN, "verify.workload.apply_failed", &[&hung])],
    );
    let c = read_back_check(&with_evidence(e));
    assert_eq!(
        c.evidence,
        "the test workload was not deployed: kubectl apply -f verify-workload.yaml: kubectl did not finish within 1s; its last lines: I1203 waiting for the server"
    );
    assert_eq!(
        zh.check_evidence(&c),
        "测试工作负载未能部署：kubectl apply -f verify-workload.yaml：kubectl：未在 1s 内完成；它最后的输出：I1203 waiting for the server"
    );
    assert_eq!(en.check_evidence(&c), c.evidence);

    // The same for a stop at the output limit, from how io::child reports it.
    let cmd = Command::new("kubectl").max_output(Some(16 << 20));
    let flood = kubectl::failure(
        &cmd,
        &Captured {
            finished: finished(Ended::OutputLimit, 9),
            output: "line\nline\n".into(),
        },
    );
    let c = read_back_check(&with_evidence(flood));
    assert!(
        c.evidence.starts_with("kubectl printed more than "),
        "{}",
        c.evidence
    );
    assert_eq!(en.check_evidence(&c), c.evidence);
    for c in [&silent, &hung] {
        assert_no_english_phrase(&zh.check_evidence(&read_back_check(&with_evidence(c.clone()))));
    }
    assert_no_english_phrase(&zh.check_evidence(&c));
}
