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

/// Greedy word wrap to `w` columns. A word that does not fit on the rest of a line starts
/// the next one; only a word wider than a whole line is cut, between characters and with
/// nothing added, so a URL or a path cut over two lines still reads as one when the lines
/// are selected in a terminal. A run of CJK text has no spaces: it flows on and breaks
/// between characters, and a Latin word inside it (a name, a path, a URL) moves down
/// whole, or to the start of a line when it is wider than one.
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
        if !line.is_empty() && !wide {
            lines.push(std::mem::take(&mut line));
            used = 0;
            if ww <= w {
                line.push_str(word);
                used = ww;
                continue;
            }
        } else if sep == 1 && used + 1 < w {
            line.push(' ');
            used += 1;
        }
        // Break the word itself.
        let chars: Vec<char> = word.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let cw = c.width().unwrap_or(0);
            // A Latin word inside Chinese text (`veth`, `ens224`, a path) moves to the next
            // line whole when it fits there, rather than being split between characters;
            // one wider than a line starts the next line, and is cut from there.
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
            if starts_latin && used > 0 && used + latin_w > w && can_end_before(&line) {
                // What opens the word (`(`, a backtick, `（`) goes down with it.
                let mut carried = vec![];
                while line.chars().last().is_some_and(opens) {
                    carried.extend(line.pop());
                }
                used = next_row(&mut lines, &mut line, carried);
            } else if used + cw > w {
                // Chinese line breaking (GB/T 15834 and W3C clreq): closing punctuation never
                // starts a line, so the character before it moves down with it.
                // Opening punctuation never ends one: it moves down with what it opens.
                // Before it a Latin word (a path, a name) moves down whole, not its last letter.
                let mut carried = vec![];
                if NO_LINE_START.contains(c) && line.chars().count() > 1 {
                    let latin = line.chars().last().is_some_and(is_latin);
                    carried.extend(line.pop());
                    while latin
                        && line.chars().count() > 1
                        && line.chars().last().is_some_and(is_latin)
                    {
                        carried.extend(line.pop());
                    }
                }
                while line.chars().count() > 1
                    && line.chars().last().is_some_and(|l| NO_LINE_END.contains(l))
                {
                    carried.extend(line.pop());
                }
                used = next_row(&mut lines, &mut line, carried);
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

/// End the row `line` (trailing spaces dropped) and start the next with `carried` (popped
/// off its end, so last first): the next row's width so far.
fn next_row(lines: &mut Vec<String>, line: &mut String, carried: Vec<char>) -> usize {
    lines.push(line.trim_end_matches(' ').to_string());
    line.clear();
    line.extend(carried.into_iter().rev());
    line.width()
}

/// The rows of a log line wrapped to `w` columns, as column ranges of `s` (text already
/// made safe for the terminal, whose styled runs the caller cuts by column): rows break at
/// spaces, which are left out at a break; a word that does not fit on the rest of a row
/// starts the next one, and one wider than a whole row is cut at the row's end with nothing
/// added (as `wrap` does). Text with CJK characters has no spaces to break at: it flows on
/// and breaks between characters. Spaces that begin the line are kept (an indent).
pub fn wrap_columns(s: &str, w: usize) -> Vec<std::ops::Range<usize>> {
    let w = w.max(1);
    let mut rows = vec![];
    // The current row starts at column `start`; its text (spaces after it not counted)
    // ends at `end`.
    let (mut start, mut end) = (0, 0);
    let mut col = 0;
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ' ' {
            col += 1;
            chars.next();
            continue;
        }
        // One word: its characters with their columns.
        let mut word = vec![];
        while let Some(&c) = chars.peek().filter(|c| **c != ' ') {
            let cw = c.width().unwrap_or(0);
            word.push((col, cw));
            col += cw;
            chars.next();
        }
        let (from, to) = (word[0].0, col);
        if to - start <= w {
            end = to;
            continue;
        }
        let wide = word.iter().any(|(_, cw)| *cw > 1);
        if end > start && !wide {
            rows.push(start..end);
            (start, end) = (from, from);
            if to - start <= w {
                end = to;
                continue;
            }
        }
        for (at, cw) in word {
            if at + cw - start > w {
                if end > start {
                    rows.push(start..end);
                }
                start = at;
            }
            end = at + cw;
        }
    }
    if end > start || rows.is_empty() {
        rows.push(start..end);
    }
    rows
}

/// Opening punctuation, full-width or ASCII, that goes down with the word it opens.
fn opens(c: char) -> bool {
    NO_LINE_END.contains(c) || matches!(c, '(' | '[' | '{' | '<' | '"' | '\'' | '`')
}

/// Whether `line` holds more than spaces and what opens the next word: a line may end
/// there.
fn can_end_before(line: &str) -> bool {
    line.chars().any(|c| c != ' ' && !opens(c))
}

/// Characters of a Latin word, which must not be split: letters, digits and the joiners of
/// names, paths and URLs.
fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '_' | '.' | '/' | ':' | '=' | '^' | '$' | '?' | '&' | '#' | '%' | '~' | '+' | '@'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path right before a full-width comma at the end of a row: the comma may not
    /// start a line, and the path goes down with it whole, not its last letter.
    #[test]
    fn a_path_before_a_full_width_comma_moves_down_whole() {
        let s = "- 4 K8s+Calico › CRI 套接字: 本机上不存在 /var/run/containerd/containerd.sock，也没有其他 CRI 套接字";
        for w in 60..=80 {
            let rows = wrap(s, w);
            assert!(rows.iter().all(|r| !r.starts_with("k，")), "{w}: {rows:?}");
            assert!(rows.iter().all(|r| r.width() <= w), "{w}: {rows:?}");
        }
    }

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

    const URL: &str =
        "https://raw.githubusercontent.com/projectcalico/calico/v3.32.0/manifests/calico.yaml";

    #[test]
    fn a_url_after_text_at_80_columns_starts_its_own_line() {
        let fits = "https://docs.projectcalico.org/v3.15/manifests/calico.yaml";
        let s =
            format!("on a machine with Internet access run `curl -fLO {fits}`, copy calico.yaml");
        assert_eq!(
            wrap(&s, 80),
            [
                "on a machine with Internet access run `curl -fLO",
                &format!("{fits}`, copy calico.yaml"),
            ]
        );
        // Wider than the line: it still starts one, then goes on from the first column.
        let s =
            format!("on a machine with Internet access run `curl -fLO {URL}`, copy calico.yaml");
        let rows = wrap(&s, 80);
        assert_eq!(rows[0], "on a machine with Internet access run `curl -fLO");
        assert_eq!(rows[1], &URL[..80]);
        assert_eq!(rows[2], format!("{}`, copy calico.yaml", &URL[80..]));
    }

    #[test]
    fn a_url_wider_than_a_line_starts_one_and_is_cut_with_nothing_added() {
        let s = format!("run `curl -fLO {URL}`, copy calico.yaml to this node");
        let rows = wrap(&s, 69);
        assert_eq!(rows[0], "run `curl -fLO");
        assert_eq!(rows[1].chars().count(), 69, "{rows:?}");
        assert!(URL.starts_with(&rows[1]), "{rows:?}");
        // The lines selected one after the other read the URL whole.
        assert!(rows.concat().contains(URL), "{rows:?}");
        assert!(rows.iter().all(|r| width(r) <= 69), "{rows:?}");
        assert!(
            !rows.iter().any(|r| r.ends_with('-') || r.ends_with(' ')),
            "{rows:?}"
        );
        // Alone, or opened by a bracket, it is cut at the line's end.
        assert_eq!(wrap(URL, 40).concat(), URL);
        let opened = wrap(&format!("({URL})"), 40);
        assert!(opened[0].starts_with("(https://"), "{opened:?}");
        assert_eq!(width(&opened[0]), 40, "{opened:?}");
    }

    #[test]
    fn a_long_path_is_cut_like_a_url() {
        let path =
            "/var/lib/dsinstall/runs/apply-20261202T070000Z-ab12/rendered/kubeadm-config.yaml";
        let rows = wrap(&format!("cannot read {path}: permission denied"), 40);
        assert_eq!(rows[0], "cannot read");
        assert_eq!(rows[1], &path[..40]);
        assert!(rows[1..].concat().starts_with(path), "{rows:?}");
    }

    /// Each row of `wrap_columns` as text.
    fn columns(s: &str, w: usize) -> Vec<String> {
        wrap_columns(s, w)
            .into_iter()
            .map(|r| {
                let mut col = 0;
                s.chars()
                    .filter(|c| {
                        let at = col;
                        col += c.width().unwrap_or(0);
                        at >= r.start && col <= r.end
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn log_rows_break_at_spaces_and_cut_only_words_wider_than_a_row() {
        assert_eq!(
            columns("[kubelet-start] Writing kubelet environment file", 20),
            ["[kubelet-start]", "Writing kubelet", "environment file"]
        );
        // The indent of the line stays; spaces at a break go.
        assert_eq!(
            columns("    +overlay   +br_netfilter", 14),
            ["    +overlay", "+br_netfilter"]
        );
        let s = format!("[init] see {URL} now");
        let rows = columns(&s, 40);
        assert_eq!(rows[0], "[init] see");
        assert_eq!(rows[1], &URL[..40]);
        assert_eq!(rows[2], &URL[40..80]);
        assert_eq!(rows[3], format!("{} now", &URL[80..]));
        assert!(wrap_columns(&s, 40).iter().all(|r| r.end - r.start <= 40));
        assert_eq!(columns("", 10), [""]);
        assert_eq!(columns("   ", 10), [""]);
    }

    #[test]
    fn log_rows_of_chinese_text_flow_on_between_characters() {
        let rows = columns("[x] 启动失败了请检查日志", 12);
        assert_eq!(rows, ["[x] 启动失败", "了请检查日志"]);
        assert!(rows.iter().all(|r| width(r) <= 12), "{rows:?}");
    }

    #[test]
    fn chinese_text_puts_a_url_at_the_start_of_a_line() {
        let s =
            format!("在能访问互联网的机器上运行 `curl -fLO {URL}`，把 calico.yaml 复制到本节点");
        let rows = wrap(&s, 69);
        assert!(rows.iter().all(|r| width(r) <= 69), "{rows:?}");
        let at = rows
            .iter()
            .position(|r| r.starts_with("https://"))
            .expect("a line starts with the URL");
        assert_eq!(
            rows[at - 1],
            "在能访问互联网的机器上运行 `curl -fLO",
            "{rows:?}"
        );
        assert!(rows[at..].concat().starts_with(URL), "{rows:?}");
        assert!(rows.iter().all(|r| !r.starts_with('，')), "{rows:?}");
        // Without a space before it, too.
        let rows = wrap(&format!("请运行{URL}，然后重试"), 40);
        assert_eq!(rows[0], "请运行", "{rows:?}");
        assert!(rows[1..].concat().starts_with(URL), "{rows:?}");
    }
}
