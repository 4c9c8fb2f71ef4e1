//! Every host warning the detector gives has a `warning.<id>` text in both wizard languages
//! that uses only the values the warning carries; in English it reads exactly as
//! `dsinstall detect` prints it.

use dsinstall::host::facts::{Address, ExistingCluster, HostFacts, HostWarning, Tool};
use dsinstall::host::{demo_facts, warnings::warnings};
use dsinstall::tui::i18n::{Lang, placeholders};
use std::collections::BTreeSet;

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
        }),
    );

    vec![
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
        for a in &w.args {
            assert!(text.contains(a.as_str()), "{key} drops {a}");
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
