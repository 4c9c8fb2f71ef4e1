//! Read-only facts about this machine.

pub mod facts;

pub use facts::HostFacts;

/// This machine's facts, read from the kernel (netlink, /proc, /sys) and the filesystem.
pub fn detect() -> HostFacts {
    // Placeholder until detection lands (issue 3): an empty host.
    HostFacts::default()
}

/// The answers the wizard starts from on a host with these facts (and `export` writes).
pub fn suggest_answers(_facts: &HostFacts) -> crate::answers::Answers {
    // Placeholder until detection lands (issue 3).
    crate::answers::Answers::seed()
}

/// The demo lab's node01, as detect would see it (assets/demo/host.json).
pub fn demo_facts() -> HostFacts {
    serde_json::from_str(include_str!("../../assets/demo/host.json"))
        .expect("embedded demo host facts parse")
}
