//! The `join.<node>` steps on the simulated lab, after node01's steps: both of the guide's
//! other nodes joined over the lab's ssh/scp stand-ins, with the InternalIPs their version
//! gives them; a link dropped during a join survived; an expired bootstrap token or
//! certificate key renewed; an unknown host key refused with the way to check it.

mod common;
mod join_support;
mod sim_support;
mod steps_bed;
mod steps_support;

use dsinstall::run::step::Step;
use join_support::{JoinBed, bed, guide, node_mask_120};
use sim_support::BIN;
use std::time::{Duration, Instant};

#[test]
fn the_steps_list_one_join_per_node_in_order_before_verify() {
    let b = guide(&[]);
    let ids: Vec<String> = b.steps().iter().map(|s| s.id()).collect();
    let tail: Vec<&str> = ids.iter().rev().take(3).rev().map(String::as_str).collect();
    assert_eq!(tail, ["join.node02", "join.node03", "verify"]);
}

#[test]
fn both_nodes_join_the_guide_lab_with_the_one_internal_ip_1_19_gives() {
    let mut b = guide(&[]);
    b.first_node();
    b.joins("node02");
    b.joins("node03");
    // 1.19's kubelet takes one --node-ip: the IPv6 InternalIP is missing, as in the guide.
    assert_eq!(b.internal_ips("node02"), ["111.111.111.122"]);
    assert_eq!(b.internal_ips("node03"), ["111.111.111.123"]);
    let log = b.cx.text();
    assert!(log.contains("This node has joined the cluster"), "{log}");
    assert!(log.contains("takes a single --node-ip"), "{log}");
    // Every ssh call checks the host key and shares one control socket.
    let ssh: Vec<&String> =
        b.cx.commands
            .iter()
            .filter(|c| c.contains("/bin/ssh"))
            .collect();
    assert!(ssh.len() > 3, "{ssh:?}");
    for c in &ssh {
        assert!(c.contains("StrictHostKeyChecking=yes"), "{c}");
        assert!(c.contains("BatchMode=yes"), "{c}");
        assert!(c.contains("ControlPath="), "{c}");
    }
    // The join file (a bootstrap token) is gone from the node; its log stays.
    assert!(!b.node_home("node02", "dsinstall/join-node02.yaml").exists());
    let joinlog = std::fs::read_to_string(b.node_home("node02", "dsinstall/join.log")).unwrap();
    assert!(
        joinlog.contains("This node has joined the cluster"),
        "{joinlog}"
    );
    // The node was prepared for kubeadm's preflight.
    let kubelet = b
        .lab
        .path()
        .join("hosts/node02/root/etc/kubernetes/kubelet.conf");
    assert!(kubelet.exists());
}

#[test]
fn on_1_20_both_internal_ips_come_up() {
    // From 1.20 the controller manager's IPv6 node mask defaults to /64 (node_mask_120).
    let mut b = bed("v1.20.0", &[], node_mask_120);
    b.first_node();
    b.joins("node02");
    let mut ips = b.internal_ips("node02");
    ips.sort();
    assert_eq!(ips, ["111.111.111.122", "2018::22"]);
    assert!(!b.cx.text().contains("takes a single --node-ip"));
}

#[test]
fn a_link_dropped_during_the_join_is_waited_out() {
    // The join takes a few seconds on node02; the link drops and comes back meanwhile.
    let mut b = guide(&["slow:join.node02"]);
    b.first_node();
    let pid = b.node_home("node02", "dsinstall/join.pid");
    let dir = b.lab.path().to_path_buf();
    let flipper = std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(60);
        while !pid.exists() {
            assert!(Instant::now() < until, "the join never started");
            std::thread::sleep(Duration::from_millis(50));
        }
        let sim = |a: &str, f: &str| {
            let o = std::process::Command::new(BIN)
                .args(["sim", "--dir", dir.to_str().unwrap(), a, f])
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        };
        sim("--fault", "ssh-drop:node02");
        std::thread::sleep(Duration::from_secs(2));
        sim("--clear-fault", "ssh-drop:node02");
    });
    b.joins("node02");
    flipper.join().unwrap();
    let log = b.cx.text();
    assert!(log.contains("lost the SSH link to node02"), "{log}");
    assert!(log.contains("is back"), "{log}");
    assert!(log.contains("This node has joined the cluster"), "{log}");
    assert_eq!(b.internal_ips("node02"), ["111.111.111.122"]);
}

#[test]
fn an_expired_token_is_renewed_and_the_join_passes() {
    let mut b = guide(&["token-expired"]);
    b.first_node();
    b.joins("node02");
    let log = b.cx.text();
    assert!(log.contains("could not find a JWS signature"), "{log}");
    assert!(log.contains("bootstrap token has expired"), "{log}");
    // The new token is the one left: init's is expired.
    let tokens = b.lab.run("kubeadm", &["token", "list"]).ok().stdout;
    assert_eq!(tokens.lines().count(), 2, "{tokens}");
    let token = tokens
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert!(!log.contains(token), "the new token was logged");
}

#[test]
fn a_control_plane_join_survives_an_expired_certificate_key() {
    let mut b = bed("v1.19.0", &["certificate-key-expired"], |t| {
        t.replace(
            "{name: node03, ipv4: 111.111.111.123, ipv6: 2018::23, role: worker}",
            "{name: node03, ipv4: 111.111.111.123, ipv6: 2018::23, role: control-plane}",
        )
    });
    b.first_node();
    b.joins("node03");
    let log = b.cx.text();
    assert!(
        log.contains("Secret \"kubeadm-certs\" was not found"),
        "{log}"
    );
    assert!(log.contains("uploading them again"), "{log}");
    assert!(
        log.contains("a new control plane instance was created"),
        "{log}"
    );
    let n = b
        .lab
        .run("kubectl", &["get", "nodes", "node03", "-o", "json"])
        .ok()
        .stdout;
    assert!(n.contains("node-role.kubernetes.io/master"), "{n}");
}

#[test]
fn an_unknown_host_key_is_refused_with_how_to_check_it() {
    let mut b = guide(&["host-key-unknown:node02"]);
    b.first_node();
    let s = b.join("node02");
    let f = s
        .act(&mut b.cx)
        .expect_err("an unknown host key must stop the join");
    assert!(f.cause.contains("node02"), "{f:?}");
    assert!(f.cause.contains("host key"), "{f:?}");
    assert!(f.fix.contains("ssh-keyscan -p 22 111.111.111.122"), "{f:?}");
    assert!(f.fix.contains("ssh-keygen -lf"), "{f:?}");
    b.lab
        .sim(&["--clear-fault", "host-key-unknown:node02"])
        .ok();
    b.joins("node02");
}

#[test]
fn clean_resets_the_node_so_a_join_can_run_again() {
    let mut b = guide(&[]);
    b.first_node();
    b.joins("node02");
    let kubelet = b
        .lab
        .path()
        .join("hosts/node02/root/etc/kubernetes/kubelet.conf");
    assert!(kubelet.exists());
    b.join("node02").clean(&mut b.cx).unwrap();
    assert!(!kubelet.exists(), "kubeadm reset -f left kubelet.conf");
    assert!(b.cx.text().contains("[reset]"), "{}", b.cx.text());
    if let Err(f) = b.join("node02").act(&mut b.cx) {
        panic!("{f:?}\n{}", b.cx.text());
    }
}

#[test]
fn another_user_joins_through_sudo_n_and_a_password_prompt_is_a_clear_failure() {
    let as_admin = |t: String| {
        t.replace(
            "{name: node02, ipv4: 111.111.111.122, ipv6: 2018::22, role: worker}",
            "{name: node02, ipv4: 111.111.111.122, ipv6: 2018::22, role: worker, ssh: {user: admin, port: 2222}}",
        )
    };
    let mut b = bed("v1.19.0", &["sudo-password:node02"], as_admin);
    b.first_node();
    let f = b
        .join("node02")
        .act(&mut b.cx)
        .expect_err("sudo wanting a password must stop the join");
    assert!(f.cause.contains("needs a password for sudo"), "{f:?}");
    assert!(f.cause.contains("admin@111.111.111.122 port 2222"), "{f:?}");
    assert!(f.fix.contains("NOPASSWD"), "{f:?}");
    b.lab.sim(&["--clear-fault", "sudo-password:node02"]).ok();
    b.joins("node02");
    let cmds = b.cx.commands.join("\n");
    assert!(cmds.contains("sudo -n sh -c"), "{cmds}");
    assert!(cmds.contains("User=admin"), "{cmds}");
    assert!(cmds.contains("\"-p\", \"2222\""), "{cmds}");
}

#[test]
fn a_resumed_join_follows_the_one_still_running_and_never_joins_twice() {
    let mut b = guide(&["slow:join.node02"]);
    b.first_node();
    // The first attempt gives up following before the slow join ends (an interrupted run).
    let mut s = b.join("node02");
    s.join_timeout = Duration::from_secs(1);
    let f = s.act(&mut b.cx).expect_err("the follow should give up");
    assert!(f.cause.contains("did not finish within 1s"), "{f:?}");
    // The resume finds it running and follows it to its end.
    b.joins("node02");
    let log = b.cx.text();
    assert!(log.contains("still runs on node02: following it"), "{log}");
    assert_eq!(
        log.matches("kubeadm join started on node02").count(),
        1,
        "{log}"
    );
    // Once more: it joined already, so nothing is started.
    b.join("node02").act(&mut b.cx).unwrap();
    let log = b.cx.text();
    assert!(log.contains("joined in an earlier attempt"), "{log}");
    assert_eq!(
        log.matches("kubeadm join started on node02").count(),
        1,
        "{log}"
    );
}

#[test]
fn a_joined_node_keeps_its_settings_for_good_and_undo_puts_its_files_back() {
    let mut b = guide(&[]);
    let node_root = b.lab.path().join("hosts/node02/root");
    // The guide's CentOS 7.7: swap in /etc/fstab, an older sysctl file of the user's.
    let fstab = "/dev/mapper/centos-root /                       xfs     defaults        0 0\n/dev/mapper/centos-swap swap                    swap    defaults        0 0\n";
    std::fs::create_dir_all(node_root.join("etc/sysctl.d")).unwrap();
    std::fs::write(node_root.join("etc/fstab"), fstab).unwrap();
    std::fs::write(
        node_root.join("etc/sysctl.d/kubernetes.conf"),
        "vm.swappiness = 0\n",
    )
    .unwrap();
    b.first_node();
    b.joins("node02");
    b.assert_node_settings("node02");
    let on_node = |p: &str| std::fs::read_to_string(node_root.join(p)).ok();
    let edited = on_node("etc/fstab").unwrap();
    assert!(
        edited.contains("# /dev/mapper/centos-swap swap"),
        "{edited}"
    );
    assert!(!b.node_home("node02", "dsinstall/join-node02.yaml").exists());
    // reset --node: the Node leaves, the node is reset and its files are as they were.
    b.join("node02").undo(&mut b.cx).unwrap();
    assert_eq!(on_node("etc/fstab").as_deref(), Some(fstab));
    assert_eq!(
        on_node("etc/sysctl.d/kubernetes.conf").as_deref(),
        Some("vm.swappiness = 0\n")
    );
    assert_eq!(on_node("etc/modules-load.d/kubernetes.conf"), None);
    let log = b.cx.text();
    assert!(log.contains("restored /etc/fstab"), "{log}");
    assert!(
        log.contains("removed /etc/modules-load.d/kubernetes.conf"),
        "{log}"
    );
    // The next apply joins it again, from a clean slate.
    b.joins("node02");
}
