//! Every kubectl command line verify runs, in one place, so that a test can run each one
//! against real kubectl releases (1.19 is the oldest driven) and see it parse. Only verbs
//! and flags that kubectl 1.19 already has: `get -o json` (decided here, not with
//! `wait --for=jsonpath`, which is 1.23+: kubectl/pkg/cmd/wait/wait.go), `apply -f`,
//! `delete`, `exec -- CMD`, `logs --tail`.

use crate::io::child::{Captured, Command, Ended};
use crate::message::Said;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// One kubectl call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// `kubectl get RESOURCE [NAME] [-n NS | -A] [-l SELECTOR] -o json`.
    Get {
        resource: String,
        name: Option<String>,
        namespace: Option<String>,
        selector: Option<String>,
    },
    /// `kubectl apply -f FILE`.
    Apply { file: PathBuf },
    /// `kubectl delete namespace NAME --ignore-not-found --wait=false`.
    DeleteNamespace { name: String },
    /// `kubectl exec -n NS POD -- ARGV...`.
    Exec {
        namespace: String,
        pod: String,
        argv: Vec<String>,
    },
    /// `kubectl logs -n NS POD -c CONTAINER --tail=N`.
    Logs {
        namespace: String,
        pod: String,
        container: String,
        tail: u32,
    },
}

impl Call {
    pub fn get(resource: &str, namespace: Option<&str>, name: Option<&str>) -> Call {
        Call::Get {
            resource: resource.into(),
            name: name.map(str::to_string),
            namespace: namespace.map(str::to_string),
            selector: None,
        }
    }

    /// The arguments after `kubectl` (and after the global `--kubeconfig`).
    pub fn argv(&self) -> Vec<String> {
        let s = |x: &str| x.to_string();
        match self {
            Call::Get {
                resource,
                name,
                namespace,
                selector,
            } => {
                let mut a = vec![s("get"), resource.clone()];
                a.extend(name.iter().cloned());
                match namespace.as_deref() {
                    Some("*") => a.push(s("--all-namespaces")),
                    Some(ns) => a.extend([s("-n"), s(ns)]),
                    None => {}
                }
                if let Some(l) = selector {
                    a.extend([s("-l"), l.clone()]);
                }
                a.extend([s("-o"), s("json")]);
                a
            }
            Call::Apply { file } => vec![s("apply"), s("-f"), file.display().to_string()],
            Call::DeleteNamespace { name } => vec![
                s("delete"),
                s("namespace"),
                name.clone(),
                s("--ignore-not-found"),
                s("--wait=false"),
            ],
            Call::Exec {
                namespace,
                pod,
                argv,
            } => {
                let mut a = vec![s("exec"), s("-n"), namespace.clone(), pod.clone(), s("--")];
                a.extend(argv.iter().cloned());
                a
            }
            Call::Logs {
                namespace,
                pod,
                container,
                tail,
            } => vec![
                s("logs"),
                s("-n"),
                namespace.clone(),
                pod.clone(),
                s("-c"),
                container.clone(),
                format!("--tail={tail}"),
            ],
        }
    }

    /// One of each shape verify uses, for the test against real kubectl.
    pub fn every_shape() -> Vec<Call> {
        vec![
            Call::get("nodes", None, None),
            Call::get("configmap", Some("kube-system"), Some("kubeadm-config")),
            Call::Get {
                resource: "pods".into(),
                name: None,
                namespace: Some("*".into()),
                selector: Some("k8s-app=calico-node".into()),
            },
            Call::get("ippools.crd.projectcalico.org", None, None),
            Call::get("tigerastatus", None, Some("calico")),
            Call::Apply {
                file: PathBuf::from("/dev/null"),
            },
            Call::DeleteNamespace {
                name: "dsinstall-verify".into(),
            },
            Call::Exec {
                namespace: "dsinstall-verify".into(),
                pod: "dsinstall-client".into(),
                argv: vec![
                    "wget".into(),
                    "-q".into(),
                    "-T".into(),
                    "3".into(),
                    "-O-".into(),
                    "http://[2019:30::1]:80/".into(),
                ],
            },
            Call::Logs {
                namespace: "kube-system".into(),
                pod: "calico-node-x".into(),
                container: "calico-node".into(),
                tail: 5,
            },
        ]
    }
}

/// The kubectl verify drives: the program and the kubeconfig.
#[derive(Clone, Debug)]
pub struct Kubectl {
    pub program: PathBuf,
    pub kubeconfig: Option<PathBuf>,
    /// `--server`, for the command-line test only.
    pub server: Option<String>,
}

impl Kubectl {
    /// `DSINSTALL_KUBECTL`, else `kubectl` on PATH (cli.md).
    pub fn from_env(kubeconfig: Option<PathBuf>) -> Kubectl {
        let program = std::env::var_os("DSINSTALL_KUBECTL")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("kubectl"));
        Kubectl {
            program,
            kubeconfig,
            server: None,
        }
    }

    /// The full command for a call; every child goes through `io::child`.
    pub fn command(&self, call: &Call, timeout: Duration) -> Command {
        let mut c = Command::new(&self.program);
        if let Some(k) = &self.kubeconfig {
            c = c.arg("--kubeconfig").arg(k);
        }
        if let Some(s) = &self.server {
            c = c.arg("--server").arg(s);
        }
        // The API request itself is bounded too, not only the process (kubectl's
        // --request-timeout, there since 1.4).
        let secs = timeout.as_secs().clamp(1, 60);
        if matches!(call, Call::Get { .. }) {
            c = c.arg(format!("--request-timeout={secs}s"));
        }
        c.args(call.argv())
            .timeout(timeout)
            .max_output(Some(16 << 20))
    }

    /// Run a call: its output on success, else the output's last lines as the error.
    /// The error is coded where it is the engine's words (how kubectl ended), kubectl's
    /// own lines staying data, so a front end translates the one and keeps the other.
    pub fn run(&self, call: &Call, timeout: Duration) -> Result<String, Said> {
        let cmd = self.command(call, timeout);
        let got = cmd
            .capture()
            .map_err(|e| say("verify.kubectl.cannot_run", &[&self.program.display(), &e]))?;
        if got.finished.success() {
            Ok(got.output)
        } else {
            Err(failure(&cmd, &got))
        }
    }

    /// `get -o json`, parsed. kubectl's stderr shares the pipe: warnings before the
    /// document are skipped.
    pub fn get_json(&self, call: &Call, timeout: Duration) -> Result<Value, Said> {
        let out = self.run(call, timeout)?;
        let start = out
            .find('{')
            .ok_or_else(|| Said::from(last_lines(&out, 3)))?;
        serde_json::from_str(&out[start..]).map_err(|e| say("verify.kubectl.no_json", &[&e]))
    }

    /// The items of a list.
    pub fn items(&self, call: &Call, timeout: Duration) -> Result<Vec<Value>, Said> {
        Ok(self.get_json(call, timeout)?["items"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }
}

/// The sentences of kubectl's failures that are the engine's words, by code.
pub const TEXTS: &[(&str, &str)] = &[
    ("verify.kubectl.cannot_run", "cannot run {0}: {1}"),
    ("verify.kubectl.stopped", "{0}; its last lines: {1}"),
    ("verify.kubectl.no_json", "kubectl printed no JSON: {0}"),
];

fn say(code: &str, args: &[&dyn crate::message::Value]) -> Said {
    Said::coded(TEXTS, code, args)
}

/// Why a kubectl that did not succeed failed: its last lines where it exited by itself
/// (kubectl's own error says why), how it ended ("kubectl exited with status 1", coded)
/// where it printed nothing, and both where it was stopped (its last lines are not why).
pub fn failure(cmd: &Command, got: &Captured) -> Said {
    let tail = last_lines(&got.output, 3);
    let how = got.finished.describe_as(cmd, "kubectl");
    if tail.is_empty() {
        how
    } else if matches!(got.finished.ended, Ended::Exited) && got.finished.status.code().is_some() {
        Said::from(tail)
    } else {
        say("verify.kubectl.stopped", &[&how, &tail])
    }
}

/// The last `n` non-empty lines, joined with "; ".
pub fn last_lines(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("; ")
}
