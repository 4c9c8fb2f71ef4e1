//! No host facts, however odd, make the suggestion rules or the exported answers panic; and
//! what they suggest is always a usable address on the suggested interface.

use dsinstall::host::facts::{Address, DefaultRoute, HostFacts, Interface, Tool};
use dsinstall::host::{finish, suggest, suggest_answers};
use proptest::prelude::*;

fn ip_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u32>().prop_map(|v| std::net::Ipv4Addr::from(v).to_string()),
        any::<u128>().prop_map(|v| std::net::Ipv6Addr::from(v).to_string()),
        // Addresses near the seed's, so rules meet and collide.
        (0u8..4).prop_map(|n| format!("111.111.111.12{n}")),
        (0u8..4).prop_map(|n| format!("2018::2{n}")),
        Just("fe80::1".to_string()),
        Just("10.244.1.1".to_string()),
        Just("fd00:10:244::5".to_string()),
        ".{0,12}",
    ]
}

fn address() -> impl Strategy<Value = Address> {
    let flags = prop::collection::vec(
        prop_oneof![
            Just("tentative".to_string()),
            Just("deprecated".to_string()),
            Just("dadfailed".to_string()),
            Just("noprefixroute".to_string()),
            Just("temporary".to_string()),
            Just("secondary".to_string()),
            Just("permanent".to_string()),
            Just("nodad".to_string()),
            ".{0,6}",
        ],
        0..4,
    );
    (
        ip_text(),
        any::<u8>(),
        prop_oneof![Just("ipv4"), Just("ipv6"), Just("")],
        prop_oneof![
            Just("global"),
            Just("link"),
            Just("host"),
            Just("site"),
            Just("7")
        ],
        flags,
    )
        .prop_map(|(address, prefix, family, scope, flags)| Address {
            address,
            prefix,
            family: family.into(),
            scope: scope.into(),
            flags,
            ..Default::default()
        })
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ens192".to_string()),
        Just("ens224".to_string()),
        Just("lo".to_string()),
        Just("eth0.100".to_string()),
        "[a-z0-9.()$^-]{0,8}",
    ]
}

fn interface() -> impl Strategy<Value = Interface> {
    (
        name(),
        any::<bool>(),
        prop_oneof![
            Just("ether"),
            Just("loopback"),
            Just("veth"),
            Just("bridge")
        ],
        prop::collection::vec(address(), 0..5),
    )
        .prop_map(|(name, up, kind, addresses)| Interface {
            name,
            up,
            kind: kind.into(),
            mtu: 1500,
            addresses,
            ..Default::default()
        })
}

fn route() -> impl Strategy<Value = DefaultRoute> {
    (
        prop_oneof![Just("ipv4"), Just("ipv6"), Just("x")],
        prop::option::of(name()),
        prop::option::of(ip_text()),
    )
        .prop_map(|(family, interface, gateway)| DefaultRoute {
            family: family.into(),
            interface,
            gateway,
            ..Default::default()
        })
}

fn facts() -> impl Strategy<Value = HostFacts> {
    (
        ".{0,20}",
        prop::collection::vec(ip_text(), 0..3),
        prop::collection::vec(interface(), 0..5),
        prop::collection::vec(route(), 0..3),
        prop::option::of(prop_oneof![
            Just("v1.19.0".to_string()),
            Just("v1.24.3".to_string()),
            Just("v1.999.0".to_string()),
            ".{0,10}",
        ]),
        prop::collection::vec(
            prop_oneof![
                Just("/var/run/dockershim.sock".to_string()),
                Just("/run/containerd/containerd.sock".to_string()),
                ".{0,10}",
            ],
            0..3,
        ),
        any::<bool>(),
    )
        .prop_map(
            |(hostname, hostname_addresses, interfaces, default_routes, kubeadm, cri, swap)| {
                let mut f = HostFacts {
                    hostname,
                    hostname_addresses,
                    interfaces,
                    default_routes,
                    cri_sockets: cri,
                    swap_on: swap,
                    ..Default::default()
                };
                f.tools.insert(
                    "kubeadm".into(),
                    kubeadm.map(|v| Tool {
                        path: "/usr/bin/kubeadm".into(),
                        version: Some(v),
                        problem: None,
                        problem_code: None,
                    }),
                );
                f
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn suggestions_never_panic_and_point_at_usable_addresses(mut f in facts()) {
        finish(&mut f);
        let s = suggest::suggest(&f);
        prop_assert_eq!(&s, &f.suggested);
        if let Some(ip) = &s.ipv6 {
            let on_nic = f
                .interfaces
                .iter()
                .filter(|i| Some(&i.name) == s.ipv6_interface.as_ref())
                .flat_map(|i| &i.addresses)
                .any(|a| &a.address == ip && suggest::usable_ipv6(a));
            prop_assert!(on_nic, "{} is not a usable address of {:?}", ip, s.ipv6_interface);
        }
        if let Some(ip) = &s.ipv4 {
            let usable = f
                .interfaces
                .iter()
                .flat_map(|i| &i.addresses)
                // A /32 only as the GCP-style fallback on the default route's device.
                .any(|a| {
                    &a.address == ip
                        && suggest::usable_ipv4(&Address {
                            prefix: a.prefix.min(31),
                            ..a.clone()
                        })
                        && (a.prefix < 32 || s.reasons.iter().any(|r| r.contains("only /32")))
                });
            prop_assert!(usable, "{} is not a usable IPv4", ip);
            prop_assert!(!s.vip_candidates.contains(ip));
        }
        // Warnings are stable ids, never empty.
        prop_assert!(f.warnings.iter().all(|w| !w.id.is_empty() && !w.message.is_empty()));
        let a = suggest_answers(&f);
        // What export writes always reads back.
        let back = dsinstall::answers::Answers::from_yaml(&a.to_yaml(), "prop");
        prop_assert!(back.is_ok(), "{:?}", back);
        let _ = dsinstall::plan::check(&a);
    }

    #[test]
    fn facts_survive_the_json_round_trip(mut f in facts()) {
        finish(&mut f);
        let json = serde_json::to_string(&f).unwrap();
        let back: HostFacts = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, f);
    }
}
