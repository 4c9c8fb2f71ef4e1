//! `join.<node>`: one node of `nodes:` joined over SSH (run::remote).
//!
//! Probe: the Node is Ready with the InternalIPs its kubelet's node-ip gives (both families
//! where the version takes a pair; on 1.19 only the advertise family, the guide's missing
//! IPv6 InternalIP). Act: a remote preflight (kubeadm there at the cluster's minor, swap
//! off, the rendered modules and sysctls applied), the join file copied 0600 with the CA
//! pin filled in from this node's CA, `kubeadm join --config` started detached there
//! (setsid + nohup, output to a file), that file followed over fresh ssh calls until the
//! join ends — a dropped link is waited out, not fatal — then the Node waited for.
//! An expired bootstrap token is renewed (`kubeadm token create`), an expired certificate
//! key's Secret uploaded again (`kubeadm init phase upload-certs`), and the join retried
//! once after `kubeadm reset -f` there. Clean: `kubeadm reset -f` on the node.

use super::calico::get;
use super::common;
use super::join_host;
use super::probe_texts::said;
use crate::answers::Answers;
use crate::io::child::Command;
use crate::message::Said;
use crate::plan::{JoinPlan, Plan};
use crate::render::{self, KUBEADM_CONFIG, MODULES, SYSCTL};
use crate::run::diagnose::coded;
use crate::run::remote::{Remote, Target, quote};
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use crate::run::{kubectl, pubkeypin};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// The directory in the login home the join's files go to.
const DIR: &str = "dsinstall";

/// The causes and fixes of a join, as [`crate::run::diagnose::TEXTS`]; `{0}` is the node
/// wherever a text names it.
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "run.join.ca_unreadable",
        "{0} cannot be read: the cluster's CA is needed to pin the join of {1}",
        "the kubeadm.init step makes it: run dsinstall apply again from the start",
    ),
    (
        "run.join.ca_invalid",
        "{0}: {1}",
        "it is kubeadm's CA: dsinstall reset, then dsinstall apply again",
    ),
    (
        "run.join.file_invalid",
        "{0}: {1}",
        "dsinstall render it again",
    ),
    (
        "run.join.local_write",
        "{0} cannot be written: {1}",
        "free space in the state directory, then run dsinstall apply again",
    ),
    (
        "run.join.no_kubeadm",
        "kubeadm cannot be run on {0} ({2})",
        "install kubeadm, kubelet and the container runtime there at {1} (the same packages as on this node), then run dsinstall apply again",
    ),
    (
        "run.join.no_kubeadm.no_output",
        "kubeadm cannot be run on {0} (no output)",
        "install kubeadm, kubelet and the container runtime there at {1} (the same packages as on this node), then run dsinstall apply again",
    ),
    (
        "run.join.kubeadm_version",
        "kubeadm on {0} is {2}, but the cluster is {1}",
        "install kubeadm and kubelet {1} on {0} (a join needs the control plane's minor version), then run dsinstall apply again",
    ),
    (
        "run.join.kubeadm_version.unknown",
        "kubeadm on {0} is of an unknown version, but the cluster is {1}",
        "install kubeadm and kubelet {1} on {0} (a join needs the control plane's minor version), then run dsinstall apply again",
    ),
    (
        "run.join.link_down_starting",
        "the SSH link to {0} stayed down while starting kubeadm join: {1}",
        "check the network to the node; dsinstall apply follows a join still running, or starts it",
    ),
    (
        "run.join.gone",
        "kubeadm join on {0} stopped without finishing (killed, or the node restarted)",
        "see dsinstall/join.log in the login home there; dsinstall apply retries after kubeadm reset -f",
    ),
    (
        "run.join.link_down_following",
        "the SSH link to {0} stayed down, and the join's end was not seen within {1}s: {2}",
        "see dsinstall/join.log in the login home on the node; dsinstall apply follows a join still running, or retries after kubeadm reset -f",
    ),
    (
        "run.join.timeout",
        "kubeadm join on {0} did not finish within {1}s",
        "see dsinstall/join.log in the login home on the node; dsinstall apply follows a join still running, or retries after kubeadm reset -f",
    ),
    (
        "run.join.token",
        "the bootstrap token expired and kubeadm token create did not make a new one",
        "run kubeadm token create on this node and see what it says; then run dsinstall apply again",
    ),
    (
        "run.join.not_ready",
        "node {0} joined but was not Ready with its addresses within {1}s: {2}",
        "see kubectl describe node {0} and journalctl -u kubelet on it; then run dsinstall apply again",
    ),
    (
        "run.join.api_unreachable",
        "{0} cannot reach the API server to join: {1}",
        "check that {0} reaches the controlPlaneEndpoint on 6443 (firewall, routes), then run dsinstall apply again",
    ),
    (
        "run.join.other_ca",
        "{0}: the API server's CA is not the one this node's /etc/kubernetes/pki/ca.crt holds",
        "the endpoint reaches another cluster: check kubernetes.controlPlaneEndpoint, then run dsinstall apply again",
    ),
    (
        "run.join.after_renewing",
        "kubeadm join on {0} still failed after renewing: {1}",
        "see the step's lines in the log; then run dsinstall apply again",
    ),
];
/// What a call or a copy to the node is for, as a cause names it ("preparing the node:
/// the copy of … failed"), coded like [`crate::io::child::TEXTS`] so the cause reads whole
/// in another language.
pub const WHAT: &[(&str, &str)] = &[
    ("join.what.prepare", "preparing the node"),
    (
        "join.what.prepare.script",
        "preparing the node (swapoff, modprobe, sysctl)",
    ),
    ("join.what.earlier", "looking for an earlier join"),
    ("join.what.clear", "clearing an earlier join's files"),
    ("join.what.start", "starting kubeadm join"),
    ("join.what.follow", "following kubeadm join"),
    ("join.what.send", "sending the join file"),
    ("join.what.remove", "removing the join file"),
    ("join.what.restore", "restoring the node's files"),
];

/// The phrase `code` of [`WHAT`].
fn what(code: &str) -> Said {
    Said::coded(WHAT, code, &[])
}

/// How a call ended when only its failure is known (the remote command's own lines say why).
fn failed() -> Said {
    crate::io::child::phrase("child.failed", &[])
}

/// The first words of the line the follow script prints when the join has ended.
const ENDED: &str = "dsinstall: kubeadm join exited with status";
/// The line it prints when the join process is gone without an exit status.
const GONE: &str = "dsinstall: kubeadm join is no longer running and left no exit status";

/// A shell function: whether the process of join.pid still runs. `kill -0` alone also
/// answers for a zombie, which a container's init may leave unreaped.
const ALIVE: &str = "alive() { p=$(cat join.pid 2>/dev/null); [ -n \"$p\" ] && kill -0 \"$p\" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' /proc/\"$p\"/status 2>/dev/null; }";

/// How long the join itself may run on the node (kubeadm's own waits are 4-5 min).
pub const JOIN: Duration = Duration::from_secs(900);
/// How long to wait for the joined Node to be Ready.
pub const WAIT: Duration = Duration::from_secs(600);

pub struct Join {
    pub plan: Plan,
    pub join: JoinPlan,
    pub target: Target,
    /// How long the join may run on the node, and how long the Node may take to be Ready.
    pub join_timeout: Duration,
    pub wait_timeout: Duration,
    /// Time between two looks at the join's output or the Node.
    pub poll: Duration,
}

impl Join {
    pub fn new(answers: &Answers, plan: &Plan, join: &JoinPlan) -> Join {
        Join {
            plan: plan.clone(),
            join: join.clone(),
            target: Target::of(answers, plan, join),
            join_timeout: JOIN,
            wait_timeout: WAIT,
            poll: Duration::from_secs(1),
        }
    }

    fn file(&self) -> String {
        render::context::join_file_name(&self.join.name)
    }

    fn remote_file(&self) -> String {
        format!("{DIR}/{}", self.file())
    }

    fn remote(&self, cx: &dyn StepCx) -> Result<Remote, Failure> {
        let state = cx
            .rendered()
            .parent()
            .unwrap_or(cx.rendered())
            .to_path_buf();
        Remote::new(self.target.clone(), &state)
    }

    /// Ok(detail) when the Node is Ready with every InternalIP the plan gives it.
    pub fn node_state(&self, cx: &dyn StepCx) -> Result<Said, Said> {
        let n = get(cx, &kubectl::get_node(&self.join.name)).map_err(Said::from)?;
        node_ready(&n, &self.join.name, &self.join.node_ips)
    }

    /// The pinned join file: the rendered one with this cluster's CA hash.
    fn pinned(&self, cx: &dyn StepCx) -> Result<String, Failure> {
        let text = common::rendered(cx, &self.file())?;
        if !text.contains(render::CA_CERT_HASH_PLACEHOLDER) {
            return Ok(text);
        }
        let ca = "/etc/kubernetes/pki/ca.crt";
        let pem = common::host_text(cx, ca)
            .ok_or_else(|| coded("run.join.ca_unreadable", &[&ca, &self.join.name]))?;
        let hash = pubkeypin::of_pem(&pem).map_err(|e| coded("run.join.ca_invalid", &[&ca, &e]))?;
        render::pin_ca_cert_hash(&text, &hash)
            .map_err(|e| coded("run.join.file_invalid", &[&self.file(), &e]))
    }

    /// Copy `text` to the node as `dest` (relative to the home), 0600, through a 0600 file
    /// of ours in the private control directory; `what` the copy is for, for messages.
    fn send(
        &self,
        cx: &mut dyn StepCx,
        r: &Remote,
        text: &str,
        dest: &str,
        what: &Said,
    ) -> Result<(), Failure> {
        let name = dest.rsplit('/').next().unwrap_or(dest);
        let local = r.control_dir().join(format!("{}-{name}", self.join.name));
        crate::io::write::write_file(&local, text.as_bytes(), crate::io::write::PRIVATE)
            .map_err(|e| coded("run.join.local_write", &[&local.display(), &e]))?;
        let sent = r.copy_private(cx, &local, dest, what);
        let _ = std::fs::remove_file(&local);
        sent
    }

    /// kubeadm on the node, at the cluster's minor version.
    fn check_kubeadm(&self, cx: &mut dyn StepCx, r: &Remote) -> Result<(), Failure> {
        cx.phase("preflight");
        let ran = r.run(cx, "kubeadm version -o short", "kubeadm version")?;
        if !ran.ok() {
            if let Some(f) = r.explain(&ran) {
                return Err(f);
            }
            let want = self.plan.kube_version.kubeadm_string();
            return Err(match ran.lines.last() {
                Some(l) => coded("run.join.no_kubeadm", &[&self.join.name, &want, l]),
                None => coded("run.join.no_kubeadm.no_output", &[&self.join.name, &want]),
            });
        }
        let reported = ran
            .lines
            .iter()
            .rev()
            .find_map(|l| crate::plan::KubeVersion::parse_reported(l.trim()).ok());
        let want = &self.plan.kube_version;
        match reported {
            Some(v) if v.major == want.major && v.minor == want.minor => Ok(()),
            Some(v) => Err(coded(
                "run.join.kubeadm_version",
                &[&self.join.name, &want.kubeadm_string(), &v],
            )),
            None => Err(coded(
                "run.join.kubeadm_version.unknown",
                &[&self.join.name, &want.kubeadm_string()],
            )),
        }
    }

    /// Swap off, the rendered modules and sysctls installed for good and applied: what
    /// kubeadm's preflight checks on the joining node, and what keeps pod traffic going
    /// after it restarts (join_host.rs).
    fn prepare_node(&self, cx: &mut dyn StepCx, r: &Remote) -> Result<(), Failure> {
        let sysctl = common::rendered(cx, SYSCTL)?;
        let modules = common::rendered(cx, MODULES)?;
        let (sysctl_copy, modules_copy) = (format!("{DIR}/{SYSCTL}"), format!("{DIR}/{MODULES}"));
        let preparing = what("join.what.prepare");
        self.send(cx, r, &sysctl, &sysctl_copy, &preparing)?;
        self.send(cx, r, &modules, &modules_copy, &preparing)?;
        let script = join_host::prepare_script(
            &sysctl_copy,
            &modules_copy,
            &module_names(&modules),
            cx.consented(),
        );
        let said = r.must(cx, &script, &what("join.what.prepare.script"))?;
        if said.iter().any(|l| l == join_host::FSTAB_LEFT) {
            cx.say(&format!(
                "{}: /etc/fstab turns swap on at boot; left alone without consent (--yes): comment its swap lines out before a reboot",
                self.join.name
            ));
        }
        Ok(())
    }

    /// What an earlier attempt left on the node: a join still running, one that
    /// succeeded (the run was interrupted while waiting for the Node), or nothing.
    fn earlier(&self, cx: &mut dyn StepCx, r: &Remote) -> Result<Earlier, Failure> {
        let lines = r.must(
            cx,
            &format!(
                "cd {DIR} 2>/dev/null || exit 0\n{ALIVE}\nif [ ! -f join.rc ] && alive; then echo 'dsinstall: a join is running'; elif [ \"$(cat join.rc 2>/dev/null)\" = 0 ]; then echo 'dsinstall: a join succeeded'; fi"
            ),
            &what("join.what.earlier"),
        )?;
        Ok(
            if lines.iter().any(|l| l == "dsinstall: a join is running") {
                Earlier::Running
            } else if lines.iter().any(|l| l == "dsinstall: a join succeeded") {
                Earlier::Joined
            } else {
                Earlier::Nothing
            },
        )
    }

    /// Start `kubeadm join --config` detached: in its own session, so neither the end of
    /// this ssh call nor a dropped link stops it, its output in join.log, its exit status in
    /// join.rc. Waits until the detached shell has left the caller's session.
    ///
    /// What an earlier attempt left is removed in a call of its own first, so that a
    /// join.pid seen afterwards is this start's: when the link drops during the start call,
    /// the link is waited for and join.pid tells whether the join runs (follow it) or never
    /// started (start it again) — never two joins.
    fn start(&self, cx: &mut dyn StepCx, r: &Remote) -> Result<(), Failure> {
        r.must(
            cx,
            &format!("cd {DIR} || exit 1\nrm -f join.rc join.rc.new join.pid\n: > join.log"),
            &what("join.what.clear"),
        )?;
        let inner = format!(
            "echo $$ > join.pid; kubeadm join --config {} >> join.log 2>&1; echo $? > join.rc.new && mv join.rc.new join.rc",
            quote(&self.file())
        );
        let script = format!(
            "cd {DIR} || exit 1\n[ -e join.pid ] && {{ echo 'dsinstall: a join was started already'; exit 0; }}\nsetsid nohup sh -c {} < /dev/null > /dev/null 2>&1 &\ni=0\nwhile [ ! -s join.pid ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done\n[ -s join.pid ] || {{ echo 'dsinstall: kubeadm join did not start'; exit 1; }}\necho \"dsinstall: kubeadm join started on {} as process $(cat join.pid)\"",
            quote(&inner),
            self.join.name
        );
        cx.phase("join");
        let until = Instant::now() + self.join_timeout;
        loop {
            let ran = r.run(cx, &script, &what("join.what.start"))?;
            if ran.ok() {
                return Ok(());
            }
            if !Remote::link_failed(&ran) {
                return Err(r.explain(&ran).unwrap_or_else(|| {
                    common::failed(&what("join.what.start"), &failed(), &ran.lines)
                }));
            }
            if let Some(f) = r.refused(&ran) {
                return Err(f);
            }
            let why = ran.lines.last().cloned().unwrap_or_default();
            cx.say(&format!(
                "lost the SSH link to {} while starting kubeadm join ({why}); once it is back, the join is followed if it started, else started",
                self.join.name
            ));
            if Instant::now() >= until {
                return Err(coded(
                    "run.join.link_down_starting",
                    &[&self.join.name, &why],
                ));
            }
            std::thread::sleep(self.poll);
        }
    }

    /// A call that must succeed, retried while the link fails (not when ssh or sudo refuse),
    /// for at most a minute.
    fn must_through_drops(
        &self,
        cx: &mut dyn StepCx,
        r: &Remote,
        script: &str,
        what: &Said,
    ) -> Result<Vec<String>, Failure> {
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let ran = r.run(cx, script, what)?;
            if ran.ok() {
                return Ok(ran.lines);
            }
            let transient = Remote::link_failed(&ran) && r.refused(&ran).is_none();
            if !transient || Instant::now() >= until {
                return Err(r.explain(&ran).unwrap_or_else(|| {
                    common::failed(&r.target.on_node(what), &failed(), &ran.lines)
                }));
            }
            std::thread::sleep(self.poll);
        }
    }

    /// Follow join.log over fresh ssh calls from line `seen + 1` until the join ends; a
    /// failed call (a dropped link) is retried until the deadline. Ok(exit status, lines).
    fn follow(&self, cx: &mut dyn StepCx, r: &Remote) -> Result<(i32, Vec<String>), Failure> {
        let until = Instant::now() + self.join_timeout;
        let mut lines: Vec<String> = Vec::new();
        let mut dropped: Option<String> = None;
        loop {
            let k = lines.len() + 1;
            let script = format!(
                "cd {DIR} || exit 3\nif [ -f join.rc ]; then tail -n +{k} join.log; echo \"{ENDED} $(cat join.rc)\"; exit 0; fi\nn=$(wc -l < join.log)\nif [ \"$n\" -ge {k} ]; then sed -n \"{k},${{n}}p\" join.log; fi\n{ALIVE}\nif ! alive && [ ! -f join.rc ]; then echo '{GONE}'; fi"
            );
            let ran = r.run(cx, &script, &what("join.what.follow"))?;
            if ran.ok() {
                if let Some(why) = dropped.take() {
                    cx.say(&format!(
                        "the SSH link to {} is back ({why}); the join went on meanwhile",
                        self.join.name
                    ));
                }
                let mut ended = None;
                for l in &ran.lines {
                    if let Some(code) = l.strip_prefix(ENDED) {
                        ended = Some(code.trim().parse::<i32>().unwrap_or(1));
                    } else if l == GONE {
                        return Err(coded("run.join.gone", &[&self.join.name]));
                    } else {
                        lines.push(l.clone());
                    }
                }
                if let Some(code) = ended {
                    return Ok((code, lines));
                }
            } else if Remote::link_failed(&ran) {
                let why = ran.lines.last().cloned().unwrap_or_default();
                if dropped.is_none() {
                    cx.say(&format!(
                        "lost the SSH link to {} ({why}); kubeadm join goes on there, reconnecting",
                        self.join.name
                    ));
                }
                dropped = Some(why);
                // Host-key and login refusals do not heal by waiting.
                if let Some(f) = r.refused(&ran) {
                    return Err(f);
                }
            } else {
                return Err(r.explain(&ran).unwrap_or_else(|| {
                    common::failed(&what("join.what.follow"), &failed(), &ran.lines)
                }));
            }
            if Instant::now() >= until {
                let secs = self.join_timeout.as_secs();
                return Err(match &dropped {
                    Some(why) => coded(
                        "run.join.link_down_following",
                        &[&self.join.name, &secs, why],
                    ),
                    None => coded("run.join.timeout", &[&self.join.name, &secs]),
                });
            }
            std::thread::sleep(self.poll);
        }
    }

    /// A new bootstrap token from this node's kubeadm, read quietly: it is a secret the
    /// run's redaction does not know.
    fn new_token(&self, cx: &mut dyn StepCx) -> Result<String, Failure> {
        let cmd = Command::new(cx.tool("kubeadm"))
            .args(["token", "create", "--ttl", "2h", "--kubeconfig"])
            .arg(cx.host_path(kubectl::ADMIN_CONF))
            .timeout(common::QUICK);
        cx.say("kubeadm token create --ttl 2h (the token is not shown)");
        let token = match common::capture(&cmd) {
            Some((true, out)) => out
                .lines()
                .map(str::trim)
                .rfind(|l| render::is_bootstrap_token(l))
                .map(str::to_string),
            _ => None,
        };
        token.ok_or_else(|| coded("run.join.token", &[]))
    }

    /// Upload the control-plane certificates again under the run's certificate key (they
    /// are deleted 2 hours after kubeadm init).
    fn upload_certs(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let cmd = Command::new(cx.tool("kubeadm"))
            .args([
                "init",
                "phase",
                "upload-certs",
                "--upload-certs",
                "--config",
            ])
            .arg(cx.rendered().join(KUBEADM_CONFIG))
            .arg("--kubeconfig")
            .arg(cx.host_path(kubectl::ADMIN_CONF))
            .timeout(Duration::from_secs(120));
        common::run_lines(cx, cmd, "kubeadm init phase upload-certs").map(|_| ())
    }

    /// `kubeadm reset -f` on the node and the join's files removed there.
    fn reset(&self, cx: &mut dyn StepCx, r: &Remote) -> Result<(), Failure> {
        r.must(
            cx,
            &format!(
                "kubeadm reset -f || exit 1\nrm -f {} {DIR}/join.rc {DIR}/join.pid",
                quote(&self.remote_file())
            ),
            "kubeadm reset -f",
        )
        .map(|_| ())
    }

    /// One join attempt with `yaml`: copy, start, follow. Ok(None) when it succeeded,
    /// Ok(Some(lines)) when kubeadm failed.
    fn attempt(
        &self,
        cx: &mut dyn StepCx,
        r: &Remote,
        yaml: &str,
    ) -> Result<Option<Vec<String>>, Failure> {
        self.send(cx, r, yaml, &self.remote_file(), &what("join.what.send"))?;
        self.start(cx, r)?;
        let (code, lines) = self.follow(cx, r)?;
        Ok((code != 0).then_some(lines))
    }

    fn wait_ready(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        cx.phase("wait");
        let until = Instant::now() + self.wait_timeout;
        let mut last = String::new();
        loop {
            match self.node_state(cx).map_err(|e| e.text) {
                Ok(detail) => {
                    cx.say(&detail.text);
                    if let Some(note) = self.missing_family_note() {
                        cx.say(&note);
                    }
                    return Ok(());
                }
                Err(e) if e != last => {
                    cx.say(&format!("node {}: {e}", self.join.name));
                    last = e;
                }
                Err(_) => {}
            }
            if Instant::now() >= until {
                return Err(coded(
                    "run.join.not_ready",
                    &[&self.join.name, &self.wait_timeout.as_secs(), &last],
                ));
            }
            std::thread::sleep(self.poll);
        }
    }

    /// On a version whose kubelet takes one node-ip (1.19), the other family's InternalIP
    /// is missing by design: say so once the node is up.
    fn missing_family_note(&self) -> Option<String> {
        let have_both = self.join.ipv4.is_some() && self.join.ipv6.is_some();
        (have_both && self.join.node_ips.len() == 1).then(|| {
            format!(
                "node {} has one InternalIP ({}): Kubernetes {} takes a single --node-ip, so the other family's address is not on the Node (from 1.20 both are)",
                self.join.name,
                self.join.node_ips[0],
                self.plan.kube_version.kubeadm_string()
            )
        })
    }
}

/// Module names from a modules-load.d file (`#`/`;` comments).
fn module_names(conf: &str) -> Vec<String> {
    conf.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .map(str::to_string)
        .collect()
}

/// The join file with another bootstrap token: every `token:` line (the discovery token),
/// whatever its indentation.
pub fn with_token(yaml: &str, token: &str) -> String {
    let mut out = String::with_capacity(yaml.len());
    for line in yaml.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("token:") {
            let indent = &line[..line.len() - trimmed.len()];
            let nl = if rest.ends_with('\n') { "\n" } else { "" };
            out.push_str(&format!("{indent}token: {token}{nl}"));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// A Node object Ready with every address of `want` as an InternalIP: Ok(detail) or
/// Err(what is missing).
pub fn node_ready(n: &serde_json::Value, name: &str, want: &[IpAddr]) -> Result<Said, Said> {
    super::wait_node::condition(n)?;
    let internal: Vec<IpAddr> = n["status"]["addresses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["type"] == "InternalIP")
        .filter_map(|a| a["address"].as_str()?.parse().ok())
        .collect();
    let missing: Vec<String> = want
        .iter()
        .filter(|ip| !internal.contains(ip))
        .map(IpAddr::to_string)
        .collect();
    let shown = internal
        .iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if !missing.is_empty() {
        return Err(said("probe.node.without", &[&shown, &missing.join(", ")]));
    }
    Ok(said("probe.node.joined", &[&name, &shown]))
}

#[derive(PartialEq, Eq)]
enum Earlier {
    Running,
    Joined,
    Nothing,
}

/// What a failed join's lines say to do before one more try, if anything.
enum Renew {
    Token,
    CertificateKey,
}

fn renewable(lines: &[String]) -> Option<Renew> {
    let text = lines.join("\n");
    if text.contains("could not find a JWS signature in the cluster-info ConfigMap") {
        Some(Renew::Token)
    } else if text.contains("Secret \"kubeadm-certs\" was not found") {
        Some(Renew::CertificateKey)
    } else {
        None
    }
}

impl Step for Join {
    fn id(&self) -> String {
        format!("join.{}", self.join.name)
    }
    fn deadline(&self) -> Duration {
        // Two join attempts, the wait, and the calls between them.
        2 * self.join_timeout + self.wait_timeout + Duration::from_secs(300)
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        if !common::cluster_exists(cx) {
            return Ok(Probe::Needed(common::no_cluster()));
        }
        Ok(match self.node_state(cx) {
            Ok(detail) => Probe::Done(detail),
            Err(e) => Probe::Needed(said("probe.join.node", &[&self.join.name, &e])),
        })
    }
    fn changes(&self, cx: &mut dyn StepCx) -> Vec<Change> {
        let t = &self.target;
        let ssh = |words: &[&str]| {
            let mut v = vec![
                cx.tool("ssh").display().to_string(),
                format!("{}@{}", t.user, t.host),
            ];
            if t.user != "root" {
                v.extend(["sudo".to_string(), "-n".to_string()]);
            }
            v.extend(words.iter().map(|w| w.to_string()));
            Change::Command(v)
        };
        let file = self.remote_file();
        let modules = common::rendered(cx, MODULES)
            .map(|m| module_names(&m))
            .unwrap_or_default();
        let modules: Vec<&str> = modules.iter().map(String::as_str).collect();
        vec![
            Change::Note(said("change.join.connect", &[&t.described()])),
            ssh(&["swapoff", "-a"]),
            Change::Note(said(
                if cx.consented() {
                    "change.join.host_files.fstab"
                } else {
                    "change.join.host_files"
                },
                &[
                    &join_host::SYSCTL_TARGET,
                    &join_host::MODULES_TARGET,
                    &self.join.name,
                    &join_host::BACKUPS,
                ],
            )),
            ssh(&[&["modprobe", "-a"][..], &modules[..]].concat()),
            ssh(&["sysctl", "-p", join_host::SYSCTL_TARGET]),
            Change::Note(said(
                "change.join.copy",
                &[&self.file(), &self.join.name, &file],
            )),
            ssh(&["kubeadm", "join", "--config", &file]),
            Change::Note(said(
                "change.join.wait",
                &[
                    &self.join.name,
                    &self
                        .join
                        .node_ips
                        .iter()
                        .map(IpAddr::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
            )),
        ]
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let r = self.remote(cx)?;
        cx.say(&format!("joining {} over SSH", self.target.describe()));
        self.check_kubeadm(cx, &r)?;
        let earlier = self.earlier(cx, &r)?;
        let outcome = if earlier == Earlier::Joined {
            cx.say(&format!(
                "{} joined in an earlier attempt: waiting for its Node",
                self.join.name
            ));
            None
        } else if earlier == Earlier::Running {
            cx.say(&format!(
                "a kubeadm join started earlier still runs on {}: following it",
                self.join.name
            ));
            let (code, lines) = self.follow(cx, &r)?;
            (code != 0).then_some(lines)
        } else {
            self.prepare_node(cx, &r)?;
            let yaml = self.pinned(cx)?;
            match self.attempt(cx, &r, &yaml)? {
                None => None,
                Some(lines) => match renewable(&lines) {
                    None => Some(lines),
                    Some(renew) => {
                        let yaml = match renew {
                            Renew::Token => {
                                cx.say("the bootstrap token has expired (24 h after kubeadm init): making a new one");
                                with_token(&yaml, &self.new_token(cx)?)
                            }
                            Renew::CertificateKey => {
                                cx.say("the control-plane certificates were deleted (2 h after kubeadm init): uploading them again");
                                self.upload_certs(cx)?;
                                yaml
                            }
                        };
                        self.reset(cx, &r)?;
                        self.attempt(cx, &r, &yaml)?
                    }
                },
            }
        };
        // The join file holds the bootstrap token: removed even when the link, just back
        // after a drop, fails a call or two.
        let removed = self.must_through_drops(
            cx,
            &r,
            &format!("rm -f {}", quote(&self.remote_file())),
            &what("join.what.remove"),
        );
        if let Some(lines) = outcome {
            r.close(cx);
            return Err(join_failure(&self.join.name, &lines));
        }
        removed?;
        r.close(cx);
        self.wait_ready(cx)
    }
    fn clean(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let r = self.remote(cx)?;
        let done = self.reset(cx, &r);
        r.close(cx);
        done
    }
    /// The node leaves the cluster (its Node object deleted while the API still answers),
    /// then it is reset on the node itself.
    fn undo(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let del = crate::run::kubectl::command(
            cx,
            &crate::run::kubectl::delete_node(&self.join.name),
            super::common::QUICK,
        );
        if let Err(f) = super::common::run_lines(cx, del, "kubectl delete node") {
            cx.say(&format!(
                "the Node object stays ({}); kubectl delete node {} once the API answers",
                f.cause, self.join.name
            ));
        }
        self.clean(cx)?;
        let r = self.remote(cx)?;
        let restored = r.must(cx, &join_host::restore_script(), &what("join.what.restore"));
        r.close(cx);
        restored.map(|_| ())
    }
}

/// A failed join, from kubeadm's lines: the classification kubeadm init's failures get,
/// with the join's own causes first.
fn join_failure(node: &str, lines: &[String]) -> Failure {
    let text = lines.join("\n");
    let mut f = if text.contains("couldn't validate the identity of the API Server")
        && !text.contains("JWS")
        && !text.contains("pinned")
    {
        let said = lines
            .iter()
            .rev()
            .find(|l| l.contains("couldn't validate"))
            .map(|l| l.trim())
            .unwrap_or("");
        coded("run.join.api_unreachable", &[&node, &said])
    } else if text.contains("none of the public keys") {
        coded("run.join.other_ca", &[&node])
    } else if renewable(lines).is_some() {
        coded("run.join.after_renewing", &[&node, &last_error(lines)])
    } else {
        crate::run::diagnose::kubeadm(lines, "join")
    };
    if !f.cause.contains(node) {
        f.cause = format!("{node}: {}", f.cause);
        if let Some(d) = f.diagnosis.as_mut() {
            d.node = Some(node.to_string());
        }
    }
    f
}

fn last_error(lines: &[String]) -> String {
    lines
        .iter()
        .rev()
        .find(|l| l.contains("error execution phase"))
        .or_else(|| lines.iter().rev().find(|l| !l.trim().is_empty()))
        .map(|l| l.trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_replaces_the_discovery_token_only() {
        let y = "discovery:\n  bootstrapToken:\n    apiServerEndpoint: a:6443\n    token: abcdef.0123456789abcdef\n    caCertHashes:\n    - sha256:x\n";
        let out = with_token(y, "zzzzzz.0123456789zzzzzz");
        assert!(
            out.contains("    token: zzzzzz.0123456789zzzzzz\n"),
            "{out}"
        );
        assert!(!out.contains("abcdef"));
        assert_eq!(out.lines().count(), y.lines().count());
    }

    #[test]
    fn ready_needs_every_planned_internal_ip() {
        let node = serde_json::json!({
            "status": {
                "conditions": [{"type": "Ready", "status": "True"}],
                "addresses": [
                    {"type": "InternalIP", "address": "111.111.111.122"},
                    {"type": "Hostname", "address": "node02"}
                ]
            }
        });
        let v4: IpAddr = "111.111.111.122".parse().unwrap();
        let v6: IpAddr = "2018::22".parse().unwrap();
        assert!(node_ready(&node, "node02", &[v4]).is_ok());
        let e = node_ready(&node, "node02", &[v4, v6]).unwrap_err();
        assert!(e.text.contains("without 2018::22"), "{e:?}");
        let not = serde_json::json!({"status": {"conditions": [
            {"type": "Ready", "status": "False", "reason": "KubeletNotReady", "message": "cni plugin not initialized"}
        ]}});
        assert!(
            node_ready(&not, "node02", &[v4])
                .unwrap_err()
                .text
                .contains("cni plugin")
        );
    }

    #[test]
    fn expired_secrets_are_recognised_in_kubeadms_words() {
        let l = |s: &str| vec![s.to_string()];
        assert!(matches!(
            renewable(&l(
                "error execution phase preflight: couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID \"abcdef\""
            )),
            Some(Renew::Token)
        ));
        assert!(matches!(
            renewable(&l(
                "error execution phase control-plane-prepare/download-certs: error downloading certs: error downloading the secret: Secret \"kubeadm-certs\" was not found in the \"kube-system\" Namespace. This Secret might have expired."
            )),
            Some(Renew::CertificateKey)
        ));
        assert!(renewable(&l("error execution phase kubelet-start: timed out")).is_none());
    }
}
