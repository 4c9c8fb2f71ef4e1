//! The wizard's `update`: keys in, model out, for every screen.

mod tui_support;

use crossterm::event::KeyCode::*;
use dsinstall::answers::{AddressFamily, Answers, ProxyMode};
use dsinstall::tui::fields::Field;
use dsinstall::tui::i18n::Lang;
use dsinstall::tui::model::{Outcome, Overlay, Screen};
use dsinstall::tui::text_input::TextInput;
use dsinstall::tui::update::{Msg, update};
use tui_support::*;

fn model() -> dsinstall::tui::model::Model {
    demo(Lang::En, "/nonexistent-dir/answers.yaml")
}

#[test]
fn screen_keys_walk_every_screen_and_back_without_changing_answers() {
    let mut m = model();
    let before = m.answers.clone();
    let mut seen = vec![m.screen];
    for _ in 0..Screen::ALL.len() {
        press(&mut m, Right);
        seen.push(m.screen);
    }
    assert_eq!(m.screen, Screen::Export, "Right stops at the last screen");
    assert_eq!(&seen[..7], &Screen::ALL[..]);
    for _ in 0..3 {
        press(&mut m, Backspace);
    }
    assert_eq!(m.screen, Screen::Kube);
    keys(&mut m, &[PageUp, Esc]);
    assert_eq!(m.screen, Screen::Network);
    chars(&mut m, "nnp");
    assert_eq!(m.screen, Screen::Pools);
    assert_eq!(m.answers, before);
    assert_eq!(m.outcome, None);
}

#[test]
fn welcome_enter_starts_and_back_asks_before_quitting_unsaved_answers() {
    let mut m = model();
    press(&mut m, Enter);
    assert_eq!(m.screen, Screen::Network);
    press(&mut m, Esc);
    assert_eq!(m.screen, Screen::Welcome);
    press(&mut m, Esc);
    assert_eq!(m.overlay, Overlay::ConfirmQuit);
    chars(&mut m, "n");
    assert_eq!(
        (m.overlay, m.outcome),
        (Overlay::None, None),
        "any other key stays"
    );
    chars(&mut m, "q");
    assert_eq!(m.overlay, Overlay::ConfirmQuit);
    chars(&mut m, "y");
    assert_eq!(m.outcome, Some(Outcome::Cancelled));
}

#[test]
fn ctrl_c_and_signals_cancel_at_once() {
    let mut m = model();
    update(&mut m, Msg::ctrl('c'));
    assert_eq!(m.outcome, Some(Outcome::Cancelled));
    let mut m = model();
    update(&mut m, Msg::Stop);
    assert_eq!(m.outcome, Some(Outcome::Cancelled));
}

#[test]
fn help_opens_on_question_mark_and_any_key_closes_it() {
    let mut m = model();
    chars(&mut m, "?");
    assert_eq!(m.overlay, Overlay::Help);
    press(&mut m, Right);
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(
        m.screen,
        Screen::Welcome,
        "the closing key does nothing else"
    );
}

#[test]
fn network_edit_is_checked_as_typed_and_error_sits_under_the_field() {
    let mut m = model();
    goto(&mut m, 1);
    focus_path(&mut m, "node.ipv6");
    press(&mut m, Enter);
    assert!(m.editing.is_some());
    update(&mut m, Msg::ctrl('u'));
    chars(&mut m, "fe80::1");
    assert_eq!(m.answers.node.ipv6.as_deref(), Some("fe80::1"));
    let f = m.focused_field().unwrap();
    let probs = f.problems(&m);
    assert!(
        probs
            .iter()
            .any(|p| p.is_error() && p.message.contains("global unicast")),
        "{probs:?}"
    );
    // Esc puts back the value from before the edit, and the error goes with it.
    press(&mut m, Esc);
    assert_eq!(m.answers.node.ipv6.as_deref(), Some("2018::21"));
    assert!(m.focused_field().unwrap().problems(&m).is_empty());
    assert!(!m.checked.has_errors());
}

#[test]
fn network_space_cycles_endpoint_through_vip_candidates() {
    let mut m = model();
    goto(&mut m, 1);
    focus_path(&mut m, "kubernetes.controlPlaneEndpoint");
    chars(&mut m, " ");
    assert_eq!(m.answers.kubernetes.control_plane_endpoint, None);
    chars(&mut m, " ");
    assert_eq!(
        m.answers.kubernetes.control_plane_endpoint.as_deref(),
        Some("111.111.111.120:6443")
    );
    let f = m.focused_field().unwrap();
    assert!(
        f.reason(&m).unwrap().contains("VIP"),
        "the suggestion says why"
    );
}

#[test]
fn pools_invalid_subnet_shows_under_its_field_and_clears_when_fixed() {
    let mut m = model();
    goto(&mut m, 2);
    focus_path(&mut m, "networking.podSubnets[1]");
    assert_eq!(
        m.focused_field(),
        Some(Field::PodSubnet(AddressFamily::Ipv6))
    );
    press(&mut m, Enter);
    update(&mut m, Msg::ctrl('u'));
    chars(&mut m, "2019:20::/1x");
    let f = m.focused_field().unwrap();
    assert!(
        f.problems(&m).iter().any(|p| p.is_error()),
        "{:?}",
        f.problems(&m)
    );
    assert!(m.checked.has_errors());
    // Other fields stay clean: the error is where the mistake is.
    assert!(
        Field::ServiceSubnet(AddressFamily::Ipv6)
            .problems(&m)
            .is_empty()
    );
    assert!(
        Field::PodSubnet(AddressFamily::Ipv4)
            .problems(&m)
            .is_empty()
    );
    press(&mut m, Backspace);
    chars(&mut m, "12");
    press(&mut m, Enter);
    assert!(m.editing.is_none());
    assert_eq!(m.answers.networking.pod_subnets[1], "2019:20::/112");
    assert!(!m.checked.has_errors());
}

#[test]
fn pools_primary_family_toggle_reorders_both_subnet_lists() {
    let mut m = model();
    goto(&mut m, 2);
    focus_path(&mut m, "networking.podSubnets");
    press(&mut m, Enter);
    assert_eq!(m.primary, AddressFamily::Ipv6);
    assert_eq!(
        m.answers.networking.pod_subnets,
        ["2019:20::/112", "10.10.0.0/16"]
    );
    assert_eq!(
        m.answers.networking.service_subnets,
        ["2019:30::/112", "10.96.0.0/12"]
    );
    // The IPv4 field still shows the IPv4 subnet, now at index 1.
    assert_eq!(
        Field::PodSubnet(AddressFamily::Ipv4).get(&m),
        "10.10.0.0/16"
    );
    assert_eq!(
        Field::PodSubnet(AddressFamily::Ipv4).path(&m),
        "networking.podSubnets[1]"
    );
    // A default advertise family follows the primary family: no error appears elsewhere.
    let plan = m
        .checked
        .plan
        .as_ref()
        .expect("the default advertise family follows the primary family");
    assert_eq!(plan.primary().family, AddressFamily::Ipv6);
    assert!(plan.node.advertise_address.is_ipv6());
    assert!(Field::ApiAdvertise.problems(&m).is_empty());
}

#[test]
fn pools_node_mask_must_be_a_number_before_it_is_accepted() {
    let mut m = model();
    goto(&mut m, 2);
    focus_path(&mut m, "networking.nodeMaskSizes.ipv6");
    press(&mut m, Enter);
    chars(&mut m, "1x");
    assert_eq!(m.editing.as_ref().unwrap().error, Some("error.not_mask6"));
    press(&mut m, Enter);
    assert!(
        m.editing.is_some(),
        "Enter is refused while the text is no number"
    );
    press(&mut m, Backspace);
    chars(&mut m, "16");
    press(&mut m, Enter);
    assert!(m.editing.is_none());
    assert_eq!(
        m.answers.networking.node_mask_sizes.unwrap().ipv6,
        Some(116)
    );
    let plan = m.checked.plan.as_ref().unwrap();
    let v6 = plan.family(AddressFamily::Ipv6).unwrap();
    assert_eq!((v6.nodes_fit, v6.addresses_per_node), (16, 4096));
}

#[test]
fn kube_choices_cycle_and_mtu_is_numeric() {
    let mut m = model();
    goto(&mut m, 3);
    focus_path(&mut m, "kubernetes.proxyMode");
    press(&mut m, Enter);
    assert_eq!(m.answers.kubernetes.proxy_mode, Some(ProxyMode::Ipvs));
    // ipvs on v1.19 carries the seed's NodePort caveat, shown under the field.
    let f = m.focused_field().unwrap();
    assert!(f.problems(&m).iter().any(|p| p.message.contains("ipvs")));
    focus_path(&mut m, "calico.mtu");
    press(&mut m, Enter);
    update(&mut m, Msg::ctrl('u'));
    chars(&mut m, "1480");
    press(&mut m, Tab);
    assert_eq!(m.answers.calico.mtu, Some(1480));
    assert_eq!(
        m.focused_field().unwrap().path(&m),
        "kubernetes.version",
        "Tab moved on, wrapping"
    );
}

#[test]
fn nodes_add_edit_and_remove() {
    let mut m = model();
    goto(&mut m, 4);
    assert_eq!(
        m.fields().len(),
        2 * 4 + 4,
        "two nodes and the verification workload"
    );
    chars(&mut m, "a");
    assert_eq!(m.answers.nodes.len(), 3);
    assert_eq!(m.answers.nodes[2].name, "node04");
    assert_eq!(m.focused_field(), Some(Field::OtherName(2)));
    press(&mut m, Enter);
    update(&mut m, Msg::ctrl('u'));
    chars(&mut m, "Node_4");
    press(&mut m, Enter);
    let probs = Field::OtherName(2).problems(&m);
    assert!(
        probs.iter().any(|p| p.message.contains("RFC 1123")),
        "{probs:?}"
    );
    chars(&mut m, "x");
    assert_eq!(m.answers.nodes.len(), 2);
    assert_eq!(m.answers.nodes, Answers::seed().nodes);
}

#[test]
fn preview_renders_on_entry_and_keys_stay_inside_it() {
    let mut m = model();
    goto(&mut m, 5);
    assert_eq!(m.screen, Screen::Preview);
    assert!(
        !m.preview.files.is_empty() || m.preview.error.is_some(),
        "entering Preview asks the engine to render"
    );
    let n = m.preview.files.len();
    press(&mut m, Tab);
    assert_eq!(m.preview.tab, if n > 1 { 1 } else { 0 });
    press(&mut m, Down);
    assert!(
        m.preview.scroll
            <= m.preview
                .files
                .get(m.preview.tab)
                .map_or(0, |f| f.lines.len())
    );
    press(&mut m, Right);
    assert_eq!(m.screen, Screen::Export);
}

#[test]
fn export_writes_a_file_equal_to_the_answers_and_then_quit_needs_no_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.yaml");
    let mut m = demo(Lang::En, "");
    goto(&mut m, 6);
    chars(&mut m, "e");
    assert!(
        !m.status.as_ref().unwrap().ok,
        "no path: a message, no file"
    );
    focus_path(&mut m, "");
    press(&mut m, Enter);
    chars(&mut m, path.to_str().unwrap());
    press(&mut m, Enter);
    assert!(m.unsaved());
    chars(&mut m, "e");
    assert!(m.status.as_ref().unwrap().ok, "{:?}", m.status);
    let written = Answers::load(&path).unwrap();
    // The demo writes its bundled Calico manifest beside the answers and names it there.
    assert_eq!(
        written.calico.manifest.as_deref(),
        Some("calico-v3.15.3.yaml")
    );
    assert!(dir.path().join("calico-v3.15.3.yaml").exists());
    assert_eq!(without_manifest(written), m.answers);
    assert!(!m.unsaved());
    // A change makes the answers unsaved again and drops the stale message; writing again
    // brings them level.
    focus_path(&mut m, "");
    press(&mut m, Left);
    press(&mut m, Left);
    focus_path(&mut m, "nodes[1].role");
    press(&mut m, Enter);
    assert!(m.unsaved() && m.status.is_none());
    press(&mut m, Enter);
    assert_eq!(
        m.answers,
        without_manifest(Answers::load(&path).unwrap()),
        "back to worker"
    );
    press(&mut m, Right);
    press(&mut m, Right);
    chars(&mut m, "e");
    chars(&mut m, "q");
    assert_eq!(m.outcome, Some(Outcome::Done));
}

#[test]
fn export_failure_is_reported_not_fatal() {
    let mut m = model();
    chars(&mut m, "e");
    let s = m.status.clone().unwrap();
    assert!(
        !s.ok && s.text.contains("/nonexistent-dir/answers.yaml"),
        "{s:?}"
    );
    assert!(m.unsaved());
    assert_eq!(m.outcome, None);
}

#[test]
fn text_input_moves_by_characters_and_counts_wide_ones_twice() {
    let mut t = TextInput::new("节点a");
    assert_eq!((t.cursor(), t.cursor_column()), (3, 5));
    t.left();
    t.backspace();
    assert_eq!(t.text(), "节a");
    assert_eq!(t.cursor_column(), 2);
    t.home();
    t.delete();
    t.insert('b');
    t.end();
    t.right();
    assert_eq!((t.text().as_str(), t.cursor()), ("ba", 2));
}

#[test]
fn language_comes_from_flag_then_lc_all_lc_messages_lang() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(Lang::choose(Some("zh-CN"), env(&[])), Ok(Lang::ZhCn));
    assert!(Lang::choose(Some("fr"), env(&[])).is_err());
    assert_eq!(
        Lang::choose(None, env(&[("LANG", "zh_CN.UTF-8")])),
        Ok(Lang::ZhCn)
    );
    assert_eq!(
        Lang::choose(
            None,
            env(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")])
        ),
        Ok(Lang::En)
    );
    assert_eq!(
        Lang::choose(None, env(&[("LC_MESSAGES", "zh_CN"), ("LANG", "C")])),
        Ok(Lang::ZhCn)
    );
    assert_eq!(
        Lang::choose(None, env(&[("LANG", "de_DE.UTF-8")])),
        Ok(Lang::En)
    );
}

#[test]
fn both_languages_have_every_key_the_program_uses() {
    let en: Vec<&str> = Lang::En.texts().keys().collect();
    let zh: Vec<&str> = Lang::ZhCn.texts().keys().collect();
    assert_eq!(en, zh, "en.yaml and zh-CN.yaml have the same keys");
    // Every key the source asks for exists.
    let mut missing = vec![];
    for file in walk(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/tui"
    ))) {
        let src = std::fs::read_to_string(&file).unwrap();
        for cap in src.split('"').skip(1).step_by(2) {
            let looks_like_key = cap.contains('.')
                && cap
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
                && [
                    "screen.",
                    "tab.",
                    "header.",
                    "status.",
                    "keys.",
                    "help.",
                    "quit.",
                    "value.",
                    "problem.",
                    "field.",
                    "error.",
                    "welcome.",
                    "network.",
                    "pools.",
                    "nodes.",
                    "preview.",
                    "export.",
                    "too_small",
                ]
                .iter()
                .any(|p| cap.starts_with(p));
            if looks_like_key && !en.contains(&cap) {
                missing.push(format!("{}: {cap}", file.display()));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out
}

#[test]
// `..Default::default()` on a complete struct: detection adds address fields on its branch.
#[allow(clippy::needless_update)]
fn network_changing_the_interface_brings_its_address_along() {
    let mut m = model();
    m.facts.interfaces.push(dsinstall::host::facts::Interface {
        name: "eth9".into(),
        up: true,
        mtu: 1500,
        kind: "ether".into(),
        addresses: vec![dsinstall::host::facts::Address {
            address: "10.0.0.5".into(),
            prefix: 24,
            family: "ipv4".into(),
            scope: "global".into(),
            flags: vec![],
            ..Default::default()
        }],
        ..Default::default()
    });
    goto(&mut m, 1);
    focus_path(&mut m, "node.ipv4Interface");
    chars(&mut m, " ");
    assert_eq!(m.answers.node.ipv4_interface.as_deref(), Some("eth9"));
    assert_eq!(m.answers.node.ipv4.as_deref(), Some("10.0.0.5"));
    chars(&mut m, " ");
    assert_eq!(m.answers.node.ipv4_interface.as_deref(), Some("ens192"));
    assert_eq!(m.answers.node.ipv4.as_deref(), Some("111.111.111.121"));
    // An address already on the chosen interface is kept.
    focus_path(&mut m, "node.ipv4");
    chars(&mut m, " ");
    assert_eq!(m.answers.node.ipv4.as_deref(), Some("192.168.206.4"));
}

#[test]
fn preview_reads_a_manifest_named_in_the_answers_even_in_the_demo() {
    let mut m = model();
    goto(&mut m, 3);
    focus_path(&mut m, "calico.manifest");
    press(&mut m, Enter);
    chars(&mut m, "/nonexistent/calico.yaml");
    press(&mut m, Enter);
    goto(&mut m, 5);
    // The named file is read, and is missing: its tab says so, the other files still render.
    assert_eq!(m.preview.error, None);
    let names: Vec<&str> = m.preview.files.iter().map(|f| f.name.as_str()).collect();
    assert!(
        names.contains(&"kubeadm-config.yaml") && names.contains(&"plan.txt"),
        "{names:?}"
    );
    let calico = m
        .preview
        .files
        .iter()
        .find(|f| f.name == "calico.yaml")
        .unwrap();
    assert_eq!(calico.lines[0], "✗ calico.yaml");
    let why = calico.lines.join(" ");
    assert!(
        why.contains("/nonexistent/calico.yaml") && why.contains("calico.manifest"),
        "{why}"
    );
    assert!(
        calico.lines.iter().all(|l| l.chars().count() <= 80),
        "wrapped for the screen"
    );
    goto(&mut m, 3);
    focus_path(&mut m, "calico.manifest");
    press(&mut m, Enter);
    update(&mut m, Msg::ctrl('u'));
    press(&mut m, Enter);
    goto(&mut m, 5);
    assert_eq!(m.preview.error, None, "back to the bundled manifest");
    let calico = m
        .preview
        .files
        .iter()
        .find(|f| f.name == "calico.yaml")
        .unwrap();
    assert!(calico.lines.len() > 3000, "the patched bundled manifest");
}

#[test]
fn preview_paging_follows_the_terminal_height_and_stops_at_the_last_page() {
    let mut m = model();
    update(&mut m, Msg::Resize(80, 24));
    goto(&mut m, 5);
    keys(&mut m, &[Tab, Tab]); // calico.yaml, thousands of lines
    let len = m.preview.files[2].lines.len();
    chars(&mut m, " ");
    assert_eq!(m.preview.scroll, 16);
    press(&mut m, End);
    assert_eq!(m.preview.scroll, len - 16, "End shows the last full page");
    press(&mut m, Up);
    assert_eq!(m.preview.scroll, len - 17, "Up moves at once from the end");
    // Taller: the last page is 32 rows now, and a page back is 32 rows too.
    update(&mut m, Msg::Resize(120, 40));
    assert_eq!(m.preview.scroll, len - 32);
    chars(&mut m, "b");
    assert_eq!(m.preview.scroll, len - 64);
}

fn without_manifest(mut a: Answers) -> Answers {
    a.calico.manifest = None;
    a
}

#[test]
fn export_saves_a_relative_manifest_path_absolute() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.yaml");
    let mut m = demo(Lang::En, "");
    m.answers.calico.manifest = Some("some/dir/calico.yaml".into());
    m.export_path = path.to_str().unwrap().into();
    chars(&mut m, "e");
    assert!(m.status.as_ref().unwrap().ok, "{:?}", m.status);
    let written = Answers::load(&path).unwrap();
    let want = std::env::current_dir()
        .unwrap()
        .join("some/dir/calico.yaml");
    assert_eq!(written.calico.manifest.as_deref(), want.to_str());
    assert!(
        !dir.path().join("calico-v3.15.3.yaml").exists(),
        "the user's manifest wins"
    );
}

#[test]
fn verify_and_cluster_fields_show_their_problems_and_clear_to_nothing() {
    let mut m = model();
    goto(&mut m, 4);
    focus_path(&mut m, "verify.nodePort");
    press(&mut m, Enter);
    update(&mut m, Msg::ctrl('u'));
    chars(&mut m, "80");
    press(&mut m, Enter);
    assert_eq!(m.answers.verify.as_ref().unwrap().node_port, Some(80));
    let f = m.focused_field().unwrap();
    assert!(
        !f.problems(&m).is_empty(),
        "a NodePort outside the range is shown where it is"
    );
    // Emptying every verify field drops the section, as a file without it would be.
    for path in [
        "verify.serverImage",
        "verify.clientImage",
        "verify.nodePort",
        "verify.namespace",
    ] {
        focus_path(&mut m, path);
        press(&mut m, Enter);
        update(&mut m, Msg::ctrl('u'));
        press(&mut m, Enter);
    }
    assert_eq!(m.answers.verify, None);
    goto(&mut m, 3);
    focus_path(&mut m, "networking.dnsDomain");
    press(&mut m, Enter);
    update(&mut m, Msg::ctrl('u'));
    chars(&mut m, "cluster..local");
    press(&mut m, Enter);
    assert!(!m.focused_field().unwrap().problems(&m).is_empty());
}

#[test]
fn export_never_writes_through_a_link_or_over_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.yaml");
    std::fs::write(&real, "mine\n").unwrap();
    let link = dir.path().join("out.yaml");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let mut m = demo(Lang::En, "");
    m.export_path = link.to_str().unwrap().into();
    chars(&mut m, "e");
    let s = m.status.clone().unwrap();
    assert!(!s.ok && s.text.contains("symbolic link"), "{s:?}");
    assert!(m.unsaved());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "mine\n");
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(
        !dir.path().join("calico-v3.15.3.yaml").exists(),
        "a refused export writes nothing, not even the demo manifest"
    );

    // The demo's manifest, written beside the answers, is refused too: a link to a file that
    // is not the demo's manifest is kept as it is, and nothing is written through it.
    std::fs::remove_file(&link).unwrap();
    let beside = dir.path().join("calico-v3.15.3.yaml");
    std::os::unix::fs::symlink(&real, &beside).unwrap();
    m.export_path = link.to_str().unwrap().into();
    chars(&mut m, "e");
    let s = m.status.clone().unwrap();
    assert!(
        !s.ok && (s.text.contains("symbolic link") || s.text.contains("it is kept")),
        "{s:?}"
    );
    assert!(beside.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "mine\n");
}

fn problems_under(m: &dsinstall::tui::model::Model, f: Field) -> Vec<String> {
    f.problems(m).iter().map(|p| p.code.to_string()).collect()
}

/// Export names the next command only once render would take the answers.
#[test]
fn export_says_what_comes_next_only_without_errors() {
    let mut m = model();
    goto(&mut m, Screen::Export.index());
    let screen = rows(&draw(&m, 120, 40)).join("\n");
    assert!(screen.contains("dsinstall render --answers"), "{screen}");
    Field::ServiceSubnet(AddressFamily::Ipv6)
        .set(&mut m, "")
        .unwrap();
    m.recheck();
    let screen = rows(&draw(&m, 120, 40)).join("\n");
    assert!(m.checked.has_errors(), "{screen}");
    assert!(!screen.contains("dsinstall render --answers"), "{screen}");
}

/// An IPv6 range typed into an IPv4 field (service or pod): the error is on the IPv4
/// field that holds it, not on the IPv6 one beside it.
#[test]
fn the_other_familys_range_in_a_family_field_is_blamed_on_that_field() {
    for (f, typed) in [
        (Field::ServiceSubnet(AddressFamily::Ipv4), "2019:40::/108"),
        (Field::PodSubnet(AddressFamily::Ipv4), "2019:50::/56"),
        (Field::ServiceSubnet(AddressFamily::Ipv6), "10.97.0.0/16"),
    ] {
        let mut m = model();
        f.set(&mut m, typed).unwrap();
        m.recheck();
        assert!(m.checked.has_errors(), "{typed:?}");
        let under = problems_under(&m, f);
        assert!(
            under.contains(&"subnets.same_family".to_string()),
            "{f:?} {typed}: {under:?}"
        );
        let other = match f {
            Field::ServiceSubnet(AddressFamily::Ipv4) => Field::ServiceSubnet(AddressFamily::Ipv6),
            Field::PodSubnet(AddressFamily::Ipv4) => Field::PodSubnet(AddressFamily::Ipv6),
            _ => Field::ServiceSubnet(AddressFamily::Ipv4),
        };
        assert!(
            !problems_under(&m, other).contains(&"subnets.same_family".to_string()),
            "{typed:?}: blamed on {other:?}"
        );
    }
}

#[test]
fn a_service_subnet_problem_shows_under_the_family_field_that_fixes_it() {
    for typed in ["", "10.97.0.0/16"] {
        let mut m = model();
        Field::ServiceSubnet(AddressFamily::Ipv6)
            .set(&mut m, typed)
            .unwrap();
        m.recheck();
        assert!(m.checked.has_errors(), "{typed:?}");
        let under = problems_under(&m, Field::ServiceSubnet(AddressFamily::Ipv6));
        assert!(!under.is_empty(), "{typed:?}: nothing under the IPv6 field");
        assert!(
            problems_under(&m, Field::PrimaryFamily).is_empty(),
            "{typed:?}: {:?}",
            problems_under(&m, Field::PrimaryFamily)
        );
        // Every error has a field.
        let spots = dsinstall::tui::fields::spots(&m);
        assert_eq!(
            spots
                .iter()
                .filter(|s| s.severity == dsinstall::plan::Severity::Error)
                .count(),
            m.checked.errors().count()
        );
    }
}

#[test]
fn every_problem_of_the_demo_and_of_a_broken_walk_has_a_field() {
    let mut m = model();
    Field::KubeVersion.set(&mut m, "v1.28.0").unwrap();
    Field::NodeName.set(&mut m, "Bad_Name").unwrap();
    m.recheck();
    let homed = dsinstall::tui::fields::spots(&m).len();
    assert_eq!(homed, m.checked.problems.len(), "{:?}", m.checked.problems);
}

#[test]
fn bang_jumps_to_each_error_in_turn_across_screens() {
    let mut m = model();
    Field::KubeVersion.set(&mut m, "v1.28.0").unwrap();
    m.recheck();
    let errors: Vec<(Screen, Field)> = m
        .checked
        .errors()
        .filter_map(|p| dsinstall::tui::fields::home(p, &m))
        .collect();
    assert!(errors.len() >= 2, "{:?}", m.checked.problems);
    let mut visited = vec![];
    for _ in 0..errors.len() {
        press(&mut m, Char('!'));
        let f = m.focused_field().expect("a field is focused");
        visited.push((m.screen, f));
        assert!(
            !f.problems(&m).iter().all(|p| !p.is_error()),
            "{f:?} holds an error"
        );
    }
    for e in &errors {
        assert!(visited.contains(e), "{e:?} never visited: {visited:?}");
    }
    // Once more wraps around to the first.
    press(&mut m, Char('!'));
    assert_eq!((m.screen, m.focused_field().unwrap()), visited[0]);
}

#[test]
fn bang_goes_to_warnings_when_there_are_no_errors() {
    let mut m = model();
    assert!(!m.checked.has_errors());
    press(&mut m, Char('!'));
    let f = m.focused_field().expect("a warning's field");
    assert!(!f.problems(&m).is_empty(), "{f:?}");
}

#[test]
fn the_quit_dialogs_e_writes_the_answers_and_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.yaml");
    let mut m = demo(Lang::En, path.to_str().unwrap());
    press(&mut m, Char('q'));
    assert_eq!(m.overlay, Overlay::ConfirmQuit);
    press(&mut m, Char('e'));
    assert!(path.exists());
    assert_eq!(m.outcome, Some(Outcome::Done));
    // Where it cannot be written, it stays and says why.
    let mut m = model();
    press(&mut m, Char('q'));
    press(&mut m, Char('e'));
    assert_eq!(m.outcome, None);
    assert!(m.status.as_ref().is_some_and(|s| !s.ok));
}

#[test]
fn a_mask_can_be_typed_as_it_is_shown() {
    let mut m = model();
    Field::NodeMask(AddressFamily::Ipv6)
        .set(&mut m, "/64")
        .unwrap();
    assert_eq!(
        m.answers
            .networking
            .node_mask_sizes
            .as_ref()
            .and_then(|n| n.ipv6),
        Some(64)
    );
}

#[test]
fn a_quit_question_shows_even_on_a_too_small_terminal() {
    let mut m = model();
    update(&mut m, Msg::Resize(40, 10));
    press(&mut m, Char('q'));
    let screen = rows(&draw(&m, 40, 10)).join("\n");
    assert!(screen.contains("quit without saving"), "{screen}");
}

#[test]
fn defaults_stay_visible_while_an_error_stops_the_plan() {
    let mut m = model();
    Field::PodSubnet(AddressFamily::Ipv6)
        .set(&mut m, "2019:20::5/112")
        .unwrap();
    m.recheck();
    assert!(m.checked.plan.is_none(), "the error stops the plan");
    assert_eq!(
        Field::NodeMask(AddressFamily::Ipv4)
            .effective(&m)
            .as_deref(),
        Some("/24")
    );
    assert_eq!(
        Field::ApiAdvertise.effective(&m).as_deref(),
        Some("ipv4"),
        "a default choice says which it is"
    );
}

#[test]
fn problem_texts_name_fields_by_their_labels() {
    let m = model();
    let text =
        dsinstall::tui::view::form_labelled(&m, "set calico.manifest and nodeMaskSizes.ipv6");
    assert_eq!(text, "set “Calico manifest file” and “IPv6 node mask”");
}

#[test]
fn i_shows_the_focused_fields_own_help_and_any_key_closes_it() {
    for lang in [Lang::En, Lang::ZhCn] {
        let mut m = demo(lang, "/nonexistent-dir/answers.yaml");
        press(&mut m, Enter);
        focus_path(&mut m, "node.apiAdvertise");
        press(&mut m, Char('i'));
        assert_eq!(m.overlay, Overlay::FieldHelp);
        let screen = rows(&draw(&m, 80, 24)).join("\n");
        assert!(screen.contains("advertiseAddress"), "{screen}");
        press(&mut m, Char('x'));
        assert_eq!(m.overlay, Overlay::None);
    }
}

#[test]
fn every_field_help_text_exists_in_both_languages() {
    let m = model();
    for screen in Screen::ALL {
        for f in dsinstall::tui::fields::of_screen(screen, &m) {
            if let Some(k) = f.help_key() {
                for lang in [Lang::En, Lang::ZhCn] {
                    assert_ne!(lang.texts().t(k), k, "{k} missing in {lang:?}");
                }
            }
        }
    }
}

#[test]
fn export_asks_before_replacing_a_file_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("theirs.yaml");
    std::fs::write(&path, "kept\n").unwrap();
    let mut m = demo(Lang::En, path.to_str().unwrap());
    press(&mut m, Char('e'));
    assert_eq!(m.overlay, Overlay::ConfirmOverwrite);
    let screen = rows(&draw(&m, 80, 24)).join("\n");
    assert!(screen.contains("already exists"), "{screen}");
    press(&mut m, Char('n'));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "kept\n");
    assert!(m.status.as_ref().is_some_and(|s| !s.ok));
    press(&mut m, Char('e'));
    press(&mut m, Char('y'));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("apiVersion")
    );
    // Written once, later exports replace it without asking.
    Field::NodeName.set(&mut m, "node09").unwrap();
    press(&mut m, Char('e'));
    assert_eq!(m.overlay, Overlay::None);
    assert!(std::fs::read_to_string(&path).unwrap().contains("node09"));
}

#[test]
fn the_demo_never_replaces_someone_elses_manifest_beside_the_answers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("calico-v3.15.3.yaml"), "mine\n").unwrap();
    let path = dir.path().join("a.yaml");
    let mut m = demo(Lang::En, path.to_str().unwrap());
    press(&mut m, Char('e'));
    assert!(m.status.as_ref().is_some_and(|s| !s.ok), "{:?}", m.status);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("calico-v3.15.3.yaml")).unwrap(),
        "mine\n"
    );
}

#[test]
fn u_puts_back_the_node_x_removed() {
    let mut m = model();
    goto(&mut m, Screen::Nodes.index());
    let before = m.answers.nodes.clone();
    press(&mut m, Char('x'));
    assert_eq!(m.answers.nodes.len(), before.len() - 1);
    press(&mut m, Char('u'));
    assert_eq!(m.answers.nodes, before);
}

#[test]
fn u_takes_back_the_node_a_added_and_says_what_it_undid() {
    let mut m = model();
    goto(&mut m, Screen::Nodes.index());
    let before = m.answers.nodes.clone();
    press(&mut m, Char('a'));
    assert_eq!(m.answers.nodes.len(), before.len() + 1);
    press(&mut m, Char('u'));
    assert_eq!(m.answers.nodes, before);
    let said = m.status.clone().expect("u says what it undid");
    assert!(said.text.contains("node04"), "{said:?}");
    // One step only: a second u has nothing left and says so, changing nothing.
    press(&mut m, Char('u'));
    assert_eq!(m.answers.nodes, before);
    assert!(
        m.status
            .as_ref()
            .is_some_and(|s| s.text.contains("nothing to undo")),
        "{:?}",
        m.status
    );
}

#[test]
fn u_takes_back_each_removal_in_turn_and_a_never_reuses_a_name() {
    let mut m = model();
    goto(&mut m, Screen::Nodes.index());
    let before = m.answers.nodes.clone();
    press(&mut m, Char('x'));
    press(&mut m, Char('x'));
    assert!(m.answers.nodes.is_empty());
    press(&mut m, Char('u'));
    press(&mut m, Char('u'));
    assert_eq!(m.answers.nodes, before, "both back, in their places");
    // With node02 removed, the new node takes a name nobody has: not node03 again.
    press(&mut m, Char('x'));
    press(&mut m, Char('a'));
    let names: Vec<_> = m.answers.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["node03", "node04"]);
}

#[test]
fn a_paste_is_text_for_a_field_never_keys() {
    let mut m = model();
    goto(&mut m, Screen::Nodes.index());
    let before = m.answers.clone();
    // On the Nodes screen `a` adds, `x` removes and `e` exports: pasted, they are text for
    // the focused field (node02's name), opened as Enter would open it.
    assert_eq!(m.focused_field(), Some(Field::OtherName(0)));
    update(&mut m, Msg::Paste("axe-node\n".into()));
    assert_eq!(m.answers.nodes.len(), before.nodes.len());
    assert!(m.editing.is_some(), "the paste opened the field");
    press(&mut m, Enter);
    assert_eq!(m.answers.nodes[0].name, "node02axe-node");
    assert_eq!(m.status, None, "nothing was exported");
    // While editing, a paste lands at the cursor, line breaks and tabs dropped.
    press(&mut m, Enter);
    update(&mut m, Msg::ctrl('u'));
    update(&mut m, Msg::Paste("node\t0\r\n2".into()));
    press(&mut m, Enter);
    assert_eq!(m.answers.nodes[0].name, "node02");
    // A choice field takes no text: the paste is dropped with a word, not replayed.
    goto(&mut m, Screen::Kube.index());
    focus_path(&mut m, "kubernetes.proxyMode");
    let answers = m.answers.clone();
    update(&mut m, Msg::Paste("q".into()));
    assert_eq!(m.answers, answers);
    assert_eq!(m.outcome, None, "a pasted q does not quit");
    assert!(
        m.status
            .as_ref()
            .is_some_and(|s| s.text.contains("paste into a text field")),
        "{:?}",
        m.status
    );
}

#[test]
fn a_paste_goes_into_the_preview_search_being_typed() {
    let mut m = model();
    goto(&mut m, Screen::Preview.index());
    press(&mut m, Char('/'));
    update(&mut m, Msg::Paste("podSubnet\n".into()));
    assert_eq!(
        m.preview.search.as_ref().map(|i| i.text()),
        Some("podSubnet".to_string())
    );
}

/// At 80 columns the Pools form is narrow beside the plan: a default cut to fit is said
/// whole under the focused field, and only there.
#[test]
fn a_cut_default_is_said_whole_under_the_focused_field() {
    let mut m = model();
    goto(&mut m, Screen::Pools.index());
    let pool = |m: &dsinstall::tui::model::Model| {
        dsinstall::tui::fields::Field::CalicoPool(AddressFamily::Ipv4)
            .effective(m)
            .unwrap()
    };
    let whole = format!("default: {}", pool(&m));
    let screen = rows(&draw(&m, 80, 24)).join("\n");
    assert!(!screen.contains(&whole), "{screen}");
    focus_path(&mut m, "calico.ipv4Pool");
    let screen = rows(&draw(&m, 80, 24)).join("\n");
    assert!(screen.contains(&whole), "{screen}");
    // At 120 columns it fits on its own line: nothing more is said.
    let screen = rows(&draw(&m, 120, 40)).join("\n");
    assert!(!screen.contains(&format!("✓ {whole}")), "{screen}");
}

/// Why detection suggests a value is said in the wizard's language, the addresses as they
/// are.
#[test]
fn a_suggestions_reason_is_in_chinese_on_the_chinese_screen() {
    let mut m = demo(Lang::ZhCn, "/nonexistent-dir/answers.yaml");
    goto(&mut m, Screen::Network.index());
    focus_path(&mut m, "node.ipv6");
    let screen = rows(&draw(&m, 120, 40)).join("\n");
    assert!(
        screen.contains("2018::21 是稳定的手动配置地址") && screen.contains("也符合条件"),
        "{screen}"
    );
    assert!(!screen.contains("stable configured"), "{screen}");
    focus_path(&mut m, "kubernetes.controlPlaneEndpoint");
    let screen = rows(&draw(&m, 120, 40)).join("\n");
    assert!(
        screen.contains("111.111.111.120/32 看起来是 VIP"),
        "{screen}"
    );
}

mod run_screens {
    use super::*;
    use dsinstall::run::event::{RunState, StepState};
    use dsinstall::tui::install::{Effect, Feed, LOG_KEEP, Stage};
    use tui_support::runner_events::*;

    /// A long wait (kubeadm's wait-control-plane takes minutes) shows its time going by; a
    /// step just started shows none, so the screen does not flicker with tenths.
    #[test]
    fn a_long_running_step_shows_how_long_it_has_run() {
        let mut m = model();
        attached_for_test(&mut m);
        running(&mut m);
        let row = |m: &dsinstall::tui::model::Model| {
            // The step list is the left pane.
            rows(&draw(m, 80, 24))
                .into_iter()
                .filter_map(|r| r.split('│').next().map(str::to_string))
                .find(|r| r.contains("kubeadm.init"))
                .unwrap()
        };
        assert!(!row(&m).contains('…'), "{}", row(&m));
        let back = std::time::Instant::now() - std::time::Duration::from_secs(75);
        m.run.running_since.insert("kubeadm.init".into(), back);
        assert!(row(&m).contains("1m15s…"), "{}", row(&m));
        ended(&mut m, "kubeadm.init", 80_000);
        assert!(
            row(&m).contains("1m20s") && !row(&m).contains('…'),
            "{}",
            row(&m)
        );
    }

    fn attached_for_test(m: &mut dsinstall::tui::model::Model) {
        update(
            m,
            Msg::Feed(Feed::Attached {
                log: "/tmp/lab/var/log/dsinstall/apply.log".into(),
                report: None,
            }),
        );
    }

    /// Confirm's lines are wrapped, so a screenful is fewer lines than rows: `End` shows the
    /// report's end, and `Up` from there moves the screen at once.
    #[test]
    fn confirm_end_shows_the_last_line_and_up_scrolls_from_there() {
        use dsinstall::run::dry_run::{Line, Verdict};
        let mut m = model();
        goto(&mut m, Screen::ALL.len() - 1);
        chars(&mut m, "a");
        m.run.effect = None;
        let long = "a probe's detail long enough to take two rows at eighty columns, so that wrapping matters";
        for i in 0..30 {
            let l = Line::Step {
                step: format!("step{i:02}"),
                verdict: Verdict::ToDo(long.into()),
            };
            update(&mut m, Msg::Feed(Feed::DryLine(l)));
        }
        update(&mut m, Msg::Feed(Feed::DryLine(Line::Reset)));
        update(&mut m, Msg::Feed(Feed::DryDone(Ok(()))));
        press(&mut m, End);
        let screen = rows(&draw(&m, 80, 24)).join("\n");
        assert!(screen.contains("reset would undo"), "{screen}");
        assert!(screen.contains("step29"), "{screen}");
        let top = |m: &dsinstall::tui::model::Model| {
            rows(&draw(m, 80, 24))
                .into_iter()
                .find(|r| r.starts_with("==> step"))
                .unwrap()
        };
        let before = top(&m);
        press(&mut m, Up);
        assert_ne!(top(&m), before, "Up at the end moved nothing");
    }

    #[test]
    fn export_a_opens_confirm_and_y_starts_only_once_the_dry_run_is_in() {
        let mut m = model();
        goto(&mut m, Screen::ALL.len() - 1);
        chars(&mut m, "a");
        assert_eq!(m.run.stage, Some(Stage::Confirm));
        assert_eq!(m.run.effect.take(), Some(Effect::DryRun));
        let bar = rows(&draw(&m, 80, 24)).pop().unwrap();
        assert!(bar.contains("(y once the changes are in)"), "{bar}");
        chars(&mut m, "y");
        assert_eq!(m.run.effect, None, "nothing to agree to yet");
        update(
            &mut m,
            Msg::Feed(Feed::DryLine(dsinstall::run::dry_run::Line::Header)),
        );
        update(&mut m, Msg::Feed(Feed::DryDone(Ok(()))));
        press(&mut m, Down);
        assert_eq!(m.run.dry_scroll, 1);
        chars(&mut m, "y");
        assert_eq!(m.run.stage, Some(Stage::Install));
        assert_eq!(
            m.run.effect,
            Some(Effect::Start {
                clear_faults: false
            })
        );
        assert_eq!(
            m.run.dry_lines.len(),
            1,
            "Confirm's list stays for going back"
        );
    }

    #[test]
    fn dry_run_only_lists_and_never_starts() {
        let mut m = model();
        m.dry_run_only = true;
        goto(&mut m, Screen::ALL.len() - 1);
        chars(&mut m, "a");
        m.run.effect = None;
        update(&mut m, Msg::Feed(Feed::DryDone(Ok(()))));
        press(&mut m, Enter);
        chars(&mut m, "y");
        assert_eq!(m.run.stage, Some(Stage::Confirm));
        assert_eq!(m.run.effect, None);
        press(&mut m, Esc);
        assert_eq!(m.run.stage, None, "Esc goes back to Export");
        assert_eq!(m.screen, Screen::Export);
    }

    #[test]
    fn runner_events_fold_into_steps_phase_and_log() {
        let mut m = model();
        running(&mut m);
        let st = m.run.status.as_ref().unwrap();
        let states: Vec<StepState> = st.steps.iter().map(|s| s.state).collect();
        use StepState::*;
        assert_eq!(states, [Done, Done, Done, Running, Pending]);
        assert_eq!(st.steps[2].duration_ms, Some(28000));
        assert_eq!(m.run.current().unwrap().id, "kubeadm.init");
        assert_eq!(m.run.phases.get("kubeadm.init").unwrap(), "[certs]");
        assert_eq!(m.run.log.len(), 43);
        assert!(!m.run.ended());
        assert_eq!(m.run.failed_step(), None);
        chars(&mut m, "r");
        assert_eq!(m.run.effect, None, "no retry while the run goes on");
    }

    #[test]
    fn the_log_keeps_its_last_lines_only() {
        let mut m = model();
        running(&mut m);
        for i in 0..LOG_KEEP + 500 {
            line(&mut m, "kubeadm.init", &format!("line {i}"));
        }
        assert_eq!(m.run.log.len(), LOG_KEEP);
        assert_eq!(m.run.log_total, (LOG_KEEP + 543) as u64);
        assert_eq!(
            m.run.log.back().unwrap().1,
            format!("line {}", LOG_KEEP + 499)
        );
        assert_eq!(m.run.log.front().unwrap().1, "line 500");
    }

    #[test]
    fn the_log_filters_by_the_selected_step_and_scrolls_back_to_following() {
        let mut m = model();
        running(&mut m);
        assert_eq!(m.run.selected, 3, "the selection follows the running step");
        press(&mut m, Up);
        chars(&mut m, "f");
        assert_eq!(m.run.filter.as_deref(), Some("images"));
        let shown: Vec<_> = m.run.visible_log().map(|(_, t)| t.clone()).collect();
        assert_eq!(shown, ["images did its work"]);
        chars(&mut m, "f");
        assert_eq!(m.run.filter, None);
        press(&mut m, PageUp);
        assert_eq!(m.run.log_back, 10);
        press(&mut m, End);
        assert_eq!(m.run.log_back, 0);
    }

    #[test]
    fn a_failure_offers_retry_and_reset_and_leaving_keeps_the_run() {
        let mut m = model();
        m.run.faults = vec!["kubelet-crash".into()];
        failed_run(&mut m);
        let f = m.run.failed_step().unwrap();
        assert_eq!(f.id, "kubeadm.init");
        assert_eq!(m.run.selected, 3, "the failed step is selected");
        assert_eq!(
            f.error.as_deref(),
            Some("the node's InternalIP is IPv4 only")
        );
        assert!(f.hint.as_deref().unwrap().contains("nodes[0].addresses"));
        chars(&mut m, "r");
        assert_eq!(
            m.run.effect.take(),
            Some(Effect::Start { clear_faults: true })
        );
        assert_eq!(m.run.status, None, "the retry reads the journal again");
        assert_eq!(m.run.faults, ["kubelet-crash"]);
        failed_run(&mut m);
        chars(&mut m, "R");
        assert_eq!(m.run.effect.take(), Some(Effect::ResetAndStart));
        failed_run(&mut m);
        m.saved = Some(m.answers.clone());
        chars(&mut m, "q");
        assert_eq!(m.outcome, Some(Outcome::RunUnfinished));
        assert_eq!(m.run.effect, None, "leaving does not touch the run");
    }

    #[test]
    fn a_runner_gone_without_an_end_fails_its_step_and_offers_retry() {
        let mut m = model();
        running(&mut m);
        update(&mut m, Msg::Feed(Feed::RunnerGone));
        assert!(m.run.ended());
        assert_eq!(m.run.run_state(), Some(RunState::Interrupted));
        assert_eq!(m.run.failed_step().unwrap().id, "kubeadm.init");
        chars(&mut m, "r");
        assert!(matches!(m.run.effect, Some(Effect::Start { .. })));
    }

    #[test]
    fn a_finished_run_opens_checks_with_evidence_and_back_goes_to_install() {
        let mut m = model();
        done_run(&mut m);
        assert_eq!(m.run.stage, Some(Stage::Checks));
        assert_eq!(m.run.checks.len(), 4);
        assert_eq!(m.run.check_counts(), (3, 0, 1, 0));
        assert_eq!(
            m.run.check_selected, 2,
            "Checks opens on the first check not passed"
        );
        keys(&mut m, &[Down, Down, Down, Down, Down]);
        assert_eq!(m.run.check_selected, 3);
        press(&mut m, Esc);
        assert_eq!(m.run.stage, Some(Stage::Install));
        chars(&mut m, "r");
        assert_eq!(m.run.effect, None, "a finished run is not retried");
        chars(&mut m, "c");
        assert_eq!(m.run.stage, Some(Stage::Checks));
        m.saved = Some(m.answers.clone());
        chars(&mut m, "q");
        assert_eq!(m.outcome, Some(Outcome::Done));
    }

    #[test]
    fn leaving_mid_install_with_the_answers_saved_is_at_once_and_the_run_goes_on() {
        let mut m = model();
        running(&mut m);
        m.saved = Some(m.answers.clone());
        chars(&mut m, "q");
        assert_eq!(m.overlay, Overlay::None, "nothing to ask");
        assert_eq!(m.outcome, Some(Outcome::RunUnfinished));
        assert_eq!(m.run.effect, None, "nothing stops the runner");
    }

    /// `q` on Install and Checks asks about unsaved answers as it does on the answers'
    /// screens (the demo never writes them unless told): `y` leaves without them.
    #[test]
    fn q_after_a_run_asks_before_leaving_unsaved_answers() {
        for (run, stage) in [
            (failed_run as fn(&mut _), Stage::Install),
            (done_run, Stage::Checks),
            (running, Stage::Install),
        ] {
            let mut m = model();
            run(&mut m);
            assert_eq!(m.run.stage, Some(stage));
            assert!(m.unsaved());
            chars(&mut m, "q");
            assert_eq!(m.overlay, Overlay::ConfirmQuit, "{stage:?}");
            assert_eq!(m.outcome, None);
            let screen = rows(&draw(&m, 80, 24)).join("\n");
            assert!(screen.contains("quit without saving"), "{screen}");
            chars(&mut m, "n");
            assert_eq!(
                (m.overlay, m.outcome),
                (Overlay::None, None),
                "any other key stays"
            );
            assert_eq!(m.run.stage, Some(stage), "on the screen it was");
            chars(&mut m, "q");
            chars(&mut m, "y");
            assert_eq!(m.outcome, Some(Outcome::Cancelled));
            assert_eq!(m.run.effect, None, "nothing stops the runner");
        }
    }

    /// The dialog's `e` writes the answers and leaves: done after a run that passed,
    /// unfinished after one that failed or still runs.
    #[test]
    fn the_quit_dialogs_e_on_a_run_screen_writes_the_answers_and_leaves() {
        for (run, outcome) in [
            (done_run as fn(&mut _), Outcome::Done),
            (failed_run, Outcome::RunUnfinished),
            (running, Outcome::RunUnfinished),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("a.yaml");
            let mut m = demo(Lang::En, path.to_str().unwrap());
            run(&mut m);
            chars(&mut m, "q");
            assert_eq!(m.overlay, Overlay::ConfirmQuit);
            chars(&mut m, "e");
            assert!(path.exists());
            assert_eq!(m.outcome, Some(outcome));
        }
    }

    /// Confirm asks too; with the answers saved it leaves at once, as done.
    #[test]
    fn q_on_confirm_asks_about_unsaved_answers_then_leaves_done() {
        let mut m = model();
        goto(&mut m, Screen::ALL.len() - 1);
        chars(&mut m, "a");
        assert_eq!(m.run.stage, Some(Stage::Confirm));
        chars(&mut m, "q");
        assert_eq!(m.overlay, Overlay::ConfirmQuit);
        chars(&mut m, "x");
        m.saved = Some(m.answers.clone());
        chars(&mut m, "q");
        assert_eq!(m.outcome, Some(Outcome::Done));
    }

    /// A running install whose log has `kubelet` on three lines and one long line.
    fn log_with_matches(m: &mut dsinstall::tui::model::Model) {
        running(m);
        line(m, "kubeadm.init", "[kubelet-start] Starting the kubelet");
        for i in 0..30 {
            line(m, "kubeadm.init", &format!("[certs] key {i}"));
        }
        line(m, "kubeadm.init", "[kubelet-check] Waiting for the KUBELET");
        line(m, "kubeadm.init", &format!("long {}", "x".repeat(100)));
        line(m, "kubeadm.init", "kubelet is healthy");
    }

    #[test]
    fn slash_searches_the_log_and_n_shift_n_step_through_the_matches() {
        let mut m = model();
        log_with_matches(&mut m);
        chars(&mut m, "/");
        assert!(m.run.view.prompt.is_some());
        chars(&mut m, "kubeletq?");
        assert_eq!(m.outcome, None, "q and ? are typed into the search");
        press(&mut m, Backspace);
        press(&mut m, Backspace);
        press(&mut m, Enter);
        assert!(m.run.view.prompt.is_none());
        assert_eq!(m.run.view.query.as_deref(), Some("kubelet"));
        assert_eq!(m.run.matches().len(), 3, "ASCII case does not matter");
        assert_eq!(m.run.match_position(), Some((3, 3)), "the newest first");
        assert_eq!(m.run.log_back, 0, "the newest match is in the tail");
        chars(&mut m, "N");
        assert_eq!(m.run.match_position(), Some((2, 3)));
        chars(&mut m, "N");
        assert_eq!(m.run.match_position(), Some((1, 3)));
        // The oldest match is 33 lines up: the pane scrolls to it, 5 lines under it.
        assert_eq!(m.run.log_back, 33 - 5);
        let at = m.run.view.current.unwrap();
        assert!(m.run.bottom_line().unwrap() > at);
        chars(&mut m, "N");
        assert_eq!(
            m.run.match_position(),
            Some((3, 3)),
            "N wraps to the newest"
        );
        chars(&mut m, "n");
        assert_eq!(
            m.run.match_position(),
            Some((1, 3)),
            "n wraps to the oldest"
        );
        chars(&mut m, "n");
        assert_eq!(m.run.match_position(), Some((2, 3)));
        press(&mut m, Esc);
        assert_eq!(m.run.view.query, None, "Esc clears the search");
        assert_eq!(m.run.match_position(), None);
        // An empty search repeats the last one; Esc in the prompt drops it.
        chars(&mut m, "/");
        press(&mut m, Enter);
        assert_eq!(m.run.view.query.as_deref(), Some("kubelet"));
        chars(&mut m, "/");
        chars(&mut m, "zz");
        press(&mut m, Esc);
        assert_eq!(m.run.view.prompt, None);
        assert_eq!(m.run.view.query, None);
        chars(&mut m, "/nothing-like-it");
        press(&mut m, Enter);
        assert_eq!(m.run.matches().len(), 0);
        assert_eq!(m.run.match_position(), None);
        chars(&mut m, "n");
        assert_eq!(m.run.view.current, None);
    }

    #[test]
    fn left_right_h_l_shift_the_log_sideways_and_w_wraps() {
        let mut m = model();
        log_with_matches(&mut m);
        press(&mut m, Right);
        assert_eq!(
            m.run.stage,
            Some(Stage::Install),
            "Right shifts, c opens Checks"
        );
        assert_eq!(m.run.view.h_scroll, 8);
        chars(&mut m, "l");
        assert_eq!(m.run.view.h_scroll, 16);
        press(&mut m, Left);
        chars(&mut m, "h");
        chars(&mut m, "h");
        assert_eq!(m.run.view.h_scroll, 0, "no further left than the start");
        for _ in 0..100 {
            press(&mut m, Right);
        }
        // "[kubeadm.init] long xxx…": 15 + 5 + 100 columns; its last step starts at 112.
        assert_eq!(
            m.run.view.h_scroll, 112,
            "no further right than the longest line"
        );
        chars(&mut m, "w");
        assert!(m.run.view.wrap);
        press(&mut m, Right);
        assert_eq!(m.run.view.h_scroll, 112, "wrapped lines do not shift");
        chars(&mut m, "w");
        assert!(!m.run.view.wrap);
    }

    #[test]
    fn a_scrolled_log_stays_on_its_lines_as_new_ones_come() {
        let mut m = model();
        log_with_matches(&mut m);
        press(&mut m, PageUp);
        let bottom = m.run.bottom_line();
        line(&mut m, "kubeadm.init", "one more");
        line(&mut m, "images", "another");
        assert_eq!(m.run.log_back, 12);
        assert_eq!(m.run.bottom_line(), bottom);
        press(&mut m, End);
        line(&mut m, "kubeadm.init", "and more");
        assert_eq!(m.run.log_back, 0, "following stays following");
    }

    #[test]
    fn r_re_runs_the_selected_check_and_capital_r_all_of_them() {
        use dsinstall::verify::report::{CheckResult, CheckStatus};
        let mut m = model();
        running(&mut m);
        m.run.open_checks();
        check(&mut m, "node.ready", None, CheckStatus::Pass, None);
        chars(&mut m, "r");
        assert_eq!(
            m.run.effect, None,
            "no re-run while the run's own checks run"
        );
        let mut m = model();
        done_run(&mut m);
        attached_log(&mut m);
        assert_eq!(m.run.stage, Some(Stage::Checks));
        let sel = m.run.checks[m.run.check_selected].clone();
        assert_eq!(sel.id, "svc.cluster-ip");
        chars(&mut m, "r");
        let Some(Effect::Verify {
            only,
            checks,
            reports,
        }) = m.run.effect.take()
        else {
            panic!("r asks for verify");
        };
        assert_eq!(only.as_deref(), Some("svc.cluster-ip"));
        assert_eq!(checks, m.run.checks);
        let reports = reports.unwrap();
        assert!(
            reports
                .json
                .ends_with("apply-20261202T070000Z-ab12.verify.json")
        );
        assert!(
            reports
                .junit
                .ends_with("apply-20261202T070000Z-ab12.junit.xml")
        );
        assert!(m.run.is_rechecking(&sel));
        assert_eq!(m.run.rechecking.len(), 1);
        chars(&mut m, "R");
        assert_eq!(m.run.effect, None, "one re-run at a time");
        let passed = CheckResult {
            status: CheckStatus::Pass,
            hint: None,
            evidence: "reached on 10.96.0.10 and fd00::a".into(),
            ..sel.clone()
        };
        update(&mut m, Msg::Feed(Feed::Rechecked(passed.clone())));
        assert!(!m.run.is_rechecking(&sel));
        assert_eq!(
            m.run.checks[2], passed,
            "the result takes the old one's place"
        );
        assert_eq!(m.run.check_counts(), (4, 0, 0, 0));
        update(&mut m, Msg::Feed(Feed::RecheckDone(Ok(()))));
        update(&mut m, Msg::Feed(Feed::Reports(Ok(reports.clone()))));
        assert_eq!(m.run.reports, Some(Ok(reports)));
        chars(&mut m, "R");
        assert!(matches!(
            m.run.effect.take(),
            Some(Effect::Verify { only: None, .. })
        ));
        assert_eq!(m.run.rechecking.len(), 4, "every check runs again");
        update(
            &mut m,
            Msg::Feed(Feed::RecheckDone(Err("no kubeconfig".into()))),
        );
        assert!(m.run.rechecking.is_empty());
        assert_eq!(m.run.recheck_error.as_deref(), Some("no kubeconfig"));
    }

    fn attached_log(m: &mut dsinstall::tui::model::Model) {
        update(
            m,
            Msg::Feed(Feed::Attached {
                log: "/tmp/lab/var/log/dsinstall/apply-20261202T070000Z-ab12.log".into(),
                report: None,
            }),
        );
    }
}

/// The demo carries a current manifest too: answers for Kubernetes 1.35 with Calico v3.32
/// have no manifest problem, preview with the bundled v3.32.1 and export it beside the file;
/// a Calico minor the demo does not carry says what render would.
#[test]
fn the_demo_bundles_a_current_calico_manifest_for_a_current_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.yaml");
    let mut m = demo(Lang::En, path.to_str().unwrap());
    m.answers.kubernetes.version = "v1.35.0".into();
    m.answers.kubernetes.image_repository = Some("registry.k8s.io".into());
    m.answers.kubernetes.cri_socket = Some("unix:///run/containerd/containerd.sock".into());
    m.answers.networking.node_mask_sizes = Some(dsinstall::answers::NodeMaskSizes {
        ipv4: None,
        ipv6: Some(120),
    });
    m.answers.calico.version = "v3.32.1".into();
    m.recheck();
    let problems: Vec<String> = m
        .checked
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect();
    assert!(!m.checked.has_errors(), "{problems:?}");
    assert!(
        !m.checked
            .problems
            .iter()
            .any(|p| p.path == "calico.manifest"),
        "{problems:?}"
    );
    goto(&mut m, 5);
    let calico = m
        .preview
        .files
        .iter()
        .find(|f| f.name == "calico.yaml")
        .unwrap_or_else(|| {
            panic!(
                "{:?}",
                m.preview.files.iter().map(|f| &f.name).collect::<Vec<_>>()
            )
        });
    assert!(
        calico
            .lines
            .iter()
            .any(|l| l.contains("quay.io/calico/node:v3.32.1")),
        "the preview patches the v3.32.1 manifest"
    );
    goto(&mut m, 6);
    chars(&mut m, "e");
    assert!(m.status.as_ref().unwrap().ok, "{:?}", m.status);
    let written = Answers::load(&path).unwrap();
    assert_eq!(
        written.calico.manifest.as_deref(),
        Some("calico-v3.32.1.yaml")
    );
    let beside = std::fs::read_to_string(dir.path().join("calico-v3.32.1.yaml")).unwrap();
    assert!(beside.contains("quay.io/calico/node:v3.32.1"));
    // No bundled v3.28: the manifest is missing, as it would be for render, said once.
    m.answers.calico.version = "v3.28.2".into();
    m.recheck();
    let on_manifest: Vec<_> = m
        .checked
        .problems
        .iter()
        .filter(|p| p.path == "calico.manifest")
        .collect();
    assert_eq!(on_manifest.len(), 1, "{on_manifest:?}");
    assert_eq!(on_manifest[0].code, "render.source_unset");
    assert!(
        on_manifest[0].message.contains("not set"),
        "{on_manifest:?}"
    );
}

/// A node mask left empty shows the default of the version in the answers, even while an
/// error stops the plan: kubeadm's computed /120 on 1.19, the controller-manager's /64 from
/// 1.20 (not the last plan's /120, which the error message itself contradicts).
#[test]
fn an_empty_node_mask_shows_the_default_of_the_current_version() {
    use dsinstall::answers::AddressFamily;
    use dsinstall::tui::fields::Field;
    let mut m = model();
    assert_eq!(
        Field::NodeMask(AddressFamily::Ipv6)
            .effective(&m)
            .as_deref(),
        Some("/120")
    );
    m.answers.kubernetes.version = "v1.35.0".into();
    m.recheck();
    assert!(m.checked.has_errors());
    assert_eq!(
        Field::NodeMask(AddressFamily::Ipv6)
            .effective(&m)
            .as_deref(),
        Some("/64")
    );
    assert_eq!(
        Field::NodeMask(AddressFamily::Ipv4)
            .effective(&m)
            .as_deref(),
        Some("/24")
    );
}

/// Results arrive in whatever order the checks finish; Checks lists them in checks.md's
/// order (as the reports do), and the selection stays on its check as others come in.
#[test]
fn checks_are_listed_in_report_order_whatever_order_they_arrive_in() {
    use dsinstall::verify::report::CheckStatus::Pass;
    use tui_support::runner_events::check;
    let mut m = model();
    check(&mut m, "host.sysctl", Some("ipv6"), Pass, None);
    check(&mut m, "calico.pools", Some("ipv4"), Pass, None);
    m.run.check_selected = 1; // host.sysctl/ipv6
    check(&mut m, "node.ready", None, Pass, None);
    check(&mut m, "host.sysctl", Some("ipv4"), Pass, None);
    let names: Vec<String> = m.run.checks.iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "node.ready",
            "calico.pools/ipv4",
            "host.sysctl/ipv4",
            "host.sysctl/ipv6"
        ]
    );
    assert_eq!(
        m.run.checks[m.run.check_selected].name(),
        "host.sysctl/ipv6"
    );
}

/// An empty CRI socket says which socket kubeadm will be told, not a bare "(default)";
/// while an error stops the plan it shows no stale socket of another version.
#[test]
fn an_empty_cri_socket_shows_the_socket_in_force() {
    use dsinstall::tui::fields::Field;
    let mut m = model();
    m.answers.kubernetes.cri_socket = None;
    m.recheck();
    let plan = m.checked.plan.as_ref().expect("the guide's answers plan");
    assert_eq!(
        Field::CriSocket.effective(&m),
        Some(plan.cri_socket.clone())
    );
    assert!(
        plan.cri_socket.contains("dockershim"),
        "{}",
        plan.cri_socket
    );
    // 1.35 with the guide's k8s.gcr.io and /112 masks: errors, no plan, so no default shown.
    m.answers.kubernetes.version = "v1.35.0".into();
    m.recheck();
    assert!(m.checked.plan.is_none());
    assert_eq!(Field::CriSocket.effective(&m), None);
}

/// An unset MTU shows what is in force: Felix's detection from v3.17, the manifest's own
/// 1440 before.
#[test]
fn an_unset_mtu_says_what_calico_uses() {
    let mut m = model();
    m.answers.calico.mtu = None;
    m.recheck();
    assert_eq!(Field::Mtu.effective(&m).as_deref(), Some("1440"), "v3.15");
    m.answers.calico.version = "v3.32.1".into();
    m.answers.kubernetes.version = "v1.34.0".into();
    m.answers.kubernetes.cri_socket = Some("unix:///run/containerd/containerd.sock".into());
    m.answers.networking.node_mask_sizes = Some(dsinstall::answers::NodeMaskSizes {
        ipv4: Some(24),
        ipv6: Some(120),
    });
    m.recheck();
    let errors: Vec<_> = m.checked.errors().map(|p| p.to_string()).collect();
    assert!(m.checked.plan.is_some(), "{errors:?}");
    assert_eq!(
        Field::Mtu.effective(&m).as_deref(),
        Some("detected by Calico from the node's links")
    );
}

/// The runtime's cgroup driver against the kubelet's: the error sits on the field that
/// fixes it, and choosing the runtime's driver clears it.
#[test]
fn a_cgroup_driver_mismatch_sits_on_its_field_and_space_fixes_it() {
    let mut m = model();
    m.demo = false; // this host's facts, as set here (the demo's lab would replace them)
    m.answers.calico.version = "v3.32.1".into();
    m.answers.kubernetes.version = "v1.34.0".into();
    m.answers.kubernetes.cri_socket = Some("unix:///run/containerd/containerd.sock".into());
    m.answers.networking.node_mask_sizes = Some(dsinstall::answers::NodeMaskSizes {
        ipv4: Some(24),
        ipv6: Some(120),
    });
    m.facts.cri_sockets = vec!["/run/containerd/containerd.sock".into()];
    m.facts.cgroup_driver = Some(dsinstall::host::cgroup::RuntimeCgroup {
        runtime: "containerd".into(),
        driver: "cgroupfs".into(),
        source: "/etc/containerd/config.toml".into(),
    });
    m.recheck();
    let codes: Vec<_> = Field::CgroupDriver
        .problems(&m)
        .iter()
        .map(|p| p.code)
        .collect();
    assert_eq!(codes, ["host.cgroup_driver_mismatch"]);
    goto(&mut m, Screen::Kube.index());
    focus_path(&mut m, "kubernetes.cgroupDriver");
    chars(&mut m, "  "); // "" → systemd → cgroupfs
    assert_eq!(Field::CgroupDriver.get(&m), "cgroupfs");
    assert!(Field::CgroupDriver.problems(&m).is_empty());
}

/// On v1.19 with docker the driver in force is docker's own (kubeadm writes it into
/// kubeadm-flags.env), not the KubeletConfiguration's systemd.
#[test]
fn the_guides_docker_node_shows_dockers_driver_in_force() {
    let mut m = model();
    m.demo = false;
    m.facts.cgroup_driver = Some(dsinstall::host::cgroup::RuntimeCgroup {
        runtime: "docker".into(),
        driver: "cgroupfs".into(),
        source: "docker info".into(),
    });
    m.recheck();
    assert_eq!(
        Field::CgroupDriver.effective(&m).as_deref(),
        Some("cgroupfs, docker's own: kubeadm takes it")
    );
}
