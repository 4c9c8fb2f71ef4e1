//! The cluster CA kubeadm makes on init: a real self-signed RSA-2048 certificate (kubeadm's
//! default key type, cmd/kubeadm/app/util/pkiutil/pki_helpers.go), valid ten years, with the
//! subject `CN=kubernetes`, so that the CA public-key hash joins are pinned to
//! (`sha256:` of the DER SubjectPublicKeyInfo, cmd/kubeadm/app/util/pubkeypin/pubkeypin.go)
//! can be computed from DIR/root/etc/kubernetes/pki/ca.crt with openssl as on a real node.

use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use sha2::{Digest, Sha256};
use std::str::FromStr;
use std::time::Duration;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{Encode, EncodePem};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

/// The CA as files: certificate and key in PEM, and the pin joins use.
pub struct Ca {
    pub cert_pem: String,
    pub key_pem: String,
    pub hash: String,
}

/// kubeadm's CA validity (constants.go CACertificateValidityPeriod: 10 years).
const TEN_YEARS: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

pub fn new_ca() -> Result<Ca, String> {
    let mut rng = rand_core::OsRng;
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| format!("CA key: {e}"))?;
    let public = key.to_public_key();
    let spki_der = public
        .to_public_key_der()
        .map_err(|e| format!("CA public key: {e}"))?;
    let spki = SubjectPublicKeyInfoOwned::try_from(spki_der.as_bytes())
        .map_err(|e| format!("CA public key: {e}"))?;
    let mut serial = [0u8; 8];
    getrandom::fill(&mut serial).map_err(|e| format!("CA serial: {e}"))?;
    serial[0] &= 0x7f;
    let name = Name::from_str("CN=kubernetes").map_err(|e| format!("CA subject: {e}"))?;
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone());
    let builder = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::new(&serial).map_err(|e| format!("CA serial: {e}"))?,
        Validity::from_now(TEN_YEARS).map_err(|e| format!("CA validity: {e}"))?,
        name,
        spki,
        &signer,
    )
    .map_err(|e| format!("CA certificate: {e}"))?;
    let cert = builder
        .build::<rsa::pkcs1v15::Signature>()
        .map_err(|e| format!("CA certificate: {e}"))?;
    let cert_pem = cert
        .to_pem(LineEnding::LF)
        .map_err(|e| format!("CA certificate: {e}"))?;
    let key_pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("CA key: {e}"))?
        .to_string();
    let spki_bytes = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| format!("CA public key: {e}"))?;
    Ok(Ca {
        cert_pem,
        key_pem,
        hash: pin(&spki_bytes),
    })
}

/// `sha256:<hex>` of a DER SubjectPublicKeyInfo.
pub fn pin(spki_der: &[u8]) -> String {
    let d = Sha256::digest(spki_der);
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Random lowercase hex of `bytes` bytes (the certificate key is 32 bytes, 64 hex).
pub fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    let _ = getrandom::fill(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A bootstrap token `[a-z0-9]{6}.[a-z0-9]{16}` (cmd/kubeadm/app/util/... bootstraputil).
pub fn random_token() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut b = [0u8; 22];
    let _ = getrandom::fill(&mut b);
    let s: String = b
        .iter()
        .map(|x| CHARS[*x as usize % CHARS.len()] as char)
        .collect();
    format!("{}.{}", &s[..6], &s[6..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_is_a_parseable_self_signed_certificate_with_its_pin() {
        use x509_cert::der::DecodePem;
        let ca = new_ca().unwrap();
        let cert = x509_cert::Certificate::from_pem(ca.cert_pem.as_bytes()).unwrap();
        assert_eq!(cert.tbs_certificate.subject.to_string(), "CN=kubernetes");
        assert_eq!(cert.tbs_certificate.issuer, cert.tbs_certificate.subject);
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap();
        assert_eq!(pin(&spki), ca.hash);
        assert_eq!(ca.hash.len(), "sha256:".len() + 64);
        assert!(ca.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    }

    #[test]
    fn tokens_have_kubeadms_shape() {
        let t = random_token();
        let (id, secret) = t.split_once('.').unwrap();
        assert_eq!((id.len(), secret.len()), (6, 16));
        assert!(
            t.chars()
                .all(|c| c == '.' || c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }
}
