//! `kubeadm config images list|pull`: the images kubeadm's version deploys, from the config's
//! imageRepository and kubernetesVersion (cmd/kubeadm/app/images/images.go).

use super::config::{self, KubeadmConfig};
use super::{EXIT_DEFAULT, Flags, fail};
use crate::sim::Exit;
use crate::sim::pace;
use crate::sim::state::Ctx;
use crate::sim::version::Version;

/// The images in kubeadm's order: apiserver, controller-manager, scheduler, proxy, pause,
/// etcd, coredns.
pub fn images(v: Version, cfg: &KubeadmConfig) -> Vec<String> {
    let repo = cfg
        .cluster
        .image_repository
        .clone()
        .unwrap_or_else(|| v.default_image_repository().to_string());
    let kv = cfg
        .cluster
        .kubernetes_version
        .clone()
        .unwrap_or_else(|| v.to_string());
    let (dns_name, dns_tag) = v.coredns();
    // A custom imageRepository keeps CoreDNS at the registry root (images.go GetDNSImage).
    let dns_name = if cfg.cluster.image_repository.is_some() && repo != v.default_image_repository()
    {
        "coredns"
    } else {
        dns_name
    };
    vec![
        format!("{repo}/kube-apiserver:{kv}"),
        format!("{repo}/kube-controller-manager:{kv}"),
        format!("{repo}/kube-scheduler:{kv}"),
        format!("{repo}/kube-proxy:{kv}"),
        format!("{repo}/pause:{}", v.pause_tag()),
        format!("{repo}/etcd:{}", v.etcd_tag()),
        format!("{repo}/{dns_name}:{dns_tag}"),
    ]
}

/// The runtime's refusal to pull under the image-pull fault, per runtime era: docker up to
/// 1.23, crictl against containerd from 1.24.
pub fn pull_error(v: Version, image: &str) -> String {
    let registry = image.split('/').next().unwrap_or(image);
    if v.minor < 24 {
        format!(
            "failed to pull image {image}: output: Error response from daemon: Get https://{registry}/v2/: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)\n, error: exit status 1"
        )
    } else {
        format!(
            "failed to pull image {image}: output: E1201 00:00:00.000000    4242 remote_image.go:180] \"PullImage from image service failed\" err=\"rpc error: code = Unknown desc = failed to pull and unpack image \\\"{image}\\\": failed to resolve reference \\\"{image}\\\": failed to do request: Head \\\"https://{registry}/v2/\\\": dial tcp: lookup {registry} on 111.111.111.1:53: no such host\" image=\"{image}\"\n, error: exit status 1"
        )
    }
}

fn load(
    ctx: &Ctx,
    v: Version,
    args: &[String],
) -> Result<(Version, KubeadmConfig, Vec<String>, Vec<String>), Exit> {
    let flags = Flags::parse(
        args,
        &[
            "config",
            "kubernetes-version",
            "image-repository",
            "cri-socket",
            "kubeconfig",
        ],
        &[],
    )
    .map_err(|e| fail(v, &e, EXIT_DEFAULT))?;
    let w = ctx.load().map_err(|e| fail(v, &e, EXIT_DEFAULT))?;
    let (mut cfg, warnings) = match flags.get("config") {
        Some(p) => config::load(std::path::Path::new(p), v, "images")
            .map_err(|e| fail(v, &e.message, e.code))?,
        None => (KubeadmConfig::default(), Vec::new()),
    };
    if let Some(k) = flags.get("kubernetes-version") {
        cfg.cluster.kubernetes_version = Some(k.to_string());
    }
    if let Some(r) = flags.get("image-repository") {
        cfg.cluster.image_repository = Some(r.to_string());
    }
    Ok((v, cfg, warnings, w.faults))
}

pub fn list(ctx: &Ctx, v: Version, args: &[String]) -> Exit {
    let (v, cfg, warnings, _) = match load(ctx, v, args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    for w in warnings {
        eprintln!("{w}");
    }
    for i in images(v, &cfg) {
        println!("{i}");
    }
    0
}

pub fn pull(ctx: &Ctx, v: Version, args: &[String]) -> Exit {
    let (v, cfg, warnings, faults) = match load(ctx, v, args) {
        Ok(x) => x,
        Err(code) => return code,
    };
    for w in warnings {
        eprintln!("{w}");
    }
    let pace = ctx.load().map(|w| w.pace).unwrap_or(pace::Pace::Fast);
    pace::step_delay(&faults, "images");
    for i in images(v, &cfg) {
        if faults.iter().any(|f| f == "image-pull") {
            return fail(v, &pull_error(v, &i), EXIT_DEFAULT);
        }
        pace.wait(4.0);
        println!("[config/images] Pulled {i}");
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guides_images_on_119() {
        let v = Version {
            minor: 19,
            patch: 0,
        };
        let mut cfg = KubeadmConfig::default();
        cfg.cluster.image_repository = Some("k8s.gcr.io".into());
        cfg.cluster.kubernetes_version = Some("v1.19.0".into());
        assert_eq!(
            images(v, &cfg),
            [
                "k8s.gcr.io/kube-apiserver:v1.19.0",
                "k8s.gcr.io/kube-controller-manager:v1.19.0",
                "k8s.gcr.io/kube-scheduler:v1.19.0",
                "k8s.gcr.io/kube-proxy:v1.19.0",
                "k8s.gcr.io/pause:3.2",
                "k8s.gcr.io/etcd:3.4.13-0",
                "k8s.gcr.io/coredns:1.7.0",
            ]
        );
        let v = Version {
            minor: 28,
            patch: 4,
        };
        let i = images(v, &KubeadmConfig::default());
        assert_eq!(i[0], "registry.k8s.io/kube-apiserver:v1.28.4");
        assert_eq!(i[6], "registry.k8s.io/coredns/coredns:v1.10.1");
    }
}
