//! The CA pin a join trusts the API server by: `sha256:` and the hex SHA-256 of the CA
//! certificate's DER SubjectPublicKeyInfo, as kubeadm computes it
//! (cmd/kubeadm/app/util/pubkeypin/pubkeypin.go, `Hash`: sha256 over
//! `certificate.RawSubjectPublicKeyInfo`). The same value as
//! `openssl x509 -pubkey -in ca.crt | openssl rsa -pubin -outform der | openssl dgst -sha256`.

use sha2::{Digest, Sha256};
use x509_cert::der::{DecodePem, Encode};

/// The pin of the first certificate in `pem`.
pub fn of_pem(pem: &str) -> Result<String, String> {
    let start = pem
        .find("-----BEGIN CERTIFICATE-----")
        .ok_or("it holds no PEM certificate")?;
    let end = pem[start..]
        .find("-----END CERTIFICATE-----")
        .map(|e| start + e + "-----END CERTIFICATE-----".len())
        .ok_or("its certificate has no END line")?;
    let cert = x509_cert::Certificate::from_pem(&pem.as_bytes()[start..end])
        .map_err(|e| format!("its certificate does not parse: {e}"))?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| format!("its public key does not encode: {e}"))?;
    let hex: String = Sha256::digest(&spki)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(format!("sha256:{hex}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CA as `kubeadm init` makes one, and its pin as `openssl ... dgst -sha256` printed it
    /// (tests/fixtures/pki: made with openssl req -x509 -newkey rsa:2048 -subj /CN=kubernetes).
    #[test]
    fn matches_openssl_on_a_fixture() {
        let pem = include_str!("../../tests/fixtures/pki/ca.crt");
        let want = include_str!("../../tests/fixtures/pki/ca.pin").trim();
        assert_eq!(of_pem(pem).unwrap(), want);
    }

    #[test]
    fn rejects_what_is_not_a_certificate() {
        assert!(of_pem("").is_err());
        assert!(of_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").is_err());
    }
}
