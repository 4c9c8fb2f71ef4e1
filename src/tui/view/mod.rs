//! Model → frame. Pure drawing: every figure comes from the model (and so from the engine).

pub mod ascii;
mod form;
mod log_pane;
mod overlays;
mod run_screens;
mod screens;
pub mod styles;
pub mod text;

use crate::tui::model::{Model, Overlay, Screen};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use styles::{MARK_ERROR, MARK_OK, MARK_WARN};
use text::width;

/// Answers-file paths in a text replaced by the fields' labels (see `form::labelled`).
pub fn form_labelled(m: &Model, text: &str) -> String {
    form::labelled(m, text)
}

/// The smallest terminal the layouts are made for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn view(frame: &mut Frame, m: &Model) {
    draw_all(frame, m);
    if m.ascii {
        ascii::replace_in(frame.buffer_mut());
    }
}

fn draw_all(frame: &mut Frame, m: &Model) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, m, area);
        return;
    }
    let [header, tabs, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, m, header);
    let title = match m.run.stage {
        Some(stage) => run_screens::title_key(stage),
        None => m.screen.title_key(),
    };
    let block = Block::new()
        .borders(Borders::TOP | Borders::BOTTOM)
        .title(Span::styled(
            format!(" {} ", m.tx().t(title)),
            styles::bold(),
        ));
    let inner = block.inner(body);
    frame.render_widget(block, body);
    if let Some(stage) = m.run.stage {
        run_screens::tabs(frame, m, stage, tabs);
        run_screens::draw(frame, m, stage, inner);
        draw_run_status(frame, m, status);
        let key = run_screens::keys_key(m, stage);
        let s = text::truncate(m.tx().t(key), keys.width as usize);
        frame.render_widget(Paragraph::new(Span::styled(s, styles::dim())), keys);
    } else {
        draw_tabs(frame, m, tabs);
        screens::draw(frame, m, inner);
        draw_status(frame, m, status);
        draw_keys(frame, m, keys);
    }
    match m.overlay {
        Overlay::None => {}
        Overlay::Help => overlays::help(frame, m, area),
        Overlay::FieldHelp => overlays::field_help(frame, m, area),
        Overlay::ConfirmQuit => overlays::confirm_quit(frame, m, area),
        Overlay::ConfirmOverwrite => overlays::confirm_overwrite(frame, m, area),
    }
}

fn too_small(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    // A quit question must be seen to be answered, however small the terminal.
    if m.overlay == Overlay::ConfirmQuit {
        let text = format!(
            "{}\n{}",
            tx.t("quit.title"),
            tx.f("quit.body", &[&m.export_path])
        );
        let lines: Vec<Line> = text
            .lines()
            .flat_map(|l| text::wrap(l, area.width.max(1) as usize))
            .map(Line::from)
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let msg = tx.f(
        "too_small",
        &[
            &MIN_WIDTH.to_string(),
            &MIN_HEIGHT.to_string(),
            &area.width.to_string(),
            &area.height.to_string(),
        ],
    );
    let lines: Vec<Line> = text::wrap(&msg, area.width.max(1) as usize)
        .into_iter()
        .chain(text::wrap(
            tx.t("too_small.keys"),
            area.width.max(1) as usize,
        ))
        .map(Line::from)
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_header(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let mode = if m.demo {
        tx.f("header.demo", &[&m.facts.hostname])
    } else {
        tx.f("header.dry_run", &[&m.facts.hostname])
    };
    // A value being typed that is not one yet is an error too, until it is fixed or undone.
    // It stands for what the plan says of the field's value before it (the form hides
    // that while the typed text does not parse).
    let typing = m.editing.as_ref().filter(|e| e.error.is_some());
    let stale = |p: &&crate::plan::Problem| {
        typing.is_some_and(|e| crate::tui::fields::home(p, m).map(|(_, f)| f) == Some(e.field))
    };
    let errors = m.checked.errors().filter(|p| !stale(p)).count() + usize::from(typing.is_some());
    // The host's warnings (on Welcome) count too: they are as much to read.
    let warnings = m
        .checked
        .problems
        .iter()
        .filter(|p| p.severity == crate::plan::Severity::Warning && !stale(p))
        .count()
        + m.facts.warnings.len();
    let right = if errors > 0 {
        Span::styled(
            format!(
                "{MARK_ERROR} {}",
                tx.f(
                    "header.problems",
                    &[&tx.count("error", errors), &tx.count("warning", warnings)]
                )
            ),
            styles::error(),
        )
    } else {
        Span::styled(
            format!(
                "{MARK_OK} {}",
                tx.f("header.no_errors", &[&tx.count("warning", warnings)])
            ),
            styles::ok(),
        )
    };
    let left = format!("dsinstall · {mode}");
    let gap = (area.width as usize).saturating_sub(width(&left) + width(&right.content) + 1);
    let line = Line::from(vec![
        Span::styled(left, styles::bold()),
        Span::raw(" ".repeat(gap.max(1))),
        right,
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// `1 Welcome  2 Network …`, the current screen in reverse video between brackets. Names
/// that do not fit shrink to their numbers (never the current one).
fn draw_tabs(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    // A screen holding problems carries their mark (✗ errors, ! warnings only), so the
    // user sees where to go without visiting every screen.
    let marks: Vec<&str> = Screen::ALL
        .iter()
        .map(|s| match crate::tui::fields::screen_severity(m, *s) {
            Some(crate::plan::Severity::Error) => MARK_ERROR,
            Some(crate::plan::Severity::Warning) => MARK_WARN,
            None => "",
        })
        .collect();
    let full: Vec<String> = Screen::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{} {}{}", i + 1, tx.t(s.tab_key()), marks[i]))
        .collect();
    let total: usize = full.iter().map(|s| width(s) + 1).sum::<usize>() + 2;
    let fits = total <= area.width as usize;
    let mut spans = vec![];
    for (i, s) in Screen::ALL.iter().enumerate() {
        let current = *s == m.screen;
        let label = if fits || current {
            full[i].clone()
        } else {
            format!("{}{}", i + 1, marks[i])
        };
        let style = match marks[i] {
            MARK_ERROR => styles::error(),
            MARK_WARN => styles::warning(),
            _ => Default::default(),
        };
        if current {
            spans.push(Span::styled(format!("[{label}]"), styles::selected()));
        } else {
            spans.push(Span::styled(label, style));
        }
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_status(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let w = area.width as usize;
    let line = if let Some(s) = &m.status {
        let (mark, style) = if s.ok {
            (MARK_OK, styles::ok())
        } else {
            (MARK_ERROR, styles::error())
        };
        Line::from(Span::styled(
            text::truncate(&format!("{mark} {}", s.text), w),
            style,
        ))
    } else {
        let saved = if m.unsaved() {
            format!("{MARK_WARN} {}", tx.t("status.unsaved"))
        } else {
            format!("{MARK_OK} {}", tx.t("status.saved"))
        };
        let path = m
            .focused_field()
            .map(|f| f.path(m))
            .filter(|p| !p.is_empty())
            .map(|p| format!("  {}: {p}", tx.t("status.field")))
            .unwrap_or_default();
        Line::from(vec![
            Span::raw(saved),
            Span::styled(text::truncate(&path, w.saturating_sub(20)), styles::dim()),
        ])
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// Where the run's files are: the full log (the pane keeps only its tail).
fn draw_run_status(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let w = area.width as usize;
    let s = match &m.run.log_file {
        Some(p) => text::labelled_path(
            &tx.f("install.log_file", &[""]),
            &p.display().to_string(),
            w,
        ),
        None => String::new(),
    };
    frame.render_widget(Paragraph::new(Span::styled(s, styles::dim())), area);
}

fn draw_keys(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let key = if m.editing.is_some() || m.preview.search.is_some() {
        "keys.editing"
    } else {
        match m.screen {
            Screen::Welcome => "keys.welcome",
            Screen::Preview => "keys.preview",
            Screen::Nodes => "keys.nodes",
            Screen::Export => "keys.export",
            _ => "keys.form",
        }
    };
    let s = text::truncate(tx.t(key), area.width as usize);
    frame.render_widget(Paragraph::new(Span::styled(s, styles::dim())), area);
}
