//! A multi-document YAML stream split at its `---` markers, so that documents we do not
//! change are written back byte for byte (with upstream's comments), and the ones we patch
//! are written as line edits of upstream's text where that gives the patched value exactly
//! (`yaml_text`), else re-serialized.

use super::yaml_text::Text;
use serde_yaml::Value;

/// One document of the stream: its original text, and its parsed value (None when the
/// document holds only comments).
pub struct Document {
    pub text: String,
    pub value: Option<Value>,
    pub changed: bool,
    /// Upstream's text with the patch applied as line edits, comments kept; set only when it
    /// parses back to exactly `value`.
    pub edited: Option<String>,
}

/// Split at document markers. A `---` line at column 0 cannot sit inside a block scalar
/// (those are indented), so this split is the YAML structure's own.
pub fn split(stream: &str) -> Result<Vec<Document>, String> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in stream.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        // Directives (`%YAML 1.1`) belong to the document their `---` starts (YAML 1.2
        // §6.8), so a chunk holding one is not a document of its own.
        if is_marker(bare) && !current.is_empty() && !holds_directive(&current) {
            docs.push(std::mem::take(&mut current));
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        docs.push(current);
    }
    docs.into_iter()
        .enumerate()
        .map(|(i, text)| {
            let value: Value = serde_yaml::from_str(&text)
                .map_err(|e| format!("document {} is not valid YAML: {e}", i + 1))?;
            let value = if value.is_null() { None } else { Some(value) };
            Ok(Document {
                text,
                value,
                changed: false,
                edited: None,
            })
        })
        .collect()
}

/// Whether `chunk` is only the directives (with comments) before a document's `---`.
fn holds_directive(chunk: &str) -> bool {
    let only_prologue = chunk.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || l.starts_with('%')
    });
    only_prologue && chunk.lines().any(|l| l.starts_with('%'))
}

/// A `kind: List` (what `kubectl get -o json` writes, and a valid `kubectl apply -f` input)
/// becomes one document per item, so its calico-config and calico-node are found and patched
/// like those of a multi-document stream. The items are written back as YAML documents.
pub fn expand_lists(docs: Vec<Document>) -> Result<Vec<Document>, String> {
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        let items = d.value.as_ref().and_then(|v| {
            let is_list = v.get("kind").and_then(Value::as_str) == Some("List")
                && v.get("apiVersion").and_then(Value::as_str) == Some("v1");
            if is_list {
                v.get("items")?.as_sequence().cloned()
            } else {
                None
            }
        });
        let Some(items) = items else {
            out.push(d);
            continue;
        };
        for item in items {
            let body = serde_yaml::to_string(&item).map_err(|e| e.to_string())?;
            out.push(Document {
                text: format!("---\n{body}"),
                value: Some(item),
                changed: false,
                edited: None,
            });
        }
    }
    Ok(out)
}

fn is_marker(line: &str) -> bool {
    line == "---" || line.starts_with("--- ") || line.starts_with("---\t")
}

/// Join the documents back: unchanged ones verbatim, changed ones re-serialized after their
/// original leading comments and a note saying what dsinstall changed.
pub fn join(docs: &[Document], note: &str) -> Result<String, String> {
    let mut out = String::new();
    for d in docs {
        if !d.changed {
            out.push_str(&d.text);
            continue;
        }
        if let Some(edited) = &d.edited {
            out.push_str(&with_note(edited, note));
            continue;
        }
        let value = d.value.as_ref().expect("a changed document has a value");
        out.push_str("---\n");
        for line in d.text.lines().skip_while(|l| is_marker(l)) {
            if line.starts_with('#') {
                out.push_str(line);
                out.push('\n');
            } else {
                break;
            }
        }
        out.push_str(note);
        let body = serde_yaml::to_string(value).map_err(|e| e.to_string())?;
        out.push_str(&body);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// The note after a document's marker and leading comments (where the re-serialized form
/// puts it too).
fn with_note(text: &str, note: &str) -> String {
    let mut out = String::with_capacity(text.len() + note.len());
    let mut placed = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if !placed && !is_marker(bare) && !bare.starts_with('#') {
            out.push_str(note);
            placed = true;
        }
        out.push_str(line);
    }
    if !placed {
        out.push_str(note);
    }
    out
}

/// Whether `edited` says exactly what `value` says.
pub fn parses_to(edited: &str, value: &Value) -> bool {
    serde_yaml::from_str::<Value>(edited).is_ok_and(|v| &v == value)
}

/// Replay an edit on the document's text (upstream's, or the edits made so far) and keep the
/// result only when it parses to exactly the patched value; otherwise the document is
/// re-serialized, which loses its comments but not its meaning.
pub fn keep_comments(doc: &mut Document, edit: impl FnOnce(&mut Text) -> Option<()>) {
    let Some(value) = &doc.value else { return };
    // After an edit that fell back, the next one starts from upstream's text again and so
    // misses the earlier change: the comparison below then refuses it too.
    let mut t = Text::new(doc.edited.as_deref().unwrap_or(&doc.text));
    doc.edited = edit(&mut t)
        .map(|()| t.finish())
        .filter(|e| parses_to(e, value));
}

/// `kind` and `metadata.name` of a Kubernetes object.
pub fn kind_and_name(v: &Value) -> (Option<&str>, Option<&str>) {
    (
        v.get("kind").and_then(Value::as_str),
        v.get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_markers_and_keeps_untouched_text() {
        let s = "---\n# a\nkind: A\n---\n# only a comment\n---\nkind: B\nx: |\n  ---\n  y\n";
        let docs = split(s).unwrap();
        assert_eq!(docs.len(), 3);
        assert!(docs[1].value.is_none());
        assert_eq!(join(&docs, "").unwrap(), s);
    }

    #[test]
    fn a_directive_stays_with_its_document() {
        let s = "%YAML 1.1\n---\nkind: A\n---\nkind: B\n";
        let docs = split(s).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(kind_and_name(docs[0].value.as_ref().unwrap()).0, Some("A"));
        assert_eq!(join(&docs, "").unwrap(), s);
    }

    #[test]
    fn a_list_becomes_one_document_per_item() {
        let s = r#"{"apiVersion": "v1", "kind": "List", "items": [{"kind": "A"}, {"kind": "B"}]}"#;
        let docs = expand_lists(split(s).unwrap()).unwrap();
        let kinds: Vec<_> = docs
            .iter()
            .map(|d| kind_and_name(d.value.as_ref().unwrap()).0)
            .collect();
        assert_eq!(kinds, [Some("A"), Some("B")]);
        let joined = join(&docs, "").unwrap();
        assert!(split(&joined).unwrap().len() == 2, "{joined}");
    }

    #[test]
    fn a_broken_document_is_named() {
        let err = split("kind: A\n---\nkind: [\n").err().unwrap();
        assert!(err.starts_with("document 2 "), "{err}");
    }
}
