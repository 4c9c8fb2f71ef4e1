//! Keys and runner events on Confirm, Install and Checks. Whatever blocks (the dry run,
//! starting the runner) is asked of the event loop through `RunUi::effect`.

use crate::tui::install::{Effect, Feed, RunUi, Stage};
use crate::tui::log_view::{H_STEP, LogView};
use crate::tui::model::{Model, Outcome, Overlay, Status};
use crate::tui::text_input::TextInput;
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
    m.run.dry_shown.set(None);
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
    // While a search is typed every key is the search's (`q` and `?` included).
    if stage == Stage::Install && m.run.view.prompt.is_some() {
        search_prompt_key(&mut m.run, key);
        return;
    }
    match key.code {
        KeyCode::Char('?') | KeyCode::F(1) => {
            m.overlay = Overlay::Help;
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

/// Leave the wizard as `q` does on the answers' screens: ask first when the answers are
/// not saved (the quit dialog). Nothing stops a live run: it goes on in the background,
/// its state kept for `apply` to resume.
fn leave(m: &mut Model) {
    if m.unsaved() {
        m.overlay = Overlay::ConfirmQuit;
    } else {
        m.outcome = Some(leaving(m));
    }
}

/// How leaving with the answers saved ends: done, unless an install was started here (or
/// found running) and has not passed, failed or still running; that is left unfinished.
pub fn leaving(m: &Model) -> Outcome {
    let started = matches!(m.run.stage, Some(Stage::Install | Stage::Checks));
    if started && m.run.run_state() != Some(done()) {
        Outcome::RunUnfinished
    } else {
        Outcome::Done
    }
}

fn confirm_key(m: &mut Model, key: KeyEvent) {
    let n = m.run.dry_lines.len();
    let r = &mut m.run;
    match key.code {
        KeyCode::Esc | KeyCode::Backspace | KeyCode::Left => r.stage = None,
        KeyCode::Down | KeyCode::Char('j') => r.dry_scroll = (r.dry_scroll + 1).min(n),
        KeyCode::Up | KeyCode::Char('k') => r.dry_scroll = r.dry_top().saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => r.dry_scroll = (r.dry_scroll + PAGE).min(n),
        KeyCode::PageUp => r.dry_scroll = r.dry_top().saturating_sub(PAGE),
        KeyCode::Home => r.dry_scroll = 0,
        // The view shows the last screenful for any start past it.
        KeyCode::End => r.dry_scroll = n,
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
        KeyCode::Char('c') if !r.checks.is_empty() => r.open_checks(),
        KeyCode::Char('/') => r.view.prompt = Some(TextInput::new("")),
        KeyCode::Char('n') => {
            let to = r.view.step(&r.matches(), true);
            r.go_to_match(to);
        }
        KeyCode::Char('N') => {
            let to = r.view.step(&r.matches(), false);
            r.go_to_match(to);
        }
        KeyCode::Esc => r.view.clear_search(),
        KeyCode::Left | KeyCode::Char('h') => {
            r.view.h_scroll = r.view.h_scroll.saturating_sub(H_STEP)
        }
        KeyCode::Right | KeyCode::Char('l') if !r.view.wrap => {
            // No further than the longest line's last step: past it the pane is blank.
            let longest = r
                .visible_log()
                .map(|(s, t)| line_width(r, s, t))
                .max()
                .unwrap_or(0);
            let last = longest.saturating_sub(1) / H_STEP * H_STEP;
            r.view.h_scroll = (r.view.h_scroll + H_STEP).min(last);
        }
        KeyCode::Char('w') => r.view.wrap = !r.view.wrap,
        _ => {}
    }
}

/// A log line's width as the pane draws it (`[step] ` before it unless filtered).
fn line_width(r: &RunUi, step: &str, text: &str) -> usize {
    use crate::tui::view::text::width;
    let prefix = if r.filter.is_some() {
        0
    } else {
        width(step) + 3
    };
    prefix + width(&crate::terminal_text::line(text))
}

/// Keys of the log's search prompt: Enter searches (an empty one repeats the last), Esc
/// drops the search.
fn search_prompt_key(r: &mut RunUi, key: KeyEvent) {
    let Some(input) = r.view.prompt.as_mut() else {
        return;
    };
    match key.code {
        KeyCode::Esc => r.view.clear_search(),
        KeyCode::Enter => {
            let typed = input.text();
            r.view.prompt = None;
            let q = if typed.is_empty() {
                r.view.last_query.clone().unwrap_or_default()
            } else {
                typed
            };
            if q.is_empty() {
                r.view.clear_search();
                return;
            }
            r.view.query = Some(q.clone());
            r.view.last_query = Some(q);
            let to = LogView::first_match(&r.matches(), r.bottom_line());
            r.view.current = None;
            r.go_to_match(to);
        }
        _ => {
            input.edit_key(&key);
        }
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
        KeyCode::Char('r') => r.recheck(false),
        KeyCode::Char('R') => r.recheck(true),
        _ => {}
    }
}
