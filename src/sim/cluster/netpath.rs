//! Whether a packet gets there, inside the simulation: pod to pod across nodes (Calico's
//! encapsulation or BGP routes per family), Service ClusterIPs (kube-proxy in that family,
//! ready endpoints), NodePorts (ipvs on IPv6 before 1.22 programs none: kubeadm#2205,
//! fixed by kubernetes/kubernetes#101429), cluster DNS.

use super::Cluster;
use super::calico::Calico;
use super::pods::PodRec;
use crate::sim::version::Version;
use serde_json::Value;
use std::net::IpAddr;

/// Why a connection fails: timed out (no route, dropped) or refused (no endpoints).
#[derive(Debug, PartialEq, Eq)]
pub enum Fail {
    Timeout,
    Refused,
    NoRoute,
}

pub struct Net<'a> {
    pub c: &'a Cluster,
    pub v: Version,
    pub calico: Option<Calico>,
    pub faults: &'a [String],
    /// The lab's pod-start latency: a Pod not yet started answers nothing.
    pub pod_start: std::time::Duration,
}

fn is_v4(ip: &str) -> bool {
    ip.parse::<IpAddr>().map(|a| a.is_ipv4()).unwrap_or(true)
}

impl<'a> Net<'a> {
    pub fn new(c: &'a Cluster, v: Version, faults: &'a [String]) -> Net<'a> {
        Net {
            c,
            v,
            calico: super::calico::from_cluster(c, faults),
            faults,
            pod_start: std::time::Duration::ZERO,
        }
    }

    /// With the lab's pod-start latency (sim::latency).
    pub fn with_pod_start(mut self, d: std::time::Duration) -> Net<'a> {
        self.pod_start = d;
        self
    }

    fn pod_ready(&self, p: &PodRec) -> bool {
        let Some(node) = &p.node else { return false };
        let crash = self.calico.as_ref().is_some_and(|c| {
            p.name.starts_with("calico-node-") && c.crash.iter().any(|(n, _)| n == node)
        });
        !crash && (p.host_network || !p.ips.is_empty()) && p.started(self.pod_start)
    }

    /// Pod-network traffic of one family between two nodes.
    pub fn nodes_route(&self, from: &str, to: &str, v4: bool) -> bool {
        if from == to {
            return true;
        }
        let Some(cal) = &self.calico else {
            return false;
        };
        let Some(pool) = cal.pools.iter().find(|p| p.cidr.addr().is_ipv4() == v4) else {
            return false;
        };
        if pool.vxlan != "Never" && (v4 || cal.minor >= 23) {
            return true;
        }
        if v4 && pool.ipip != "Never" {
            return cal.backend == "bird";
        }
        // Native routing needs BGP routes for this family.
        cal.backend == "bird" && (v4 || cal.ipv6_bgp)
    }

    fn pod_by_ip(&self, ip: &str) -> Option<&PodRec> {
        self.c
            .pods
            .iter()
            .find(|p| !p.host_network && p.ips.iter().any(|i| i == ip))
    }

    fn service_by_ip(&self, ip: &str) -> Option<&Value> {
        let (key, _) = self
            .c
            .service_ips
            .iter()
            .find(|(_, ips)| ips.iter().any(|i| i == ip))?;
        let (ns, name) = key.split_once('/')?;
        super::objects::find(self.c, "Service", ns, name)
    }

    /// kube-proxy programs this family: both when it runs dual-stack, else the primary one.
    fn proxy_family(&self, v4: bool) -> bool {
        let primary_v4 = self
            .c
            .service_ranges
            .first()
            .map(|r| is_v4(r.split('/').next().unwrap_or("")))
            .unwrap_or(true);
        self.c.proxy_dual || primary_v4 == v4
    }

    /// Ready endpoints of a Service in one family, with their target port.
    pub fn endpoints(&self, svc: &Value, v4: bool) -> Vec<&PodRec> {
        let Some(sel) = svc["spec"]["selector"].as_object() else {
            return Vec::new();
        };
        let ns = svc["metadata"]["namespace"].as_str().unwrap_or("default");
        self.c
            .pods
            .iter()
            .filter(|p| {
                p.namespace == ns
                    && sel
                        .iter()
                        .all(|(k, v)| p.labels.get(k).map(String::as_str) == v.as_str())
            })
            .filter(|p| self.pod_ready(p) && p.ips.iter().any(|i| is_v4(i) == v4))
            .collect()
    }

    /// From a pod (by its node and addresses) to `ip:port`.
    pub fn connect(&self, from: &PodRec, ip: &str, port: u16) -> Result<(), Fail> {
        let v4 = is_v4(ip);
        let from_node = from.node.as_deref().unwrap_or("");
        if !from.host_network && !from.ips.iter().any(|i| is_v4(i) == v4) {
            // No address of this family in the pod: connect() fails at once.
            return Err(Fail::NoRoute);
        }
        if let Some(svc) = self.service_by_ip(ip) {
            return self.via_service(from_node, svc, v4, port, false);
        }
        if let Some(p) = self.pod_by_ip(ip) {
            if !self.pod_ready(p) {
                return Err(Fail::Refused);
            }
            return if self.nodes_route(from_node, p.node.as_deref().unwrap_or(""), v4) {
                Ok(())
            } else {
                Err(Fail::Timeout)
            };
        }
        if let Some(n) = self.c.nodes.iter().find(|n| {
            n.internal_ips.iter().any(|i| i == ip)
                || n.host_ipv4.as_deref() == Some(ip)
                || n.host_ipv6.as_deref() == Some(ip)
        }) {
            if let Some(svc) = self.nodeport_service(port) {
                return self.nodeport(&n.name, svc, v4);
            }
            return if port == 6443 && n.control_plane {
                Ok(())
            } else {
                Err(Fail::Refused)
            };
        }
        Err(Fail::Timeout)
    }

    fn nodeport_service(&self, port: u16) -> Option<&Value> {
        self.c.objects.iter().find(|o| {
            o["kind"] == "Service"
                && o["spec"]["ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["nodePort"].as_u64() == Some(port as u64))
        })
    }

    fn nodeport(&self, node: &str, svc: &Value, v4: bool) -> Result<(), Fail> {
        if !v4 && self.c.proxy_mode == "ipvs" && !self.v.at_least(22) {
            return Err(Fail::Timeout);
        }
        self.via_service(node, svc, v4, 0, true)
    }

    fn via_service(
        &self,
        from_node: &str,
        svc: &Value,
        v4: bool,
        _port: u16,
        nodeport: bool,
    ) -> Result<(), Fail> {
        if !self.proxy_family(v4) {
            return Err(Fail::Timeout);
        }
        // A ClusterIP of this family must exist unless reached through a NodePort, where
        // kube-proxy forwards to endpoints of the node address's family.
        let has_family = svc["spec"]["clusterIPs"]
            .as_array()
            .map(|a| a.iter().any(|i| i.as_str().is_some_and(|s| is_v4(s) == v4)))
            .unwrap_or_else(|| {
                svc["spec"]["clusterIP"]
                    .as_str()
                    .is_some_and(|s| is_v4(s) == v4)
            });
        if !has_family && !nodeport {
            return Err(Fail::Timeout);
        }
        if nodeport && !has_family {
            return Err(Fail::Timeout);
        }
        let eps = self.endpoints(svc, v4);
        if eps.is_empty() {
            return Err(Fail::Refused);
        }
        if eps
            .iter()
            .any(|p| self.nodes_route(from_node, p.node.as_deref().unwrap_or(""), v4))
        {
            Ok(())
        } else {
            Err(Fail::Timeout)
        }
    }

    /// The cluster DNS answer for a name: A and AAAA records, or why there is none.
    pub fn resolve(&self, from: &PodRec, name: &str) -> Result<Vec<String>, Fail> {
        let dns = super::objects::find(self.c, "Service", "kube-system", "kube-dns")
            .ok_or(Fail::Timeout)?;
        let dns_ip = dns["spec"]["clusterIP"].as_str().unwrap_or("");
        self.connect(from, dns_ip, 53)?;
        let domain = &self.c.dns_domain;
        let ns_default = from.namespace.clone();
        let trimmed = name.trim_end_matches('.');
        let (svc, ns) = match trimmed.strip_suffix(&format!(".svc.{domain}")) {
            Some(rest) => rest
                .split_once('.')
                .map(|(s, n)| (s.to_string(), n.to_string()))
                .unwrap_or((rest.to_string(), ns_default)),
            None => match trimmed.split_once('.') {
                Some((s, n)) if !n.contains('.') => (s.to_string(), n.to_string()),
                Some(_) => return Err(Fail::Refused),
                None => (trimmed.to_string(), ns_default),
            },
        };
        let ips = self
            .c
            .service_ips
            .iter()
            .find(|(k, _)| *k == format!("{ns}/{svc}"))
            .map(|(_, ips)| ips.clone())
            .ok_or(Fail::Refused)?;
        Ok(ips)
    }

    /// A host-side probe (verify's HTTP to a NodePort): from the first node.
    pub fn from_host(&self, ip: &str, port: u16) -> Result<(), Fail> {
        let first = self
            .c
            .nodes
            .first()
            .map(|n| n.name.clone())
            .unwrap_or_default();
        let host = PodRec {
            name: "host".into(),
            namespace: "default".into(),
            uid: String::new(),
            created: 0,
            created_ms: 0,
            node: Some(first),
            host_network: true,
            ips: Vec::new(),
            labels: Default::default(),
            owner_kind: String::new(),
            owner_name: String::new(),
            spec: Value::Null,
        };
        self.connect(&host, ip, port)
    }
}
