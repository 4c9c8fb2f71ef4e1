//! Reading the files the real tools read: bounded in size, split into YAML documents the way
//! kubectl and kubeadm split them (on `---` lines), each parsed on its own.

use std::path::Path;

/// Larger than any manifest the lab applies (Calico's operator manifest is ~1.5 MB).
const MAX_FILE: u64 = 16 << 20;

/// Read a text file of bounded size.
pub fn read_bounded(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut text = String::new();
    f.take(MAX_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if text.len() as u64 > MAX_FILE {
        return Err(format!(
            "{}: larger than {} bytes",
            path.display(),
            MAX_FILE
        ));
    }
    Ok(text)
}

/// Read stdin, bounded the same way.
pub fn read_stdin() -> Result<String, String> {
    use std::io::Read;
    let mut text = String::new();
    std::io::stdin()
        .take(MAX_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("stdin: {e}"))?;
    Ok(text)
}

/// The documents of a YAML stream, empty ones dropped; a parse error says which document.
pub fn documents(text: &str) -> Result<Vec<serde_yaml::Value>, String> {
    use serde::Deserialize;
    let mut docs = Vec::new();
    for (i, d) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let v =
            serde_yaml::Value::deserialize(d).map_err(|e| format!("document {}: {e}", i + 1))?;
        if !v.is_null() {
            docs.push(v);
        }
    }
    Ok(docs)
}

/// A YAML value as JSON (what the API server stores).
pub fn to_json(v: &serde_yaml::Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents_and_drops_empty_ones() {
        let d = documents("a: 1\n---\n---\nb: 2\n").unwrap();
        assert_eq!(d.len(), 2);
        assert!(documents("a: [\n").is_err());
    }
}
