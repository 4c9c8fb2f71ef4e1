//! klog's line header, which kubeadm's warnings carry: `W1201 22:30:00.123456   12345 file.go:83] msg`.

pub fn warning(file_line: &str, msg: &str) -> String {
    header('W', file_line, msg)
}

fn header(level: char, file_line: &str, msg: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let (mo, d, h, mi, s) = crate::sim::cluster::time::month_day_hms(now.as_secs());
    format!(
        "{level}{mo:02}{d:02} {h:02}:{mi:02}:{s:02}.{:06} {:>7} {file_line}] {msg}",
        now.subsec_micros(),
        std::process::id()
    )
}
