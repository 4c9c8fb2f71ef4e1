//! Checks that need this host: a pure function of the answers, their plan and the detected
//! `HostFacts` (data in, problems out), so the wizard, `plan --host` and `apply` report the
//! same list, and tests feed it facts. `plan` alone stays host-free (`check`).

use super::version::KubeVersion;
use super::{Plan, Problem};
use crate::answers::Answers;
use crate::host::facts::HostFacts;
use crate::host::system::DOCKER_SOCKET;
use std::net::IpAddr;

/// Every host problem of these answers on the host `facts` describe. `plan` is the checked
/// plan, where there is one (the socket and versions are read from it).
pub fn check(a: &Answers, plan: Option<&Plan>, facts: &HostFacts) -> Vec<Problem> {
    let mut p = Vec::new();
    if let Some(plan) = plan {
        cri_socket_exists(plan, facts, &mut p);
        kubeadm_can_deploy(plan, facts, &mut p);
    }
    node_addresses_here(a, facts, &mut p);
    if let Some(plan) = plan {
        cgroup_driver_matches(plan, facts, &mut p);
        // The pod MTU plus each family's encapsulation against the node's own links.
        p.extend(super::mtu_problems(plan, facts));
    }
    p
}

/// The kubelet's cgroup driver is the runtime's, or the kubelet never gets healthy and
/// `kubeadm init` times out in wait-control-plane. On 1.19/1.20 with dockershim kubeadm
/// writes docker's own driver into kubeadm-flags.env (`kubeadm_sets_docker_cgroup_driver`),
/// so there the two cannot differ.
fn cgroup_driver_matches(plan: &Plan, facts: &HostFacts, p: &mut Vec<Problem>) {
    let Some(rt) = &facts.cgroup_driver else {
        return;
    };
    let kubelet = plan.cgroup_driver.as_str();
    if rt.driver == kubelet {
        return;
    }
    if rt.runtime == "docker"
        && plan.kube.kubeadm_sets_docker_cgroup_driver
        && plan.cri_socket.ends_with("dockershim.sock")
    {
        return;
    }
    let (runtime, driver, source) = (rt.runtime.as_str(), rt.driver.as_str(), rt.source.as_str());
    p.push(
        Problem::error(
            "kubernetes.cgroupDriver",
            format!("the kubelet would use the {kubelet} cgroup driver but {runtime} uses {driver} ({source}); the kubelet would not get healthy and kubeadm init would time out"),
        )
        .hint(format!("set kubernetes.cgroupDriver: {driver}, or configure {runtime} for {kubelet}"))
        .code("host.cgroup_driver_mismatch", &[&kubelet, &runtime, &driver, &source]),
    );
}

/// The chosen CRI socket is one detect found (kubeadm's preflight fails on a socket that is
/// not there: "container runtime is not running").
fn cri_socket_exists(plan: &Plan, facts: &HostFacts, p: &mut Vec<Problem>) {
    let path = plan
        .cri_socket
        .strip_prefix("unix://")
        .unwrap_or(&plan.cri_socket);
    // /var/run is a link to /run on every systemd host (and kubeadm's own defaults mix the
    // two names): the same socket under either name is the one found.
    let same = |a: &str, b: &str| {
        let norm = |s: &str| s.strip_prefix("/var/run/").map(|r| format!("/run/{r}"));
        a == b
            || norm(a).unwrap_or_else(|| a.to_string()) == norm(b).unwrap_or_else(|| b.to_string())
    };
    if path.is_empty() || facts.cri_sockets.iter().any(|s| same(s, path)) {
        return;
    }
    let problem = if path.ends_with("/dockershim.sock") {
        // The kubelet makes dockershim.sock itself; what must be there first is docker
        // (detect offers the endpoint once docker.sock is: host::system::DOCKER_SOCKET).
        Problem::error(
            "kubernetes.criSocket",
            format!("{path} is served by docker through Kubernetes v1.23, and docker is not running on this host (no {DOCKER_SOCKET})"),
        )
        .hint("install docker and start it: systemctl enable --now docker")
        .code("host.docker_not_running", &[&path, &DOCKER_SOCKET])
    } else if facts.cri_sockets.is_empty() {
        Problem::error(
            "kubernetes.criSocket",
            format!("{path} does not exist on this host, and no other CRI socket does"),
        )
        .hint("install and start a container runtime (containerd, CRI-O, or docker with cri-dockerd from Kubernetes v1.24)")
        .code("host.cri_socket_none", &[&path])
    } else {
        let found = facts.cri_sockets.join(", ");
        Problem::error(
            "kubernetes.criSocket",
            format!("{path} does not exist on this host (sockets found: {found})"),
        )
        .hint("start the container runtime, or choose a socket `dsinstall detect` lists")
        .code("host.cri_socket_missing", &[&path, &found])
    };
    p.push(problem);
}

/// kubeadm deploys its own minor and the one before it (MinimumControlPlaneVersion is
/// current-1, cmd/kubeadm/app/constants/constants.go; "this version of kubeadm only supports
/// deploying clusters with the control plane version >= ..."), and refuses a control plane
/// newer than itself. The kubelet may not be newer than the control plane (version skew
/// policy; kubeadm's KubeletVersionCheck preflight).
fn kubeadm_can_deploy(plan: &Plan, facts: &HostFacts, p: &mut Vec<Problem>) {
    let want = plan.kube_version;
    let tool = |name: &str| {
        facts
            .tools
            .get(name)
            .and_then(|t| t.as_ref())
            .and_then(|t| t.version.as_deref())
            .and_then(|v| KubeVersion::parse_reported(v).ok())
    };
    if let Some(k) = tool("kubeadm")
        && k.major == want.major
        && (want.minor > k.minor || want.minor + 1 < k.minor)
    {
        p.push(
            Problem::error(
                "kubernetes.version",
                format!("the installed kubeadm {k} deploys Kubernetes v1.{} or v1.{}, not {want}", k.minor.saturating_sub(1), k.minor),
            )
            .hint(format!("install the kubeadm, kubelet and kubectl of {want}'s minor, or set kubernetes.version to v1.{}.0", k.minor))
            .code("host.kubeadm_skew", &[&k, &k.minor.saturating_sub(1), &k.minor, &want]),
        );
    }
    if let Some(k) = tool("kubelet")
        && k.major == want.major
        && k.minor > want.minor
    {
        p.push(
            Problem::error(
                "kubernetes.version",
                format!("the installed kubelet {k} is newer than the control plane {want}; a kubelet may not be newer than its API server"),
            )
            .hint(format!("install the kubelet of {want}'s minor"))
            .code("host.kubelet_newer", &[&k, &want]),
        );
    }
}

/// `node.ipv4`/`node.ipv6` are addresses of this host, on the chosen interfaces.
fn node_addresses_here(a: &Answers, facts: &HostFacts, p: &mut Vec<Problem>) {
    for (path, value, iface_path, iface) in [
        (
            "node.ipv4",
            &a.node.ipv4,
            "node.ipv4Interface",
            &a.node.ipv4_interface,
        ),
        (
            "node.ipv6",
            &a.node.ipv6,
            "node.ipv6Interface",
            &a.node.ipv6_interface,
        ),
    ] {
        let Some(ip) = value
            .as_deref()
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
        else {
            continue;
        };
        let on: Vec<&str> = facts
            .interfaces
            .iter()
            .filter(|i| {
                i.addresses
                    .iter()
                    .any(|x| x.address.parse::<IpAddr>().ok() == Some(ip))
            })
            .map(|i| i.name.as_str())
            .collect();
        if on.is_empty() {
            p.push(
                Problem::error(path, format!("{ip} is not an address of this host"))
                    .hint("run `dsinstall detect` to see this node's addresses")
                    .code("host.address_not_here", &[&ip]),
            );
            continue;
        }
        if let Some(want) = iface.as_deref().map(str::trim).filter(|s| !s.is_empty())
            && !on.contains(&want)
        {
            let on = on.join(", ");
            p.push(
                Problem::error(iface_path, format!("{ip} is on {on}, not on {want}"))
                    .hint(format!("set it to {on}, or choose an address of {want}"))
                    .code("host.address_other_interface", &[&ip, &on, &want]),
            );
        }
    }
}
