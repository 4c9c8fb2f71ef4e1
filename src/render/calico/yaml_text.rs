//! Line edits of a block-style YAML document, so that the documents the patch changes keep
//! upstream's comments ("Changing this value after installation will have no effect" and the
//! like). The edits are found by key paths and list items the way upstream writes its
//! manifests (block style, two-space steps, lists either indented or level with their key).
//!
//! The edit is never trusted on its own: the caller parses the edited text and compares it
//! with the structurally patched value, and re-serializes the document when they differ.

use std::ops::Range;

/// A document as lines (without their line ends), edited in place.
pub struct Text {
    lines: Vec<String>,
}

/// A mapping key found in the document: its line, its indentation, and the lines of its value
/// (from the line after the key to the last content line that belongs to it).
#[derive(Debug, Clone)]
pub struct Key {
    pub line: usize,
    pub indent: usize,
    pub body: Range<usize>,
}

/// One item of a block sequence: the line of its `- `, the indentation of the dash, and its
/// lines up to its last content line.
#[derive(Debug, Clone)]
pub struct Item {
    pub dash: usize,
    pub lines: Range<usize>,
}

impl Item {
    /// The indentation of the item's mapping keys (the first is on the dash line).
    pub fn key_indent(&self, t: &Text) -> usize {
        indent(&t.lines[self.dash]) + 2
    }
}

pub(super) fn indent(l: &str) -> usize {
    l.len() - l.trim_start_matches(' ').len()
}

/// A line that is part of the YAML structure: not blank, not a comment.
fn is_content(l: &str) -> bool {
    let t = l.trim_start();
    !t.is_empty() && !t.starts_with('#')
}

impl Text {
    pub fn new(text: &str) -> Text {
        Text {
            lines: text.lines().map(str::to_string).collect(),
        }
    }

    pub fn finish(&self) -> String {
        let mut s = self.lines.join("\n");
        s.push('\n');
        s
    }

    pub fn line(&self, i: usize) -> &str {
        &self.lines[i]
    }

    /// The whole document as a range (the top-level mapping).
    pub fn all(&self) -> Range<usize> {
        0..self.lines.len()
    }

    /// The column where the content of line `i` starts when it is the first line of a list
    /// item's mapping (`- name: x` → the column of `name`), else its indentation.
    fn key_column(&self, i: usize, first_of_item: bool) -> usize {
        let l = &self.lines[i];
        let ind = indent(l);
        if first_of_item && l[ind..].starts_with("- ") {
            ind + 2
        } else {
            ind
        }
    }

    /// The last content line in `from..to` that belongs to a value more indented than
    /// `parent` (or a list level with it), +1; `from` when there is none.
    fn body_end(&self, from: usize, to: usize, parent: usize) -> usize {
        let mut end = from;
        for i in from..to {
            let l = &self.lines[i];
            if !is_content(l) {
                continue;
            }
            let ind = indent(l);
            if ind > parent || (ind == parent && l[ind..].starts_with("- ")) {
                end = i + 1;
            } else {
                break;
            }
        }
        end
    }

    /// `key:` of the mapping whose lines are `within`. `item` says that the range starts at a
    /// list item's dash line, whose first key sits after the dash.
    pub fn key(&self, within: Range<usize>, key: &str, item: bool) -> Option<Key> {
        let first = (within.start..within.end).find(|&i| is_content(&self.lines[i]))?;
        let col = self.key_column(first, item);
        for i in first..within.end {
            let l = &self.lines[i];
            if !is_content(l) {
                continue;
            }
            let c = self.key_column(i, item && i == first);
            if c < col {
                break;
            }
            if c != col {
                continue;
            }
            let rest = &l[c..];
            if rest
                .strip_prefix(key)
                .is_some_and(|r| r.starts_with(':') && (r.len() == 1 || r[1..].starts_with(' ')))
            {
                let end = self.body_end(i + 1, within.end, col);
                return Some(Key {
                    line: i,
                    indent: col,
                    body: i + 1..end,
                });
            }
        }
        None
    }

    /// A path of keys from the top of `within`.
    pub fn path(&self, within: Range<usize>, keys: &[&str]) -> Option<Key> {
        let mut range = within;
        let mut found = None;
        for k in keys {
            let key = self.key(range.clone(), k, false)?;
            range = key.body.clone();
            found = Some(key);
        }
        found
    }

    /// The items of the block sequence that is the value of `key`.
    pub fn items(&self, key: &Key) -> Vec<Item> {
        let body = key.body.clone();
        let Some(first) = (body.start..body.end).find(|&i| is_content(&self.lines[i])) else {
            return Vec::new();
        };
        let dash = indent(&self.lines[first]);
        if !self.lines[first][dash..].starts_with("- ") {
            return Vec::new();
        }
        let starts: Vec<usize> = (first..body.end)
            .filter(|&i| {
                let l = &self.lines[i];
                is_content(l) && indent(l) == dash && l[dash..].starts_with("- ")
            })
            .collect();
        starts
            .iter()
            .enumerate()
            .map(|(n, &s)| {
                let next = starts.get(n + 1).copied().unwrap_or(body.end);
                Item {
                    dash: s,
                    lines: s..self.body_end(s + 1, next, dash).max(s + 1),
                }
            })
            .collect()
    }

    /// The item whose mapping has `name: <name>` (quoted or not).
    pub fn item_named(&self, items: &[Item], name: &str) -> Option<Item> {
        items
            .iter()
            .find(|it| {
                self.key(it.lines.clone(), "name", true)
                    .map(|k| scalar(&self.lines[k.line][k.indent + "name:".len()..]))
                    .is_some_and(|v| v == name)
            })
            .cloned()
    }

    /// Replace lines `range` by `new`.
    pub fn splice(&mut self, range: Range<usize>, new: Vec<String>) {
        self.lines.splice(range, new);
    }

    /// Replace the scalar value on a key's own line, keeping the key and its indentation.
    pub fn set_scalar(&mut self, key: &Key, value: &str) {
        let l = &self.lines[key.line];
        let colon = key.indent + l[key.indent..].find(':').expect("a key line has a colon");
        let head = l[..=colon].to_string();
        self.lines[key.line] = format!("{head} {}", quote(value));
    }
}

/// A plain or quoted YAML scalar as written after `key:` (no flow collections).
pub fn scalar(s: &str) -> String {
    let t = s.trim();
    let t = match t.find(" #") {
        Some(i) if !t.starts_with(['"', '\'']) => t[..i].trim_end(),
        _ => t,
    };
    if let Some(inner) = t.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        serde_json::from_str::<String>(&format!("\"{inner}\"")).unwrap_or_else(|_| inner.into())
    } else if let Some(inner) = t.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
        inner.replace("''", "'")
    } else {
        t.to_string()
    }
}

/// A string as a YAML double-quoted scalar (JSON's escapes are YAML's too).
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
---
# a comment
kind: DaemonSet
spec:
  template:
    spec:
      containers:
        # the main one
        - name: calico-node
          image: calico/node:v1
          env:
            # first
            - name: A
              value: \"a\"
            # second, from a config map
            - name: B
              valueFrom:
                configMapKeyRef:
                  key: b
            - name: C
              value: c
          securityContext:
            privileged: true
        - name: other
          env:
          - name: A
            value: x
";

    #[test]
    fn finds_keys_items_and_their_lines() {
        let t = Text::new(DOC);
        let c = t
            .path(t.all(), &["spec", "template", "spec", "containers"])
            .unwrap();
        let items = t.items(&c);
        assert_eq!(items.len(), 2);
        let node = t.item_named(&items, "calico-node").unwrap();
        assert_eq!(t.line(node.dash), "        - name: calico-node");
        let env = t.key(node.lines.clone(), "env", true).unwrap();
        let e = t.items(&env);
        assert_eq!(e.len(), 3);
        let b = t.item_named(&e, "B").unwrap();
        // B's lines end at its last content line, not at C's comment.
        assert_eq!(t.line(b.lines.end - 1), "                  key: b");
        let vf = t.key(b.lines.clone(), "valueFrom", true).unwrap();
        assert_eq!(vf.body.len(), 2);
        let image = t.key(node.lines.clone(), "image", true).unwrap();
        assert_eq!(
            scalar(&t.line(image.line)[image.indent + 6..]),
            "calico/node:v1"
        );
        // A list level with its key (`env:` then `- name` at the same column).
        let other = t.item_named(&items, "other").unwrap();
        let env2 = t.key(other.lines.clone(), "env", true).unwrap();
        assert_eq!(t.items(&env2).len(), 1);
        assert!(t.item_named(&e, "Z").is_none());
    }

    #[test]
    fn set_scalar_keeps_key_and_comments() {
        let mut t = Text::new("data:\n  # keep\n  veth_mtu: \"0\"\n");
        let k = t.path(t.all(), &["data", "veth_mtu"]).unwrap();
        t.set_scalar(&k, "1440");
        assert_eq!(t.finish(), "data:\n  # keep\n  veth_mtu: \"1440\"\n");
    }

    #[test]
    fn scalars_unquote() {
        assert_eq!(scalar(" \"a\\\"b\""), "a\"b");
        assert_eq!(scalar(" 'it''s'"), "it's");
        assert_eq!(scalar(" plain # note"), "plain");
    }
}
