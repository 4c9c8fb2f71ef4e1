//! `nodes[].ssh` and `ssh:`: what apply needs to log in to a node and join it. Host, user
//! and port go to OpenSSH as separate arguments, so the checks are about what OpenSSH and
//! the network accept, not about quoting.

use super::node::is_dns_name;
use crate::answers::Answers;
use crate::plan::Problem;
use crate::terminal_text::quote;
use std::net::IpAddr;

pub(super) fn check_ssh(a: &Answers, p: &mut Vec<Problem>) {
    for (i, n) in a.nodes.iter().enumerate() {
        let Some(s) = &n.ssh else { continue };
        let base = format!("nodes[{i}].ssh");
        if let Some(port) = s.port
            && !(1..=65535).contains(&port)
        {
            p.push(
                Problem::error(
                    format!("{base}.port"),
                    format!("{port} is not a TCP port (1-65535)"),
                )
                .hint("leave it out for ssh's port 22")
                .code("ssh.port_range", &[&port]),
            );
        }
        if let Some(user) = &s.user
            && user.trim().is_empty()
        {
            p.push(
                Problem::error(format!("{base}.user"), "the SSH user is empty")
                    .hint("leave it out to log in as root, or name a user with passwordless sudo")
                    .code("ssh.user_empty", &[]),
            );
        }
        if let Some(host) = &s.host
            && !is_ssh_host(host)
        {
            let shown = quote(host);
            p.push(
                Problem::error(
                    format!("{base}.host"),
                    format!("{shown} is neither an IP address nor a host name (RFC 1123)"),
                )
                .hint("give the node's address, or leave it out to use the address of the API advertise family")
                .code("ssh.host_invalid", &[&shown]),
            );
        }
    }
    if let Some(s) = &a.ssh {
        for (field, v) in [
            ("identityFile", &s.identity_file),
            ("knownHosts", &s.known_hosts),
        ] {
            if v.as_deref().is_some_and(|v| v.trim().is_empty()) {
                p.push(
                    Problem::error(format!("ssh.{field}"), "the path is empty")
                        .hint("leave it out for ssh's own default")
                        .code("ssh.path_empty", &[]),
                );
            }
        }
    }
}

/// An IP address (IPv6 without brackets) or an RFC 1123 name.
pub fn is_ssh_host(h: &str) -> bool {
    h.parse::<IpAddr>().is_ok() || is_dns_name(h)
}

#[cfg(test)]
mod tests {
    use crate::answers::{Answers, NodeSsh, SshSettings};

    fn problems(a: &Answers) -> Vec<(String, &'static str)> {
        crate::plan::check(a)
            .problems
            .into_iter()
            .filter(|p| p.code.starts_with("ssh."))
            .map(|p| (p.path, p.code))
            .collect()
    }

    #[test]
    fn bad_values_are_problems_on_their_fields() {
        let mut a = Answers::seed();
        a.nodes[0].ssh = Some(NodeSsh {
            host: Some("node_02".into()),
            user: Some(" ".into()),
            port: Some(0),
        });
        a.nodes[1].ssh = Some(NodeSsh {
            port: Some(65536),
            ..Default::default()
        });
        a.ssh = Some(SshSettings {
            identity_file: None,
            known_hosts: Some(String::new()),
        });
        assert_eq!(
            problems(&a),
            [
                ("nodes[0].ssh.port".to_string(), "ssh.port_range"),
                ("nodes[0].ssh.user".to_string(), "ssh.user_empty"),
                ("nodes[0].ssh.host".to_string(), "ssh.host_invalid"),
                ("nodes[1].ssh.port".to_string(), "ssh.port_range"),
                ("ssh.knownHosts".to_string(), "ssh.path_empty"),
            ]
        );
    }

    #[test]
    fn addresses_names_and_edge_ports_pass() {
        let mut a = Answers::seed();
        for (i, host) in ["2018::22", "node03.lab.example"].into_iter().enumerate() {
            a.nodes[i].ssh = Some(NodeSsh {
                host: Some(host.into()),
                user: Some("admin".into()),
                port: Some([1, 65535][i]),
            });
        }
        assert_eq!(problems(&a), []);
        for bad in ["[2018::22]", "111.111.111.1222", "-oProxyCommand=x", ""] {
            assert!(!super::is_ssh_host(bad), "{bad}");
        }
    }
}
