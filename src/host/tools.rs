//! kubeadm, kubectl, kubelet, crictl, containerd and docker: where `PATH` finds them and the
//! version each reports. Every version command runs with a deadline on its own thread, so a
//! hung or chatty binary can neither stop `detect` nor crash it.

use super::facts::Tool;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

/// How long one version command may take.
pub const TIMEOUT: Duration = Duration::from_secs(3);
/// Only the start of a tool's output is read for its version.
const MAX_OUTPUT: usize = 64 * 1024;

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

/// Run `path args...` and return its output, or None on failure or after `timeout`.
pub fn run_with_timeout(path: PathBuf, args: &[&str], timeout: Duration) -> Option<String> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (tx, rx) = mpsc::channel();
    // The thread may outlive the deadline if a grandchild keeps the pipe open; it is then
    // abandoned, never waited for.
    std::thread::spawn(move || {
        let out = (|| {
            let handle = duct::cmd(path, args)
                .stdin_null()
                .stderr_to_stdout()
                .stdout_capture()
                .unchecked()
                .env("LC_ALL", "C")
                .start()
                .ok()?;
            match handle.wait_timeout(timeout) {
                Ok(Some(o)) => {
                    let b = &o.stdout[..o.stdout.len().min(MAX_OUTPUT)];
                    Some(String::from_utf8_lossy(b).into_owned())
                }
                _ => {
                    let _ = handle.kill();
                    None
                }
            }
        })();
        let _ = tx.send(out);
    });
    rx.recv_timeout(timeout + Duration::from_millis(500))
        .ok()
        .flatten()
}

/// Where a tool is: its override variable when set, else `PATH`.
fn locate(name: &str, env: Option<&str>) -> Option<PathBuf> {
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
            let path = locate(&name, *env);
            let args: Vec<&'static str> = args.to_vec();
            std::thread::spawn(move || {
                let tool = path.map(|p| Tool {
                    path: p.display().to_string(),
                    version: run_with_timeout(p.clone(), &args, TIMEOUT)
                        .and_then(|o| parse_version(&o)),
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
        let start = std::time::Instant::now();
        let out = run_with_timeout(
            PathBuf::from("/bin/sh"),
            &["-c", "sleep 30"],
            Duration::from_millis(300),
        );
        assert_eq!(out, None);
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_missing_tool_gives_none() {
        assert_eq!(
            run_with_timeout(PathBuf::from("/nonexistent/kubeadm"), &["version"], TIMEOUT),
            None
        );
    }
}
