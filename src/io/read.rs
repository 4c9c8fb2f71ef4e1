//! Reading an input file with bounds: only a regular file (a FIFO would block, `/dev/zero`
//! never ends), at most a given size, checked before and while reading (a file can grow, and
//! procfs files report size 0). Errors are one sentence without the path; callers put the
//! path (or the field that named it) in front.

use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The most dsinstall reads from any one input file.
pub const MAX_FILE: u64 = 64 << 20;

/// The bytes of the regular file at `path`, at most `cap` of them.
pub fn read_bytes(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let st = super::sys::fstat(&f)?;
    if !super::sys::is_regular(&st) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("is {}, not a regular file", super::sys::kind_of(st.st_mode)),
        ));
    }
    let too_big = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("is larger than {}, the most dsinstall reads", size(cap)),
        )
    };
    if st.st_size as u64 > cap {
        return Err(too_big());
    }
    let mut data = Vec::with_capacity((st.st_size as u64).min(cap) as usize);
    f.take(cap + 1).read_to_end(&mut data)?;
    if data.len() as u64 > cap {
        return Err(too_big());
    }
    Ok(data)
}

/// `read_bytes`, as UTF-8 text.
pub fn read_text(path: &Path, cap: u64) -> io::Result<String> {
    String::from_utf8(read_bytes(path, cap)?).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "is not UTF-8 text (byte {} is not)",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// `n` bytes for a message: `64 MiB`, `1 MiB`, `512 KiB`, `100 bytes`.
pub fn size(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_cap() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a");
        std::fs::write(&p, "hello").unwrap();
        assert_eq!(read_text(&p, 5).unwrap(), "hello");
        let e = read_text(&p, 4).unwrap_err().to_string();
        assert_eq!(e, "is larger than 4 bytes, the most dsinstall reads");
        let e = read_text(Path::new("/dev/zero"), MAX_FILE).unwrap_err();
        assert_eq!(e.to_string(), "is a character device, not a regular file");
        let e = read_text(d.path(), MAX_FILE).unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
        // A FIFO with no writer: refused at once, not waited on.
        let fifo = d.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_text(&fifo, MAX_FILE).unwrap_err();
        assert_eq!(e.to_string(), "is a FIFO, not a regular file");
        std::fs::write(&p, [b'a', 0xff]).unwrap();
        let e = read_text(&p, MAX_FILE).unwrap_err();
        assert_eq!(e.to_string(), "is not UTF-8 text (byte 1 is not)");
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(size(MAX_FILE), "64 MiB");
        assert_eq!(size(512 << 10), "512 KiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}
