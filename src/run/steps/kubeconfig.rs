//! `kubeconfig`: /etc/kubernetes/admin.conf copied to root's ~/.kube/config and, when run
//! through sudo, to the invoking user's (owned by them), 0600 — what kubeadm's success
//! message tells the reader to do by hand (cmd/kubeadm/app/cmd/init.go).

use super::common;
use super::probe_texts::said;
use crate::run::diagnose::coded;
use crate::run::kubectl::ADMIN_CONF;
use crate::run::step::{Change, Failure, Probe, Step, StepCx};
use std::time::Duration;

pub struct Kubeconfig;

/// Where a copy goes, and who owns it.
pub struct Target {
    pub path: String,
    pub owner: Option<(u32, u32)>,
}

/// root's, and SUDO_USER's when that is another user known to /etc/passwd under the root.
pub fn targets(cx: &dyn StepCx) -> Vec<Target> {
    let mut t = vec![Target {
        path: "/root/.kube/config".into(),
        owner: None,
    }];
    let user = std::env::var("SUDO_USER")
        .ok()
        .filter(|u| !u.is_empty() && u != "root");
    if let (Some(user), Some(passwd)) = (user, common::host_text(cx, "/etc/passwd")) {
        for l in passwd.lines() {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() >= 6
                && f[0] == user
                && let (Ok(uid), Ok(gid)) = (f[2].parse(), f[3].parse())
                && f[5].starts_with('/')
                && f[5] != "/root"
            {
                t.push(Target {
                    path: format!("{}/.kube/config", f[5].trim_end_matches('/')),
                    owner: Some((uid, gid)),
                });
            }
        }
    }
    t
}

impl Step for Kubeconfig {
    fn id(&self) -> String {
        "kubeconfig".into()
    }
    fn deadline(&self) -> Duration {
        Duration::from_secs(60)
    }
    fn probe(&self, cx: &mut dyn StepCx) -> Result<Probe, Failure> {
        let admin = common::host_text(cx, ADMIN_CONF);
        let stale: Vec<String> = targets(cx)
            .into_iter()
            .filter(|t| admin.is_none() || common::host_text(cx, &t.path) != admin)
            .map(|t| t.path)
            .collect();
        Ok(if stale.is_empty() {
            Probe::Done(said("probe.kubeconfig.match", &[]))
        } else {
            Probe::Needed(said("probe.kubeconfig.stale", &[&stale.join(", ")]))
        })
    }
    fn changes(&self, cx: &mut dyn StepCx) -> Vec<Change> {
        targets(cx)
            .into_iter()
            .map(|t| Change::Note(said("change.kubeconfig.copy", &[&ADMIN_CONF, &t.path])))
            .collect()
    }
    fn act(&self, cx: &mut dyn StepCx) -> Result<(), Failure> {
        let admin = common::host_text(cx, ADMIN_CONF)
            .ok_or_else(|| coded("run.kubeconfig.missing", &[&ADMIN_CONF]))?;
        for t in targets(cx) {
            common::write_host(cx, &t.path, &admin, 0o600)?;
            if let Some((uid, gid)) = t.owner {
                let p = cx.host_path(&t.path);
                for q in [p.parent().map(|d| d.to_path_buf()), Some(p.clone())]
                    .into_iter()
                    .flatten()
                {
                    std::os::unix::fs::chown(&q, Some(uid), Some(gid))
                        .map_err(|e| coded("run.kubeconfig.chown", &[&q.display(), &uid, &e]))?;
                }
            }
        }
        Ok(())
    }
}
