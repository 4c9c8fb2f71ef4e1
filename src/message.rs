//! Sentences the engine writes for a person, carried by a stable code and the values in
//! them, so a front end can show them in another language while the engine stays English
//! (the wizard looks the code up in assets/i18n). The English is the engine's own table:
//! each module that writes such sentences has `TEXTS`, (code, English with `{N}`), and
//! the text it writes is that English filled with the values, so the reports read the same
//! with or without a front end.

use serde::{Deserialize, Serialize};
use std::fmt::Display;

/// A code and its values, as serialized beside the English text (`hintCode`, `diagnosis`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub code: String,
    /// `{N}` in the text is `args[N]`, as the English shows it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
}

/// The English of a composite text's parts (`evidenceParts`) joins them with this; a front
/// end joins its own texts of them with its language's.
pub const PARTS: &str = "; ";

/// What joins the items of a list of findings ([`Said::listed`]) in English.
pub const LIST: &str = ", ";

/// One part of a text made of several findings ("node01: no IPv6 InternalIP (has none)"):
/// its English and, where it is a fixed sentence, its code and values, as in [`Message`].
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// What joins it to the part before in English where that is not [`PARTS`] (a list's
    /// [`LIST`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sep: Option<String>,
}

/// An English text and, where it is a fixed sentence, its code: what the engine writes.
/// Data (an address list, kubectl's own error) has no code and stays as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Said {
    pub text: String,
    /// Boxed: it travels in every check result and journal event, most without one.
    pub code: Option<Box<Message>>,
    /// A text made of several findings: each of them, the English being their texts joined
    /// by [`PARTS`]. With a code too, the joined parts are the code's last value.
    pub parts: Vec<Part>,
}

impl Said {
    /// The sentence `code` of `table`, filled with `args`. A code missing from the table is
    /// a programming error (a test holds every call site to the tables); in release it
    /// still says the code rather than nothing.
    pub fn coded(table: &[(&str, &str)], code: &str, args: &[&dyn Display]) -> Said {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let english = english(table, code);
        debug_assert!(english.is_some(), "unknown message code {code}");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        Said {
            text: fill(english.unwrap_or(code), &refs),
            code: Some(Box::new(Message {
                code: code.to_string(),
                args,
            })),
            parts: Vec::new(),
        }
    }

    /// Several findings as one text, joined by [`PARTS`]; a part that is itself made of
    /// parts gives them in its place. Without a coded part it is plain data.
    pub fn joined(all: impl IntoIterator<Item = Said>) -> Said {
        Said::joined_by(PARTS, all)
    }

    /// Items of a list of findings as one text, joined by [`LIST`].
    pub fn listed(all: impl IntoIterator<Item = Said>) -> Said {
        Said::joined_by(LIST, all)
    }

    fn joined_by(sep: &str, all: impl IntoIterator<Item = Said>) -> Said {
        let mut parts: Vec<Part> = Vec::new();
        for s in all {
            let first = parts.is_empty();
            let sep = (!first && sep != PARTS).then(|| sep.to_string());
            if !s.parts.is_empty() && s.code.is_none() {
                let mut inner = s.parts.into_iter();
                if let Some(head) = inner.next() {
                    parts.push(Part { sep, ..head });
                }
                parts.extend(inner);
                continue;
            }
            let (code, args) = match s.code {
                Some(m) => (Some(m.code), m.args),
                None => (None, Vec::new()),
            };
            parts.push(Part {
                text: s.text,
                code,
                args,
                sep,
            });
        }
        let mut text = String::new();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                text.push_str(p.sep.as_deref().unwrap_or(PARTS));
            }
            text.push_str(&p.text);
        }
        if parts.iter().all(|p| p.code.is_none()) {
            parts.clear();
        }
        Said {
            text,
            code: None,
            parts,
        }
    }

    /// The sentence `code` of `table` whose last value is the findings `parts`, joined as
    /// [`Said::joined`] joins them ("cidr … ({0})").
    pub fn coded_with(
        table: &[(&str, &str)],
        code: &str,
        args: &[&dyn Display],
        parts: impl IntoIterator<Item = Said>,
    ) -> Said {
        let inner = Said::joined(parts);
        let mut all: Vec<&dyn Display> = args.to_vec();
        all.push(&inner.text);
        Said {
            parts: inner.parts,
            ..Said::coded(table, code, &all)
        }
    }
}

impl Said {
    /// The same sentence with `f` applied to its text and every value in it (redaction).
    pub fn map_values(self, f: &mut dyn FnMut(String) -> String) -> Said {
        Said {
            text: f(self.text),
            code: self.code.map(|m| {
                Box::new(Message {
                    code: m.code,
                    args: m.args.into_iter().map(&mut *f).collect(),
                })
            }),
            parts: self
                .parts
                .into_iter()
                .map(|p| Part {
                    text: f(p.text),
                    args: p.args.into_iter().map(&mut *f).collect(),
                    ..p
                })
                .collect(),
        }
    }
}

impl From<String> for Said {
    fn from(text: String) -> Said {
        Said {
            text,
            code: None,
            parts: Vec::new(),
        }
    }
}

impl From<&str> for Said {
    fn from(text: &str) -> Said {
        Said::from(text.to_string())
    }
}

/// The English of `code` in `table`.
pub fn english<'a>(table: &[(&str, &'a str)], code: &str) -> Option<&'a str> {
    table.iter().find(|(c, _)| *c == code).map(|(_, t)| *t)
}

/// The `{N}` numbers in a text.
pub fn placeholders(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}')?.0.parse().ok())
}

/// Replace `{N}` by `args[N]` in one pass, so an argument that itself contains `{1}` (a
/// user's input) is not substituted again; a `{` that opens no known `{N}` (JSON in a
/// command) stays as it is.
pub fn fill(text: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let arg = after.find('}').and_then(|close| {
            let n: usize = after[..close].parse().ok()?;
            Some((args.get(n)?, close))
        });
        match arg {
            Some((a, close)) => {
                out.push_str(a);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &[(&str, &str)] = &[("x.one", "port {0} on {1}: kubectl patch -p '{\"a\":1}'")];

    #[test]
    fn coded_fills_the_english_and_keeps_the_values() {
        let s = Said::coded(T, "x.one", &[&6443, &"node01"]);
        assert_eq!(s.text, "port 6443 on node01: kubectl patch -p '{\"a\":1}'");
        let m = s.code.unwrap();
        assert_eq!(
            (m.code.as_str(), m.args),
            ("x.one", vec!["6443".into(), "node01".into()])
        );
    }

    #[test]
    fn an_argument_is_not_filled_again() {
        assert_eq!(fill("{0} {1}", &["{1}", "b"]), "{1} b");
    }
}
