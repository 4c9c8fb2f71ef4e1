//! Sentences the engine writes for a person, carried by a stable code and the values in
//! them, so a front end can show them in another language while the engine stays English
//! (the wizard looks the code up in assets/i18n). The English is the engine's own table:
//! each module that writes such sentences has `TEXTS`, (code, English with `{N}`), and
//! the text it writes is that English filled with the values, so the reports read the same
//! with or without a front end.
//!
//! A value of such a sentence may itself be one: how a command ended ("exited with status
//! 1", `io::child::TEXTS`), or the cause of an inner failure. It travels with its code in
//! `argCodes`, so a front end translates it in its place instead of showing English inside
//! its own language.

use serde::{Deserialize, Serialize};
use std::fmt::Display;

/// A code and its values, as serialized beside the English text (`hintCode`, `diagnosis`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub code: String,
    /// `{N}` in the text is `args[N]`, as the English shows it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// The values that are coded sentences themselves: `args[N]` is the English of
    /// `arg_codes[N]`. Absent in what was written before values were coded.
    #[serde(
        default,
        rename = "argCodes",
        skip_serializing_if = "ArgCodes::is_empty"
    )]
    pub arg_codes: ArgCodes,
}

/// The codes of a sentence's values, in the order of its `args`: `null` for plain data, and
/// no more entries than up to the last coded one. A list, not a map by index: serde's
/// internally tagged journal events cannot read number keys back.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(transparent)]
pub struct ArgCodes(Vec<Option<Message>>);

impl ArgCodes {
    /// The code of value `n`, where it has one.
    pub fn get(&self, n: usize) -> Option<&Message> {
        self.0.get(n)?.as_ref()
    }

    /// Value `n` is the sentence `m`.
    pub fn insert(&mut self, n: usize, m: Message) {
        if self.0.len() <= n {
            self.0.resize(n + 1, None);
        }
        self.0[n] = Some(m);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A value of a coded sentence: plain data (a number, a path, kubectl's words), shown as it
/// is, or a sentence with a code of its own ([`Said`], a step's failure).
pub trait Value {
    /// Its English, and its code where it has one.
    fn said(&self) -> Said;
}

impl<T: Display + ?Sized> Value for T {
    fn said(&self) -> Said {
        Said::from(self.to_string())
    }
}

impl Value for Said {
    fn said(&self) -> Said {
        self.clone()
    }
}

/// The English of `values` and, for those that are coded, their codes by index: what a
/// coded sentence keeps of its values.
pub fn values(values: &[&dyn Value]) -> (Vec<String>, ArgCodes) {
    let mut args = Vec::with_capacity(values.len());
    let mut codes = ArgCodes::default();
    for (i, v) in values.iter().enumerate() {
        let s = v.said();
        if let Some(m) = s.code {
            codes.insert(i, *m);
        }
        args.push(s.text);
    }
    (args, codes)
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
    #[serde(
        default,
        rename = "argCodes",
        skip_serializing_if = "ArgCodes::is_empty"
    )]
    pub arg_codes: ArgCodes,
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
    pub fn coded(table: &[(&str, &str)], code: &str, args: &[&dyn Value]) -> Said {
        let (args, arg_codes) = values(args);
        let english = english(table, code);
        debug_assert!(english.is_some(), "unknown message code {code}");
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        Said {
            text: fill(english.unwrap_or(code), &refs),
            code: Some(Box::new(Message {
                code: code.to_string(),
                args,
                arg_codes,
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
            let (code, args, arg_codes) = match s.code {
                Some(m) => (Some(m.code), m.args, m.arg_codes),
                None => (None, Vec::new(), ArgCodes::default()),
            };
            parts.push(Part {
                text: s.text,
                code,
                args,
                arg_codes,
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
        args: &[&dyn Value],
        parts: impl IntoIterator<Item = Said>,
    ) -> Said {
        let inner = Said::joined(parts);
        let mut all: Vec<&dyn Value> = args.to_vec();
        all.push(&inner.text);
        Said {
            parts: inner.parts,
            ..Said::coded(table, code, &all)
        }
    }
}

impl Said {
    /// The same sentence with `f` applied to its text and every value in it, those of the
    /// sentences among its values too (redaction).
    pub fn map_values(self, f: &mut dyn FnMut(String) -> String) -> Said {
        Said {
            text: f(self.text),
            code: self.code.map(|m| Box::new(m.map_values(f))),
            parts: self
                .parts
                .into_iter()
                .map(|p| Part {
                    text: f(p.text),
                    args: p.args.into_iter().map(&mut *f).collect(),
                    arg_codes: p.arg_codes.map_values(f),
                    ..p
                })
                .collect(),
        }
    }
}

impl Message {
    fn map_values(self, f: &mut dyn FnMut(String) -> String) -> Message {
        Message {
            code: self.code,
            args: self.args.into_iter().map(&mut *f).collect(),
            arg_codes: self.arg_codes.map_values(f),
        }
    }
}

impl ArgCodes {
    /// `f` applied to every value of the sentences among the values (redaction).
    pub fn map_values(self, f: &mut dyn FnMut(String) -> String) -> ArgCodes {
        ArgCodes(
            self.0
                .into_iter()
                .map(|m| m.map(|m| m.map_values(f)))
                .collect(),
        )
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
    fn a_coded_value_keeps_its_code_beside_its_english() {
        let inner = Said::coded(T, "x.one", &[&1, &"a"]);
        let s = Said::coded(T, "x.one", &[&inner, &"b"]);
        assert_eq!(
            s.text,
            format!("port {} on b: kubectl patch -p '{{\"a\":1}}'", inner.text)
        );
        let m = s.code.unwrap();
        assert_eq!(m.args[0], inner.text);
        assert_eq!(m.arg_codes.get(0), inner.code.as_deref());
        assert_eq!(m.arg_codes.get(1), None, "plain data has no code");
        let json = serde_json::to_string(&*m).unwrap();
        assert!(json.contains(r#""argCodes":[{"code":"x.one""#), "{json}");
        assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), *m);
    }

    #[test]
    fn an_argument_is_not_filled_again() {
        assert_eq!(fill("{0} {1}", &["{1}", "b"]), "{1} b");
    }
}
