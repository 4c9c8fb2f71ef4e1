//! The wizard's words, in English and Chinese (assets/i18n/*.yaml, embedded at build time).
//! Engine problem messages stay English: they name Kubernetes fields and rules verbatim.

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
        let mut s = self.t(key).to_string();
        for (i, a) in args.iter().enumerate() {
            s = s.replace(&format!("{{{i}}}"), a);
        }
        s
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}
