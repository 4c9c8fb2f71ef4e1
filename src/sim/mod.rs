//! The simulated lab (`dsinstall sim`): stand-ins for kubeadm, kubectl, ssh, scp,
//! systemd-run and the host commands, over a simulated cluster kept in files.
//!
//! It stands apart from the engine: it never uses dsinstall's answers, plan or render code
//! (a test greps this directory for those paths), so a render bug shows up as a failed
//! check instead of as a simulation that agrees by construction. It reads only the files
//! the real tools would read — kubeadm's `--config`, the manifests kubectl applies — with
//! its own parsing, and behaves as the real version would on them.

pub mod cluster;
pub mod faults;
pub mod hostcmd;
pub mod kubeadm;
pub mod kubectl;
pub mod lab;
pub mod latency;
pub mod node_files;
pub mod pace;
pub mod pki;
pub mod prepare;
pub mod remote;
pub mod state;
pub mod version;
pub mod yaml;

use std::path::Path;

/// The stand-in executables `prepare` writes into DIR/bin, in the order they are listed.
pub const TOOLS: &[&str] = &[
    "kubeadm",
    "kubectl",
    "ssh",
    "scp",
    "systemd-run",
    "sysctl",
    "modprobe",
    "swapoff",
    "sudo",
];

/// What a stand-in returns: its exit code. It has already written its output.
pub type Exit = i32;

/// Run one stand-in: `tool` with `args`, over the lab in `dir`, as the host `host`
/// (the first node unless an ssh stand-in set `DSINSTALL_SIM_HOST`).
pub fn exec(dir: &Path, tool: &str, args: &[String]) -> Exit {
    let host = std::env::var("DSINSTALL_SIM_HOST").ok();
    let ctx = match state::Ctx::open(dir, host.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{tool}: simulated lab {}: {e}", dir.display());
            return 1;
        }
    };
    match tool {
        "kubeadm" => kubeadm::main(&ctx, args),
        "kubectl" => kubectl::main(&ctx, args),
        "ssh" => remote::ssh(&ctx, args),
        "scp" => remote::scp(&ctx, args),
        "systemd-run" => remote::systemd_run(&ctx, args),
        "sysctl" => hostcmd::sysctl(&ctx, args),
        "modprobe" => hostcmd::modprobe(&ctx, args),
        "swapoff" => hostcmd::swapoff(&ctx, args),
        "sudo" => remote::sudo(&ctx, args),
        other => {
            eprintln!("dsinstall sim: no stand-in named {other}");
            127
        }
    }
}
