//! What `dsinstall detect` prints for the demo lab's node01 (assets/demo/host.json).

use dsinstall::host::{demo_facts, table::table};

#[test]
fn demo_node01_table() {
    insta::assert_snapshot!(table(&demo_facts()));
}

#[test]
fn an_empty_host_prints_every_section_without_panicking() {
    let t = table(&Default::default());
    for section in [
        "INTERFACE",
        "DEFAULT ROUTE",
        "SYSCTL",
        "MODULES",
        "TOOLS",
        "SUGGESTED",
    ] {
        assert!(t.contains(section), "{section} missing:\n{t}");
    }
    assert!(t.contains("(none)"));
    assert!(t.contains("[not root]"));
}
