//! host.sysctl: this node's forwarding and bridge settings (checks.md), read with
//! `sysctl -n` (a stand-in on the simulated lab, procps on a real node). For IPv6 also
//! `accept_ra = 2` on every device whose default route was learned from router
//! advertisements (the routes from the kernel, netlink): with forwarding on, `accept_ra = 1`
//! makes the kernel ignore RAs (Documentation/networking/ip-sysctl.rst, accept_ra), so the
//! route expires with its lifetime and the node loses IPv6 egress some minutes later.

use super::check::Timer;
use super::report::CheckResult;
use crate::answers::AddressFamily;
use crate::io::child::Command;
use crate::message::Said;
use std::net::IpAddr;
use std::time::Duration;

/// The sentences this check writes, by code (the wizard translates them: assets/i18n).
pub const TEXTS: &[(&str, &str)] = &[
    (
        "verify.host.sysctl.accept_ra",
        "with forwarding on the kernel ignores router advertisements unless accept_ra is 2: `sysctl -w {0}` and add {1} to /etc/sysctl.d/kubernetes.conf, or give the node a static IPv6 default route",
    ),
    (
        "verify.host.sysctl.write",
        "write them to /etc/sysctl.d/kubernetes.conf (dsinstall render writes it as sysctl-kubernetes.conf), `modprobe br_netfilter` for the bridge keys, then `sysctl --system`",
    ),
    (
        "verify.host.sysctl.ra_default",
        "{0} = 2 (default route from RAs)",
    ),
    (
        "verify.host.sysctl.ra_ignored",
        "{0} = {1}, but the IPv6 default route via {2} comes from router advertisements",
    ),
];

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

/// The devices of this node's IPv6 default routes that came from router advertisements.
/// `only_with`: keep only devices holding one of these addresses — on the simulated lab
/// this machine's own routes (a laptop's Wi-Fi) are not the lab node's.
fn ra_devices(only_with: Option<&[IpAddr]>) -> Vec<String> {
    let Ok((ifaces, _)) = crate::host::nics::read() else {
        return Vec::new();
    };
    let Ok((routes, _)) = crate::host::routes::read(&crate::host::nics::names_by_index(&ifaces))
    else {
        return Vec::new();
    };
    ra_devices_of(&routes)
        .into_iter()
        .filter(|dev| match only_with {
            None => true,
            Some(ips) => ifaces.iter().any(|i| {
                &i.name == dev
                    && i.addresses.iter().any(|a| {
                        a.address
                            .parse::<IpAddr>()
                            .is_ok_and(|ip| ips.contains(&ip))
                    })
            }),
        })
        .collect()
}

fn ra_devices_of(routes: &[crate::host::facts::DefaultRoute]) -> Vec<String> {
    let mut out: Vec<String> = routes
        .iter()
        .filter(|r| r.family == "ipv6" && r.protocol.as_deref() == Some("ra"))
        .filter_map(|r| r.interface.clone())
        .collect();
    out.dedup();
    out
}

pub fn sysctl(families: &[AddressFamily], only_with: Option<&[IpAddr]>) -> Vec<CheckResult> {
    let t = Timer::start("host.sysctl");
    let ra = if families.contains(&AddressFamily::Ipv6) {
        ra_devices(only_with)
    } else {
        Vec::new()
    };
    families
        .iter()
        .map(|&f| {
            let mut seen = vec![];
            let mut bad = vec![];
            for k in keys(f) {
                match read(k) {
                    Ok(v) if v == "1" => seen.push(Said::from(format!("{k} = 1"))),
                    Ok(v) => bad.push(Said::from(format!("{k} = {v}"))),
                    Err(e) => bad.push(Said::from(format!("{k}: {e}"))),
                }
            }
            let mut ra_bad = Vec::new();
            if f == AddressFamily::Ipv6 {
                for dev in &ra {
                    let k = crate::host::sysctl::ipv6_conf_key(dev, "accept_ra");
                    match read(&k) {
                        Ok(v) if v == "2" => {
                            seen.push(Said::coded(TEXTS, "verify.host.sysctl.ra_default", &[&k]))
                        }
                        Ok(v) => ra_bad.push((
                            k.clone(),
                            Said::coded(TEXTS, "verify.host.sysctl.ra_ignored", &[&k, &v, dev]),
                        )),
                        Err(e) => ra_bad.push((k.clone(), Said::from(format!("{k}: {e}")))),
                    }
                }
            }
            if bad.is_empty() && !ra_bad.is_empty() {
                let keys: Vec<&str> = ra_bad.iter().map(|(k, _)| k.as_str()).collect();
                let set = keys
                    .iter()
                    .map(|k| format!("{k}=2"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let lines = keys
                    .iter()
                    .map(|k| format!("`{k} = 2`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let fix = Said::coded(TEXTS, "verify.host.sysctl.accept_ra", &[&set, &lines]);
                return t.fail(
                    Some(f),
                    Said::listed(ra_bad.into_iter().map(|(_, e)| e).chain(seen)),
                    fix,
                );
            }
            bad.extend(ra_bad.into_iter().map(|(_, e)| e));
            if bad.is_empty() {
                t.pass(Some(f), Said::listed(seen))
            } else {
                t.fail(
                    Some(f),
                    Said::listed(bad.into_iter().chain(seen)),
                    Said::coded(TEXTS, "verify.host.sysctl.write", &[]),
                )
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::facts::DefaultRoute;

    fn route(family: &str, dev: &str, protocol: &str) -> DefaultRoute {
        DefaultRoute {
            family: family.into(),
            interface: Some(dev.into()),
            gateway: Some("fe80::1".into()),
            protocol: Some(protocol.into()),
            metric: Some(1024),
        }
    }

    #[test]
    fn only_ipv6_defaults_learned_from_ras_need_accept_ra_2() {
        let routes = [
            route("ipv4", "ens192", "ra"),
            route("ipv6", "ens224", "ra"),
            route("ipv6", "ens256", "static"),
        ];
        assert_eq!(ra_devices_of(&routes), ["ens224"]);
        assert!(ra_devices_of(&[route("ipv6", "ens224", "boot")]).is_empty());
    }
}
