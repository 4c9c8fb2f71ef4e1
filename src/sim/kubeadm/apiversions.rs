//! Which kubeadm config API versions a kubeadm release takes, and what it says about the
//! others (cmd/kubeadm/app/util/config/common.go, validateSupportedVersion, over the
//! releases: v1beta1 removed in 1.22 (#101129), v1beta2 deprecated in 1.24 (#107013) and
//! removed in 1.27 (#114540), v1beta3 added in 1.22 and deprecated from 1.31, v1beta4
//! experimental behind --allow-experimental-api from 1.28 (#118866) and usable from 1.31
//! (#125029)).

use crate::sim::version::Version;

/// How a release treats one kubeadm API version.
#[derive(Debug, PartialEq, Eq)]
pub enum Support {
    Ok,
    /// Taken, with kubeadm's deprecation warning.
    Deprecated,
    /// Refused with "uses an old API spec ... Please use kubeadm <release>".
    Old(&'static str),
    /// Known to the scheme but only behind --allow-experimental-api.
    Experimental,
    /// Not in the scheme at all: `no kind "X" is registered for version ...`.
    Unknown,
}

pub fn support(v: Version, api: &str) -> Support {
    let m = v.minor;
    match api {
        "v1beta1" if m <= 21 => Support::Deprecated,
        "v1beta1" => Support::Old("v1.15"),
        "v1beta2" if m <= 23 => Support::Ok,
        "v1beta2" if m <= 26 => Support::Deprecated,
        "v1beta2" => Support::Old("v1.22"),
        "v1beta3" if m < 22 => Support::Unknown,
        "v1beta3" if m <= 30 => Support::Ok,
        "v1beta3" => Support::Deprecated,
        "v1beta4" if m < 28 => Support::Unknown,
        "v1beta4" if m <= 30 => Support::Experimental,
        "v1beta4" => Support::Ok,
        _ => Support::Unknown,
    }
}

/// kubeadm's own error or warning text for a document of `kind` at `kubeadm.k8s.io/<api>`.
/// From 1.31 the messages name the kind too.
pub fn old_message(v: Version, api: &str, kind: &str, use_release: &str) -> String {
    let gv = format!("kubeadm.k8s.io/{api}");
    let kind_part = if v.at_least(31) {
        format!(" (kind: {kind:?})")
    } else {
        String::new()
    };
    format!(
        "your configuration file uses an old API spec: {gv:?}{kind_part}. Please use kubeadm {use_release} instead and run 'kubeadm config migrate --old-config old.yaml --new-config new.yaml', which will write the new, similar spec using a newer API version."
    )
}

pub fn deprecated_message(v: Version, api: &str, kind: &str) -> String {
    let gv = format!("kubeadm.k8s.io/{api}");
    let kind_part = if v.at_least(31) {
        format!(" (kind: {kind:?})")
    } else {
        String::new()
    };
    format!(
        "your configuration file uses a deprecated API spec: {gv:?}{kind_part}. Please use 'kubeadm config migrate --old-config old.yaml --new-config new.yaml', which will write the new, similar spec using a newer API version."
    )
}

pub fn experimental_message(api: &str, kind: &str) -> String {
    format!(
        "experimental API spec: \"kubeadm.k8s.io/{api}\" (kind: {kind:?}) is not allowed. You can use the --allow-experimental-api flag if the command supports it."
    )
}

/// The scheme's refusal, as users quote it (kubernetes/kubeadm issues, kainstall#35).
pub fn unknown_message(api: &str, kind: &str) -> String {
    format!(
        "no kind {kind:?} is registered for version \"kubeadm.k8s.io/{api}\" in scheme \"k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/scheme/scheme.go:31\""
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(m: u32) -> Version {
        Version { minor: m, patch: 0 }
    }

    #[test]
    fn per_release_table() {
        assert_eq!(support(v(19), "v1beta2"), Support::Ok);
        assert_eq!(support(v(19), "v1beta3"), Support::Unknown);
        assert_eq!(support(v(22), "v1beta1"), Support::Old("v1.15"));
        assert_eq!(support(v(22), "v1beta3"), Support::Ok);
        assert_eq!(support(v(24), "v1beta2"), Support::Deprecated);
        assert_eq!(support(v(27), "v1beta2"), Support::Old("v1.22"));
        assert_eq!(support(v(28), "v1beta4"), Support::Experimental);
        assert_eq!(support(v(31), "v1beta3"), Support::Deprecated);
        assert_eq!(support(v(31), "v1beta4"), Support::Ok);
        assert_eq!(support(v(36), "v1beta4"), Support::Ok);
    }
}
