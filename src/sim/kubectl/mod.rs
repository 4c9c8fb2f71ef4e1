//! The kubectl stand-in: the subset dsinstall and its checks use — get, apply, create,
//! delete, wait, rollout status, exec (wget, nslookup, nc), logs, version — against the
//! simulated API server, reached through the kubeconfig as the real one is.

pub mod jsonpath;

use crate::sim::Exit;
use crate::sim::cluster::{self, Cluster, netpath, nodes, objects, pods, services};
use crate::sim::state::{Ctx, World};
use crate::sim::version::Version;
use serde_json::{Value, json};

/// Parsed kubectl arguments: the verb's words and the flags kubectl knows.
#[derive(Default, Debug)]
struct Args {
    words: Vec<String>,
    namespace: Option<String>,
    all_namespaces: bool,
    output: Option<String>,
    selector: Option<String>,
    field_selector: Option<String>,
    files: Vec<String>,
    kubeconfig: Option<String>,
    for_cond: Option<String>,
    server_side: bool,
    request_timeout: Option<String>,
    after_dashes: Vec<String>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args::default();
    let mut i = 0;
    let value_flags = [
        "-n",
        "--namespace",
        "-o",
        "--output",
        "-l",
        "--selector",
        "--field-selector",
        "-f",
        "--filename",
        "--kubeconfig",
        "--request-timeout",
        "--timeout",
        "--for",
        "-c",
        "--container",
        "--context",
        "--tail",
        "--server",
        "-s",
    ];
    let bool_flags = [
        "-A",
        "--all-namespaces",
        "-w",
        "--watch",
        "--no-headers",
        "-i",
        "-t",
        "-it",
        "-ti",
        "--stdin",
        "--tty",
        "-q",
        "--quiet",
        "--wait",
        "--ignore-not-found",
        "--client",
        "--all",
        "--overwrite",
        "--show-labels",
        "--server-side",
        "--force-conflicts",
    ];
    while i < args.len() {
        let s = args[i].as_str();
        if s == "--" {
            a.after_dashes = args[i + 1..].to_vec();
            break;
        }
        let (name, inline) = match s.split_once('=') {
            Some((n, v)) if n.starts_with('-') => (n, Some(v.to_string())),
            _ => (s, None),
        };
        if value_flags.contains(&name) {
            let v = match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    args.get(i)
                        .cloned()
                        .ok_or_else(|| format!("error: flag needs an argument: {name}"))?
                }
            };
            match name {
                "-n" | "--namespace" => a.namespace = Some(v),
                "-o" | "--output" => a.output = Some(v),
                "-l" | "--selector" => a.selector = Some(v),
                "--field-selector" => a.field_selector = Some(v),
                "-f" | "--filename" => a.files.push(v),
                "--kubeconfig" => a.kubeconfig = Some(v),
                "--for" => a.for_cond = Some(v),
                "--request-timeout" => a.request_timeout = Some(v),
                _ => {}
            }
        } else if bool_flags.contains(&name) {
            if name == "-A" || name == "--all-namespaces" {
                a.all_namespaces = true;
            }
            if name == "--server-side" {
                a.server_side = true;
            }
        } else if s.starts_with('-') && s.len() > 1 {
            return Err(format!(
                "error: unknown flag: {name}\nSee 'kubectl --help' for usage."
            ));
        } else {
            a.words.push(s.to_string());
        }
        i += 1;
    }
    Ok(a)
}

pub fn main(ctx: &Ctx, args: &[String]) -> Exit {
    let a = match parse(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let w = match ctx.load() {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let v = w.version();
    let verb = a.words.first().cloned().unwrap_or_default();
    if verb == "version" && args.iter().any(|x| x == "--client") {
        return version(v, None, &a);
    }
    if let Err(e) = connect(ctx, &w, &a).and_then(|()| api_latency(&w, &a)) {
        eprintln!("{e}");
        return 1;
    }
    let result = match verb.as_str() {
        "version" => return version(v, w.cluster.as_ref(), &a),
        "get" => get(&w, v, &a),
        "apply" | "create" => return apply(ctx, v, &a, verb == "create"),
        "delete" => return delete(ctx, v, &a),
        "wait" if !v.at_least(11) => Err("error: unknown command \"wait\" for \"kubectl\"".into()),
        "wait" => wait(&w, v, &a),
        "rollout" => rollout(&w, v, &a),
        "exec" => return exec(&w, v, &a),
        "logs" => logs(&w, &a),
        "" => Err("kubectl controls the Kubernetes cluster manager.".into()),
        other => Err(format!(
            "error: unknown command \"{other}\" for \"kubectl\"\n\nDid you mean this?\n\tget\n\nRun 'kubectl --help' for usage."
        )),
    };
    match result {
        Ok(out) => {
            print!("{out}");
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// Reach the API server the kubeconfig names: no kubeconfig means localhost:8080; a
/// kubeconfig of a cluster that is gone (reset) a refused connection; one carrying another
/// CA (a stale $HOME/.kube/config after a re-init) an x509 error. A `--kubeconfig` that
/// does not exist is an error of its own: client-go's loader stats the explicit path
/// (tools/clientcmd/loader.go, ClientConfigLoadingRules.Load), where missing files of
/// KUBECONFIG are skipped; kubectl 1.20 and 1.33 both print `error: stat PATH: no such
/// file or directory`.
fn connect(ctx: &Ctx, w: &World, a: &Args) -> Result<(), String> {
    if let Some(p) = &a.kubeconfig
        && !ctx.host_path(p).exists()
    {
        return Err(format!("error: stat {p}: no such file or directory"));
    }
    let path = a
        .kubeconfig
        .clone()
        .or_else(|| std::env::var("KUBECONFIG").ok().filter(|s| !s.is_empty()))
        .or_else(|| {
            std::env::var("HOME")
                .ok()
                .map(|h| format!("{h}/.kube/config"))
        });
    let text = path.and_then(|p| std::fs::read_to_string(ctx.host_path(&p)).ok());
    let Some(text) = text else {
        return Err("The connection to the server localhost:8080 was refused - did you specify the right host or port?".into());
    };
    let cfg: serde_yaml::Value = serde_yaml::from_str(&text)
        .map_err(|e| format!("error: error loading config file: {e}"))?;
    let cl = &cfg["clusters"][0]["cluster"];
    let server = cl["server"]
        .as_str()
        .unwrap_or("")
        .trim_start_matches("https://")
        .to_string();
    let Some(c) = &w.cluster else {
        return Err(format!(
            "The connection to the server {server} was refused - did you specify the right host or port?"
        ));
    };
    let ca = cl["certificate-authority-data"]
        .as_str()
        .and_then(crate::sim::kubeadm::files::unbase64)
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    if ca.as_deref() != Some(c.ca_pem.as_str()) {
        return Err("Unable to connect to the server: x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate \"kubernetes\")".into());
    }
    Ok(())
}

fn version(v: Version, c: Option<&Cluster>, a: &Args) -> Exit {
    let info = crate::sim::kubeadm::version_info(v);
    if a.output.as_deref() == Some("json") {
        let mut j = json!({"clientVersion": info});
        if c.is_some() {
            j["serverVersion"] = info.clone();
        }
        println!("{}", serde_json::to_string_pretty(&j).unwrap_or_default());
        return 0;
    }
    if v.at_least(28) {
        println!("Client Version: {v}");
        println!("Kustomize Version: v5.0.4-0.20230601165947-6ce0bf390ce3");
        if c.is_some() {
            println!("Server Version: {v}");
        }
    } else {
        println!(
            "Client Version: version.Info{{Major:\"1\", Minor:\"{}\", GitVersion:\"{v}\", GitTreeState:\"clean\", Compiler:\"gc\", Platform:\"linux/amd64\"}}",
            v.minor
        );
        if c.is_some() {
            println!(
                "Server Version: version.Info{{Major:\"1\", Minor:\"{}\", GitVersion:\"{v}\", GitTreeState:\"clean\", Compiler:\"gc\", Platform:\"linux/amd64\"}}",
                v.minor
            );
        }
    }
    0
}

fn cluster_of(w: &World) -> &Cluster {
    w.cluster.as_ref().expect("connect() checked the cluster")
}

/// Every object of a resource as the API returns it now, in the API server's order: by
/// namespace, then name (a list reads etcd's range /registry/<resource>/<namespace>/<name>
/// in key order; staging/src/k8s.io/apiserver/pkg/storage/etcd3/store.go, GetList).
fn list(w: &World, v: Version, r: &objects::Resource) -> Vec<Value> {
    let mut items = unordered(w, v, r);
    let key = |o: &Value| {
        let m = &o["metadata"];
        (
            m["namespace"].as_str().unwrap_or("").to_string(),
            m["name"].as_str().unwrap_or("").to_string(),
        )
    };
    items.sort_by_cached_key(key);
    items
}

fn unordered(w: &World, v: Version, r: &objects::Resource) -> Vec<Value> {
    let c = cluster_of(w);
    let rv = w.generation;
    match r.kind.as_str() {
        "Node" => {
            let calico = cluster::calico::from_cluster(c, &w.faults);
            c.nodes
                .iter()
                .map(|n| {
                    let cni = pods::cni_ready(&calico, &n.name);
                    let stopped =
                        n.kubelet_stopped || (w.has_fault("node-notready") && n.control_plane);
                    nodes::to_json(
                        v,
                        n,
                        nodes::not_ready_reason(v, cni),
                        stopped,
                        rv,
                        cluster::time::now_secs(),
                    )
                })
                .collect()
        }
        "Pod" => {
            let calico = cluster::calico::from_cluster(c, &w.faults);
            c.pods
                .iter()
                .map(|p| pods::to_json(c, v, p, &calico, rv, &w.faults, pod_start(w)))
                .collect()
        }
        // calico-node writes its pools at startup (configureIPPools); they are read back
        // here from what the manifest or Installation makes of them.
        "IPPool" if r.group == "crd.projectcalico.org" => {
            let calico = cluster::calico::from_cluster(c, &w.faults);
            calico
                .map(|cal| cal.pools.iter().map(|p| ippool_json(p, rv)).collect())
                .unwrap_or_default()
        }
        _ => c
            .objects
            .iter()
            .filter(|o| {
                o["kind"] == r.kind.as_str()
                    && o["apiVersion"]
                        .as_str()
                        .unwrap_or("")
                        .rsplit_once('/')
                        .map(|(g, _)| g)
                        .unwrap_or("")
                        == r.group
            })
            .map(|o| with_status(w, v, o))
            .collect(),
    }
}

/// An IPPool as `kubectl get ippools.crd.projectcalico.org -o json` shows it.
fn ippool_json(p: &cluster::calico::Pool, rv: u64) -> Value {
    let fam = if p.cidr.addr().is_ipv4() {
        "ipv4"
    } else {
        "ipv6"
    };
    json!({
        "apiVersion": "crd.projectcalico.org/v1",
        "kind": "IPPool",
        "metadata": {"name": format!("default-{fam}-ippool"), "resourceVersion": rv.to_string()},
        "spec": {
            "cidr": p.cidr.to_string(),
            "blockSize": p.block_size,
            "ipipMode": p.ipip,
            "vxlanMode": p.vxlan,
            "natOutgoing": p.nat_outgoing,
            "nodeSelector": "all()",
        }
    })
}

/// Workload status as its controller writes it.
fn with_status(w: &World, v: Version, o: &Value) -> Value {
    let c = cluster_of(w);
    let mut o = o.clone();
    let ns = o["metadata"]["namespace"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let calico = cluster::calico::from_cluster(c, &w.faults);
    let ready = |p: &pods::PodRec| {
        pods::to_json(c, v, p, &calico, 0, &w.faults, pod_start(w))["status"]["conditions"]
            .as_array()
            .is_some_and(|cs| {
                cs.iter()
                    .any(|x| x["type"] == "Ready" && x["status"] == "True")
            })
    };
    match o["kind"].as_str() {
        Some("Deployment") => {
            let rs = pods::replicaset_name(&o);
            let owned: Vec<&pods::PodRec> = c
                .pods
                .iter()
                .filter(|p| p.namespace == ns && p.owner_name == rs)
                .collect();
            let r = owned.iter().filter(|p| ready(p)).count();
            let mut s = json!({"observedGeneration": 1, "replicas": owned.len(), "updatedReplicas": owned.len()});
            if r > 0 {
                s["readyReplicas"] = json!(r);
                s["availableReplicas"] = json!(r);
            }
            if owned.len() > r {
                s["unavailableReplicas"] = json!(owned.len() - r);
            }
            o["status"] = s;
        }
        Some("DaemonSet") => {
            let name = o["metadata"]["name"].as_str().unwrap_or("").to_string();
            let owned: Vec<&pods::PodRec> = c
                .pods
                .iter()
                .filter(|p| {
                    p.namespace == ns && p.owner_kind == "DaemonSet" && p.owner_name == name
                })
                .collect();
            let r = owned.iter().filter(|p| ready(p)).count();
            let mut s = json!({"currentNumberScheduled": owned.len(), "desiredNumberScheduled": owned.len(), "numberMisscheduled": 0, "numberReady": r, "observedGeneration": 1, "updatedNumberScheduled": owned.len()});
            if r > 0 {
                s["numberAvailable"] = json!(r);
            }
            if owned.len() > r {
                s["numberUnavailable"] = json!(owned.len() - r);
            }
            o["status"] = s;
        }
        // The operator's status of its components: Available once every calico-system Pod
        // is ready (calico-node on every node among them).
        Some("TigeraStatus") => {
            let calico_pods: Vec<&pods::PodRec> = c
                .pods
                .iter()
                .filter(|p| p.namespace == "calico-system")
                .collect();
            let crash = calico.as_ref().and_then(|cal| {
                calico_pods.iter().find_map(|p| {
                    cal.crash
                        .iter()
                        .find(|(n, _)| {
                            p.name.starts_with("calico-node-") && Some(n) == p.node.as_ref()
                        })
                        .map(|_| {
                            format!(
                                "Pod calico-system/{} has crash looping container: calico-node",
                                p.name
                            )
                        })
                })
            });
            let nodes_covered = c.nodes.iter().all(|n| {
                calico_pods.iter().any(|p| {
                    p.name.starts_with("calico-node-") && p.node.as_deref() == Some(n.name.as_str())
                })
            });
            let available = crash.is_none()
                && nodes_covered
                && !calico_pods.is_empty()
                && calico_pods.iter().all(|p| ready(p));
            let since = o["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or("")
                .to_string();
            o["status"] = cluster::operator::status(available, crash.as_deref(), &since);
        }
        // The apiextensions server accepts the names and establishes a CRD at once
        // (apiextensions-apiserver pkg/controller/establish).
        Some("CustomResourceDefinition") => {
            let names = o["spec"]["names"].clone();
            o["status"] = json!({
                "acceptedNames": names,
                "conditions": [
                    {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found"},
                    {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"}
                ],
                "storedVersions": o["spec"]["versions"].as_array().and_then(|v| v.iter().find(|x| x["storage"] == true)).map(|x| json!([x["name"]])).unwrap_or(json!([]))
            });
        }
        _ => {}
    }
    o
}

fn matches_labels(o: &Value, sel: &str) -> bool {
    sel.split(',').filter(|s| !s.is_empty()).all(|term| {
        let labels = &o["metadata"]["labels"];
        if let Some((k, v)) = term.split_once("!=") {
            labels[k.trim()].as_str() != Some(v.trim())
        } else if let Some((k, v)) = term.split_once('=') {
            labels[k.trim()].as_str() == Some(v.trim().trim_start_matches('='))
        } else {
            !labels[term.trim()].is_null()
        }
    })
}

fn matches_fields(o: &Value, sel: &str) -> bool {
    sel.split(',').filter(|s| !s.is_empty()).all(|term| {
        let (k, want, eq) = match term.split_once("!=") {
            Some((k, v)) => (k, v, false),
            None => match term.split_once('=') {
                Some((k, v)) => (k, v.trim_start_matches('='), true),
                None => return false,
            },
        };
        let mut cur = o;
        for part in k.trim().split('.') {
            cur = &cur[part];
        }
        (cur.as_str().unwrap_or("") == want.trim()) == eq
    })
}

fn resource(w: &World, v: Version, name: &str) -> Result<objects::Resource, String> {
    objects::resource_named(cluster_of(w), v, name)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{name}\""))
}

fn get(w: &World, v: Version, a: &Args) -> Result<String, String> {
    let Some(kind) = a.words.get(1) else {
        return Err("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples".into());
    };
    let (kind, inline_name) = match kind.split_once('/') {
        Some((k, n)) => (k.to_string(), Some(n.to_string())),
        None => (kind.clone(), None),
    };
    let r = resource(w, v, &kind)?;
    let ns = a.namespace.clone().unwrap_or_else(|| "default".into());
    let names: Vec<String> = inline_name
        .into_iter()
        .chain(a.words.iter().skip(2).cloned())
        .collect();
    let mut items: Vec<Value> = list(w, v, &r)
        .into_iter()
        .filter(|o| {
            !r.namespaced || a.all_namespaces || o["metadata"]["namespace"].as_str() == Some(&ns)
        })
        .filter(|o| a.selector.as_deref().is_none_or(|s| matches_labels(o, s)))
        .filter(|o| {
            a.field_selector
                .as_deref()
                .is_none_or(|s| matches_fields(o, s))
        })
        .collect();
    let single = names.len() == 1;
    if !names.is_empty() {
        for n in &names {
            if !items.iter().any(|o| o["metadata"]["name"] == n.as_str()) {
                return Err(format!(
                    "Error from server (NotFound): {} {n:?} not found",
                    r.qualified_plural()
                ));
            }
        }
        items.retain(|o| names.iter().any(|n| o["metadata"]["name"] == n.as_str()));
    }
    let doc = if single {
        items[0].clone()
    } else {
        json!({"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}})
    };
    match a.output.as_deref() {
        Some("json") => Ok(format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        )),
        Some("yaml") => Ok(serde_yaml::to_string(&doc).unwrap_or_default()),
        Some("name") => Ok(items
            .iter()
            .map(|o| {
                format!(
                    "{}/{}\n",
                    r.display(),
                    o["metadata"]["name"].as_str().unwrap_or("")
                )
            })
            .collect()),
        Some("wide") => Ok(table(&r, &items, a.all_namespaces)),
        Some(o) if o.starts_with("jsonpath=") || o.starts_with("jsonpath='") => {
            let t = o.trim_start_matches("jsonpath=").trim_matches('\'');
            jsonpath::render(t, &doc)
        }
        Some(o) => Err(format!(
            "error: unable to match a printer suitable for the output format \"{o}\", allowed formats are: json,jsonpath,jsonpath-as-json,jsonpath-file,name,go-template,go-template-file,template,templatefile,wide,yaml"
        )),
        None => {
            if items.is_empty() {
                return Ok(String::new()).map(|_| {
                    if r.namespaced && !a.all_namespaces {
                        eprintln!("No resources found in {ns} namespace.");
                    } else {
                        eprintln!("No resources found");
                    }
                    String::new()
                });
            }
            Ok(table(&r, &items, a.all_namespaces))
        }
    }
}

fn table(r: &objects::Resource, items: &[Value], all_ns: bool) -> String {
    let now = cluster::time::now_secs();
    let age = |o: &Value| {
        let _ = o;
        cluster::time::age(now, now)
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let header: Vec<&str> = match r.kind.as_str() {
        "Node" => vec!["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
        "Pod" => vec!["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        "Service" => vec![
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
        ],
        _ => vec!["NAME", "AGE"],
    };
    for o in items {
        let name = o["metadata"]["name"].as_str().unwrap_or("").to_string();
        let row = match r.kind.as_str() {
            "Node" => {
                let ready = o["status"]["conditions"]
                    .as_array()
                    .and_then(|c| c.iter().find(|x| x["type"] == "Ready"))
                    .map(|x| x["status"].as_str().unwrap_or(""))
                    .unwrap_or("");
                let status = match ready {
                    "True" => "Ready",
                    _ => "NotReady",
                };
                let roles: Vec<String> = o["metadata"]["labels"]
                    .as_object()
                    .map(|l| {
                        l.keys()
                            .filter_map(|k| {
                                k.strip_prefix("node-role.kubernetes.io/")
                                    .map(str::to_string)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                vec![
                    name,
                    status.into(),
                    if roles.is_empty() {
                        "<none>".into()
                    } else {
                        roles.join(",")
                    },
                    age(o),
                    o["status"]["nodeInfo"]["kubeletVersion"]
                        .as_str()
                        .unwrap_or("")
                        .into(),
                ]
            }
            "Pod" => {
                let cs = o["status"]["containerStatuses"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let total = o["spec"]["containers"]
                    .as_array()
                    .map(|c| c.len())
                    .unwrap_or(0);
                let ready = cs.iter().filter(|c| c["ready"] == true).count();
                let waiting = cs
                    .iter()
                    .find_map(|c| c["state"]["waiting"]["reason"].as_str().map(str::to_string));
                let status = waiting
                    .unwrap_or_else(|| o["status"]["phase"].as_str().unwrap_or("").to_string());
                let restarts: u64 = cs
                    .iter()
                    .map(|c| c["restartCount"].as_u64().unwrap_or(0))
                    .sum();
                vec![
                    name,
                    format!("{ready}/{total}"),
                    status,
                    restarts.to_string(),
                    age(o),
                ]
            }
            "Service" => {
                let ports: Vec<String> = o["spec"]["ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| match p["nodePort"].as_u64() {
                        Some(np) => format!(
                            "{}:{np}/{}",
                            p["port"],
                            p["protocol"].as_str().unwrap_or("TCP")
                        ),
                        None => {
                            format!("{}/{}", p["port"], p["protocol"].as_str().unwrap_or("TCP"))
                        }
                    })
                    .collect();
                vec![
                    name,
                    o["spec"]["type"].as_str().unwrap_or("").into(),
                    o["spec"]["clusterIP"].as_str().unwrap_or("").into(),
                    "<none>".into(),
                    ports.join(","),
                    age(o),
                ]
            }
            _ => vec![name, age(o)],
        };
        let mut row = row;
        if all_ns && r.namespaced {
            row.insert(0, o["metadata"]["namespace"].as_str().unwrap_or("").into());
        }
        rows.push(row);
    }
    let mut header: Vec<String> = header.iter().map(|s| s.to_string()).collect();
    if all_ns && r.namespaced {
        header.insert(0, "NAMESPACE".into());
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(c.len());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}   ", w = widths[i]));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&header);
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

fn read_docs(ctx: &Ctx, files: &[String]) -> Result<Vec<(String, Value)>, String> {
    let mut out = Vec::new();
    for f in files {
        let text = if f == "-" {
            crate::sim::yaml::read_stdin()?
        } else {
            crate::sim::yaml::read_bounded(&ctx.host_path(f))
                .map_err(|_| format!("error: the path \"{f}\" does not exist"))?
        };
        let docs = crate::sim::yaml::documents(&text)
            .map_err(|e| format!("error: error parsing {f}: {e}"))?;
        for d in docs {
            let j = crate::sim::yaml::to_json(&d);
            if j["kind"] == "List" {
                for i in j["items"].as_array().cloned().unwrap_or_default() {
                    out.push((f.clone(), i));
                }
            } else {
                out.push((f.clone(), j));
            }
        }
    }
    Ok(out)
}

fn apply(ctx: &Ctx, v: Version, a: &Args, create: bool) -> Exit {
    if a.files.is_empty() {
        eprintln!("error: must specify one of -f and -k");
        return 1;
    }
    let docs = match read_docs(ctx, &a.files) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let mut code = 0;
    for (file, mut obj) in docs {
        let api = obj["apiVersion"].as_str().unwrap_or("").to_string();
        let kind = obj["kind"].as_str().unwrap_or("").to_string();
        let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
        // Client-side apply stores the whole object in the last-applied-configuration
        // annotation, which the API server caps at 256 KiB (apimachinery
        // pkg/api/validation TotalAnnotationSizeLimitB): the operator's CRDs are bigger.
        let annotation = serde_json::to_string(&obj).map_or(0, |s| s.len());
        let too_long = !create && !a.server_side && annotation > ANNOTATION_LIMIT;
        if kind == "CustomResourceDefinition" {
            strip_schemas(&mut obj);
        }
        let r = ctx.update(|w| {
            let faults = w.faults.clone();
            let rv = w.generation;
            let c = w.cluster.as_mut().ok_or("The connection to the server was refused")?;
            let Some(res) = objects::resource_for(c, v, &api, &kind) else {
                return Err(if v.at_least(21) {
                    format!("error: resource mapping not found for name: {name:?} namespace: {:?} from {file:?}: no matches for kind {kind:?} in version {api:?}\nensure CRDs are installed first", obj["metadata"]["namespace"].as_str().unwrap_or(""))
                } else {
                    format!("error: unable to recognize {file:?}: no matches for kind {kind:?} in version {api:?}")
                });
            };
            if too_long {
                return Err(format!(
                    "The {kind} {name:?} is invalid: metadata.annotations: Too long: must have at most {ANNOTATION_LIMIT} bytes"
                ));
            }
            if res.namespaced {
                let ns = obj["metadata"]["namespace"].as_str().map(str::to_string).or(a.namespace.clone()).unwrap_or_else(|| "default".into());
                obj["metadata"]["namespace"] = json!(ns);
                if !c.objects.iter().any(|o| o["kind"] == "Namespace" && o["metadata"]["name"] == ns.as_str()) {
                    return Err(format!("Error from server (NotFound): error when creating {file:?}: namespaces {ns:?} not found"));
                }
            }
            let (k, ns, n) = objects::key_of(&obj);
            let existing = c.objects.iter().position(|o| objects::key_of(o) == (k.clone(), ns.clone(), n.clone()));
            let pod_existing = kind == "Pod" && c.pods.iter().any(|p| p.name == n && p.namespace == ns);
            if create && (existing.is_some() || pod_existing) {
                return Err(format!("Error from server (AlreadyExists): error when creating {file:?}: {} {n:?} already exists", res.qualified_plural()));
            }
            if kind == "Pod" {
                if pod_existing {
                    return Ok(format!("{}/{n} unchanged", res.display()));
                }
                let uid = c.uid();
                let spec = obj["spec"].clone();
                let labels = obj["metadata"]["labels"].as_object().map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect()).unwrap_or_default();
                c.pods.push(pods::PodRec { name: n.clone(), namespace: ns, uid, created: cluster::time::now_secs(), created_ms: cluster::time::now_ms(), node: None, host_network: spec["hostNetwork"].as_bool().unwrap_or(false), ips: Vec::new(), labels, owner_kind: String::new(), owner_name: String::new(), spec });
                pods::reconcile(c, v, &faults);
                return Ok(format!("{}/{n} created", res.display()));
            }
            let verb = match existing {
                Some(i) => {
                    let old = &c.objects[i];
                    let same = old["spec"] == obj["spec"] && old["data"] == obj["data"] && old["metadata"]["labels"] == obj["metadata"]["labels"];
                    if kind == "Service" || same {
                        "unchanged"
                    } else {
                        let meta = old["metadata"].clone();
                        obj["metadata"] = meta;
                        c.objects[i] = obj.clone();
                        "configured"
                    }
                }
                None => {
                    if kind == "Service" {
                        services::allocate(c, v, &mut obj).map_err(|e| e.to_string())?;
                    }
                    objects::stamp(c, &mut obj, res.namespaced, rv);
                    c.objects.push(obj.clone());
                    "created"
                }
            };
            pods::reconcile(c, v, &faults);
            // Server-side apply reports neither created nor configured.
            let verb = if a.server_side { "serverside-applied" } else { verb };
            Ok(format!("{}/{n} {verb}", res.display()))
        });
        match r {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("{e}");
                code = 1;
            }
        }
    }
    code
}

/// The most bytes of annotations an object may carry (256 KiB).
const ANNOTATION_LIMIT: usize = 262_144;

/// The lab validates no custom object against its CRD's schema, and the operator's schemas
/// are megabytes (calico@v3.32.1 installations.operator.tigera.io alone 1.4 MiB) that every
/// later kubectl would re-read with the lab's state: a CRD is kept with an open schema.
fn strip_schemas(crd: &mut Value) {
    for ver in crd["spec"]["versions"].as_array_mut().into_iter().flatten() {
        if ver.get("schema").is_some() {
            ver["schema"] = json!({"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}});
        }
    }
}

fn delete(ctx: &Ctx, v: Version, a: &Args) -> Exit {
    let targets: Vec<(String, String)> = if !a.files.is_empty() {
        match read_docs(ctx, &a.files) {
            Ok(d) => d
                .into_iter()
                .map(|(_, o)| {
                    (
                        o["kind"].as_str().unwrap_or("").to_string(),
                        o["metadata"]["name"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect(),
            Err(e) => {
                eprintln!("{e}");
                return 1;
            }
        }
    } else {
        let Some(kind) = a.words.get(1) else {
            eprintln!("error: You must provide one or more resources by argument or filename.");
            return 1;
        };
        match kind.split_once('/') {
            Some((k, n)) => vec![(k.to_string(), n.to_string())],
            None => a
                .words
                .iter()
                .skip(2)
                .map(|n| (kind.clone(), n.clone()))
                .collect(),
        }
    };
    let ignore = a.words.iter().any(|w| w == "--ignore-not-found");
    let mut code = 0;
    for (kind, name) in targets {
        let ns = a.namespace.clone().unwrap_or_else(|| "default".into());
        let r = ctx.update(|w| {
            let faults = w.faults.clone();
            let c = w
                .cluster
                .as_mut()
                .ok_or("The connection to the server was refused")?;
            let res = objects::resource_named(c, v, &kind).ok_or_else(|| {
                format!("error: the server doesn't have a resource type \"{kind}\"")
            })?;
            let before = c.objects.len() + c.pods.len() + c.nodes.len();
            match res.kind.as_str() {
                "Pod" => c.pods.retain(|p| !(p.name == name && p.namespace == ns)),
                "Node" => c.nodes.retain(|n| n.name != name),
                _ => c.objects.retain(|o| {
                    !(o["kind"] == res.kind.as_str()
                        && o["metadata"]["name"] == name.as_str()
                        && (!res.namespaced || o["metadata"]["namespace"] == ns.as_str()))
                }),
            }
            if res.kind == "Service" {
                c.service_ips.retain(|(k, _)| *k != format!("{ns}/{name}"));
            }
            if before == c.objects.len() + c.pods.len() + c.nodes.len() {
                return Err(format!(
                    "Error from server (NotFound): {} {name:?} not found",
                    res.qualified_plural()
                ));
            }
            if res.kind == "Namespace" {
                // The namespace controller deletes everything in it (the lab at once; a
                // real one once the Pods' grace periods are over).
                c.objects
                    .retain(|o| o["metadata"]["namespace"].as_str() != Some(name.as_str()));
                c.pods.retain(|p| p.namespace != name);
                let prefix = format!("{name}/");
                c.service_ips.retain(|(k, _)| !k.starts_with(&prefix));
            }
            pods::reconcile(c, v, &faults);
            Ok(format!("{} {name:?} deleted", res.display()))
        });
        match r {
            Ok(l) => println!("{l}"),
            Err(e) if ignore && e.contains("NotFound") => {}
            Err(e) => {
                eprintln!("{e}");
                code = 1;
            }
        }
    }
    code
}

/// `kubectl wait --for=condition=Ready node/x` (and jsonpath= from 1.23, create from 1.31).
/// The lab's state does not change while waiting, so the answer is immediate.
fn wait(w: &World, v: Version, a: &Args) -> Result<String, String> {
    let cond = a.for_cond.clone().ok_or("error: --for must be specified")?;
    if cond.starts_with("jsonpath=") && !v.at_least(23) {
        return Err(format!("error: unrecognized condition: {cond:?}"));
    }
    let target = a
        .words
        .get(1)
        .ok_or("error: resource(s) were provided, but no name was specified")?;
    let (kind, name) = target
        .split_once('/')
        .map(|(k, n)| (k.to_string(), Some(n.to_string())))
        .unwrap_or((target.clone(), a.words.get(2).cloned()));
    let r = resource(w, v, &kind)?;
    let ns = a.namespace.clone().unwrap_or_else(|| "default".into());
    let items: Vec<Value> = list(w, v, &r)
        .into_iter()
        .filter(|o| !r.namespaced || a.all_namespaces || o["metadata"]["namespace"] == ns.as_str())
        .filter(|o| name.as_deref().is_none_or(|n| o["metadata"]["name"] == n))
        .filter(|o| a.selector.as_deref().is_none_or(|s| matches_labels(o, s)))
        .collect();
    if items.is_empty() {
        return Err(match name {
            Some(n) => format!(
                "Error from server (NotFound): {} {n:?} not found",
                r.qualified_plural()
            ),
            None => "error: no matching resources found".into(),
        });
    }
    let mut out = String::new();
    for o in &items {
        let n = o["metadata"]["name"].as_str().unwrap_or("");
        let met = if let Some(c) = cond.strip_prefix("condition=") {
            let (ctype, want) = c.split_once('=').unwrap_or((c, "True"));
            o["status"]["conditions"].as_array().is_some_and(|cs| {
                cs.iter().any(|x| {
                    x["type"]
                        .as_str()
                        .is_some_and(|t| t.eq_ignore_ascii_case(ctype))
                        && x["status"]
                            .as_str()
                            .is_some_and(|s| s.eq_ignore_ascii_case(want))
                })
            })
        } else if let Some(j) = cond.strip_prefix("jsonpath=") {
            let (path, want) = j.split_once('=').unwrap_or((j, ""));
            let path = path.trim_matches('\'');
            let path = if path.starts_with('{') {
                path.to_string()
            } else {
                format!("{{{path}}}")
            };
            jsonpath::render(&path, o)
                .map(|got| got == want)
                .unwrap_or(false)
        } else if cond == "delete" {
            false
        } else {
            return Err(format!("error: unrecognized condition: {cond:?}"));
        };
        if !met {
            return Err(format!(
                "error: timed out waiting for the condition on {}/{n}",
                r.plural
            ));
        }
        out.push_str(&format!("{}/{n} condition met\n", r.display()));
    }
    Ok(out)
}

fn rollout(w: &World, v: Version, a: &Args) -> Result<String, String> {
    if a.words.get(1).map(String::as_str) != Some("status") {
        return Err("error: unknown command for \"kubectl rollout\"".into());
    }
    let target = a
        .words
        .get(2)
        .ok_or("error: required resource not specified")?;
    let (kind, name) = target
        .split_once('/')
        .map(|(k, n)| (k.to_string(), n.to_string()))
        .ok_or("error: required resource not specified")?;
    let r = resource(w, v, &kind)?;
    let ns = a.namespace.clone().unwrap_or_else(|| "default".into());
    let o = list(w, v, &r)
        .into_iter()
        .find(|o| {
            o["metadata"]["name"] == name.as_str() && o["metadata"]["namespace"] == ns.as_str()
        })
        .ok_or_else(|| {
            format!(
                "Error from server (NotFound): {} {name:?} not found",
                r.qualified_plural()
            )
        })?;
    let s = &o["status"];
    match r.kind.as_str() {
        "DaemonSet" => {
            let (d, rdy) = (
                s["desiredNumberScheduled"].as_u64().unwrap_or(0),
                s["numberAvailable"].as_u64().unwrap_or(0),
            );
            if rdy < d {
                return Err(format!(
                    "Waiting for daemon set {name:?} rollout to finish: {rdy} of {d} updated pods are available...\nerror: timed out waiting for the condition"
                ));
            }
            Ok(format!("daemon set {name:?} successfully rolled out\n"))
        }
        "Deployment" => {
            let (d, rdy) = (
                o["spec"]["replicas"].as_u64().unwrap_or(1),
                s["availableReplicas"].as_u64().unwrap_or(0),
            );
            if rdy < d {
                return Err(format!(
                    "Waiting for deployment {name:?} rollout to finish: {rdy} of {d} updated replicas are available...\nerror: timed out waiting for the condition"
                ));
            }
            Ok(format!("deployment {name:?} successfully rolled out\n"))
        }
        _ => Err(format!(
            "error: no rollout status available for {}",
            r.plural
        )),
    }
}

fn logs(w: &World, a: &Args) -> Result<String, String> {
    let c = cluster_of(w);
    let name = a
        .words
        .get(1)
        .ok_or("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.")?;
    let name = name.trim_start_matches("pod/");
    let ns = a.namespace.clone().unwrap_or_else(|| "default".into());
    let p = c
        .pods
        .iter()
        .find(|p| p.name == name && p.namespace == ns)
        .ok_or_else(|| format!("Error from server (NotFound): pods {name:?} not found"))?;
    let calico = cluster::calico::from_cluster(c, &w.faults);
    if let Some((_, why)) = calico.as_ref().and_then(|cal| {
        cal.crash
            .iter()
            .find(|(n, _)| p.name.starts_with("calico-node-") && Some(n) == p.node.as_ref())
    }) {
        return Ok(format!(
            "2026-12-01 00:00:00.000 [INFO][9] startup/startup.go 376: Early log level set to info\n2026-12-01 00:00:00.010 [WARNING][9] startup/startup.go 765: {why}\n2026-12-01 00:00:00.010 [ERROR][9] startup/startup.go 158: Terminating\nCalico node failed to start\n"
        ));
    }
    if p.ips.is_empty() && !p.host_network {
        return Err(format!(
            "Error from server (BadRequest): container {:?} in pod {name:?} is waiting to start: ContainerCreating",
            p.spec["containers"][0]["name"].as_str().unwrap_or("")
        ));
    }
    Ok(String::new())
}

/// The lab's pod-start latency (sim::latency).
fn pod_start(w: &World) -> std::time::Duration {
    w.latency.of("pod-start", w.pace)
}

/// The lab's API latency, bounded by `--request-timeout` as client-go bounds a request
/// (rest.Config.Timeout, the http.Client's timeout): past it, the client's own error.
fn api_latency(w: &World, a: &Args) -> Result<(), String> {
    let latency = w.latency.of("api", w.pace);
    // "0" (any zero duration) is kubectl's "no timeout".
    let limit = match a.request_timeout.as_deref() {
        None => None,
        Some(t) => Some(request_timeout(t)?).filter(|d| !d.is_zero()),
    };
    match limit {
        Some(limit) if latency > limit => {
            std::thread::sleep(limit);
            Err("Unable to connect to the server: net/http: request canceled (Client.Timeout exceeded while awaiting headers)".into())
        }
        _ => {
            std::thread::sleep(latency);
            Ok(())
        }
    }
}

/// `--request-timeout` as client-go's clientcmd reads it: a bare integer is seconds, else
/// a Go duration (`1s`, `2m`, `1m30s`); anything else is refused before any request.
fn request_timeout(t: &str) -> Result<std::time::Duration, String> {
    const REFUSED: &str = "Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)";
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(secs));
    }
    let mut total = 0.0f64;
    let mut rest = t;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or(REFUSED)?;
        let (num, tail) = rest.split_at(n);
        let v: f64 = num.parse().map_err(|_| REFUSED)?;
        let u = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, next) = tail.split_at(u);
        let scale = match unit {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(REFUSED.into()),
        };
        total += v * scale;
        rest = next;
    }
    Ok(std::time::Duration::from_secs_f64(total))
}

/// `kubectl exec POD -- wget|nslookup|nc ...`: the simulated network answers.
fn exec(w: &World, v: Version, a: &Args) -> Exit {
    let c = cluster_of(w);
    let Some(name) = a
        .words
        .get(1)
        .map(|n| n.trim_start_matches("pod/").to_string())
    else {
        eprintln!(
            "error: expected 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]'."
        );
        return 1;
    };
    let ns = a.namespace.clone().unwrap_or_else(|| "default".into());
    let Some(p) = c.pods.iter().find(|p| p.name == name && p.namespace == ns) else {
        eprintln!("Error from server (NotFound): pods {name:?} not found");
        return 1;
    };
    if p.node.is_none() || (p.ips.is_empty() && !p.host_network) {
        eprintln!(
            "error: unable to upgrade connection: container not found ({:?})",
            p.spec["containers"][0]["name"].as_str().unwrap_or("")
        );
        return 1;
    }
    let net = netpath::Net::new(c, v, &w.faults).with_pod_start(pod_start(w));
    let cmd = &a.after_dashes;
    // The lab's latencies: DNS for nslookup, HTTP for wget and nc, however invoked.
    let program = match cmd.first().map(String::as_str) {
        Some("sh") => cmd.get(2).and_then(|s| s.split_whitespace().next()),
        other => other,
    };
    match program {
        Some("nslookup") => w.wait_latency("dns"),
        Some("wget" | "nc") => w.wait_latency("http"),
        _ => {}
    }
    let code = match cmd.first().map(String::as_str) {
        Some("wget") => wget(&net, p, &cmd[1..]),
        Some("nslookup") => nslookup(&net, p, &cmd[1..]),
        Some("nc") => nc(&net, p, &cmd[1..]),
        Some("sh") if cmd.get(1).map(String::as_str) == Some("-c") => {
            let words: Vec<String> = cmd
                .get(2)
                .map(|s| s.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default();
            match words.first().map(String::as_str) {
                Some("wget") => wget(&net, p, &words[1..]),
                Some("nslookup") => nslookup(&net, p, &words[1..]),
                Some("nc") => nc(&net, p, &words[1..]),
                _ => 127,
            }
        }
        Some(other) => {
            println!(
                "OCI runtime exec failed: exec failed: container_linux.go:349: starting container process caused \"exec: \\\"{other}\\\": executable file not found in $PATH\": unknown"
            );
            126
        }
        None => {
            eprintln!("error: you must specify at least one command for the container");
            return 1;
        }
    };
    if code != 0 {
        eprintln!("command terminated with exit code {code}");
    }
    code
}

/// `http://[v6]:port/path` or `host:port` into (host, port).
fn split_url(u: &str) -> (String, u16) {
    let u = u.trim_start_matches("http://");
    let hostport = u.split('/').next().unwrap_or(u);
    if let Some(rest) = hostport.strip_prefix('[') {
        let (h, p) = rest.split_once(']').unwrap_or((rest, ""));
        return (
            h.to_string(),
            p.trim_start_matches(':').parse().unwrap_or(80),
        );
    }
    match hostport.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h.to_string(), p.parse().unwrap_or(80)),
        _ => (hostport.to_string(), 80),
    }
}

fn target_ip(net: &netpath::Net, p: &pods::PodRec, host: &str) -> Result<String, i32> {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Ok(host.to_string());
    }
    match net.resolve(p, host) {
        Ok(ips) if !ips.is_empty() => Ok(ips[0].clone()),
        _ => {
            eprintln!("wget: bad address '{host}'");
            Err(1)
        }
    }
}

fn wget(net: &netpath::Net, p: &pods::PodRec, args: &[String]) -> i32 {
    let quiet = args.iter().any(|a| a == "-q" || a.starts_with("-q"));
    let url = args
        .iter()
        .rev()
        .find(|a| !a.starts_with('-') && a.parse::<u32>().is_err())
        .cloned()
        .unwrap_or_default();
    let (host, port) = split_url(&url);
    let ip = match target_ip(net, p, &host) {
        Ok(ip) => ip,
        Err(c) => return c,
    };
    let shown = if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    };
    if !quiet {
        eprintln!("Connecting to {host} ({shown})");
    }
    match net.connect(p, &ip, port) {
        Ok(()) => {
            let to_stdout = args.iter().any(|a| a == "-O-" || a.ends_with("O-"))
                || args.windows(2).any(|w| w[0] == "-O" && w[1] == "-");
            if to_stdout {
                println!(
                    "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n</body>\n</html>"
                );
            } else if !quiet {
                eprintln!(
                    "saving to 'index.html'\nindex.html           100% |********************************|   615  0:00:00 ETA\n'index.html' saved"
                );
            }
            0
        }
        Err(netpath::Fail::Refused) => {
            eprintln!("wget: can't connect to remote host ({ip}): Connection refused");
            1
        }
        Err(netpath::Fail::NoRoute) => {
            eprintln!("wget: can't connect to remote host ({ip}): Network unreachable");
            1
        }
        Err(netpath::Fail::Timeout) => {
            eprintln!("wget: download timed out");
            1
        }
    }
}

fn nslookup(net: &netpath::Net, p: &pods::PodRec, args: &[String]) -> i32 {
    let Some(name) = args.iter().find(|a| !a.starts_with('-')) else {
        return 1;
    };
    let dns = objects::find(net.c, "Service", "kube-system", "kube-dns")
        .and_then(|d| d["spec"]["clusterIP"].as_str().map(str::to_string))
        .unwrap_or_default();
    println!("Server:\t\t{dns}\nAddress:\t{dns}:53\n");
    let fq = if name.contains(".svc.") {
        name.clone()
    } else if name.contains('.') {
        format!("{name}.svc.{}", net.c.dns_domain)
    } else {
        format!("{name}.{}.svc.{}", p.namespace, net.c.dns_domain)
    };
    match net.resolve(p, name) {
        Ok(ips) => {
            for ip in &ips {
                println!("Name:\t{fq}\nAddress: {ip}\n");
            }
            0
        }
        Err(netpath::Fail::Refused) => {
            println!("** server can't find {name}: NXDOMAIN\n");
            1
        }
        Err(_) => {
            println!(";; connection timed out; no servers could be reached\n");
            1
        }
    }
}

fn nc(net: &netpath::Net, p: &pods::PodRec, args: &[String]) -> i32 {
    let words: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let mut it = words.iter().rev();
    let (Some(port), Some(host)) = (it.next(), it.next()) else {
        return 1;
    };
    let port: u16 = port.parse().unwrap_or(0);
    let verbose = args.iter().any(|a| a.contains('v'));
    let ip = if host.parse::<std::net::IpAddr>().is_ok() {
        host.to_string()
    } else {
        match net.resolve(p, host) {
            Ok(ips) if !ips.is_empty() => ips[0].clone(),
            _ => {
                eprintln!("nc: bad address '{host}'");
                return 1;
            }
        }
    };
    match net.connect(p, &ip, port) {
        Ok(()) => {
            if verbose {
                eprintln!("{host} ({ip}:{port}) open");
            }
            0
        }
        Err(netpath::Fail::Refused) => {
            eprintln!("nc: {ip} ({ip}:{port}): Connection refused");
            1
        }
        Err(_) => {
            eprintln!("nc: {ip} ({ip}:{port}): Connection timed out");
            1
        }
    }
}

/// The host-side seam verify uses with DSINSTALL_SIM: would an HTTP request from the first
/// node to `ip:port` (a NodePort) get an answer within `timeout`?
pub fn probe(
    dir: &std::path::Path,
    ip: &str,
    port: u16,
    timeout: std::time::Duration,
) -> Result<(), String> {
    let w = crate::sim::state::read_world(dir)?;
    let latency = w.latency.of("node-port", w.pace);
    if latency > timeout {
        std::thread::sleep(timeout);
        return Err(format!("dial tcp {ip}:{port}: i/o timeout"));
    }
    std::thread::sleep(latency);
    let c = w.cluster.as_ref().ok_or("no cluster")?;
    let net = netpath::Net::new(c, w.version(), &w.faults).with_pod_start(pod_start(&w));
    net.from_host(ip, port).map_err(|f| match f {
        netpath::Fail::Refused => format!("dial tcp {ip}:{port}: connect: connection refused"),
        _ => format!("dial tcp {ip}:{port}: i/o timeout"),
    })
}
