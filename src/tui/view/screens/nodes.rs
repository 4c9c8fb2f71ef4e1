//! Nodes: the other machines of the cluster, for their join configurations.

use crate::tui::model::Model;
use crate::tui::view::form::{self, Body};
use crate::tui::view::styles;
use ratatui::Frame;
use ratatui::layout::Rect;

pub fn draw(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let w = area.width as usize;
    let mut b = Body::default();
    b.message(0, "", tx.t("nodes.intro"), w, styles::dim());
    b.blank();
    if m.answers.nodes.is_empty() {
        b.message(0, "", tx.t("nodes.none"), w, Default::default());
        b.blank();
    }
    let fields = m.fields();
    let lw = form::label_width(m, &fields);
    let verify_from = m.answers.nodes.len() * 4;
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            b.blank();
        }
        if i == verify_from {
            b.message(0, "", tx.t("nodes.verify"), w, styles::dim());
        }
        form::field(m, f, lw, w, &mut b);
    }
    form::draw(frame, area, b);
}
