//! The calico-node container's environment, edited as a YAML list of `{name, value}`.

use serde_yaml::{Mapping, Value};

/// Set `name` to `value`: in place when the variable exists (dropping any `valueFrom`),
/// otherwise inserted after `after` (or appended), so related settings stay together.
pub fn set(env: &mut Vec<Value>, name: &str, value: &str, after: &str) {
    if let Some(entry) = env.iter_mut().find(|e| entry_name(e) == Some(name)) {
        let map = entry.as_mapping_mut().expect("entry_name found a mapping");
        map.remove("valueFrom");
        map.insert("value".into(), Value::from(value));
        return;
    }
    let mut map = Mapping::new();
    map.insert("name".into(), Value::from(name));
    map.insert("value".into(), Value::from(value));
    let at = env
        .iter()
        .rposition(|e| entry_name(e) == Some(after))
        .map(|i| i + 1)
        .unwrap_or(env.len());
    env.insert(at, Value::Mapping(map));
}

#[cfg(test)]
fn get<'a>(env: &'a [Value], name: &str) -> Option<&'a str> {
    env.iter()
        .find(|e| entry_name(e) == Some(name))
        .and_then(|e| e.get("value"))
        .and_then(Value::as_str)
}

fn entry_name(e: &Value) -> Option<&str> {
    e.get("name").and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(yaml: &str) -> Vec<Value> {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn replaces_in_place_and_inserts_after_anchor() {
        let mut e = env(
            "[{name: IP, value: autodetect}, {name: X, valueFrom: {k: v}}, {name: Z, value: z}]",
        );
        set(&mut e, "X", "1", "IP");
        set(&mut e, "IP6", "autodetect", "IP");
        set(&mut e, "NEW", "n", "MISSING");
        let names: Vec<_> = e.iter().map(|v| v["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["IP", "IP6", "X", "Z", "NEW"]);
        assert_eq!(get(&e, "X"), Some("1"));
        assert!(e[2].get("valueFrom").is_none());
    }
}
