//! A screen body as rows: fields with their values, and under each field the engine's
//! problems for its path. The body scrolls so that the focused field and its messages show.

use super::styles::{self, MARK_ERROR, MARK_FOCUS, MARK_OK, MARK_WARN};
use super::text::{pad, truncate, width, wrap};
use crate::plan::Severity;
use crate::tui::fields::{Field, Kind};
use crate::tui::model::Model;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthChar;

/// Rows to draw, which of them belong to the focused field, and where the text cursor goes.
#[derive(Default)]
pub struct Body {
    pub lines: Vec<Line<'static>>,
    pub focus: Option<(usize, usize)>,
    pub cursor: Option<(usize, u16)>,
}

impl Body {
    pub fn push(&mut self, line: Line<'static>) {
        self.lines.push(line);
    }
    pub fn text(&mut self, s: impl Into<String>) {
        self.lines.push(Line::from(s.into()));
    }
    pub fn blank(&mut self) {
        self.lines.push(Line::default());
    }
    /// A message wrapped to `w` columns, each row prefixed by `indent` spaces and the first by
    /// `mark`.
    pub fn message(
        &mut self,
        indent: usize,
        mark: &str,
        text: &str,
        w: usize,
        style: ratatui::style::Style,
    ) {
        // A mark ending in full-width punctuation (`修正：`) carries its own space.
        let gap = if mark.ends_with(['：', '，', '。']) {
            ""
        } else {
            " "
        };
        let lead = if mark.is_empty() {
            indent
        } else {
            indent + width(mark) + gap.len()
        };
        for (i, row) in wrap(text, w.saturating_sub(lead)).into_iter().enumerate() {
            let head = if i == 0 && !mark.is_empty() {
                format!("{}{mark}{gap}", " ".repeat(indent))
            } else {
                " ".repeat(lead)
            };
            self.lines.push(Line::from(vec![
                Span::styled(head, style),
                Span::styled(row, style),
            ]));
        }
    }
}

/// Label column width for these fields (display columns, so CJK labels line up too).
pub fn label_width(m: &Model, fields: &[Field]) -> usize {
    let tx = m.tx();
    fields
        .iter()
        .map(|f| width(&f.label(tx)))
        .max()
        .unwrap_or(10)
        .clamp(10, 28)
}

/// Append `field`'s row and its messages.
pub fn field(m: &Model, f: Field, label_w: usize, w: usize, body: &mut Body) {
    let tx = m.tx();
    let focused = m.focused_field() == Some(f);
    let start = body.lines.len();
    let editing = m.editing.as_ref().filter(|e| e.field == f);
    let value_w = w.saturating_sub(label_w + 3).max(8);
    let marker = if focused { MARK_FOCUS } else { " " };
    let label = pad(&f.label(tx), label_w);
    let mut spans = vec![
        Span::styled(format!("{marker} "), styles::bold()),
        Span::styled(
            label,
            if focused {
                styles::bold()
            } else {
                Default::default()
            },
        ),
        Span::raw(" "),
    ];
    let mut cut_default = None;
    if let Some(ed) = editing {
        // Scroll the text horizontally so the cursor stays in view.
        let text = ed.input.text();
        // Two columns short of the box: the last one may be the "…" of text cut on the right,
        // which must never sit under the cursor.
        let room = value_w.saturating_sub(2);
        let mut skip_cols = ed.input.cursor_column().saturating_sub(room);
        let mut shown = String::new();
        for c in text.chars() {
            let cw = c.width().unwrap_or(0);
            if skip_cols > 0 {
                skip_cols = skip_cols.saturating_sub(cw);
                continue;
            }
            shown.push(c);
        }
        let visible_cursor = ed.input.cursor_column().min(room);
        spans.push(Span::styled(pad(&shown, value_w), styles::selected()));
        body.cursor = Some((start, (label_w + 3 + visible_cursor) as u16));
    } else {
        let v = f.get(m);
        let in_force = v.is_empty().then(|| f.effective(m)).flatten();
        let shown = if v.is_empty() {
            if let Some(e) = f.effective(m) {
                tx.f("value.default_is", &[&e])
            } else if f.kind() == Kind::Choice || !f.options(m).is_empty() {
                tx.t("value.default").to_string()
            } else {
                tx.t("value.unset").to_string()
            }
        } else {
            v
        };
        let shown = if f.kind() == Kind::Choice {
            format!("< {shown} >")
        } else {
            shown
        };
        let style = if focused {
            styles::selected()
        } else {
            Default::default()
        };
        // The value in force, cut to fit beside the plan (Pools at 80 columns): the focused
        // field says it whole below.
        if let Some(e) = in_force.filter(|_| focused && width(&shown) > value_w) {
            cut_default = Some(e);
        }
        spans.push(Span::styled(truncate(&shown, value_w), style));
    }
    body.push(Line::from(spans));
    if let Some(e) = cut_default {
        body.message(
            4,
            MARK_OK,
            &tx.f("field.default_full", &[&e]),
            w,
            styles::dim(),
        );
    }
    let indent = 4;
    if let Some(err) = editing.and_then(|e| e.error) {
        let text = format!("{}{}", tx.t(err), tx.t("error.esc_undoes"));
        body.message(indent, MARK_ERROR, &text, w, styles::error());
    }
    // While the text being typed does not parse, the answers still hold the value before
    // it: what the plan says of that value would quote a value the field no longer shows.
    let typing_error = editing.is_some_and(|e| e.error.is_some());
    for p in f.problems(m).into_iter().filter(|_| !typing_error) {
        let (mark, style) = match p.severity {
            Severity::Error => (MARK_ERROR, styles::error()),
            Severity::Warning => (MARK_WARN, styles::warning()),
        };
        body.message(indent, mark, &labelled(m, &tx.problem(p)), w, style);
        if let Some(h) = tx.problem_hint(p) {
            body.message(indent + 2, tx.t("problem.fix"), &labelled(m, &h), w, style);
        }
    }
    if focused {
        if let Some(r) = f.reason(m) {
            body.message(
                indent,
                MARK_OK,
                &tx.f("field.suggested", &[&r]),
                w,
                styles::dim(),
            );
        }
        let bundled = crate::tui::demo_manifests::for_version(&m.answers.calico.version);
        if let Some(b) =
            bundled.filter(|_| m.demo && f == Field::CalicoManifest && f.get(m).is_empty())
        {
            body.message(
                indent,
                MARK_OK,
                &tx.f("field.demo_manifest", &[b.name]),
                w,
                styles::dim(),
            );
        }
        body.focus = Some((start, body.lines.len().saturating_sub(1)));
    }
}

/// `text` with every answers-file path of a field (`networking.podSubnets[0]`,
/// `nodeMaskSizes.ipv6`) replaced by the field's label in quotes, as the screen shows it.
pub fn labelled(m: &Model, text: &str) -> String {
    let tx = m.tx();
    let mut names: Vec<(String, String)> = vec![];
    for screen in crate::tui::model::Screen::ALL {
        for f in crate::tui::fields::of_screen(screen, m) {
            let path = f.path(m);
            if path.is_empty() || f == Field::PrimaryFamily {
                continue;
            }
            let label = format!("“{}”", f.label(tx));
            // The hints also name a path without its section (`nodeMaskSizes.ipv6`).
            if let Some((_, rest)) = path.split_once('.')
                && rest.contains('.')
            {
                names.push((rest.to_string(), label.clone()));
            }
            names.push((path, label));
        }
    }
    names.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    let ident = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '[' | ']' | '_');
    let mut out = text.to_string();
    for (path, label) in names {
        let mut from = 0;
        while let Some(at) = out[from..].find(&path).map(|i| i + from) {
            let end = at + path.len();
            let before = out[..at].chars().next_back();
            let after = out[end..].chars().next();
            if before.is_some_and(ident) || after.is_some_and(|c| ident(c) && c != '.') {
                from = end;
                continue;
            }
            out.replace_range(at..end, &label);
            from = at + label.len();
        }
    }
    out
}

/// Draw the rows into `area`, scrolled so the focused rows (and the cursor) are visible.
pub fn draw(frame: &mut Frame, area: Rect, body: Body) {
    let h = area.height as usize;
    let scroll = match body.focus {
        Some((start, end)) if end >= h => (end + 1 - h).min(start),
        _ => 0,
    };
    let total = body.lines.len();
    let lines: Vec<Line> = body.lines.into_iter().skip(scroll).take(h).collect();
    frame.render_widget(Paragraph::new(lines), area);
    // Arrows in the right margin say there is more above or below.
    let x = area.right().saturating_sub(1);
    if scroll > 0 {
        frame.render_widget(Paragraph::new("↑"), Rect::new(x, area.y, 1, 1));
    }
    if scroll + h < total && h > 0 {
        frame.render_widget(Paragraph::new("↓"), Rect::new(x, area.bottom() - 1, 1, 1));
    }
    if let Some((row, col)) = body.cursor
        && row >= scroll
        && row < scroll + h
    {
        frame.set_cursor_position(Position::new(
            area.x + col.min(area.width.saturating_sub(1)),
            area.y + (row - scroll) as u16,
        ));
    }
}
