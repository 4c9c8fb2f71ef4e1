//! Width-aware text helpers: CJK characters take two columns, so lengths are display widths.
//! Every helper first makes the text safe for the terminal (`terminal_text`): ratatui would
//! drop a control character silently, hiding that a name or value holds one.

use crate::terminal_text;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

pub fn width(s: &str) -> usize {
    s.width()
}

/// `s` cut to at most `w` columns, with `…` when something was cut.
pub fn truncate(s: &str, w: usize) -> String {
    let s = terminal_text::line(s);
    if s.width() <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// `label` then `path`, cut to `w` columns from the path's left (`…` first) so that its
/// file name stays whole.
pub fn labelled_path(label: &str, path: &str, w: usize) -> String {
    let path = terminal_text::line(path);
    let room = w.saturating_sub(label.width());
    if path.width() <= room {
        return format!("{label}{path}");
    }
    let mut tail: Vec<char> = vec![];
    let mut used = 1;
    for c in path.chars().rev() {
        let cw = c.width().unwrap_or(0);
        if used + cw > room {
            break;
        }
        tail.push(c);
        used += cw;
    }
    let tail: String = tail.into_iter().rev().collect();
    truncate(&format!("{label}…{tail}"), w)
}

/// `s` padded with spaces (or truncated) to exactly `w` columns.
pub fn pad(s: &str, w: usize) -> String {
    let mut out = truncate(s, w);
    let have = out.width();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(have)));
    out
}

/// Full-width punctuation that must not begin a line.
const NO_LINE_START: &str = "，。、；：？！）」』》〉…";

/// Opening punctuation that must not end a line: it goes down with what it opens.
const NO_LINE_END: &str = "（「『《〈“‘";

/// Greedy word wrap to `w` columns; words wider than a line (and CJK runs, which have no
/// spaces) are broken between characters.
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    let s = terminal_text::line(s);
    let w = w.max(4);
    let mut lines = vec![];
    let mut line = String::new();
    let mut used = 0;
    for word in s.split(' ') {
        let ww = word.width();
        let sep = usize::from(!line.is_empty());
        if used + sep + ww <= w {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            used += sep + ww;
            continue;
        }
        // A run of CJK text has no spaces to break at: it flows on from here instead.
        let wide = word.chars().any(|c| c.width().unwrap_or(0) > 1);
        if !line.is_empty() && ww <= w && !wide {
            lines.push(std::mem::take(&mut line));
            line.push_str(word);
            used = ww;
            continue;
        }
        // Break the word itself.
        if sep == 1 && used + 1 < w {
            line.push(' ');
            used += 1;
        }
        let chars: Vec<char> = word.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let cw = c.width().unwrap_or(0);
            // A Latin word inside Chinese text (`veth`, `ens224`, a path) moves to the next
            // line whole when it fits there, rather than being split between characters.
            let starts_latin = is_latin(c) && (i == 0 || !is_latin(chars[i - 1]));
            let latin_w: usize = if starts_latin {
                chars[i..]
                    .iter()
                    .take_while(|c| is_latin(**c))
                    .map(|c| c.width().unwrap_or(0))
                    .sum()
            } else {
                0
            };
            let breaks_latin = starts_latin && used > 0 && used + latin_w > w && latin_w <= w;
            if used + cw > w || breaks_latin {
                // Chinese line breaking (GB/T 15834 and W3C clreq): closing punctuation never
                // starts a line, so the character before it moves down with it.
                // Opening punctuation never ends one: it moves down with what it opens.
                let mut carried = vec![];
                if NO_LINE_START.contains(c) && line.chars().count() > 1 {
                    carried.extend(line.pop());
                }
                while line.chars().count() > 1
                    && line.chars().last().is_some_and(|l| NO_LINE_END.contains(l))
                {
                    carried.extend(line.pop());
                }
                lines.push(std::mem::take(&mut line));
                used = 0;
                for prev in carried.into_iter().rev() {
                    line.push(prev);
                    used += prev.width().unwrap_or(0);
                }
            }
            line.push(c);
            used += cw;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Characters of a Latin word, which must not be split: letters, digits and the joiners of
/// names and paths.
fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | '^' | '$')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_chinese_closing_punctuation_off_the_line_start() {
        // 8 columns: "设为其路" fills the line; "，" would start the next one.
        let rows = wrap("设为其路，或使用", 8);
        assert_eq!(rows, vec!["设为其", "路，或使", "用"]);
        assert!(rows.iter().all(|r| !r.starts_with('，')));
        assert!(rows.iter().all(|r| width(r) <= 8));
    }

    #[test]
    fn wrap_keeps_chinese_opening_punctuation_off_the_line_end() {
        let rows = wrap("出向 NAT 处于关闭状态（Calico 对 IPv6 的默认值）", 22);
        assert!(rows.iter().all(|r| !r.ends_with('（')), "{rows:?}");
        assert!(rows.iter().any(|r| r.starts_with("（Calico")), "{rows:?}");
        assert!(rows.iter().all(|r| r.width() <= 22), "{rows:?}");
    }

    #[test]
    fn control_characters_show_as_escapes() {
        assert_eq!(truncate("eth\x1b]0;x\x07", 40), "eth\\x1b]0;x\\x07");
        assert_eq!(wrap("a\x1b[2J b", 40), vec!["a\\x1b[2J b"]);
    }

    #[test]
    fn wrap_keeps_latin_words_in_chinese_text_whole() {
        let rows = wrap("也会匹配仅包含它的名称（例如vethens224）", 20);
        assert!(rows.iter().any(|r| r.contains("vethens224")), "{rows:?}");
        assert!(rows.iter().all(|r| width(r) <= 20), "{rows:?}");
    }

    #[test]
    fn a_long_path_keeps_its_file_name() {
        let s = labelled_path("log: ", "/tmp/a/very/long/dir/apply-1.log", 20);
        assert_eq!(s, "log: …ir/apply-1.log");
        assert_eq!(width(&s), 20);
        assert_eq!(labelled_path("log: ", "/x.log", 20), "log: /x.log");
    }

    #[test]
    fn wrap_still_breaks_plain_chinese_between_characters() {
        assert_eq!(wrap("子网掩码地址", 4), vec!["子网", "掩码", "地址"]);
    }
}
