//! Pop-ups drawn over the screen: the key help and the quit confirmation.

use super::{styles, text};
use crate::tui::model::Model;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn popup(frame: &mut Frame, area: Rect, title: &str, body: &str, w: u16) {
    let inner_w = w.saturating_sub(4) as usize;
    let lines: Vec<Line> = body
        .lines()
        .flat_map(|l| text::wrap(l, inner_w))
        .map(Line::from)
        .collect();
    let rect = centered(area, w, lines.len() as u16 + 2);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(format!(" {title} "))
        .title_style(styles::bold());
    frame.render_widget(Clear, rect);
    clear_wide_left_edge(frame, rect);
    let inner = block.inner(rect).inner(ratatui::layout::Margin::new(1, 0));
    frame.render_widget(block, rect);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// A double-width character (Chinese text) just left of the pop-up would spill its right
/// half into the pop-up's border column; blank it so the border is drawn whole.
fn clear_wide_left_edge(frame: &mut Frame, rect: Rect) {
    let Some(x) = rect.x.checked_sub(1) else {
        return;
    };
    let buf = frame.buffer_mut();
    for y in rect.top()..rect.bottom() {
        if let Some(cell) = buf.cell_mut((x, y))
            && text::width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

pub fn help(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    popup(frame, area, tx.t("help.title"), tx.t("help.body"), 72);
}

/// The focused field's own help: what it means and what it changes.
pub fn field_help(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let Some((f, key)) = m.focused_field().and_then(|f| Some((f, f.help_key()?))) else {
        return;
    };
    let body = format!("{}\n\n{}", tx.t(key), tx.t("fieldhelp.close"));
    popup(frame, area, &f.label(tx), &body, 72);
}

pub fn confirm_overwrite(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    popup(
        frame,
        area,
        tx.t("overwrite.title"),
        &tx.f("overwrite.body", &[m.export_path.trim()]),
        60,
    );
}

pub fn confirm_quit(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    popup(
        frame,
        area,
        tx.t("quit.title"),
        &tx.f("quit.body", &[&m.export_path]),
        60,
    );
}
