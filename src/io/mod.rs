//! The one way dsinstall touches files and runs programs, for every command and the wizard
//! (and `apply`, which writes `/etc` as root):
//!
//! - [`write`]: a file replaced atomically through an unpredictable temporary name, never
//!   following a link planted in its place, with its mode set explicitly;
//! - [`file_set`]: a set of files put into a directory all together or not at all, under a
//!   lock, for `render --out` and a run's state directory;
//! - [`read`]: a regular file read with a size cap, so `/dev/zero` or a FIFO is an error and
//!   not gigabytes of memory or a hang; [`yaml`] refuses YAML nested too deep to parse in
//!   reasonable time;
//! - [`child`]: a program run in its own process group with one ordered output pipe, capped at
//!   the pipe, a deadline and a group kill, streamed line by line or captured.

pub mod child;
pub mod file_set;
pub mod read;
pub mod write;
pub mod yaml;

pub mod sys;
