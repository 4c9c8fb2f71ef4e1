//! Read-only facts about this machine.

pub mod facts;

pub use facts::HostFacts;

/// The demo lab's node01, as detect would see it (assets/demo/host.json).
pub fn demo_facts() -> HostFacts {
    serde_json::from_str(include_str!("../../assets/demo/host.json"))
        .expect("embedded demo host facts parse")
}
