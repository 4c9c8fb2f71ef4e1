//! A simulated lab in a temporary directory, and running its stand-ins as a user would:
//! through DIR/bin on PATH.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_dsinstall");

pub struct Lab {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Lab {
    /// `dsinstall sim --dir DIR --kubernetes V [extra...]`.
    pub fn new(version: &str, extra: &[&str]) -> Lab {
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec![
            "sim",
            "--dir",
            dir.path().to_str().unwrap(),
            "--kubernetes",
            version,
        ];
        args.extend_from_slice(extra);
        let o = Command::new(BIN).args(&args).output().unwrap();
        assert!(
            o.status.success(),
            "sim: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        Lab { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn root(&self, p: &str) -> PathBuf {
        self.path().join("root").join(p.trim_start_matches('/'))
    }

    /// Run a stand-in (or any command) with the lab's environment.
    pub fn run(&self, cmd: &str, args: &[&str]) -> Run {
        self.run_in(cmd, args, None)
    }

    pub fn run_stdin(&self, cmd: &str, args: &[&str], stdin: &str) -> Run {
        self.run_in(cmd, args, Some(stdin))
    }

    fn run_in(&self, cmd: &str, args: &[&str], stdin: Option<&str>) -> Run {
        let bin = self.path().join("bin");
        let exe = if cmd.contains('/') {
            PathBuf::from(cmd)
        } else {
            bin.join(cmd)
        };
        let mut c = Command::new(exe);
        c.args(args)
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    bin.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .env("KUBECONFIG", self.root("/etc/kubernetes/admin.conf"))
            .env_remove("DSINSTALL_SIM_HOST")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        if let Some(s) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        Run::from(child.wait_with_output().unwrap())
    }

    /// `dsinstall sim --dir DIR ARGS` on this lab.
    pub fn sim(&self, args: &[&str]) -> Run {
        let mut a = vec!["sim", "--dir", self.path().to_str().unwrap()];
        a.extend_from_slice(args);
        Run::from(Command::new(BIN).args(&a).output().unwrap())
    }

    /// Write a file in the test's directory (outside the node's root), return its path.
    pub fn file(&self, name: &str, text: &str) -> String {
        let p = self.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_string_lossy().into_owned()
    }

    /// `dsinstall render` of the answers file at `answers` into DIR/rendered, which must
    /// succeed; the rendered directory.
    pub fn render(&self, answers: &str) -> PathBuf {
        let out = self.path().join("rendered");
        let o = Command::new(BIN)
            .args([
                "render",
                "--answers",
                answers,
                "--out",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "render: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        out
    }

    /// What the guide's install does to the host first: the modules and sysctls kubeadm checks.
    pub fn prepare_host(&self) {
        self.run("modprobe", &["br_netfilter"]).ok();
        self.run("sysctl", &["-w", "net.ipv4.ip_forward=1"]).ok();
        self.run("sysctl", &["-w", "net.ipv6.conf.default.forwarding=1"])
            .ok();
        self.run("sysctl", &["-w", "net.ipv6.conf.all.forwarding=1"])
            .ok();
    }
}

/// A minimal kubeadm config for `api`: the guide's node, subnets given.
pub fn kubeadm_config(
    api: &str,
    pod: &str,
    svc: &str,
    node_ip: &str,
    extra_cluster: &str,
) -> String {
    let args = if api == "v1beta4" {
        format!("  kubeletExtraArgs:\n  - name: node-ip\n    value: \"{node_ip}\"\n")
    } else {
        format!("  kubeletExtraArgs:\n    node-ip: \"{node_ip}\"\n")
    };
    format!(
        "apiVersion: kubeadm.k8s.io/{api}\nkind: InitConfiguration\nbootstrapTokens:\n- token: abcdef.0123456789abcdef\nlocalAPIEndpoint:\n  advertiseAddress: 111.111.111.121\n  bindPort: 6443\nnodeRegistration:\n  name: node01\n{args}---\napiVersion: kubeadm.k8s.io/{api}\nkind: ClusterConfiguration\ncontrolPlaneEndpoint: 111.111.111.120:6443\nnetworking:\n  podSubnet: \"{pod}\"\n  serviceSubnet: \"{svc}\"\n{extra_cluster}---\napiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n"
    )
}
