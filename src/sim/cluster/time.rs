//! Times as the API server writes them (RFC 3339, seconds, UTC), without a date crate.

use crate::clock::civil;

pub fn now_secs() -> u64 {
    crate::clock::now_secs()
}

/// Milliseconds since the epoch: for latencies shorter than the API's one-second times.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// `2026-12-01T22:30:00Z`.
pub fn rfc3339(secs: u64) -> String {
    let (y, m, d) = civil((secs / 86_400) as i64);
    let t = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// (month, day, hour, minute, second) for klog's header.
pub fn month_day_hms(secs: u64) -> (u32, u32, u64, u64, u64) {
    let (_, m, d) = civil((secs / 86_400) as i64);
    let t = secs % 86_400;
    (m, d, t / 3600, t / 60 % 60, t % 60)
}

/// kubectl's AGE column: `45s`, `12m`, `3h51m`, `4d`.
pub fn age(since: u64, now: u64) -> String {
    let s = now.saturating_sub(since);
    match s {
        0..=119 => format!("{s}s"),
        120..=3599 => format!("{}m", s / 60),
        3600..=86_399 => {
            let (h, m) = (s / 3600, s / 60 % 60);
            if m == 0 || h >= 8 {
                format!("{h}h")
            } else {
                format!("{h}h{m}m")
            }
        }
        _ => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_796_164_200), "2026-12-01T22:30:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(age(0, 14_040), "3h54m");
    }
}
