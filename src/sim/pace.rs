//! How fast the stand-ins go: `fast` for tests (no waiting), `real` for demos and training
//! (about as long as a real kubeadm init on a small VM). Faults `slow:` and `hang:` act here.

use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pace {
    Fast,
    Real,
}

impl Pace {
    pub fn parse(s: &str) -> Result<Pace, String> {
        match s {
            "fast" => Ok(Pace::Fast),
            "real" => Ok(Pace::Real),
            _ => Err(format!("--pace {s}: use fast or real")),
        }
    }

    /// Wait as a step of `real_secs` seconds would.
    pub fn wait(self, real_secs: f64) {
        if self == Pace::Real && real_secs > 0.0 {
            std::thread::sleep(Duration::from_secs_f64(real_secs));
        }
    }
}

/// What the faults say about a step: its extra delay, or that it never ends.
pub fn step_delay(faults: &[String], step: &str) {
    if faults.iter().any(|f| f == &format!("hang:{step}")) {
        // A hung step: the process stays until it is killed, as a wedged kubeadm does.
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    if faults.iter().any(|f| f == &format!("slow:{step}")) {
        std::thread::sleep(SLOW);
    }
}

/// How long a `slow:` step is held up, at any pace: long enough to see, short enough for a
/// test to wait through.
pub const SLOW: Duration = Duration::from_secs(5);
