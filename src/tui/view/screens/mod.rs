//! One drawing function per screen.

mod export;
mod network;
mod nodes;
mod pools;
mod preview;
mod welcome;

use super::form::{self, Body};
use crate::tui::model::{Model, Screen};
use ratatui::Frame;
use ratatui::layout::Rect;

pub fn draw(frame: &mut Frame, m: &Model, area: Rect) {
    match m.screen {
        Screen::Welcome => welcome::draw(frame, m, area),
        Screen::Network => network::draw(frame, m, area),
        Screen::Pools => pools::draw(frame, m, area),
        Screen::Kube => plain_form(frame, m, area),
        Screen::Nodes => nodes::draw(frame, m, area),
        Screen::Preview => preview::draw(frame, m, area),
        Screen::Export => export::draw(frame, m, area),
    }
}

/// A screen that is just its fields.
fn plain_form(frame: &mut Frame, m: &Model, area: Rect) {
    let fields = m.fields();
    let lw = form::label_width(m, &fields);
    let mut body = Body::default();
    for f in fields {
        form::field(m, f, lw, area.width as usize, &mut body);
    }
    form::draw(frame, area, body);
}
