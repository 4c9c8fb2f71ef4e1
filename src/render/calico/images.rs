//! Registry rewrite for air-gapped nodes: every container image of a pod template is pulled
//! from the chosen registry instead. v3.15 images have no registry (`calico/node:v3.15.3`,
//! implicitly docker.io), v3.24–v3.30 say `docker.io/`, v3.31+ `quay.io/`
//! (shared/facts/calico-dualstack.md §6).

use serde_yaml::Value;

/// `calico/node:v3.15.3` or `quay.io/calico/node:v3.32.1` → `<registry>/calico/node:...`.
pub fn rewrite(image: &str, registry: &str) -> String {
    let registry = registry.trim_end_matches('/');
    let path = match image.split_once('/') {
        // A first component with a dot or a port, or `localhost`, names a registry
        // (the rule Docker's reference parser uses).
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            rest
        }
        _ => image,
    };
    format!("{registry}/{path}")
}

/// Rewrite the images of every container and init container of a workload's pod template;
/// true when anything changed.
pub fn rewrite_workload(doc: &mut Value, registry: &str) -> bool {
    let Some(spec) = doc
        .get_mut("spec")
        .and_then(|s| s.get_mut("template"))
        .and_then(|t| t.get_mut("spec"))
    else {
        return false;
    };
    let mut changed = false;
    for list in ["initContainers", "containers"] {
        let Some(containers) = spec.get_mut(list).and_then(Value::as_sequence_mut) else {
            continue;
        };
        for c in containers {
            if let Some(image) = c.get_mut("image")
                && let Some(old) = image.as_str()
            {
                let new = rewrite(old, registry);
                if new != old {
                    *image = Value::from(new);
                    changed = true;
                }
            }
        }
    }
    changed
}

/// Every container and init container image of every workload in a manifest stream, in
/// order, each once: what the manifest makes the nodes pull.
pub fn workload_images(stream: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(stream) {
        let Ok(v) = <Value as serde::Deserialize>::deserialize(doc) else {
            continue;
        };
        let Some(spec) = v
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("spec"))
        else {
            continue;
        };
        for list in ["initContainers", "containers"] {
            for c in spec
                .get(list)
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
            {
                if let Some(i) = c.get("image").and_then(Value::as_str)
                    && !out.iter().any(|o| o == i)
                {
                    out.push(i.to_string());
                }
            }
        }
    }
    out
}

/// The tag of an image reference (`quay.io/calico/node:v3.32.1` → `v3.32.1`); None for a
/// digest or no tag.
pub fn tag(image: &str) -> Option<&str> {
    let last = image.rsplit('/').next()?;
    if image.contains('@') {
        return None;
    }
    last.split_once(':').map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::{rewrite, tag};

    #[test]
    fn tags_of_image_references() {
        assert_eq!(tag("quay.io/calico/node:v3.32.1"), Some("v3.32.1"));
        assert_eq!(
            tag("registry.local:5000/calico/node:v3.15.3"),
            Some("v3.15.3")
        );
        assert_eq!(tag("registry.local:5000/calico/node"), None);
        assert_eq!(tag("calico/node@sha256:abc"), None);
    }

    #[test]
    fn every_upstream_form_moves_to_the_registry() {
        let r = "registry.local:5000";
        assert_eq!(
            rewrite("calico/node:v3.15.3", r),
            "registry.local:5000/calico/node:v3.15.3"
        );
        assert_eq!(
            rewrite("docker.io/calico/cni:v3.24.0", r),
            "registry.local:5000/calico/cni:v3.24.0"
        );
        assert_eq!(
            rewrite("quay.io/calico/node:v3.32.1", "registry.local:5000/"),
            "registry.local:5000/calico/node:v3.32.1"
        );
        assert_eq!(
            rewrite("localhost/calico/x:1", r),
            "registry.local:5000/calico/x:1"
        );
        assert_eq!(rewrite("busybox", r), "registry.local:5000/busybox");
    }
}
