//! The wizard's words, in English and Chinese (assets/i18n/*.yaml, embedded at build time).
//! Engine problems are shown by their stable code (`problem.<code>`, `hint.<code>`), so the
//! engine stays English-only and free of the wizard; field paths and upstream strings stay
//! verbatim inside the translations. The same goes for what the runner and the checks write
//! during an install: a check's sentences by their code (`verify.…`), a failed step's
//! cause and fix by `cause.<code>` and `fix.<code>`, all read back from serialized events.
//! A value that is a coded sentence itself (`argCodes`: how a command ended, what a copy
//! was for, an inner failure's cause) is translated in its place, so no English phrase is
//! left inside a translated sentence.

use crate::host::facts::HostWarning;
use crate::message::{ArgCodes, Message, Part, Said};
use crate::plan::Problem;
use crate::run::dry_run::{Line as DryLine, Verdict};
use crate::run::event::Diagnosis;
use crate::run::status::StepStatus;
use crate::run::step::Failure;
use crate::verify::report::CheckResult;
use std::collections::BTreeMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    ZhCn,
}

impl Lang {
    /// `--lang` wins; else the first of LC_ALL, LC_MESSAGES, LANG that is set and non-empty
    /// (POSIX precedence), where `zh_CN.UTF-8`, `zh_CN`, `zh-CN` and `zh` mean Chinese.
    pub fn choose(
        flag: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Lang, String> {
        if let Some(f) = flag {
            return Lang::parse(f).ok_or_else(|| format!("--lang {f:?}: expected en or zh-CN"));
        }
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Some(v) = env(var).filter(|v| !v.is_empty()) {
                return Ok(Lang::parse(&v).unwrap_or(Lang::En));
            }
        }
        Ok(Lang::En)
    }

    /// A language tag or locale name; None when it is neither English nor Chinese.
    pub fn parse(s: &str) -> Option<Lang> {
        let base = s
            .split(['.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let base = base.replace('_', "-");
        if base == "zh" || base.starts_with("zh-") {
            Some(Lang::ZhCn)
        } else if base == "en" || base.starts_with("en-") || base == "c" || base == "posix" {
            Some(Lang::En)
        } else {
            None
        }
    }

    pub fn texts(self) -> &'static Texts {
        static EN: OnceLock<Texts> = OnceLock::new();
        static ZH: OnceLock<Texts> = OnceLock::new();
        match self {
            Lang::En => EN.get_or_init(|| Texts::parse(include_str!("../../assets/i18n/en.yaml"))),
            Lang::ZhCn => {
                ZH.get_or_init(|| Texts::parse(include_str!("../../assets/i18n/zh-CN.yaml")))
            }
        }
    }
}

/// One language's strings: key → text, `{0}`, `{1}`… for arguments.
#[derive(Debug)]
pub struct Texts {
    map: BTreeMap<String, String>,
}

impl Texts {
    fn parse(src: &str) -> Texts {
        Texts {
            map: serde_yaml::from_str(src).expect("embedded i18n file is a flat YAML map"),
        }
    }

    /// The text for `key`; the key itself when missing (a test checks none is).
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The text for `key` with `{0}`, `{1}`… replaced by `args`.
    pub fn f(&self, key: &str, args: &[&str]) -> String {
        fill(self.t(key), args)
    }

    /// "1 error", "3 errors": `count.<what>.one` for one, `count.<what>.many` otherwise
    /// (Chinese has one form for both).
    pub fn count(&self, what: &str, n: usize) -> String {
        let form = if n == 1 { "one" } else { "many" };
        self.f(&format!("count.{what}.{form}"), &[&n.to_string()])
    }

    /// A plan problem's message in this language; the engine's English when the code has
    /// no text.
    pub fn problem(&self, p: &Problem) -> String {
        self.coded("problem", p.code, &p.args)
            .unwrap_or_else(|| p.message.clone())
    }

    /// A plan problem's fix, translated like [`Texts::problem`].
    pub fn problem_hint(&self, p: &Problem) -> Option<String> {
        let h = p.hint.as_ref()?;
        Some(
            self.coded("hint", p.code, &p.args)
                .unwrap_or_else(|| h.clone()),
        )
    }

    /// A host warning in this language, by `warning.<id>` (`warning.<id>.bare` for the
    /// wording without values); the detector's English when there is no fitting text.
    pub fn host_warning(&self, w: &HostWarning) -> String {
        let bare = format!("warning.{}.bare", w.id);
        let key = if w.args.is_empty() && self.map.contains_key(&bare) {
            bare
        } else {
            format!("warning.{}", w.id)
        };
        self.filled(&key, &self.values(&w.args, &w.arg_codes))
            .unwrap_or_else(|| w.message.clone())
    }

    /// A check's evidence in this language where it is a fixed sentence (its
    /// `evidenceCode`) or made of findings (`evidenceParts`, each translated where coded,
    /// joined by `checks.parts_separator`); else as the check wrote it (data, or a code
    /// this language lacks).
    pub fn check_evidence(&self, c: &CheckResult) -> String {
        self.coded_parts(c.evidence_code.as_deref(), &c.evidence_parts)
            .unwrap_or_else(|| c.evidence.clone())
    }

    /// A sentence by its code, whose last value is the findings `parts` where there are
    /// any; the findings alone without a code. None where nothing is coded (or this
    /// language lacks the code).
    fn coded_parts(&self, m: Option<&Message>, parts: &[Part]) -> Option<String> {
        let parts = (!parts.is_empty()).then(|| self.parts(parts));
        match (m, parts) {
            (Some(m), Some(parts)) => {
                let mut args = self.values(&m.args, &m.arg_codes);
                if let Some(last) = args.last_mut() {
                    *last = parts;
                }
                self.filled(&m.code, &args)
            }
            (m, None) => self.message(m),
            (None, parts) => parts,
        }
    }

    /// Findings in this language, joined as this language joins them.
    fn parts(&self, parts: &[Part]) -> String {
        let mut out = String::new();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                out.push_str(match p.sep.as_deref() {
                    None => self.t("checks.parts_separator"),
                    Some(crate::message::LIST) => self.t("checks.list_separator"),
                    Some(other) => other,
                });
            }
            let args = || self.values(&p.args, &p.arg_codes);
            match p.code.as_ref().and_then(|code| self.filled(code, &args())) {
                Some(t) => out.push_str(&t),
                None => out.push_str(&p.text),
            }
        }
        out
    }

    /// A check's hint in this language, by its `hintCode`; the engine's English otherwise.
    pub fn check_hint(&self, c: &CheckResult) -> Option<String> {
        let h = c.hint.as_ref()?;
        Some(
            self.message(c.hint_code.as_deref())
                .unwrap_or_else(|| h.clone()),
        )
    }

    /// A failed step's cause in this language (`cause.<code>` of its diagnosis, with the
    /// other failed preflight checks and the node it is on), the runner's English otherwise.
    pub fn step_cause(&self, s: &StepStatus) -> Option<String> {
        let e = s.error.as_ref()?;
        Some(self.cause(e, s.diagnosis.as_deref()))
    }

    /// A failed step's fix, translated like [`Texts::step_cause`].
    pub fn step_fix(&self, s: &StepStatus) -> Option<String> {
        let h = s.hint.as_ref()?;
        Some(self.fix(h, s.diagnosis.as_deref()))
    }

    fn cause(&self, english: &str, d: Option<&Diagnosis>) -> String {
        let Some(d) = d else {
            return english.to_string();
        };
        let args = self.values(&d.args, &d.arg_codes);
        let Some(mut cause) = self.coded("cause", &d.code, &args) else {
            return english.to_string();
        };
        if !d.also_failed.is_empty() {
            cause.push_str(&self.f("diagnosis.also_failed", &[&d.also_failed.join(", ")]));
        }
        if let Some(node) = &d.node {
            cause = self.f("label.value", &[node, &cause]);
        }
        cause
    }

    fn fix(&self, english: &str, d: Option<&Diagnosis>) -> String {
        d.and_then(|d| self.coded("fix", &d.code, &self.values(&d.args, &d.arg_codes)))
            .unwrap_or_else(|| english.to_string())
    }

    /// An engine sentence by its code (the key is the code itself: `verify.…`).
    fn message(&self, m: Option<&Message>) -> Option<String> {
        let m = m?;
        self.filled(&m.code, &self.values(&m.args, &m.arg_codes))
    }

    /// A coded sentence's values in this language: each that is coded itself translated
    /// (through its own coded values), the rest — data, or a code this language lacks — as
    /// the engine wrote them.
    fn values(&self, args: &[String], codes: &ArgCodes) -> Vec<String> {
        args.iter()
            .enumerate()
            .map(|(i, a)| {
                codes
                    .get(i)
                    .and_then(|m| self.message(Some(m)))
                    .unwrap_or_else(|| a.clone())
            })
            .collect()
    }

    fn coded(&self, prefix: &str, code: &str, args: &[String]) -> Option<String> {
        if code.is_empty() {
            return None;
        }
        self.filled(&format!("{prefix}.{code}"), args)
    }

    /// `key`'s text with `args` filled in; None when the key is missing or names a `{N}`
    /// beyond the args (then the caller shows the engine's English rather than a hole).
    fn filled(&self, key: &str, args: &[String]) -> Option<String> {
        let text = self.map.get(key)?;
        if placeholders(text).any(|n| n >= args.len()) {
            return None;
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Some(fill(text, &args))
    }

    /// An engine sentence ([`Said`]) in this language: by its code, its parts translated
    /// where they are coded; as the engine wrote it where this language lacks the code.
    pub fn said(&self, s: &Said) -> String {
        self.coded_parts(s.code.as_deref(), &s.parts)
            .unwrap_or_else(|| s.text.clone())
    }

    /// A step's failure in this language: (cause, fix), by its diagnosis's code.
    pub fn failure(&self, f: &Failure) -> (String, String) {
        let d = f.diagnosis.as_deref();
        (self.cause(&f.cause, d), self.fix(&f.fix, d))
    }

    /// A line of the dry run's report (the Confirm screen) in this language.
    pub fn dry_line(&self, l: &DryLine) -> String {
        let Some((code, english)) = l.code() else {
            return l.english();
        };
        let args: Vec<String> = match l {
            DryLine::Step { step, verdict } => match verdict {
                Verdict::Done(d) | Verdict::ToDo(d) => vec![step.clone(), self.said(d)],
                Verdict::WouldFail(f) => {
                    let (cause, fix) = self.failure(f);
                    vec![step.clone(), cause, fix]
                }
            },
            DryLine::Note { step, note } => vec![step.clone(), self.said(note)],
            _ => english.iter().map(|a| a.to_string()).collect(),
        };
        self.filled(code, &args).unwrap_or_else(|| l.english())
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}

use crate::message::fill;
pub use crate::message::placeholders;
