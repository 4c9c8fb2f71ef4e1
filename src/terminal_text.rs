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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn json_escapes_read_back_as_the_same_text() {
        let value = "eth\u{9b}0\u{202e}";
        let json = serde_json::to_string(value).unwrap();
        let safe_json = safe(&json, Form::Json);
        assert!(!safe_json.chars().any(unsafe_char));
        let back: String = serde_json::from_str(&safe_json).unwrap();
        assert_eq!(back, value);
    }
}
