//! Patch an upstream Kubernetes-datastore `calico.yaml` so that it says what the plan says
//! (shared/facts/calico-dualstack.md §8, "Manifest path"): CNI IPAM assigns both families,
//! calico-node autodetects and pools both, the MTU and registry are the chosen ones.
//! Documents not patched are written back byte for byte; the patched ones keep upstream's
//! comments where the patch can be made as line edits (`text_patch`).

use super::documents::{self, Document};
use super::text_patch::{self, EnvSet};
use super::{CalicoError, cni_config, env, images};
use crate::answers::{AddressFamily, Encapsulation};
use crate::plan::{FamilyPlan, Plan};
use serde_yaml::Value;

pub fn patch_manifest(manifest: &str, plan: &Plan) -> Result<String, CalicoError> {
    let fail = |m: String| CalicoError::new(format!("calico.manifest: {m}"));
    let mut docs = documents::split(manifest)
        .and_then(documents::expand_lists)
        .map_err(fail)?;
    reject_etcd_datastore(&docs).map_err(fail)?;
    reject_duplicates(&docs).map_err(fail)?;
    check_version(&docs, plan).map_err(fail)?;
    let v4 = plan.family(AddressFamily::Ipv4);
    let v6 = plan.family(AddressFamily::Ipv6);

    let config = find(&mut docs, "ConfigMap", "calico-config").ok_or_else(|| {
        fail("no ConfigMap calico-config: this is not Calico's calico.yaml".into())
    })?;
    if let Some(backend) = config.value.as_ref().and_then(backend)
        && let Some(p) = crate::plan::backend_problems(plan, backend).first()
    {
        let hint = p
            .hint
            .as_deref()
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        return Err(CalicoError::new(format!("{}: {}{hint}", p.path, p.message)));
    }
    let cni = patch_config(config, v4.is_some(), v6.is_some(), plan.calico.mtu).map_err(fail)?;
    let mtu = plan.calico.mtu.map(|m| m.to_string());
    documents::keep_comments(config, |t| text_patch::config(t, &cni, mtu.as_deref()));

    let node = find(&mut docs, "DaemonSet", "calico-node")
        .ok_or_else(|| fail("no DaemonSet calico-node: this is not Calico's calico.yaml".into()))?;
    let env = node_env(node).map_err(fail)?;
    let sets = patch_node_env(env, v4, v6, plan);
    documents::keep_comments(node, |t| text_patch::env(t, &sets));

    if let Some(registry) = &plan.calico.registry {
        for d in docs.iter_mut() {
            if let Some(v) = d.value.as_mut()
                && matches!(
                    documents::kind_and_name(v).0,
                    Some("DaemonSet" | "Deployment")
                )
                && images::rewrite_workload(v, registry)
            {
                d.changed = true;
                documents::keep_comments(d, |t| text_patch::images(t, registry));
            }
        }
    }
    documents::join(&docs, &note(plan)).map_err(fail)
}

fn note(plan: &Plan) -> String {
    let pools: Vec<String> = plan
        .families
        .iter()
        .map(|f| format!("{} pool {}", f.family.kube_name(), f.calico_pool))
        .collect();
    format!(
        "# Patched by dsinstall for {} ({}).\n",
        if plan.is_dual_stack() {
            "dual-stack"
        } else {
            "a single family"
        },
        pools.join(", ")
    )
}

/// `calico_backend` of calico-config: what calico-node routes with (bird, vxlan, none).
pub(super) fn backend(config: &Value) -> Option<&str> {
    config.get("data")?.get("calico_backend")?.as_str()
}

fn find<'a>(docs: &'a mut [Document], kind: &str, name: &str) -> Option<&'a mut Document> {
    docs.iter_mut().find(|d| {
        d.value
            .as_ref()
            .is_some_and(|v| documents::kind_and_name(v) == (Some(kind), Some(name)))
    })
}

/// calico-etcd.yaml keeps its pools and IPAM state in etcd and needs certificates and
/// endpoints we do not ask for; the kubeadm path is the Kubernetes datastore.
fn reject_etcd_datastore(docs: &[Document]) -> Result<(), String> {
    let etcd = docs.iter().filter_map(|d| d.value.as_ref()).any(|v| {
        documents::kind_and_name(v) == (Some("Secret"), Some("calico-etcd-secrets"))
            || v.get("data")
                .and_then(|d| d.get("etcd_endpoints"))
                .is_some()
    });
    if etcd {
        return Err("this is the etcd-datastore manifest (calico-etcd.yaml); use calico.yaml, the Kubernetes-datastore manifest kubeadm clusters use".into());
    }
    Ok(())
}

/// The image of the calico-node container of calico.yaml's calico-node DaemonSet.
fn calico_node_image(docs: &[Document]) -> Option<&str> {
    docs.iter()
        .filter_map(|d| d.value.as_ref())
        .filter(|v| documents::kind_and_name(v) == (Some("DaemonSet"), Some("calico-node")))
        .filter_map(|v| {
            v.get("spec")?
                .get("template")?
                .get("spec")?
                .get("containers")
        })
        .filter_map(Value::as_sequence)
        .flatten()
        .find(|c| c.get("name").and_then(Value::as_str) == Some("calico-node"))
        .and_then(|c| c.get("image"))
        .and_then(Value::as_str)
}

/// The calico-node image of a calico.yaml and the Calico version its tag names, where it
/// has one: what [`check_version`] compares, for a reader that has not patched it yet.
pub fn calico_node_version(manifest: &str) -> Option<(String, crate::plan::CalicoVersion)> {
    let docs = documents::split(manifest)
        .and_then(documents::expand_lists)
        .ok()?;
    let image = calico_node_image(&docs)?;
    let (_, tag) = image.rsplit_once(':')?;
    let found = crate::plan::CalicoVersion::parse_reported(tag).ok()?;
    Some((image.to_string(), found))
}

/// The manifest's calico-node image tag must be the Calico version the plan was checked
/// for: the env variables we set differ between versions (e.g. CALICO_IPV6POOL_VXLAN, v3.23+).
fn check_version(docs: &[Document], plan: &Plan) -> Result<(), String> {
    let Some(image) = calico_node_image(docs) else {
        return Ok(());
    };
    let Some((_, tag)) = image.rsplit_once(':') else {
        return Ok(());
    };
    let Ok(found) = crate::plan::CalicoVersion::parse_reported(tag) else {
        return Ok(());
    };
    let want = &plan.calico_version;
    if (found.major, found.minor) != (want.major, want.minor) {
        return Err(format!(
            "the manifest is Calico {tag} (image {image}) but calico.version is {want}; use the manifest of {want} or change calico.version"
        ));
    }
    Ok(())
}

fn patch_config(
    doc: &mut Document,
    v4: bool,
    v6: bool,
    mtu: Option<u32>,
) -> Result<String, String> {
    let data = doc
        .value
        .as_mut()
        .and_then(|v| v.get_mut("data"))
        .and_then(Value::as_mapping_mut)
        .ok_or("ConfigMap calico-config has no data")?;
    let cni = data
        .get("cni_network_config")
        .and_then(Value::as_str)
        .ok_or("ConfigMap calico-config has no cni_network_config")?;
    let patched = cni_config::patch(cni, v4, v6)?;
    data.insert("cni_network_config".into(), Value::from(patched.clone()));
    if let Some(mtu) = mtu {
        // veth_mtu feeds CNI_MTU and FELIX_{IPINIP,VXLAN,WIREGUARD}MTU through configMapKeyRef.
        data.insert("veth_mtu".into(), Value::from(mtu.to_string()));
    }
    doc.changed = true;
    Ok(patched)
}

fn node_env(doc: &mut Document) -> Result<&mut Vec<Value>, String> {
    doc.changed = true;
    let containers = doc
        .value
        .as_mut()
        .and_then(|v| v.get_mut("spec"))
        .and_then(|s| s.get_mut("template"))
        .and_then(|t| t.get_mut("spec"))
        .and_then(|s| s.get_mut("containers"))
        .and_then(Value::as_sequence_mut)
        .ok_or("DaemonSet calico-node has no containers")?;
    let node = containers
        .iter_mut()
        .find(|c| c.get("name").and_then(Value::as_str) == Some("calico-node"))
        .ok_or("DaemonSet calico-node has no container named calico-node")?;
    let map = node
        .as_mapping_mut()
        .ok_or("container calico-node is not a mapping")?;
    if !map.contains_key("env") {
        map.insert("env".into(), Value::Sequence(Vec::new()));
    }
    map.get_mut("env")
        .and_then(Value::as_sequence_mut)
        .ok_or_else(|| "container calico-node's env is not a list".into())
}

fn always_never(on: bool) -> &'static str {
    if on { "Always" } else { "Never" }
}

/// The calico-node variables per family (facts §2.2). New variables go right after `IP`, in
/// a readable order; existing ones are changed in place.
fn patch_node_env(
    e: &mut Vec<Value>,
    v4: Option<&FamilyPlan>,
    v6: Option<&FamilyPlan>,
    plan: &Plan,
) -> Vec<EnvSet> {
    let row = plan.calico_row;
    let mut after = "IP".to_string();
    let mut sets = Vec::new();
    let mut put = |e: &mut Vec<Value>, name: &str, value: &str| {
        env::set(e, name, value, &after);
        sets.push(EnvSet {
            name: name.into(),
            value: value.into(),
            after: after.clone(),
        });
        after = name.to_string();
    };
    match v4 {
        Some(f) => {
            put(e, "IP", "autodetect");
            put(e, "IP_AUTODETECTION_METHOD", &f.autodetection);
        }
        None => {
            // No IPv4 on the node: BIRD still needs a 32-bit router id (facts §2.2).
            put(e, "IP", "none");
            put(e, "CALICO_ROUTER_ID", "hash");
        }
    }
    if let Some(f) = v6 {
        put(e, "IP6", "autodetect");
        put(e, "IP6_AUTODETECTION_METHOD", &f.autodetection);
    }
    match v4 {
        Some(f) => {
            put(e, "CALICO_IPV4POOL_CIDR", &f.calico_pool.to_string());
            put(e, "CALICO_IPV4POOL_BLOCK_SIZE", &f.block_size.to_string());
            put(
                e,
                "CALICO_IPV4POOL_IPIP",
                always_never(f.encapsulation == Encapsulation::Ipip),
            );
            put(
                e,
                "CALICO_IPV4POOL_VXLAN",
                always_never(f.encapsulation == Encapsulation::Vxlan),
            );
            put(
                e,
                "CALICO_IPV4POOL_NAT_OUTGOING",
                &f.nat_outgoing.to_string(),
            );
        }
        None => {
            put(e, "CALICO_IPV4POOL_IPIP", "Never");
            put(e, "CALICO_IPV4POOL_VXLAN", "Never");
            if row.pool_none {
                put(e, "CALICO_IPV4POOL_CIDR", "none");
            }
        }
    }
    if let Some(f) = v6 {
        put(e, "CALICO_IPV6POOL_CIDR", &f.calico_pool.to_string());
        put(e, "CALICO_IPV6POOL_BLOCK_SIZE", &f.block_size.to_string());
        // The default IPv6 pool has natOutgoing false: pods on a private pool could not
        // reach off-cluster IPv6 (projectcalico/calico#2954).
        put(
            e,
            "CALICO_IPV6POOL_NAT_OUTGOING",
            &f.nat_outgoing.to_string(),
        );
        if row.ipv6_vxlan {
            put(
                e,
                "CALICO_IPV6POOL_VXLAN",
                always_never(f.encapsulation == Encapsulation::Vxlan),
            );
        }
        // The manifest forces "false", and then calico-node creates no IPv6 pool either.
        put(e, "FELIX_IPV6SUPPORT", "true");
        // veth_mtu reaches FELIX_IPINIPMTU and FELIX_VXLANMTU only; the IPv6 VXLAN device
        // (Felix VXLANMTUV6, v3.23+) would auto-detect instead. The operator sets it to the
        // Installation's mtu (tigera/operator pkg/render/node.go "Set IPv6 VXLAN and
        // Wireguard MTU"); so does the patch, after FELIX_VXLANMTU.
        if let Some(mtu) = plan.calico.mtu
            && row.ipv6_vxlan
        {
            let mtu = mtu.to_string();
            env::set(e, "FELIX_VXLANMTUV6", &mtu, "FELIX_VXLANMTU");
            sets.push(EnvSet {
                name: "FELIX_VXLANMTUV6".into(),
                value: mtu,
                after: "FELIX_VXLANMTU".into(),
            });
        }
    }
    sets
}

/// One calico-config and one calico-node: with two (say two manifests concatenated), only
/// the first would be patched and the second would run unpatched beside it.
fn reject_duplicates(docs: &[Document]) -> Result<(), String> {
    for (kind, name) in [("ConfigMap", "calico-config"), ("DaemonSet", "calico-node")] {
        let n = docs
            .iter()
            .filter_map(|d| d.value.as_ref())
            .filter(|v| documents::kind_and_name(v) == (Some(kind), Some(name)))
            .count();
        if n > 1 {
            return Err(format!(
                "the manifest holds {n} {kind}s named {name}; only one can be patched (are two manifests concatenated?)"
            ));
        }
    }
    Ok(())
}
