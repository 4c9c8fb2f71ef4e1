//! Read-only facts about this machine.
//!
//! The kernel is read over rtnetlink in the current network namespace (`nics`, `routes`);
//! files come from under a root directory (`/` on a real host, a fixture tree in tests):
//! `sysctl`, `modules`, `system`. `suggest` and `warnings` are pure functions of the facts.

pub mod cgroup;
pub mod defaults;
pub mod facts;
pub mod modules;
mod netlink;
pub mod nics;
pub mod routes;
pub mod suggest;
pub mod sysctl;
pub mod system;
pub mod table;
pub mod tools;
pub mod warnings;

pub use facts::HostFacts;
use std::path::Path;

/// This machine's facts, read from the kernel (netlink, /proc, /sys) and the filesystem.
pub fn detect() -> HostFacts {
    detect_at(Path::new("/"))
}

/// Like `detect`, with /proc, /sys, /etc, /run and /var read under `root`. Interfaces and
/// routes still come from the current network namespace and tools from `PATH`.
pub fn detect_at(root: &Path) -> HostFacts {
    let mut f = HostFacts {
        // SAFETY: geteuid has no preconditions and cannot fail.
        is_root: unsafe { libc::geteuid() } == 0,
        ..Default::default()
    };
    // Tools run their version commands on threads meanwhile: the slowest part.
    let tools = std::thread::spawn(tools::read);

    match nics::read() {
        Ok((ifaces, skipped)) => {
            f.interfaces = ifaces;
            f.detection_errors.extend(skipped);
        }
        Err(e) => f.detection_errors.push(format!(
            "interfaces and addresses (netlink RTM_GETLINK/RTM_GETADDR): {e}"
        )),
    }
    match routes::read(&nics::names_by_index(&f.interfaces)) {
        Ok((routes, skipped)) => {
            f.default_routes = routes;
            f.detection_errors.extend(skipped);
        }
        Err(e) => f
            .detection_errors
            .push(format!("routes (netlink RTM_GETROUTE): {e}")),
    }
    read_files(&mut f, root);
    f.tools = tools.join().unwrap_or_default();
    // docker's driver is docker's own answer when its CLI is on PATH (as every tool is found,
    // also under a test root, where a stand-in on PATH speaks for it).
    let docker = f
        .tools
        .get("docker")
        .and_then(Option::as_ref)
        .map(|t| std::path::PathBuf::from(&t.path));
    f.cgroup_driver = cgroup::read(root, &f.cri_sockets, docker.as_deref());
    finish(&mut f);
    f
}

/// Everything that comes from files under `root` (the interfaces must be known already: the
/// per-interface sysctls follow them).
pub fn read_files(f: &mut HostFacts, root: &Path) {
    f.hostname = system::hostname(root);
    f.hostname_addresses = system::hostname_addresses(root, &f.hostname);
    f.os_release = system::os_release(root);
    f.kernel = system::kernel(root);
    let devices: Vec<String> = f
        .interfaces
        .iter()
        .filter(|i| i.kind != "loopback")
        .map(|i| i.name.clone())
        .collect();
    let (values, missing) = sysctl::read(root, &sysctl::wanted_keys(&devices));
    f.sysctls = values;
    f.sysctls_missing = missing;
    f.modules = modules::read(root);
    // A built-in br_netfilter has no /sys/module entry, but its sysctls show it is there.
    if f.sysctls.contains_key(sysctl::BRIDGE_NF_IPTABLES) {
        f.modules.insert("br_netfilter".into(), true);
    }
    f.swap_on = !system::swaps(root).is_empty();
    f.cri_sockets = system::cri_sockets(root);
    let evidence = system::cluster_evidence(root);
    f.existing_cluster = (!evidence.is_empty()).then_some(facts::ExistingCluster { evidence });
}

/// Fill in the suggestions and warnings from the facts read.
pub fn finish(f: &mut HostFacts) {
    f.suggested = suggest::suggest(f);
    f.warnings = warnings::warnings(f);
}

/// The answers the wizard starts from on a host with these facts (and `export` writes).
pub fn suggest_answers(facts: &HostFacts) -> crate::answers::Answers {
    defaults::suggest_answers(facts)
}

/// The demo lab's node01, as detect would see it (assets/demo/host.json).
pub fn demo_facts() -> HostFacts {
    serde_json::from_str(include_str!("../../assets/demo/host.json"))
        .expect("embedded demo host facts parse")
}

/// The demo lab's node01 with the lab made for `kubernetes`: its kubeadm, kubelet and
/// runtime at that version (newer labs use containerd's socket and let kubeadm pick the
/// cgroup driver). The guide's v1.19.0 gives `demo_facts()` as it is.
pub fn demo_facts_at(kubernetes: &str) -> HostFacts {
    let mut facts = demo_facts();
    if kubernetes.trim() == "v1.19.0" {
        return facts;
    }
    for t in facts.tools.values_mut().flatten() {
        t.version = Some(kubernetes.trim().to_string());
    }
    facts.cri_sockets = vec!["/var/run/containerd/containerd.sock".into()];
    facts.cgroup_driver = None;
    facts
}

/// The demo lab's node01 as a run on the simulated lab sees it: `demo_facts_at`, without
/// the warnings detect gives this host (the lab's runner checks the lab, not them).
pub fn demo_facts_for(kubernetes: &str) -> HostFacts {
    let mut facts = demo_facts_at(kubernetes);
    facts.warnings.clear();
    for t in facts.tools.values_mut().flatten() {
        t.version = Some(kubernetes.trim().to_string());
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo asset's suggestions and warnings are what the rules give for its facts.
    #[test]
    fn demo_host_is_consistent_with_the_rules() {
        let demo = demo_facts();
        let mut again = demo.clone();
        finish(&mut again);
        assert_eq!(
            serde_json::to_string_pretty(&again.suggested).unwrap(),
            serde_json::to_string_pretty(&demo.suggested).unwrap()
        );
        assert_eq!(
            serde_json::to_string_pretty(&again.warnings).unwrap(),
            serde_json::to_string_pretty(&demo.warnings).unwrap()
        );
    }

    /// Every file-borne fact from a fixture tree shaped like the seed's node01 after a failed
    /// first attempt: swap on, manifests left behind, br_netfilter not loaded.
    #[test]
    fn read_files_from_a_fixture_tree() {
        let t = tempfile::tempdir().unwrap();
        let put = |rel: &str, v: &str| {
            let p = t.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, v).unwrap();
        };
        put("proc/sys/kernel/hostname", "node01\n");
        put("proc/sys/kernel/osrelease", "3.10.0-1062.el7.x86_64\n");
        put("etc/hosts", "127.0.0.1 localhost\n111.111.111.121 node01\n");
        put("etc/os-release", "PRETTY_NAME=\"CentOS Linux 7 (Core)\"\n");
        put(
            "proc/swaps",
            "Filename Type Size Used Priority\n/dev/dm-1 partition 2097148 0 -2\n",
        );
        put(
            "proc/modules",
            "overlay 1 0 - Live 0x0\nip6_tables 1 0 - Live 0x0\n",
        );
        put("proc/sys/net/ipv4/ip_forward", "1\n");
        put("proc/sys/net/ipv6/conf/all/forwarding", "1\n");
        put("proc/sys/net/ipv6/conf/all/disable_ipv6", "0\n");
        put("proc/sys/net/ipv6/conf/ens224/accept_ra", "0\n");
        put("var/run/dockershim.sock", "");
        put("etc/kubernetes/manifests/etcd.yaml", "");
        let mut f = demo_facts();
        f.is_root = true;
        read_files(&mut f, t.path());
        finish(&mut f);
        assert_eq!(f.hostname, "node01");
        assert_eq!(f.hostname_addresses, ["111.111.111.121"]);
        assert_eq!(f.kernel.as_deref(), Some("3.10.0-1062.el7.x86_64"));
        assert_eq!(f.os_release.as_deref(), Some("CentOS Linux 7 (Core)"));
        assert!(f.swap_on);
        assert!(f.modules["overlay"] && !f.modules["br_netfilter"]);
        assert_eq!(f.sysctls["net.ipv6.conf.ens224.accept_ra"], "0");
        assert!(
            f.sysctls_missing
                .contains(&sysctl::BRIDGE_NF_IP6TABLES.to_string())
        );
        assert_eq!(f.cri_sockets, ["/var/run/dockershim.sock"]);
        let ids: Vec<&str> = f.warnings.iter().map(|w| w.id.as_str()).collect();
        assert_eq!(ids, ["br-netfilter-missing", "swap-on", "existing-cluster"]);
        assert_eq!(f.suggested.ipv6.as_deref(), Some("2018::21"));
    }
}
