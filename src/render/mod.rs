//! Plan → the files an install uses (the README's table of rendered files).
//!
//! Pure: templates and the upstream Calico manifest come in as text, the bootstrap token as a
//! value; reading them from disk is the caller's job (`Templates::load`, `load_manifest`).

pub mod calico;
pub mod context;
pub mod templates;

use crate::answers::CalicoInstall;
use crate::plan::{CalicoVersion, Plan};
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
/// `verify-workload.yaml`, `plan.txt`. Every YAML file is parsed back before it is returned,
/// so a template (embedded or from `--templates`) that writes broken YAML is an error here,
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
        calico_file(plan, inputs),
    ];
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
    files.push(Ok(RenderedFile {
        name: PLAN_TXT.into(),
        contents: inputs.plan_text.clone(),
    }));
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
pub const CALICO_MANIFEST: &str = "calico.yaml";
pub const CALICO_INSTALLATION: &str = "calico-installation.yaml";
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

/// Files that hold the bootstrap token; `write_dir` makes them 0600.
pub fn holds_secret(name: &str) -> bool {
    name == KUBEADM_CONFIG || (name.starts_with("join-") && name.ends_with(".yaml"))
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

/// The upstream manifest to patch, read from `calico.manifest` (a path, relative to the
/// working directory), with its path for messages. `None` in operator mode. dsinstall never
/// downloads it: the node may be offline, so the error says where to get it.
/// A relative `calico.manifest` is taken from `base`, the answers file's directory, so that
/// an answers file and its manifest can be copied to a node together; None: the current
/// directory.
pub fn load_manifest(plan: &Plan, base: Option<&Path>) -> Result<Option<(String, String)>, String> {
    if plan.calico.install != CalicoInstall::Manifest {
        return Ok(None);
    }
    let how = manifest_hint(&plan.calico_version);
    let path = plan
        .calico
        .manifest
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let Some(path) = path else {
        return Err(format!(
            "calico.manifest: not set; manifest mode patches Calico's upstream calico.yaml, which dsinstall does not download: {how}"
        ));
    };
    if path.starts_with("http://") || path.starts_with("https://") {
        return Err(format!(
            "calico.manifest: {path} is a URL, but dsinstall reads a local file so that it works offline: {how}"
        ));
    }
    let resolved = match base {
        Some(b) if Path::new(path).is_relative() => b.join(path),
        _ => Path::new(path).to_path_buf(),
    };
    let shown = resolved.display().to_string();
    let path = shown.as_str();
    let text =
        std::fs::read_to_string(&resolved).map_err(|e| manifest_read_error(path, &e, &how))?;
    if text.trim().is_empty() {
        return Err(format!("calico.manifest: {path} is empty; {how}"));
    }
    Ok(Some((text, path.to_string())))
}

/// Why the manifest could not be read. Only a missing file gets the hint on where to
/// download it; a file that is there but unreadable (permissions, a directory) needs
/// something else, which the system's error says.
fn manifest_read_error(path: &str, e: &std::io::Error, how: &str) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        format!("calico.manifest: cannot read {path}: {e}; {how}")
    } else {
        format!("calico.manifest: cannot read {path}: {e}")
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

fn manifest_hint(v: &CalicoVersion) -> String {
    format!(
        "on a machine with Internet access run `curl -fLO {}`, copy calico.yaml to this node and set calico.manifest to its path",
        manifest_url(v)
    )
}

/// The template environment: strict about undefined names, and quoting every value printed
/// into a `.yaml.j2` template (see `yaml_formatter`).
fn environment(templates: &Templates) -> Result<Environment<'static>, RenderError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
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
    let mut contents = t.render(Value::from(Serde(ctx))).map_err(err)?;
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

/// Write every file into `dir` so that either all of them land or none do: they are written
/// into a fresh sibling directory which then replaces the files by rename.
pub fn write_dir(files: &[RenderedFile], dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let staging = dir.join(format!(".dsinstall-render-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir(&staging)?;
    let result = (|| {
        for f in files {
            crate::fsutil::write_atomic(
                &staging.join(&f.name),
                f.contents.as_bytes(),
                holds_secret(&f.name),
            )?;
        }
        for f in files {
            std::fs::rename(staging.join(&f.name), dir.join(&f.name))?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
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
        let operator = seed_plan(|a| a.calico.install = CalicoInstall::Operator);
        assert_eq!(load_manifest(&operator, None), Ok(None));

        let unset = seed_plan(|a| a.calico.manifest = None);
        let e = load_manifest(&unset, None).unwrap_err();
        assert!(e.starts_with("calico.manifest: not set"), "{e}");
        assert!(
            e.contains("docs.projectcalico.org/v3.15/manifests/calico.yaml"),
            "{e}"
        );
        assert!(!e.contains('\n'));

        let url = seed_plan(|a| a.calico.manifest = Some("https://example.org/calico.yaml".into()));
        assert!(load_manifest(&url, None).unwrap_err().contains("is a URL"));

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
        assert!(load_manifest(&ok, None).unwrap_err().contains("is empty"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            load_manifest(&ok, None)
                .unwrap_err()
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
        write_dir(&files, &dir).unwrap();
        write_dir(&files, &dir).unwrap();
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
