//! host.sysctl: this node's forwarding and bridge settings (checks.md), read with
//! `sysctl -n` (a stand-in on the simulated lab, procps on a real node).

use super::check::Timer;
use super::report::CheckResult;
use crate::answers::AddressFamily;
use crate::io::child::Command;
use std::time::Duration;

fn keys(f: AddressFamily) -> &'static [&'static str] {
    match f {
        AddressFamily::Ipv4 => &["net.ipv4.ip_forward", "net.bridge.bridge-nf-call-iptables"],
        AddressFamily::Ipv6 => &[
            "net.ipv6.conf.all.forwarding",
            "net.ipv6.conf.default.forwarding",
            "net.bridge.bridge-nf-call-ip6tables",
        ],
    }
}

fn read(key: &str) -> Result<String, String> {
    let cmd = Command::new("sysctl")
        .args(["-n", key])
        .timeout(Duration::from_secs(5));
    let got = cmd
        .capture()
        .map_err(|e| format!("cannot run sysctl: {e}"))?;
    if got.finished.success() {
        Ok(got.output.trim().to_string())
    } else {
        Err(super::kubectl::last_lines(&got.output, 1))
    }
}

pub fn sysctl(families: &[AddressFamily]) -> Vec<CheckResult> {
    let t = Timer::start("host.sysctl");
    families
        .iter()
        .map(|&f| {
            let mut seen = vec![];
            let mut bad = vec![];
            for k in keys(f) {
                match read(k) {
                    Ok(v) if v == "1" => seen.push(format!("{k} = 1")),
                    Ok(v) => bad.push(format!("{k} = {v}")),
                    Err(e) => bad.push(format!("{k}: {e}")),
                }
            }
            if bad.is_empty() {
                t.pass(Some(f), seen.join(", "))
            } else {
                t.fail(
                    Some(f),
                    bad.into_iter().chain(seen).collect::<Vec<_>>().join(", "),
                    "write them to /etc/sysctl.d/kubernetes.conf (dsinstall render writes it as sysctl-kubernetes.conf), `modprobe br_netfilter` for the bridge keys, then `sysctl --system`",
                )
            }
        })
        .collect()
}
