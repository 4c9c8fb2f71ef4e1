//! Faults: ways a real install fails, switched on in a lab so that dsinstall's handling of
//! them can be tested, demonstrated and practised. Each is cleared with `--clear-fault`.

/// A fault's name (with `<step>` / `<node>` for the parameterised ones) and its symptom.
pub const FAULTS: &[(&str, &str)] = &[
    (
        "image-pull",
        "the container runtime cannot pull images: kubeadm's ImagePull preflight check and `config images pull` fail",
    ),
    (
        "port-6443-in-use",
        "another process listens on 6443: kubeadm's Port-6443 preflight check fails",
    ),
    (
        "swap-on",
        "swap is on and stays on until swapoff: kubeadm's Swap preflight check fails",
    ),
    (
        "kubelet-unhealthy",
        "the kubelet's cgroup driver does not match the runtime's: it never gets healthy and kubeadm's wait-control-plane times out",
    ),
    (
        "calico-crashloop",
        "calico-node's IP autodetection finds no address: calico-node crash-loops, pods stay without IPs",
    ),
    (
        "node-notready",
        "the first node's kubelet stops posting status: the Node turns NotReady",
    ),
    (
        "slow:<step>",
        "the step takes far longer than usual (steps: preflight, images, kubeadm.init, wait.calico, join.<node>)",
    ),
    ("hang:<step>", "the step never finishes until it is killed"),
    (
        "ssh-drop:<node>",
        "ssh and scp to the node fail as a dropped link does",
    ),
    (
        "token-expired",
        "the bootstrap token has expired: kubeadm join cannot find its JWS signature",
    ),
    (
        "certificate-key-expired",
        "the control-plane certificates kubeadm init uploaded were deleted (2 h): a control-plane join finds no kubeadm-certs Secret until upload-certs runs again",
    ),
    (
        "sudo-password:<node>",
        "sudo on the node wants a password: `sudo -n` fails (sudo: a password is required)",
    ),
    (
        "host-key-unknown:<node>",
        "the node's SSH host key is not in known_hosts: ssh and scp refuse it (Host key verification failed)",
    ),
];

/// The steps slow:/hang: accept; `join.<node>` is checked against the lab's hosts.
const STEPS: &[&str] = &["preflight", "images", "kubeadm.init", "wait.calico"];

/// Check a fault name against the list; `hosts` are the lab's node names.
pub fn validate(name: &str, hosts: &[String]) -> Result<(), String> {
    let known_node = |n: &str| hosts.iter().any(|h| h == n);
    let ok = match name.split_once(':') {
        None => FAULTS.iter().any(|(f, _)| *f == name && !f.contains(':')),
        Some(("slow" | "hang", step)) => {
            STEPS.contains(&step) || step.strip_prefix("join.").is_some_and(known_node)
        }
        Some(("ssh-drop" | "host-key-unknown" | "sudo-password", node)) => known_node(node),
        Some(_) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "--fault {name}: not a fault of this lab (see dsinstall sim --list-faults)"
        ))
    }
}

/// The text of `--list-faults`.
pub fn listing() -> String {
    let mut s = String::new();
    for (name, what) in FAULTS {
        s.push_str(&format!("{name:<18} {what}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_names_and_parameters() {
        let hosts = vec!["node01".to_string(), "node02".to_string()];
        for f in [
            "image-pull",
            "swap-on",
            "slow:kubeadm.init",
            "hang:join.node02",
            "ssh-drop:node02",
        ] {
            validate(f, &hosts).unwrap();
        }
        for f in [
            "slow",
            "slow:nothing",
            "ssh-drop:node09",
            "hang:join.node09",
            "swap",
        ] {
            assert!(validate(f, &hosts).is_err(), "{f}");
        }
    }
}
