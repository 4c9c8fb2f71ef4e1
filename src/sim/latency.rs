//! How long the simulated cluster takes to answer, set per kind (`dsinstall sim --latency
//! KIND=DURATION`): a distant API server, pods that take time to pull and start, a slow DNS.
//! They make the lab's waits real, so that a demo shows them, a lab can teach them, and the
//! checks' parallelism can be measured (benches/verify_latency.rs).
//!
//! Unset kinds take the pace's default: nothing at `fast`; at `real`, pods start in 3 s (an
//! image already pulled, a container started: the kubelet's usual few seconds).

use crate::sim::pace::Pace;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The kinds, their effect, and their default at `--pace real` (ms).
pub const KINDS: &[(&str, &str, u64)] = &[
    (
        "api",
        "every kubectl request waits this long for the API server (--request-timeout shorter than it fails as kubectl's client timeout does)",
        0,
    ),
    (
        "pod-start",
        "a Pod on the pod network turns Running and Ready this long after it was created",
        3000,
    ),
    (
        "http",
        "wget and nc from a Pod get their answer this long after they start",
        0,
    ),
    (
        "dns",
        "nslookup from a Pod gets its answer this long after it starts",
        0,
    ),
    (
        "node-port",
        "the host's HTTP probe of a NodePort gets its answer this long after it starts",
        0,
    ),
];

/// The latencies set for a lab, in milliseconds; `None`: the pace's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub set: std::collections::BTreeMap<String, u64>,
}

impl Latency {
    /// Set one kind from `KIND=DURATION` (`5s`, `500ms`, `1.5s`, `0`).
    pub fn apply(&mut self, spec: &str) -> Result<(), String> {
        let (kind, value) = spec
            .split_once('=')
            .ok_or_else(|| format!("--latency {spec}: use KIND=DURATION, e.g. pod-start=5s"))?;
        if !KINDS.iter().any(|(k, _, _)| *k == kind) {
            let names: Vec<&str> = KINDS.iter().map(|(k, _, _)| *k).collect();
            return Err(format!(
                "--latency {spec}: {kind:?} is not a latency of this lab (one of {})",
                names.join(", ")
            ));
        }
        let ms = parse_duration_ms(value).ok_or_else(|| {
            format!("--latency {spec}: {value:?} is not a duration like 5s or 500ms (at most 10m)")
        })?;
        self.set.insert(kind.to_string(), ms);
        Ok(())
    }

    /// The latency in force for `kind` at `pace`.
    pub fn of(&self, kind: &str, pace: Pace) -> Duration {
        let ms = self.set.get(kind).copied().unwrap_or_else(|| match pace {
            Pace::Fast => 0,
            Pace::Real => KINDS
                .iter()
                .find(|(k, _, _)| *k == kind)
                .map_or(0, |(_, _, d)| *d),
        });
        Duration::from_millis(ms)
    }

    /// Hold up the caller for `kind`'s latency.
    pub fn wait(&self, kind: &str, pace: Pace) {
        let d = self.of(kind, pace);
        if !d.is_zero() {
            std::thread::sleep(d);
        }
    }
}

/// `5s`, `500ms`, `1.5s`, `2m`, `0` in milliseconds; None beyond 10 minutes (a typo, not a lab).
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, unit_ms) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000.0)
    } else if s == "0" {
        ("0", 1.0)
    } else {
        return None;
    };
    let v: f64 = num
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
    let ms = (v * unit_ms).round();
    (ms <= 600_000.0).then_some(ms as u64)
}

/// The text of `--list-faults`' latency part.
pub fn listing() -> String {
    let mut s = String::from("\nLatencies (--latency KIND=DURATION; default at --pace real):\n");
    for (k, what, d) in KINDS {
        let default = if *d == 0 {
            "0".to_string()
        } else {
            format!("{}s", *d as f64 / 1000.0)
        };
        s.push_str(&format!("{k:<18} {what} [{default}]\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_their_units_and_refuse_the_rest() {
        assert_eq!(parse_duration_ms("5s"), Some(5000));
        assert_eq!(parse_duration_ms("500ms"), Some(500));
        assert_eq!(parse_duration_ms("1.5s"), Some(1500));
        assert_eq!(parse_duration_ms("2m"), Some(120_000));
        assert_eq!(parse_duration_ms("0"), Some(0));
        for bad in ["5", "-1s", "fast", "", "11m", "NaNs", "1h"] {
            assert_eq!(parse_duration_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn unset_kinds_take_the_paces_default() {
        let mut l = Latency::default();
        assert_eq!(l.of("pod-start", Pace::Fast), Duration::ZERO);
        assert_eq!(l.of("pod-start", Pace::Real), Duration::from_secs(3));
        l.apply("pod-start=0").unwrap();
        assert_eq!(l.of("pod-start", Pace::Real), Duration::ZERO);
        l.apply("dns=1s").unwrap();
        assert_eq!(l.of("dns", Pace::Fast), Duration::from_secs(1));
        let e = l.apply("disk=1s").unwrap_err();
        assert!(
            e.contains("\"disk\" is not a latency") && e.contains("pod-start"),
            "{e}"
        );
        assert!(l.apply("dns").unwrap_err().contains("KIND=DURATION"));
    }
}
