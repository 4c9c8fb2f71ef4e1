//! `calico-installation.yaml` for `calico.install: operator`: the tigera-operator
//! `Installation` with one pool per family, explicit node address autodetection, and the
//! `APIServer` where the Calico version ships one (shared/facts/calico-dualstack.md §5).

use super::CalicoError;
use crate::answers::Encapsulation;
use crate::plan::{FamilyPlan, Plan};
use serde_yaml::{Mapping, Value};

/// custom-resources.yaml has carried an `APIServer` since Calico v3.20
/// (calico@v3.20.0:_includes/content/non-helm-manifests/custom-resources.yaml; absent at
/// v3.19.0; from v3.24 the file is manifests/custom-resources.yaml).
const APISERVER_SINCE_MINOR: u32 = 20;
/// IPPool `name` arrived with operator v1.34 (Calico v3.28; operator api/v1 IPPool.Name).
const POOL_NAME_SINCE_MINOR: u32 = 28;

pub fn installation(plan: &Plan) -> Result<String, CalicoError> {
    let mut network = Mapping::new();
    network.insert("bgp".into(), "Enabled".into());
    if let Some(mtu) = plan.calico.mtu {
        network.insert("mtu".into(), Value::from(mtu));
    }
    let pools: Vec<Value> = plan.families.iter().map(|f| pool(f, plan)).collect();
    network.insert("ipPools".into(), Value::Sequence(pools));
    for f in &plan.families {
        // Set explicitly: left unset, the operator defaults IPv6 to firstFound, which picks
        // whichever address the kernel lists first (projectcalico/calico#9349).
        let key = match f.family {
            crate::answers::AddressFamily::Ipv4 => "nodeAddressAutodetectionV4",
            crate::answers::AddressFamily::Ipv6 => "nodeAddressAutodetectionV6",
        };
        let method = autodetection(&f.autodetection).map_err(|m| {
            CalicoError::new(format!(
                "calico.{}AutodetectionMethod: {m}",
                f.family.as_str()
            ))
        })?;
        network.insert(key.into(), method);
    }
    let mut spec = Mapping::new();
    if let Some(registry) = &plan.calico.registry {
        // The operator concatenates `<registry><imagePath>/...`: the value must end with a
        // slash (operator api/v1 InstallationSpec.Registry).
        let registry = format!("{}/", registry.trim_end_matches('/'));
        spec.insert("registry".into(), Value::from(registry));
    }
    spec.insert("calicoNetwork".into(), Value::Mapping(network));
    let mut out =
        String::from("# The tigera-operator Installation for this plan, written by dsinstall.\n");
    out.push_str(if plan.calico_row.operator_crds_separate {
        // From v3.30 tigera-operator.yaml holds no CRDs (CalicoMinor::operator_crds_separate).
        "# Create after operator-crds.yaml and tigera-operator.yaml of the same Calico version.\n"
    } else {
        "# Create after tigera-operator.yaml of the same Calico version.\n"
    });
    out.push_str(&object("Installation", Value::Mapping(spec))?);
    if plan.calico_row.minor >= APISERVER_SINCE_MINOR {
        out.push_str("---\n");
        out.push_str(&object("APIServer", Value::Mapping(Mapping::new()))?);
    }
    Ok(out)
}

fn object(kind: &str, spec: Value) -> Result<String, CalicoError> {
    let mut metadata = Mapping::new();
    metadata.insert("name".into(), "default".into());
    let mut m = Mapping::new();
    m.insert("apiVersion".into(), "operator.tigera.io/v1".into());
    m.insert("kind".into(), kind.into());
    m.insert("metadata".into(), Value::Mapping(metadata));
    m.insert("spec".into(), spec);
    serde_yaml::to_string(&m).map_err(|e| CalicoError::new(format!("{kind}: {e}")))
}

fn pool(f: &FamilyPlan, plan: &Plan) -> Value {
    let mut m = Mapping::new();
    if plan.calico_row.minor >= POOL_NAME_SINCE_MINOR {
        m.insert(
            "name".into(),
            Value::from(format!("default-{}-ippool", f.family.as_str())),
        );
    }
    m.insert("cidr".into(), Value::from(f.calico_pool.to_string()));
    m.insert("blockSize".into(), Value::from(f.block_size));
    let encapsulation = match f.encapsulation {
        Encapsulation::Ipip => "IPIP",
        Encapsulation::Vxlan => "VXLAN",
        Encapsulation::None => "None",
    };
    m.insert("encapsulation".into(), encapsulation.into());
    let nat = if f.nat_outgoing {
        "Enabled"
    } else {
        "Disabled"
    };
    m.insert("natOutgoing".into(), nat.into());
    m.insert("nodeSelector".into(), "all()".into());
    Value::Mapping(m)
}

/// calico-node's method string → the operator's NodeAddressAutodetection (one field set).
fn autodetection(method: &str) -> Result<Value, String> {
    let mut m = Mapping::new();
    let (kind, arg) = method.split_once('=').unwrap_or((method, ""));
    match (kind, arg) {
        ("first-found", "") => m.insert("firstFound".into(), true.into()),
        ("interface", a) if !a.is_empty() => m.insert("interface".into(), a.into()),
        ("skip-interface", a) if !a.is_empty() => m.insert("skipInterface".into(), a.into()),
        ("can-reach", a) if !a.is_empty() => m.insert("canReach".into(), a.into()),
        ("cidr", a) if !a.is_empty() => {
            let cidrs = a.split(',').map(|c| Value::from(c.trim())).collect();
            m.insert("cidrs".into(), Value::Sequence(cidrs))
        }
        ("kubernetes-internal-ip", "") => m.insert("kubernetes".into(), "NodeInternalIP".into()),
        _ => return Err(format!("{method:?} has no operator equivalent")),
    };
    Ok(Value::Mapping(m))
}

#[cfg(test)]
mod tests {
    use super::autodetection;

    #[test]
    fn methods_map_to_one_operator_field() {
        let y = |m| serde_yaml::to_string(&autodetection(m).unwrap()).unwrap();
        assert_eq!(y("first-found"), "firstFound: true\n");
        assert_eq!(y("interface=^ens224$"), "interface: ^ens224$\n");
        assert_eq!(
            y("cidr=2018::/64, fd00::/8"),
            "cidrs:\n- 2018::/64\n- fd00::/8\n"
        );
        assert_eq!(y("kubernetes-internal-ip"), "kubernetes: NodeInternalIP\n");
        assert_eq!(
            y("can-reach=2001:4860::8888"),
            "canReach: 2001:4860::8888\n"
        );
        assert!(autodetection("interface=").is_err());
        assert!(autodetection("bogus").is_err());
    }
}
