//! Export: where the answers file goes, and what can be done with it.

use crate::tui::model::{Model, Screen};
use crate::tui::view::form::{self, Body};
use crate::tui::view::styles::{self, MARK_ERROR, MARK_OK, MARK_WARN};
use ratatui::Frame;
use ratatui::layout::Rect;

pub fn draw(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let w = area.width as usize;
    let mut b = Body::default();
    b.message(0, "", tx.t("export.intro"), w, Default::default());
    b.blank();
    let fields = m.fields();
    let lw = form::label_width(m, &fields);
    for f in fields {
        form::field(m, f, lw, w, &mut b);
    }
    b.blank();
    let errors = m.checked.errors().count();
    // The host's warnings (on Welcome) count as the header counts them.
    let warnings = m.checked.problems.len() - errors + m.facts.warnings.len();
    if errors == 0 {
        b.message(0, MARK_OK, tx.t("export.ready"), w, styles::ok());
        if warnings > 0 {
            let text = tx.f("export.warnings", &[&tx.count("warning", warnings)]);
            b.message(0, MARK_WARN, &text, w, styles::warning());
            let plan = m
                .checked
                .problems
                .iter()
                .filter(|p| !p.is_error())
                .map(|p| format!("{}: {}", place(m, p), form::labelled(m, &tx.problem(p))));
            // The host's are listed on Welcome: one line says how many, so the next step
            // stays on an 80x24 screen.
            let hosts = m.facts.warnings.len();
            let host = (hosts > 0).then(|| {
                format!(
                    "1 {}: {}",
                    tx.t(Screen::Welcome.tab_key()),
                    tx.count("warning", hosts)
                )
            });
            for line in plan.take(4).chain(host) {
                b.message(2, "-", &line, w, styles::warning());
            }
        }
    } else {
        b.message(
            0,
            MARK_ERROR,
            &tx.f("export.has_errors", &[&tx.count("error", errors)]),
            w,
            styles::error(),
        );
        for p in m.checked.errors().take(5) {
            b.message(
                2,
                "-",
                &format!("{}: {}", place(m, p), form::labelled(m, &tx.problem(p))),
                w,
                styles::error(),
            );
        }
    }
    if !m.checked.problems.is_empty() {
        b.message(0, "", tx.t("export.jump"), w, styles::dim());
    }
    // What comes next only once render would take the answers: with errors, it is to fix
    // them (said above).
    if errors == 0 {
        b.blank();
        b.message(
            0,
            "",
            &tx.f("export.next", &[&m.export_path]),
            w,
            styles::dim(),
        );
    }
    form::draw(frame, area, b);
}

/// Where a problem is fixed, as the user finds it: "3 Pools › IPv6 service subnet"; the
/// answers-file path when no field holds it.
pub fn place(m: &Model, p: &crate::plan::Problem) -> String {
    let tx = m.tx();
    match crate::tui::fields::home(p, m) {
        Some((screen, f)) => format!(
            "{} {} › {}",
            screen.index() + 1,
            tx.t(screen.tab_key()),
            f.label(tx)
        ),
        None => p.path.clone(),
    }
}
