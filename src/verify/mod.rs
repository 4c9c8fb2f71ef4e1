//! The built-in checks (checks.md): is the running cluster dual-stack, per family.
//! `report` is the shared shape every front end prints (text, `--json`, JUnit, the wizard).

pub mod report;
