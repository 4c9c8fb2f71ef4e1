//! The simulated Kubernetes version and what each release does differently, as far as the
//! stand-ins need it. The lab keeps its own table (not dsinstall's) so that a wrong entry in
//! dsinstall's version table shows up as a failure against the simulation.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub minor: u32,
    pub patch: u32,
}

/// The newest stable release the lab simulates: Kubernetes v1.37.0 (August 2026;
/// CHANGELOG-1.38's v1.38.0-alpha.1 counts its changes "since v1.37.0"). No 1.37 patch
/// release shows in kubernetes/kubernetes yet, so the lab stays at the .0.
pub const NEWEST: Version = Version {
    minor: 37,
    patch: 0,
};
/// The oldest: the guide's.
pub const OLDEST: Version = Version {
    minor: 19,
    patch: 0,
};

impl Version {
    /// `v1.19.0` or `1.19.0`.
    pub fn parse(s: &str) -> Result<Version, String> {
        let t = s.trim().trim_start_matches('v');
        let mut it = t.split('.');
        let (Some("1"), Some(minor), Some(patch), None) =
            (it.next(), it.next(), it.next(), it.next())
        else {
            return Err(format!("{s:?} is not a Kubernetes version like v1.28.4"));
        };
        let minor: u32 = minor
            .parse()
            .map_err(|_| format!("{s:?}: bad minor version"))?;
        let patch: u32 = patch
            .parse()
            .map_err(|_| format!("{s:?}: bad patch version"))?;
        let v = Version { minor, patch };
        if v < OLDEST || v.minor > NEWEST.minor {
            return Err(format!(
                "{s:?}: the lab simulates Kubernetes {OLDEST} to v1.{}.x",
                NEWEST.minor
            ));
        }
        Ok(v)
    }

    pub fn at_least(self, minor: u32) -> bool {
        self.minor >= minor
    }

    /// Whether kubeadm prints its errors with `error: ` in front (and a failed preflight as
    /// its `[ERROR …]` block on its own, then `error: error execution phase preflight:
    /// preflight checks failed`): from 1.34, kubernetes/kubernetes#132080, listed in
    /// CHANGELOG-1.34 under v1.34.0-alpha.1 ("Kubeadm: consistently print an 'error: '
    /// prefix before errors."); it added cmd/kubeadm/app/util/errors/errors.go, whose
    /// exitWithCode writes `error: %s`, and preflight's handleError (checks.go), which
    /// prints the block and returns `preflight checks failed`.
    pub fn errors_prefixed(self) -> bool {
        self.at_least(34)
    }

    /// Whether kubeadm puts the `kubeadm.alpha.kubernetes.io/cri-socket` annotation on the
    /// Nodes it creates: until 1.33. From 1.34 the NodeLocalCRISocket feature gate is on by
    /// default (beta, kubernetes/kubernetes#131981; kubeadm's feature-gate table in
    /// kubernetes/website#51503) and kubeadm keeps each node's CRI endpoint in the kubelet's
    /// instance configuration instead of the annotation.
    pub fn annotates_cri_socket(self) -> bool {
        !self.at_least(34)
    }

    /// kubeadm's default image registry: k8s.gcr.io until 1.24, registry.k8s.io from 1.25
    /// (kubernetes/kubernetes#109938; the 1.23/1.24 patch backports are not simulated).
    pub fn default_image_repository(self) -> &'static str {
        if self.at_least(25) {
            "registry.k8s.io"
        } else {
            "k8s.gcr.io"
        }
    }

    /// The etcd image tag kubeadm pins (cmd/kubeadm/app/constants/constants.go,
    /// SupportedEtcdVersion) for the minors the tests use; others take the nearest below.
    pub fn etcd_tag(self) -> &'static str {
        match self.minor {
            19 => "3.4.13-0",
            20 => "3.4.13-0",
            21 => "3.4.13-0",
            22 => "3.5.0-0",
            23 => "3.5.1-0",
            24 => "3.5.3-0",
            25 => "3.5.4-0",
            26 => "3.5.6-0",
            27 => "3.5.7-0",
            28 => "3.5.9-0",
            29 => "3.5.10-0",
            30 => "3.5.12-0",
            31 => "3.5.15-0",
            32 => "3.5.16-0",
            33 => "3.5.21-0",
            34 => "3.6.4-0",
            35 | 36 => "3.6.5-0",
            // etcd 3.7 from 1.37: 3.7.0-rc.0 in v1.37.0-alpha.1 (kk#139427), the released
            // 3.7.0 before code freeze (kk#141032: "We already bumped etcd v3.7.0"; 3.7.1
            // waits for 1.38). The `-0` image suffix is kubeadm's usual one.
            _ => "3.7.0-0",
        }
    }

    /// CoreDNS image (name, tag) per minor (constants.go CoreDNSVersion; the image moved to
    /// `coredns/coredns` under the registry in 1.21).
    pub fn coredns(self) -> (&'static str, &'static str) {
        match self.minor {
            19 => ("coredns", "1.7.0"),
            20 => ("coredns", "1.7.0"),
            21 => ("coredns/coredns", "v1.8.0"),
            22 => ("coredns/coredns", "v1.8.4"),
            23 => ("coredns/coredns", "v1.8.6"),
            24 => ("coredns/coredns", "v1.8.6"),
            25 => ("coredns/coredns", "v1.9.3"),
            26 => ("coredns/coredns", "v1.9.3"),
            27 => ("coredns/coredns", "v1.10.1"),
            28 => ("coredns/coredns", "v1.10.1"),
            29 => ("coredns/coredns", "v1.11.1"),
            30 => ("coredns/coredns", "v1.11.1"),
            31 => ("coredns/coredns", "v1.11.3"),
            32 => ("coredns/coredns", "v1.11.3"),
            33 => ("coredns/coredns", "v1.12.0"),
            34..=36 => ("coredns/coredns", "v1.12.1"),
            // v1.14.3 in v1.37.0-alpha.1 (kk#138536), v1.14.6 before code freeze
            // (kk#140497, July 2026); v1.14.7 (kk#141462) merged after 1.37's freeze.
            _ => ("coredns/coredns", "v1.14.6"),
        }
    }

    /// The pause image tag kubeadm lists (constants.go PauseVersion). 1.36 and 1.37 keep
    /// 1.34's tag here: no upstream change to PauseVersion for them could be confirmed.
    pub fn pause_tag(self) -> &'static str {
        match self.minor {
            19 | 20 => "3.2",
            21 => "3.4.1",
            22 => "3.5",
            23 | 24 => "3.6",
            25 => "3.8",
            26..=30 => "3.9",
            31..=33 => "3.10",
            _ => "3.10.1",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}.{}", self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_bounds() {
        assert_eq!(
            Version::parse("v1.19.0").unwrap(),
            Version {
                minor: 19,
                patch: 0
            }
        );
        assert_eq!(Version::parse("1.31.2").unwrap().to_string(), "v1.31.2");
        assert!(Version::parse("v1.18.0").is_err());
        assert!(Version::parse("v1.19").is_err());
        assert!(Version::parse("v2.0.0").is_err());
        assert_eq!(Version::parse("v1.37.0").unwrap(), NEWEST);
        assert_eq!(
            Version::parse("v1.38.0").unwrap_err(),
            "\"v1.38.0\": the lab simulates Kubernetes v1.19.0 to v1.37.x"
        );
    }
}
