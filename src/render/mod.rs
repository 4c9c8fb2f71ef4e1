//! Plan → the files an install uses (the README's table of rendered files).
//!
//! Pure: templates and the upstream Calico manifest come in as text, the bootstrap token as a
//! value; reading them from disk is the caller's job (`Templates::load`, `load_manifest`).

pub mod calico;
pub mod context;
pub mod templates;

use crate::answers::CalicoInstall;
use crate::plan::{CalicoVersion, Plan, Problem};
use minijinja::value::{Serde, Value, ValueKind};
use minijinja::{
    AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior, escape_formatter,
};
use serde::Deserialize;
use std::path::Path;

pub use templates::Templates;

/// One rendered file, named as the contract names it (`kubeadm-config.yaml`, `join-node02.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub name: String,
    pub contents: String,
}

/// What rendering needs besides the plan.
#[derive(Debug, Clone)]
pub struct RenderInputs {
    /// A kubeadm bootstrap token (`[a-z0-9]{6}.[a-z0-9]{16}`), fresh for each install.
    pub bootstrap_token: String,
    /// kubeadm's certificate key (64 hex digits, `kubeadm certs certificate-key`), fresh
    /// for each install; used only when a control-plane node joins.
    pub certificate_key: String,
    /// The upstream Calico manifest to patch (manifest install). None: `calico.yaml` cannot be
    /// rendered, which is an error in manifest mode.
    pub calico_manifest: Option<String>,
    /// Where `calico_manifest` came from, for messages.
    pub calico_manifest_source: Option<String>,
    /// Calico's upstream `operator-crds.yaml` (operator install, `load_operator_crds`), copied
    /// as `operator-crds.yaml`. None: the CRDs must be in `calico_manifest`, or no manifest
    /// is given at all.
    pub operator_crds: Option<String>,
    /// Where `operator_crds` came from, for messages.
    pub operator_crds_source: Option<String>,
    /// The address plan text for `plan.txt`.
    pub plan_text: String,
}

/// Why rendering failed: the file it was producing and one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for RenderError {}

/// Every file of the contract for this plan, in a stable order: `kubeadm-config.yaml`,
/// `sysctl-kubernetes.conf`, the Calico file, `join-<node>.yaml` per node,
/// `verify-workload.yaml`, `modules-kubernetes.conf`, `plan.txt`. Every YAML file is parsed
/// back before it is returned, so a template (embedded or from `--templates`) that writes broken YAML is an error here,
/// not on the node.
pub fn render(
    plan: &Plan,
    templates: &Templates,
    inputs: &RenderInputs,
) -> Result<Vec<RenderedFile>, RenderError> {
    render_each(plan, templates, inputs)?.into_iter().collect()
}

/// Every file of the contract, each rendered on its own: a file that fails (say
/// `calico.yaml` without a manifest) does not hide the others, which is what a preview
/// wants. The outer error is what stops every file (the token, the templates).
pub fn render_each(
    plan: &Plan,
    templates: &Templates,
    inputs: &RenderInputs,
) -> Result<Vec<Result<RenderedFile, RenderError>>, RenderError> {
    if !is_bootstrap_token(&inputs.bootstrap_token) {
        return Err(RenderError {
            file: KUBEADM_CONFIG.into(),
            message: "the bootstrap token is not in kubeadm's form [a-z0-9]{6}.[a-z0-9]{16}".into(),
        });
    }
    if inputs.bootstrap_token == SEED_TOKEN {
        return Err(RenderError {
            file: KUBEADM_CONFIG.into(),
            message: format!(
                "the bootstrap token {SEED_TOKEN} is the one from kubeadm's docs and the guide; use a fresh one"
            ),
        });
    }
    if !is_certificate_key(&inputs.certificate_key) {
        return Err(RenderError {
            file: KUBEADM_CONFIG.into(),
            message: "the certificate key is not 64 hex digits (kubeadm certs certificate-key)"
                .into(),
        });
    }
    let env = environment(templates)?;
    let mut ctx = context::build(plan, &inputs.bootstrap_token, &inputs.certificate_key);
    let mut files = vec![
        render_one(&env, templates::KUBEADM_CONFIG, KUBEADM_CONFIG, &ctx),
        render_one(&env, templates::SYSCTL, SYSCTL, &ctx),
    ];
    files.extend(calico_files(plan, inputs));
    for join in ctx.joins.clone() {
        let file = join.file.clone();
        ctx.join = Some(join);
        files.push(render_one(&env, templates::JOIN, &file, &ctx));
    }
    ctx.join = None;
    files.push(render_one(
        &env,
        templates::VERIFY_WORKLOAD,
        VERIFY_WORKLOAD,
        &ctx,
    ));
    files.push(render_one(&env, templates::MODULES, MODULES, &ctx));
    files.push(Ok(RenderedFile {
        name: PLAN_TXT.into(),
        contents: inputs.plan_text.clone(),
    }));
    let images = images_txt(plan, &files);
    files.push(Ok(images));
    Ok(files
        .into_iter()
        .map(|f| {
            let f = f?;
            if f.name.ends_with(".yaml") {
                check_yaml(&f)?;
            }
            Ok(f)
        })
        .collect())
}

pub const KUBEADM_CONFIG: &str = "kubeadm-config.yaml";
pub const SYSCTL: &str = "sysctl-kubernetes.conf";
pub const MODULES: &str = "modules-kubernetes.conf";
pub const CALICO_MANIFEST: &str = "calico.yaml";
pub const CALICO_INSTALLATION: &str = "calico-installation.yaml";
pub const TIGERA_OPERATOR: &str = "tigera-operator.yaml";
pub const OPERATOR_CRDS: &str = "operator-crds.yaml";
pub const IMAGES_TXT: &str = "images.txt";
pub const VERIFY_WORKLOAD: &str = "verify-workload.yaml";
pub const PLAN_TXT: &str = "plan.txt";

/// The token of kubeadm's docs and the seed's config: public, so never used.
const SEED_TOKEN: &str = "abcdef.0123456789abcdef";

/// What `caCertHashes` holds in a rendered join file until the CA exists. kubeadm rejects it
/// ("invalid hash"), so a join that was never pinned fails instead of trusting any server.
pub const CA_CERT_HASH_PLACEHOLDER: &str = "sha256:CA-HASH-KNOWN-AFTER-KUBEADM-INIT";

/// A join file with the CA hash of the running cluster in place of the placeholder.
/// `hash` is kubeadm's `sha256:<64 hex>` form (`--discovery-token-ca-cert-hash`).
pub fn pin_ca_cert_hash(join_yaml: &str, hash: &str) -> Result<String, String> {
    let hex = hash.strip_prefix("sha256:").unwrap_or("");
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "{hash:?} is not a CA hash like sha256:<64 hex digits>"
        ));
    }
    if !join_yaml.contains(CA_CERT_HASH_PLACEHOLDER) {
        return Err("the join file has no CA hash placeholder to fill".into());
    }
    Ok(join_yaml.replace(CA_CERT_HASH_PLACEHOLDER, &hash.to_ascii_lowercase()))
}

/// kubeadm's bootstrap token form (`[a-z0-9]{6}.[a-z0-9]{16}`, bootstraputil.BootstrapTokenRegexp).
pub fn is_bootstrap_token(s: &str) -> bool {
    let ok = |p: &str, n: usize| {
        p.len() == n
            && p.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    matches!(s.split_once('.'), Some((id, secret)) if ok(id, 6) && ok(secret, 16))
}

/// kubeadm's certificate key: 32 random bytes as 64 lowercase hex digits
/// (cmd/kubeadm/app/util/copycerts CreateCertificateKey).
pub fn is_certificate_key(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// A fresh certificate key from the OS's random source.
pub fn new_certificate_key() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Files that hold the bootstrap token; `write_dir` makes them 0600, in a 0700 directory.
pub fn holds_secret(name: &str) -> bool {
    name == KUBEADM_CONFIG || (name.starts_with("join-") && name.ends_with(".yaml"))
}

/// The Calico files for the install mode, in the order they are applied: the patched
/// upstream manifest; or, for the operator, upstream's operator-crds.yaml (when given),
/// tigera-operator.yaml with its image moved to the registry (when calico.manifest names
/// it) and the Installation.
fn calico_files(plan: &Plan, inputs: &RenderInputs) -> Vec<Result<RenderedFile, RenderError>> {
    let mut out = Vec::new();
    if plan.calico.install == CalicoInstall::Operator {
        out.extend(operator_crds_file(inputs));
    }
    if plan.calico.install == CalicoInstall::Operator
        && let Some(manifest) = &inputs.calico_manifest
    {
        out.push(
            calico::patch_operator(manifest, plan)
                .map(|contents| RenderedFile {
                    name: TIGERA_OPERATOR.into(),
                    contents,
                })
                .map_err(|e| RenderError {
                    file: TIGERA_OPERATOR.into(),
                    message: match &inputs.calico_manifest_source {
                        Some(src) => format!("{src}: {e}"),
                        None => e.to_string(),
                    },
                }),
        );
    }
    out.push(calico_file(plan, inputs));
    out
}

/// `operator-crds.yaml`: upstream's, checked and copied. Without one, a tigera-operator.yaml
/// that holds no Installation CRD (Calico v3.30+) cannot be installed: the Installation
/// would be refused, so that is an error naming `calico.operatorCrds`.
fn operator_crds_file(inputs: &RenderInputs) -> Option<Result<RenderedFile, RenderError>> {
    let err = |message: String| RenderError {
        file: OPERATOR_CRDS.into(),
        message,
    };
    if let Some(text) = &inputs.operator_crds {
        return Some(
            calico::operator_crds(text)
                .map(|contents| RenderedFile {
                    name: OPERATOR_CRDS.into(),
                    contents,
                })
                .map_err(|e| {
                    err(match &inputs.operator_crds_source {
                        Some(src) => e.message.replacen(
                            "calico.operatorCrds: ",
                            &format!("calico.operatorCrds: {src}: "),
                            1,
                        ),
                        None => e.message,
                    })
                }),
        );
    }
    let manifest = inputs.calico_manifest.as_deref()?;
    if calico::has_crd(manifest, calico::INSTALLATION_CRD) {
        return None;
    }
    let src = inputs
        .calico_manifest_source
        .as_deref()
        .unwrap_or("calico.manifest");
    Some(Err(err(format!(
        "calico.operatorCrds: not set, and {src} holds no CustomResourceDefinition {} (from Calico v3.30 the CRDs ship apart, in operator-crds.yaml); put operator-crds.yaml of the same release beside it or set calico.operatorCrds to its path",
        calico::INSTALLATION_CRD
    ))))
}

/// `images.txt`: every image the install pulls, as the rendered files name them (registry
/// rewrite applied), for mirroring into an air-gapped registry. kubeadm's own images are
/// listed by `kubeadm config images list` at run time: they depend on the kubeadm binary.
fn images_txt(plan: &Plan, files: &[Result<RenderedFile, RenderError>]) -> RenderedFile {
    let mut out = String::from(
        "# Every image this install pulls, with the registry rewrite applied (written by dsinstall).\n",
    );
    let rendered = |name: &str| {
        files
            .iter()
            .filter_map(|f| f.as_ref().ok())
            .find(|f| f.name == name)
    };
    match plan.calico.install {
        CalicoInstall::Manifest => match rendered(CALICO_MANIFEST) {
            Some(f) => {
                out.push_str("# Calico, from calico.yaml as patched:\n");
                let images = calico::workload_images(&f.contents);
                if let Some(note) = calico_version_note(plan, &images) {
                    out.push_str(&format!("# {note}\n"));
                }
                for i in images {
                    out.push_str(&format!("{i}\n"));
                }
            }
            None => out.push_str("# Calico: unknown until calico.yaml renders (see its error).\n"),
        },
        CalicoInstall::Operator => {
            match rendered(TIGERA_OPERATOR) {
                Some(f) => {
                    out.push_str("# The Tigera operator, from tigera-operator.yaml:\n");
                    for i in calico::workload_images(&f.contents) {
                        out.push_str(&format!("{i}\n"));
                    }
                }
                None => out.push_str(
                    "# The Tigera operator: the image in Calico's tigera-operator.yaml (quay.io/tigera/operator); set calico.manifest to that file to list it here.\n",
                ),
            }
            let from = plan
                .calico
                .registry
                .as_deref()
                .map_or("quay.io (Calico v3.31+) or docker.io", |r| r);
            out.push_str(&format!(
                "# The operator then pulls Calico's own images (node, cni, kube-controllers, typha, csi, ...) from {from};\n# which ones and their tags are in config/calico_versions.yml of the operator's release (tigera/operator).\n"
            ));
        }
    }
    out.push_str(&format!(
        "# The verification workload (verify-workload.yaml):\n{}\n",
        plan.verify.server_image
    ));
    if plan.verify.client_image != plan.verify.server_image {
        out.push_str(&format!("{}\n", plan.verify.client_image));
    }
    out.push_str(&format!(
        "# kubeadm's own images (kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, etcd, CoreDNS, pause)\n# from {}: run `kubeadm config images list --config kubeadm-config.yaml` on the node; they depend on the kubeadm binary.\n",
        plan.image_repository
    ));
    RenderedFile {
        name: IMAGES_TXT.into(),
        contents: out,
    }
}

/// A sentence when the manifest's calico/node image is another patch release than
/// `calico.version` (upstream's v3.24.6 calico.yaml pins v3.24.5 images: calico@v3.24.6:
/// manifests/calico.yaml l.4393-4707), so a mirror of calico.version's images would not have
/// what the nodes pull.
pub fn calico_version_note(plan: &Plan, images: &[String]) -> Option<String> {
    let node = images
        .iter()
        .find(|i| i.rsplit('/').next().is_some_and(|n| n.starts_with("node:")))?;
    let found = CalicoVersion::parse(calico::image_tag(node)?).ok()?;
    let want = plan.calico_version;
    (found.patch.is_some() && found != want).then(|| {
        format!(
            "the manifest's images are Calico {found} ({node}) while calico.version is {want}: mirror the images listed here"
        )
    })
}

/// The Calico file for the install mode: the patched upstream manifest, or the Installation.
fn calico_file(plan: &Plan, inputs: &RenderInputs) -> Result<RenderedFile, RenderError> {
    match plan.calico.install {
        CalicoInstall::Manifest => {
            let err = |message: String| RenderError {
                file: CALICO_MANIFEST.into(),
                message,
            };
            let Some(manifest) = &inputs.calico_manifest else {
                return Err(err(
                    "no upstream Calico manifest was given; set calico.manifest to its path".into(),
                ));
            };
            let contents = calico::patch_manifest(manifest, plan).map_err(|e| {
                err(match &inputs.calico_manifest_source {
                    Some(src) => format!("{src}: {e}"),
                    None => e.to_string(),
                })
            })?;
            Ok(RenderedFile {
                name: CALICO_MANIFEST.into(),
                contents,
            })
        }
        CalicoInstall::Operator => Ok(RenderedFile {
            name: CALICO_INSTALLATION.into(),
            contents: calico::installation(plan).map_err(|e| RenderError {
                file: CALICO_INSTALLATION.into(),
                message: e.to_string(),
            })?,
        }),
    }
}

/// Why an upstream file render reads (`calico.manifest`, `calico.operatorCrds`) cannot be
/// used: the one line the command line prints, and the same as a coded problem on the field,
/// its fix apart, so the wizard shows it in its language.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceError {
    pub message: String,
    /// Boxed: a Result carrying it stays small on the success path.
    pub problem: Box<Problem>,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// An upstream file render reads and cannot download: its answers field, the file's name
/// and where upstream publishes it, for the errors and their fix.
struct Source {
    field: &'static str,
    file: &'static str,
    url: String,
}

impl Source {
    /// `what` is wrong with `path` (`err`: the reader's words); `fetch`: the fix is to get
    /// the file from upstream. Problem args: field, path, err, url, file (CODES, render.*).
    fn error(&self, code: &'static str, path: &str, err: &str, fetch: bool) -> SourceError {
        let what = match code {
            "render.source_unset" => format!(
                "not set: manifest mode patches Calico's upstream {}, which dsinstall does not download",
                self.file
            ),
            "render.source_url" => {
                format!(
                    "{path} is a URL, but dsinstall reads a local file so that it works offline"
                )
            }
            "render.source_empty" => format!("{path} is empty"),
            "render.source_invalid" => format!("{path} {err}"),
            "render.source_depth" => format!("{path}: {err}"),
            _ => format!("cannot read {path}: {err}"),
        };
        let how = format!(
            "on a machine with Internet access run `curl -fLO {}`, copy {} to this node and set {} to its path",
            self.url, self.file, self.field
        );
        let mut problem = Problem::error(self.field, what.clone());
        let mut message = format!("{}: {what}", self.field);
        if fetch {
            problem = problem.hint(how.clone());
            message = format!("{message}; {how}");
        }
        SourceError {
            message,
            problem: Box::new(
                problem.code(code, &[&self.field, &path, &err, &self.url, &self.file]),
            ),
        }
    }

    /// The calico.yaml at `path` is of another Calico version than the plan's (`found`, by
    /// its calico-node `image`): the fix is the plan's version from upstream, or another
    /// `calico.version`. Problem args: field, path, found, wanted, url, file, image.
    fn version_error(&self, path: &str, found: &str, want: &str, image: &str) -> SourceError {
        let what = format!("{path} is Calico {found} (image {image}) but calico.version is {want}");
        let how = format!(
            "on a machine with Internet access run `curl -fLO {}`, copy {} to this node and set {} to its path, or set calico.version to {found}",
            self.url, self.file, self.field
        );
        SourceError {
            message: format!("{}: {what}; {how}", self.field),
            problem: Box::new(Problem::error(self.field, what).hint(how).code(
                "render.source_version",
                &[
                    &self.field,
                    &path,
                    &found,
                    &want,
                    &self.url,
                    &self.file,
                    &image,
                ],
            )),
        }
    }

    /// Read `path` (bounded, UTF-8, not too deep), or say why not.
    fn read(&self, path: &Path) -> Result<(String, String), SourceError> {
        use std::io::ErrorKind::{InvalidData, InvalidInput, NotFound};
        let shown = path.display().to_string();
        let text = crate::io::read::read_text(path, crate::io::read::MAX_FILE).map_err(|e| {
            // A file that is there but unreadable as a manifest (a device, too big, not
            // UTF-8) is not fixed by downloading it: the fix is only for a missing file.
            let err = e.to_string();
            match e.kind() {
                NotFound => self.error("render.source_missing", &shown, &err, true),
                InvalidData | InvalidInput => {
                    self.error("render.source_invalid", &shown, &err, false)
                }
                _ => self.error("render.source_unreadable", &shown, &err, false),
            }
        })?;
        if text.trim().is_empty() {
            return Err(self.error("render.source_empty", &shown, "", true));
        }
        crate::io::yaml::check_depth(&text)
            .map_err(|e| self.error("render.source_depth", &shown, &e.to_string(), false))?;
        Ok((text, shown))
    }
}

fn is_url(path: &str) -> bool {
    path.starts_with("http://") || path.starts_with("https://")
}

/// The upstream manifest to patch, read from `calico.manifest` (a path, relative to the
/// working directory), with its path for messages. `None` in operator mode. dsinstall never
/// downloads it: the node may be offline, so the error says where to get it.
/// A relative `calico.manifest` is taken from `base`, the answers file's directory, so that
/// an answers file and its manifest can be copied to a node together; None: the current
/// directory.
/// In operator mode `calico.manifest` is optional and names Calico's tigera-operator.yaml,
/// which render writes with the operator's image moved to `calico.registry`.
pub fn load_manifest(
    plan: &Plan,
    base: Option<&Path>,
) -> Result<Option<(String, String)>, SourceError> {
    let path = plan
        .calico
        .manifest
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let operator = plan.calico.install == CalicoInstall::Operator;
    if operator && path.is_none() {
        return Ok(None);
    }
    let url = manifest_url(&plan.calico_version);
    let source = if operator {
        Source {
            field: "calico.manifest",
            file: TIGERA_OPERATOR,
            url: url.replace("/calico.yaml", "/tigera-operator.yaml"),
        }
    } else {
        Source {
            field: "calico.manifest",
            file: CALICO_MANIFEST,
            url,
        }
    };
    let Some(path) = path else {
        return Err(source.error("render.source_unset", "", "", true));
    };
    if is_url(path) {
        return Err(source.error("render.source_url", path, "", true));
    }
    let (text, shown) = source.read(&resolve(path, base))?;
    // A calico.yaml of another release is refused here, on the field, with the release's
    // download: patching it would set the variables of another version.
    if !operator
        && let Some((image, found)) = calico::calico_node_version(&text)
        && (found.major, found.minor) != (plan.calico_version.major, plan.calico_version.minor)
    {
        let tag = image.rsplit_once(':').map_or("", |(_, t)| t).to_string();
        return Err(source.version_error(&shown, &tag, &plan.calico_version.to_string(), &image));
    }
    Ok(Some((text, shown)))
}

/// Calico's upstream operator-crds.yaml for the operator install, with its path for
/// messages: `calico.operatorCrds` (relative to `base`, as `calico.manifest` is), else
/// `operator-crds.yaml` beside `calico.manifest` when that file is there (upstream publishes
/// both in manifests/). None: manifest mode, or no file named or found; whether that is
/// fine depends on the manifest holding the CRDs (`render` decides).
pub fn load_operator_crds(
    plan: &Plan,
    base: Option<&Path>,
) -> Result<Option<(String, String)>, SourceError> {
    if plan.calico.install != CalicoInstall::Operator {
        return Ok(None);
    }
    let set = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let source = Source {
        field: "calico.operatorCrds",
        file: OPERATOR_CRDS,
        url: manifest_url(&plan.calico_version).replace("/calico.yaml", "/operator-crds.yaml"),
    };
    let path = match set(&plan.calico.operator_crds) {
        Some(p) if is_url(&p) => return Err(source.error("render.source_url", &p, "", true)),
        Some(p) => resolve(&p, base),
        None => {
            let Some(manifest) = set(&plan.calico.manifest) else {
                return Ok(None);
            };
            let beside = resolve(&manifest, base).with_file_name(OPERATOR_CRDS);
            if !beside.is_file() {
                return Ok(None);
            }
            beside
        }
    };
    source.read(&path).map(Some)
}

/// A path from the answers: relative ones are taken from `base`, the answers file's
/// directory (None: the current directory).
fn resolve(path: &str, base: Option<&Path>) -> std::path::PathBuf {
    match base {
        Some(b) if Path::new(path).is_relative() => b.join(path),
        _ => Path::new(path).to_path_buf(),
    }
}

/// Where the upstream manifest of a Calico release is published, for the hint.
pub fn manifest_url(v: &CalicoVersion) -> String {
    if v.minor >= 24 {
        // From v3.24 the rendered manifests are committed under manifests/ at each tag.
        format!(
            "https://raw.githubusercontent.com/projectcalico/calico/v{}.{}.{}/manifests/calico.yaml",
            v.major,
            v.minor,
            v.patch.unwrap_or(0)
        )
    } else {
        // Before, manifests/calico.yaml at a tag is a docs-site (Jekyll/Helm) stub; the
        // rendered file was served per minor by the docs site (now its archive).
        format!(
            "https://docs.projectcalico.org/v{}.{}/manifests/calico.yaml",
            v.major, v.minor
        )
    }
}

/// The template environment: strict about undefined names, and quoting every value printed
/// into a `.yaml.j2` template (see `yaml_formatter`).
fn environment(templates: &Templates) -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(TEMPLATE_FUEL));
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".yaml.j2") {
            AutoEscape::Custom(YAML_ESCAPE.into())
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(yaml_formatter);
    for name in templates.names() {
        let source = templates.get(name).unwrap_or_default().to_string();
        env.add_template_owned(name.to_string(), source)
            .map_err(|e| RenderError {
                file: name.to_string(),
                message: one_line(&e.to_string()),
            })?;
    }
    Ok(env)
}

const YAML_ESCAPE: &str = "yaml";

/// In YAML templates, `{{ x }}` prints a string as a JSON string (which is a YAML
/// double-quoted scalar), numbers and booleans bare, and lists and maps as JSON flow
/// collections. A node name or repository with `:` or `#` therefore cannot change the
/// document's structure. `|safe` opts out, for text the template itself controls.
fn yaml_formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    let yaml = matches!(state.auto_escape(), AutoEscape::Custom(n) if n == YAML_ESCAPE);
    if !yaml || value.is_safe() {
        return match state.auto_escape() {
            AutoEscape::Custom(_) => write!(out, "{value}").map_err(Error::from),
            _ => escape_formatter(out, state, value),
        };
    }
    let text = match value.kind() {
        ValueKind::None => "null".to_string(),
        ValueKind::Bool | ValueKind::Number => value.to_string(),
        _ => serde_json::to_string(value).map_err(|e| {
            Error::new(
                ErrorKind::BadSerialization,
                format!("cannot quote a value: {e}"),
            )
        })?,
    };
    out.write_str(&text).map_err(Error::from)
}

/// The work one template may make minijinja do (instructions, and bytes made or written: one
/// fuel pays for 64), so that a `--templates` file with a runaway loop or a string doubled
/// in a loop fails in a moment instead of running for hours or exhausting memory (at most
/// 32 MB made). The embedded templates use under 400 of it for the guide's lab.
pub const TEMPLATE_FUEL: u64 = 500_000;
/// The largest file a template may produce: the embedded ones make a few KiB.
pub const MAX_TEMPLATE_OUTPUT: usize = 8 << 20;

/// Collects a template's output up to a cap; past it, the write fails and `over` says why.
struct CappedOutput {
    buf: Vec<u8>,
    over: bool,
}

impl std::io::Write for CappedOutput {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + b.len() > MAX_TEMPLATE_OUTPUT {
            self.over = true;
            return Err(std::io::Error::other("output cap"));
        }
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn render_one(
    env: &Environment<'_>,
    template: &str,
    file: &str,
    ctx: &context::Context,
) -> Result<RenderedFile, RenderError> {
    let err = |e: Error| RenderError {
        file: file.to_string(),
        message: one_line(&format!("template {template}: {e}")),
    };
    let t = env.get_template(template).map_err(err)?;
    let mut out = CappedOutput {
        buf: Vec::new(),
        over: false,
    };
    if let Err(e) = t.render_captured_to(Value::from(Serde(ctx)), &mut out) {
        let message = if out.over {
            format!(
                "template {template}: writes more than {}, more than any file of an install",
                crate::io::read::size(MAX_TEMPLATE_OUTPUT as u64)
            )
        } else if e.kind() == ErrorKind::OutOfFuel {
            format!(
                "template {template}: does more work than a template may (a loop too long?), so it was stopped"
            )
        } else {
            return Err(err(e));
        };
        return Err(RenderError {
            file: file.to_string(),
            message,
        });
    }
    let mut contents = String::from_utf8(out.buf).map_err(|_| RenderError {
        file: file.to_string(),
        message: format!("template {template}: the output is not UTF-8"),
    })?;
    if !contents.ends_with('\n') {
        contents.push('\n');
    }
    Ok(RenderedFile {
        name: file.to_string(),
        contents,
    })
}

/// Every document of a rendered YAML file must parse.
fn check_yaml(f: &RenderedFile) -> Result<(), RenderError> {
    for doc in serde_yaml::Deserializer::from_str(&f.contents) {
        serde_yaml::Value::deserialize(doc).map_err(|e| RenderError {
            file: f.name.clone(),
            message: one_line(&format!("the rendered file is not valid YAML: {e}")),
        })?;
    }
    Ok(())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A fresh bootstrap token in kubeadm's format, from the OS's random source.
pub fn new_bootstrap_token() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; 22];
    let mut out = String::with_capacity(23);
    // Rejection sampling keeps every character equally likely (256 is not a multiple of 36).
    let mut i = 0;
    while i < 22 {
        getrandom::fill(&mut bytes).expect("the OS random source works");
        for b in bytes {
            if i == 22 {
                break;
            }
            if b < 252 {
                if i == 6 {
                    out.push('.');
                }
                out.push(ALPHABET[(b % 36) as usize] as char);
                i += 1;
            }
        }
    }
    out
}

/// Write every file into `dir` all together or not at all, under a lock, leaving the user's
/// other files alone (`io::file_set`): the token files 0600, `dir` 0700 when it is created.
/// `on_wait` runs if another render holds the lock.
pub fn write_dir(
    files: &[RenderedFile],
    dir: &Path,
    on_wait: impl FnOnce(),
) -> Result<crate::io::file_set::Written, crate::io::file_set::SetError> {
    use crate::io::{file_set, write};
    let set: Vec<file_set::NewFile> = files
        .iter()
        .map(|f| file_set::NewFile {
            name: &f.name,
            data: f.contents.as_bytes(),
            mode: if holds_secret(&f.name) {
                write::PRIVATE
            } else {
                write::PUBLIC
            },
        })
        .collect();
    file_set::write_set(dir, &set, on_wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_plan(edit: impl FnOnce(&mut crate::answers::Answers)) -> Plan {
        let mut a = crate::answers::Answers::seed();
        edit(&mut a);
        crate::plan::check(&a).plan.expect("seed answers plan")
    }

    #[test]
    fn yaml_values_are_quoted_so_they_cannot_change_the_structure() {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Custom(YAML_ESCAPE.into()));
        env.set_formatter(yaml_formatter);
        env.add_template(
            "t.yaml.j2",
            "a: {{ s }}\nb: {{ n }}\nc: {{ l }}\nd: {{ z }}\ne: {{ s|safe }}",
        )
        .unwrap();
        let out = env
            .get_template("t.yaml.j2")
            .unwrap()
            .render(minijinja::context! {
                s => "x: #1\n- y \"q\" 'r' \u{e9}", n => 6443, l => vec!["a:b", "#c"], z => (),
            })
            .unwrap();
        let (head, raw) = out.split_at(out.find("\ne: ").unwrap());
        let v: serde_yaml::Value = serde_yaml::from_str(head).unwrap();
        assert_eq!(v["a"], "x: #1\n- y \"q\" 'r' \u{e9}");
        assert_eq!(v["b"], 6443);
        assert_eq!(v["c"][0], "a:b");
        assert_eq!(v["c"][1], "#c");
        assert!(v["d"].is_null());
        // |safe prints the text as it is.
        assert!(raw.starts_with("\ne: x: #1\n"));
        // Strict: a name the context lacks is an error, not an empty string.
        env.add_template("u.yaml.j2", "a: {{ nope }}").unwrap();
        assert!(env.get_template("u.yaml.j2").unwrap().render(()).is_err());
    }

    #[test]
    fn manifest_urls_follow_where_calico_published_them() {
        let v = |s: &str| CalicoVersion::parse(s).unwrap();
        assert_eq!(
            manifest_url(&v("v3.15.3")),
            "https://docs.projectcalico.org/v3.15/manifests/calico.yaml"
        );
        assert_eq!(
            manifest_url(&v("v3.28.2")),
            "https://raw.githubusercontent.com/projectcalico/calico/v3.28.2/manifests/calico.yaml"
        );
    }

    #[test]
    fn load_manifest_reads_the_path_or_says_how_to_get_it() {
        let operator = seed_plan(|a| {
            a.calico.install = CalicoInstall::Operator;
            a.calico.manifest = None;
        });
        assert_eq!(load_manifest(&operator, None), Ok(None));
        let operator = seed_plan(|a| {
            a.calico.install = CalicoInstall::Operator;
            a.calico.manifest = Some("/nonexistent/tigera-operator.yaml".into());
        });
        let e = load_manifest(&operator, None).unwrap_err().message;
        assert!(e.contains("tigera-operator.yaml`"), "{e}");

        let unset = seed_plan(|a| a.calico.manifest = None);
        let e = load_manifest(&unset, None).unwrap_err().message;
        assert!(e.starts_with("calico.manifest: not set"), "{e}");
        assert!(
            e.contains("docs.projectcalico.org/v3.15/manifests/calico.yaml"),
            "{e}"
        );
        assert!(!e.contains('\n'));

        let url = seed_plan(|a| a.calico.manifest = Some("https://example.org/calico.yaml".into()));
        assert!(
            load_manifest(&url, None)
                .unwrap_err()
                .message
                .contains("is a URL")
        );

        let dir =
            std::env::temp_dir().join(format!("dsinstall-render-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("calico.yaml");
        std::fs::write(&path, "kind: ConfigMap\n").unwrap();
        let p = path.display().to_string();
        let ok = seed_plan(|a| a.calico.manifest = Some(p.clone()));
        assert_eq!(
            load_manifest(&ok, None).unwrap(),
            Some(("kind: ConfigMap\n".to_string(), p.clone()))
        );
        std::fs::write(&path, "  \n").unwrap();
        let e = load_manifest(&ok, None).unwrap_err();
        assert!(e.message.contains("is empty"), "{e}");
        assert_eq!(e.problem.code, "render.source_empty");
        assert_eq!(e.problem.path, "calico.manifest");
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            load_manifest(&ok, None)
                .unwrap_err()
                .message
                .contains("cannot read")
        );
    }

    #[test]
    fn write_dir_makes_token_files_private_and_replaces_old_files() {
        let dir = std::env::temp_dir().join(format!("dsinstall-render-wd-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let files = [
            RenderedFile {
                name: KUBEADM_CONFIG.into(),
                contents: "a: 1\n".into(),
            },
            RenderedFile {
                name: "join-node02.yaml".into(),
                contents: "b: 1\n".into(),
            },
            RenderedFile {
                name: PLAN_TXT.into(),
                contents: "plan\n".into(),
            },
        ];
        write_dir(&files, &dir, || {}).unwrap();
        write_dir(&files, &dir, || {}).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = |n: &str| std::fs::metadata(dir.join(n)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(KUBEADM_CONFIG), 0o600);
        assert_eq!(mode("join-node02.yaml"), 0o600);
        assert_eq!(mode(PLAN_TXT), 0o644);
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["join-node02.yaml", "kubeadm-config.yaml", "plan.txt"]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn token_has_kubeadm_format_and_is_fresh() {
        let a = new_bootstrap_token();
        let b = new_bootstrap_token();
        assert_ne!(a, b);
        assert_ne!(a, "abcdef.0123456789abcdef");
        let (id, secret) = a.split_once('.').unwrap();
        assert_eq!(id.len(), 6);
        assert_eq!(secret.len(), 16);
        assert!(
            a.bytes()
                .all(|c| c == b'.' || c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }
}
