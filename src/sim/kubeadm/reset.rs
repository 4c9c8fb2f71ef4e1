//! `kubeadm reset [-f]`: undo init or join on this host, and say what it leaves behind
//! (cmd/kubeadm/app/cmd/reset.go and phases/reset).

use super::{EXIT_DEFAULT, Flags, fail, files};
use crate::sim::Exit;
use crate::sim::state::Ctx;
use crate::sim::version::Version;

pub fn run(ctx: &Ctx, v: Version, args: &[String]) -> Exit {
    let flags = match Flags::parse(
        args,
        &[
            "cri-socket",
            "ignore-preflight-errors",
            "kubeconfig",
            "cert-dir",
            "config",
            "skip-phases",
        ],
        &["force", "dry-run", "cleanup-tmp-dir"],
    ) {
        Ok(f) => f,
        Err(e) => return fail(v, &e, EXIT_DEFAULT),
    };
    let w = match ctx.load() {
        Ok(w) => w,
        Err(e) => return fail(v, &e, EXIT_DEFAULT),
    };
    let host = &w.hosts[&ctx.host];
    let was = host.kubeadm.clone();
    if was.as_ref().is_some_and(|k| k.control_plane) {
        println!("[reset] Reading configuration from the cluster...");
        println!(
            "[reset] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'"
        );
    } else {
        eprintln!(
            "{}",
            super::klog::warning(
                "reset.go:101",
                "[reset] Unable to fetch the kubeadm-config ConfigMap from cluster: failed to get config map: Get \"https://127.0.0.1:6443/api/v1/namespaces/kube-system/configmaps/kubeadm-config?timeout=10s\": dial tcp 127.0.0.1:6443: connect: connection refused"
            )
        );
    }
    if !flags.has("force") {
        println!(
            "[reset] WARNING: Changes made to this host by 'kubeadm init' or 'kubeadm join' will be reverted."
        );
        print!("[reset] Are you sure you want to proceed? [y/N]: ");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y") {
            return fail(
                v,
                "error execution phase preflight: won't proceed; the user didn't answer (Y|y) in order to continue",
                EXIT_DEFAULT,
            );
        }
    }
    println!("[preflight] Running pre-flight checks");
    if was.as_ref().is_some_and(|k| k.control_plane) && v.minor <= 22 {
        println!(
            "[reset] Removing info for node {:?} from the ConfigMap \"kubeadm-config\" in the \"kube-system\" Namespace",
            ctx.host
        );
    }
    println!("[reset] Stopping the kubelet service");
    println!("[reset] Unmounting mounted directories in \"/var/lib/kubelet\"");
    let root = ctx.root();
    files::remove_kubeadm_files(&root);
    println!(
        "[reset] Deleting contents of config directories: [/etc/kubernetes/manifests /etc/kubernetes/pki]"
    );
    println!(
        "[reset] Deleting files: [/etc/kubernetes/admin.conf /etc/kubernetes/kubelet.conf /etc/kubernetes/bootstrap-kubelet.conf /etc/kubernetes/controller-manager.conf /etc/kubernetes/scheduler.conf]"
    );
    if v.minor < 24 {
        println!(
            "[reset] Deleting contents of stateful directories: [/var/lib/etcd /var/lib/kubelet /var/lib/dockershim /var/run/kubernetes /var/lib/cni]"
        );
    } else {
        println!(
            "[reset] Deleting contents of directories: [/etc/kubernetes/manifests /var/lib/kubelet /etc/kubernetes/pki]"
        );
    }
    let r = ctx.update(|w| {
        let first = w.lab.hosts[0].name == ctx.host;
        if let Some(h) = w.hosts.get_mut(&ctx.host) {
            h.kubeadm = None;
        }
        if was.as_ref().is_some_and(|k| k.control_plane) && first {
            // etcd's data went with /var/lib/etcd: the cluster is gone.
            w.cluster = None;
        } else if let Some(c) = w.cluster.as_mut() {
            for n in c.nodes.iter_mut().filter(|n| n.name == ctx.host) {
                n.kubelet_stopped = true;
            }
        }
        Ok(())
    });
    if let Err(e) = r {
        return fail(v, &e, EXIT_DEFAULT);
    }
    println!();
    println!(
        "The reset process does not clean CNI configuration. To do so, you must remove /etc/cni/net.d"
    );
    println!();
    println!("The reset process does not reset or clean up iptables rules or IPVS tables.");
    println!(
        "If you wish to reset iptables, you must do so manually by using the \"iptables\" command."
    );
    println!();
    println!("If your cluster was setup to utilize IPVS, run ipvsadm --clear (or similar)");
    println!("to reset your system's IPVS tables.");
    println!();
    println!(
        "The reset process does not clean your kubeconfig files and you must remove them manually."
    );
    println!("Please, check the contents of the $HOME/.kube/config file.");
    0
}
