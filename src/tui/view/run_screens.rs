//! Confirm, Install and Checks. Each draws only the lines that fit: the log pane takes its
//! rows from the tail of the kept lines, whatever their number.

use crate::run::dry_run::{Line as DryLine, Verdict};
use crate::run::event::{RunState, StepState};
use crate::tui::i18n::Texts;
use crate::tui::install::Stage;
use crate::tui::model::Model;
use crate::tui::view::log_pane;
use crate::tui::view::styles::{self, MARK_ERROR, MARK_FOCUS, MARK_OK, MARK_WARN};
use crate::tui::view::text::{labelled_path, pad, truncate, width, wrap};
use crate::verify::report::CheckStatus;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

pub fn title_key(stage: Stage) -> &'static str {
    match stage {
        Stage::Confirm => "screen.confirm",
        Stage::Install => "screen.install",
        Stage::Checks => "screen.checks",
    }
}

pub fn keys_key(m: &Model, stage: Stage) -> &'static str {
    let r = &m.run;
    match stage {
        Stage::Confirm if m.dry_run_only => "keys.confirm_dry_run",
        // y does nothing until the list of changes is in, and nothing if it failed.
        Stage::Confirm if r.dry_done.is_none() => "keys.confirm_working",
        Stage::Confirm if r.dry_done.as_ref().is_some_and(|d| d.is_err()) => "keys.confirm_refused",
        Stage::Confirm => "keys.confirm",
        Stage::Install if r.view.prompt.is_some() => "keys.install_prompt",
        Stage::Install if r.view.query.is_some() => "keys.install_search",
        Stage::Install if r.ended() && r.run_state() != Some(RunState::Done) => {
            "keys.install_failed"
        }
        Stage::Install => "keys.install",
        Stage::Checks if r.ended() => "keys.checks",
        Stage::Checks => "keys.checks_live",
    }
}

/// `Confirm › Install › Checks`, the current one in reverse video.
pub fn tabs(frame: &mut Frame, m: &Model, stage: Stage, area: Rect) {
    let tx = m.tx();
    let mut spans = vec![];
    for (i, s) in [Stage::Confirm, Stage::Install, Stage::Checks]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            spans.push(Span::raw(" › "));
        }
        let label = tx.t(title_key(s));
        if s == stage {
            spans.push(Span::styled(format!("[{label}]"), styles::selected()));
        } else {
            spans.push(Span::raw(label));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn draw(frame: &mut Frame, m: &Model, stage: Stage, area: Rect) {
    match stage {
        Stage::Confirm => confirm(frame, m, area),
        Stage::Install => install(frame, m, area),
        Stage::Checks => checks(frame, m, area),
    }
}

fn lines_widget(lines: Vec<Line<'static>>) -> Paragraph<'static> {
    Paragraph::new(lines)
}

/// What starts the rows a Confirm line goes on to.
const CONTINUED: &str = "    ";

/// A line of the dry run's report as rows `w` wide.
fn dry_rows(tx: &Texts, l: &DryLine, w: usize) -> Vec<Line<'static>> {
    let style = match l {
        DryLine::Step {
            verdict: Verdict::WouldFail(_),
            ..
        } => styles::error(),
        DryLine::Step { .. } => styles::bold(),
        DryLine::Diff { line, .. } if line.starts_with('+') => styles::added(),
        DryLine::Diff { line, .. } if line.starts_with('-') => styles::removed(),
        _ => Style::default(),
    };
    let text = tx.dry_line(l);
    // A diff's line is the file's: cut, as a diff reads. The others are sentences (a
    // probe's verdict, a command to copy): wrapped whole, the rest indented.
    if matches!(l, DryLine::Diff { .. }) {
        return vec![Line::styled(truncate(&text, w), style)];
    }
    wrap(&text, w.saturating_sub(CONTINUED.len()).max(8))
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let row = if i == 0 {
                row
            } else {
                format!("{CONTINUED}{row}")
            };
            Line::styled(truncate(&row, w), style)
        })
        .collect()
}

fn confirm(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let r = &m.run;
    let w = area.width as usize;
    let h = area.height as usize;
    let mut out: Vec<Line> = wrap(tx.t("confirm.intro"), w)
        .into_iter()
        .map(Line::from)
        .collect();
    let foot = match &r.dry_done {
        None => Line::styled(tx.t("confirm.working"), styles::dim()),
        Some(Err(e)) => Line::styled(truncate(&format!("{MARK_ERROR} {e}"), w), styles::error()),
        Some(Ok(())) if m.dry_run_only => {
            Line::styled(truncate(tx.t("confirm.dry_run_only"), w), styles::ok())
        }
        Some(Ok(())) => Line::styled(truncate(tx.t("confirm.ask"), w), styles::bold()),
    };
    let rows = h.saturating_sub(out.len() + 1);
    let items: Vec<Vec<Line>> = r.dry_lines.iter().map(|l| dry_rows(tx, l, w)).collect();
    // Scrolled (or `End`) past the end: the last screenful, not a half-empty one.
    let mut start = r.dry_scroll.min(items.len());
    let mut below: usize = items[start..].iter().map(Vec::len).sum();
    while start > 0 && below + items[start - 1].len() <= rows {
        start -= 1;
        below += items[start].len();
    }
    r.dry_shown.set(Some(start));
    out.extend(items.into_iter().skip(start).flatten().take(rows));
    while out.len() + 1 < h {
        out.push(Line::raw(""));
    }
    out.push(foot);
    frame.render_widget(lines_widget(out), area);
}

fn step_mark(s: StepState) -> (&'static str, Style) {
    match s {
        StepState::Done => (MARK_OK, styles::ok()),
        StepState::Running => ("›", styles::bold()),
        StepState::Failed => (MARK_ERROR, styles::error()),
        StepState::Skipped => (MARK_OK, styles::dim()),
        StepState::Pending => ("·", styles::dim()),
    }
}

/// How long a running step has run, once that is long enough to wonder about (kubeadm's
/// wait-control-plane can take minutes): whole seconds, with an ellipsis for "still going".
fn running_for(r: &crate::tui::install::RunUi, s: &crate::run::status::StepStatus) -> String {
    if s.state != StepState::Running {
        return String::new();
    }
    match r.running_since.get(&s.id).map(|t| t.elapsed().as_secs()) {
        Some(secs) if secs >= RUNNING_SHOWN_AFTER => {
            if secs >= 60 {
                format!("{}m{:02}s…", secs / 60, secs % 60)
            } else {
                format!("{secs}s…")
            }
        }
        _ => String::new(),
    }
}

/// A step shows its running time from this many seconds on.
const RUNNING_SHOWN_AFTER: u64 = 5;

fn seconds(ms: u64) -> String {
    if ms >= 60_000 {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    } else {
        format!("{:.1}s", ms as f64 / 1000.0)
    }
}

fn install(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let r = &m.run;
    let left_w = 32.min(area.width / 2);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(10)]).areas(area);
    // The steps.
    let mut out: Vec<Line> = vec![];
    let lw = left.width as usize;
    match &r.status {
        None => {
            let text = r
                .start_error
                .as_deref()
                .map(|e| format!("{MARK_ERROR} {e}"))
                .unwrap_or_else(|| tx.t("install.starting").to_string());
            let style = if r.start_error.is_some() {
                styles::error()
            } else {
                styles::dim()
            };
            for l in wrap(&text, lw.max(1)) {
                out.push(Line::styled(l, style));
            }
        }
        Some(st) => {
            let h = left.height as usize;
            let first = r.selected.saturating_sub(h.saturating_sub(1));
            for (i, s) in st.steps.iter().enumerate().skip(first).take(h) {
                let (mark, style) = step_mark(s.state);
                let time = match s.duration_ms {
                    Some(ms) => seconds(ms),
                    None => running_for(r, s),
                };
                let tries = if s.attempts > 1 {
                    format!("×{}", s.attempts)
                } else {
                    String::new()
                };
                let right_part = format!("{tries} {time}");
                let id_w = lw.saturating_sub(4 + width(&right_part));
                let sel = if i == r.selected { MARK_FOCUS } else { " " };
                let text = format!(
                    "{sel}{mark} {}{right_part}",
                    pad(&truncate(&s.id, id_w), id_w)
                );
                let style = if i == r.selected {
                    styles::selected()
                } else {
                    style
                };
                out.push(Line::styled(truncate(&text, lw), style));
            }
        }
    }
    frame.render_widget(lines_widget(out), left);
    let block = Block::new().borders(Borders::LEFT);
    let inner = block.inner(right);
    frame.render_widget(block, right);
    let w = inner.width as usize;
    let mut head: Vec<Line> = vec![];
    // What the run is doing, or why it stopped.
    if let Some(f) = r.failed_step() {
        head.push(Line::styled(
            truncate(
                &format!("{MARK_ERROR} {}", tx.f("install.failed", &[&f.id])),
                w,
            ),
            styles::error(),
        ));
        // A failed verify names its first failed check: said from that check's result, as
        // the Checks screen says it, so that its evidence and hint are in this language.
        let check = r.checks.iter().find(|c| {
            c.status == CheckStatus::Fail
                && f.diagnosis.as_deref().is_some_and(|d| {
                    d.code.starts_with("run.verify.failed") && d.args.first() == Some(&c.name())
                })
        });
        let cause = match check {
            Some(c) => Some(tx.f(
                "cause.run.verify.failed",
                &[&c.name(), &tx.check_evidence(c)],
            )),
            None => tx.step_cause(f),
        };
        let fix = match check.and_then(|c| tx.check_hint(c)) {
            Some(h) => Some(h),
            None => tx.step_fix(f),
        };
        if let Some(e) = cause {
            for l in wrap(&tx.f("label.value", &[tx.t("install.cause"), &e]), w) {
                head.push(Line::styled(l, styles::error()));
            }
        }
        if let Some(hint) = fix {
            for l in wrap(&tx.f("label.value", &[tx.t("install.fix"), &hint]), w) {
                head.push(Line::styled(l, styles::warning()));
            }
        }
    } else if r.run_state() == Some(RunState::Done) {
        let (p, f, wn, _) = r.check_counts();
        head.push(Line::styled(
            truncate(
                &format!(
                    "{MARK_OK} {}",
                    tx.f(
                        "install.done",
                        &[&p.to_string(), &f.to_string(), &wn.to_string()]
                    )
                ),
                w,
            ),
            styles::ok(),
        ));
    } else if r.runner_gone {
        head.push(Line::styled(
            truncate(&format!("{MARK_ERROR} {}", tx.t("install.gone")), w),
            styles::error(),
        ));
    } else if let Some(cur) = r.current() {
        let phase = r.phases.get(&cur.id).cloned().unwrap_or_default();
        head.push(Line::styled(
            truncate(&format!("› {} {phase}", cur.id), w),
            styles::bold(),
        ));
    }
    let filter = match &r.filter {
        Some(f) => tx.f("install.log_filtered", &[f]),
        None => tx.t("install.log").to_string(),
    };
    let follow = if r.log_back == 0 {
        tx.t("install.following").to_string()
    } else {
        tx.f("install.scrolled", &[&r.log_back.to_string()])
    };
    // The search's count first: a narrow pane cuts the end of the rule, never the count.
    let mut rule = String::from("── ");
    if let Some(q) = &r.view.query {
        let found = match r.match_position() {
            Some((i, n)) => format!("{i}/{n}"),
            None => tx.t("install.no_match").to_string(),
        };
        rule.push_str(&format!("/{q} {found} · "));
    }
    rule.push_str(&format!("{filter} · {follow}"));
    if r.view.wrap {
        rule.push_str(&format!(" · {}", tx.t("install.wrapped")));
    } else if r.view.h_scroll > 0 {
        rule.push_str(&format!(
            " · {}",
            tx.f("install.shifted", &[&r.view.h_scroll.to_string()])
        ));
    }
    let rule_row = head.len();
    head.push(Line::styled(
        truncate(&format!("{rule} "), w),
        styles::dim(),
    ));
    let rows = (inner.height as usize).saturating_sub(head.len());
    head.extend(log_pane::rows(r, w, rows));
    frame.render_widget(lines_widget(head), inner);
    if let Some(input) = &r.view.prompt {
        // The search prompt takes the log's rule while it is typed.
        let prompt = format!("{} /", tx.t("install.search"));
        let text = truncate(&input.text(), w.saturating_sub(width(&prompt) + 1));
        let y = inner.y + (rule_row as u16).min(inner.height.saturating_sub(1));
        let at = Rect::new(inner.x, y, inner.width, 1);
        frame.render_widget(ratatui::widgets::Clear, at);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prompt.clone(), styles::bold()),
                Span::styled(text, styles::selected()),
            ])),
            at,
        );
        let col = (width(&prompt) + input.cursor_column()).min(w.saturating_sub(1));
        frame.set_cursor_position(ratatui::layout::Position::new(at.x + col as u16, at.y));
    }
}

fn check_mark(s: CheckStatus) -> (&'static str, Style) {
    match s {
        CheckStatus::Pass => (MARK_OK, styles::ok()),
        CheckStatus::Fail => (MARK_ERROR, styles::error()),
        CheckStatus::Warn => (MARK_WARN, styles::warning()),
        CheckStatus::Skip => ("-", styles::dim()),
    }
}

fn checks(frame: &mut Frame, m: &Model, area: Rect) {
    let tx = m.tx();
    let r = &m.run;
    let w = area.width as usize;
    let (p, f, wn, sk) = r.check_counts();
    let mut out: Vec<Line> = vec![Line::styled(
        truncate(
            &tx.f(
                "checks.summary",
                &[
                    &p.to_string(),
                    &f.to_string(),
                    &wn.to_string(),
                    &sk.to_string(),
                ],
            ),
            w,
        ),
        if f > 0 { styles::error() } else { styles::ok() },
    )];
    if !r.rechecking.is_empty() {
        let n = r.rechecking.len().to_string();
        out[0].spans.push(Span::styled(
            format!(" · {}", tx.f("checks.rechecking", &[&n])),
            styles::bold(),
        ));
    }
    if r.checks.is_empty() {
        out.push(Line::styled(tx.t("checks.none"), styles::dim()));
        frame.render_widget(lines_widget(out), area);
        return;
    }
    // The list takes what the selected check's evidence and hint leave.
    let sel = r.check_selected.min(r.checks.len() - 1);
    let c = &r.checks[sel];
    let mut detail: Vec<Line> = vec![Line::styled("─".repeat(w), styles::dim())];
    // Where the reports of these results are (the log's path is on the status line).
    match &r.reports {
        Some(Ok(rep)) => {
            for (key, p) in [
                ("checks.report_json", &rep.json),
                ("checks.report_junit", &rep.junit),
            ] {
                // The label ends in the path ({0}): a long one loses its left, not its name.
                let t = labelled_path(&tx.f(key, &[""]), &p.display().to_string(), w);
                detail.push(Line::styled(t, styles::dim()));
            }
        }
        Some(Err(e)) => detail.push(Line::styled(
            truncate(
                &format!("{MARK_ERROR} {}", tx.f("checks.report_failed", &[e])),
                w,
            ),
            styles::error(),
        )),
        None => detail.push(Line::styled(
            truncate(tx.t("checks.report_pending"), w),
            styles::dim(),
        )),
    }
    if let Some(e) = &r.recheck_error {
        detail.push(Line::styled(
            truncate(
                &format!("{MARK_ERROR} {}", tx.f("checks.recheck_failed", &[e])),
                w,
            ),
            styles::error(),
        ));
    }
    detail.push(Line::styled(truncate(&c.name(), w), styles::bold()));
    for l in wrap(
        &tx.f(
            "label.value",
            &[tx.t("checks.evidence"), &tx.check_evidence(c)],
        ),
        w,
    )
    .into_iter()
    .take(4)
    {
        detail.push(Line::raw(l));
    }
    if let Some(h) = tx.check_hint(c) {
        for l in wrap(&tx.f("label.value", &[tx.t("checks.hint"), &h]), w)
            .into_iter()
            .take(4)
        {
            detail.push(Line::styled(l, styles::warning()));
        }
    }
    let rows = (area.height as usize)
        .saturating_sub(1 + detail.len())
        .max(1);
    let first = sel.saturating_sub(rows.saturating_sub(1));
    let name_w = r.checks.iter().map(|c| width(&c.id)).max().unwrap_or(0);
    for (i, c) in r.checks.iter().enumerate().skip(first).take(rows) {
        let running = r.is_rechecking(c);
        let (mark, style) = if running {
            ("…", styles::dim())
        } else {
            check_mark(c.status)
        };
        let fam = c.family.as_deref().unwrap_or("-");
        let focus = if i == sel { MARK_FOCUS } else { " " };
        let (time, evidence) = if running {
            (String::new(), tx.t("checks.running").to_string())
        } else {
            (seconds(c.duration_ms), tx.check_evidence(c))
        };
        let text = format!(
            "{focus}{mark} {} {:<5} {:>6}  {evidence}",
            pad(&c.id, name_w),
            fam,
            time,
        );
        let style = if i == r.check_selected.min(r.checks.len() - 1) {
            styles::selected()
        } else {
            style
        };
        out.push(Line::styled(truncate(&text, w), style));
    }
    while out.len() + detail.len() < area.height as usize {
        out.push(Line::raw(""));
    }
    out.extend(detail);
    frame.render_widget(lines_widget(out), area);
}
