//! A small TOML reader for Vector's `vector.toml`: tables, arrays of tables, dotted and
//! quoted keys, strings (basic, literal, multi-line), numbers, booleans, arrays and inline
//! tables, read into a JSON value with the line of every key. Dates are kept as strings.
//! What it cannot read is an error with its line: config, not a manifest, so it only has
//! to be tolerant, not complete (<https://toml.io/en/v1.0.0>).

use serde_json::{Map, Value};
use std::collections::HashMap;

/// The document and the line of each key, by JSON pointer.
pub(super) struct Toml {
    pub value: Value,
    pub lines: HashMap<String, usize>,
}

impl Toml {
    /// The line of `pointer`, or of its nearest ancestor that has one.
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let mut pointer = pointer;
        loop {
            if let Some(line) = self.lines.get(pointer) {
                return Some(*line);
            }
            pointer = pointer.rsplit_once('/')?.0;
        }
    }
}

/// The deepest nesting of arrays and inline tables read.
const MAX_DEPTH: usize = 64;

struct Parser {
    chars: Vec<char>,
    pos: usize,
    line: usize,
}

type Error = (usize, String);

pub(super) fn parse(text: &str) -> Result<Toml, Error> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        line: 1,
    };
    let mut root = Value::Object(Map::new());
    let mut lines = HashMap::new();
    // The pointer of the table that `key = value` lines go to.
    let mut table: Vec<String> = Vec::new();
    loop {
        p.skip_blank_lines();
        let Some(c) = p.peek() else { break };
        let line = p.line;
        if c == '[' {
            p.pos += 1;
            let array = p.peek() == Some('[');
            if array {
                p.pos += 1;
            }
            let path = p.key()?;
            p.expect(']')?;
            if array {
                p.expect(']')?;
            }
            p.end_of_line()?;
            let pointer = entry(&mut root, &path, array)
                .ok_or((line, "a table redefines a value".to_string()))?;
            lines.insert(pointer.clone(), line);
            table = vec![pointer];
        } else {
            let path = p.key()?;
            p.skip_spaces();
            p.expect('=')?;
            p.skip_spaces();
            let value = p.value(0)?;
            p.end_of_line()?;
            let base = table.first().cloned().unwrap_or_default();
            let pointer = insert(&mut root, &base, &path, value)
                .ok_or((line, format!("key {:?} is defined twice", path.join("."))))?;
            lines.insert(pointer, line);
        }
    }
    Ok(Toml { value: root, lines })
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Makes the table at `path` (a new element for an array of tables); its pointer.
fn entry(root: &mut Value, path: &[String], array: bool) -> Option<String> {
    let mut node = root;
    let mut pointer = String::new();
    for (i, key) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let map = node.as_object_mut()?;
        pointer.push('/');
        pointer.push_str(&escape(key));
        let default = if last && array {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        };
        let child = map.entry(key.clone()).or_insert(default);
        node = match child {
            Value::Array(items) => {
                if last && array {
                    items.push(Value::Object(Map::new()));
                }
                pointer.push_str(&format!("/{}", items.len().checked_sub(1)?));
                items.last_mut()?
            }
            other => other,
        };
    }
    node.is_object().then_some(pointer)
}

/// Sets `base` + `path` to `value`; its pointer, or `None` when already set.
fn insert(root: &mut Value, base: &str, path: &[String], value: Value) -> Option<String> {
    let mut node = if base.is_empty() {
        root
    } else {
        root.pointer_mut(base)?
    };
    let mut pointer = base.to_string();
    let (last, parents) = path.split_last()?;
    for key in parents {
        pointer.push('/');
        pointer.push_str(&escape(key));
        node = node
            .as_object_mut()?
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let map = node.as_object_mut()?;
    if map.contains_key(last) {
        return None;
    }
    map.insert(last.clone(), value);
    pointer.push('/');
    pointer.push_str(&escape(last));
    Some(pointer)
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, Error> {
        Err((self.line, message.into()))
    }

    fn expect(&mut self, c: char) -> Result<(), Error> {
        self.skip_spaces();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            self.error(format!("expected {c:?}"))
        }
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
    }

    fn skip_comment(&mut self) {
        if self.peek() == Some('#') {
            while self.peek().is_some_and(|c| c != '\n') {
                self.pos += 1;
            }
        }
    }

    /// White space, comments and line breaks.
    fn skip_blank_lines(&mut self) {
        loop {
            self.skip_spaces();
            self.skip_comment();
            match self.peek() {
                Some('\n' | '\r') => {
                    self.bump();
                }
                _ => return,
            }
        }
    }

    fn end_of_line(&mut self) -> Result<(), Error> {
        self.skip_spaces();
        self.skip_comment();
        match self.peek() {
            None | Some('\n' | '\r') => Ok(()),
            Some(c) => self.error(format!("unexpected {c:?} after a value")),
        }
    }

    /// A dotted key: `a.b."c.d"`.
    fn key(&mut self) -> Result<Vec<String>, Error> {
        let mut parts = Vec::new();
        loop {
            self.skip_spaces();
            let part = match self.peek() {
                Some('"') => self.basic_string()?,
                Some('\'') => self.literal_string()?,
                _ => {
                    let start = self.pos;
                    while self
                        .peek()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    {
                        self.pos += 1;
                    }
                    if start == self.pos {
                        return self.error("expected a key");
                    }
                    self.chars
                        .get(start..self.pos)
                        .unwrap_or_default()
                        .iter()
                        .collect()
                }
            };
            parts.push(part);
            self.skip_spaces();
            if self.peek() == Some('.') {
                self.pos += 1;
            } else {
                return Ok(parts);
            }
        }
    }

    fn starts_with(&self, text: &str) -> bool {
        text.chars()
            .enumerate()
            .all(|(i, c)| self.chars.get(self.pos + i) == Some(&c))
    }

    fn basic_string(&mut self) -> Result<String, Error> {
        let start = self.line;
        let multi = self.starts_with("\"\"\"");
        self.pos += if multi { 3 } else { 1 };
        if multi && self.peek() == Some('\n') {
            self.bump();
        }
        let mut out = String::new();
        loop {
            if multi && self.starts_with("\"\"\"") {
                self.pos += 3;
                return Ok(out);
            }
            match self.bump() {
                None => return Err((start, "a string is never closed".to_string())),
                Some('"') if !multi => return Ok(out),
                Some('\n') if !multi => {
                    return Err((start, "a string is never closed".to_string()))
                }
                Some('\\') => match self.bump() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('\n') => self.skip_blank_lines(),
                    Some(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                    None => return Err((start, "a string is never closed".to_string())),
                },
                Some(c) => out.push(c),
            }
        }
    }

    fn literal_string(&mut self) -> Result<String, Error> {
        let start = self.line;
        let multi = self.starts_with("'''");
        self.pos += if multi { 3 } else { 1 };
        if multi && self.peek() == Some('\n') {
            self.bump();
        }
        let mut out = String::new();
        loop {
            if multi && self.starts_with("'''") {
                self.pos += 3;
                return Ok(out);
            }
            match self.bump() {
                None => return Err((start, "a string is never closed".to_string())),
                Some('\'') if !multi => return Ok(out),
                Some('\n') if !multi => {
                    return Err((start, "a string is never closed".to_string()))
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        if depth > MAX_DEPTH {
            return self.error("nested too deeply");
        }
        match self.peek() {
            Some('"') => self.basic_string().map(Value::String),
            Some('\'') => self.literal_string().map(Value::String),
            Some('[') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_blank_lines();
                    if self.peek() == Some(']') {
                        self.pos += 1;
                        return Ok(Value::Array(items));
                    }
                    items.push(self.value(depth + 1)?);
                    self.skip_blank_lines();
                    match self.bump() {
                        Some(',') => {}
                        Some(']') => return Ok(Value::Array(items)),
                        _ => return self.error("expected ',' or ']' in an array"),
                    }
                }
            }
            Some('{') => {
                self.pos += 1;
                let mut table = Value::Object(Map::new());
                loop {
                    self.skip_spaces();
                    if self.peek() == Some('}') {
                        self.pos += 1;
                        return Ok(table);
                    }
                    let path = self.key()?;
                    self.expect('=')?;
                    self.skip_spaces();
                    let value = self.value(depth + 1)?;
                    if insert(&mut table, "", &path, value).is_none() {
                        return self.error("a key is defined twice in an inline table");
                    }
                    self.skip_spaces();
                    match self.bump() {
                        Some(',') => {}
                        Some('}') => return Ok(table),
                        _ => return self.error("expected ',' or '}' in an inline table"),
                    }
                }
            }
            _ => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| !matches!(c, ',' | ']' | '}' | '#' | '\n' | '\r' | ' ' | '\t'))
                {
                    self.pos += 1;
                }
                let word: String = self
                    .chars
                    .get(start..self.pos)
                    .unwrap_or_default()
                    .iter()
                    .collect();
                let plain = word.replace('_', "");
                match word.as_str() {
                    "" => self.error("expected a value"),
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    _ => Ok(plain
                        .parse::<i64>()
                        .map(Value::from)
                        .or_else(|_| plain.parse::<f64>().map(Value::from))
                        .unwrap_or(Value::String(word))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_keys_and_values() {
        let text = "data_dir = \"/var/lib/vector\" # state\n[api]\nenabled = true\naddress = '0.0.0.0:8686'\n\n[sources.otel]\ntype = \"opentelemetry\"\ngrpc.address = \"0.0.0.0:4317\"\n[sinks.\"es out\"]\nendpoints = [\n  \"http://es:9200\", # first\n]\nbatch = { max_bytes = 10_000_000, timeout_secs = 1.5 }\n[[tests]]\nname = \"a\"\n[[tests]]\nname = \"b\"\n";
        let toml = parse(text).expect("valid");
        assert_eq!(
            toml.value,
            json!({
                "data_dir": "/var/lib/vector",
                "api": {"enabled": true, "address": "0.0.0.0:8686"},
                "sources": {"otel": {"type": "opentelemetry", "grpc": {"address": "0.0.0.0:4317"}}},
                "sinks": {"es out": {"endpoints": ["http://es:9200"], "batch": {"max_bytes": 10_000_000, "timeout_secs": 1.5}}},
                "tests": [{"name": "a"}, {"name": "b"}],
            })
        );
        assert_eq!(toml.line_of("/api/address"), Some(4));
        assert_eq!(toml.line_of("/sources/otel/grpc/address"), Some(8));
        assert_eq!(toml.line_of("/tests/1/name"), Some(17));
    }

    #[test]
    fn multi_line_strings_and_errors() {
        let toml = parse("source = '''\n. = parse_json!(.message)\n'''\nx = 1\n").expect("valid");
        assert_eq!(toml.value["source"], json!(". = parse_json!(.message)\n"));
        assert_eq!(toml.line_of("/x"), Some(4));
        assert_eq!(parse("a = \"open\n").err().map(|e| e.0), Some(1));
        assert_eq!(parse("a = 1\na = 2\n").err().map(|e| e.0), Some(2));
        assert_eq!(parse("ok = 1\n= 3\n").err().map(|e| e.0), Some(2));
        assert!(parse("a = ").is_err());
        let deep = format!("a = {}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(&deep).is_err(), "nesting is bounded");
    }
}
