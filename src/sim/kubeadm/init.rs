//! `kubeadm init` and its phases preflight and upload-certs, with the lines of the simulated
//! release in their order (the order moved in 1.28, kubernetes/kubernetes#117984) and its
//! health-check wording (kubelet-check/api-check from 1.30, control-plane-check from 1.33).

use super::config::{self, KubeadmConfig};
use super::{EXIT_DEFAULT, EXIT_VALIDATION, Flags, fail, files, images, preflight, validation};
use crate::sim::cluster::{self, Cluster, controlplane, nodes};
use crate::sim::pace::{self, Pace};
use crate::sim::state::{Ctx, KubeadmDone, World};
use crate::sim::version::Version;
use crate::sim::{Exit, pki};

const VALUE_FLAGS: &[&str] = &[
    "config",
    "skip-phases",
    "ignore-preflight-errors",
    "certificate-key",
    "kubernetes-version",
    "pod-network-cidr",
    "service-cidr",
    "apiserver-advertise-address",
    "apiserver-bind-port",
    "node-name",
    "cri-socket",
    "control-plane-endpoint",
    "token",
    "token-ttl",
    "image-repository",
    "service-dns-domain",
    "feature-gates",
    "kubeconfig",
    "rootfs",
    "patches",
];
const BOOL_FLAGS: &[&str] = &[
    "upload-certs",
    "skip-token-print",
    "skip-certificate-key-print",
    "dry-run",
    "allow-experimental-api",
];
/// Flags kubeadm refuses next to --config (cmd/kubeadm/app/cmd/init.go, AllowedFlags list).
const NOT_WITH_CONFIG: &[&str] = &[
    "kubernetes-version",
    "pod-network-cidr",
    "service-cidr",
    "apiserver-advertise-address",
    "apiserver-bind-port",
    "node-name",
    "cri-socket",
    "control-plane-endpoint",
    "token",
    "token-ttl",
    "image-repository",
    "service-dns-domain",
    "feature-gates",
];

/// Everything init decided before printing, so a failure can stop at the right line.
struct Plan {
    v: Version,
    cfg: KubeadmConfig,
    node_name: String,
    advertise: String,
    bind_port: u16,
    endpoint: String,
    repo: String,
    cri: String,
    dns_domain: String,
    service_ranges: Vec<String>,
    kubelet: Result<Vec<String>, String>,
    apiserver: Result<(), String>,
    kcm: Result<Option<controlplane::Ipam>, String>,
}

fn parse_flags(v: Version, args: &[String]) -> Result<Flags, Exit> {
    let flags =
        Flags::parse(args, VALUE_FLAGS, BOOL_FLAGS).map_err(|e| fail(v, &e, EXIT_DEFAULT))?;
    if flags.get("config").is_some() {
        let mixed: Vec<&str> = NOT_WITH_CONFIG
            .iter()
            .copied()
            .filter(|f| flags.get(f).is_some())
            .collect();
        if !mixed.is_empty() {
            return Err(fail(
                v,
                &format!(
                    "can not mix '--config' with arguments [{}]",
                    mixed.join(" ")
                ),
                EXIT_DEFAULT,
            ));
        }
    }
    Ok(flags)
}

/// Load and check the config as `init` does: warnings out, errors with their exit code.
fn load_config(ctx: &Ctx, v: Version, flags: &Flags) -> Result<KubeadmConfig, Exit> {
    let mut cfg = match flags.get("config") {
        Some(p) => {
            let (cfg, warnings) = config::load(&ctx.host_path(p), v, "init")
                .map_err(|e| fail(v, &e.message, e.code))?;
            for w in warnings {
                eprintln!("{w}");
            }
            cfg
        }
        None => KubeadmConfig::default(),
    };
    let init = cfg.init.get_or_insert_with(|| config::InitCfg {
        bind_port: 6443,
        ..Default::default()
    });
    if let Some(x) = flags.get("pod-network-cidr") {
        cfg.cluster.pod_subnet = Some(x.into());
    }
    if let Some(x) = flags.get("service-cidr") {
        cfg.cluster.service_subnet = Some(x.into());
    }
    if let Some(x) = flags.get("apiserver-advertise-address") {
        init.advertise_address = Some(x.into());
    }
    if let Some(x) = flags.get("node-name") {
        init.node.name = Some(x.into());
    }
    if let Some(x) = flags.get("cri-socket") {
        init.node.cri_socket = Some(x.into());
    }
    if let Some(x) = flags.get("control-plane-endpoint") {
        cfg.cluster.control_plane_endpoint = Some(x.into());
    }
    if let Some(x) = flags.get("kubernetes-version") {
        cfg.cluster.kubernetes_version = Some(x.into());
    }
    let errs = validation::errors(v, &cfg);
    if !errs.is_empty() {
        return Err(fail(v, &validation::aggregate(&errs), EXIT_VALIDATION));
    }
    Ok(cfg)
}

fn plan(w: &World, ctx: &Ctx, v: Version, cfg: KubeadmConfig) -> Result<Plan, Exit> {
    let host = &w.hosts[&ctx.host];
    let init = cfg.init.clone().unwrap_or_default();
    let node_name = init.node.name.clone().unwrap_or_else(|| ctx.host.clone());
    let advertise = init
        .advertise_address
        .clone()
        .or_else(|| host.spec.ipv4.clone())
        .or_else(|| host.spec.ipv6.clone())
        .unwrap_or_else(|| "127.0.0.1".into());
    let bind_port = if init.bind_port == 0 {
        6443
    } else {
        init.bind_port
    };
    let endpoint = cfg
        .cluster
        .control_plane_endpoint
        .clone()
        .unwrap_or_else(|| {
            if advertise.contains(':') {
                format!("[{advertise}]:{bind_port}")
            } else {
                format!("{advertise}:{bind_port}")
            }
        });
    let repo = cfg
        .cluster
        .image_repository
        .clone()
        .unwrap_or_else(|| v.default_image_repository().into());
    let mut cri = init
        .node
        .cri_socket
        .clone()
        .unwrap_or_else(|| preflight::runtime_socket(v).into());
    if v.at_least(24) && !cri.contains("://") {
        eprintln!(
            "{}",
            super::klog::warning(
                "initconfiguration.go:117",
                &format!(
                    "Usage of CRI endpoints without URL scheme is deprecated and can cause kubelet errors in the future. Automatically prepending scheme \"unix\" to the \"criSocket\" with value {cri:?}. Please update your configuration!"
                )
            )
        );
        cri = format!("unix://{cri}");
    }
    // A kubernetesVersion older than kubeadm's skew allows (one minor below its own).
    if let Some(kv) = cfg.cluster.kubernetes_version.as_deref()
        && let Ok(k) = Version::parse(kv)
        && k.minor + 1 < v.minor
    {
        return Err(fail(
            v,
            &format!(
                "this version of kubeadm only supports deploying clusters with the control plane version >= 1.{}.0. Current version: {kv}",
                v.minor - 1
            ),
            EXIT_DEFAULT,
        ));
    }
    let kubelet = kubelet_outcome(w, host, v, &cfg, init.node.node_ip());
    let apiserver = controlplane::apiserver(v, &cfg);
    let service_ranges = apiserver
        .as_ref()
        .map(|(r, _)| r.iter().map(|n| n.to_string()).collect())
        .unwrap_or_default();
    let kcm = controlplane::controller_manager(v, &cfg);
    Ok(Plan {
        v,
        node_name,
        advertise,
        bind_port,
        endpoint,
        repo,
        cri,
        dns_domain: cfg
            .cluster
            .dns_domain
            .clone()
            .unwrap_or_else(|| "cluster.local".into()),
        service_ranges,
        kubelet,
        apiserver: apiserver.map(|_| ()),
        kcm,
        cfg,
    })
}

/// Whether the kubelet kubeadm starts stays up, and the node addresses it reports.
pub fn kubelet_outcome(
    w: &World,
    host: &crate::sim::state::HostState,
    v: Version,
    cfg: &KubeadmConfig,
    node_ip: Option<&str>,
) -> Result<Vec<String>, String> {
    let gate =
        controlplane::kubelet_gate(v, cfg).map_err(|e| format!("failed to run Kubelet: {e}"))?;
    // kubeadm defaults the kubelet's cgroupDriver to systemd from 1.21 (#99471); the kubelet's
    // own default is cgroupfs. The lab's runtimes use systemd, as the CRI docs recommend;
    // the kubelet-unhealthy fault turns the runtime to the other driver.
    let kubelet_driver = cfg.kubelet.cgroup_driver.clone().unwrap_or_else(|| {
        if v.at_least(21) {
            "systemd".into()
        } else {
            "cgroupfs".into()
        }
    });
    let mut runtime_driver = "systemd".to_string();
    if w.has_fault("kubelet-unhealthy") {
        runtime_driver = if kubelet_driver == "systemd" {
            "cgroupfs".into()
        } else {
            "systemd".into()
        };
    }
    if kubelet_driver != runtime_driver {
        let rt = if v.minor < 24 {
            "docker"
        } else {
            "container runtime"
        };
        return Err(format!(
            "failed to run Kubelet: misconfiguration: kubelet cgroup driver: {kubelet_driver:?} is different from {rt} cgroup driver: {runtime_driver:?}"
        ));
    }
    if host.swap && cfg.kubelet.fail_swap_on != Some(false) {
        return Err("failed to run Kubelet: running with swap on is not supported, please disable swap! or set --fail-swap-on flag to false".into());
    }
    nodes::kubelet_ips(
        v,
        node_ip,
        gate,
        host.spec.ipv4.as_deref(),
        host.spec.ipv6.as_deref(),
    )
}

/// Whether kubeadm runs its IPv6 preflight checks: from 1.31 for any IPv6 subnet or
/// advertise address (checks.go, current); before, only for an IPv6 advertise address.
fn ipv6_checks(v: Version, cfg: &KubeadmConfig, advertise: &str) -> bool {
    advertise.contains(':')
        || (v.at_least(31)
            && [&cfg.cluster.pod_subnet, &cfg.cluster.service_subnet]
                .iter()
                .any(|s| s.as_deref().is_some_and(|s| s.contains(':'))))
}

fn run_preflight(
    w: &World,
    ctx: &Ctx,
    p: &Plan,
    ignore: &[String],
    pull: bool,
) -> Result<(), String> {
    println!("[preflight] Running pre-flight checks");
    let host = &w.hosts[&ctx.host];
    let findings = preflight::checks(
        w,
        host,
        p.v,
        true,
        p.bind_port,
        ipv6_checks(p.v, &p.cfg, &p.advertise),
        &p.cri,
        &ctx.root(),
    );
    preflight::report(p.v, findings, ignore)?;
    if !pull {
        return Ok(());
    }
    // The image pull runs as its own check after the others passed (RunPullImagesCheck).
    println!("[preflight] Pulling images required for setting up a Kubernetes cluster");
    println!(
        "[preflight] This might take a minute or two, depending on the speed of your internet connection"
    );
    if p.v.at_least(28) {
        println!(
            "[preflight] You can also perform this action beforehand using 'kubeadm config images pull'"
        );
    } else {
        println!(
            "[preflight] You can also perform this action in beforehand using 'kubeadm config images pull'"
        );
    }
    let mut pulls = Vec::new();
    if w.has_fault("image-pull") {
        for i in images::images(p.v, &p.cfg) {
            pulls.push(preflight::Finding {
                name: "ImagePull".into(),
                msg: images::pull_error(p.v, &i),
                error: true,
            });
        }
    }
    preflight::report(p.v, pulls, ignore)
}

pub fn phase_preflight(ctx: &Ctx, v: Version, args: &[String]) -> Exit {
    let flags = match parse_flags(v, args) {
        Ok(f) => f,
        Err(c) => return c,
    };
    let w = match ctx.load() {
        Ok(w) => w,
        Err(e) => return fail(v, &e, EXIT_DEFAULT),
    };
    let cfg = match load_config(ctx, v, &flags) {
        Ok(c) => c,
        Err(c) => return c,
    };
    let p = match plan(&w, ctx, v, cfg) {
        Ok(p) => p,
        Err(c) => return c,
    };
    pace::step_delay(&w.faults, "preflight");
    let mut ignore = flags.list("ignore-preflight-errors");
    ignore.extend(
        p.cfg
            .init
            .as_ref()
            .map(|i| i.node.ignore_preflight_errors.clone())
            .unwrap_or_default(),
    );
    match run_preflight(&w, ctx, &p, &ignore, true) {
        Ok(()) => 0,
        Err(msg) => fail(
            v,
            &format!("error execution phase preflight: {msg}"),
            EXIT_DEFAULT,
        ),
    }
}

pub fn phase_upload_certs(ctx: &Ctx, v: Version, args: &[String]) -> Exit {
    let flags = match Flags::parse(
        args,
        &["config", "certificate-key", "kubeconfig"],
        &["upload-certs", "skip-certificate-key-print"],
    ) {
        Ok(f) => f,
        Err(e) => return fail(v, &e, EXIT_DEFAULT),
    };
    if !flags.has("upload-certs") {
        println!("[upload-certs] Skipping phase. Please see --upload-certs");
        return 0;
    }
    // The key: --certificate-key, else the InitConfiguration's certificateKey of --config,
    // else a new one (cmd/kubeadm/app/cmd/phases/init/uploadcerts.go).
    let from_config = match flags.get("config") {
        Some(p) => match super::config::load(&ctx.host_path(p), v, "init") {
            Ok((cfg, _)) => cfg.init.and_then(|i| i.certificate_key),
            Err(e) => return fail(v, &e.message, e.code),
        },
        None => None,
    };
    let key = flags
        .get("certificate-key")
        .map(str::to_string)
        .or(from_config)
        .unwrap_or_else(|| pki::random_hex(32));
    let r = ctx.update(|w| {
        let c = w.cluster.as_mut().ok_or_else(|| "failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory".to_string())?;
        c.certificate_key = Some(key.clone());
        c.certs_reuploaded = true;
        Ok(())
    });
    if let Err(e) = r {
        return fail(
            v,
            &format!("error execution phase upload-certs: {e}"),
            EXIT_DEFAULT,
        );
    }
    println!(
        "[upload-certs] Storing the certificates in Secret \"kubeadm-certs\" in the \"kube-system\" Namespace"
    );
    println!("[upload-certs] Using certificate key:");
    println!("{key}");
    0
}

pub fn run(ctx: &Ctx, v: Version, args: &[String]) -> Exit {
    let flags = match parse_flags(v, args) {
        Ok(f) => f,
        Err(c) => return c,
    };
    let w = match ctx.load() {
        Ok(w) => w,
        Err(e) => return fail(v, &e, EXIT_DEFAULT),
    };
    let cfg = match load_config(ctx, v, &flags) {
        Ok(c) => c,
        Err(c) => return c,
    };
    let p = match plan(&w, ctx, v, cfg) {
        Ok(p) => p,
        Err(c) => return c,
    };
    let init = p.cfg.init.clone().unwrap_or_default();
    let mut skip = flags.list("skip-phases");
    skip.extend(init.skip_phases.iter().cloned());
    let skipped = |phase: &str| {
        skip.iter()
            .any(|s| s == phase || s == "all" || phase.starts_with(&format!("{s}/")))
    };
    let pace = w.pace;
    let kv = p
        .cfg
        .cluster
        .kubernetes_version
        .clone()
        .unwrap_or_else(|| v.to_string());
    println!("[init] Using Kubernetes version: {kv}");
    if !skipped("preflight") {
        pace::step_delay(&w.faults, "preflight");
        let mut ignore = flags.list("ignore-preflight-errors");
        ignore.extend(init.node.ignore_preflight_errors.iter().cloned());
        if let Err(msg) = run_preflight(&w, ctx, &p, &ignore, true) {
            return fail(
                v,
                &format!("error execution phase preflight: {msg}"),
                EXIT_DEFAULT,
            );
        }
        pace.wait(20.0);
    }
    // The CA first: its hash goes into the join command, its certificate into kubeconfigs.
    let ca = match pki::new_ca() {
        Ok(c) => c,
        Err(e) => {
            return fail(
                v,
                &format!("error execution phase certs/ca: {e}"),
                EXIT_DEFAULT,
            );
        }
    };
    let root = ctx.root();
    let write = |path: &str, text: &str, private: bool| -> Result<(), Exit> {
        files::write(&root, path, text, private).map_err(|e| {
            fail(
                v,
                &format!("error execution phase {path}: {e}"),
                EXIT_DEFAULT,
            )
        })
    };
    let certs = || -> Result<(), Exit> {
        certs_lines(&p);
        write("/etc/kubernetes/pki/ca.crt", &ca.cert_pem, false)?;
        write("/etc/kubernetes/pki/ca.key", &ca.key_pem, true)
    };
    let kubeconfigs = || -> Result<(), Exit> {
        println!("[kubeconfig] Using kubeconfig folder \"/etc/kubernetes\"");
        let name = p
            .cfg
            .cluster
            .cluster_name
            .clone()
            .unwrap_or_else(|| "kubernetes".into());
        let mut confs = vec![("admin.conf", "kubernetes-admin")];
        if v.at_least(29) {
            confs.push(("super-admin.conf", "kubernetes-super-admin"));
        }
        confs.push(("kubelet.conf", "system:node"));
        confs.push(("controller-manager.conf", "system:kube-controller-manager"));
        confs.push(("scheduler.conf", "system:kube-scheduler"));
        for (f, user) in confs {
            println!("[kubeconfig] Writing {f:?} kubeconfig file");
            let user = if user == "system:node" {
                format!("system:node:{}", p.node_name)
            } else {
                user.to_string()
            };
            write(
                &format!("/etc/kubernetes/{f}"),
                &files::kubeconfig(&name, &p.endpoint, &ca.cert_pem, &user),
                true,
            )?;
        }
        Ok(())
    };
    let kubelet_start = || -> Result<(), Exit> {
        println!(
            "[kubelet-start] Writing kubelet environment file with flags to file \"/var/lib/kubelet/kubeadm-flags.env\""
        );
        println!(
            "[kubelet-start] Writing kubelet configuration to file \"/var/lib/kubelet/config.yaml\""
        );
        write(
            "/var/lib/kubelet/kubeadm-flags.env",
            &kubelet_flags_env(&p, &init.node),
            false,
        )?;
        write(
            "/var/lib/kubelet/config.yaml",
            "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n",
            false,
        )?;
        println!("[kubelet-start] Starting the kubelet");
        Ok(())
    };
    let control_plane = || -> Result<(), Exit> {
        println!("[control-plane] Using manifest folder \"/etc/kubernetes/manifests\"");
        for c in [
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
        ] {
            println!("[control-plane] Creating static Pod manifest for {c:?}");
            write(
                &format!("/etc/kubernetes/manifests/{c}.yaml"),
                &files::static_pod(
                    c,
                    &format!("{}/{c}:{kv}", p.repo),
                    &component_command(&p, c),
                ),
                false,
            )?;
        }
        Ok(())
    };
    let etcd = || -> Result<(), Exit> {
        println!(
            "[etcd] Creating static Pod manifest for local etcd in \"/etc/kubernetes/manifests\""
        );
        write(
            "/etc/kubernetes/manifests/etcd.yaml",
            &files::static_pod(
                "etcd",
                &format!("{}/etcd:{}", p.repo, v.etcd_tag()),
                &["etcd".to_string(), "--data-dir=/var/lib/etcd".to_string()],
            ),
            false,
        )?;
        write("/var/lib/etcd/member/snap/db", "", true)
    };
    type Step<'a> = (&'a str, &'a dyn Fn() -> Result<(), Exit>);
    let steps: Vec<Step> = if v.at_least(28) {
        vec![
            ("certs", &certs),
            ("kubeconfig", &kubeconfigs),
            ("etcd", &etcd),
            ("control-plane", &control_plane),
            ("kubelet-start", &kubelet_start),
        ]
    } else {
        vec![
            ("certs", &certs),
            ("kubeconfig", &kubeconfigs),
            ("kubelet-start", &kubelet_start),
            ("control-plane", &control_plane),
            ("etcd", &etcd),
        ]
    };
    for (name, step) in steps {
        if !skipped(name) {
            if let Err(code) = step() {
                return code;
            }
            pace.wait(1.0);
        }
    }
    // wait-control-plane: the kubelet must come up and run the static Pods.
    pace::step_delay(&w.faults, "kubeadm.init");
    if let Err(code) = wait_control_plane(&p, pace) {
        return code;
    }
    let cert_key = if flags.has("upload-certs") {
        Some(
            flags
                .get("certificate-key")
                .map(str::to_string)
                .or(init.certificate_key.clone())
                .unwrap_or_else(|| pki::random_hex(32)),
        )
    } else {
        None
    };
    let tokens = if init.tokens.is_empty() {
        vec![pki::random_token()]
    } else {
        init.tokens.clone()
    };
    let taints = init
        .node
        .taints
        .clone()
        .unwrap_or_else(|| nodes::default_control_plane_taints(v));
    // The cluster exists from here: record it before printing the rest.
    let r = ctx.update(|w| {
        let host = w.hosts.get_mut(&ctx.host).ok_or("no such host")?;
        host.kubeadm = Some(KubeadmDone {
            control_plane: true,
            node_ip: init.node.node_ip().map(str::to_string),
        });
        let spec = host.spec.clone();
        let (cidrs, m4, m6, kcm_error) = match &p.kcm {
            Ok(Some(ipam)) => (
                ipam.cluster_cidrs.iter().map(|n| n.to_string()).collect(),
                ipam.mask_v4,
                ipam.mask_v6,
                None,
            ),
            Ok(None) => (Vec::new(), 24, 64, None),
            Err(e) => (Vec::new(), 24, 64, Some(e.clone())),
        };
        let proxy_cidr = p
            .cfg
            .proxy
            .cluster_cidr
            .clone()
            .or(p.cfg.cluster.pod_subnet.clone())
            .unwrap_or_default();
        let proxy_gate = controlplane::component_gate(
            v,
            None,
            p.cfg
                .proxy
                .feature_gates
                .iter()
                .find(|(k, _)| k == "IPv6DualStack")
                .map(|(_, b)| *b)
                .or(p.cfg.cluster.gate("IPv6DualStack")),
            25,
        )
        .unwrap_or(false);
        let mut c = Cluster {
            created: cluster::time::now_secs(),
            name: p
                .cfg
                .cluster
                .cluster_name
                .clone()
                .unwrap_or_else(|| "kubernetes".into()),
            endpoint: p.endpoint.clone(),
            dns_domain: p.dns_domain.clone(),
            image_repository: p.repo.clone(),
            service_ranges: p.service_ranges.clone(),
            cluster_cidrs: cidrs,
            mask_v4: m4,
            mask_v6: m6,
            kcm_error,
            proxy_mode: p
                .cfg
                .proxy
                .mode
                .clone()
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "iptables".into()),
            proxy_dual: proxy_cidr.contains(',') && proxy_gate,
            ca_hash: ca.hash.clone(),
            ca_pem: ca.cert_pem.clone(),
            tokens: tokens.clone(),
            certificate_key: cert_key.clone(),
            nodes: Vec::new(),
            objects: Vec::new(),
            pods: Vec::new(),
            service_ips: Vec::new(),
            next_uid: 0,
            init_token_count: tokens.len(),
            certs_reuploaded: false,
            kubelet_cgroup_driver: p.cfg.kubelet.cgroup_driver.clone(),
            kubelet_gates: p.cfg.kubelet.feature_gates.clone(),
            kubeadm_gates: p.cfg.cluster.feature_gates.clone(),
        };
        let ips = p.kubelet.clone().unwrap_or_default();
        cluster::objects::register_node(
            &mut c,
            v,
            &p.node_name,
            ips,
            true,
            taints.clone(),
            &p.cri,
            &spec,
        );
        cluster::objects::bootstrap(&mut c, v);
        w.cluster = Some(c);
        Ok(())
    });
    if let Err(e) = r {
        return fail(
            v,
            &format!("error execution phase upload-config: {e}"),
            EXIT_DEFAULT,
        );
    }
    finish_lines(
        &p,
        &skipped,
        cert_key.as_deref(),
        &tokens,
        &taints,
        &ca.hash,
        flags.has("skip-token-print"),
        flags.has("skip-certificate-key-print"),
        pace,
    );
    0
}

fn certs_lines(p: &Plan) {
    println!("[certs] Using certificateDir folder \"/etc/kubernetes/pki\"");
    println!("[certs] Generating \"ca\" certificate and key");
    println!("[certs] Generating \"apiserver\" certificate and key");
    let mut dns = vec![
        p.node_name.clone(),
        "kubernetes".into(),
        "kubernetes.default".into(),
        "kubernetes.default.svc".into(),
        format!("kubernetes.default.svc.{}", p.dns_domain),
    ];
    let mut ips: Vec<String> = Vec::new();
    if let Some(first) = p
        .service_ranges
        .first()
        .and_then(|r| r.parse::<ipnet::IpNet>().ok())
    {
        ips.push(crate::sim::cluster::services::nth_ip(&first, 1));
    }
    ips.push(p.advertise.clone());
    if let Some(host) = p
        .cfg
        .cluster
        .control_plane_endpoint
        .as_deref()
        .and_then(crate::sim::lab::host_of_endpoint)
    {
        if host.parse::<std::net::IpAddr>().is_ok() {
            if !ips.contains(&host) {
                ips.push(host);
            }
        } else if !dns.contains(&host) {
            dns.push(host);
        }
    }
    for s in &p.cfg.cluster.cert_sans {
        if s.parse::<std::net::IpAddr>().is_ok() {
            ips.push(s.clone());
        } else {
            dns.push(s.clone());
        }
    }
    dns.sort();
    dns.dedup();
    println!(
        "[certs] apiserver serving cert is signed for DNS names [{}] and IPs [{}]",
        dns.join(" "),
        ips.join(" ")
    );
    println!("[certs] Generating \"apiserver-kubelet-client\" certificate and key");
    println!("[certs] Generating \"front-proxy-ca\" certificate and key");
    println!("[certs] Generating \"front-proxy-client\" certificate and key");
    println!("[certs] Generating \"etcd/ca\" certificate and key");
    let mut etcd_dns = ["localhost".to_string(), p.node_name.clone()];
    etcd_dns.sort();
    for c in ["server", "peer"] {
        println!("[certs] Generating \"etcd/{c}\" certificate and key");
        println!(
            "[certs] etcd/{c} serving cert is signed for DNS names [{}] and IPs [{} 127.0.0.1 ::1]",
            etcd_dns.join(" "),
            p.advertise
        );
    }
    println!("[certs] Generating \"etcd/healthcheck-client\" certificate and key");
    println!("[certs] Generating \"apiserver-etcd-client\" certificate and key");
    println!("[certs] Generating \"sa\" key and public key");
}

fn kubelet_flags_env(p: &Plan, node: &config::NodeReg) -> String {
    let mut args = Vec::new();
    if p.v.minor < 24 {
        args.push("--network-plugin=cni".to_string());
    } else {
        args.push(format!("--container-runtime-endpoint={}", p.cri));
    }
    if p.v.minor < 27 {
        args.push(format!(
            "--pod-infra-container-image={}/pause:{}",
            p.repo,
            p.v.pause_tag()
        ));
    }
    for (k, val) in &node.kubelet_extra_args {
        args.push(format!("--{k}={val}"));
    }
    format!("KUBELET_KUBEADM_ARGS=\"{}\"\n", args.join(" "))
}

/// The command line kubeadm writes into a component's static Pod manifest (the flags the
/// lab's model reads back from the config: ranges, masks, gates).
fn component_command(p: &Plan, c: &str) -> Vec<String> {
    let cl = &p.cfg.cluster;
    let mut cmd = vec![c.to_string()];
    let user_args: &[(String, String)] = match c {
        "kube-apiserver" => &cl.apiserver_args,
        "kube-controller-manager" => &cl.controller_manager_args,
        _ => &[],
    };
    match c {
        "kube-apiserver" => {
            cmd.push(format!("--advertise-address={}", p.advertise));
            cmd.push(format!("--secure-port={}", p.bind_port));
            cmd.push(format!(
                "--service-cluster-ip-range={}",
                cl.service_subnet
                    .clone()
                    .unwrap_or_else(|| "10.96.0.0/12".into())
            ));
        }
        "kube-controller-manager" => {
            if let Some(ps) = &cl.pod_subnet {
                cmd.push("--allocate-node-cidrs=true".into());
                cmd.push(format!("--cluster-cidr={ps}"));
            }
            cmd.push(format!(
                "--service-cluster-ip-range={}",
                cl.service_subnet
                    .clone()
                    .unwrap_or_else(|| "10.96.0.0/12".into())
            ));
        }
        _ => {}
    }
    if p.v.minor <= 23
        && let Some(g) = cl.gate("IPv6DualStack")
        && !user_args.iter().any(|(k, _)| k == "feature-gates")
    {
        cmd.push(format!("--feature-gates=IPv6DualStack={g}"));
    }
    for (k, v) in user_args {
        cmd.push(format!("--{k}={v}"));
    }
    cmd
}

/// wait-control-plane and the health checks of the release; Err: kubeadm's failure text.
fn wait_control_plane(p: &Plan, pace: Pace) -> Result<(), Exit> {
    let v = p.v;
    let kubelet_ok = p.kubelet.is_ok();
    let api_ok = kubelet_ok && p.apiserver.is_ok();
    let kcm_ok = kubelet_ok && p.kcm.is_ok();
    let crictl = format!("crictl --runtime-endpoint {}", p.cri);
    if !v.at_least(30) {
        println!(
            "[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory \"/etc/kubernetes/manifests\". This can take up to 4m0s"
        );
        if api_ok {
            pace.wait(12.0);
            println!(
                "[apiclient] All control plane components are healthy after {:.6} seconds",
                if pace == Pace::Real {
                    12.503218
                } else {
                    0.004812
                }
            );
            return Ok(());
        }
        pace.wait(40.0);
        println!("[kubelet-check] Initial timeout of 40s passed.");
        if !kubelet_ok {
            for _ in 0..5 {
                pace.wait(10.0);
                println!("[kubelet-check] It seems like the kubelet isn't running or healthy.");
                println!(
                    "[kubelet-check] The HTTP call equal to 'curl -sSL http://localhost:10248/healthz' failed with error: Get \"http://localhost:10248/healthz\": dial tcp [::1]:10248: connect: connection refused."
                );
            }
        }
        pace.wait(180.0);
        println!();
        println!("\tUnfortunately, an error has occurred:");
        println!("\t\ttimed out waiting for the condition");
        println!();
        println!("\tThis error is likely caused by:");
        println!("\t\t- The kubelet is not running");
        println!(
            "\t\t- The kubelet is unhealthy due to a misconfiguration of the node in some way (required cgroups disabled)"
        );
        println!();
        println!(
            "\tIf you are on a systemd-powered system, you can try to troubleshoot the error with the following commands:"
        );
        println!("\t\t- 'systemctl status kubelet'");
        println!("\t\t- 'journalctl -xeu kubelet'");
        println!();
        println!(
            "\tAdditionally, a control plane component may have crashed or exited when started by the container runtime."
        );
        println!(
            "\tTo troubleshoot, list all containers using your preferred container runtimes CLI."
        );
        println!();
        if v.minor < 24 {
            println!(
                "\tHere is one example how you may list all Kubernetes containers running in docker:"
            );
            println!("\t\t- 'docker ps -a | grep kube | grep -v pause'");
            println!(
                "\t\tOnce you have found the failing container, you can inspect its logs with:"
            );
            println!("\t\t- 'docker logs CONTAINERID'");
        } else {
            println!(
                "\tHere is one example how you may list all running Kubernetes containers by using crictl:"
            );
            println!("\t\t- '{crictl} ps -a | grep kube | grep -v pause'");
            println!(
                "\t\tOnce you have found the failing container, you can inspect its logs with:"
            );
            println!("\t\t- '{crictl} logs CONTAINERID'");
        }
        println!();
        return Err(fail(
            v,
            "error execution phase wait-control-plane: couldn't initialize a Kubernetes cluster",
            EXIT_DEFAULT,
        ));
    }
    println!(
        "[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory \"/etc/kubernetes/manifests\""
    );
    if v.at_least(31) {
        println!(
            "[kubelet-check] Waiting for a healthy kubelet at http://127.0.0.1:10248/healthz. This can take up to 4m0s"
        );
    } else {
        println!("[kubelet-check] Waiting for a healthy kubelet. This can take up to 4m0s");
    }
    if !kubelet_ok {
        pace.wait(240.0);
        println!("[kubelet-check] The kubelet is not healthy after 4m0.000453124s");
        println!();
        println!("Unfortunately, an error has occurred, likely caused by:");
        println!("\t- The kubelet is not running");
        println!(
            "\t- The kubelet is unhealthy due to a misconfiguration of the node in some way (required cgroups disabled)"
        );
        println!();
        println!(
            "If you are on a systemd-powered system, you can try to troubleshoot the error with the following commands:"
        );
        println!("\t- 'systemctl status kubelet'");
        println!("\t- 'journalctl -xeu kubelet'");
        println!();
        return Err(fail(
            v,
            "error execution phase wait-control-plane: failed while waiting for the kubelet to start: The HTTP call equal to 'curl -sSL http://127.0.0.1:10248/healthz' returned error: Get \"http://127.0.0.1:10248/healthz\": dial tcp 127.0.0.1:10248: connect: connection refused",
            EXIT_DEFAULT,
        ));
    }
    pace.wait(1.0);
    println!(
        "[kubelet-check] The kubelet is healthy after {}",
        if pace == Pace::Real {
            "1.002018843s"
        } else {
            "501.408209ms"
        }
    );
    let unhealthy_tail = |what: &str| {
        println!();
        println!(
            "A control plane component may have crashed or exited when started by the container runtime."
        );
        println!(
            "To troubleshoot, list all containers using your preferred container runtimes CLI."
        );
        println!(
            "Here is one example how you may list all running Kubernetes containers by using crictl:"
        );
        println!("\t- '{crictl} ps -a | grep kube | grep -v pause'");
        println!("\tOnce you have found the failing container, you can inspect its logs with:");
        println!("\t- '{crictl} logs CONTAINERID'");
        println!();
        fail(
            v,
            &format!(
                "error execution phase wait-control-plane: failed while waiting for the control plane to start: {what}"
            ),
            EXIT_DEFAULT,
        )
    };
    if !v.at_least(33) {
        println!("[api-check] Waiting for a healthy API server. This can take up to 4m0s");
        if !api_ok {
            pace.wait(240.0);
            println!("[api-check] The API server is not healthy after 4m0.000288715s");
            return Err(unhealthy_tail(
                "kube-apiserver check failed at https://127.0.0.1:6443/livez: context deadline exceeded",
            ));
        }
        pace.wait(6.0);
        println!(
            "[api-check] The API server is healthy after {}",
            if pace == Pace::Real {
                "6.001656186s"
            } else {
                "4.512004ms"
            }
        );
        return Ok(());
    }
    println!(
        "[control-plane-check] Waiting for healthy control plane components. This can take up to 4m0s"
    );
    println!(
        "[control-plane-check] Checking kube-apiserver at https://{}:{}/livez",
        p.advertise, p.bind_port
    );
    println!(
        "[control-plane-check] Checking kube-controller-manager at https://127.0.0.1:10257/healthz"
    );
    println!("[control-plane-check] Checking kube-scheduler at https://127.0.0.1:10259/livez");
    pace.wait(4.0);
    let mut failed = Vec::new();
    if kcm_ok {
        println!("[control-plane-check] kube-controller-manager is healthy after 1.506914ms");
    } else {
        failed.push("kube-controller-manager check failed at https://127.0.0.1:10257/healthz: Get \"https://127.0.0.1:10257/healthz\": dial tcp 127.0.0.1:10257: connect: connection refused".to_string());
    }
    println!("[control-plane-check] kube-scheduler is healthy after 2.10837ms");
    if api_ok {
        println!("[control-plane-check] kube-apiserver is healthy after 3.500513ms");
    } else {
        failed.push(format!("kube-apiserver check failed at https://{}:{}/livez: Get \"https://{}:{}/livez\": dial tcp {}:{}: connect: connection refused", p.advertise, p.bind_port, p.advertise, p.bind_port, p.advertise, p.bind_port));
    }
    if !failed.is_empty() {
        pace.wait(240.0);
        for f in &failed {
            let comp = f.split(' ').next().unwrap_or("");
            println!("[control-plane-check] {comp} is not healthy after 4m0.000512119s");
        }
        return Err(unhealthy_tail(&failed.join(", ")));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn finish_lines(
    p: &Plan,
    skipped: &dyn Fn(&str) -> bool,
    cert_key: Option<&str>,
    tokens: &[String],
    taints: &[(String, String)],
    hash: &str,
    skip_token: bool,
    skip_key: bool,
    pace: Pace,
) {
    let v = p.v;
    if !skipped("upload-config") {
        println!(
            "[upload-config] Storing the configuration used in ConfigMap \"kubeadm-config\" in the \"kube-system\" Namespace"
        );
        if v.at_least(24) {
            println!(
                "[kubelet] Creating a ConfigMap \"kubelet-config\" in namespace kube-system with the configuration for the kubelets in the cluster"
            );
        } else {
            println!(
                "[kubelet] Creating a ConfigMap \"kubelet-config-1.{}\" in namespace kube-system with the configuration for the kubelets in the cluster",
                v.minor
            );
        }
    }
    if !skipped("upload-certs") {
        match cert_key {
            None => println!("[upload-certs] Skipping phase. Please see --upload-certs"),
            Some(k) => {
                println!(
                    "[upload-certs] Storing the certificates in Secret \"kubeadm-certs\" in the \"kube-system\" Namespace"
                );
                println!("[upload-certs] Using certificate key:");
                println!("{k}");
            }
        }
    }
    if !skipped("mark-control-plane") {
        let labels = nodes::control_plane_labels(v);
        let n = &p.node_name;
        if v.minor == 19 {
            println!(
                "[mark-control-plane] Marking the node {n} as control-plane by adding the label \"node-role.kubernetes.io/master=''\""
            );
        } else if v.minor < 24 {
            println!(
                "[mark-control-plane] Marking the node {n} as control-plane by adding the labels \"node-role.kubernetes.io/master=''\" and \"node-role.kubernetes.io/control-plane='' (deprecated)\""
            );
        } else {
            let l: Vec<&str> = labels
                .iter()
                .copied()
                .filter(|l| *l != "node-role.kubernetes.io/master")
                .collect();
            println!(
                "[mark-control-plane] Marking the node {n} as control-plane by adding the labels: [{}]",
                l.join(" ")
            );
        }
        if !taints.is_empty() {
            let t: Vec<String> = taints.iter().map(|(k, e)| format!("{k}:{e}")).collect();
            println!(
                "[mark-control-plane] Marking the node {n} as control-plane by adding the taints [{}]",
                t.join(" ")
            );
        }
    }
    if !skipped("bootstrap-token") {
        let shown = if skip_token {
            "<value withheld>".to_string()
        } else {
            tokens[0].clone()
        };
        println!("[bootstrap-token] Using token: {shown}");
        println!(
            "[bootstrap-token] Configuring bootstrap tokens, cluster-info ConfigMap, RBAC Roles"
        );
        println!(
            "[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to get nodes"
        );
        println!(
            "[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to post CSRs in order for nodes to get long term certificate credentials"
        );
        println!(
            "[bootstrap-token] Configured RBAC rules to allow the csrapprover controller automatically approve CSRs from a Node Bootstrap Token"
        );
        println!(
            "[bootstrap-token] Configured RBAC rules to allow certificate rotation for all node client certificates in the cluster"
        );
        println!(
            "[bootstrap-token] Creating the \"cluster-info\" ConfigMap in the \"kube-public\" namespace"
        );
    }
    if !skipped("kubelet-finalize") {
        println!(
            "[kubelet-finalize] Updating \"/etc/kubernetes/kubelet.conf\" to point to a rotatable kubelet client certificate and key"
        );
    }
    if !skipped("addon") && !skipped("addons") {
        pace.wait(1.0);
        if !skipped("addon/coredns") {
            println!("[addons] Applied essential addon: CoreDNS");
        }
        if !skipped("addon/kube-proxy") {
            println!("[addons] Applied essential addon: kube-proxy");
        }
    }
    println!();
    println!("Your Kubernetes control-plane has initialized successfully!");
    println!();
    println!("To start using your cluster, you need to run the following as a regular user:");
    println!();
    println!("  mkdir -p $HOME/.kube");
    println!("  sudo cp -i /etc/kubernetes/admin.conf $HOME/.kube/config");
    println!("  sudo chown $(id -u):$(id -g) $HOME/.kube/config");
    println!();
    if v.at_least(21) {
        println!("Alternatively, if you are the root user, you can run:");
        println!();
        println!("  export KUBECONFIG=/etc/kubernetes/admin.conf");
        println!();
    }
    println!("You should now deploy a pod network to the cluster.");
    println!("Run \"kubectl apply -f [podnetwork].yaml\" with one of the options listed at:");
    println!("  https://kubernetes.io/docs/concepts/cluster-administration/addons/");
    println!();
    let token = if skip_token {
        "<value withheld>"
    } else {
        tokens[0].as_str()
    };
    let join = format!(
        "kubeadm join {} --token {token} \\\n    --discovery-token-ca-cert-hash {hash} ",
        p.endpoint
    );
    if p.cfg.cluster.control_plane_endpoint.is_some() {
        match cert_key {
            Some(k) => {
                let k = if skip_key { "<value withheld>" } else { k };
                println!(
                    "You can now join any number of the control-plane node running the following command on each as root:"
                );
                println!();
                println!("  {join}\\\n    --control-plane --certificate-key {k}");
                println!();
                println!(
                    "Please note that the certificate-key gives access to cluster sensitive data, keep it secret!"
                );
                println!(
                    "As a safeguard, uploaded-certs will be deleted in two hours; If necessary, you can use"
                );
                println!(
                    "\"kubeadm init phase upload-certs --upload-certs\" to reload certs afterward."
                );
            }
            None => {
                println!(
                    "You can now join any number of control-plane nodes by copying certificate authorities"
                );
                println!(
                    "and service account keys on each node and then running the following as root:"
                );
                println!();
                println!("  {join}\\\n    --control-plane ");
            }
        }
        println!();
        println!(
            "Then you can join any number of worker nodes by running the following on each as root:"
        );
    } else {
        println!(
            "Then you can join any number of worker nodes by running the following on each as root:"
        );
    }
    println!();
    println!("{join}");
}
