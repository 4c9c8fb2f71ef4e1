//! What every check shares: the context it reads the cluster through, its deadline, the
//! poll loop (wait on the thing itself, keep the last error), and building a result.

use super::expect::Expected;
use super::kubectl::{Call, Kubectl};
use super::report::{CheckResult, CheckStatus};
use crate::answers::AddressFamily;
use crate::message::Said;
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How often a waiting check looks again (cilium-cli's wait.go polls every 1 s; half that
/// keeps a simulated lab's wall time close to its slowest check).
pub const POLL: Duration = Duration::from_millis(250);

/// Everything a check reads.
pub struct Cx {
    pub kubectl: Kubectl,
    pub expected: Expected,
    /// Each check's own deadline.
    pub deadline: Duration,
    /// `DSINSTALL_SIM`: the simulated lab that answers the host-side probes.
    pub sim: Option<PathBuf>,
}

impl Cx {
    /// A single kubectl call's timeout: what is left of a check's deadline, at most 15 s.
    pub fn call_timeout(&self, until: Instant) -> Duration {
        until
            .saturating_duration_since(Instant::now())
            .clamp(Duration::from_secs(2), Duration::from_secs(15))
    }

    pub fn items(&self, call: &Call, until: Instant) -> Result<Vec<Value>, Said> {
        self.kubectl.items(call, self.call_timeout(until))
    }

    pub fn get(&self, call: &Call, until: Instant) -> Result<Value, Said> {
        self.kubectl.get_json(call, self.call_timeout(until))
    }

    pub fn run(&self, call: &Call, until: Instant) -> Result<String, Said> {
        self.kubectl.run(call, self.call_timeout(until))
    }
}

/// Call `f` until it says Done or the deadline passes; the last Wait's reason is the
/// error. `f` decides from what it saw, never from how long it waited.
pub fn poll<T, E>(until: Instant, mut f: impl FnMut() -> Step<T, E>) -> Result<T, E> {
    loop {
        match f() {
            Step::Done(t) => return Ok(t),
            Step::Fail(e) => return Err(e),
            Step::Wait(e) => {
                if Instant::now() + POLL >= until {
                    return Err(e);
                }
                std::thread::sleep(POLL);
            }
        }
    }
}

/// `f` of every item at once, the results in the items' order. A check's targets (each
/// family, each server pod, each node address) are independent: one waiting out its
/// timeout on a dropped path must not hold up the others, so a check takes as long as its
/// slowest target, not the sum of them.
pub fn each<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let f = &f;
    std::thread::scope(|s| {
        let running: Vec<_> = items.iter().map(|i| s.spawn(move || f(i))).collect();
        running
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// One look of a poll. The reason is a plain string (an HTTP probe's error) or, where it
/// becomes a result's evidence (kubectl's error, a check's own words), a [`Said`].
pub enum Step<T, E = String> {
    Done(T),
    /// Not yet: why (the error kept if the deadline passes).
    Wait(E),
    /// Looking again would not change it.
    Fail(E),
}

/// Builds the results of one check, timing it from its start.
pub struct Timer {
    pub id: &'static str,
    pub start: Instant,
}

impl Timer {
    pub fn start(id: &'static str) -> Timer {
        Timer {
            id,
            start: Instant::now(),
        }
    }

    pub fn result(
        &self,
        family: Option<AddressFamily>,
        status: CheckStatus,
        evidence: impl Into<Said>,
        hint: Option<Said>,
    ) -> CheckResult {
        let evidence = evidence.into();
        let hint = hint.filter(|_| status != CheckStatus::Pass);
        CheckResult {
            id: self.id.to_string(),
            family: family.map(|f| f.as_str().to_string()),
            status,
            duration_ms: self.start.elapsed().as_millis() as u64,
            evidence: evidence.text,
            evidence_code: evidence.code,
            evidence_parts: evidence.parts,
            hint_code: hint.as_ref().and_then(|h| h.code.clone()),
            hint: hint.map(|h| h.text),
        }
    }

    pub fn pass(&self, f: Option<AddressFamily>, evidence: impl Into<Said>) -> CheckResult {
        self.result(f, CheckStatus::Pass, evidence, None)
    }
    /// A hint is always one of the module's coded texts ([`Said::coded`]), never data.
    pub fn fail(
        &self,
        f: Option<AddressFamily>,
        evidence: impl Into<Said>,
        hint: Said,
    ) -> CheckResult {
        self.result(f, CheckStatus::Fail, evidence, Some(hint))
    }
    pub fn warn(
        &self,
        f: Option<AddressFamily>,
        evidence: impl Into<Said>,
        hint: Said,
    ) -> CheckResult {
        self.result(f, CheckStatus::Warn, evidence, Some(hint))
    }
    pub fn skip(&self, f: Option<AddressFamily>, why: impl Into<Said>) -> CheckResult {
        self.result(f, CheckStatus::Skip, why, None)
    }
}

/// The family of an address string.
pub fn family_of(ip: &str) -> Option<AddressFamily> {
    match ip.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(_) => Some(AddressFamily::Ipv4),
        std::net::IpAddr::V6(_) => Some(AddressFamily::Ipv6),
    }
}

pub fn name_of(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or("")
}

/// `http://10.0.0.1:80/`, `http://[2019:30::1]:80/`.
pub fn url(ip: &str, port: u16) -> String {
    if ip.contains(':') {
        format!("http://[{ip}]:{port}/")
    } else {
        format!("http://{ip}:{port}/")
    }
}

/// `10.0.0.1:80`, `[2019:30::1]:80`.
pub fn host_port(ip: &str, port: u16) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// A pod's condition Ready is True.
pub fn pod_ready(p: &Value) -> bool {
    condition(p, "Ready").is_some_and(|c| c["status"] == "True")
}

pub fn condition<'a>(o: &'a Value, t: &str) -> Option<&'a Value> {
    o["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == t)
}

/// `status.podIPs[*].ip` (falling back to podIP).
pub fn pod_ips(p: &Value) -> Vec<String> {
    let ips: Vec<String> = p["status"]["podIPs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["ip"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if ips.is_empty() {
        p["status"]["podIP"]
            .as_str()
            .map(|s| vec![s.to_string()])
            .unwrap_or_default()
    } else {
        ips
    }
}
