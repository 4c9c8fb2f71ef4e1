//! The journal file: append-only JSON lines (`event.rs`), written by the runner only, read
//! by every client. A follower keeps its byte offset and a torn tail, so following costs a
//! read of what is new, whatever the journal's length.

use super::event::Event;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The runner's end: appends one event a line, flushed as it goes.
pub struct Writer {
    file: File,
}

impl Writer {
    /// Open (creating 0600) the journal for appending.
    pub fn open(path: &Path) -> io::Result<Writer> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)?;
        Ok(Writer { file })
    }

    /// Append one event. A single write(2) of the whole line, so a reader never sees half
    /// of a line except when the runner dies inside the call.
    pub fn append(&mut self, e: &Event) -> io::Result<()> {
        let mut line = e.to_line();
        line.push('\n');
        self.file.write_all(line.as_bytes())
    }
}

/// A client's end: reads the events appended since the last call.
pub struct Follower {
    path: PathBuf,
    offset: u64,
    partial: Vec<u8>,
}

impl Follower {
    pub fn new(path: &Path) -> Follower {
        Follower {
            path: path.to_path_buf(),
            offset: 0,
            partial: Vec::new(),
        }
    }

    /// The events appended since the last call (none when the journal does not exist yet).
    /// At most `max_bytes` are read per call, so a client catching up on a long journal
    /// stays responsive.
    pub fn poll(&mut self, max_bytes: usize) -> io::Result<Vec<Event>> {
        let mut f = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        f.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::with_capacity(max_bytes.min(1 << 20));
        let n = f.take(max_bytes as u64).read_to_end(&mut buf)?;
        self.offset += n as u64;
        let mut events = Vec::new();
        let mut start = 0;
        for (i, b) in buf.iter().enumerate() {
            if *b == b'\n' {
                let line: &[u8] = if self.partial.is_empty() {
                    &buf[start..i]
                } else {
                    self.partial.extend_from_slice(&buf[start..i]);
                    &self.partial
                };
                if let Some(e) = std::str::from_utf8(line).ok().and_then(Event::from_line) {
                    events.push(e);
                }
                self.partial.clear();
                start = i + 1;
            }
        }
        self.partial.extend_from_slice(&buf[start..]);
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::event::Event;

    #[test]
    fn follower_reads_only_what_is_new_and_waits_for_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("journal.jsonl");
        let mut f = Follower::new(&p);
        assert!(f.poll(1 << 16).unwrap().is_empty());
        let mut w = Writer::open(&p).unwrap();
        let line = |t: &str| Event::Line {
            step: "preflight".into(),
            text: t.into(),
        };
        w.append(&line("a")).unwrap();
        assert_eq!(f.poll(1 << 16).unwrap(), vec![line("a")]);
        // Half a line: nothing yet; the rest: the event.
        let whole = format!("{}\n", line("b").to_line());
        let (h, t) = whole.split_at(10);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(h.as_bytes())
            .unwrap();
        assert!(f.poll(1 << 16).unwrap().is_empty());
        std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(t.as_bytes())
            .unwrap();
        assert_eq!(f.poll(1 << 16).unwrap(), vec![line("b")]);
    }
}
