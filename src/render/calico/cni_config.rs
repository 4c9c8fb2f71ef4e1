//! `calico-config`'s `cni_network_config`: a JSON template that is not JSON as shipped
//! (`"mtu": __CNI_MTU__,` is unquoted; install-cni substitutes it on the node). Unquoted
//! placeholders are quoted with a marker, the JSON is edited as a structure, and the markers
//! are taken off again.

use serde_json::Value;

const RAW: &str = "@dsinstall-raw@";

/// Set the calico plugin's IPAM to assign the families the plan has. The values are
/// strings: the CNI plugin's fields are `*string` and a JSON boolean fails to unmarshal
/// (calico cni-plugin pkg/types/types.go).
pub fn patch(template: &str, assign_v4: bool, assign_v6: bool) -> Result<String, String> {
    let quoted = quote_placeholders(template);
    let mut json: Value = serde_json::from_str(&quoted)
        .map_err(|e| format!("cni_network_config is not the JSON template Calico ships: {e}"))?;
    let plugins = json
        .get_mut("plugins")
        .and_then(Value::as_array_mut)
        .ok_or("cni_network_config has no \"plugins\" list")?;
    let calico = plugins
        .iter_mut()
        .find(|p| p.get("type").and_then(Value::as_str) == Some("calico"))
        .ok_or("cni_network_config has no plugin of type \"calico\"")?;
    let ipam = calico
        .get_mut("ipam")
        .and_then(Value::as_object_mut)
        .ok_or("the calico CNI plugin has no \"ipam\" object")?;
    if ipam.get("type").and_then(Value::as_str) != Some("calico-ipam") {
        return Err("the calico CNI plugin does not use calico-ipam (host-local IPAM gives pods only one family before Calico v3.22)".into());
    }
    ipam.insert("assign_ipv4".into(), Value::from(bool_str(assign_v4)));
    ipam.insert("assign_ipv6".into(), Value::from(bool_str(assign_v6)));
    // Upstream's layout where an insertion says the same; else the JSON re-printed.
    if let Some(text) = insert_in_place(template, assign_v4, assign_v6)
        && serde_json::from_str::<Value>(&quote_placeholders(&text)).is_ok_and(|v| v == json)
    {
        return Ok(text);
    }
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    Ok(unquote_placeholders(&text))
}

/// The two keys inserted after the one `"type": "calico-ipam"` of the template, in its
/// layout: on lines of their own with the same indentation, or on the same line.
fn insert_in_place(template: &str, v4: bool, v6: bool) -> Option<String> {
    const NEEDLE: &str = "\"type\": \"calico-ipam\"";
    if template.matches(NEEDLE).count() != 1 || template.contains("\"assign_ipv") {
        return None;
    }
    let at = template.find(NEEDLE)?;
    let line_start = template[..at].rfind('\n').map_or(0, |i| i + 1);
    let lead = &template[line_start..at];
    let (v4, v6) = (bool_str(v4), bool_str(v6));
    let keys = if lead.bytes().all(|b| b == b' ' || b == b'\t') {
        format!(",\n{lead}\"assign_ipv4\": \"{v4}\",\n{lead}\"assign_ipv6\": \"{v6}\"")
    } else {
        format!(", \"assign_ipv4\": \"{v4}\", \"assign_ipv6\": \"{v6}\"")
    };
    let end = at + NEEDLE.len();
    Some(format!("{}{keys}{}", &template[..end], &template[end..]))
}

fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// `__NAME__` outside a JSON string becomes `"@dsinstall-raw@__NAME__"`.
fn quote_placeholders(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 32);
    let mut in_string = false;
    let mut escaped = false;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < s.len() {
        let c = bytes[i];
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if c == b'"' {
            in_string = true;
        } else if let Some(len) = placeholder_at(&s[i..]) {
            out.push('"');
            out.push_str(RAW);
            out.push_str(&s[i..i + len]);
            out.push('"');
            i += len;
            continue;
        }
        let ch = s[i..].chars().next().expect("in bounds");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The length of a `__[A-Z0-9_]+__` placeholder at the start of `s`.
fn placeholder_at(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("__")?;
    let name_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
        .count();
    let name = &rest[..name_len];
    let name = name.strip_suffix("__")?;
    (!name.is_empty()).then_some(2 + name.len() + 2)
}

fn unquote_placeholders(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let needle = format!("\"{RAW}");
    while let Some(at) = rest.find(&needle) {
        out.push_str(&rest[..at]);
        let after = &rest[at + needle.len()..];
        let end = after.find('"').unwrap_or(after.len());
        out.push_str(&after[..end]);
        rest = &after[(end + 1).min(after.len())..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = r#"{
  "name": "k8s-pod-network",
  "plugins": [
    {
      "type": "calico",
      "nodename": "__KUBERNETES_NODE_NAME__",
      "mtu": __CNI_MTU__,
      "ipam": { "type": "calico-ipam" }
    },
    { "type": "portmap", "snat": true }
  ]
}"#;

    #[test]
    fn sets_string_flags_and_keeps_placeholders() {
        let out = patch(SHIPPED, true, true).unwrap();
        assert!(out.contains("\"mtu\": __CNI_MTU__,"), "{out}");
        assert!(out.contains("\"nodename\": \"__KUBERNETES_NODE_NAME__\""));
        let json: Value =
            serde_json::from_str(&out.replace("__CNI_MTU__", "1440")).expect("valid once filled");
        let ipam = &json["plugins"][0]["ipam"];
        assert_eq!(ipam["assign_ipv4"], "true");
        assert_eq!(ipam["assign_ipv6"], "true");
        assert_eq!(json["plugins"][1]["snat"], true);
    }

    #[test]
    fn keeps_upstream_layout() {
        let upstream = "{\n  \"plugins\": [\n    {\n      \"type\": \"calico\",\n      \"mtu\": __CNI_MTU__,\n      \"ipam\": {\n          \"type\": \"calico-ipam\"\n      }\n    }\n  ]\n}";
        let out = patch(upstream, true, false).unwrap();
        assert_eq!(
            out,
            upstream.replace(
                "          \"type\": \"calico-ipam\"\n",
                "          \"type\": \"calico-ipam\",\n          \"assign_ipv4\": \"true\",\n          \"assign_ipv6\": \"false\"\n"
            )
        );
        // One line: the keys go on it too.
        let out = patch(SHIPPED, true, true).unwrap();
        assert!(out.contains("\"ipam\": { \"type\": \"calico-ipam\", \"assign_ipv4\": \"true\", \"assign_ipv6\": \"true\" }"), "{out}");
        // Already set: re-printed, not inserted twice.
        let twice = patch(&out, false, true).unwrap();
        assert_eq!(twice.matches("assign_ipv4").count(), 1, "{twice}");
        assert!(twice.contains("\"assign_ipv4\": \"false\""));
    }

    #[test]
    fn ipv6_only_turns_ipv4_off() {
        let out = patch(SHIPPED, false, true).unwrap();
        assert!(out.contains("\"assign_ipv4\": \"false\""));
    }

    #[test]
    fn refuses_what_it_cannot_patch() {
        assert!(patch("{", true, true).is_err());
        assert!(
            patch(r#"{"plugins": []}"#, true, true)
                .unwrap_err()
                .contains("calico")
        );
        let host_local = r#"{"plugins":[{"type":"calico","ipam":{"type":"host-local"}}]}"#;
        assert!(
            patch(host_local, true, true)
                .unwrap_err()
                .contains("calico-ipam")
        );
    }
}
