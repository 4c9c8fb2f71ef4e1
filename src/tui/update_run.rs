//! Keys and runner events on Confirm, Install and Checks. Whatever blocks (the dry run,
//! starting the runner) is asked of the event loop through `RunUi::effect`.

use crate::tui::install::{Effect, Feed, Stage};
use crate::tui::model::{Model, Outcome, Status};
use crossterm::event::{KeyCode, KeyEvent};

/// Lines a page scrolls (the log pane is about this tall at 80x24).
const PAGE: usize = 10;

/// From Export: open Confirm and ask for the dry run. The answers must be saved first on
/// a real host (the run starts from the file); the demo saves its own in the lab.
pub fn open_confirm(m: &mut Model) {
    if m.checked.has_errors() {
        m.status = Some(Status {
            ok: false,
            text: m.tx().t("confirm.errors").into(),
        });
        return;
    }
    if !m.demo && m.unsaved() {
        crate::tui::update::export(m);
        if m.unsaved() {
            return;
        }
    }
    m.run.dry_lines.clear();
    m.run.dry_done = None;
    m.run.dry_scroll = 0;
    m.run.stage = Some(Stage::Confirm);
    m.run.effect = Some(Effect::DryRun);
}

pub fn feed(m: &mut Model, f: Feed) {
    let was_done = m.run.run_state() == Some(crate::run::event::RunState::Done);
    m.run.feed(f);
    let done = m.run.run_state() == Some(crate::run::event::RunState::Done);
    // A finished run's next screen is its checks.
    if done && !was_done && m.run.stage == Some(Stage::Install) && !m.run.checks.is_empty() {
        m.run.open_checks();
    }
}

pub fn key(m: &mut Model, stage: Stage, key: KeyEvent) {
    match key.code {
        KeyCode::Char('?') | KeyCode::F(1) => {
            m.overlay = crate::tui::model::Overlay::Help;
            return;
        }
        KeyCode::Char('q') => {
            leave(m);
            return;
        }
        _ => {}
    }
    match stage {
        Stage::Confirm => confirm_key(m, key),
        Stage::Install => install_key(m, key),
        Stage::Checks => checks_key(m, key),
    }
}

/// Leave the wizard; a live run goes on (its state stays for `apply` to resume).
fn leave(m: &mut Model) {
    let done = m.run.run_state() == Some(crate::run::event::RunState::Done);
    m.outcome = Some(if done || m.run.stage == Some(Stage::Confirm) {
        Outcome::Done
    } else {
        Outcome::Cancelled
    });
}

fn confirm_key(m: &mut Model, key: KeyEvent) {
    let n = m.run.dry_lines.len();
    let r = &mut m.run;
    match key.code {
        KeyCode::Esc | KeyCode::Backspace | KeyCode::Left => r.stage = None,
        KeyCode::Down | KeyCode::Char('j') => r.dry_scroll = (r.dry_scroll + 1).min(n),
        KeyCode::Up | KeyCode::Char('k') => r.dry_scroll = r.dry_scroll.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => r.dry_scroll = (r.dry_scroll + PAGE).min(n),
        KeyCode::PageUp => r.dry_scroll = r.dry_scroll.saturating_sub(PAGE),
        KeyCode::Home => r.dry_scroll = 0,
        KeyCode::End => r.dry_scroll = n.saturating_sub(PAGE),
        KeyCode::Char('y') | KeyCode::Enter
            if !m.dry_run_only && matches!(r.dry_done, Some(Ok(()))) =>
        {
            r.clear_run();
            r.effect = Some(Effect::Start {
                clear_faults: false,
            });
        }
        _ => {}
    }
}

fn install_key(m: &mut Model, key: KeyEvent) {
    let r = &mut m.run;
    let steps = r.status.as_ref().map_or(0, |s| s.steps.len());
    match key.code {
        KeyCode::Down | KeyCode::Char('j') if steps > 0 => {
            r.selected = (r.selected + 1).min(steps - 1);
            r.selected_by_user = true;
        }
        KeyCode::Up | KeyCode::Char('k') => {
            r.selected = r.selected.saturating_sub(1);
            r.selected_by_user = true;
        }
        KeyCode::Char('f') => {
            let id = r
                .status
                .as_ref()
                .and_then(|s| s.steps.get(r.selected))
                .map(|s| s.id.clone());
            r.filter = if r.filter.is_some() { None } else { id };
            r.log_back = 0;
        }
        KeyCode::PageUp => {
            let n = r.visible_log().count();
            r.log_back = (r.log_back + PAGE).min(n.saturating_sub(1));
        }
        KeyCode::PageDown => r.log_back = r.log_back.saturating_sub(PAGE),
        KeyCode::End => r.log_back = 0,
        KeyCode::Home => r.log_back = r.visible_log().count().saturating_sub(1),
        KeyCode::Char('r') if r.ended() && r.run_state() != Some(done()) => {
            let clear_faults = !r.faults.is_empty();
            r.clear_run();
            r.effect = Some(Effect::Start { clear_faults });
        }
        KeyCode::Char('R') if r.ended() && r.run_state() != Some(done()) => {
            r.clear_run();
            r.effect = Some(Effect::ResetAndStart);
        }
        KeyCode::Char('c') | KeyCode::Right if !r.checks.is_empty() => r.open_checks(),
        _ => {}
    }
}

fn done() -> crate::run::event::RunState {
    crate::run::event::RunState::Done
}

fn checks_key(m: &mut Model, key: KeyEvent) {
    let r = &mut m.run;
    let n = r.checks.len();
    match key.code {
        KeyCode::Down | KeyCode::Char('j') if n > 0 => {
            r.check_selected = (r.check_selected + 1).min(n - 1)
        }
        KeyCode::Up | KeyCode::Char('k') => r.check_selected = r.check_selected.saturating_sub(1),
        KeyCode::Esc | KeyCode::Backspace | KeyCode::Left | KeyCode::Char('l') => {
            r.stage = Some(Stage::Install)
        }
        _ => {}
    }
}
