//! Network: the NICs as detected (addresses with scope and flags), then the node's
//! addresses and the API endpoint, with the detection's suggestions preselected.

use crate::host::facts::Interface;
use crate::tui::model::Model;
use crate::tui::view::form::{self, Body};
use crate::tui::view::styles;
use crate::tui::view::text::{pad, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let w = area.width as usize;
    let mut b = Body::default();
    b.push(Line::styled(
        tx.t("network.nics").to_string(),
        styles::bold(),
    ));
    let ifaces: Vec<&Interface> = m
        .facts
        .interfaces
        .iter()
        .filter(|i| i.kind != "loopback")
        .collect();
    if ifaces.is_empty() {
        b.text(format!("  {}", tx.t("network.no_nics")));
    }
    for i in ifaces {
        nic_rows(m, i, w, &mut b);
    }
    b.blank();
    let fields = m.fields();
    let lw = form::label_width(m, &fields);
    for f in fields {
        form::field(m, f, lw, w, &mut b);
    }
    form::draw(frame, area, b);
}

/// `ens224 up mtu 1500  2018::21/64 global [permanent noprefixroute]`, one row per address.
fn nic_rows(m: &Model, i: &Interface, w: usize, b: &mut Body) {
    let tx = m.tx();
    let state = if i.up {
        tx.t("network.up")
    } else {
        tx.t("network.down")
    };
    let head = pad(&format!("{} {state}", i.name), 14);
    if i.addresses.is_empty() {
        b.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(head.clone(), styles::bold()),
            Span::styled(tx.t("network.no_addresses").to_string(), styles::dim()),
        ]));
    }
    for (n, a) in i.addresses.iter().enumerate() {
        let first = if n == 0 { head.clone() } else { pad("", 14) };
        let addr = pad(&format!("{}/{}", a.address, a.prefix), 30);
        let bad = a.has_flag("tentative") || a.has_flag("deprecated") || a.has_flag("dadfailed");
        let flags = a.flags.join(",");
        let rest = truncate(
            &format!("{:<6} {flags}", a.scope),
            w.saturating_sub(2 + 14 + 30),
        );
        let style = if bad {
            styles::warning()
        } else {
            Default::default()
        };
        b.push(Line::from(vec![
            Span::raw("  "),
            Span::styled(first, styles::bold()),
            Span::styled(addr, style),
            Span::styled(
                rest,
                if bad {
                    styles::warning()
                } else {
                    styles::dim()
                },
            ),
        ]));
    }
}
