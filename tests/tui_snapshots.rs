//! Every screen at 80x24 and 120x40, in English and Chinese, on ratatui's TestBackend.
//! Colour is not in a snapshot, so where meaning rides on style it is asserted cell by cell.

mod tui_support;

use crossterm::event::KeyCode::*;
use dsinstall::tui::i18n::Lang;
use dsinstall::tui::model::{Model, Screen};
use dsinstall::tui::update::{Msg, update};
use ratatui::style::Modifier;
use tui_support::*;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const LANGS: [(Lang, &str); 2] = [(Lang::En, "en"), (Lang::ZhCn, "zh")];

fn name(s: Screen) -> &'static str {
    match s {
        Screen::Welcome => "welcome",
        Screen::Network => "network",
        Screen::Pools => "pools",
        Screen::Kube => "kube",
        Screen::Nodes => "nodes",
        Screen::Preview => "preview",
        Screen::Export => "export",
    }
}

fn snap(m: &Model, label: &str) {
    for (w, h) in SIZES {
        let t = draw(m, w, h);
        let text = rows(&t).join("\n");
        insta::assert_snapshot!(format!("{label}_{w}x{h}"), text);
    }
}

#[test]
fn every_screen_in_both_languages_and_sizes() {
    for (lang, code) in LANGS {
        for (i, s) in Screen::ALL.iter().enumerate() {
            let mut m = demo(lang, "dsinstall-answers.yaml");
            goto(&mut m, i);
            snap(&m, &format!("{}_{code}", name(*s)));
        }
    }
}

#[test]
fn overlays_and_states() {
    for (lang, code) in LANGS {
        let mut m = demo(lang, "dsinstall-answers.yaml");
        chars(&mut m, "?");
        snap(&m, &format!("help_{code}"));
        let mut m = demo(lang, "dsinstall-answers.yaml");
        chars(&mut m, "q");
        snap(&m, &format!("confirm_quit_{code}"));
        // An invalid pod subnet while typing: the error under the field, no address plan.
        let mut m = demo(lang, "dsinstall-answers.yaml");
        goto(&mut m, 2);
        focus_path(&mut m, "networking.podSubnets[1]");
        press(&mut m, Enter);
        update(&mut m, Msg::ctrl('u'));
        chars(&mut m, "2019:20::/129");
        snap(&m, &format!("pools_error_{code}"));
        // A field's own help (key i): the block size.
        let mut m = demo(lang, "dsinstall-answers.yaml");
        goto(&mut m, 2);
        focus_path(&mut m, "calico.ipv6BlockSize");
        chars(&mut m, "i");
        snap(&m, &format!("field_help_{code}"));
        // Both other nodes removed: the single-node cluster.
        let mut m = demo(lang, "dsinstall-answers.yaml");
        goto(&mut m, Screen::Nodes.index());
        chars(&mut m, "xx");
        snap(&m, &format!("nodes_none_{code}"));
    }
}

#[test]
fn too_small_terminal_says_so() {
    for (lang, code) in LANGS {
        let m = demo(lang, "dsinstall-answers.yaml");
        let t = draw(&m, 60, 20);
        insta::assert_snapshot!(format!("too_small_{code}"), rows(&t).join("\n"));
    }
}

/// The row of the screen holding `needle`.
fn row_of(t: &ratatui::Terminal<ratatui::backend::TestBackend>, needle: &str) -> u16 {
    rows(t)
        .iter()
        .position(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{}", rows(t).join("\n"))) as u16
}

#[test]
fn selection_is_a_marker_and_reverse_video_not_colour_alone() {
    let mut m = demo(Lang::En, "x.yaml");
    goto(&mut m, 1);
    press(&mut m, Down);
    let t = draw(&m, 80, 24);
    let buf = t.backend().buffer();
    let y = row_of(&t, "IPv6 interface");
    assert_eq!(
        buf[(0, y)].symbol(),
        ">",
        "focused row starts with the marker"
    );
    let value_x = rows(&t)[y as usize].find("< ens224 >").unwrap() as u16;
    assert!(buf[(value_x, y)].modifier.contains(Modifier::REVERSED));
    let other = row_of(&t, "Node IPv6 address");
    assert_eq!(buf[(0, other)].symbol(), " ");
    assert!(!buf[(value_x, other)].modifier.contains(Modifier::REVERSED));
    // The current tab too.
    let tabs = 1;
    let x = rows(&t)[tabs].find("[2 Network]").unwrap() as u16;
    assert!(buf[(x, tabs as u16)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn an_error_line_is_marked_and_bold_under_its_field() {
    let mut m = demo(Lang::En, "x.yaml");
    goto(&mut m, 1);
    focus_path(&mut m, "node.ipv4");
    press(&mut m, Enter);
    update(&mut m, Msg::ctrl('u'));
    chars(&mut m, "10.10.1.5");
    let t = draw(&m, 80, 24);
    let buf = t.backend().buffer();
    let field_row = row_of(&t, "Node IPv4 address");
    let err_row = row_of(&t, "lies inside");
    assert_eq!(err_row, field_row + 1, "the error is right under the field");
    let line = &rows(&t)[err_row as usize];
    let x = line.find('✗').expect("error marker") as u16;
    assert!(buf[(x, err_row)].modifier.contains(Modifier::BOLD));
    // And the header counts it, with its own marker: the address lies in a pod range, and
    // it is not an address of this (simulated) host either.
    assert!(rows(&t)[0].contains("✗ 2 errors, "), "{}", rows(&t)[0]);
}

#[test]
fn both_languages_fit_80_columns_with_whole_key_lines() {
    for (i, lang) in Screen::ALL
        .iter()
        .enumerate()
        .flat_map(|(i, _)| [(i, Lang::En), (i, Lang::ZhCn)])
    {
        let mut m = demo(lang, "dsinstall-answers.yaml");
        goto(&mut m, i);
        let t = draw(&m, 80, 24);
        for r in rows(&t) {
            assert!(
                unicode_width::UnicodeWidthStr::width(r.as_str()) <= 80,
                "{r}"
            );
        }
        // The key line is whole, not cut with an ellipsis.
        assert!(!rows(&t)[23].contains('…'), "{}", rows(&t)[23]);
    }
}

#[test]
fn preview_tabs_sysctl_diff_and_patched_calico() {
    for (lang, code) in LANGS {
        let mut m = demo(lang, "dsinstall-answers.yaml");
        goto(&mut m, 5);
        let names: Vec<&str> = m.preview.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            &names[..3],
            [
                "kubeadm-config.yaml",
                "sysctl-kubernetes.conf",
                "calico.yaml"
            ]
        );
        press(&mut m, Tab);
        snap(&m, &format!("preview_sysctl_{code}"));
        chars(&mut m, "d");
        snap(&m, &format!("preview_sysctl_diff_{code}"));
        let diff = m.preview.files[1]
            .diff
            .as_ref()
            .expect("the demo has an older file on disk");
        use dsinstall::tui::preview::DiffTag;
        assert!(diff.contains(&(DiffTag::Same, "net.ipv4.ip_forward=1".into())));
        assert!(diff.contains(&(
            DiffTag::Added,
            "net.bridge.bridge-nf-call-ip6tables=1".into()
        )));
        assert!(
            diff.iter()
                .any(|(t, l)| *t == DiffTag::Removed && l.contains("earlier attempt"))
        );
        // calico.yaml, scrolled to the dual-stack settings the patch wrote.
        press(&mut m, Tab);
        let at = m.preview.files[2]
            .lines
            .iter()
            .position(|l| l.contains("IP6_AUTODETECTION_METHOD"))
            .expect("the patched manifest sets IPv6 autodetection");
        m.preview.scroll = at.saturating_sub(4);
        snap(&m, &format!("preview_calico_{code}"));
    }
}

#[test]
fn preview_diff_marks_lines_with_signs_not_only_colour() {
    let mut m = demo(Lang::En, "x.yaml");
    goto(&mut m, 5);
    keys(&mut m, &[Tab]);
    chars(&mut m, "d");
    let t = draw(&m, 80, 24);
    let r = rows(&t);
    assert!(
        r.iter().any(|l| l.starts_with("- # What node01 had")),
        "{r:#?}"
    );
    assert!(
        r.iter()
            .any(|l| l.starts_with("+ net.bridge.bridge-nf-call-ip6tables=1")),
        "{r:#?}"
    );
    assert!(
        r.iter().any(|l| l.starts_with("  net.ipv4.ip_forward=1")),
        "{r:#?}"
    );
}

#[test]
fn preview_search_jumps_to_the_next_match_and_says_when_there_is_none() {
    let mut m = demo(Lang::En, "x.yaml");
    goto(&mut m, 5);
    keys(&mut m, &[Tab, Tab]);
    chars(&mut m, "/CALICO_IPV4POOL_CIDR");
    let t = draw(&m, 80, 24);
    assert!(
        rows(&t)[4].starts_with("search /CALICO_IPV4POOL_CIDR"),
        "{}",
        rows(&t)[4]
    );
    press(&mut m, Enter);
    let line = m.preview.files[2].lines[m.preview.scroll].clone();
    assert!(line.contains("CALICO_IPV4POOL_CIDR"), "{line}");
    assert_eq!(
        m.screen,
        Screen::Preview,
        "typed letters did not leave the screen"
    );
    chars(&mut m, "/no-such-text");
    press(&mut m, Enter);
    let t = draw(&m, 80, 24);
    assert!(
        rows(&t)[4].contains("not found: no-such-text"),
        "{}",
        rows(&t)[4]
    );
}

#[test]
fn any_size_draws_without_panicking() {
    let sizes = [
        (1, 1),
        (10, 3),
        (79, 24),
        (80, 23),
        (80, 24),
        (81, 25),
        (200, 60),
        (80, 100),
    ];
    for (lang, _) in LANGS {
        for i in 0..Screen::ALL.len() {
            let mut m = demo(lang, "x.yaml");
            goto(&mut m, i);
            for (w, h) in sizes {
                draw(&m, w, h);
            }
            chars(&mut m, "?");
            for (w, h) in sizes {
                draw(&m, w, h);
            }
        }
    }
}

#[test]
fn welcome_shows_blocking_problems_first_and_marked() {
    let mut m = demo(Lang::En, "x.yaml");
    m.facts.existing_cluster = Some(dsinstall::host::facts::ExistingCluster {
        evidence: vec!["/etc/kubernetes/admin.conf".into()],
    });
    m.facts.warnings.push(dsinstall::host::facts::HostWarning {
        id: "swap-on".into(),
        blocking: true,
        message: "swap is on".into(),
        args: vec![],
        arg_codes: Default::default(),
    });
    let t = draw(&m, 80, 24);
    let r = rows(&t);
    let cluster = r.iter().position(|l| {
        l.starts_with("✗ a cluster was already set up here: /etc/kubernetes/admin.conf")
    });
    let swap = r
        .iter()
        .position(|l| l.starts_with(" ✗ BLOCKS INSTALL: swap is on"));
    let forwarding = r.iter().position(|l| l.starts_with(" ! ")); // a non-blocking one
    assert!(
        cluster.is_some() && swap.is_some() && forwarding.is_some(),
        "{r:#?}"
    );
    assert!(swap < forwarding, "blocking warnings come first");
}

/// A fix that names a URL wider than the line: the URL starts a line of its own and is cut
/// at the line's end with nothing added, so selecting the lines reads it whole.
#[test]
fn a_fix_with_a_long_url_starts_it_on_its_own_line() {
    use dsinstall::tui::model::ManifestSource;
    let url =
        "https://raw.githubusercontent.com/projectcalico/calico/v3.28.2/manifests/calico.yaml";
    for (lang, code) in LANGS {
        // A real host's wizard: no bundled manifest, so an unset one is an error.
        let mut m = demo(lang, "dsinstall-answers.yaml");
        m.env.manifest = ManifestSource::FromAnswers;
        goto(&mut m, Screen::Kube.index());
        focus_path(&mut m, "calico.version");
        press(&mut m, Enter);
        update(&mut m, Msg::ctrl('u'));
        chars(&mut m, "v3.28.2");
        press(&mut m, Enter);
        focus_path(&mut m, "calico.manifest");
        snap(&m, &format!("kube_manifest_url_{code}"));
        let r = rows(&draw(&m, 80, 24));
        let at = r
            .iter()
            .position(|l| l.trim_start().starts_with("https://"))
            .unwrap_or_else(|| panic!("no line starts with the URL:\n{}", r.join("\n")));
        let (first, rest) = (r[at].trim(), r[at + 1].trim());
        assert!(!first.ends_with('-') && url.starts_with(first), "{first}");
        assert!(
            format!("{first}{rest}").starts_with(url),
            "the two lines read the URL whole:\n{}",
            r.join("\n")
        );
        let whole = rows(&draw(&m, 120, 40)).join("\n");
        assert!(whole.contains(url), "{whole}");
    }
}

/// A name holding an escape sequence is drawn as text, in the field and in its problem.
#[test]
fn control_characters_in_values_are_drawn_as_escapes() {
    let mut m = demo(Lang::En, "/nonexistent-dir/answers.yaml");
    press(&mut m, crossterm::event::KeyCode::Enter);
    dsinstall::tui::fields::Field::NodeName
        .set(&mut m, "n\x1b]0;x\x071")
        .unwrap();
    let screen = rows(&draw(&m, 80, 24)).join("\n");
    assert!(
        screen.contains("n\\x1b]0;x\\x071"),
        "the escape shows as text:\n{screen}"
    );
}

/// Editing a value longer than its box: the character under the cursor is drawn, never the
/// ellipsis that marks the cut.
#[test]
fn the_cursor_never_sits_on_the_ellipsis_of_a_long_value() {
    let mut m = demo(Lang::En, "/nonexistent-dir/answers.yaml");
    press(&mut m, Enter);
    press(&mut m, Enter); // edit the node name
    update(&mut m, Msg::ctrl('u'));
    chars(&mut m, &"abcdefghij".repeat(8));
    for _ in 0..20 {
        press(&mut m, Left);
    }
    let mut t = draw(&m, 80, 24);
    let pos = t.get_cursor_position().unwrap();
    let buf = t.backend().buffer();
    assert_ne!(buf[(pos.x, pos.y)].symbol(), "…", "{}", rows(&t).join("\n"));
}

/// A value that does not parse while typing counts in the header, and says how to get out.
#[test]
fn a_typing_error_counts_in_the_header_and_says_esc_undoes() {
    let mut m = demo(Lang::En, "/nonexistent-dir/answers.yaml");
    goto(&mut m, 2);
    focus_path(&mut m, "networking.nodeMaskSizes.ipv6");
    press(&mut m, Enter);
    update(&mut m, Msg::ctrl('u'));
    chars(&mut m, "abc");
    let screen = rows(&draw(&m, 80, 24)).join("\n");
    assert!(
        screen.lines().next().unwrap().contains("✗ 1 error"),
        "{screen}"
    );
    assert!(screen.contains("Esc puts the previous"), "{screen}");
}

/// Typing "200" goes through "20", a mask the plan refuses: once the text no longer parses,
/// what the plan said of "20" is neither shown nor counted, only the typing error.
#[test]
fn a_typing_error_hides_what_the_plan_said_of_the_value_before_it() {
    let mut m = demo(Lang::En, "/nonexistent-dir/answers.yaml");
    goto(&mut m, 2);
    focus_path(&mut m, "networking.nodeMaskSizes.ipv6");
    press(&mut m, Enter);
    update(&mut m, Msg::ctrl('u'));
    chars(&mut m, "20");
    let screen = rows(&draw(&m, 80, 24)).join("\n");
    assert!(m.checked.has_errors(), "{screen}");
    chars(&mut m, "0");
    let screen = rows(&draw(&m, 80, 24)).join("\n");
    assert!(
        screen.lines().next().unwrap().contains("✗ 1 error,"),
        "{screen}"
    );
    assert!(!screen.contains("mask 20"), "{screen}");
}

mod run_screens {
    use super::*;
    use dsinstall::run::dry_run::{Line, Verdict};
    use dsinstall::run::steps::probe_texts;
    use dsinstall::tui::install::{Feed, Stage};
    use tui_support::runner_events::*;

    fn attached(m: &mut Model) {
        update(
            m,
            Msg::Feed(Feed::Attached {
                log: "/tmp/lab/var/log/dsinstall/apply-20261202T070000Z-ab12.log".into(),
                report: None,
            }),
        );
    }

    fn confirm(m: &mut Model) {
        goto(m, Screen::ALL.len() - 1);
        chars(m, "a");
        m.run.effect = None;
        for l in guide_dry_run() {
            update(m, Msg::Feed(Feed::DryLine(l)));
        }
        update(m, Msg::Feed(Feed::DryDone(Ok(()))));
    }

    /// The start of the dry run on the guide's node01 before anything is installed, as the
    /// engine writes it.
    fn guide_dry_run() -> Vec<Line> {
        let step = |s: &str| s.to_string();
        let said = |c: &str, a: &[&dyn dsinstall::message::Value]| probe_texts::said(c, a);
        vec![
            Line::Header,
            Line::Step {
                step: step("preflight"),
                verdict: Verdict::ToDo(said("probe.preflight.every_install", &[])),
            },
            Line::Note {
                step: step("preflight"),
                note: said("change.preflight.checks", &[]),
            },
            Line::Step {
                step: step("host.swap"),
                verdict: Verdict::Done(said("probe.swap.off", &[])),
            },
            Line::Step {
                step: step("host.modules"),
                verdict: Verdict::ToDo(said("probe.modules.missing", &[&"br_netfilter, overlay"])),
            },
            Line::Run {
                step: step("host.modules"),
                command: "modprobe br_netfilter".into(),
            },
            Line::Write {
                step: step("host.modules"),
                path: "/etc/modules-load.d/kubernetes.conf".into(),
            },
            Line::Diff {
                step: step("host.modules"),
                line: "+br_netfilter".into(),
            },
            Line::Diff {
                step: step("host.modules"),
                line: "+overlay".into(),
            },
            Line::Step {
                step: step("kubeadm.init"),
                verdict: Verdict::ToDo(said("probe.init.none", &[])),
            },
            Line::Run {
                step: step("kubeadm.init"),
                command: "kubeadm init --config /var/lib/dsinstall/rendered/kubeadm-config.yaml --upload-certs".into(),
            },
            Line::Step {
                step: step("calico"),
                verdict: Verdict::ToDo(said("probe.no_cluster", &[&"/etc/kubernetes/admin.conf"])),
            },
        ]
    }

    #[test]
    fn confirm_install_and_checks_in_both_languages_and_sizes() {
        for (lang, code) in LANGS {
            let mut m = demo(lang, "dsinstall-answers.yaml");
            confirm(&mut m);
            snap(&m, &format!("run_confirm_{code}"));
            let mut m = demo(lang, "dsinstall-answers.yaml");
            attached(&mut m);
            running(&mut m);
            snap(&m, &format!("run_install_running_{code}"));
            let mut m = demo(lang, "dsinstall-answers.yaml");
            attached(&mut m);
            failed_run(&mut m);
            snap(&m, &format!("run_install_failed_{code}"));
            let mut m = demo(lang, "dsinstall-answers.yaml");
            attached(&mut m);
            done_run(&mut m);
            m.run.stage = Some(Stage::Install);
            snap(&m, &format!("run_install_done_{code}"));
            m.run.open_checks();
            snap(&m, &format!("run_checks_{code}"));
        }
    }

    /// The runner's diagnosis and the checks' hints come with codes: the Chinese screens
    /// show them in Chinese, the English ones exactly as the engine wrote them.
    #[test]
    fn diagnosed_failure_and_failed_checks_in_both_languages_and_sizes() {
        for (lang, code) in LANGS {
            let mut m = demo(lang, "dsinstall-answers.yaml");
            attached(&mut m);
            diagnosed_run(&mut m);
            snap(&m, &format!("run_install_diagnosed_{code}"));
            let mut m = demo(lang, "dsinstall-answers.yaml");
            attached(&mut m);
            failed_checks_run(&mut m);
            m.run.open_checks();
            snap(&m, &format!("run_checks_failed_{code}"));
            // A failed verify on Install says its check as Checks does, in this language.
            let mut m = demo(lang, "dsinstall-answers.yaml");
            attached(&mut m);
            failed_verify_run(&mut m);
            snap(&m, &format!("run_install_verify_failed_{code}"));
        }
    }

    #[test]
    fn an_ssh_failure_in_both_languages_and_sizes() {
        for (lang, code) in LANGS {
            let mut m = demo(lang, "dsinstall-answers.yaml");
            attached(&mut m);
            ssh_failed_run(&mut m);
            snap(&m, &format!("run_install_ssh_failed_{code}"));
        }
        let mut m = demo(Lang::ZhCn, "dsinstall-answers.yaml");
        attached(&mut m);
        ssh_failed_run(&mut m);
        let install = rows(&draw(&m, 120, 40)).join("\n");
        assert!(install.contains("无法通过 SSH 连接 node02"), "{install}");
        assert!(install.contains("请确认 node02 已开机"), "{install}");
        assert!(!install.contains("cannot be reached over SSH"), "{install}");
    }

    #[test]
    fn composite_evidence_in_both_languages_and_sizes() {
        for (lang, code) in LANGS {
            let mut m = demo(lang, "dsinstall-answers.yaml");
            attached(&mut m);
            composite_checks_run(&mut m);
            m.run.open_checks();
            snap(&m, &format!("run_checks_composite_{code}"));
        }
        let mut m = demo(Lang::ZhCn, "dsinstall-answers.yaml");
        attached(&mut m);
        composite_checks_run(&mut m);
        m.run.open_checks();
        let checks = rows(&draw(&m, 120, 40)).join("\n");
        assert!(
            checks.contains("node02：没有 IPv6 InternalIP（一个也没有）；node03：InternalIP 为"),
            "{checks}"
        );
        assert!(
            checks.contains("规划为 2018::124；node01：InternalIP"),
            "{checks}"
        );
        assert!(!checks.contains("planned"), "{checks}");
    }

    #[test]
    fn the_chinese_screens_translate_the_engines_sentences() {
        let mut m = demo(Lang::ZhCn, "dsinstall-answers.yaml");
        attached(&mut m);
        diagnosed_run(&mut m);
        let install = rows(&draw(&m, 120, 40)).join("\n");
        assert!(install.contains("本节点的端口 6443 已被占用"), "{install}");
        assert!(install.contains("另有检查失败：Swap"), "{install}");
        assert!(install.contains("请找出监听该端口的程序"), "{install}");
        assert!(!install.contains("is in use on this node"), "{install}");
        let mut m = demo(Lang::ZhCn, "dsinstall-answers.yaml");
        attached(&mut m);
        failed_checks_run(&mut m);
        m.run.open_checks();
        let checks = rows(&draw(&m, 120, 40)).join("\n");
        assert!(
            checks.contains("提示：Kubernetes v1.19 的 kubelet"),
            "{checks}"
        );
        assert!(checks.contains("没有已启用的 IPv6 IPPool"), "{checks}");
        assert!(!checks.contains("takes a single"), "{checks}");
    }

    #[test]
    fn run_screens_fit_80_columns_with_whole_key_lines() {
        for (lang, _) in LANGS {
            let mut models = vec![];
            let mut m = demo(lang, "dsinstall-answers.yaml");
            confirm(&mut m);
            models.push(m);
            for f in [
                running,
                failed_run,
                done_run,
                diagnosed_run,
                failed_checks_run,
            ] {
                let mut m = demo(lang, "dsinstall-answers.yaml");
                f(&mut m);
                models.push(m);
            }
            for m in &models {
                let t = draw(m, 80, 24);
                for r in rows(&t) {
                    assert!(
                        unicode_width::UnicodeWidthStr::width(r.as_str()) <= 80,
                        "{r}"
                    );
                }
                assert!(!rows(&t)[23].contains('…'), "{}", rows(&t)[23]);
            }
        }
    }

    #[test]
    fn the_log_pane_draws_the_tail_however_long_the_log() {
        let mut m = demo(Lang::En, "dsinstall-answers.yaml");
        running(&mut m);
        for i in 0..50_000 {
            line(&mut m, "kubeadm.init", &format!("line {i}"));
        }
        let t = draw(&m, 80, 24);
        let text = rows(&t).join("\n");
        assert!(text.contains("line 49999"), "{text}");
        assert!(!text.contains("line 49000"), "{text}");
        let started = std::time::Instant::now();
        for _ in 0..20 {
            draw(&m, 120, 40);
        }
        // Drawing is a pass over the visible rows, not over the log.
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    /// A run whose log has long kubelet lines, searched for `kubelet` and shifted right.
    fn searched_and_shifted(m: &mut Model) {
        attached(m);
        running(m);
        for i in 0..3 {
            line(
                m,
                "kubeadm.init",
                &format!(
                    "[kubelet-start] attempt {i}: writing kubelet environment file with flags to file /var/lib/kubelet/kubeadm-flags.env and the kubelet config to /var/lib/kubelet/config.yaml"
                ),
            );
            line(m, "kubeadm.init", "[certs] short line");
        }
        chars(m, "/kubelet");
        update(m, Msg::key(Enter));
        chars(m, "N");
        press(m, Right);
    }

    #[test]
    fn install_log_searched_shifted_and_wrapped_in_both_languages_and_sizes() {
        for (lang, code) in LANGS {
            let mut m = demo(lang, "dsinstall-answers.yaml");
            searched_and_shifted(&mut m);
            assert_eq!(m.run.match_position(), Some((2, 3)));
            snap(&m, &format!("run_install_search_shifted_{code}"));
            chars(&mut m, "w");
            snap(&m, &format!("run_install_search_wrapped_{code}"));
            chars(&mut m, "w/kube");
            snap(&m, &format!("run_install_search_prompt_{code}"));
        }
    }

    /// Wrapped, a log line breaks at spaces; a URL wider than the pane starts a row of its
    /// own and goes on in the next one from its first column.
    #[test]
    fn wrapped_log_lines_break_at_spaces_and_keep_a_long_url_readable() {
        let url = "https://127.0.0.1:6443/api/v1/namespaces/kube-system/configmaps/kubeadm-config?timeout=10s";
        let mut m = demo(Lang::En, "dsinstall-answers.yaml");
        attached(&mut m);
        running(&mut m);
        line(
            &mut m,
            "kubeadm.init",
            &format!("[upload-config] Get \"{url}\": connection refused"),
        );
        chars(&mut m, "w");
        let r = rows(&draw(&m, 80, 24));
        let pane: Vec<&str> = r
            .iter()
            .filter_map(|l| l.split_once('│').map(|(_, p)| p.trim_end()))
            .collect();
        let at = pane
            .iter()
            .position(|p| p.starts_with("\"https://"))
            .unwrap_or_else(|| panic!("the URL starts a row:\n{}", r.join("\n")));
        assert_eq!(
            pane[at - 1],
            "[kubeadm.init] [upload-config] Get",
            "{pane:#?}"
        );
        assert!(
            format!("{}{}", pane[at], pane[at + 1]).starts_with(&format!("\"{url}")),
            "{pane:#?}"
        );
        assert_eq!(pane[at + 2], "connection refused", "{pane:#?}");
    }

    #[test]
    fn search_matches_are_reverse_video_and_cut_edges_marked() {
        let mut m = demo(Lang::En, "dsinstall-answers.yaml");
        searched_and_shifted(&mut m);
        let t = draw(&m, 80, 24);
        let rs = rows(&t);
        let y = rs
            .iter()
            .position(|r| r.contains("attempt 1"))
            .expect("the current match's line") as u16;
        let row = &rs[y as usize];
        assert!(row.contains("│…"), "cut on the left: {row}");
        assert!(row.ends_with('…'), "cut on the right: {row}");
        let buf = t.backend().buffer();
        let x0 = (0..80).find(|x| buf[(*x, y)].symbol() == "…").unwrap();
        let reversed: String = (x0..80)
            .filter(|x| buf[(*x, y)].modifier.contains(Modifier::REVERSED))
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        assert!(reversed.starts_with("kubelet"), "{reversed}");
        assert!(
            (x0..80).any(|x| buf[(x, y)].modifier.contains(Modifier::UNDERLINED)),
            "the current match is underlined too"
        );
        let top = rows(&t).join("\n");
        assert!(top.contains("── /kubelet 2/3 · log"), "{top}");
    }

    #[test]
    fn checks_re_running_in_both_languages_and_sizes() {
        use dsinstall::tui::install::Reports;
        for (lang, code) in LANGS {
            let mut m = demo(lang, "dsinstall-answers.yaml");
            attached(&mut m);
            done_run(&mut m);
            let log = m.run.log_file.clone().unwrap();
            update(&mut m, Msg::Feed(Feed::Reports(Ok(Reports::beside(&log)))));
            chars(&mut m, "r");
            m.run.effect = None;
            snap(&m, &format!("run_checks_rechecking_{code}"));
        }
    }
}
