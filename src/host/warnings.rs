//! Warnings about this host, each with a stable id the wizard and scripts can match on.
//! `blocking` means the install cannot succeed until it is fixed by hand; the others are
//! things dsinstall's host-settings step changes itself, or that only deserve a look.

use super::facts::{HostFacts, HostWarning};
use super::suggest::usable_ipv6;
use super::sysctl;

fn warn(id: &str, blocking: bool, message: String) -> HostWarning {
    HostWarning {
        id: id.into(),
        blocking,
        message,
        args: Vec::new(),
        arg_codes: Default::default(),
    }
}

/// A warning whose message interpolates `args` (in this order).
fn warn_with(id: &str, blocking: bool, message: String, args: Vec<String>) -> HostWarning {
    HostWarning {
        args,
        ..warn(id, blocking, message)
    }
}

fn sysctl_is(f: &HostFacts, key: &str, v: &str) -> bool {
    f.sysctls.get(key).is_some_and(|x| x == v)
}

/// Every warning for these facts (with `suggested` already filled in), in a fixed order.
pub fn warnings(f: &HostFacts) -> Vec<HostWarning> {
    let mut out = Vec::new();
    if !f.is_root {
        out.push(warn(
            "not-root",
            true,
            "not running as root: the install changes sysctls, modules and /etc/kubernetes; run it with sudo".into(),
        ));
    }

    let ipv6_missing = !f.sysctls.contains_key("net.ipv6.conf.all.disable_ipv6")
        && f.sysctls_missing
            .iter()
            .any(|k| k == "net.ipv6.conf.all.disable_ipv6");
    let mut disabled: Vec<String> = Vec::new();
    if sysctl_is(f, "net.ipv6.conf.all.disable_ipv6", "1") {
        disabled.push("net.ipv6.conf.all.disable_ipv6 = 1".into());
    }
    if let Some(nic) = &f.suggested.ipv6_interface {
        let k = sysctl::ipv6_conf_key(nic, "disable_ipv6");
        if sysctl_is(f, &k, "1") {
            disabled.push(format!("{k} = 1"));
        }
    }
    if ipv6_missing {
        out.push(warn(
            "ipv6-disabled",
            true,
            "the kernel has no IPv6 (booted with ipv6.disable=1?): /proc/sys/net/ipv6 is missing"
                .into(),
        ));
    } else if !disabled.is_empty() {
        out.push(warn_with(
            "ipv6-disabled",
            true,
            format!(
                "IPv6 is disabled by sysctl ({}); set it to 0 and give the node its IPv6 address again",
                disabled.join(", ")
            ),
            vec![disabled.join(", ")],
        ));
    }

    let globals: Vec<&super::facts::Address> = f
        .interfaces
        .iter()
        .filter(|i| i.kind != "loopback")
        .flat_map(|i| &i.addresses)
        .filter(|a| a.family == "ipv6" && a.scope == "global")
        .collect();
    if globals.is_empty() {
        out.push(warn(
            "no-global-ipv6",
            true,
            "no interface has a global IPv6 address (link-local fe80:: addresses cannot be node IPs); configure one first".into(),
        ));
    } else if !globals.iter().any(|a| usable_ipv6(a)) {
        let list: Vec<String> = globals
            .iter()
            .map(|a| format!("{} ({})", a.address, a.flags.join(",")))
            .collect();
        out.push(warn_with(
            "no-usable-ipv6",
            true,
            format!(
                "every global IPv6 address is tentative, dadfailed, deprecated or temporary: {}",
                list.join(", ")
            ),
            vec![list.join(", ")],
        ));
    }
    let dadfailed: Vec<&str> = f
        .interfaces
        .iter()
        .flat_map(|i| &i.addresses)
        .filter(|a| a.has_flag("dadfailed"))
        .map(|a| a.address.as_str())
        .collect();
    if !dadfailed.is_empty() {
        out.push(warn_with(
            "duplicate-address",
            false,
            format!(
                "{} failed duplicate address detection: another host on the link uses it",
                dadfailed.join(", ")
            ),
            vec![dadfailed.join(", ")],
        ));
    }

    for fam in ["ipv4", "ipv6"] {
        if !f.default_routes.iter().any(|r| r.family == fam) {
            let name = if fam == "ipv4" { "IPv4" } else { "IPv6" };
            out.push(warn_with(
                &format!("no-{fam}-default-route"),
                false,
                format!(
                    "there is no {name} default route; kubeadm and Calico then need the node addresses given explicitly (export does)"
                ),
                vec![name.into()],
            ));
        }
    }

    let mut off: Vec<&str> = Vec::new();
    if !sysctl_is(f, sysctl::IP_FORWARD, "1") {
        off.push(sysctl::IP_FORWARD);
    }
    if !sysctl_is(f, "net.ipv6.conf.all.forwarding", "1") {
        off.push("net.ipv6.conf.all.forwarding");
    }
    if !off.is_empty() {
        out.push(warn_with(
            "forwarding-off",
            false,
            format!(
                "forwarding is off ({}); the rendered sysctl-kubernetes.conf turns it on",
                off.join(", ")
            ),
            vec![off.join(", ")],
        ));
    }

    // accept_ra=1 is ignored once forwarding is on (Documentation/networking/ip-sysctl.rst):
    // a default route learned from router advertisements would expire.
    if let Some(nic) = &f.suggested.ipv6_interface {
        let ra_route = f
            .default_routes
            .iter()
            .any(|r| r.family == "ipv6" && r.protocol.as_deref() == Some("ra"));
        let k = sysctl::ipv6_conf_key(nic, "accept_ra");
        if ra_route && sysctl_is(f, &k, "1") {
            out.push(warn_with(
                "ipv6-accept-ra",
                false,
                format!(
                    "the IPv6 default route comes from router advertisements and {k} = 1; with forwarding on the kernel ignores them, so set it to 2"
                ),
                vec![k],
            ));
        }
    }

    let br_loaded = f.modules.get("br_netfilter").copied().unwrap_or(false)
        || f.sysctls.contains_key(sysctl::BRIDGE_NF_IPTABLES);
    if !br_loaded {
        out.push(warn(
            "br-netfilter-missing",
            false,
            "br_netfilter is not loaded, so net.bridge.bridge-nf-call-ip6tables cannot be set; run modprobe br_netfilter".into(),
        ));
    }

    if f.swap_on {
        out.push(warn(
            "swap-on",
            true,
            "swap is on: the kubelet refuses to start with swap (failSwapOn) and kubeadm's preflight fails; run swapoff -a and remove it from /etc/fstab".into(),
        ));
    }

    if let Some(c) = &f.existing_cluster
        && !c.evidence.is_empty()
    {
        out.push(warn_with(
            "existing-cluster",
            true,
            format!(
                "a cluster was set up here before ({}); run kubeadm reset first",
                c.evidence.join(", ")
            ),
            vec![c.evidence.join(", ")],
        ));
    }

    match f.tools.get("kubeadm") {
        None | Some(None) => out.push(warn(
            "kubeadm-missing",
            false,
            "kubeadm is not on PATH (or DSINSTALL_KUBEADM); install kubeadm, kubelet and kubectl before the install".into(),
        )),
        Some(Some(t)) => {
            if let Some(why) = &t.problem {
                let mut w = warn_with(
                    "kubeadm-unusable",
                    false,
                    format!("kubeadm at {} is not usable: {why}; fix or replace it before the install", t.path),
                    vec![t.path.clone(), why.clone()],
                );
                // How its version command ended, translated in its place.
                if let Some(code) = &t.problem_code {
                    w.arg_codes.insert(1, code.clone());
                }
                out.push(w);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::facts::{Address, ExistingCluster, Tool};

    fn ids(f: &HostFacts) -> Vec<String> {
        warnings(f).into_iter().map(|w| w.id).collect()
    }

    fn seed() -> HostFacts {
        crate::host::demo_facts()
    }

    #[test]
    fn the_demo_host_warns_about_forwarding_and_br_netfilter_only() {
        assert_eq!(ids(&seed()), ["forwarding-off", "br-netfilter-missing"]);
    }

    #[test]
    fn each_condition_gives_its_id() {
        let mut f = seed();
        f.is_root = false;
        f.swap_on = true;
        f.existing_cluster = Some(ExistingCluster {
            evidence: vec!["/etc/kubernetes/admin.conf".into()],
        });
        f.tools.insert("kubeadm".into(), None);
        f.sysctls
            .insert("net.ipv6.conf.all.disable_ipv6".into(), "1".into());
        f.default_routes.clear();
        let got = ids(&f);
        for id in [
            "not-root",
            "ipv6-disabled",
            "no-ipv4-default-route",
            "no-ipv6-default-route",
            "swap-on",
            "existing-cluster",
            "kubeadm-missing",
        ] {
            assert!(got.contains(&id.to_string()), "{id} missing from {got:?}");
        }
        let w = warnings(&f);
        assert!(w.iter().find(|w| w.id == "not-root").unwrap().blocking);
        assert!(
            !w.iter()
                .find(|w| w.id == "kubeadm-missing")
                .unwrap()
                .blocking
        );
    }

    #[test]
    fn no_ipv6_in_the_kernel_is_ipv6_disabled() {
        let mut f = seed();
        f.sysctls.retain(|k, _| !k.starts_with("net.ipv6"));
        f.sysctls_missing
            .push("net.ipv6.conf.all.disable_ipv6".into());
        assert!(ids(&f).contains(&"ipv6-disabled".to_string()));
    }

    #[test]
    fn link_local_only_is_no_global_ipv6_and_unusable_is_no_usable_ipv6() {
        let mut f = seed();
        for i in &mut f.interfaces {
            i.addresses
                .retain(|a| a.family == "ipv4" || a.scope != "global");
        }
        assert!(ids(&f).contains(&"no-global-ipv6".to_string()));
        f.interfaces[2].addresses.push(Address {
            address: "2018::21".into(),
            prefix: 64,
            family: "ipv6".into(),
            scope: "global".into(),
            flags: vec!["dadfailed".into(), "tentative".into()],
            ..Default::default()
        });
        let got = ids(&f);
        assert!(got.contains(&"no-usable-ipv6".to_string()), "{got:?}");
        assert!(got.contains(&"duplicate-address".to_string()), "{got:?}");
        assert!(!got.contains(&"no-global-ipv6".to_string()));
    }

    #[test]
    fn forwarding_on_and_br_netfilter_loaded_are_quiet() {
        let mut f = seed();
        f.sysctls.insert(sysctl::IP_FORWARD.into(), "1".into());
        f.sysctls
            .insert("net.ipv6.conf.all.forwarding".into(), "1".into());
        f.modules.insert("br_netfilter".into(), true);
        f.tools.insert(
            "kubeadm".into(),
            Some(Tool {
                path: "/usr/bin/kubeadm".into(),
                version: None,
                problem: None,
                problem_code: None,
            }),
        );
        assert!(ids(&f).is_empty(), "{:?}", ids(&f));
    }

    #[test]
    fn ra_default_route_with_accept_ra_1_warns() {
        let mut f = seed();
        f.default_routes[1].protocol = Some("ra".into());
        f.sysctls
            .insert("net.ipv6.conf.ens224.accept_ra".into(), "1".into());
        assert!(ids(&f).contains(&"ipv6-accept-ra".to_string()));
        f.sysctls
            .insert("net.ipv6.conf.ens224.accept_ra".into(), "2".into());
        assert!(!ids(&f).contains(&"ipv6-accept-ra".to_string()));
    }
}
