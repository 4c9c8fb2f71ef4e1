//! The options every join's ssh call carries, handed to the machine's real OpenSSH client:
//! `ssh -G` resolves them as a connection would and prints the result without connecting,
//! so a misspelt or unknown option fails here ("Bad configuration option"). Skipped when
//! ssh is not installed, unless DSINSTALL_REQUIRE_SSH=1.

use dsinstall::run::remote::{Remote, Target};
use std::process::Command;

fn have_ssh() -> bool {
    let ok = Command::new("ssh").arg("-V").output().is_ok();
    if !ok {
        assert!(
            std::env::var_os("DSINSTALL_REQUIRE_SSH").is_none(),
            "DSINSTALL_REQUIRE_SSH is set but ssh cannot be run"
        );
        eprintln!("skipped: no ssh on PATH");
    }
    ok
}

#[test]
fn openssh_takes_every_option_and_resolves_them_as_meant() {
    if !have_ssh() {
        return;
    }
    let state = tempfile::tempdir().unwrap();
    let target = Target {
        node: "node02".into(),
        host: "2018::22".into(),
        user: "admin".into(),
        port: 2222,
        identity_file: Some(state.path().join("id_ed25519")),
        known_hosts: Some(state.path().join("known_hosts")),
    };
    let r = Remote::new(target, state.path()).unwrap();
    let mut args = vec!["-G".to_string()];
    args.extend(r.ssh_args("kubeadm version -o short"));
    let o = Command::new("ssh").args(&args).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "ssh -G {args:?}: {err}");
    let out = String::from_utf8_lossy(&o.stdout);
    let has = |k: &str, v: &str| out.lines().any(|l| l.split_once(' ') == Some((k, v)));
    for (k, v) in [
        ("user", "admin"),
        ("hostname", "2018::22"),
        ("port", "2222"),
        ("batchmode", "yes"),
        ("stricthostkeychecking", "true"),
        ("serveraliveinterval", "5"),
        ("serveralivecountmax", "3"),
        ("connecttimeout", "10"),
        ("controlmaster", "auto"),
        ("controlpersist", "120"),
        ("identitiesonly", "yes"),
    ] {
        assert!(has(k, v), "{k} {v} not in:\n{out}");
    }
    let known = format!(
        "userknownhostsfile {}",
        state.path().join("known_hosts").display()
    );
    assert!(out.lines().any(|l| l == known), "{known} not in:\n{out}");
    let socket = out
        .lines()
        .find_map(|l| l.strip_prefix("controlpath "))
        .unwrap();
    // In the private directory, short enough for a unix socket.
    assert!(socket.len() < 100, "{socket}");
    let dir = std::path::Path::new(socket).parent().unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
}

#[test]
fn a_state_directory_too_deep_for_a_socket_path_falls_back_to_a_private_temporary_one() {
    let state = tempfile::tempdir().unwrap();
    let deep = state.path().join("a".repeat(60)).join("b".repeat(60));
    std::fs::create_dir_all(&deep).unwrap();
    let target = Target {
        node: "node02".into(),
        host: "111.111.111.122".into(),
        user: "root".into(),
        port: 22,
        identity_file: None,
        known_hosts: None,
    };
    let r = Remote::new(target, &deep).unwrap();
    let dir = r.control_dir();
    assert!(!dir.starts_with(&deep), "{}", dir.display());
    assert!(dir.as_os_str().len() + 41 < 100, "{}", dir.display());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
}
