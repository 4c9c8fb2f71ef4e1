//! Install's log lines as the pane shows them: cut sideways with a `…` where a line goes
//! on past either edge, or wrapped; the search's matches in reverse video, the current
//! one also bold and underlined. Only the rows that fit are built, from the tail up.

use crate::terminal_text;
use crate::tui::install::RunUi;
use crate::tui::log_view;
use crate::tui::view::{styles, text};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// The mark of a cut edge (`~` in ASCII, see `ascii.rs`).
const CUT: &str = "…";

/// The last `rows` rows of the log up from `log_back`, each at most `w` columns.
pub fn rows(r: &RunUi, w: usize, rows: usize) -> Vec<Line<'static>> {
    if rows == 0 || w == 0 {
        return vec![];
    }
    let query = r.view.query.as_deref().filter(|q| !q.is_empty());
    let mut out: Vec<Line<'static>> = vec![];
    for (n, (step, text)) in r.numbered_log().rev().skip(r.log_back) {
        let prefix = if r.filter.is_some() {
            String::new()
        } else {
            format!("[{step}] ")
        };
        let full = format!("{prefix}{}", terminal_text::log_line(text));
        let current = r.view.current == Some(n);
        let segs = segments(&full, prefix.len(), query, current);
        if r.view.wrap {
            let mut chunks: Vec<Line<'static>> = wrapped(&segs, &full, w)
                .into_iter()
                .map(Line::from)
                .collect();
            // The top line of the pane may show only its last rows.
            while let Some(l) = chunks.pop() {
                out.push(l);
                if out.len() == rows {
                    break;
                }
            }
        } else {
            out.push(Line::from(cut(&segs, r.view.h_scroll, w)));
        }
        if out.len() >= rows {
            break;
        }
    }
    out.reverse();
    out
}

fn cols(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// The line in runs of one style: the `[step] ` prefix dim, the search's matches (in the
/// text, not the prefix) reversed.
fn segments(full: &str, prefix: usize, query: Option<&str>, current: bool) -> Vec<(String, Style)> {
    let mut segs = vec![];
    if prefix > 0 {
        segs.push((full[..prefix].to_string(), styles::dim()));
    }
    let text = &full[prefix..];
    let hit = if current {
        styles::selected().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    } else {
        styles::selected()
    };
    let mut at = 0;
    if let Some(q) = query {
        for m in log_view::find_all(text, q) {
            if m.start > at {
                segs.push((text[at..m.start].to_string(), Style::default()));
            }
            segs.push((text[m.clone()].to_string(), hit));
            at = m.end;
        }
    }
    if at < text.len() || segs.is_empty() {
        segs.push((text[at..].to_string(), Style::default()));
    }
    segs
}

/// The line's rows when wrapping: broken at spaces, a word wider than the pane cut
/// (`text::wrap_columns`), each row in the runs' styles.
fn wrapped(segs: &[(String, Style)], full: &str, w: usize) -> Vec<Vec<Span<'static>>> {
    text::wrap_columns(full, w)
        .into_iter()
        .map(|r| slice(segs, r.start, r.end))
        .collect()
}

/// The columns `from..to` of the styled runs; a wide character across either edge is left
/// out (its column stays blank rather than half drawn).
fn slice(segs: &[(String, Style)], from: usize, to: usize) -> Vec<Span<'static>> {
    let mut spans = vec![];
    let mut col = 0;
    for (s, style) in segs {
        let mut part = String::new();
        for c in s.chars() {
            let cw = c.width().unwrap_or(0);
            if col >= from && col + cw <= to {
                part.push(c);
            } else if col < from && col + cw > from && col + cw <= to {
                part.push(' ');
            }
            col += cw;
            if col >= to {
                break;
            }
        }
        if !part.is_empty() {
            spans.push(Span::styled(part, *style));
        }
        if col >= to {
            break;
        }
    }
    spans
}

/// `w` columns from column `skip`, with `…` at an edge the line goes on past.
fn cut(segs: &[(String, Style)], skip: usize, w: usize) -> Vec<Span<'static>> {
    let total: usize = segs.iter().map(|(s, _)| cols(s)).sum();
    let left = skip > 0;
    let right = total > skip + w;
    let from = skip + usize::from(left);
    let to = (skip + w).saturating_sub(usize::from(right)).max(from);
    let mut spans = vec![];
    if left {
        spans.push(Span::styled(CUT, styles::dim()));
    }
    spans.extend(slice(segs, from, to));
    if right {
        let used: usize = spans.iter().map(|s| cols(&s.content)).sum();
        // A wide character left out at the right edge leaves a gap before the mark.
        let gap = w.saturating_sub(used + 1);
        if gap > 0 {
            spans.push(Span::raw(" ".repeat(gap)));
        }
        spans.push(Span::styled(CUT, styles::dim()));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(spans: &[Span]) -> String {
        spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn a_line_cut_on_both_sides_is_marked_on_both() {
        let segs = segments("[x] 0123456789abcdef", 4, None, false);
        assert_eq!(text(&cut(&segs, 0, 10)), "[x] 01234…");
        assert_eq!(text(&cut(&segs, 8, 10)), "…56789abc…");
        assert_eq!(text(&cut(&segs, 16, 10)), "…def");
    }

    #[test]
    fn matches_are_their_own_spans_in_reverse_video() {
        let segs = segments("[x] a kubelet b", 4, Some("KUBELET"), false);
        let hit: Vec<_> = segs
            .iter()
            .filter(|(_, s)| s.add_modifier.contains(Modifier::REVERSED))
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(hit, ["kubelet"]);
    }

    #[test]
    fn wrapped_rows_break_at_spaces_and_keep_the_match_style() {
        let full = "[kubeadm.init] writing kubelet environment file with flags to file /var/lib/kubelet/kubeadm-flags.env";
        let segs = segments(full, 15, Some("kubelet"), false);
        let rows: Vec<String> = wrapped(&segs, full, 30).iter().map(|r| text(r)).collect();
        assert_eq!(
            rows,
            [
                "[kubeadm.init] writing kubelet",
                "environment file with flags to",
                "file",
                "/var/lib/kubelet/kubeadm-flags",
                ".env"
            ]
        );
        let first = wrapped(&segs, full, 30).remove(0);
        let hit: Vec<_> = first
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::REVERSED))
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(hit, ["kubelet"]);
    }

    #[test]
    fn wide_characters_never_straddle_an_edge() {
        let segs = segments("启动失败了", 0, None, false);
        let s = cut(&segs, 1, 6);
        let t = text(&s);
        assert!(cols(&t) <= 6, "{t}");
        assert!(t.starts_with('…') && t.ends_with('…'), "{t}");
    }
}
