//! Values that end up inside files and command lines: image repositories, sockets, names,
//! Calico's regular expressions. Each rule refuses what the consuming tool would refuse, or
//! what would change the meaning of the file it lands in (quotes, spaces, newlines).

use super::*;

/// Characters no value written into a config file or a flag may hold: whitespace, quotes,
/// and control characters (a newline would start a new YAML key or a new flag).
pub(super) fn has_unsafe_chars(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '`'))
}

/// An image repository as kubeadm's ValidateImageRepository accepts it: `repo + "/name:tag"`
/// must match the distribution reference grammar (ReferenceRegexp,
/// cmd/kubeadm/app/apis/kubeadm/validation/validation.go). A domain (`host[:port]`, IPv6 in
/// brackets) and lowercase path components; no scheme.
pub(super) fn is_image_repository(s: &str) -> bool {
    if s.is_empty() || has_unsafe_chars(s) || s.contains("://") {
        return false;
    }
    let mut parts = s.split('/');
    let first = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    // A first part with '.', ':' or "localhost" is a domain (the reference grammar's rule).
    let first_is_domain = first.contains('.') || first.contains(':') || first == "localhost";
    if first_is_domain {
        if !is_domain(first) {
            return false;
        }
    } else if !is_path_component(first) {
        return false;
    }
    rest.iter().all(|c| is_path_component(c))
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`
fn is_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !is_alnum_lower(b[0]) || !is_alnum_lower(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum_lower(b[i]) {
            i += 1;
            continue;
        }
        // A separator: '.', '_', "__" or a run of '-'.
        let start = i;
        if b[i] == b'-' {
            while i < b.len() && b[i] == b'-' {
                i += 1;
            }
        } else if b[i] == b'.' {
            i += 1;
        } else if b[i] == b'_' {
            i += 1;
            if i < b.len() && b[i] == b'_' {
                i += 1;
            }
        } else {
            return false;
        }
        if i == start || i >= b.len() || !is_alnum_lower(b[i]) {
            return false;
        }
    }
    true
}

fn is_alnum_lower(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `host[:port]`: DNS labels (any case) or `[v6]`.
fn is_domain(d: &str) -> bool {
    let (host, port): (Option<&str>, Option<&str>) = if let Some(rest) = d.strip_prefix('[') {
        let Some((h, after)) = rest.split_once(']') else {
            return false;
        };
        if h.parse::<Ipv6Addr>().is_err() {
            return false;
        }
        let port = match after {
            "" => None,
            a => match a.strip_prefix(':') {
                Some(p) => Some(p),
                None => return false,
            },
        };
        (None, port)
    } else {
        match d.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(d), None),
        }
    };
    if let Some(p) = port
        && (p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) || p.len() > 5)
    {
        return false;
    }
    match host {
        None => true,
        Some(h) => {
            !h.is_empty()
                && h.split('.').all(|l| {
                    !l.is_empty()
                        && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                })
        }
    }
}

/// `calico.registry`: a registry host with an optional path, where the Calico images are
/// pulled from (`<registry>/calico/node:<tag>`).
pub(super) fn check_calico_registry(a: &Answers, p: &mut Vec<Problem>) {
    if let Some(r) = &a.calico.registry {
        let r = r.trim_end_matches('/');
        if !is_image_repository(r) {
            p.push(
                Problem::error(
                    "calico.registry",
                    format!("{r} is not a registry like registry.local:5000 or quay.io/mirror (no scheme, spaces or quotes)", r = quote(r)),
                )
                .code("calico.registry_invalid", &[&quote(r)]),
            );
        }
    }
}

/// `kubernetes.clusterName`: it names the cluster in every kubeconfig kubeadm writes; keep
/// it to the characters a kubeconfig context and a file name take as they are.
pub(super) fn check_cluster_name(a: &Answers, p: &mut Vec<Problem>) {
    if let Some(n) = &a.kubernetes.cluster_name {
        let ok = !n.is_empty()
            && n.len() <= 253
            && n.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'));
        if !ok {
            p.push(
                Problem::error(
                    "kubernetes.clusterName",
                    format!("{n} is not a cluster name: use letters, digits, '-', '.' and '_' (at most 253)", n = quote(n)),
                )
                .hint("e.g. \"kubernetes\" or \"lab-1\"")
                .code("cluster_name.invalid", &[&quote(n)]),
            );
        }
    }
}

/// The regular expression of Calico's `interface=` / `skip-interface=` autodetection: Go's
/// RE2 syntax, which calico-node compiles at start ("Invalid IP autodetection method"
/// otherwise). The Rust regex crate takes the same syntax for what an interface pattern
/// uses.
pub(super) fn regex_error(re: &str) -> Option<String> {
    match regex::Regex::new(re) {
        Ok(_) => None,
        // The crate's message echoes the whole pattern on its first lines and may echo it
        // again in the last; the last line is cut so a huge pattern stays one short line.
        Err(e) => Some(cut(
            e.to_string().lines().last().unwrap_or("invalid").trim(),
            80,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_repositories_follow_the_reference_grammar() {
        for ok in [
            "registry.k8s.io",
            "k8s.gcr.io",
            "registry.local:5000/k8s",
            "localhost/mirror",
            "[fd00::1]:5000/k8s",
            "quay.io/my_org/sub-dir",
            "docker.io/library",
            "mirror",
        ] {
            assert!(is_image_repository(ok), "{ok}");
        }
        for bad in [
            "",
            "https://registry.k8s.io",
            "registry.k8s.io/K8s",
            "a b",
            "reg\"istry",
            "registry.local:50x0",
            "registry.local/-k8s",
            "registry.local//k8s",
            "registry.local/k8s\nkind: x",
            "[fd00::1/k8s",
        ] {
            assert!(!is_image_repository(bad), "{bad:?}");
        }
    }

    #[test]
    fn calico_interface_patterns_must_compile() {
        assert!(regex_error("^ens224$").is_none());
        assert!(regex_error("^(eth|ens)[0-9]+$").is_none());
        assert!(regex_error("^ens(224$").is_some());
        assert!(regex_error("[").is_some());
    }
}
