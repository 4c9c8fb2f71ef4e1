//! Pools: subnets, node masks and Calico pools, beside the address-plan picture — for each
//! family the pod subnet cut into per-node ranges, so /112 with /120 per node reads as
//! 256 nodes at a glance. Every figure is the engine's (`plan::FamilyPlan`).

use crate::plan::FamilyPlan;
use crate::plan::cidr::{human_count, node_ranges};
use crate::tui::model::Model;
use crate::tui::view::form::{self, Body};
use crate::tui::view::styles;
use crate::tui::view::text::truncate;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn draw(frame: &mut Frame, m: &Model, area: Rect) {
    let picture_w = if area.width >= 110 { 46 } else { 38 };
    let [left, right] =
        Layout::horizontal([Constraint::Min(38), Constraint::Length(picture_w)]).areas(area);
    let fields = m.fields();
    let lw = form::label_width(m, &fields);
    let mut b = Body::default();
    for f in fields {
        form::field(m, f, lw, left.width as usize, &mut b);
    }
    form::draw(frame, left, b);
    picture(frame, m, right);
}

fn picture(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let block = Block::new()
        .borders(Borders::LEFT)
        .padding(ratatui::widgets::Padding::left(1))
        .title(Span::styled(tx.t("pools.picture"), styles::bold()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = vec![];
    match &m.checked.plan {
        None => {
            for row in crate::tui::view::text::wrap(tx.t("pools.no_plan"), w) {
                lines.push(Line::styled(row, styles::error()));
            }
        }
        Some(plan) => {
            // On a short terminal, one range before the ellipsis instead of two, so that
            // both families' Calico lines stay in view.
            for ranges in [2, 1] {
                lines.clear();
                for fp in &plan.families {
                    family_lines(m, fp, w, ranges, &mut lines);
                }
                if lines.len() <= inner.height as usize {
                    break;
                }
            }
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn family_lines(m: &Model, fp: &FamilyPlan, w: usize, ranges: usize, out: &mut Vec<Line<'static>>) {
    let tx = m.tx();
    let t = |s: String| truncate(&s, w);
    let primary = if fp.family == m.primary {
        tx.t("pools.primary").to_string()
    } else {
        String::new()
    };
    out.push(Line::styled(
        t(format!(
            "{} {}{primary}",
            fp.family.kube_name(),
            fp.pod_subnet
        )),
        styles::bold(),
    ));
    out.push(Line::from(t(tx.f(
        "pools.per_node",
        &[
            &fp.node_mask.to_string(),
            &human_count(fp.nodes_fit),
            &human_count(fp.addresses_per_node),
        ],
    ))));
    // The first ranges, an ellipsis, the last: enough to see the cut.
    let first = node_ranges(&fp.pod_subnet, fp.node_mask, ranges);
    for (i, r) in first.iter().enumerate() {
        out.push(Line::from(t(format!(" [{}] {r}", i + 1))));
    }
    if fp.nodes_fit > ranges as u128
        && let Ok(last) = ipnet::IpNet::new(fp.pod_subnet.broadcast(), fp.node_mask)
    {
        out.push(Line::from(" …"));
        out.push(Line::from(t(format!(
            " [{}] {}",
            human_count(fp.nodes_fit),
            last.trunc()
        ))));
    }
    out.push(Line::from(t(tx.f(
        "pools.services",
        &[
            &fp.service_subnet.to_string(),
            &human_count(fp.service_addresses),
        ],
    ))));
    out.push(Line::from(t(tx.f(
        "pools.calico",
        &[&fp.calico_pool.to_string(), &fp.block_size.to_string()],
    ))));
    // Pods take their addresses from these blocks, not from the node ranges above.
    if let Some((blocks, per_block)) = crate::plan::ipam::family_blocks(fp) {
        out.push(Line::from(t(tx.f(
            "pools.blocks",
            &[&human_count(blocks), &human_count(per_block)],
        ))));
    }
    out.push(Line::default());
}
