//! The machine around the network: hostname and what `/etc/hosts` maps it to, OS release,
//! kernel, swap, container runtime sockets, and signs of an earlier `kubeadm init`. Every
//! path is under `root` so tests can point at a fixture tree.

use std::path::Path;

/// Host files are small; a FIFO or device in their place is read as missing, not waited on.
const MAX_HOST_FILE: u64 = 1 << 20;

fn read_text(root: &Path, rel: &str) -> Option<String> {
    crate::io::read::read_bytes(&root.join(rel), MAX_HOST_FILE)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The kernel's hostname (`/proc/sys/kernel/hostname`), else `/etc/hostname`.
pub fn hostname(root: &Path) -> String {
    ["proc/sys/kernel/hostname", "etc/hostname"]
        .iter()
        .filter_map(|p| read_text(root, p))
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
        .unwrap_or_default()
}

/// The addresses an `/etc/hosts` text maps `name` to, in file order, without repeats. The
/// name matches case-insensitively, as its short form too (`node01` for `node01.lab`).
pub fn hosts_lookup(text: &str, name: &str) -> Vec<String> {
    let name = name.trim().to_ascii_lowercase();
    if name.is_empty() {
        return Vec::new();
    }
    let short = name.split('.').next().unwrap_or(&name).to_string();
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut fields = line.split_whitespace();
        let Some(addr) = fields.next() else { continue };
        let Ok(ip) = addr
            .split('%')
            .next()
            .unwrap_or(addr)
            .parse::<std::net::IpAddr>()
        else {
            continue;
        };
        let hit = fields.any(|h| {
            let h = h.to_ascii_lowercase();
            h == name || h == short || h.split('.').next() == Some(name.as_str())
        });
        let ip = ip.to_string();
        if hit && !out.contains(&ip) {
            out.push(ip);
        }
    }
    out
}

pub fn hostname_addresses(root: &Path, hostname: &str) -> Vec<String> {
    read_text(root, "etc/hosts")
        .map(|t| hosts_lookup(&t, hostname))
        .unwrap_or_default()
}

/// PRETTY_NAME from an os-release text (os-release(5): shell-style quoting).
pub fn pretty_name(text: &str) -> Option<String> {
    let line = text
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))?;
    let v = unquote(line.trim());
    (!v.is_empty()).then_some(v)
}

fn unquote(v: &str) -> String {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        let inner = &v[1..v.len() - 1];
        if b[0] == b'\'' {
            return inner.to_string();
        }
        let mut out = String::new();
        let mut esc = false;
        for c in inner.chars() {
            if esc {
                out.push(c);
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else {
                out.push(c);
            }
        }
        return out;
    }
    v.to_string()
}

pub fn os_release(root: &Path) -> Option<String> {
    ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .filter_map(|p| read_text(root, p))
        .find_map(|t| pretty_name(&t))
}

/// The running kernel's release, as `uname -r` prints it.
pub fn kernel(root: &Path) -> Option<String> {
    read_text(root, "proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The active swap areas: every line of `/proc/swaps` after its header.
pub fn parse_swaps(text: &str) -> Vec<String> {
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

pub fn swaps(root: &Path) -> Vec<String> {
    read_text(root, "proc/swaps")
        .map(|t| parse_swaps(&t))
        .unwrap_or_default()
}

/// CRI sockets kubeadm looks for (kubeadm's `cmd/kubeadm/app/util/runtime`, the known
/// endpoints), in kubeadm's order.
pub const CRI_SOCKETS: &[&str] = &[
    "/run/containerd/containerd.sock",
    "/var/run/dockershim.sock",
    "/var/run/cri-dockerd.sock",
    "/var/run/crio/crio.sock",
];

/// Docker's own API socket. Through v1.23 kubeadm takes it for the dockershim endpoint,
/// which the kubelet itself creates once it runs: on a docker node before the install only
/// this one exists (cmd/kubeadm/app/util/runtime/runtime.go, detectCRISocketImpl:
/// "the path in dockerSocket is not CRI compatible, hence we should replace it with a CRI
/// compatible socket"; kubeadm's preflight then asks `docker info`, not the socket).
pub const DOCKER_SOCKET: &str = "/var/run/docker.sock";

pub fn cri_sockets(root: &Path) -> Vec<String> {
    let there = |s: &str| root.join(s.trim_start_matches('/')).exists();
    CRI_SOCKETS
        .iter()
        .filter(|s| there(s) || (s.ends_with("/dockershim.sock") && there(DOCKER_SOCKET)))
        .map(|s| s.to_string())
        .collect()
}

/// Files an earlier `kubeadm init` or `join` leaves behind; kubeadm's preflight refuses to
/// run over them (FileAvailable--etc-kubernetes-*, DirAvailable--etc-kubernetes-manifests).
pub fn cluster_evidence(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for f in ["etc/kubernetes/admin.conf", "etc/kubernetes/kubelet.conf"] {
        if root.join(f).exists() {
            out.push(format!("/{f}"));
        }
    }
    if let Ok(rd) = std::fs::read_dir(root.join("etc/kubernetes/manifests")) {
        let mut manifests: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
            .map(|n| format!("/etc/kubernetes/manifests/{n}"))
            .collect();
        manifests.sort();
        out.extend(manifests);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_HOSTS: &str = "127.0.0.1   localhost localhost.localdomain\n\
        ::1         localhost localhost.localdomain\n\
        111.111.111.121 node01\n\
        111.111.111.122 node02   # second\n\
        # 10.0.0.1 node01\n\
        2018::21 node01.lab.local NODE01\n\
        bogus node01\n\
        111.111.111.121 registry.local\n";

    #[test]
    fn hosts_maps_the_hostname_in_file_order_ignoring_comments() {
        assert_eq!(
            hosts_lookup(SEED_HOSTS, "node01"),
            ["111.111.111.121", "2018::21"]
        );
        assert_eq!(
            hosts_lookup(SEED_HOSTS, "Node01.lab.local"),
            ["111.111.111.121", "2018::21"]
        );
        assert_eq!(hosts_lookup(SEED_HOSTS, "node02"), ["111.111.111.122"]);
        assert!(hosts_lookup(SEED_HOSTS, "node09").is_empty());
        assert!(hosts_lookup(SEED_HOSTS, "").is_empty());
    }

    #[test]
    fn os_release_pretty_name_is_unquoted() {
        let centos =
            "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nPRETTY_NAME=\"CentOS Linux 7 (Core)\"\n";
        assert_eq!(
            pretty_name(centos).as_deref(),
            Some("CentOS Linux 7 (Core)")
        );
        assert_eq!(
            pretty_name("PRETTY_NAME='Debian GNU/Linux 12 (bookworm)'").as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(
            pretty_name("PRETTY_NAME=\"A \\\"quoted\\\" one\"").as_deref(),
            Some("A \"quoted\" one")
        );
        assert_eq!(pretty_name("PRETTY_NAME=Alpine").as_deref(), Some("Alpine"));
        assert_eq!(pretty_name("NAME=x"), None);
        assert_eq!(pretty_name("PRETTY_NAME=\"\""), None);
    }

    #[test]
    fn swaps_skip_the_header() {
        let t = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/dm-1   partition\t2097148\t0\t-2\n";
        assert_eq!(parse_swaps(t), ["/dev/dm-1"]);
        assert!(parse_swaps("Filename Type Size Used Priority\n").is_empty());
        assert!(parse_swaps("").is_empty());
    }

    #[test]
    fn fixture_tree_gives_every_file_fact() {
        let t = tempfile::tempdir().unwrap();
        let put = |rel: &str, v: &str| {
            let p = t.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, v).unwrap();
        };
        put("proc/sys/kernel/hostname", "Node01\n");
        put("proc/sys/kernel/osrelease", "3.10.0-1062.el7.x86_64\n");
        put("etc/hosts", SEED_HOSTS);
        put("etc/os-release", "PRETTY_NAME=\"CentOS Linux 7 (Core)\"\n");
        put("proc/swaps", "Filename Type Size Used Priority\n");
        put("var/run/dockershim.sock", "");
        put("etc/kubernetes/admin.conf", "apiVersion: v1\n");
        put("etc/kubernetes/manifests/kube-apiserver.yaml", "");
        put("etc/kubernetes/manifests/etcd.yaml", "");
        put("etc/kubernetes/manifests/README", "");
        let root = t.path();
        assert_eq!(hostname(root), "Node01");
        assert_eq!(
            hostname_addresses(root, "Node01"),
            ["111.111.111.121", "2018::21"]
        );
        assert_eq!(kernel(root).as_deref(), Some("3.10.0-1062.el7.x86_64"));
        assert_eq!(os_release(root).as_deref(), Some("CentOS Linux 7 (Core)"));
        assert!(swaps(root).is_empty());
        assert_eq!(cri_sockets(root), ["/var/run/dockershim.sock"]);
        assert_eq!(
            cluster_evidence(root),
            [
                "/etc/kubernetes/admin.conf",
                "/etc/kubernetes/manifests/etcd.yaml",
                "/etc/kubernetes/manifests/kube-apiserver.yaml"
            ]
        );
    }

    /// A docker node before the install: the kubelet has not made dockershim.sock yet, and
    /// kubeadm (through v1.23) takes docker.sock for it.
    #[test]
    fn docker_before_the_kubelet_runs_offers_the_dockershim_endpoint() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("var/run")).unwrap();
        std::fs::write(t.path().join("var/run/docker.sock"), "").unwrap();
        assert_eq!(cri_sockets(t.path()), ["/var/run/dockershim.sock"]);
    }

    #[test]
    fn empty_tree_gives_empty_facts() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        assert_eq!(hostname(root), "");
        assert!(hostname_addresses(root, "x").is_empty());
        assert_eq!(os_release(root), None);
        assert_eq!(kernel(root), None);
        assert!(cri_sockets(root).is_empty());
        assert!(cluster_evidence(root).is_empty());
    }
}
