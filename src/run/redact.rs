//! Redaction of the run's secrets from every line before it reaches the journal, the log or
//! a screen (run.md, "Secrets"): the run's own bootstrap token and certificate key wherever
//! they appear, and kubeadm's lines that print them, by pattern, in case a value is not the
//! run's (a token kubeadm generated itself).
//!
//! kubeadm's lines: `[bootstrap-token] Using token: X` (cmd/kubeadm/app/cmd/phases/init/
//! bootstraptoken.go), `[upload-certs] Using certificate key:` followed by the key alone on
//! the next line (cmd/kubeadm/app/cmd/phases/init/uploadcerts.go), and the join command it
//! prints (`kubeadm join ... --token X --discovery-token-ca-cert-hash sha256:H
//! [--control-plane --certificate-key K]`, cmd/kubeadm/app/cmd/init.go's template).

use regex::Regex;

/// What replaces a secret.
pub const MASK: &str = "<redacted>";

pub struct Redactor {
    secrets: Vec<String>,
    patterns: Vec<Regex>,
    /// The last line was `[upload-certs] Using certificate key:`: the next one is the key.
    key_next: bool,
}

impl Redactor {
    /// A redactor for the run's secrets (empty values are ignored).
    pub fn new(secrets: &[&str]) -> Redactor {
        let patterns = [
            r"(Using token: )\S+",
            r"(--token[ =])\S+",
            r"(--certificate-key[ =])\S+",
            r"(--discovery-token-ca-cert-hash[ =])\S+",
            r"(certificateKey: ?)\S+",
            r"(token: ?)[a-z0-9]{6}\.[a-z0-9]{16}",
        ]
        .iter()
        .map(|p| Regex::new(p).expect("redaction patterns compile"))
        .collect();
        Redactor {
            secrets: secrets
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.to_string())
                .collect(),
            patterns,
            key_next: false,
        }
    }

    /// The line with every secret replaced by [`MASK`].
    pub fn line(&mut self, text: &str) -> String {
        let key_line = std::mem::take(&mut self.key_next);
        if text.contains("[upload-certs] Using certificate key") {
            self.key_next = true;
        }
        if key_line && !text.trim().is_empty() && !text.trim_start().starts_with('[') {
            return MASK.to_string();
        }
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), MASK);
            }
        }
        // Every pattern needs one of these words: most lines (a chatty kubeadm's klog lines)
        // skip the regexes altogether.
        let suspect = ["oken", "ertificate", "--discovery"]
            .iter()
            .any(|w| out.contains(w));
        for p in self.patterns.iter().filter(|_| suspect) {
            if p.is_match(&out) {
                out = p.replace_all(&out, format!("${{1}}{MASK}")).into_owned();
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // kubeadm v1.19 `kubeadm init --upload-certs` output (cmd/kubeadm/app/cmd/init.go and
    // phases/init/{bootstraptoken,uploadcerts}.go print these lines).
    const TOKEN: &str = "abcdef.0123456789abcdef";
    const KEY: &str = "f8902e114ef118304e561c3ecd4d0b543adc226b7a07f675f56564185ffe0c07";

    #[test]
    fn kubeadm_lines_lose_their_secrets() {
        let mut r = Redactor::new(&[TOKEN, KEY]);
        let lines = [
            format!("[bootstrap-token] Using token: {TOKEN}"),
            "[upload-certs] Using certificate key:".to_string(),
            KEY.to_string(),
            format!("kubeadm join 192.168.1.10:6443 --token {TOKEN} \\"),
            "    --discovery-token-ca-cert-hash sha256:1234abcd \\".to_string(),
            format!("    --control-plane --certificate-key {KEY}"),
            format!("token {TOKEN} in some other line"),
        ];
        for l in &lines {
            let out = r.line(l);
            assert!(!out.contains(TOKEN) && !out.contains(KEY), "{out}");
            assert!(!out.contains("1234abcd"), "{out}");
        }
    }

    #[test]
    fn a_token_kubeadm_made_itself_is_redacted_by_pattern() {
        let mut r = Redactor::new(&[]);
        let out = r.line("[bootstrap-token] Using token: zzzzzz.yyyyyyyyyyyyyyyy");
        assert_eq!(out, format!("[bootstrap-token] Using token: {MASK}"));
        r.line("[upload-certs] Using certificate key:");
        assert_eq!(r.line("0011aabb"), MASK);
        // Only the line right after: the next is shown again.
        assert_eq!(r.line("[mark-control-plane] ok"), "[mark-control-plane] ok");
    }

    #[test]
    fn ordinary_lines_pass_unchanged() {
        let mut r = Redactor::new(&[TOKEN]);
        let l = "[kubelet-start] Starting the kubelet";
        assert_eq!(r.line(l), l);
    }
}
