//! `dsinstall detect` without `--json`: the facts as plain aligned text, one section per
//! kind of fact, the suggestions with their reasons, and the warnings.

use super::facts::HostFacts;
use super::sysctl;
use crate::terminal_text;
use std::borrow::Cow;
use std::fmt::Write;

/// The value, made safe for a terminal here so the columns are measured on what is shown,
/// or `-`.
fn or_dash(v: Option<&str>) -> Cow<'_, str> {
    match v.filter(|s| !s.is_empty()) {
        Some(s) => terminal_text::line(s),
        None => Cow::Borrowed("-"),
    }
}

/// The facts as plain aligned text, one section per kind of fact.
pub fn table(f: &HostFacts) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "host      {}  ({}; kernel {}){}",
        or_dash(Some(&f.hostname)),
        or_dash(f.os_release.as_deref()),
        or_dash(f.kernel.as_deref()),
        if f.is_root { "" } else { "  [not root]" }
    );
    if !f.hostname_addresses.is_empty() {
        let _ = writeln!(
            o,
            "/etc/hosts {} -> {}",
            terminal_text::line(&f.hostname),
            f.hostname_addresses.join(", ")
        );
    }

    let _ = writeln!(
        o,
        "\nINTERFACE        KIND      STATE  MTU    MAC                MASTER"
    );
    for i in &f.interfaces {
        let state = match (i.up, i.lower_up) {
            (true, true) => "up",
            (true, false) => "nocarr",
            _ => "down",
        };
        let _ = writeln!(
            o,
            "{:<16} {:<9} {:<6} {:<6} {:<18} {}",
            terminal_text::line(&i.name),
            i.kind,
            state,
            i.mtu,
            or_dash(i.mac.as_deref()),
            or_dash(i.master.as_deref())
        );
        for a in &i.addresses {
            let _ = writeln!(
                o,
                "    {:<42} {:<7} {}",
                format!("{}/{}", a.address, a.prefix),
                a.scope,
                a.flags.join(" ")
            );
        }
    }

    let _ = writeln!(
        o,
        "\nDEFAULT ROUTE  VIA                      DEV              PROTO"
    );
    if f.default_routes.is_empty() {
        let _ = writeln!(o, "(none)");
    }
    for r in &f.default_routes {
        let _ = writeln!(
            o,
            "{:<14} {:<24} {:<16} {}",
            r.family,
            or_dash(r.gateway.as_deref()),
            or_dash(r.interface.as_deref()),
            or_dash(r.protocol.as_deref())
        );
    }

    // The global keys and those of the suggested NICs; the JSON has every NIC.
    let _ = writeln!(o, "\nSYSCTL");
    let nics: Vec<&str> = [&f.suggested.ipv4_interface, &f.suggested.ipv6_interface]
        .into_iter()
        .filter_map(|n| n.as_deref())
        .collect();
    let mut keys: Vec<String> = vec![sysctl::IP_FORWARD.into()];
    for dev in ["all", "default"]
        .iter()
        .copied()
        .chain(nics.iter().copied())
    {
        for k in ["forwarding", "disable_ipv6", "accept_ra"] {
            let key = sysctl::ipv6_conf_key(dev, k);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys.push(sysctl::BRIDGE_NF_IPTABLES.into());
    keys.push(sysctl::BRIDGE_NF_IP6TABLES.into());
    for k in keys {
        let v = f.sysctls.get(&k).map(String::as_str).unwrap_or("(missing)");
        let _ = writeln!(o, "  {k:<44} {v}");
    }

    let _ = writeln!(o, "\nMODULES");
    let loaded: Vec<&str> = f
        .modules
        .iter()
        .filter(|(_, v)| **v)
        .map(|(k, _)| k.as_str())
        .collect();
    let absent: Vec<&str> = f
        .modules
        .iter()
        .filter(|(_, v)| !**v)
        .map(|(k, _)| k.as_str())
        .collect();
    let _ = writeln!(
        o,
        "  loaded:     {}",
        if loaded.is_empty() {
            "-".into()
        } else {
            loaded.join(" ")
        }
    );
    let _ = writeln!(
        o,
        "  not loaded: {}",
        if absent.is_empty() {
            "-".into()
        } else {
            absent.join(" ")
        }
    );
    let _ = writeln!(o, "  swap:       {}", if f.swap_on { "on" } else { "off" });

    let _ = writeln!(o, "\nTOOLS");
    for (name, t) in &f.tools {
        match t {
            Some(t) => {
                let _ = write!(
                    o,
                    "  {name:<11} {:<12} {}",
                    or_dash(t.version.as_deref()),
                    t.path
                );
                match &t.problem {
                    Some(why) => {
                        let _ = writeln!(o, " (not usable: {why})");
                    }
                    None => {
                        let _ = writeln!(o);
                    }
                }
            }
            None => {
                let _ = writeln!(o, "  {name:<11} (not found)");
            }
        }
    }
    let _ = writeln!(
        o,
        "  CRI sockets: {}",
        if f.cri_sockets.is_empty() {
            "-".into()
        } else {
            f.cri_sockets.join(", ")
        }
    );
    if let Some(c) = &f.existing_cluster {
        let _ = writeln!(o, "  existing cluster: {}", c.evidence.join(", "));
    }

    let s = &f.suggested;
    let _ = writeln!(o, "\nSUGGESTED");
    let _ = writeln!(
        o,
        "  ipv6Interface {}",
        or_dash(s.ipv6_interface.as_deref())
    );
    let _ = writeln!(o, "  ipv6          {}", or_dash(s.ipv6.as_deref()));
    let _ = writeln!(
        o,
        "  ipv4Interface {}",
        or_dash(s.ipv4_interface.as_deref())
    );
    let _ = writeln!(o, "  ipv4          {}", or_dash(s.ipv4.as_deref()));
    let _ = writeln!(
        o,
        "  vipCandidates {}",
        if s.vip_candidates.is_empty() {
            "-".into()
        } else {
            s.vip_candidates.join(", ")
        }
    );
    for r in &s.reasons {
        let _ = writeln!(o, "  - {r}");
    }

    if !f.warnings.is_empty() {
        let _ = writeln!(o, "\nWARNINGS");
        for w in &f.warnings {
            let _ = writeln!(
                o,
                "  {}{}: {}",
                w.id,
                if w.blocking { " (blocking)" } else { "" },
                w.message
            );
        }
    }
    if !f.detection_errors.is_empty() {
        let _ = writeln!(o, "\nNOT READ");
        for e in &f.detection_errors {
            let _ = writeln!(o, "  {e}");
        }
    }
    o
}
