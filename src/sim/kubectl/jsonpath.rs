//! kubectl's JSONPath subset (k8s.io/client-go/util/jsonpath): fields, `[n]`, `[*]`,
//! `[?(@.k=="v")]` filters, `{range ...}{end}`, quoted literals like `{"\n"}`.

use serde_json::Value;

/// Render `template` over `root`. Err: kubectl's parse error text.
pub fn render(template: &str, root: &Value) -> Result<String, String> {
    let tokens = tokenize(template)?;
    let mut out = String::new();
    exec(&tokens, std::slice::from_ref(root), root, &mut out)?;
    Ok(out)
}

#[derive(Debug, Clone)]
enum Tok {
    Text(String),
    Expr(String),
    Range(String),
    End,
}

fn tokenize(t: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(start) = rest.find('{') {
        if start > 0 {
            out.push(Tok::Text(rest[..start].to_string()));
        }
        let end = rest[start..]
            .find('}')
            .ok_or_else(|| format!("error parsing jsonpath {t}, unclosed action"))?
            + start;
        let inner = rest[start + 1..end].trim();
        if let Some(r) = inner.strip_prefix("range ") {
            out.push(Tok::Range(r.trim().to_string()));
        } else if inner == "end" {
            out.push(Tok::End);
        } else if let Some(lit) = inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            out.push(Tok::Text(lit.replace("\\n", "\n").replace("\\t", "\t")));
        } else {
            out.push(Tok::Expr(inner.to_string()));
        }
        rest = &rest[end + 1..];
    }
    if !rest.is_empty() {
        out.push(Tok::Text(rest.to_string()));
    }
    Ok(out)
}

fn exec(toks: &[Tok], cur: &[Value], root: &Value, out: &mut String) -> Result<(), String> {
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Text(s) => out.push_str(s),
            Tok::Expr(e) => {
                let vals: Vec<Value> = cur.iter().flat_map(|c| eval(e, c, root)).collect();
                let parts: Vec<String> = vals.iter().map(show).collect();
                out.push_str(&parts.join(" "));
            }
            Tok::Range(e) => {
                let mut depth = 1;
                let mut j = i + 1;
                while j < toks.len() {
                    match toks[j] {
                        Tok::Range(_) => depth += 1,
                        Tok::End => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j >= toks.len() {
                    return Err("error parsing jsonpath, not in range".into());
                }
                let items: Vec<Value> = cur.iter().flat_map(|c| eval(e, c, root)).collect();
                for item in items {
                    exec(&toks[i + 1..j], &[item], root, out)?;
                }
                i = j;
            }
            Tok::End => return Err("error parsing jsonpath, not in range".into()),
        }
        i += 1;
    }
    Ok(())
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Evaluate a path like `.items[*].status.addresses[?(@.type=="InternalIP")].address`.
fn eval(expr: &str, cur: &Value, root: &Value) -> Vec<Value> {
    let (mut vals, path) = if let Some(p) = expr.strip_prefix('$') {
        (vec![root.clone()], p)
    } else if let Some(p) = expr.strip_prefix('@') {
        (vec![cur.clone()], p)
    } else {
        (vec![cur.clone()], expr)
    };
    let mut p = path;
    while !p.is_empty() {
        if let Some(rest) = p.strip_prefix('.') {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let key = &rest[..end];
            p = &rest[end..];
            if key.is_empty() {
                continue;
            }
            vals = vals.iter().filter_map(|v| v.get(key).cloned()).collect();
        } else if let Some(rest) = p.strip_prefix('[') {
            let Some(end) = rest.find(']') else {
                return Vec::new();
            };
            let sel = &rest[..end];
            p = &rest[end + 1..];
            vals = vals
                .iter()
                .flat_map(|v| {
                    let arr = v.as_array().cloned().unwrap_or_default();
                    if sel == "*" {
                        if v.is_object() {
                            v.as_object()
                                .map(|o| o.values().cloned().collect())
                                .unwrap_or_default()
                        } else {
                            arr
                        }
                    } else if let Some(f) = sel.strip_prefix("?(").and_then(|s| s.strip_suffix(')'))
                    {
                        arr.into_iter().filter(|x| filter(f, x, root)).collect()
                    } else if let Ok(n) = sel.parse::<i64>() {
                        let idx = if n < 0 { arr.len() as i64 + n } else { n };
                        arr.get(idx as usize).cloned().into_iter().collect()
                    } else {
                        let key = sel.trim_matches('\'').trim_matches('"');
                        v.get(key).cloned().into_iter().collect()
                    }
                })
                .collect();
        } else {
            return Vec::new();
        }
    }
    vals
}

fn filter(f: &str, x: &Value, root: &Value) -> bool {
    for op in ["==", "!="] {
        if let Some((l, r)) = f.split_once(op) {
            let lv = eval(l.trim(), x, root)
                .first()
                .map(show)
                .unwrap_or_default();
            let rv = r.trim().trim_matches('"').trim_matches('\'').to_string();
            return (lv == rv) == (op == "==");
        }
    }
    !eval(f.trim(), x, root).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_checks_templates() {
        let n = json!({"spec": {"podCIDRs": ["10.10.0.0/24", "2019:20::/120"]}, "status": {"addresses": [{"type": "InternalIP", "address": "111.111.111.121"}, {"type": "Hostname", "address": "node01"}]}});
        assert_eq!(
            render("{.spec.podCIDRs}", &n).unwrap(),
            r#"["10.10.0.0/24","2019:20::/120"]"#
        );
        assert_eq!(
            render("{range .spec.podCIDRs[*]}{@}{\"\\n\"}{end}", &n).unwrap(),
            "10.10.0.0/24\n2019:20::/120\n"
        );
        assert_eq!(
            render("{.status.addresses[?(@.type==\"InternalIP\")].address}", &n).unwrap(),
            "111.111.111.121"
        );
        assert_eq!(render("{.spec.podCIDRs[0]}", &n).unwrap(), "10.10.0.0/24");
        let list = json!({"items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]});
        assert_eq!(render("{.items[*].metadata.name}", &list).unwrap(), "a b");
    }
}
