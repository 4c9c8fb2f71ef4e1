//! What a run records about itself in its state directory, beyond the journal: which
//! answers it was started from (a fingerprint, so changed answers are refused on resume)
//! and when its secrets were made (the bootstrap token lives 24 h, the certificate key
//! 2 h: kubeadm's defaults, cmd/kubeadm/app/constants/constants.go DefaultTokenDuration
//! and the upload-certs Secret's TTL).

use sha2::{Digest, Sha256};

pub const TOKEN_LIFETIME_SECS: u64 = 24 * 3600;
pub const CERTIFICATE_KEY_LIFETIME_SECS: u64 = 2 * 3600;

/// The fingerprint of an answers file's bytes: `sha256:<hex>`.
pub fn fingerprint(answers: &[u8]) -> String {
    let d = Sha256::digest(answers);
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Whether a secret made at `created` (Unix seconds) has outlived `lifetime` at `now`.
pub fn expired(created: u64, lifetime: u64, now: u64) -> bool {
    now.saturating_sub(created) >= lifetime
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_tell_answers_apart() {
        assert_eq!(fingerprint(b"a"), fingerprint(b"a"));
        assert_ne!(fingerprint(b"a"), fingerprint(b"b"));
        assert!(fingerprint(b"").starts_with("sha256:e3b0c442"));
    }

    #[test]
    fn secrets_expire_at_their_lifetime() {
        assert!(!expired(0, CERTIFICATE_KEY_LIFETIME_SECS, 7199));
        assert!(expired(0, CERTIFICATE_KEY_LIFETIME_SECS, 7200));
        assert!(!expired(100, TOKEN_LIFETIME_SECS, 50));
    }
}
