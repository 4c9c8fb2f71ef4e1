//! kubeadm, kubectl, kubelet, crictl, containerd and docker: where `PATH` finds them and the
//! version each reports. Every version command runs with a deadline on its own thread, so a
//! hung or chatty binary can neither stop `detect` nor crash it.

use super::facts::Tool;
use crate::io::child::Command;
use crate::message::Said;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one version command may take.
pub const TIMEOUT: Duration = Duration::from_secs(3);
/// Between TERM and KILL for a version command past its deadline.
const GRACE: Duration = Duration::from_millis(500);
/// A version command prints a line or a few; past this it is not one.
const MAX_OUTPUT: u64 = 64 * 1024;

/// (tool, arguments that print its version, environment variable that overrides its path).
pub const TOOLS: &[(&str, &[&str], Option<&str>)] = &[
    (
        "kubeadm",
        &["version", "-o", "short"],
        Some("DSINSTALL_KUBEADM"),
    ),
    (
        "kubectl",
        &["version", "--client"],
        Some("DSINSTALL_KUBECTL"),
    ),
    ("kubelet", &["--version"], None),
    ("crictl", &["--version"], None),
    ("containerd", &["--version"], None),
    ("docker", &["--version"], None),
];

/// The first version-like word of a tool's output: `v1.19.0`, `1.6.21`, `19.03.12`.
/// kubectl before 1.28 prints `GitVersion:"v1.19.0"` inside a Go struct; that wins.
pub fn parse_version(output: &str) -> Option<String> {
    if let Some(i) = output.find("GitVersion:\"") {
        let rest = &output[i + 12..];
        if let Some(end) = rest.find('"')
            && let Some(v) = version_word(&rest[..end])
        {
            return Some(v);
        }
    }
    output
        .split(|c: char| c.is_whitespace() || c == ',' || c == '"' || c == '=')
        .find_map(version_word)
}

fn version_word(w: &str) -> Option<String> {
    let core = w.strip_prefix('v').unwrap_or(w);
    let mut parts = core.split('.');
    let major = parts.next()?;
    let minor = parts.next()?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit());
    let minor_digits: String = minor.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !digits(major) || minor_digits.is_empty() || w.len() > 64 {
        return None;
    }
    let ok = w
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'));
    ok.then(|| w.to_string())
}

/// Run `path args...` (through `io::child`: own process group, output capped at the pipe,
/// the group killed at the deadline) and return its output, or why it cannot be trusted: a
/// tool that cannot run, exits non-zero, hangs or floods is "not usable", whatever it
/// printed first. How it ended is coded ("`version -o short` exited with status 1",
/// `child.named`), so a front end can say it in its language.
pub fn probe(path: &Path, args: &[&str], timeout: Duration) -> Result<String, Said> {
    let cmd = Command::new(path)
        .args(args)
        .env("LC_ALL", "C")
        .timeout(timeout)
        .grace(GRACE)
        .max_output(Some(MAX_OUTPUT));
    match cmd.capture() {
        Ok(c) if c.finished.success() => Ok(c.output),
        Ok(c) => Err(c
            .finished
            .describe_as(&cmd, &format!("`{}`", args.join(" ")))),
        Err(e) => Err(match e.kind() {
            std::io::ErrorKind::PermissionDenied => say("tool.not_executable", &[]),
            std::io::ErrorKind::NotFound => say("tool.missing", &[]),
            _ => say("tool.cannot_run", &[&e]),
        }),
    }
}

/// Why a tool cannot be trusted where it does not even start, after its path in a host
/// warning ("kubeadm at /opt/kubeadm is not usable: is not executable"): (code, English),
/// shown by the code itself like how a command ended (`io::child::TEXTS`).
pub const TEXTS: &[(&str, &str)] = &[
    ("tool.not_executable", "is not executable"),
    ("tool.missing", "does not exist"),
    ("tool.cannot_run", "cannot be run: {0}"),
];

fn say(code: &str, args: &[&dyn crate::message::Value]) -> Said {
    Said::coded(TEXTS, code, args)
}

/// Where a program the install drives is: its override variable (`DSINSTALL_KUBEADM`,
/// `DSINSTALL_KUBECTL`, cli.md) when set, else the first on `PATH`, else the bare name (so
/// the failure to start it names it).
pub fn locate(name: &str) -> PathBuf {
    let var = TOOLS
        .iter()
        .find(|(t, _, _)| *t == name)
        .and_then(|(_, _, v)| *v);
    find(name, var).unwrap_or_else(|| PathBuf::from(name))
}

/// Where a tool is: its override variable when set, else `PATH`.
fn find(name: &str, env: Option<&str>) -> Option<PathBuf> {
    if let Some(var) = env
        && let Some(p) = std::env::var_os(var).filter(|v| !v.is_empty())
    {
        return Some(PathBuf::from(p));
    }
    which::which(name).ok()
}

/// Every tool of `TOOLS`, found or null, versions read in parallel.
pub fn read() -> BTreeMap<String, Option<Tool>> {
    let handles: Vec<_> = TOOLS
        .iter()
        .map(|(name, args, env)| {
            let name = name.to_string();
            let path = find(&name, *env);
            let args: Vec<&'static str> = args.to_vec();
            std::thread::spawn(move || {
                let tool = path.map(|p| {
                    let (version, problem, problem_code) = match probe(&p, &args, TIMEOUT) {
                        Ok(out) => (parse_version(&out), None, None),
                        Err(why) => (None, Some(why.text), why.code.map(|m| *m)),
                    };
                    Tool {
                        path: p.display().to_string(),
                        version,
                        problem,
                        problem_code,
                    }
                });
                (name, tool)
            })
        })
        .collect();
    handles
        .into_iter()
        .zip(TOOLS)
        .map(|(h, (name, _, _))| h.join().unwrap_or_else(|_| (name.to_string(), None)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_from_each_tool_s_real_output() {
        let cases = [
            ("v1.19.0\n", "v1.19.0"),
            (
                "Client Version: version.Info{Major:\"1\", Minor:\"19\", GitVersion:\"v1.19.0\", GitCommit:\"e19964183377d0ec2052d1f1fa930c4d7575bd50\", GoVersion:\"go1.15\"}\n",
                "v1.19.0",
            ),
            (
                "Client Version: v1.31.2\nKustomize Version: v5.4.2\n",
                "v1.31.2",
            ),
            ("Kubernetes v1.19.0\n", "v1.19.0"),
            ("crictl version v1.19.0\n", "v1.19.0"),
            (
                "containerd containerd.io 1.6.21 3dce8eb055cbb6872793272b4f20ed16117344f8\n",
                "1.6.21",
            ),
            (
                "containerd github.com/containerd/containerd v1.4.3 269548fa27e0089a8b8278fc4fc781d7f65a939b\n",
                "v1.4.3",
            ),
            ("Docker version 19.03.12, build 48a66213fe\n", "19.03.12"),
            ("v1.37.0-rc.1\n", "v1.37.0-rc.1"),
        ];
        for (out, want) in cases {
            assert_eq!(parse_version(out).as_deref(), Some(want), "{out:?}");
        }
    }

    #[test]
    fn garbage_gives_no_version() {
        for out in [
            "",
            "\u{0}\u{1}\u{ff}",
            "segmentation fault",
            "error: unknown flag -o",
            "v.1",
            "1.",
            "abc.def",
            &"9".repeat(100_000),
        ] {
            assert_eq!(parse_version(out), None, "{out:?}");
        }
    }

    #[test]
    fn a_hung_tool_is_cut_off() {
        let e = probe(
            Path::new("/bin/sh"),
            &["-c", "sleep 30"],
            Duration::from_millis(300),
        )
        .unwrap_err();
        assert_eq!(e.text, "`-c sleep 30` did not finish within 0.3s");
        let m = e.code.expect("how it ended is coded");
        assert_eq!(m.code, "child.named");
        assert_eq!(
            m.arg_codes.get(1).map(|c| c.code.as_str()),
            Some("child.timed_out")
        );
    }

    #[test]
    fn a_tool_that_fails_is_not_trusted_for_its_version() {
        let e = probe(
            Path::new("/bin/sh"),
            &["-c", "echo v1.28.0; exit 1"],
            TIMEOUT,
        );
        let e = e.unwrap_err();
        assert_eq!(e.text, "`-c echo v1.28.0; exit 1` exited with status 1");
        let m = e.code.expect("how it ended is coded");
        assert_eq!(m.args[0], "`-c echo v1.28.0; exit 1`");
        assert_eq!(
            m.arg_codes.get(1).map(|c| c.code.as_str()),
            Some("child.exited")
        );
    }

    #[test]
    fn a_missing_tool_says_so() {
        let e = probe(Path::new("/nonexistent/kubeadm"), &["version"], TIMEOUT).unwrap_err();
        assert_eq!(e.text, "does not exist");
        assert_eq!(e.code.map(|m| m.code), Some("tool.missing".to_string()));
    }
}
