//! How Install's log pane looks at the kept lines: a search with its current match,
//! sideways scrolling, and wrapping. Pure state; `RunUi` owns it next to the lines, and a
//! match is named by the line's number since the run's first, so it survives the ring
//! dropping its oldest lines.

use crate::tui::text_input::TextInput;

/// Columns a sideways step shifts the log.
pub const H_STEP: usize = 8;

/// Lines left below a match the search jumps to, so it is seen with what followed it.
const CONTEXT: usize = 5;

#[derive(Debug, Clone, Default)]
pub struct LogView {
    /// The search being typed after `/`.
    pub prompt: Option<TextInput>,
    /// The search in force: its matches are highlighted, `n`/`N` step through them.
    pub query: Option<String>,
    /// The line number of the current match.
    pub current: Option<u64>,
    /// The last search made, repeated by `/` Enter.
    pub last_query: Option<String>,
    /// Columns cut off the left of every line (not wrapping).
    pub h_scroll: usize,
    pub wrap: bool,
}

/// Whether `text` holds `needle`, ASCII letters in either case (byte offsets stay those of
/// `text`, so the pane can highlight what matched).
pub fn contains(text: &str, needle: &str) -> bool {
    !needle.is_empty() && find_all(text, needle).next().is_some()
}

/// Byte ranges of the (non-overlapping) occurrences of `needle` in `text`.
pub fn find_all<'a>(
    text: &'a str,
    needle: &'a str,
) -> impl Iterator<Item = std::ops::Range<usize>> + 'a {
    let hay = text.as_bytes();
    let n = needle.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        if n.is_empty() {
            return None;
        }
        while at + n.len() <= hay.len() {
            let start = at;
            if hay[start..start + n.len()].eq_ignore_ascii_case(n)
                && text.is_char_boundary(start)
                && text.is_char_boundary(start + n.len())
            {
                at = start + n.len();
                return Some(start..start + n.len());
            }
            at += 1;
        }
        None
    })
}

impl LogView {
    /// `log_back` that shows line `at` of `visible` (line numbers, oldest first) with a
    /// few lines of what followed under it.
    pub fn back_for(&self, visible: &[u64], at: u64) -> usize {
        let after = visible.iter().rev().take_while(|n| **n > at).count();
        let context = if self.wrap { 1 } else { CONTEXT };
        after.saturating_sub(context)
    }

    /// The match to go to from `from` (the line at the pane's bottom): the nearest at or
    /// above it; else the newest.
    pub fn first_match(matches: &[u64], from: Option<u64>) -> Option<u64> {
        let from = from.unwrap_or(u64::MAX);
        matches
            .iter()
            .rev()
            .find(|n| **n <= from)
            .or(matches.last())
            .copied()
    }

    /// The next (`newer`) or previous match after the current one, wrapping around.
    pub fn step(&self, matches: &[u64], newer: bool) -> Option<u64> {
        let cur = self.current?;
        if newer {
            matches
                .iter()
                .find(|n| **n > cur)
                .or(matches.first())
                .copied()
        } else {
            matches
                .iter()
                .rev()
                .find(|n| **n < cur)
                .or(matches.last())
                .copied()
        }
    }

    /// Forget the search (Esc).
    pub fn clear_search(&mut self) {
        self.prompt = None;
        self.query = None;
        self.current = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_ignore_ascii_case_and_keep_byte_offsets() {
        let t = "Kubelet 启动 kubelet";
        let found: Vec<_> = find_all(t, "KUBELET").collect();
        assert_eq!(found, [0..7, 15..22]);
        assert_eq!(&t[15..22], "kubelet");
        assert!(contains("启动失败", "失败"));
        assert!(!contains("abc", ""));
    }

    #[test]
    fn stepping_wraps_around_both_ways() {
        let v = LogView {
            current: Some(7),
            ..Default::default()
        };
        let m = [3, 7, 9];
        assert_eq!(v.step(&m, true), Some(9));
        assert_eq!(v.step(&m, false), Some(3));
        let v = LogView {
            current: Some(9),
            ..v
        };
        assert_eq!(v.step(&m, true), Some(3));
        assert_eq!(LogView::first_match(&m, Some(8)), Some(7));
        assert_eq!(LogView::first_match(&m, Some(1)), Some(9));
        assert_eq!(LogView::first_match(&m, None), Some(9));
    }
}
