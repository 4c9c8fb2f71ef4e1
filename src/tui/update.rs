//! Messages in, model changed. No drawing and no terminal here; the only side effects are
//! the ones the user asks for (writing the answers file) and reading files to preview.

use crate::answers::OtherNode;
use crate::tui::fields::{Field, Kind};
use crate::tui::model::{Editing, Model, NodeUndo, Outcome, Overlay, Screen, Status};
use crate::tui::preview;
use crate::tui::text_input::TextInput;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// SIGTERM, SIGHUP or SIGINT: leave now.
    Stop,
    /// The terminal's size (columns, rows), at start and on every resize.
    Resize(u16, u16),
    /// From the dry run or the runner (`feed.rs`).
    Feed(crate::tui::install::Feed),
    /// Text the terminal delivered as one paste (bracketed paste): text for a field, never
    /// keys, so a pasted path cannot add nodes (`a`), export (`e`) or quit (`q`).
    Paste(String),
}

impl Msg {
    /// A plain key press (tests and the pty walk speak in these).
    pub fn key(code: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }
    pub fn ch(c: char) -> Msg {
        Msg::key(KeyCode::Char(c))
    }
    pub fn ctrl(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
    }
}

pub fn update(m: &mut Model, msg: Msg) {
    let key = match msg {
        Msg::Stop => {
            m.outcome = Some(Outcome::Cancelled);
            return;
        }
        Msg::Resize(_, rows) => {
            // The preview's text area: everything but header, tabs, rules, status, keys,
            // and the preview's own tab and info lines.
            m.preview.page = (rows as usize).saturating_sub(PREVIEW_CHROME_ROWS).max(1);
            clamp_preview(&mut m.preview);
            return;
        }
        Msg::Feed(f) => {
            crate::tui::update_run::feed(m, f);
            return;
        }
        Msg::Paste(text) => {
            paste(m, &text);
            return;
        }
        Msg::Key(k) if k.kind == KeyEventKind::Release => return,
        Msg::Key(k) => k,
    };
    // Ctrl-C always leaves (raw mode turns it into a key, not SIGINT).
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        m.outcome = Some(Outcome::Cancelled);
        return;
    }
    match m.overlay {
        Overlay::Help | Overlay::FieldHelp => {
            // Any key closes help; it is never a trap.
            m.overlay = Overlay::None;
            return;
        }
        Overlay::ConfirmQuit => {
            confirm_quit(m, key);
            return;
        }
        Overlay::ConfirmOverwrite => {
            m.overlay = Overlay::None;
            if matches!(key.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                m.may_overwrite = Some(m.export_path.trim().to_string());
                export(m);
            } else {
                m.status = Some(Status {
                    ok: false,
                    text: m.tx().t("overwrite.kept").into(),
                });
            }
            return;
        }
        Overlay::None => {}
    }
    if let Some(stage) = m.run.stage {
        crate::tui::update_run::key(m, stage, key);
        return;
    }
    let before = m.answers.clone();
    let said = m.status.clone();
    if m.editing.is_some() {
        edit_key(m, key);
    } else {
        normal_key(m, key);
    }
    // A message about the last export is stale once the answers change (one this key
    // just set, such as what `u` undid, is not).
    if m.answers != before && m.status == said {
        m.status = None;
    }
}

fn confirm_quit(m: &mut Model, key: KeyEvent) {
    match key.code {
        KeyCode::Char('y') | KeyCode::Char('Y') => m.outcome = Some(Outcome::Cancelled),
        KeyCode::Char('e') => {
            // "Write them first", then quit: leave once they are written; stay to show why
            // when they could not be.
            m.overlay = Overlay::None;
            export(m);
            if m.status.as_ref().is_some_and(|s| s.ok) && !m.unsaved() {
                m.outcome = Some(crate::tui::update_run::leaving(m));
            }
        }
        _ => m.overlay = Overlay::None,
    }
}

fn quit(m: &mut Model) {
    if m.unsaved() {
        m.overlay = Overlay::ConfirmQuit;
    } else {
        m.outcome = Some(Outcome::Done);
    }
}

fn normal_key(m: &mut Model, key: KeyEvent) {
    let n_fields = m.fields().len();
    let si = m.screen.index();
    if m.screen == Screen::Preview && preview_key(m, key) {
        return;
    }
    match key.code {
        KeyCode::Char('?') | KeyCode::F(1) => m.overlay = Overlay::Help,
        KeyCode::Char('q') => quit(m),
        KeyCode::Esc | KeyCode::Backspace => {
            if m.screen == Screen::Welcome {
                quit(m)
            } else {
                go(m, si - 1)
            }
        }
        KeyCode::Right | KeyCode::PageDown | KeyCode::Char('n') => go(m, si + 1),
        KeyCode::Left | KeyCode::PageUp | KeyCode::Char('p') => go(m, si.saturating_sub(1)),
        KeyCode::Char('e') => export(m),
        KeyCode::Char('a') if m.screen == Screen::Export => crate::tui::update_run::open_confirm(m),
        KeyCode::Char('!') => jump_to_next_problem(m),
        KeyCode::Char('i') if m.focused_field().is_some_and(|f| f.help_key().is_some()) => {
            m.overlay = Overlay::FieldHelp
        }
        KeyCode::Tab | KeyCode::Down | KeyCode::Char('j') if n_fields > 0 => {
            m.focus[si] = (m.focus[si] + 1) % n_fields
        }
        KeyCode::BackTab | KeyCode::Up | KeyCode::Char('k') if n_fields > 0 => {
            m.focus[si] = (m.focus[si] + n_fields - 1) % n_fields
        }
        KeyCode::Home if n_fields > 0 => m.focus[si] = 0,
        KeyCode::End if n_fields > 0 => m.focus[si] = n_fields - 1,
        KeyCode::Enter => match m.focused_field() {
            Some(f) if f.kind() == Kind::Choice => cycle(m, f),
            Some(f) => start_edit(m, f),
            None => go(m, si + 1),
        },
        KeyCode::Char(' ') => {
            if let Some(f) = m.focused_field() {
                cycle(m, f)
            }
        }
        KeyCode::Char('a') if m.screen == Screen::Nodes => add_node(m),
        KeyCode::Char('x') | KeyCode::Delete if m.screen == Screen::Nodes => remove_node(m),
        KeyCode::Char('u') if m.screen == Screen::Nodes => undo_node(m),
        _ => {}
    }
}

/// Focus the field of the next problem after the focused one (errors while there are any,
/// then warnings), across screens, wrapping around.
pub fn jump_to_next_problem(m: &mut Model) {
    let spots = crate::tui::fields::spots(m);
    let worst = spots.iter().map(|s| s.severity).max();
    let wanted: Vec<_> = spots.iter().filter(|s| Some(s.severity) == worst).collect();
    if wanted.is_empty() {
        return;
    }
    let here = (m.screen.index(), m.focus[m.screen.index()]);
    let next = wanted
        .iter()
        .find(|s| (s.screen.index(), s.field) > here)
        .unwrap_or(&wanted[0]);
    let (screen, field) = (next.screen, next.field);
    go(m, screen.index());
    m.focus[screen.index()] = field;
}

/// Keys of the Preview screen; true when the key was used.
fn preview_key(m: &mut Model, key: KeyEvent) -> bool {
    let p = &mut m.preview;
    if let Some(input) = p.search.as_mut() {
        match key.code {
            KeyCode::Esc => p.search = None,
            KeyCode::Enter => {
                let typed = input.text();
                p.search = None;
                let needle = if typed.is_empty() {
                    p.last_search.clone().map(|(s, _)| s).unwrap_or_default()
                } else {
                    typed
                };
                if !needle.is_empty() {
                    let found = p.find_next(&needle);
                    p.last_search = Some((needle, found));
                }
            }
            _ => {
                input.edit_key(&key);
            }
        }
        return true;
    }
    let n = p.files.len().max(1);
    match key.code {
        // A search belongs to the file it was made in.
        KeyCode::Tab => {
            p.tab = (p.tab + 1) % n;
            p.scroll = 0;
            p.last_search = None;
        }
        KeyCode::BackTab => {
            p.tab = (p.tab + n - 1) % n;
            p.scroll = 0;
            p.last_search = None;
        }
        KeyCode::Down | KeyCode::Char('j') => p.scroll += 1,
        KeyCode::Up | KeyCode::Char('k') => p.scroll = p.scroll.saturating_sub(1),
        KeyCode::Char(' ') => p.scroll += p.page,
        KeyCode::Char('b') => p.scroll = p.scroll.saturating_sub(p.page),
        KeyCode::Home => p.scroll = 0,
        KeyCode::End => p.scroll = usize::MAX / 2,
        KeyCode::Char('d') => {
            p.show_diff = !p.show_diff;
            p.scroll = 0;
        }
        KeyCode::Char('/') => p.search = Some(TextInput::new("")),
        _ => return false,
    }
    clamp_preview(p);
    true
}

/// Rows of the screen that are not the preview's text.
const PREVIEW_CHROME_ROWS: usize = 8;

/// The last page ends at the last line: scrolling further shows nothing new.
fn clamp_preview(p: &mut preview::Preview) {
    let len = p.shown_lines().len();
    p.scroll = p.scroll.min(len.saturating_sub(p.page));
}

/// Move to screen `i` (clamped). Opening Preview renders the current answers.
pub fn go(m: &mut Model, i: usize) {
    let i = i.min(Screen::ALL.len() - 1);
    m.screen = Screen::ALL[i];
    if m.screen == Screen::Preview {
        preview::rebuild(m);
    }
}

fn start_edit(m: &mut Model, f: Field) {
    let v = f.get(m);
    m.editing = Some(Editing {
        field: f,
        input: TextInput::new(&v),
        original: v,
        error: None,
    });
}

/// Choice: the next value. Text: the next suggestion after the current value.
fn cycle(m: &mut Model, f: Field) {
    let opts = f.options(m);
    if opts.is_empty() {
        return;
    }
    let cur = f.get(m);
    let next = match opts.iter().position(|o| *o == cur) {
        Some(i) => opts[(i + 1) % opts.len()].clone(),
        None => opts[0].clone(),
    };
    if f.set(m, &next).is_ok() {
        m.recheck();
    }
}

fn edit_key(m: &mut Model, key: KeyEvent) {
    let Some(ed) = m.editing.as_mut() else { return };
    match key.code {
        KeyCode::Esc => {
            // Back to the value before editing.
            let (f, orig) = (ed.field, ed.original.clone());
            m.editing = None;
            let _ = f.set(m, &orig);
            m.recheck();
            return;
        }
        KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab => {
            if ed.error.is_none() {
                m.editing = None;
                let si = m.screen.index();
                let n = m.fields().len().max(1);
                match key.code {
                    KeyCode::Tab => m.focus[si] = (m.focus[si] + 1) % n,
                    KeyCode::BackTab => m.focus[si] = (m.focus[si] + n - 1) % n,
                    _ => {}
                }
            }
            return;
        }
        _ if ed.input.edit_key(&key) => {}
        _ => return,
    }
    revalidate(m);
}

/// Validate as you type: store what parses and let the engine judge it.
fn revalidate(m: &mut Model) {
    let Some(ed) = m.editing.as_ref() else { return };
    let (f, text) = (ed.field, ed.input.text());
    let result = f.set(m, &text);
    if let Some(ed) = m.editing.as_mut() {
        ed.error = result.err();
    }
    m.recheck();
}

/// A paste goes where typing would: the search being typed, the field being edited, or
/// the focused text field (as if Enter had opened it). Anywhere else it is dropped with a
/// word, never replayed as keys.
fn paste(m: &mut Model, text: &str) {
    if m.overlay != Overlay::None {
        return;
    }
    if m.run.stage.is_some() {
        if let Some(input) = m.run.view.prompt.as_mut() {
            input.paste(text);
        }
        return;
    }
    if m.screen == Screen::Preview
        && let Some(input) = m.preview.search.as_mut()
    {
        input.paste(text);
        return;
    }
    if m.editing.is_none() {
        match m.focused_field() {
            Some(f) if f.kind() != Kind::Choice => start_edit(m, f),
            _ => {
                m.status = Some(Status {
                    ok: false,
                    text: m.tx().t("paste.ignored").into(),
                });
                return;
            }
        }
    }
    let before = m.answers.clone();
    if let Some(ed) = m.editing.as_mut() {
        ed.input.paste(text);
    }
    revalidate(m);
    if m.answers != before {
        m.status = None;
    }
}

fn add_node(m: &mut Model) {
    let n = m.answers.nodes.len();
    // The guide's naming (node01 is this one), at the first number no node has yet.
    let taken = |name: &str| {
        m.answers.nodes.iter().any(|o| o.name == name)
            || m.answers.node.name == name
            || m.facts.hostname == name
    };
    let name = (n + 2..)
        .map(|i| format!("node{i:02}"))
        .find(|name| !taken(name))
        .expect("a free name");
    m.answers.nodes.push(OtherNode {
        name,
        ..OtherNode::default()
    });
    m.node_undo.push(NodeUndo::Added(n));
    m.focus[Screen::Nodes.index()] = n * 4;
    m.recheck();
}

fn remove_node(m: &mut Model) {
    let si = Screen::Nodes.index();
    let i = m.focus[si] / 4;
    if i < m.answers.nodes.len() {
        let node = m.answers.nodes.remove(i);
        m.node_undo.push(NodeUndo::Removed(i, node));
        let n = m.answers.nodes.len();
        m.focus[si] = if n == 0 { 0 } else { i.min(n - 1) * 4 };
        m.recheck();
    }
}

/// Take back the last `a` or `x` not yet taken back: remove the node added, or put the node
/// removed back where it was; the status line says which.
fn undo_node(m: &mut Model) {
    let si = Screen::Nodes.index();
    let text = match m.node_undo.pop() {
        Some(NodeUndo::Added(i)) if i < m.answers.nodes.len() => {
            let node = m.answers.nodes.remove(i);
            let n = m.answers.nodes.len();
            m.focus[si] = if n == 0 { 0 } else { i.min(n - 1) * 4 };
            m.tx().f("nodes.undo_added", &[&node.name])
        }
        Some(NodeUndo::Removed(i, node)) => {
            let i = i.min(m.answers.nodes.len());
            let text = m.tx().f("nodes.undo_removed", &[&node.name]);
            m.answers.nodes.insert(i, node);
            m.focus[si] = i * 4;
            text
        }
        _ => m.tx().t("nodes.undo_nothing").into(),
    };
    m.recheck();
    m.status = Some(Status { ok: true, text });
}

/// Write the answers where the Export screen says (any time, key `e`).
pub fn export(m: &mut Model) {
    let tx = m.tx();
    let path = m.export_path.trim().to_string();
    if path.is_empty() {
        m.status = Some(Status {
            ok: false,
            text: tx.t("export.no_path").into(),
        });
        return;
    }
    // The answers' target is checked before anything else (a link or a device is refused,
    // not offered for replacing) and before the demo manifest is written beside it, so a
    // refused export writes nothing at all.
    let checked = crate::io::write::check_path(Path::new(&path));
    // Never replace a file the user did not choose to replace (an answers file from another
    // session, a colleague's, the one the demo manifest would land beside).
    if checked.is_ok()
        && Path::new(&path).exists()
        && m.may_overwrite.as_deref() != Some(path.as_str())
    {
        m.overlay = Overlay::ConfirmOverwrite;
        return;
    }
    let (to_save, demo_manifest) = match checked.and_then(|()| answers_to_save(m, Path::new(&path)))
    {
        Ok(x) => x,
        Err(e) => {
            m.status = Some(Status {
                ok: false,
                text: tx.f("export.failed", &[&path, &e.to_string()]),
            });
            return;
        }
    };
    // Answers files hold no secrets (the bootstrap token is never part of them).
    match to_save.save(Path::new(&path), false) {
        Ok(()) => {
            m.saved = Some(m.answers.clone());
            m.may_overwrite = Some(path.clone());
            // Say where it went in full: a relative path depends on where the wizard started.
            let path = std::path::absolute(&path)
                .map(|p| p.display().to_string())
                .unwrap_or(path);
            let errors = m.checked.errors().count();
            let mut text = if errors == 0 {
                tx.f("export.saved", &[&path])
            } else {
                tx.f(
                    "export.saved_with_errors",
                    &[&path, &tx.count("error", errors)],
                )
            };
            if let Some(name) = demo_manifest {
                text.push_str(&tx.f("export.demo_manifest", &[&name]));
            }
            m.status = Some(Status { ok: true, text });
        }
        Err(e) => {
            m.status = Some(Status {
                ok: false,
                text: tx.f("export.failed", &[&path, &e.to_string()]),
            })
        }
    }
}

/// The answers as the file should hold them. `dsinstall render` reads a relative
/// `calico.manifest` from the answers file's directory, so a path typed here (relative to
/// where the wizard runs) is saved absolute. The demo has no manifest on disk: its bundled
/// one is written beside the answers, so that the exported file renders as it is.
pub fn answers_to_save(
    m: &Model,
    answers_path: &Path,
) -> std::io::Result<(crate::answers::Answers, Option<String>)> {
    use crate::answers::CalicoInstall;
    let mut a = m.answers.clone();
    let manifest = a
        .calico
        .manifest
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_string();
    let manifest = manifest.as_str();
    if !manifest.is_empty() && !manifest.contains("://") && Path::new(manifest).is_relative() {
        a.calico.manifest = Some(std::path::absolute(manifest)?.display().to_string());
    }
    let bundled = super::demo_manifests::for_version(&a.calico.version);
    if let Some(bundled) = bundled
        .filter(|_| m.demo && manifest.is_empty() && a.calico.install == CalicoInstall::Manifest)
    {
        let name = bundled.name;
        let dest = answers_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join(name);
        // Someone's own manifest of that name is not replaced by the demo's.
        if crate::io::read::read_text(&dest, crate::io::read::MAX_FILE)
            .is_ok_and(|t| t != bundled.text)
        {
            let shown = dest.display().to_string();
            return Err(std::io::Error::other(
                m.tx().f("export.manifest_kept", &[&shown]),
            ));
        }
        crate::io::write::write_file(&dest, bundled.text.as_bytes(), crate::io::write::PUBLIC)?;
        a.calico.manifest = Some(name.to_string());
        let shown = std::path::absolute(&dest).unwrap_or(dest);
        return Ok((a, Some(shown.display().to_string())));
    }
    Ok((a, None))
}
