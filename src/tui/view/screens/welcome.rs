//! Welcome: what this host is, and what would stop an install on it.

use crate::tui::model::Model;
use crate::tui::view::form::{self, Body};
use crate::tui::view::styles::{self, MARK_ERROR, MARK_OK, MARK_WARN};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let f = &m.facts;
    let w = area.width as usize;
    let mut b = Body::default();
    b.message(0, "", tx.t("welcome.intro"), w, Default::default());
    if m.demo {
        b.message(0, "", tx.t("welcome.demo"), w, styles::dim());
    }
    b.blank();
    let row = |b: &mut Body, label: &str, value: String| {
        b.push(Line::from(vec![
            Span::styled(super::super::text::pad(label, 14), styles::bold()),
            Span::raw(crate::terminal_text::line(&value).into_owned()),
        ]));
    };
    let unknown = || tx.t("welcome.unknown").to_string();
    row(&mut b, tx.t("welcome.host"), f.hostname.clone());
    row(
        &mut b,
        tx.t("welcome.os"),
        format!(
            "{}  ({})",
            f.os_release.clone().unwrap_or_else(unknown),
            f.kernel.clone().unwrap_or_else(unknown)
        ),
    );
    let tool = |name: &str| match f.tools.get(name) {
        Some(Some(t)) => t.version.clone().unwrap_or_else(|| t.path.clone()),
        _ => tx.t("welcome.missing").to_string(),
    };
    row(
        &mut b,
        tx.t("welcome.kube_tools"),
        format!(
            "kubeadm {}  kubectl {}  kubelet {}",
            tool("kubeadm"),
            tool("kubectl"),
            tool("kubelet")
        ),
    );
    let runtimes: Vec<String> = ["docker", "containerd", "crio"]
        .iter()
        .filter_map(|n| match f.tools.get(*n) {
            Some(Some(t)) => Some(format!("{n} {}", t.version.clone().unwrap_or_default())),
            _ => None,
        })
        .collect();
    row(
        &mut b,
        tx.t("welcome.runtime"),
        format!(
            "{}  {}",
            if runtimes.is_empty() {
                tx.t("welcome.missing").to_string()
            } else {
                runtimes.join(", ")
            },
            f.cri_sockets.join(" ")
        ),
    );
    let (mark, text) = if f.is_root {
        (MARK_OK, tx.t("welcome.root_yes"))
    } else {
        (MARK_WARN, tx.t("welcome.root_no"))
    };
    row(&mut b, tx.t("welcome.user"), format!("{mark} {text}"));
    b.blank();
    if let Some(ec) = &f.existing_cluster
        && !f.warnings.iter().any(|w| w.id == "existing-cluster")
    {
        let text = tx.f("welcome.existing_cluster", &[&ec.evidence.join(", ")]);
        b.message(0, MARK_ERROR, &text, w, styles::error());
    }
    if f.warnings.is_empty() {
        b.message(0, MARK_OK, tx.t("welcome.no_warnings"), w, styles::ok());
    } else {
        b.push(Line::styled(
            tx.t("welcome.warnings").to_string(),
            styles::bold(),
        ));
        let mut warnings: Vec<_> = f.warnings.iter().collect();
        warnings.sort_by_key(|w| !w.blocking);
        for x in warnings {
            if x.blocking {
                let text = format!("{} {}", tx.t("welcome.blocking"), tx.host_warning(x));
                b.message(1, MARK_ERROR, &text, w, styles::error());
            } else {
                b.message(1, MARK_WARN, &tx.host_warning(x), w, styles::warning());
            }
        }
    }
    b.blank();
    b.message(0, "", tx.t("welcome.start"), w, styles::bold());
    form::draw(frame, area, b);
}
