//! What the checks compare the cluster with: the plan of an answers file, or — for a
//! cluster dsinstall did not install — what the cluster says of itself (the
//! kubeadm-config ConfigMap kubeadm uploads: cmd/kubeadm/app/phases/uploadconfig).

use super::kubectl::{Call, Kubectl};
use crate::answers::AddressFamily;
use crate::plan::Plan;
use ipnet::IpNet;
use std::net::IpAddr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Pool {
    pub cidr: IpNet,
    pub block_size: u8,
    /// `IPIP`, `VXLAN` or `None`.
    pub encapsulation: String,
    pub nat_outgoing: bool,
}

#[derive(Clone, Debug)]
pub struct Family {
    pub family: AddressFamily,
    pub pod_subnet: IpNet,
    pub service_subnet: IpNet,
    /// The node range size; None when not known (from the cluster alone).
    pub node_mask: Option<u8>,
    /// The Calico pool planned; None from the cluster alone (then the pool must lie in the
    /// pod subnet).
    pub pool: Option<Pool>,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub name: String,
    pub addresses: Vec<IpAddr>,
}

#[derive(Clone, Debug)]
pub struct Expected {
    /// Kubernetes minor (19 for v1.19.0).
    pub minor: u32,
    pub families: Vec<Family>,
    /// The planned nodes; empty from the cluster alone.
    pub nodes: Vec<Node>,
    pub proxy_mode: String,
    pub operator: bool,
    pub namespace: String,
    pub dns_domain: String,
    /// The rendered verify-workload.yaml; None when it could not be made.
    pub workload: Option<String>,
    /// Why there is no workload.
    pub workload_error: Option<String>,
    /// Where the expectations came from, for the report's header.
    pub source: String,
}

impl Expected {
    pub fn family(&self, f: AddressFamily) -> Option<&Family> {
        self.families.iter().find(|x| x.family == f)
    }

    pub fn from_plan(plan: &Plan, workload: Result<String, String>, source: &str) -> Expected {
        let mut nodes = vec![Node {
            name: plan.node.name.clone(),
            addresses: addrs(plan.node.ipv4, plan.node.ipv6),
        }];
        nodes.extend(plan.joins.iter().map(|j| Node {
            name: j.name.clone(),
            addresses: addrs(j.ipv4, j.ipv6),
        }));
        let (workload, workload_error) = split(workload);
        Expected {
            minor: plan.kube_version.minor,
            families: plan
                .families
                .iter()
                .map(|f| Family {
                    family: f.family,
                    pod_subnet: f.pod_subnet,
                    service_subnet: f.service_subnet,
                    node_mask: Some(f.node_mask),
                    pool: Some(Pool {
                        cidr: f.calico_pool,
                        block_size: f.block_size,
                        encapsulation: f.encapsulation.as_str().to_string(),
                        nat_outgoing: f.nat_outgoing,
                    }),
                })
                .collect(),
            nodes,
            proxy_mode: plan.proxy_mode.as_str().to_string(),
            operator: plan.calico.install == crate::answers::CalicoInstall::Operator,
            namespace: plan.verify.namespace.clone(),
            dns_domain: plan.dns_domain.clone(),
            workload,
            workload_error,
            source: source.to_string(),
        }
    }
}

fn split(w: Result<String, String>) -> (Option<String>, Option<String>) {
    match w {
        Ok(w) => (Some(w), None),
        Err(e) => (None, Some(e)),
    }
}

fn addrs(v4: Option<std::net::Ipv4Addr>, v6: Option<std::net::Ipv6Addr>) -> Vec<IpAddr> {
    v4.map(IpAddr::V4)
        .into_iter()
        .chain(v6.map(IpAddr::V6))
        .collect()
}

/// What the cluster says of itself: `ClusterConfiguration` from kubeadm-config
/// (networking.podSubnet / serviceSubnet, comma-separated; kubernetesVersion; dnsDomain),
/// kube-proxy's mode from its ConfigMap, the Calico install from where calico-node runs.
pub struct FromCluster {
    pub minor: u32,
    pub version: String,
    pub pod_subnets: Vec<IpNet>,
    pub service_subnets: Vec<IpNet>,
    pub dns_domain: String,
    pub proxy_mode: String,
    pub operator: bool,
}

pub fn read_cluster(k: &Kubectl) -> Result<FromCluster, String> {
    let t = Duration::from_secs(15);
    let cm = k
        .get_json(
            &Call::get("configmap", Some("kube-system"), Some("kubeadm-config")),
            t,
        )
        .map_err(|e| format!("kubeadm-config ConfigMap in kube-system: {}", e.text))?;
    let text = cm["data"]["ClusterConfiguration"]
        .as_str()
        .ok_or("kubeadm-config ConfigMap: no data.ClusterConfiguration")?;
    let cfg: serde_yaml::Value = serde_yaml::from_str(text)
        .map_err(|e| format!("kubeadm-config ClusterConfiguration: {e}"))?;
    let nets = |key: &str| -> Result<Vec<IpNet>, String> {
        cfg["networking"][key]
            .as_str()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .map(|n| n.trunc())
                    .map_err(|e| format!("kubeadm-config networking.{key} {s:?}: {e}"))
            })
            .collect()
    };
    let version = cfg["kubernetesVersion"].as_str().unwrap_or("").to_string();
    let minor = version
        .trim_start_matches('v')
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("kubeadm-config kubernetesVersion {version:?} is not vX.Y.Z"))?;
    let proxy_mode = k
        .get_json(
            &Call::get("configmap", Some("kube-system"), Some("kube-proxy")),
            t,
        )
        .ok()
        .and_then(|cm| {
            let conf = cm["data"]["config.conf"].as_str()?.to_string();
            let y: serde_yaml::Value = serde_yaml::from_str(&conf).ok()?;
            y["mode"].as_str().map(str::to_string)
        })
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "iptables".into());
    let operator = k
        .get_json(&Call::get("namespace", None, Some("calico-system")), t)
        .is_ok();
    Ok(FromCluster {
        minor,
        version,
        pod_subnets: nets("podSubnet")?,
        service_subnets: nets("serviceSubnet")?,
        dns_domain: cfg["networking"]["dnsDomain"]
            .as_str()
            .unwrap_or("cluster.local")
            .to_string(),
        proxy_mode,
        operator,
    })
}

impl FromCluster {
    pub fn expected(&self, workload: Result<String, String>, namespace: &str) -> Expected {
        let (workload, workload_error) = split(workload);
        let families = self
            .pod_subnets
            .iter()
            .map(|p| {
                let family = crate::plan::cidr::family_of_net(p);
                Family {
                    family,
                    pod_subnet: *p,
                    service_subnet: self
                        .service_subnets
                        .iter()
                        .find(|s| crate::plan::cidr::family_of_net(s) == family)
                        .copied()
                        .unwrap_or(*p),
                    node_mask: None,
                    pool: None,
                }
            })
            .collect();
        Expected {
            minor: self.minor,
            families,
            nodes: vec![],
            proxy_mode: self.proxy_mode.clone(),
            operator: self.operator,
            namespace: namespace.to_string(),
            dns_domain: self.dns_domain.clone(),
            workload,
            workload_error,
            source: "the cluster's kubeadm-config".into(),
        }
    }
}
