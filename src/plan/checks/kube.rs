//! Kubernetes settings that depend on the version: CRI socket, proxy mode, registry, DNS domain, the verification workload.

use super::*;

pub(super) fn check_cri_socket(s: &str, r: &KubeMinor, p: &mut Vec<Problem>) -> String {
    let s = s.trim();
    let path = "kubernetes.criSocket";
    if s.is_empty() {
        p.push(Problem::error(path, "empty CRI socket").code("cri.empty", &[]));
        return String::new();
    }
    if has_unsafe_chars(s) {
        p.push(
            Problem::error(
                path,
                format!(
                    "{s} holds spaces, quotes or control characters; a socket path has none",
                    s = quote(s)
                ),
            )
            .code("cri.invalid_chars", &[&quote(s)]),
        );
        return s.to_string();
    }
    let (scheme, file) = match s.split_once("://") {
        Some((sc, f)) => (Some(sc), f),
        None => (None, s),
    };
    if let Some(sc) = scheme
        && sc != "unix"
    {
        p.push(
            Problem::error(
                path,
                format!(
                    "only URL scheme \"unix\" is supported, got {sc}",
                    sc = quote(sc)
                ),
            )
            .code("cri.scheme", &[&quote(sc)]),
        );
        return s.to_string();
    }
    if !file.starts_with('/') {
        p.push(
            Problem::error(
                path,
                format!("{s} is not an absolute socket path", s = quote(s)),
            )
            .code("cri.relative", &[&quote(s)]),
        );
    }
    if file.ends_with("dockershim.sock") && !r.dockershim {
        p.push(Problem::error(path, format!("dockershim was removed in Kubernetes v1.24; v1.{} cannot use {s}", r.minor)).hint("use unix:///var/run/containerd/containerd.sock, unix:///var/run/crio/crio.sock or unix:///var/run/cri-dockerd.sock").code("cri.dockershim", &[&r.minor, &s]));
        // One problem, one fix: the unix:// advice below would name the removed socket.
        return s.to_string();
    }
    if r.cri_socket_url && scheme.is_none() {
        p.push(Problem::warning(path, format!("kubeadm v1.{} expects a unix:// URL and would prepend it with a deprecation warning", r.minor)).hint(format!("write unix://{file}")).code("cri.url_expected", &[&r.minor, &file]));
        return format!("unix://{file}");
    }
    s.to_string()
}

pub(super) fn check_proxy_mode(m: ProxyMode, r: &KubeMinor, p: &mut Vec<Problem>) {
    let path = "kubernetes.proxyMode";
    match r.proxy_mode(m) {
        None => p.push(
            Problem::error(
                path,
                format!("kube-proxy v1.{} has no {} mode", r.minor, m.as_str()),
            )
            .hint("use iptables")
            .code("proxy.unsupported", &[&r.minor, &m.as_str()]),
        ),
        Some(Maturity::Alpha) => p.push(
            Problem::warning(
                path,
                format!(
                    "{} mode is alpha in v1.{} and needs the NFTablesProxyMode feature gate",
                    m.as_str(),
                    r.minor
                ),
            )
            .hint("use iptables, or Kubernetes v1.31+ where nftables is beta")
            .code("proxy.alpha", &[&m.as_str(), &r.minor]),
        ),
        Some(Maturity::Deprecated) => p.push(
            Problem::warning(
                path,
                format!(
                    "{} mode is deprecated from v1.35 and will be removed",
                    m.as_str()
                ),
            )
            .hint("use nftables or iptables")
            .code("proxy.deprecated", &[&m.as_str()]),
        ),
        _ => {}
    }
    if m == ProxyMode::Ipvs && r.ipvs_ipv6_nodeport_bug {
        p.push(
            Problem::warning(path, format!("with ipvs on v1.{}, NodePort services may not answer on the node's IPv6 address (fixed in v1.22)", r.minor))
                .hint("use proxyMode: iptables")
                .code("proxy.ipvs_ipv6_nodeport", &[&r.minor]),
        );
    }
}

pub(super) fn verify_plan(a: &Answers, p: &mut Vec<Problem>) -> VerifyPlan {
    let v = a.verify.clone().unwrap_or_default();
    let node_port = v.node_port.unwrap_or(31111);
    // kube-apiserver's default --service-node-port-range is 30000-32767.
    if !(30000..=32767).contains(&node_port) {
        p.push(
            Problem::error(
                "verify.nodePort",
                format!("{node_port} is outside the default NodePort range 30000-32767"),
            )
            .code("verify.node_port_range", &[&node_port]),
        );
    }
    let namespace = v.namespace.unwrap_or_else(|| "dsinstall-verify".into());
    let mut ns_problems = Vec::new();
    check_node_name(&namespace, "verify.namespace", &mut ns_problems);
    if !ns_problems.is_empty() || namespace.contains('.') || namespace.len() > 63 {
        p.push(
            Problem::error(
                "verify.namespace",
                format!(
                    "{namespace} is not a valid namespace name (RFC 1123 label)",
                    namespace = quote(&namespace)
                ),
            )
            .code("verify.namespace_invalid", &[&quote(&namespace)]),
        );
    }
    for (path, img) in [
        ("verify.serverImage", &v.server_image),
        ("verify.clientImage", &v.client_image),
    ] {
        if let Some(i) = img
            && (i.trim().is_empty() || i.contains(char::is_whitespace))
        {
            p.push(
                Problem::error(path, format!("{i} is not an image reference", i = quote(i)))
                    .code("verify.image_invalid", &[&quote(i)]),
            );
        }
    }
    VerifyPlan {
        server_image: v.server_image.unwrap_or_else(|| "nginx:latest".into()),
        client_image: v.client_image.unwrap_or_else(|| "busybox:latest".into()),
        node_port,
        namespace,
    }
}

pub(super) fn check_dns_domain(a: &Answers, p: &mut Vec<Problem>) {
    if let Some(d) = &a.networking.dns_domain
        && (!is_dns_name(d) || d.chars().any(|c| c.is_ascii_uppercase()))
    {
        p.push(
            Problem::error(
                "networking.dnsDomain",
                format!("{d} is not a valid DNS domain", d = quote(d)),
            )
            .code("dns_domain.invalid", &[&quote(d)]),
        );
    }
}

/// k8s.gcr.io was frozen on 2023-04-03: releases after that (1.27+, and the patch releases
/// from which kubeadm's default moved to registry.k8s.io) were never pushed there
/// (kubernetes.io/blog/2023/02/06/k8s-gcr-io-freeze-announcement).
pub(super) fn check_frozen_registry(
    repo: &str,
    v: &KubeVersion,
    r: &KubeMinor,
    p: &mut Vec<Problem>,
) {
    if repo != "k8s.gcr.io" {
        return;
    }
    let moved = r.default_image_repository == "registry.k8s.io"
        || r.image_repository_for(v) == "registry.k8s.io";
    if moved {
        p.push(
            Problem::warning(
                "kubernetes.imageRepository",
                format!("k8s.gcr.io is frozen and has no images for Kubernetes {v}; kubeadm would fail to pull them"),
            )
            .hint("use registry.k8s.io, or your mirror of it")
            .code("image_repository.frozen", &[v]),
        );
    }
}

/// `kubernetes.version` and its row of the version table.
pub(super) fn kube_version(
    a: &Answers,
    p: &mut Vec<Problem>,
) -> Option<(KubeVersion, &'static KubeMinor)> {
    match version::KubeVersion::parse(&a.kubernetes.version) {
        Ok(v) => match version::kube_minor(&v) {
            Ok(row) => Some((v, row)),
            Err(e) => {
                p.push(
                    Problem::error("kubernetes.version", e)
                        .hint(format!(
                            "use a version from v1.{} to v1.{}",
                            version::OLDEST_MINOR,
                            version::NEWEST_MINOR
                        ))
                        .code(
                            "kubernetes.version_unsupported",
                            &[&v, &version::OLDEST_MINOR, &version::NEWEST_MINOR],
                        ),
                );
                None
            }
        },
        Err(e) => {
            p.push(Problem::error("kubernetes.version", e).code(
                "kubernetes.version_syntax",
                &[&quote(&a.kubernetes.version)],
            ));
            None
        }
    }
}

/// `kubernetes.criSocket`, or the version's default.
pub(super) fn cri_socket(a: &Answers, row: Option<&KubeMinor>, p: &mut Vec<Problem>) -> String {
    match (&a.kubernetes.cri_socket, row) {
        (Some(s), Some(r)) => check_cri_socket(s, r, p),
        (None, Some(r)) => r.default_cri_socket.to_string(),
        (Some(s), None) => s.clone(),
        (None, None) => String::new(),
    }
}

/// `kubernetes.imageRepository`, or the one kubeadm defaults to for this release.
pub(super) fn image_repository(
    a: &Answers,
    kube: Option<(KubeVersion, &'static KubeMinor)>,
    p: &mut Vec<Problem>,
) -> String {
    let repo = match (&a.kubernetes.image_repository, kube) {
        (Some(s), _) if !s.trim().is_empty() => s.trim().trim_end_matches('/').to_string(),
        (_, Some((v, r))) => r.image_repository_for(&v).to_string(),
        _ => String::new(),
    };
    if let Some(given) = a.kubernetes.image_repository.as_deref()
        && !is_image_repository(given.trim().trim_end_matches('/'))
    {
        p.push(
            Problem::error(
                "kubernetes.imageRepository",
                format!("{given}: invalid image repository format (kubeadm wants a registry and path like registry.k8s.io or registry.local:5000/k8s, no scheme, spaces or quotes)", given = quote(given)),
            )
            .code("image_repository.invalid", &[&quote(given)]),
        );
    }
    if let Some((v, r)) = kube {
        check_frozen_registry(&repo, &v, r, p);
    }
    repo
}

/// A 1.19 kubelet takes one `--node-ip`: a dual-stack node reports one family only.
pub(super) fn check_single_node_ip(
    row: Option<&KubeMinor>,
    families: &[AddressFamily],
    p: &mut Vec<Problem>,
) {
    if let Some(r) = row
        && !r.node_ip_pair
        && families.len() == 2
    {
        p.push(
                Problem::warning(
                    "kubernetes.version",
                    format!(
                        "the v1.{} kubelet takes a single --node-ip, so the node will report no {} InternalIP",
                        r.minor,
                        families.get(1).map(|f| f.kube_name()).unwrap_or("IPv6")
                    ),
                )
                .hint("use Kubernetes v1.20 or newer, where kubeletExtraArgs node-ip takes both addresses")
                .code("kubernetes.single_node_ip", &[&r.minor, &families.get(1).map(|f| f.kube_name()).unwrap_or("IPv6")]),
            );
    }
}
