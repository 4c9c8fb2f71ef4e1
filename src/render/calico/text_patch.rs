//! The patch replayed as line edits of upstream's text (`yaml_text`): the same changes
//! `manifest.rs` makes to the parsed documents, so that upstream's comments stay. Each
//! function gives up (None) on a layout it does not know; the caller then re-serializes.

use super::images;
use super::yaml_text::{Key, Text, indent, quote, scalar};

/// One `env::set` of calico-node's environment, as it was made on the parsed document.
#[derive(Debug, Clone)]
pub struct EnvSet {
    pub name: String,
    pub value: String,
    pub after: String,
}

/// `veth_mtu` and `cni_network_config` of the calico-config ConfigMap.
pub fn config(t: &mut Text, cni: &str, veth_mtu: Option<&str>) -> Option<()> {
    if let Some(mtu) = veth_mtu {
        let k = t.path(t.all(), &["data", "veth_mtu"])?;
        if !k.body.is_empty() {
            return None;
        }
        t.set_scalar(&k, mtu);
    }
    let k = t.path(t.all(), &["data", "cni_network_config"])?;
    let head = t.line(k.line).trim_end();
    if !(head.ends_with(": |-") || head.ends_with(": |")) {
        return None;
    }
    let first = k.body.clone().find(|&i| !t.line(i).trim().is_empty())?;
    let lead = " ".repeat(indent(t.line(first)));
    let lines = cni
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{lead}{l}")
            }
        })
        .collect();
    t.splice(k.body.clone(), lines);
    Some(())
}

fn node_env(t: &Text) -> Option<Key> {
    let c = t.path(t.all(), &["spec", "template", "spec", "containers"])?;
    let node = t.item_named(&t.items(&c), "calico-node")?;
    t.key(node.lines.clone(), "env", true)
}

/// calico-node's environment: each variable set in place (its `value` or `valueFrom`
/// replaced by the value) or added after its anchor, as `env::set` did.
pub fn env(t: &mut Text, sets: &[EnvSet]) -> Option<()> {
    for s in sets {
        let env = node_env(t)?;
        let items = t.items(&env);
        let dash = indent(t.line(items.first()?.dash));
        if let Some(it) = t.item_named(&items, &s.name) {
            let value = format!("{}value: {}", " ".repeat(it.key_indent(t)), quote(&s.value));
            let mut drop: Vec<std::ops::Range<usize>> = ["value", "valueFrom"]
                .iter()
                .filter_map(|k| t.key(it.lines.clone(), k, true))
                .map(|k| k.line..k.body.end.max(k.line + 1))
                .collect();
            if drop.iter().any(|r| r.start == it.dash) {
                return None;
            }
            drop.sort_by_key(|r| std::cmp::Reverse(r.start));
            let at = drop.last().map_or(it.lines.end, |r| r.start);
            for r in drop {
                t.splice(r, Vec::new());
            }
            t.splice(at..at, vec![value]);
        } else {
            let anchor = items
                .iter()
                .rev()
                .find(|it| t.item_named(std::slice::from_ref(*it), &s.after).is_some())
                .or(items.last())?;
            let at = anchor.lines.end;
            let lead = " ".repeat(dash);
            t.splice(
                at..at,
                vec![
                    format!("{lead}- name: {}", name(&s.name)),
                    format!("{lead}  value: {}", quote(&s.value)),
                ],
            );
        }
    }
    Some(())
}

fn name(n: &str) -> String {
    if n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        n.to_string()
    } else {
        quote(n)
    }
}

/// Every container and init container image of a workload, moved to `registry`.
pub fn images(t: &mut Text, registry: &str) -> Option<()> {
    for list in ["initContainers", "containers"] {
        let Some(k) = t.path(t.all(), &["spec", "template", "spec", list]) else {
            continue;
        };
        for it in t.items(&k) {
            let Some(img) = t.key(it.lines.clone(), "image", true) else {
                continue;
            };
            if !img.body.is_empty() {
                return None;
            }
            let old = scalar(&t.line(img.line)[img.indent + "image:".len()..]);
            let new = images::rewrite(&old, registry);
            if new != old {
                t.set_scalar(&img, &new);
            }
        }
    }
    Some(())
}
