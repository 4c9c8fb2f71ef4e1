//! The ASCII fallback: where the locale is not UTF-8 (`LANG=C`) or the terminal is a VT100
//! or VT220, box lines, marks and arrows would arrive as mojibake. The frame is drawn as
//! usual and each such symbol is then swapped for an ASCII one of the same width, so layouts
//! stay exactly as they are.

use ratatui::buffer::Buffer;

/// The ASCII stand-in for a drawing symbol, if it has one.
fn stand_in(symbol: &str) -> Option<&'static str> {
    Some(match symbol {
        "─" | "━" | "═" => "-",
        "│" | "┃" | "║" => "|",
        "┌" | "┐" | "└" | "┘" | "├" | "┤" | "┬" | "┴" | "┼" | "╭" | "╮" | "╯" | "╰" => {
            "+"
        }
        "✓" => "+",
        "✗" => "x",
        "…" => "~",
        "·" => "-",
        "›" | "→" => ">",
        "←" => "<",
        "↑" => "^",
        "↓" => "v",
        "×" => "x",
        "–" | "—" => "-",
        "“" | "”" => "\"",
        _ => return None,
    })
}

/// Replace every drawing symbol of `buf` by its stand-in.
pub fn replace_in(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        if let Some(s) = stand_in(cell.symbol()) {
            cell.set_symbol(s);
        }
    }
}

/// Whether to draw in ASCII: the first of LC_ALL, LC_CTYPE, LANG that is set names no
/// UTF-8 codeset (or none is set: the C locale), or TERM is a VT100/VT220.
pub fn wanted(env: impl Fn(&str) -> Option<String>) -> bool {
    let term = env("TERM").unwrap_or_default();
    if term.starts_with("vt100") || term.starts_with("vt220") || term.starts_with("vt52") {
        return true;
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .into_iter()
        .find_map(|v| env(v).filter(|s| !s.is_empty()))
        .unwrap_or_default()
        .to_ascii_lowercase();
    !(locale.contains("utf-8") || locale.contains("utf8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn utf8_locales_draw_unicode_others_ascii() {
        assert!(!wanted(env(&[("LANG", "en_US.UTF-8"), ("TERM", "xterm")])));
        assert!(!wanted(env(&[
            ("LC_ALL", "zh_CN.utf8"),
            ("TERM", "screen")
        ])));
        assert!(wanted(env(&[("LANG", "C"), ("TERM", "xterm")])));
        assert!(
            wanted(env(&[("TERM", "xterm")])),
            "no locale is the C locale"
        );
        assert!(wanted(env(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")])));
        assert!(wanted(env(&[("LANG", "en_US.UTF-8"), ("TERM", "vt220")])));
    }
}
