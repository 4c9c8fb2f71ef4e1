//! The upstream Calico manifests the demo carries, so that its Preview, Export and Install
//! work without a download: the guide's v3.15.3 and a current v3.32.1, byte for byte as
//! published (their sources and checksums: tests/fixtures/calico/SOURCES.md, where the
//! tests' copies are). Answers of another Calico minor get no bundled manifest: the demo
//! then says what render says on a real node.

use crate::plan::CalicoVersion;

pub struct Bundled {
    /// The file name it is written under beside exported answers.
    pub name: &'static str,
    pub text: &'static str,
    major: u32,
    minor: u32,
}

pub const BUNDLED: &[Bundled] = &[
    Bundled {
        name: "calico-v3.15.3.yaml",
        text: include_str!("../../assets/demo/calico-v3.15.3.yaml"),
        major: 3,
        minor: 15,
    },
    Bundled {
        name: "calico-v3.32.1.yaml",
        text: include_str!("../../assets/demo/calico-v3.32.1.yaml"),
        major: 3,
        minor: 32,
    },
];

/// The bundled manifest for `calico.version` (same major.minor), if the demo has one.
pub fn for_version(calico_version: &str) -> Option<&'static Bundled> {
    let v = CalicoVersion::parse(calico_version).ok()?;
    BUNDLED
        .iter()
        .find(|b| (b.major, b.minor) == (v.major, v.minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bundled_manifest_is_the_version_it_is_named_for() {
        assert_eq!(for_version("v3.15.3").unwrap().name, "calico-v3.15.3.yaml");
        assert_eq!(for_version("v3.32.0").unwrap().name, "calico-v3.32.1.yaml");
        assert!(for_version("v3.28.2").is_none());
        assert!(for_version("junk").is_none());
        for b in BUNDLED {
            let v = b
                .name
                .trim_start_matches("calico-")
                .trim_end_matches(".yaml");
            assert!(
                b.text.contains(&format!("calico/node:{v}")),
                "{} does not run calico/node:{v}",
                b.name
            );
        }
    }
}
