//! `kubeadm join`: discovery against the cluster (token, CA pin), preflight on the joining
//! host, the kubelet's TLS bootstrap, and for `--control-plane` the certificate download
//! (cmd/kubeadm/app/cmd/join.go, phases/join).

use super::config::{self, KubeadmConfig};
use super::{EXIT_DEFAULT, EXIT_VALIDATION, Flags, fail, files, init, preflight};
use crate::sim::Exit;
use crate::sim::cluster::{self, nodes};
use crate::sim::pace::{self, Pace};
use crate::sim::state::{Ctx, KubeadmDone};
use crate::sim::version::Version;

const VALUE_FLAGS: &[&str] = &[
    "config",
    "token",
    "discovery-token",
    "discovery-token-ca-cert-hash",
    "certificate-key",
    "ignore-preflight-errors",
    "node-name",
    "cri-socket",
    "apiserver-advertise-address",
    "apiserver-bind-port",
    "tls-bootstrap-token",
    "discovery-file",
    "skip-phases",
    "patches",
];
const BOOL_FLAGS: &[&str] = &[
    "control-plane",
    "discovery-token-unsafe-skip-ca-verification",
    "dry-run",
];

pub fn run(ctx: &Ctx, v: Version, args: &[String]) -> Exit {
    let flags = match Flags::parse(args, VALUE_FLAGS, BOOL_FLAGS) {
        Ok(f) => f,
        Err(e) => return fail(v, &e, EXIT_DEFAULT),
    };
    let w = match ctx.load() {
        Ok(w) => w,
        Err(e) => return fail(v, &e, EXIT_DEFAULT),
    };
    let mut cfg = match flags.get("config") {
        Some(p) => match config::load(&ctx.host_path(p), v, "join") {
            Ok((cfg, warnings)) => {
                for w in warnings {
                    eprintln!("{w}");
                }
                cfg
            }
            Err(e) => return fail(v, &e.message, e.code),
        },
        None => KubeadmConfig {
            join: Some(config::JoinCfg::default()),
            ..Default::default()
        },
    };
    let j = cfg.join.get_or_insert_with(Default::default);
    if let Some(ep) = flags.positional.first() {
        j.endpoint = Some(ep.clone());
    }
    if let Some(t) = flags.get("token").or(flags.get("discovery-token")) {
        j.token = Some(t.into());
    }
    j.ca_cert_hashes
        .extend(flags.list("discovery-token-ca-cert-hash"));
    if flags.has("discovery-token-unsafe-skip-ca-verification") {
        j.unsafe_skip_ca_verification = true;
    }
    if flags.has("control-plane") {
        j.control_plane = true;
    }
    if let Some(k) = flags.get("certificate-key") {
        j.certificate_key = Some(k.into());
    }
    if let Some(n) = flags.get("node-name") {
        j.node.name = Some(n.into());
    }
    let j = j.clone();
    // ValidateDiscoveryBootstrapToken.
    let Some(endpoint) = j.endpoint.clone() else {
        return fail(
            v,
            "discovery.bootstrapToken.apiServerEndpoint: Invalid value: \"\": the API server endpoint is required",
            EXIT_VALIDATION,
        );
    };
    if j.ca_cert_hashes.is_empty() && !j.unsafe_skip_ca_verification {
        return fail(
            v,
            "discovery.bootstrapToken.caCertHashes: Invalid value: []string(nil): using token-based discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue",
            EXIT_VALIDATION,
        );
    }
    let host = &w.hosts[&ctx.host];
    let node_name = j.node.name.clone().unwrap_or_else(|| ctx.host.clone());
    let cri = j
        .node
        .cri_socket
        .clone()
        .unwrap_or_else(|| preflight::runtime_socket(v).into());
    let pace = w.pace;
    pace::step_delay(&w.faults, &format!("join.{}", ctx.host));
    println!("[preflight] Running pre-flight checks");
    let findings = preflight::checks(
        &w,
        host,
        v,
        false,
        6443,
        endpoint.starts_with('['),
        &cri,
        &ctx.root(),
    );
    let mut ignore = flags.list("ignore-preflight-errors");
    ignore.extend(j.node.ignore_preflight_errors.iter().cloned());
    if let Err(msg) = preflight::report(v, findings, &ignore) {
        return fail(
            v,
            &format!("error execution phase preflight: {msg}"),
            EXIT_DEFAULT,
        );
    }
    // Discovery: the cluster must answer at the endpoint, know the token, match the pin.
    let host_part = crate::sim::lab::host_of_endpoint(&endpoint).unwrap_or_default();
    let url = format!(
        "https://{endpoint}/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s"
    );
    let Some(c) = w.cluster.as_ref().filter(|c| {
        c.endpoint == endpoint
            || c.nodes
                .iter()
                .any(|n| n.control_plane && n.internal_ips.contains(&host_part))
    }) else {
        pace.wait(10.0);
        return fail(
            v,
            &format!(
                "error execution phase preflight: couldn't validate the identity of the API Server: Get \"{url}\": dial tcp {endpoint}: connect: connection refused"
            ),
            EXIT_DEFAULT,
        );
    };
    let token = j.token.clone().unwrap_or_default();
    let token_id = token.split('.').next().unwrap_or("").to_string();
    let known = c.tokens.iter().position(|t| *t == token);
    let expired = known.is_some_and(|i| w.has_fault("token-expired") && i < c.init_token_count);
    if known.is_none() || expired {
        pace.wait(5.0);
        return fail(
            v,
            &format!(
                "error execution phase preflight: couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID {token_id:?}"
            ),
            EXIT_DEFAULT,
        );
    }
    if !j.unsafe_skip_ca_verification {
        for h in &j.ca_cert_hashes {
            let hex = h.strip_prefix("sha256:").unwrap_or(h);
            if let Some(bad) = hex.chars().find(|ch| !ch.is_ascii_hexdigit()) {
                return fail(
                    v,
                    &format!(
                        "error execution phase preflight: couldn't validate the identity of the API Server: invalid hash {h:?}: encoding/hex: invalid byte: U+{:04X} {bad:?}",
                        bad as u32
                    ),
                    EXIT_DEFAULT,
                );
            }
            if hex.len() != 64 {
                return fail(
                    v,
                    &format!(
                        "error execution phase preflight: couldn't validate the identity of the API Server: invalid hash {h:?}, expected a 32 byte SHA-256 hash, found {} bytes",
                        hex.len() / 2
                    ),
                    EXIT_DEFAULT,
                );
            }
        }
        if !j
            .ca_cert_hashes
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&c.ca_hash))
        {
            return fail(
                v,
                &format!(
                    "error execution phase preflight: couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys \"{}\" are pinned",
                    c.ca_hash
                ),
                EXIT_DEFAULT,
            );
        }
    }
    println!("[preflight] Reading configuration from the cluster...");
    println!(
        "[preflight] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'"
    );
    if j.control_plane {
        println!(
            "[preflight] Running pre-flight checks before initializing the new control plane instance"
        );
        // The Secret init uploaded is deleted after 2 hours (its token's TTL).
        let expired = w.has_fault("certificate-key-expired") && !c.certs_reuploaded;
        match (&c.certificate_key, &j.certificate_key) {
            _ if expired => {
                return fail(
                    v,
                    "error execution phase control-plane-prepare/download-certs: error downloading certs: error downloading the secret: Secret \"kubeadm-certs\" was not found in the \"kube-system\" Namespace. This Secret might have expired. Please, run `kubeadm init phase upload-certs --upload-certs` on a control plane to generate a new one",
                    EXIT_DEFAULT,
                );
            }
            (None, _) | (_, None) => {
                return fail(
                    v,
                    "error execution phase control-plane-prepare/download-certs: error downloading certs: error downloading the secret: Secret \"kubeadm-certs\" was not found in the \"kube-system\" Namespace. This Secret might have expired. Please, run `kubeadm init phase upload-certs --upload-certs` on a control plane to generate a new one",
                    EXIT_DEFAULT,
                );
            }
            (Some(a), Some(b)) if a != b => {
                return fail(
                    v,
                    "error execution phase control-plane-prepare/download-certs: error downloading certs: error decoding secret data with provided key: cipher: message authentication failed",
                    EXIT_DEFAULT,
                );
            }
            _ => println!(
                "[download-certs] Downloading the certificates in Secret \"kubeadm-certs\" in the \"kube-system\" Namespace"
            ),
        }
    }
    // The joining kubelet reads the cluster's kubelet config (gates) and this file's node-ip.
    cfg.kubelet.cgroup_driver = c.kubelet_cgroup_driver.clone();
    cfg.kubelet.feature_gates = c.kubelet_gates.clone();
    cfg.cluster.feature_gates = c.kubeadm_gates.clone();
    let kubelet = init::kubelet_outcome(&w, host, v, &cfg, j.node.node_ip());
    if v.minor < 24 {
        println!(
            "[kubelet-start] Downloading configuration for the kubelet from the \"kubelet-config-1.{}\" ConfigMap in the kube-system namespace",
            v.minor
        );
    }
    println!(
        "[kubelet-start] Writing kubelet configuration to file \"/var/lib/kubelet/config.yaml\""
    );
    println!(
        "[kubelet-start] Writing kubelet environment file with flags to file \"/var/lib/kubelet/kubeadm-flags.env\""
    );
    println!("[kubelet-start] Starting the kubelet");
    println!("[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap...");
    let ips = match kubelet {
        Ok(ips) => ips,
        Err(_) => {
            pace.wait(40.0);
            println!("[kubelet-check] Initial timeout of 40s passed.");
            pace.wait(200.0);
            let msg = if v.at_least(26) {
                "error execution phase kubelet-start: timed out waiting for the condition"
                    .to_string()
            } else {
                "error execution phase kubelet-start: error uploading crisocket: timed out waiting for the condition".to_string()
            };
            return fail(v, &msg, EXIT_DEFAULT);
        }
    };
    pace.wait(5.0);
    let root = ctx.root();
    let (ca_pem, name, ep) = (c.ca_pem.clone(), c.name.clone(), c.endpoint.clone());
    for (path, text, private) in [
        ("/etc/kubernetes/pki/ca.crt", ca_pem.clone(), false),
        (
            "/etc/kubernetes/kubelet.conf",
            files::kubeconfig(&name, &ep, &ca_pem, &format!("system:node:{node_name}")),
            true,
        ),
        (
            "/var/lib/kubelet/config.yaml",
            "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n".to_string(),
            false,
        ),
        (
            "/var/lib/kubelet/kubeadm-flags.env",
            format!(
                "KUBELET_KUBEADM_ARGS=\"{}\"\n",
                j.node
                    .kubelet_extra_args
                    .iter()
                    .map(|(k, v)| format!("--{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            false,
        ),
    ] {
        if let Err(e) = files::write(&root, path, &text, private) {
            return fail(
                v,
                &format!("error execution phase kubelet-start: {e}"),
                EXIT_DEFAULT,
            );
        }
    }
    if j.control_plane
        && let Err(e) = files::write(
            &root,
            "/etc/kubernetes/admin.conf",
            &files::kubeconfig(&name, &ep, &ca_pem, "kubernetes-admin"),
            true,
        )
    {
        return fail(
            v,
            &format!("error execution phase control-plane-join: {e}"),
            EXIT_DEFAULT,
        );
    }
    let taints = j.node.taints.clone().unwrap_or_else(|| {
        if j.control_plane {
            nodes::default_control_plane_taints(v)
        } else {
            Vec::new()
        }
    });
    let hostname = ctx.host.clone();
    let r = ctx.update(|w| {
        let spec = w.hosts[&hostname].spec.clone();
        let faults = w.faults.clone();
        let c = w.cluster.as_mut().ok_or("the cluster is gone")?;
        cluster::objects::register_node(
            c,
            v,
            &node_name,
            ips.clone(),
            j.control_plane,
            taints.clone(),
            &cri,
            &spec,
        );
        cluster::pods::reconcile(c, v, &faults);
        let h = w.hosts.get_mut(&hostname).ok_or("no such host")?;
        h.kubeadm = Some(KubeadmDone {
            control_plane: j.control_plane,
            node_ip: j.node.node_ip().map(str::to_string),
        });
        Ok(())
    });
    if let Err(e) = r {
        return fail(
            v,
            &format!("error execution phase kubelet-start: {e}"),
            EXIT_DEFAULT,
        );
    }
    println!();
    if j.control_plane {
        println!("This node has joined the cluster and a new control plane instance was created:");
        println!();
        println!("* Certificate signing request was sent to apiserver and approval was received.");
        println!("* The Kubelet was informed of the new secure connection details.");
        println!("* Control plane label and taint were applied to the new node.");
        println!("* The Kubernetes control plane instances scaled up.");
        println!();
        println!(
            "To start administering your cluster from this node, you need to run the following as a regular user:"
        );
        println!();
        println!("\tmkdir -p $HOME/.kube");
        println!("\tsudo cp -i /etc/kubernetes/admin.conf $HOME/.kube/config");
        println!("\tsudo chown $(id -u):$(id -g) $HOME/.kube/config");
        println!();
        println!("Run 'kubectl get nodes' to see this node join the cluster.");
    } else {
        println!("This node has joined the cluster:");
        println!(
            "* Certificate signing request was sent to apiserver and a response was received."
        );
        println!("* The Kubelet was informed of the new secure connection details.");
        println!();
        println!("Run 'kubectl get nodes' on the control-plane to see this node join the cluster.");
    }
    println!();
    let _ = Pace::Fast;
    0
}
