//! `kubeadm token create [--print-join-command]` and `token list`.

use super::{EXIT_DEFAULT, Flags, fail};
use crate::sim::cluster::time;
use crate::sim::state::Ctx;
use crate::sim::version::Version;
use crate::sim::{Exit, pki};

const NO_ADMIN: &str =
    "failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory";

pub fn create(ctx: &Ctx, v: Version, args: &[String]) -> Exit {
    let flags = match Flags::parse(
        args,
        &[
            "ttl",
            "description",
            "usages",
            "groups",
            "kubeconfig",
            "config",
            "certificate-key",
        ],
        &["print-join-command"],
    ) {
        Ok(f) => f,
        Err(e) => return fail(v, &e, EXIT_DEFAULT),
    };
    let token = flags
        .positional
        .first()
        .cloned()
        .unwrap_or_else(pki::random_token);
    let r = ctx.update(|w| {
        let c = w.cluster.as_mut().ok_or(NO_ADMIN)?;
        c.tokens.push(token.clone());
        Ok((
            c.endpoint.clone(),
            c.ca_hash.clone(),
            c.certificate_key.clone(),
        ))
    });
    match r {
        Err(e) => fail(v, &e, EXIT_DEFAULT),
        Ok((endpoint, hash, key)) => {
            if flags.has("print-join-command") {
                let cp = match flags.get("certificate-key") {
                    Some(k) => format!("--control-plane --certificate-key {k} "),
                    None => String::new(),
                };
                let _ = key;
                println!(
                    "kubeadm join {endpoint} --token {token} --discovery-token-ca-cert-hash {hash} {cp}"
                );
            } else {
                println!("{token}");
            }
            0
        }
    }
}

pub fn list(ctx: &Ctx, v: Version, args: &[String]) -> Exit {
    if let Err(e) = Flags::parse(args, &["kubeconfig", "output", "o"], &[]) {
        return fail(v, &e, EXIT_DEFAULT);
    }
    let w = match ctx.load() {
        Ok(w) => w,
        Err(e) => return fail(v, &e, EXIT_DEFAULT),
    };
    let Some(c) = &w.cluster else {
        return fail(v, NO_ADMIN, EXIT_DEFAULT);
    };
    println!(
        "{:<25} {:<11} {:<22} {:<24} {:<58} EXTRA GROUPS",
        "TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION"
    );
    for (i, t) in c.tokens.iter().enumerate() {
        let expired = w.has_fault("token-expired") && i < c.init_token_count;
        if expired {
            continue;
        }
        println!(
            "{:<25} {:<11} {:<22} {:<24} {:<58} system:bootstrappers:kubeadm:default-node-token",
            t,
            "23h",
            time::rfc3339(c.created + 86_400),
            "authentication,signing",
            "<none>"
        );
    }
    0
}
