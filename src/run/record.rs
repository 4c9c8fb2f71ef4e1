//! What a run keeps about itself in the state directory besides the journal (run.md, "Where
//! things live"): `run.json` (the run id, the answers it was started from and their
//! fingerprint, the options, when its secrets were made, the secrets themselves for
//! redaction) and `answers.yaml`, the run's own copy of the answers, so that every resume
//! uses the same answers whatever happens to the user's file. Both are 0600 in the 0700
//! state directory: run.json holds the bootstrap token and the certificate key.

use crate::io::{read, write};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};

pub const RECORD: &str = "run.json";
pub const ANSWERS_COPY: &str = "answers.yaml";
pub const RENDERED: &str = "rendered";
pub const BACKUPS: &str = "backups";
pub const LOCK: &str = "lock";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Record {
    pub run: String,
    /// The answers file the user gave (absolute), for messages and status.
    pub answers: String,
    /// `state::fingerprint` of its bytes when the run started.
    pub fingerprint: String,
    pub log: String,
    /// `--root`.
    pub root: String,
    pub yes: bool,
    pub skip_image_pull: bool,
    /// `apply --wait-timeout`: how long the waits wait, in seconds.
    #[serde(default = "default_wait")]
    pub wait_timeout_secs: u64,
    /// Unix seconds the bootstrap token and the certificate key were made.
    pub token_created: u64,
    pub certificate_key_created: u64,
    pub token: String,
    pub certificate_key: String,
    /// Started by `dsinstall --demo` on the simulated lab: preflight takes the lab's node01
    /// (`host::demo_facts_for`) instead of detecting this host.
    #[serde(default)]
    pub demo: bool,
}

impl Record {
    pub fn path(state: &Path) -> PathBuf {
        state.join(RECORD)
    }

    /// The state directory's run, None when there is none.
    pub fn load(state: &Path) -> io::Result<Option<Record>> {
        let p = Record::path(state);
        match read::read_text(&p, 1 << 20) {
            Ok(t) => serde_json::from_str(&t).map(Some).map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", p.display()))
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", p.display()))),
        }
    }

    pub fn save(&self, state: &Path) -> io::Result<()> {
        let text = serde_json::to_string_pretty(self).expect("records serialise");
        write::write_file(&Record::path(state), text.as_bytes(), write::PRIVATE)
    }

    /// The run's secrets, for the redactor.
    pub fn secrets(&self) -> [&str; 2] {
        [self.token.as_str(), self.certificate_key.as_str()]
    }
}

fn default_wait() -> u64 {
    super::steps::WAIT_DEFAULT.as_secs()
}

/// A new run id: `<UTC time>-<4 random hex digits>`, safe in a unit name and a file name.
pub fn new_run_id() -> String {
    let r = crate::io::sys::random_suffix();
    format!(
        "{}-{}",
        crate::clock::compact(crate::clock::now_secs()),
        &r[..4]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_record_round_trips_private() {
        let d = tempfile::tempdir().unwrap();
        assert_eq!(Record::load(d.path()).unwrap(), None);
        let r = Record {
            run: new_run_id(),
            answers: "/a.yaml".into(),
            fingerprint: "sha256:00".into(),
            log: "/l".into(),
            root: "/".into(),
            yes: false,
            skip_image_pull: true,
            wait_timeout_secs: 600,
            token_created: 1,
            certificate_key_created: 2,
            token: "abcdef.0123456789abcdef".into(),
            certificate_key: "00".into(),
            demo: true,
        };
        r.save(d.path()).unwrap();
        assert_eq!(Record::load(d.path()).unwrap(), Some(r.clone()));
        let mode = std::fs::metadata(Record::path(d.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(
            r.run.len() == 20 && r.run.as_bytes()[8] == b'T',
            "{}",
            r.run
        );
    }

    /// Records written before `demo` existed still load, as runs on a real host.
    #[test]
    fn a_record_without_demo_loads_as_not_demo() {
        let d = tempfile::tempdir().unwrap();
        let old = r#"{"run":"r","answers":"/a.yaml","fingerprint":"f","log":"/l","root":"/",
            "yes":false,"skipImagePull":false,"tokenCreated":1,"certificateKeyCreated":2,
            "token":"t","certificateKey":"k"}"#;
        std::fs::write(Record::path(d.path()), old).unwrap();
        let r = Record::load(d.path()).unwrap().unwrap();
        assert!(!r.demo);
        assert_eq!(
            r.wait_timeout_secs,
            crate::run::steps::WAIT_DEFAULT.as_secs()
        );
    }
}
