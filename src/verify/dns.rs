//! dns.aaaa: the cluster DNS answers A and AAAA for the test Service (checks.md).

use super::check::{Cx, Step, Timer, each, family_of, poll};
use super::kubectl::Call;
use super::pods;
use super::report::CheckResult;
use super::services;
use crate::answers::AddressFamily;
use crate::message::Said;

/// The sentences this check writes, by code (the wizard translates them: assets/i18n).
pub const TEXTS: &[(&str, &str)] = &[
    (
        "verify.dns.client_not_ready",
        "the client pod did not get ready (see pod.ips)",
    ),
    (
        "verify.dns.aaaa",
        "CoreDNS answers from the Services' ClusterIPs: see svc.cluster-ip for this family; if the client cannot reach kube-dns at all, check CoreDNS's pods (`kubectl -n kube-system get pods -l k8s-app=kube-dns`) — the DNS Service itself stays single-stack after install (kubernetes#101682), which is fine for AAAA answers",
    ),
    ("verify.dns.no_record", "no {0} record for {1}"),
    ("verify.dns.service", "DNS Service kube-dns {0}"),
    ("verify.dns.service_unknown", "unknown ({0})"),
    ("verify.dns.nslookup_failed", "nslookup {0}: {1}"),
];

fn say(code: &str, args: &[&dyn crate::message::Value]) -> Said {
    Said::coded(TEXTS, code, args)
}

/// The addresses in busybox nslookup's answer section (after the first `Name:` line:
/// `Address: 1.2.3.4` or the older `Address 1: 1.2.3.4 name`).
pub fn answers(out: &str) -> Vec<String> {
    out.lines()
        .skip_while(|l| !l.trim_start().starts_with("Name:"))
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("Address")?.trim_start();
            // `Address 1: ip name` (old busybox) or `Address: ip`.
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            let tok = rest.strip_prefix(':')?.split_whitespace().next()?;
            tok.parse::<std::net::IpAddr>().ok().map(|a| a.to_string())
        })
        .collect()
}

pub fn aaaa(cx: &Cx) -> Vec<CheckResult> {
    let t = Timer::start("dns.aaaa");
    let until = t.start + cx.deadline;
    let ns = cx.expected.namespace.clone();
    let dns_svc = cx
        .get(
            &Call::get("service", Some("kube-system"), Some("kube-dns")),
            until,
        )
        .map(|s| services::cluster_ips(&s).join(", "))
        .map(Said::from)
        .unwrap_or_else(|e| say("verify.dns.service_unknown", &[&e]));
    if let Err(e) = pods::client(cx, until) {
        return cx
            .expected
            .families
            .iter()
            .map(|f| {
                t.fail(
                    Some(f.family),
                    e.clone(),
                    say("verify.dns.client_not_ready", &[]),
                )
            })
            .collect();
    }
    each(&cx.expected.families, |f| {
        // From 1.20 the dual-stack Service answers both; before, one Service per family.
        let svc = if cx.expected.minor >= 20 {
            "dsinstall-web".to_string()
        } else {
            format!("dsinstall-web-{}", f.family.as_str())
        };
        let name = format!("{svc}.{ns}.svc.{}", cx.expected.dns_domain);
        let rr = if f.family == AddressFamily::Ipv6 {
            "AAAA"
        } else {
            "A"
        };
        let got = poll(until, || {
            let out = cx.run(
                &Call::Exec {
                    namespace: ns.clone(),
                    pod: pods::CLIENT.into(),
                    argv: vec!["nslookup".into(), name.clone()],
                },
                until,
            );
            match out {
                Ok(o) => {
                    let a: Vec<String> = answers(&o)
                        .into_iter()
                        .filter(|ip| family_of(ip) == Some(f.family))
                        .collect();
                    if a.is_empty() {
                        Step::Wait(say("verify.dns.no_record", &[&rr, &name]))
                    } else {
                        Step::Done(a)
                    }
                }
                Err(e) => Step::Wait(say("verify.dns.nslookup_failed", &[&name, &e])),
            }
        });
        match got {
            Ok(a) => t.pass(
                Some(f.family),
                Said::joined([
                    Said::from(format!("{rr} {name} → {}", a.join(", "))),
                    say("verify.dns.service", &[&dns_svc]),
                ]),
            ),
            Err(e) => t.fail(
                Some(f.family),
                Said::joined([e, say("verify.dns.service", &[&dns_svc])]),
                say("verify.dns.aaaa", &[]),
            ),
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_both_busybox_answer_forms() {
        let new = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.ns.svc.cluster.local\nAddress: 10.96.5.5\n\nName:\tweb.ns.svc.cluster.local\nAddress: 2019:30::5\n";
        assert_eq!(super::answers(new), ["10.96.5.5", "2019:30::5"]);
        let old = "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      web\nAddress 1: 2019:30::5 web.ns.svc.cluster.local\n";
        assert_eq!(super::answers(old), ["2019:30::5"]);
    }
}
