//! Lines of JSON pointers in JSON text, found by walking only the path to each: the fast
//! JSON path (`workload::extract_json`) builds no line index, and a report with findings
//! needs the lines of just a few pointers.

use std::cell::{Cell, OnceCell, RefCell};

/// Lines of many pointers of one text: where each pointer prefix walked starts is
/// remembered, so the findings of one report (which share their container's prefix)
/// walk past the object's metadata once, not once each.
pub struct JsonLines<'t> {
    text: &'t str,
    /// (pointer prefix, where its value starts), in the order found.
    starts: RefCell<Vec<(String, usize)>>,
    /// The last offset whose line was counted, and that line: the next count starts there.
    counted: Cell<(usize, usize)>,
    /// Whether the text is one line (JSON made by `JSON.stringify`, an API server, `jq -c`).
    one_line: OnceCell<bool>,
}

impl<'t> JsonLines<'t> {
    pub fn new(text: &'t str) -> Self {
        JsonLines {
            text,
            starts: RefCell::default(),
            counted: Cell::new((0, 1)),
            one_line: OnceCell::new(),
        }
    }

    /// The 1-based line of `pointer`, or of its nearest ancestor that exists (as
    /// `yaml::LineIndex::line_of` answers). `None` when the text is not JSON.
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let bytes = self.text.as_bytes();
        if *self.one_line.get_or_init(|| !contains_newline(bytes)) {
            // Every pointer is on the only line: nothing to walk.
            return (skip_space(bytes, 0) < bytes.len()).then_some(1);
        }
        let (mut walked, mut at) = self.nearest_known(pointer);
        if walked.is_empty() {
            at = skip_space(bytes, 0);
            bytes.get(at)?;
        }
        let rest = pointer.get(walked.len()..).unwrap_or_default();
        for segment in rest.split('/').skip(1) {
            let key = segment.replace("~1", "/").replace("~0", "~");
            let next = match bytes.get(at) {
                Some(b'{') => member(bytes, at, &key),
                Some(b'[') => key
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| element(bytes, at, i)),
                _ => None,
            };
            let Some(next) = next else { break };
            at = next;
            walked = format!("{walked}/{segment}");
            self.starts.borrow_mut().push((walked.clone(), at));
        }
        self.line_at(at)
    }

    /// The line of byte `at`, counting on from the last offset counted when it lies
    /// before (lookups mostly move forward through a report's findings).
    fn line_at(&self, at: usize) -> Option<usize> {
        let (from, line) = match self.counted.get() {
            (from, line) if from <= at => (from, line),
            _ => (0, 1),
        };
        let between = self.text.as_bytes().get(from..at)?;
        let line = line + memchr::memchr_iter(b'\n', between).count();
        self.counted.set((at, line));
        Some(line)
    }

    /// The longest prefix of `pointer` (whole segments) already walked, and its start.
    fn nearest_known(&self, pointer: &str) -> (String, usize) {
        let starts = self.starts.borrow();
        let is_prefix = |p: &str| {
            pointer.starts_with(p) && matches!(pointer.as_bytes().get(p.len()), None | Some(b'/'))
        };
        starts
            .iter()
            .filter(|(p, _)| is_prefix(p))
            .max_by_key(|(p, _)| p.len())
            .map_or((String::new(), 0), |(p, at)| (p.clone(), *at))
    }
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
        // Eight bytes at a time up to a quote or a backslash. A search call per stretch
        // (`memchr2`) cost more than the scan: manifests are many short strings, and the
        // JSON kept in `last-applied-configuration` has an escape every few bytes.
        while let Some(word) = bytes
            .get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
        {
            let word = u64::from_le_bytes(word);
            let found = has_byte(word, b'"') | has_byte(word, b'\\');
            if found != 0 {
                at += (found.trailing_zeros() / 8) as usize;
                break;
            }
            at += 8;
        }
        match bytes.get(at)? {
            b'"' => return Some(at + 1),
            b'\\' => at += 2,
            _ => at += 1,
        }
    }
}

/// Whether JSON text nests deeper than `limit` (brackets inside strings do not count).
/// Most bytes of a manifest are inside strings, which `string_end` crosses quickly.
pub(crate) fn nesting_exceeds(text: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(&byte) = text.get(at) {
        match byte {
            b'"' => match string_end(text, at) {
                Some(end) => {
                    at = end;
                    continue;
                }
                // An unclosed string: nothing after it nests.
                None => return false,
            },
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    false
}

/// Whether `bytes` holds a line feed, eight bytes at a time (twice the stride of
/// `memchr` on wasm32, which has no vector instructions to use).
fn contains_newline(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let found = words.by_ref().any(|word| {
        <[u8; 8]>::try_from(word).is_ok_and(|word| has_byte(u64::from_le_bytes(word), b'\n') != 0)
    });
    found || words.remainder().contains(&b'\n')
}

/// The high bit of each byte of `word` equal to `byte` (bytes after the first such byte
/// may be marked wrongly, so only the lowest mark is to be used).
fn has_byte(word: u64, byte: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zeroed = word ^ (ONES * u64::from(byte));
    zeroed.wrapping_sub(ONES) & !zeroed & HIGHS
}

/// The end of the value starting at `at`.
fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'"' => string_end(bytes, at),
        b'{' | b'[' => container_end(bytes, at),
        _ => {
            // A number, true, false or null: up to the next delimiter.
            let rest = bytes.get(at..)?;
            let end = rest
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || b"+-.".contains(b)))
                .unwrap_or(rest.len());
            Some(at + end)
        }
    }
}

/// The bytes a container's scan stops at: quotes and brackets.
// Built at compile time, where an index out of bounds fails the build.
#[allow(clippy::indexing_slicing)]
static STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'[' as usize] = true;
    table[b'}' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// One past the bracket that closes the object or array opening at `at`. Only strings and
/// brackets matter inside, so the scan jumps from one to the next.
fn container_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = at;
    loop {
        let found = bytes
            .get(at..)?
            .iter()
            .position(|b| STRUCTURAL.get(usize::from(*b)) == Some(&true))?;
        at += found;
        match bytes.get(at)? {
            b'"' => {
                at = string_end(bytes, at)?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            _ => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
        }
        at += 1;
    }
}

/// The start of the value of `key` in the object starting at `at`.
fn member(bytes: &[u8], at: usize, key: &str) -> Option<usize> {
    let mut at = skip_space(bytes, at + 1);
    while bytes.get(at) == Some(&b'"') {
        let end = string_end(bytes, at)?;
        let quoted = bytes.get(at..end)?;
        // Keys are compared as written; only one with an escape is decoded first.
        let is_key = match quoted.get(1..quoted.len() - 1) {
            Some(raw) if !raw.contains(&b'\\') => raw == key.as_bytes(),
            _ => serde_json::from_slice::<String>(quoted).ok()? == key,
        };
        at = skip_space(bytes, end);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = skip_space(bytes, at + 1);
        if is_key {
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

    /// The word-at-a-time scan ends every string where a byte-by-byte one does: escapes
    /// and quotes at every offset of an eight-byte word, runs of backslashes, bytes above
    /// ASCII, and strings left open.
    #[test]
    fn string_end_agrees_with_a_byte_by_byte_scan() {
        fn byte_by_byte(bytes: &[u8], at: usize) -> Option<usize> {
            let mut at = at + 1;
            loop {
                match bytes.get(at)? {
                    b'"' => return Some(at + 1),
                    b'\\' => at += 2,
                    _ => at += 1,
                }
            }
        }
        let pieces: [&[u8]; 9] = [
            b"a",
            b"\\\"",
            b"\\\\",
            "é".as_bytes(),
            // 0xA2 and '#' differ from '"' by one bit or by one.
            "¢".as_bytes(),
            b"#",
            b"\"",
            b"xxxxxxx",
            b"\\",
        ];
        let mut checked = 0;
        for first in 0..pieces.len() {
            for second in 0..pieces.len() {
                for padding in 0..9 {
                    let mut text = b"\"".to_vec();
                    text.extend(std::iter::repeat_n(b'p', padding));
                    text.extend(pieces[first]);
                    text.extend(pieces[second]);
                    text.extend(b"tail");
                    assert_eq!(string_end(&text, 0), byte_by_byte(&text, 0), "{text:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 9 * 9 * 9);
    }

    /// A text on one line answers line 1 without walking (also for pointers that do not
    /// exist, as the walk would: the nearest ancestor is on that line too); lookups in any
    /// order of a text with line feeds anywhere agree with counting them.
    #[test]
    fn one_line_texts_and_lookups_in_any_order() {
        let compact = r#"{"kind":"Pod","spec":{"containers":[{"name":"a"},{"name":"b"}]}}"#;
        let lines = JsonLines::new(compact);
        for pointer in ["", "/kind", "/spec/containers/1/name", "/spec/missing"] {
            assert_eq!(lines.line_of(pointer), Some(1), "{pointer}");
        }
        assert_eq!(JsonLines::new(" \t ").line_of("/kind"), None);
        let pointers = ["/spec/containers/1/name", "/kind", "/spec/containers/0", ""];
        // A line feed after every comma in turn, at every offset of an eight-byte word.
        for (at, _) in compact.match_indices(',') {
            let text = format!("{}\n{}", &compact[..=at], &compact[at + 1..]);
            let expected = |pointer: &str| {
                let value = serde_json::from_str::<serde_json::Value>(&text).ok();
                let found = value.as_ref().and_then(|v| v.pointer(pointer)).is_some();
                assert!(found, "{pointer}");
                let needle = match pointer {
                    "" => "{",
                    "/kind" => "\"Pod\"",
                    "/spec/containers/0" => "{\"name\":\"a\"}",
                    _ => "\"b\"",
                };
                1 + text[..text.find(needle).unwrap_or(0)].matches('\n').count()
            };
            let lines = JsonLines::new(&text);
            for pointer in pointers.iter().chain(pointers.iter().rev()) {
                assert_eq!(
                    lines.line_of(pointer),
                    Some(expected(pointer)),
                    "{text} {pointer}"
                );
            }
        }
    }

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
        // One finder for all, as a report's findings use it: remembered prefixes give the
        // same lines as fresh walks, in either order.
        let shared = JsonLines::new(&text);
        let reversed = JsonLines::new(&text);
        for pointer in pointers.iter().chain(pointers.iter().rev()) {
            assert_eq!(
                JsonLines::new(&text).line_of(pointer),
                document.lines.line_of(pointer),
                "{pointer}"
            );
            assert_eq!(
                shared.line_of(pointer),
                document.lines.line_of(pointer),
                "{pointer}"
            );
        }
        for pointer in pointers.iter().rev() {
            assert_eq!(
                reversed.line_of(pointer),
                document.lines.line_of(pointer),
                "{pointer}"
            );
        }
    }
}
