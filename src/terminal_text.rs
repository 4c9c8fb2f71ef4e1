//! Text from the host or from an answers file made safe to show on a terminal.
//!
//! An interface name, a sysctl value or an answers value may hold ESC, BEL or other control
//! characters; printed raw they become terminal commands (retitle the window, clear the
//! screen, move the cursor, hide what follows). Every place that prints or draws such text
//! passes it through `safe`, which writes each such character as a visible escape instead.

use std::borrow::Cow;

/// What the text is, which decides which characters stay and how the others are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Lines of plain text: newlines and tabs stay.
    Text,
    /// One line (a field value, a name): newlines and tabs are escaped too.
    Line,
    /// JSON already escaped by serde_json: the characters it leaves raw (C1 controls,
    /// bidirectional overrides) become `\uXXXX`, which JSON reads back as the same text.
    Json,
}

/// Characters a terminal acts on or that reorder what it shows: C0 and C1 controls, DEL,
/// and the Unicode bidirectional controls (the "Trojan Source" characters, CVE-2021-42574).
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character written as an escape (`\x1b`, `\u{202e}`; `\u001b` in
/// JSON); borrowed when nothing needed escaping.
pub fn safe(s: &str, form: Form) -> Cow<'_, str> {
    let keep = |c: char| form != Form::Line && (c == '\n' || c == '\t');
    if !s.chars().any(|c| unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !unsafe_char(c) || keep(c) {
            out.push(c);
            continue;
        }
        let n = u32::from(c);
        match form {
            Form::Json => out.push_str(&format!("\\u{n:04x}")),
            _ if n < 0x100 => out.push_str(&format!("\\x{n:02x}")),
            _ => out.push_str(&format!("\\u{{{n:x}}}")),
        }
    }
    Cow::Owned(out)
}

/// Shorthand for one line: a value, a name, an error message.
pub fn line(s: &str) -> Cow<'_, str> {
    safe(s, Form::Line)
}

/// A line of a tool's output for a log view: tabs expanded to the next multiple of 8
/// columns, as a terminal shows them (kubeadm indents its preflight warnings and hints with
/// tabs), then escaped as `line`.
pub fn log_line(s: &str) -> Cow<'_, str> {
    if !s.contains('\t') {
        return line(s);
    }
    use unicode_width::UnicodeWidthStr;
    let mut out = String::with_capacity(s.len() + 16);
    for (i, piece) in s.split('\t').enumerate() {
        if i > 0 {
            let n = 8 - out.width() % 8;
            out.extend(std::iter::repeat_n(' ', n));
        }
        out.push_str(&line(piece));
    }
    Cow::Owned(out)
}

/// How many characters of a value `quote` shows before it cuts the rest.
pub const QUOTE_CHARS: usize = 60;

/// A user's value for a message: in double quotes, `"` and `\` escaped as Rust's `{:?}`
/// writes them, unsafe characters escaped as `line` does, and cut after `QUOTE_CHARS`
/// characters (never inside one) with `…(N more)`, so a huge or hostile answers value
/// cannot make a giant or terminal-driving line.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(QUOTE_CHARS * 4) + 16);
    out.push('"');
    let mut chars = s.chars();
    for c in chars.by_ref().take(QUOTE_CHARS) {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push_str(&line(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out.push('"');
    let more = chars.count();
    if more > 0 {
        out.push_str(&format!("…({more} more)"));
    }
    out
}

/// `s` cut after `max` characters (never inside one) with `…(N more)`, escaped as `line`
/// does: for a message from a library that may echo a whole user value.
pub fn cut(s: &str, max: usize) -> String {
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(max).collect();
    let more = chars.count();
    let mut out = line(&head).into_owned();
    if more > 0 {
        out.push_str(&format!("…({more} more)"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_expand_tabs_as_a_terminal_does() {
        assert_eq!(
            log_line("[preflight]\t[WARNING x]"),
            "[preflight]     [WARNING x]"
        );
        assert_eq!(
            log_line("\t\t- 'docker ps'"),
            "                - 'docker ps'"
        );
        assert_eq!(log_line("a\x1bb\tc"), "a\\x1bb  c");
    }

    #[test]
    fn escapes_controls_and_keeps_plain_text_borrowed() {
        assert!(matches!(line("eth0 2018::21/64 网卡"), Cow::Borrowed(_)));
        assert_eq!(line("ev\x1b]0;pwned\x07il"), "ev\\x1b]0;pwned\\x07il");
        assert_eq!(line("a\u{9b}31mb"), "a\\x9b31mb");
        assert_eq!(line("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(line("a\nb\tc\x7f"), "a\\x0ab\\x09c\\x7f");
        assert_eq!(safe("a\nb\tc\x1b", Form::Text), "a\nb\tc\\x1b");
    }

    #[test]
    fn quote_escapes_like_debug_and_line() {
        assert_eq!(quote("eth0"), "\"eth0\"");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("a\"b\\c"), format!("{:?}", "a\"b\\c"));
        assert_eq!(quote("x\x1b[2Jy\u{202e}"), "\"x\\x1b[2Jy\\u{202e}\"");
        assert_eq!(quote("网卡"), "\"网卡\"");
    }

    #[test]
    fn quote_cuts_at_sixty_characters_without_splitting_one() {
        let exact = "é".repeat(QUOTE_CHARS);
        assert_eq!(quote(&exact), format!("\"{exact}\""));
        let long = "é".repeat(QUOTE_CHARS + 5);
        assert_eq!(quote(&long), format!("\"{exact}\"…(5 more)"));
        let huge = "x".repeat(1 << 20);
        let q = quote(&huge);
        assert!(q.len() < 100, "{}", q.len());
        assert!(q.ends_with(&format!("…({} more)", (1 << 20) - QUOTE_CHARS)));
        // An escaped character counts once, so the cut never halves an escape.
        let esc = "\x1b".repeat(QUOTE_CHARS + 1);
        assert_eq!(
            quote(&esc),
            format!("\"{}\"…(1 more)", "\\x1b".repeat(QUOTE_CHARS))
        );
    }

    #[test]
    fn cut_escapes_and_counts_the_rest() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("ab\x1bcdef", 3), "ab\\x1b…(4 more)");
    }

    #[test]
    fn json_escapes_read_back_as_the_same_text() {
        let value = "eth\u{9b}0\u{202e}";
        let json = serde_json::to_string(value).unwrap();
        let safe_json = safe(&json, Form::Json);
        assert!(!safe_json.chars().any(unsafe_char));
        let back: String = serde_json::from_str(&safe_json).unwrap();
        assert_eq!(back, value);
    }
}
