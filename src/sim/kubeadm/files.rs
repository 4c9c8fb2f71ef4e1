//! The files kubeadm leaves on a node: kubeconfigs, the CA, static Pod manifests, the
//! kubelet's flags and config (cmd/kubeadm/app/phases/{kubeconfig,certs,controlplane,etcd,
//! kubelet}). The lab's kubectl reads the kubeconfigs back.

use crate::sim::state::write_host_file;
use std::path::Path;

pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

pub fn unbase64(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let pad = chunk.iter().filter(|b| **b == b'=').count();
        let mut n = 0u32;
        for (i, b) in chunk.iter().enumerate() {
            let v = if *b == b'=' { 0 } else { val(*b)? };
            n |= v << (18 - 6 * i);
        }
        let take = 3usize
            .saturating_sub(pad)
            .min(chunk.len().saturating_sub(1));
        for i in 0..take {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// A kubeconfig for `user` against `server`, carrying the cluster CA.
pub fn kubeconfig(cluster_name: &str, server: &str, ca_pem: &str, user: &str) -> String {
    let ca = base64(ca_pem.as_bytes());
    let cred = base64(format!("simulated client certificate of {user}").as_bytes());
    format!(
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {ca}\n    server: https://{server}\n  name: {cluster_name}\ncontexts:\n- context:\n    cluster: {cluster_name}\n    user: {user}\n  name: {user}@{cluster_name}\ncurrent-context: {user}@{cluster_name}\nkind: Config\npreferences: {{}}\nusers:\n- name: {user}\n  user:\n    client-certificate-data: {cred}\n    client-key-data: {cred}\n"
    )
}

/// A static Pod manifest for a control-plane component with its command line.
pub fn static_pod(name: &str, image: &str, command: &[String]) -> String {
    let mut s = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  creationTimestamp: null\n  labels:\n    component: {name}\n    tier: control-plane\n  name: {name}\n  namespace: kube-system\nspec:\n  containers:\n  - command:\n"
    );
    for c in command {
        s.push_str(&format!("    - {c}\n"));
    }
    s.push_str(&format!(
        "    image: {image}\n    imagePullPolicy: IfNotPresent\n    name: {name}\n  hostNetwork: true\n  priorityClassName: system-node-critical\nstatus: {{}}\n"
    ));
    s
}

pub fn write(root: &Path, path: &str, text: &str, private: bool) -> Result<(), String> {
    write_host_file(root, path, text.as_bytes(), private)
}

/// Remove what kubeadm reset removes: the kubeconfigs, pki, manifests, the kubelet's state
/// and etcd's data. /etc/cni/net.d and $HOME/.kube/config stay, as kubeadm leaves them.
pub fn remove_kubeadm_files(root: &Path) {
    for d in [
        "etc/kubernetes/manifests",
        "etc/kubernetes/pki",
        "var/lib/etcd",
        "var/lib/kubelet",
    ] {
        let _ = std::fs::remove_dir_all(root.join(d));
    }
    for f in [
        "admin.conf",
        "super-admin.conf",
        "kubelet.conf",
        "bootstrap-kubelet.conf",
        "controller-manager.conf",
        "scheduler.conf",
    ] {
        let _ = std::fs::remove_file(root.join("etc/kubernetes").join(f));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for s in [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "-----BEGIN CERTIFICATE-----\n",
        ] {
            assert_eq!(
                unbase64(&base64(s.as_bytes())).unwrap(),
                s.as_bytes(),
                "{s}"
            );
        }
        assert_eq!(base64(b"foob"), "Zm9vYg==");
    }
}
