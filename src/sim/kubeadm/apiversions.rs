//! Which kubeadm config API versions a kubeadm release takes, and what it says about the
//! others (cmd/kubeadm/app/util/config/common.go, validateSupportedVersion, over the
//! releases: v1beta1 removed in 1.22 (#101129), v1beta2 deprecated in 1.24 (#107013) and
//! removed in 1.27 (#114540), v1beta3 added in 1.22 and deprecated from 1.31, v1beta4
//! experimental behind --allow-experimental-api from 1.28 (#118866) and usable from 1.31
//! (#125029), v1beta3 removed in 1.37 and a placeholder v1 added, "flagged as experimental"
//! (#136016, CHANGELOG-1.37)).

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
        "v1beta3" if m <= 36 => Support::Deprecated,
        // 1.37's words, as users quote them (apache/cloudstack#14183 on v1.37.0,
        // microsoft/kata-containers#552): "Please use kubeadm v1.36 instead".
        "v1beta3" => Support::Old("v1.36"),
        "v1beta4" if m < 28 => Support::Unknown,
        "v1beta4" if m <= 30 => Support::Experimental,
        "v1beta4" => Support::Ok,
        "v1" if m >= 37 => Support::Experimental,
        _ => Support::Unknown,
    }
}

/// The migrate command kubeadm's messages suggest: `old.yaml`/`new.yaml` up to 1.36,
/// `old-config-file`/`new-config-file` in 1.37 (apache/cloudstack#14183 quotes v1.37.0's
/// refusal of v1beta3 in full).
fn migrate_command(v: Version) -> &'static str {
    if v.at_least(37) {
        "kubeadm config migrate --old-config old-config-file --new-config new-config-file"
    } else {
        "kubeadm config migrate --old-config old.yaml --new-config new.yaml"
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
        "your configuration file uses an old API spec: {gv:?}{kind_part}. Please use kubeadm {use_release} instead and run '{}', which will write the new, similar spec using a newer API version.",
        migrate_command(v)
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
        "your configuration file uses a deprecated API spec: {gv:?}{kind_part}. Please use '{}', which will write the new, similar spec using a newer API version.",
        migrate_command(v)
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
        assert_eq!(support(v(36), "v1beta3"), Support::Deprecated);
        assert_eq!(support(v(36), "v1"), Support::Unknown);
        assert_eq!(support(v(37), "v1beta3"), Support::Old("v1.36"));
        assert_eq!(support(v(37), "v1beta4"), Support::Ok);
        assert_eq!(support(v(37), "v1"), Support::Experimental);
    }

    #[test]
    fn the_137_refusal_of_v1beta3_in_its_own_words() {
        assert_eq!(
            old_message(v(37), "v1beta3", "ClusterConfiguration", "v1.36"),
            "your configuration file uses an old API spec: \"kubeadm.k8s.io/v1beta3\" (kind: \"ClusterConfiguration\"). Please use kubeadm v1.36 instead and run 'kubeadm config migrate --old-config old-config-file --new-config new-config-file', which will write the new, similar spec using a newer API version."
        );
    }
}
