//! A node of `nodes:` reached over the system's OpenSSH (`cx.tool("ssh")`, `("scp")`), as
//! k0sctl's rig does in its OpenSSH mode: one ControlMaster socket per node in a private
//! directory, reused by every later call; keepalives so a dead link is noticed within
//! 15 s; BatchMode, so nothing ever waits for a password or a host-key question.
//!
//! Host keys are checked, never trusted on first use: `StrictHostKeyChecking=yes`
//! (CentOS 7's OpenSSH 7.4 has no `accept-new`, which came in 7.6), against
//! `ssh.knownHosts` when the answers give one. A user other than root runs every command
//! through `sudo -n`, which fails at once instead of asking for a password.
//!
//! Files are copied by scp to paths relative to the login home, and every remote command
//! starts with `cd` there, so the same relative path names the same file whether the
//! command then runs as the user or under sudo.

use super::diagnose::coded;
use super::step::{Failure, StepCx};
use super::steps::common;
use crate::answers::Answers;
use crate::io::child::Command;
use crate::message::{Said, Value};
use crate::plan::{JoinPlan, Plan};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The causes and fixes of a node reached over SSH, as [`super::diagnose::TEXTS`]: `{0}`
/// the node, `{1}` the login user, `{2}` the host, `{3}` the port, then each code's own.
/// A copy's `{4}` is what it was for, `{5}` the file's name, `{6}` scp's or the shell's
/// words, `{7}` the directory under the home, `{8}` the path that failed.
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "run.ssh.unreachable",
        "{0} ({1}@{2} port {3}) cannot be reached over SSH: {4}",
        "check that {0} is up and sshd listens on port {3} (ssh -p {3} {1}@{2} true), then run dsinstall apply again",
    ),
    (
        "run.ssh.unreachable.no_output",
        "{0} ({1}@{2} port {3}) cannot be reached over SSH: no output",
        "check that {0} is up and sshd listens on port {3} (ssh -p {3} {1}@{2} true), then run dsinstall apply again",
    ),
    (
        "run.ssh.failed",
        "ssh to {0} ({1}@{2} port {3}) failed: {4}",
        "try it by hand (ssh -p {3} {1}@{2} true) and fix what it says, then run dsinstall apply again",
    ),
    (
        "run.ssh.failed.no_output",
        "ssh to {0} ({1}@{2} port {3}) failed: no output",
        "try it by hand (ssh -p {3} {1}@{2} true) and fix what it says, then run dsinstall apply again",
    ),
    (
        "run.ssh.sudo_password",
        "{0} ({1}@{2} port {3}): user {1} needs a password for sudo, and apply cannot type one",
        "allow {1} passwordless sudo on {0} (a sudoers line `{1} ALL=(ALL) NOPASSWD: ALL`), or log in as root (nodes[].ssh.user: root); then run dsinstall apply again",
    ),
    (
        "run.ssh.host_key_changed",
        "{0} ({1}@{2} port {3}): the host key it offers is not the one {4} holds for it",
        "find out why (a reinstalled node, or someone in between): compare `ssh-keyscan -p {3} {2} | ssh-keygen -lf -` with `ssh-keygen -lf /etc/ssh/ssh_host_ecdsa_key.pub` on the node's console; only when they match, replace the old entry (ssh-keygen -R {2} -f {4}), add the new one (ssh-keyscan -p {3} {2} >> {4}) and run dsinstall apply again",
    ),
    (
        "run.ssh.host_key_unknown",
        "{0} ({1}@{2} port {3}): its SSH host key is not in {4}, and apply never trusts an unknown key",
        "check the key: run `ssh-keyscan -p {3} {2} | ssh-keygen -lf -` here and `ssh-keygen -lf /etc/ssh/ssh_host_ecdsa_key.pub` on the node's console; when the fingerprints match, add it with `ssh-keyscan -p {3} {2} >> {4}` and run dsinstall apply again",
    ),
    (
        "run.ssh.login_refused",
        "{0} ({1}@{2} port {3}): the login was refused ({4})",
        "put this host's public key in {1}'s ~/.ssh/authorized_keys on {0} (ssh-copy-id -p {3} {1}@{2}), or name the key in ssh.identityFile; then run dsinstall apply again",
    ),
    (
        "run.ssh.login_refused.no_output",
        "{0} ({1}@{2} port {3}): the login was refused (no output)",
        "put this host's public key in {1}'s ~/.ssh/authorized_keys on {0} (ssh-copy-id -p {3} {1}@{2}), or name the key in ssh.identityFile; then run dsinstall apply again",
    ),
    (
        "run.ssh.copy",
        "{4}: the copy of {5} to {0} ({1}@{2} port {3}) failed on the node: {8}: {6}",
        "on {0}, make ~/{7} writable for {1} with room to spare (what scp said tells which is missing: a read-only mount, a full disk, a file in the way), then run dsinstall apply again",
    ),
    (
        "run.ssh.copy.mkdir",
        "{4}: the copy of {5} to {0} ({1}@{2} port {3}) failed on the node: ~/{8} cannot be made a private directory: {6}",
        "on {0}, make ~/{7} writable for {1} with room to spare (what scp said tells which is missing: a read-only mount, a full disk, a file in the way), then run dsinstall apply again",
    ),
    (
        "run.ssh.copy.scp",
        "{4}: the copy of {5} to {0} ({1}@{2} port {3}) failed on the node: scp could not write ~/{8}: {6}",
        "on {0}, make ~/{7} writable for {1} with room to spare (what scp said tells which is missing: a read-only mount, a full disk, a file in the way), then run dsinstall apply again",
    ),
    (
        "run.ssh.copy.chmod",
        "{4}: the copy of {5} to {0} ({1}@{2} port {3}) failed on the node: ~/{8} cannot be made 0600: {6}",
        "on {0}, make ~/{7} writable for {1} with room to spare (what scp said tells which is missing: a read-only mount, a full disk, a file in the way), then run dsinstall apply again",
    ),
    (
        "run.ssh.control_dir",
        "the SSH control directory {0} cannot be used: {1}",
        "remove it (it holds only sockets) or fix its owner and mode (0700), then run dsinstall apply again",
    ),
    (
        "run.ssh.control_dir.not_dir",
        "the SSH control directory {0} cannot be used: it is not a directory",
        "remove it (it holds only sockets) or fix its owner and mode (0700), then run dsinstall apply again",
    ),
    (
        "run.ssh.control_dir.owner",
        "the SSH control directory {0} cannot be used: it belongs to uid {1}, not to us",
        "remove it (it holds only sockets) or fix its owner and mode (0700), then run dsinstall apply again",
    ),
];

/// The words a cause about a node's command is made of, as [`crate::io::child::TEXTS`]:
/// translated in the cause by their code.
pub const PHRASES: &[(&str, &str)] = &[
    // `{0}` a command or what it was for, `{1}` the node.
    ("ssh.on_node", "{0} on {1}"),
    // A node as dsinstall reaches it: `{0}` its name, `{1}` the user, `{2}` the host.
    ("ssh.target", "{0} ({1}@{2} port {3})"),
];

/// How long one ssh or scp call may take (the keepalives notice a dead link in 15 s).
pub const CALL: Duration = Duration::from_secs(60);

/// How long the ControlMaster stays after its last client (OpenSSH's ControlPersist).
const PERSIST_SECS: u32 = 120;

/// The longest socket path a sockaddr_un holds (108 on Linux) less a margin for the
/// temporary name OpenSSH binds first (`path.XXXXXXXXXXXXXXXX`).
const MAX_SOCKET_PATH: usize = 80;

/// Where and as whom a node is reached, defaults filled in (answers.md `nodes[].ssh`,
/// `ssh:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The node's name, for messages.
    pub node: String,
    pub host: String,
    pub user: String,
    pub port: u16,
    pub identity_file: Option<PathBuf>,
    pub known_hosts: Option<PathBuf>,
}

impl Target {
    /// The target of one join: `nodes[].ssh` over the node's address of the family the
    /// first node advertises the API in (`plan.node.advertise_address`), root, 22.
    pub fn of(answers: &Answers, plan: &Plan, join: &JoinPlan) -> Target {
        let ssh = answers
            .nodes
            .iter()
            .find(|n| n.name == join.name)
            .and_then(|n| n.ssh.clone())
            .unwrap_or_default();
        let settings = answers.ssh.clone().unwrap_or_default();
        let default_host = match plan.node.advertise_address {
            IpAddr::V6(_) => join.ipv6.map(|a| a.to_string()),
            IpAddr::V4(_) => join.ipv4.map(|a| a.to_string()),
        }
        .unwrap_or_else(|| join.advertise_address.to_string());
        Target {
            node: join.name.clone(),
            host: ssh.host.unwrap_or(default_host),
            user: ssh
                .user
                .filter(|u| !u.trim().is_empty())
                .unwrap_or_else(|| "root".into()),
            port: ssh
                .port
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p > 0)
                .unwrap_or(22),
            identity_file: settings.identity_file.as_deref().map(expand_home),
            known_hosts: settings.known_hosts.as_deref().map(expand_home),
        }
    }

    /// `node02 (root@111.111.111.122 port 22)`, for messages.
    pub fn describe(&self) -> String {
        self.described().text
    }

    /// [`Target::describe`] with its code, for a front end in another language.
    pub fn described(&self) -> Said {
        Said::coded(
            PHRASES,
            "ssh.target",
            &[&self.node, &self.user, &self.host, &self.port],
        )
    }

    fn root(&self) -> bool {
        self.user == "root"
    }

    /// The host as scp wants it before `:path`: IPv6 in brackets.
    fn scp_host(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }

    /// The known_hosts file the fix should name.
    /// The failure `code` of [`TEXTS`] about this node: `{0}`–`{3}` its name, user, host
    /// and port, then `args`.
    fn failure(&self, code: &str, args: &[&dyn Value]) -> Failure {
        let mut all: Vec<&dyn Value> = vec![&self.node, &self.user, &self.host, &self.port];
        all.extend_from_slice(args);
        coded(code, &all)
    }

    /// `what` (a command, or what it was for) on this node, for a cause: "kubeadm reset -f
    /// on node02".
    pub fn on_node(&self, what: &(impl Value + ?Sized)) -> Said {
        Said::coded(PHRASES, "ssh.on_node", &[&what.said(), &self.node])
    }

    fn known_hosts_shown(&self) -> String {
        self.known_hosts
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "~/.ssh/known_hosts".into())
    }
}

/// `~/x` with $HOME: the path shown in messages is then the one ssh reads.
fn expand_home(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(p),
    }
}

/// Quote for a POSIX shell: single quotes, embedded ones closed, escaped and reopened.
pub fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-=+,:@".contains(&b))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A connection to one node.
pub struct Remote {
    pub target: Target,
    control_dir: PathBuf,
}

/// How a remote call ended: the remote command's exit code (255 is ssh's own failure)
/// and the lines.
pub struct Ran {
    pub code: Option<i32>,
    pub lines: Vec<String>,
}

impl Ran {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

impl Remote {
    /// A connection whose ControlMaster socket lives in `state` (the run's private state
    /// directory, or any 0700 directory of ours), or in a private directory under the
    /// temporary directory when that path is too long for a socket.
    pub fn new(target: Target, state: &Path) -> Result<Remote, Failure> {
        let mut dir = state.join("ssh");
        // %C is 40 hex digits (a hash of local host, host, port and user).
        if dir.as_os_str().len() + 1 + 40 > MAX_SOCKET_PATH {
            // SAFETY: getuid cannot fail and touches no memory.
            let uid = unsafe { libc::getuid() };
            dir = std::env::temp_dir().join(format!("dsinstall-ssh-{uid}"));
        }
        private_dir(&dir)?;
        Ok(Remote {
            target,
            control_dir: dir,
        })
    }

    /// The private directory of the control socket, also fit for a local secret file.
    pub fn control_dir(&self) -> &Path {
        &self.control_dir
    }

    /// The options of every ssh and scp call.
    fn options(&self) -> Vec<String> {
        let mut o: Vec<String> = [
            "BatchMode=yes",
            "ServerAliveInterval=5",
            "ServerAliveCountMax=3",
            "ConnectTimeout=10",
            "StrictHostKeyChecking=yes",
            "ControlMaster=auto",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        o.push(format!(
            "ControlPath={}",
            self.control_dir.join("%C").display()
        ));
        o.push(format!("ControlPersist={PERSIST_SECS}"));
        if let Some(k) = &self.target.known_hosts {
            o.push(format!("UserKnownHostsFile={}", k.display()));
        }
        if self.target.identity_file.is_some() {
            // Only the key the answers name, not every key an agent holds (a server
            // counts each offered key against MaxAuthTries).
            o.push("IdentitiesOnly=yes".into());
        }
        o.push(format!("User={}", self.target.user));
        o.into_iter().flat_map(|v| ["-o".to_string(), v]).collect()
    }

    fn identity(&self) -> Vec<String> {
        match &self.target.identity_file {
            Some(p) => vec!["-i".into(), p.display().to_string()],
            None => Vec::new(),
        }
    }

    /// The ssh argument list that runs `script` on the node: in the login home, as root
    /// (`sudo -n` for another user).
    pub fn ssh_args(&self, script: &str) -> Vec<String> {
        self.ssh_args_as(script, true)
    }

    /// Likewise; `privileged` false runs it as the login user even when that is not root
    /// (the files scp writes as that user must stay that user's).
    fn ssh_args_as(&self, script: &str, privileged: bool) -> Vec<String> {
        let mut a = vec!["-T".to_string()];
        a.extend(self.options());
        a.extend(self.identity());
        a.extend(["-p".into(), self.target.port.to_string()]);
        a.extend(["--".into(), self.target.host.clone()]);
        let body = if self.target.root() || !privileged {
            format!("cd && {{ {script}\n}}")
        } else {
            format!("cd && sudo -n sh -c {}", quote(script))
        };
        a.push(body);
        a
    }

    /// Run `script` as the login user.
    fn run_as_user(
        &self,
        cx: &mut dyn StepCx,
        script: &str,
        what: &(impl Value + ?Sized),
    ) -> Result<Ran, Failure> {
        let cmd = Command::new(cx.tool("ssh"))
            .args(self.ssh_args_as(script, false))
            .timeout(CALL);
        let (fin, lines) = common::run_any(cx, cmd, what)?;
        Ok(Ran {
            code: exit_code(&fin),
            lines,
        })
    }

    /// The ssh command that runs `script` within `timeout`.
    pub fn command(&self, cx: &dyn StepCx, script: &str, timeout: Duration) -> Command {
        Command::new(cx.tool("ssh"))
            .args(self.ssh_args(script))
            .timeout(timeout)
    }

    /// Run `script`, its lines to the step's record; Err only when ssh cannot be started.
    /// `what` names it in a failure: a command, or what it is for (`join::WHAT`).
    pub fn run(
        &self,
        cx: &mut dyn StepCx,
        script: &str,
        what: &(impl Value + ?Sized),
    ) -> Result<Ran, Failure> {
        self.run_for(cx, script, what, CALL)
    }

    pub fn run_for(
        &self,
        cx: &mut dyn StepCx,
        script: &str,
        what: &(impl Value + ?Sized),
        timeout: Duration,
    ) -> Result<Ran, Failure> {
        let cmd = self.command(cx, script, timeout);
        let (fin, lines) = common::run_any(cx, cmd, what)?;
        Ok(Ran {
            code: exit_code(&fin),
            lines,
        })
    }

    /// Run `script` and require it to succeed: an ssh failure or a refused sudo is
    /// explained, any other failure shows the command's last line.
    pub fn must(
        &self,
        cx: &mut dyn StepCx,
        script: &str,
        what: &(impl Value + ?Sized),
    ) -> Result<Vec<String>, Failure> {
        let r = self.run(cx, script, what)?;
        if r.ok() {
            return Ok(r.lines);
        }
        Err(self.explain(&r).unwrap_or_else(|| {
            common::failed(
                &self.target.on_node(what),
                &crate::io::child::ended_with(r.code),
                &r.lines,
            )
        }))
    }

    /// Copy the local `file` to `dest` (relative to the login home) on the node, 0600, in
    /// a 0700 directory: the file may hold a bootstrap token. `what` is the part of the step
    /// the copy is for ("preparing the node"), for messages.
    ///
    /// A failure on the node's side (a read-only or full file system, a file in the way)
    /// says it was this copy, to where, and why in scp's or the shell's own words; ssh's own
    /// failures (the link, the host key, the login) are explained as for any call.
    pub fn copy_private(
        &self,
        cx: &mut dyn StepCx,
        file: &Path,
        dest: &str,
        what: &(impl Value + ?Sized),
    ) -> Result<(), Failure> {
        let copy = Copy {
            remote: self,
            what: what.said(),
            dest,
        };
        let dir = Path::new(dest)
            .parent()
            .map(|d| d.display().to_string())
            .filter(|d| !d.is_empty());
        if let Some(d) = &dir {
            let made = self.run_as_user(
                cx,
                &format!("umask 077 && mkdir -p {d} && chmod 700 {d}", d = quote(d)),
                "mkdir",
            )?;
            copy.check_as(made, "run.ssh.copy.mkdir", d)?;
        }
        let (fin, lines) = self.scp(cx, file, dest, false)?;
        // OpenSSH 9's scp speaks SFTP; a node whose sshd has no sftp subsystem refuses
        // that ("Connection closed"), and `-O` asks for the old scp protocol, which the
        // 7.4 client on CentOS 7 speaks anyway.
        let (fin, lines) = if !fin.success() && sftp_refused(&lines) {
            self.scp(cx, file, dest, true)?
        } else {
            (fin, lines)
        };
        if !fin.success() {
            // scp exits 1 whatever failed; the node's own errors are scp's lines (scp_error),
            // the rest are ssh's, which explain() words as for any other call.
            let ssh_failed = scp_error(&lines).is_none();
            let r = Ran {
                code: if ssh_failed {
                    Some(255)
                } else {
                    exit_code(&fin)
                },
                lines,
            };
            return copy.check_as(r, "run.ssh.copy.scp", dest);
        }
        let chmod = self.run_as_user(cx, &format!("chmod 600 {}", quote(dest)), "chmod")?;
        copy.check_as(chmod, "run.ssh.copy.chmod", dest)
    }

    /// One scp of `file` to `dest`; `legacy` asks for the scp protocol instead of SFTP.
    fn scp(
        &self,
        cx: &mut dyn StepCx,
        file: &Path,
        dest: &str,
        legacy: bool,
    ) -> Result<(crate::io::child::Finished, Vec<String>), Failure> {
        let mut a = self.options();
        a.extend(self.identity());
        if legacy {
            a.push("-O".into());
        }
        a.extend(["-q".into(), "-P".into(), self.target.port.to_string()]);
        a.push("--".into());
        a.push(file.display().to_string());
        a.push(format!("{}:{dest}", self.target.scp_host()));
        let cmd = Command::new(cx.tool("scp")).args(a).timeout(CALL);
        common::run_any(cx, cmd, "scp")
    }

    /// Close the ControlMaster (best effort: it also ends by itself after ControlPersist).
    pub fn close(&self, cx: &dyn StepCx) {
        let mut a = self.options();
        a.extend([
            "-O".into(),
            "exit".into(),
            "-p".into(),
            self.target.port.to_string(),
        ]);
        a.extend(["--".into(), self.target.host.clone()]);
        let _ = common::capture(
            &Command::new(cx.tool("ssh"))
                .args(a)
                .timeout(Duration::from_secs(10)),
        );
    }

    /// Whether a failed call failed in ssh itself (exit 255: the link, the key, the login),
    /// not in the remote command.
    pub fn link_failed(r: &Ran) -> bool {
        r.code == Some(255) || r.code.is_none()
    }

    /// The failure of a call that ssh or sudo refused, explained; None when the remote
    /// command itself failed.
    pub fn explain(&self, r: &Ran) -> Option<Failure> {
        if let Some(f) = self.refused(r) {
            return Some(f);
        }
        if !Self::link_failed(r) {
            return None;
        }
        let t = &self.target;
        let text = r.lines.join("\n");
        let has = |s: &str| text.contains(s);
        let unreachable = [
            "Connection timed out",
            "Connection refused",
            "No route to host",
            "Could not resolve hostname",
            "Network is unreachable",
            "Timeout, server",
            "Connection reset",
            "Connection closed by",
            "Broken pipe",
            "closed by remote host",
        ];
        if unreachable.iter().any(|s| has(s)) || r.code.is_none() {
            return Some(match said(&r.lines) {
                Some(l) => t.failure("run.ssh.unreachable", &[&l]),
                None => t.failure("run.ssh.unreachable.no_output", &[]),
            });
        }
        Some(match said(&r.lines) {
            Some(l) => t.failure("run.ssh.failed", &[&l]),
            None => t.failure("run.ssh.failed.no_output", &[]),
        })
    }

    /// A refusal that waiting does not heal: sudo wanting a password, a host key not known
    /// or changed, the login refused. None for anything else (a dropped link among it).
    pub fn refused(&self, r: &Ran) -> Option<Failure> {
        let t = &self.target;
        let text = r.lines.join("\n");
        let has = |s: &str| text.contains(s);
        if has("sudo: a password is required") || has("sudo: no tty present") {
            return Some(t.failure("run.ssh.sudo_password", &[]));
        }
        if !Self::link_failed(r) {
            return None;
        }
        if has("REMOTE HOST IDENTIFICATION HAS CHANGED") {
            return Some(t.failure("run.ssh.host_key_changed", &[&t.known_hosts_shown()]));
        }
        if has("Host key verification failed") || has("host key is known") {
            return Some(t.failure("run.ssh.host_key_unknown", &[&t.known_hosts_shown()]));
        }
        if has("Permission denied") {
            return Some(match said(&r.lines) {
                Some(l) => t.failure("run.ssh.login_refused", &[&l]),
                None => t.failure("run.ssh.login_refused.no_output", &[]),
            });
        }
        None
    }
}

/// Whether scp's lines say the node refused SFTP (no sftp subsystem in its sshd), not
/// that the link or the login failed.
fn sftp_refused(lines: &[String]) -> bool {
    let text = lines.join("\n");
    // "lost connection": how OpenSSH 9's scp words the same refusal when the channel
    // closes before the subsystem's answer is read (seen on a loaded machine). A real drop
    // fails the legacy attempt too, which is then what is reported.
    (text.contains("subsystem request failed")
        || text.contains(": Connection closed")
        || text.contains("lost connection"))
        && !text.contains("Host key verification failed")
        && !text.contains("Permission denied")
        && !text.contains("connect to host")
}

/// One copy to a node, for the failure that names it.
struct Copy<'a> {
    remote: &'a Remote,
    what: Said,
    dest: &'a str,
}

impl Copy<'_> {
    /// Ok when `r` succeeded; else ssh's own failure explained, or the node's: `how` it
    /// failed there (naming the path) and the command's own words.
    #[cfg(test)]
    fn check(&self, r: Ran, how: &str) -> Result<(), Failure> {
        self.check_as(r, "run.ssh.copy", how)
    }

    /// [`Copy::check`] with the node's failure as `code` of [`TEXTS`], `{7}` being `path`
    /// (the directory or file that could not be made or written).
    fn check_as(&self, r: Ran, code: &str, path: &str) -> Result<(), Failure> {
        if r.ok() {
            return Ok(());
        }
        if let Some(f) = self.remote.explain(&r) {
            return Err(f);
        }
        let t = &self.remote.target;
        let name = self.dest.rsplit('/').next().unwrap_or(self.dest);
        let words = scp_error(&r.lines).unwrap_or_else(|| last(&r.lines));
        let dir = Path::new(self.dest)
            .parent()
            .map(|d| d.display().to_string())
            .filter(|d| !d.is_empty())
            .unwrap_or_default();
        Err(t.failure(code, &[&self.what, &name, &words, &dir, &path]))
    }
}

/// scp's own error about the node's side, the first one, as `scp: …`: with SFTP `dest open
/// "…": Failure` before the summary `failed to upload file …`, with the scp protocol the
/// remote `scp -t`'s `FILE: Read-only file system`. None when scp said nothing of its own
/// (ssh failed), or only that the connection closed.
///
/// scp's own lines start with its argv[0] as it was run (scp.c gives it to log_init), a
/// path when run by one (`/usr/bin/scp: dest open …`); the remote `scp -t`'s with `scp:`.
fn scp_error(lines: &[String]) -> Option<String> {
    lines.iter().map(|l| l.trim()).find_map(|l| {
        let (program, said) = l.split_once(": ")?;
        (Path::new(program).file_name()? == "scp" && !said.contains("Connection closed"))
            .then(|| format!("scp: {said}"))
    })
}

/// The exit code of a child that exited by itself; None when it was stopped (deadline,
/// cancel) or killed by a signal.
fn exit_code(fin: &crate::io::child::Finished) -> Option<i32> {
    (fin.ended == crate::io::child::Ended::Exited)
        .then(|| fin.status.code())
        .flatten()
}

/// The last line ssh printed, None when it printed nothing.
fn said(lines: &[String]) -> Option<String> {
    lines
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

fn last(lines: &[String]) -> String {
    lines
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
        .unwrap_or("no output")
        .to_string()
}

/// Make `dir` a directory of ours that nobody else can enter (OpenSSH refuses nothing
/// here, but a socket in a shared directory would let another user ride the connection).
fn private_dir(dir: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let shown = dir.display().to_string();
    let bad = |e: String| coded("run.ssh.control_dir", &[&shown, &e]);
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(bad(e.to_string())),
    }
    let m = std::fs::symlink_metadata(dir).map_err(|e| bad(e.to_string()))?;
    // SAFETY: geteuid cannot fail and touches no memory.
    let me = unsafe { libc::geteuid() };
    if !m.is_dir() {
        return Err(coded("run.ssh.control_dir.not_dir", &[&shown]));
    }
    if m.uid() != me {
        return Err(coded("run.ssh.control_dir.owner", &[&shown, &m.uid()]));
    }
    if m.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| bad(e.to_string()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(user: &str) -> Target {
        Target {
            node: "node02".into(),
            host: "2018::22".into(),
            user: user.into(),
            port: 2222,
            identity_file: None,
            known_hosts: Some("/k/known_hosts".into()),
        }
    }

    fn remote(user: &str) -> Remote {
        Remote {
            target: target(user),
            control_dir: "/run/x/ssh".into(),
        }
    }

    fn ran(code: i32, lines: &[&str]) -> Ran {
        Ran {
            code: Some(code),
            lines: lines.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn every_call_checks_keys_keeps_alive_and_reuses_one_socket() {
        let a = remote("root").ssh_args("true").join(" ");
        for want in [
            "-o BatchMode=yes",
            "-o ServerAliveInterval=5",
            "-o ServerAliveCountMax=3",
            "-o ConnectTimeout=10",
            "-o StrictHostKeyChecking=yes",
            "-o UserKnownHostsFile=/k/known_hosts",
            "-o ControlMaster=auto",
            "-o ControlPath=/run/x/ssh/%C",
            "-o User=root",
            "-p 2222 -- 2018::22",
        ] {
            assert!(a.contains(want), "{want} not in {a}");
        }
        assert!(!a.contains("accept-new"));
        assert!(a.ends_with("cd && { true\n}"), "{a}");
        assert_eq!(remote("root").target.scp_host(), "[2018::22]");
    }

    #[test]
    fn another_user_runs_under_sudo_n_in_the_login_home() {
        let a = remote("admin").ssh_args("kubeadm version -o short");
        assert_eq!(
            a.last().unwrap(),
            "cd && sudo -n sh -c 'kubeadm version -o short'"
        );
        let f = remote("admin")
            .explain(&ran(1, &["sudo: a password is required"]))
            .unwrap();
        assert!(f.cause.contains("needs a password for sudo"), "{f:?}");
        assert!(f.fix.contains("NOPASSWD"), "{f:?}");
    }

    #[test]
    fn an_unknown_host_key_names_the_node_and_how_to_check_it() {
        let f = remote("root")
            .explain(&ran(
                255,
                &[
                    "No ECDSA host key is known for 2018::22 and you have requested strict checking.",
                    "Host key verification failed.",
                ],
            ))
            .unwrap();
        assert!(f.cause.contains("node02"), "{f:?}");
        assert!(f.cause.contains("/k/known_hosts"), "{f:?}");
        assert!(f.fix.contains("ssh-keyscan -p 2222 2018::22"), "{f:?}");
        assert!(f.fix.contains("ssh-keygen -lf"), "{f:?}");
    }

    #[test]
    fn link_failures_and_remote_failures_are_told_apart() {
        let r = remote("root");
        let f = r
            .explain(&ran(
                255,
                &["ssh: connect to host 2018::22 port 2222: Connection timed out"],
            ))
            .unwrap();
        assert!(f.cause.contains("cannot be reached"), "{f:?}");
        let f = r
            .explain(&ran(
                255,
                &["root@2018::22: Permission denied (publickey,password)."],
            ))
            .unwrap();
        assert!(f.fix.contains("ssh-copy-id"), "{f:?}");
        assert!(
            r.explain(&ran(1, &["kubeadm: command not found"]))
                .is_none()
        );
    }

    #[test]
    fn a_copy_that_fails_on_the_node_says_so_in_scps_words() {
        let r = remote("root");
        let copy = Copy {
            remote: &r,
            what: "preparing the node".into(),
            dest: "dsinstall/sysctl-kubernetes.conf",
        };
        // OpenSSH 9's scp over SFTP, run by its path: the specific error first, then its
        // summary.
        let sftp = [
            "/usr/bin/scp: dest open \"dsinstall/sysctl-kubernetes.conf\": Failure\r",
            "/usr/bin/scp: failed to upload file /s/ssh/node02-sysctl-kubernetes.conf to dsinstall/sysctl-kubernetes.conf",
        ];
        assert_eq!(
            scp_error(&sftp.map(String::from)).as_deref(),
            Some("scp: dest open \"dsinstall/sysctl-kubernetes.conf\": Failure")
        );
        let f = copy
            .check(
                ran(
                    1,
                    &["scp: dsinstall/sysctl-kubernetes.conf: Read-only file system"],
                ),
                "scp could not write ~/dsinstall/sysctl-kubernetes.conf",
            )
            .unwrap_err();
        assert!(
            f.cause.starts_with(
                "preparing the node: the copy of sysctl-kubernetes.conf to node02 (root@2018::22 port 2222) failed on the node: scp could not write ~/dsinstall/sysctl-kubernetes.conf: scp: "
            ),
            "{f:?}"
        );
        assert!(f.cause.ends_with(": Read-only file system"), "{f:?}");
        assert!(f.fix.contains("~/dsinstall writable for root"), "{f:?}");
        // Without scp's own words it was ssh: explained as any call is.
        let lines = ["ssh: connect to host 2018::22 port 2222: Connection refused".to_string()];
        assert!(scp_error(&lines).is_none());
        let f = copy.check(ran(255, &[&lines[0]]), "x").unwrap_err();
        assert!(f.cause.contains("cannot be reached over SSH"), "{f:?}");
    }

    #[test]
    fn quoting_survives_the_remote_shell() {
        assert_eq!(quote("a b'c"), "'a b'\\''c'");
        assert_eq!(
            quote("dsinstall/join-node02.yaml"),
            "dsinstall/join-node02.yaml"
        );
    }
}
