//! Refusing YAML nested too deep before it is parsed into values. serde_yaml loads every
//! event of a document before it applies its own recursion limit (128), and libyaml's
//! scanner re-checks every open flow level for each token (`yaml_parser_stale_simple_keys`
//! in libyaml's scanner.c), so `[[[[...` 100 000 levels deep costs about a minute. Walking
//! the events and stopping at the first level past the limit costs as much as the limit.

use std::mem::MaybeUninit;
use unsafe_libyaml as unsafe_sys;

/// Deeper than any answers file or Kubernetes manifest (Calico's CRDs nest about 30 levels;
/// serde_yaml itself refuses past 128).
pub const MAX_DEPTH: usize = 100;

/// Err with the 1-based line where the nesting passes `MAX_DEPTH`. Input that is not valid
/// YAML passes: the parser that follows reports it better.
pub fn check_depth(text: &str) -> Result<(), String> {
    let mut parser = Box::new(MaybeUninit::<unsafe_sys::yaml_parser_t>::uninit());
    let p = parser.as_mut_ptr();
    // SAFETY: the parser is initialized before use and deleted once, below; `text` outlives
    // it; every event parsed successfully is deleted after its fields are read.
    unsafe {
        if unsafe_sys::yaml_parser_initialize(p).fail {
            return Ok(());
        }
        unsafe_sys::yaml_parser_set_encoding(p, unsafe_sys::YAML_UTF8_ENCODING);
        unsafe_sys::yaml_parser_set_input_string(p, text.as_ptr(), text.len() as _);
        let mut depth = 0usize;
        let mut result = Ok(());
        loop {
            let mut event = MaybeUninit::<unsafe_sys::yaml_event_t>::uninit();
            let e = event.as_mut_ptr();
            if unsafe_sys::yaml_parser_parse(p, e).fail {
                break;
            }
            let kind = (*e).type_;
            let line = (*e).start_mark.line + 1;
            unsafe_sys::yaml_event_delete(e);
            match kind {
                unsafe_sys::YAML_SEQUENCE_START_EVENT | unsafe_sys::YAML_MAPPING_START_EVENT => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        result = Err(format!(
                            "line {line}: nested deeper than {MAX_DEPTH} levels, more than dsinstall reads"
                        ));
                        break;
                    }
                }
                unsafe_sys::YAML_SEQUENCE_END_EVENT | unsafe_sys::YAML_MAPPING_END_EVENT => {
                    depth = depth.saturating_sub(1)
                }
                unsafe_sys::YAML_STREAM_END_EVENT => break,
                _ => {}
            }
        }
        unsafe_sys::yaml_parser_delete(p);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_where_it_passes_the_limit() {
        let flow = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = check_depth(&flow).unwrap_err();
        assert_eq!(
            e,
            "line 1: nested deeper than 100 levels, more than dsinstall reads"
        );
        let block: String = (0..150).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
        assert!(check_depth(&block).unwrap_err().starts_with("line 101:"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(check_depth(&ok), Ok(()));
        // Several documents: depth counts within each.
        assert_eq!(check_depth(&format!("{ok}\n---\n{ok}\n")), Ok(()));
        // Broken YAML is left to the real parser.
        assert_eq!(check_depth("a: [\n"), Ok(()));
    }
}
