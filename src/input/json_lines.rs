//! Lines of JSON pointers in JSON text, found by walking only the path to each: the fast
//! JSON path (`workload::extract_json`) builds no line index, and a report with findings
//! needs the lines of just a few pointers.

/// The 1-based line of `pointer` in the JSON `text`, or of its nearest ancestor that
/// exists (as `yaml::LineIndex::line_of` answers). `None` when the text is not JSON.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = skip_space(bytes, 0);
    bytes.get(at)?;
    let segments = pointer.split('/').skip(1);
    for segment in segments {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        match bytes.get(at) {
            Some(b'{') => match member(bytes, at, &segment) {
                Some(value) => at = value,
                None => break,
            },
            Some(b'[') => match segment
                .parse::<usize>()
                .ok()
                .and_then(|i| element(bytes, at, i))
            {
                Some(value) => at = value,
                None => break,
            },
            _ => break,
        }
    }
    Some(1 + bytes.get(..at)?.iter().filter(|b| **b == b'\n').count())
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
        at += 1;
    }
    at
}

/// The end (one past the closing quote) of the string whose opening quote is at `at`.
pub(crate) fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut at = at + 1;
    loop {
        let found = memchr::memchr2(b'"', b'\\', bytes.get(at..)?)?;
        at += found;
        if bytes.get(at) == Some(&b'"') {
            return Some(at + 1);
        }
        at += 2;
    }
}

/// The end of the value starting at `at`.
fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = at;
    loop {
        match bytes.get(at)? {
            b'"' => at = string_end(bytes, at)?,
            b'{' | b'[' => {
                depth += 1;
                at += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                at += 1;
            }
            b',' | b':' if depth == 0 => return Some(at),
            _ => at += 1,
        }
        if depth == 0
            && !matches!(bytes.get(at), Some(b) if b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-' || *b == b'+')
        {
            return Some(at);
        }
    }
}

/// The start of the value of `key` in the object starting at `at`.
fn member(bytes: &[u8], at: usize, key: &str) -> Option<usize> {
    let mut at = skip_space(bytes, at + 1);
    while bytes.get(at) == Some(&b'"') {
        let end = string_end(bytes, at)?;
        let name: String = serde_json::from_slice(bytes.get(at..end)?).ok()?;
        at = skip_space(bytes, end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = skip_space(bytes, at + 1);
        if name == key {
            return Some(at);
        }
        at = skip_space(bytes, value_end(bytes, at)?);
        if bytes.get(at) != Some(&b',') {
            return None;
        }
        at = skip_space(bytes, at + 1);
    }
    None
}

/// The start of element `index` of the array starting at `at`.
fn element(bytes: &[u8], at: usize, index: usize) -> Option<usize> {
    let mut at = skip_space(bytes, at + 1);
    if bytes.get(at) == Some(&b']') {
        return None;
    }
    for _ in 0..index {
        at = skip_space(bytes, value_end(bytes, at)?);
        if bytes.get(at) != Some(&b',') {
            return None;
        }
        at = skip_space(bytes, at + 1);
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::yaml;

    /// Every pointer of a pretty-printed document gets the line the YAML reader gives.
    #[test]
    fn agrees_with_the_yaml_line_index() {
        let value = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "annotations": {"a/b": "x\"y", "c~d": "[{"}},
            "spec": {"containers": [
                {"name": "app", "args": ["--x", "--y=1"], "ports": [{"containerPort": 80}]},
                {"name": "side", "resources": {"limits": {"cpu": 1.5e3}}, "empty": {}, "none": []}
            ]}
        });
        let text = serde_json::to_string_pretty(&value).expect("json");
        let documents = yaml::parse_stream(&text, yaml::Options { track_lines: true });
        let Some(Ok(document)) = documents.first() else {
            panic!("the YAML reader reads JSON");
        };
        let mut pointers = vec![String::new()];
        let mut stack = vec![(String::new(), &value)];
        while let Some((pointer, node)) = stack.pop() {
            let children: Vec<(String, &serde_json::Value)> = match node {
                serde_json::Value::Object(map) => map
                    .iter()
                    .map(|(k, v)| (format!("{pointer}/{}", crate::pointer::escape(k)), v))
                    .collect(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{pointer}/{i}"), v))
                    .collect(),
                _ => Vec::new(),
            };
            for (child, v) in children {
                pointers.push(child.clone());
                stack.push((child, v));
            }
        }
        pointers.push("/spec/containers/7/name".to_string());
        pointers.push("/nothing/here".to_string());
        for pointer in pointers {
            assert_eq!(
                line_of(&text, &pointer),
                document.lines.line_of(&pointer),
                "{pointer}"
            );
        }
    }
}
