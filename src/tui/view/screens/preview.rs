//! Preview: the rendered files in tabs, scrollable, with YAML highlighting and a diff
//! against the file already at the install path.

use crate::tui::model::Model;
use crate::tui::preview::{DiffTag, PreviewFile};
use crate::tui::view::form::Body;
use crate::tui::view::styles::{self, MARK_ERROR};
use crate::tui::view::text::{truncate, width};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let w = area.width as usize;
    if m.checked.has_errors() {
        let mut b = Body::default();
        let n = m.checked.errors().count().to_string();
        b.message(
            0,
            MARK_ERROR,
            &tx.f("preview.plan_errors", &[&n]),
            w,
            styles::error(),
        );
        for p in m.checked.errors() {
            b.message(
                2,
                "-",
                &format!(
                    "{}: {}",
                    super::export::place(m, p),
                    crate::tui::view::form::labelled(m, &tx.problem(p))
                ),
                w,
                styles::error(),
            );
        }
        frame.render_widget(Paragraph::new(b.lines), area);
        return;
    }
    if let Some(e) = &m.preview.error {
        let mut b = Body::default();
        b.message(
            0,
            MARK_ERROR,
            &tx.f("preview.render_error", &[e]),
            w,
            styles::error(),
        );
        frame.render_widget(Paragraph::new(b.lines), area);
        return;
    }
    let [tabs, info, content] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    draw_tabs(frame, m, tabs);
    let Some(file) = m.preview.files.get(m.preview.tab) else {
        frame.render_widget(Paragraph::new(tx.t("preview.nothing")), info);
        return;
    };
    let showing_diff = m.preview.show_diff && file.diff.is_some();
    let total = if showing_diff {
        file.diff.as_ref().map_or(0, Vec::len)
    } else {
        file.lines.len()
    };
    let h = content.height as usize;
    let scroll = m.preview.scroll.min(total.saturating_sub(h));
    let where_ = match (file.install_path, &file.diff) {
        (Some(p), Some(_)) if showing_diff => tx.f("preview.diff_on", &[p]),
        (Some(p), Some(_)) => tx.f("preview.differs", &[p]),
        (Some(p), None) => tx.f("preview.new_file", &[p]),
        (None, _) => tx.t("preview.no_install_path").to_string(),
    };
    let pos = tx.f(
        "preview.lines",
        &[
            &(scroll + 1).min(total).to_string(),
            &(scroll + h).min(total).to_string(),
            &total.to_string(),
        ],
    );
    if let Some(input) = &m.preview.search {
        // The search prompt takes the info line while it is typed.
        let prompt = format!("{} /", tx.t("preview.search"));
        let text = truncate(&input.text(), w.saturating_sub(width(&prompt) + 1));
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prompt.clone(), styles::bold()),
                Span::styled(text, styles::selected()),
            ])),
            info,
        );
        let col = (width(&prompt) + input.cursor_column()).min(w.saturating_sub(1));
        frame.set_cursor_position(ratatui::layout::Position::new(info.x + col as u16, info.y));
    } else {
        let where_ = match &m.preview.last_search {
            Some((s, false)) => tx.f("preview.not_found", &[s]),
            _ => where_,
        };
        let gap = w.saturating_sub(width(&where_) + width(&pos));
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(
                    truncate(&where_, w.saturating_sub(width(&pos) + 1)),
                    styles::dim(),
                ),
                Span::raw(" ".repeat(gap.max(1))),
                Span::styled(pos, styles::dim()),
            ])),
            info,
        );
    }
    // Only the visible slice is turned into lines: a 5,000-line calico.yaml stays cheap.
    let lines: Vec<Line> = if showing_diff {
        diff_lines(file, scroll, h)
    } else {
        file.lines
            .iter()
            .skip(scroll)
            .take(h)
            .map(|l| yaml_line(l))
            .collect()
    };
    frame.render_widget(Paragraph::new(lines), content);
}

fn draw_tabs(frame: &mut Frame, m: &Model, area: Rect) {
    let mut spans = vec![];
    let mut used = 0;
    let w = area.width as usize;
    // Start the strip early enough that the current tab is visible.
    let start = m.preview.tab.saturating_sub(2);
    if start > 0 {
        spans.push(Span::raw("… "));
        used += 2;
    }
    for (i, f) in m.preview.files.iter().enumerate().skip(start) {
        let label = if i == m.preview.tab {
            format!("[{}]", f.name)
        } else {
            format!(" {} ", f.name)
        };
        if used + width(&label) + 1 > w {
            spans.push(Span::raw("…"));
            break;
        }
        used += width(&label) + 1;
        let style = if i == m.preview.tab {
            styles::selected()
        } else {
            Default::default()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn diff_lines(file: &PreviewFile, scroll: usize, h: usize) -> Vec<Line<'static>> {
    file.diff
        .iter()
        .flatten()
        .skip(scroll)
        .take(h)
        .map(|(tag, text)| match tag {
            DiffTag::Same => Line::from(format!("  {text}")),
            DiffTag::Removed => Line::styled(format!("- {text}"), styles::removed()),
            DiffTag::Added => Line::styled(format!("+ {text}"), styles::added()),
        })
        .collect()
}

/// Just enough YAML highlighting to read by: comments, keys, document markers.
pub fn yaml_line(l: &str) -> Line<'static> {
    let trimmed = l.trim_start();
    if trimmed.starts_with('#') {
        return Line::styled(l.to_string(), styles::yaml_comment());
    }
    if trimmed == "---" {
        return Line::styled(l.to_string(), styles::bold());
    }
    let body_start = l.len() - trimmed.len();
    let after_dash = if trimmed.starts_with("- ") { 2 } else { 0 };
    let key_start = body_start + after_dash;
    if let Some(colon) = key_end(&l[key_start..]) {
        let key_end = key_start + colon;
        return Line::from(vec![
            Span::raw(l[..key_start].to_string()),
            Span::styled(l[key_start..key_end].to_string(), styles::yaml_key()),
            Span::raw(l[key_end..].to_string()),
        ]);
    }
    Line::from(l.to_string())
}

/// End of a `key:` at the start of `s` (a plain key followed by `:` and a space or the end).
fn key_end(s: &str) -> Option<usize> {
    let i = s.find(':')?;
    let key = &s[..i];
    let ok = !key.is_empty()
        && !key.contains(' ')
        && !key.starts_with(['"', '\'', '{', '['])
        && matches!(s[i + 1..].chars().next(), None | Some(' '));
    ok.then_some(i)
}
