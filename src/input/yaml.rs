//! Manifest text (YAML or JSON, one or many documents) → `serde_json::Value`, read the way
//! kubectl reads it, with limits a hostile manifest cannot exceed.
//!
//! kubectl converts YAML to JSON with YAML 1.1 rules (go-yaml v2), so this loader does
//! too: plain `yes`/`no`/`on`/`off`/`y`/`n` (any of their usual casings) are booleans,
//! `0644` is octal, `1_000` is an integer, `<<` merge keys apply, and quoted scalars are
//! always strings. A float with no fraction (`1e3`) becomes the integer it names, as it
//! does after kubectl's YAML → JSON step. Duplicate keys are an error, as in kubectl.
//!
//! Documents are split on `---` / `...` lines before parsing, so a syntax error in one
//! document is reported with its line and the others are still read.
//!
//! The event parser is `saphyr-parser` (pure Rust, compiles to every wasm target); a serde
//! YAML deserializer cannot tell a quoted `"yes"` from a plain `yes` nor give the line of
//! each node, both of which the rules and the CLI need.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Largest document accepted, in bytes. The API server refuses request bodies above
/// 3 MiB (and etcd stores at most 1.5 MiB), so nothing larger can be a real object.
pub const MAX_DOCUMENT_BYTES: usize = 3 * 1024 * 1024;
/// Deepest nesting accepted. Pod specs nest about a dozen levels; this leaves room for
/// CRD-heavy objects and stops stack-eating inputs.
pub const MAX_DEPTH: usize = 100;
/// Most nodes a document may expand to, aliases included: stops "billion laughs".
pub const MAX_NODES: usize = 1_000_000;

/// A syntax or limit error in manifest text, with its 1-based line where known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct SyntaxError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl SyntaxError {
    fn at(line: usize, column: usize, message: impl Into<String>) -> Self {
        SyntaxError {
            line: Some(line),
            column: Some(column + 1),
            message: message.into(),
        }
    }
}

/// One parsed document.
#[derive(Clone, Debug)]
pub struct Document {
    /// 0-based position among the non-empty documents of the stream.
    pub index: usize,
    /// 1-based line where the document starts.
    pub line: usize,
    pub value: Value,
    /// Line of each node, by JSON pointer (empty unless asked for).
    pub lines: LineIndex,
}

/// JSON pointer → 1-based source line. Pointers are kept as hashes of their segments
/// (`PointerHash`), so recording a line costs no string building: the CLI records one
/// per node and asks for a few.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    lines: HashMap<u64, usize, BuildHasherDefault<PointerHasher>>,
}

impl LineIndex {
    /// The line of `pointer`, or of its nearest ancestor that has one (a finding about a
    /// missing field points at the object that should hold it).
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let mut hashes = vec![ROOT_POINTER];
        for segment in pointer.split('/').skip(1) {
            let key = segment.replace("~1", "/").replace("~0", "~");
            let parent = hashes.last().copied().unwrap_or(ROOT_POINTER);
            hashes.push(child_pointer(parent, key.as_bytes()));
        }
        hashes.iter().rev().find_map(|h| self.lines.get(h).copied())
    }
}

/// The hash of the root pointer ("").
const ROOT_POINTER: u64 = 0xcbf2_9ce4_8422_2325;

/// The hash of `parent/segment` (FNV-1a over the parent's hash and the unescaped
/// segment). A collision could only misplace a line number, never a verdict.
fn child_pointer(parent: u64, segment: &[u8]) -> u64 {
    let mut hash = parent;
    for byte in parent
        .to_le_bytes()
        .iter()
        .chain([0xff].iter())
        .chain(segment)
    {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Keys are hashes already: passed through as they are.
#[derive(Default)]
struct PointerHasher(u64);

impl Hasher for PointerHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 << 8) | u64::from(*byte);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Whether to record the line of every node (the CLI's text and SARIF output need it;
/// the admission path does not).
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub track_lines: bool,
}

/// Parses every document of a stream. Empty documents (only comments or blank lines) are
/// skipped, as kubectl does.
pub fn parse_stream(text: &str, options: Options) -> Vec<Result<Document, SyntaxError>> {
    split_stream(text)
        .iter()
        .map(|document| document.parse(options))
        .collect()
}

/// One non-empty document of a stream, not parsed yet.
#[derive(Clone, Copy, Debug)]
pub struct DocumentText<'a> {
    /// 0-based position among the non-empty documents of the stream.
    pub index: usize,
    /// 1-based line where the document starts.
    pub line: usize,
    text: &'a str,
}

/// The non-empty documents of a stream, unparsed: each parses on its own, so a caller
/// with many can parse them on several threads (the CLI does).
pub fn split_stream(text: &str) -> Vec<DocumentText<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    split_documents(text)
        .into_iter()
        .filter(|(_, chunk)| !is_blank_document(chunk))
        .enumerate()
        .map(|(index, (line, text))| DocumentText { index, line, text })
        .collect()
}

impl DocumentText<'_> {
    /// The document's text as written.
    pub fn as_str(&self) -> &str {
        self.text
    }

    pub fn parse(&self, options: Options) -> Result<Document, SyntaxError> {
        if self.text.len() > MAX_DOCUMENT_BYTES {
            return Err(SyntaxError {
                line: Some(self.line),
                column: None,
                message: format!(
                    "document is {} bytes, more than the {} bytes the Kubernetes API accepts",
                    self.text.len(),
                    MAX_DOCUMENT_BYTES
                ),
            });
        }
        parse_document(self.text, self.line - 1, options).map(|(value, lines)| Document {
            index: self.index,
            line: self.line,
            value,
            lines,
        })
    }
}

/// Splits at lines that are `---` or `...` markers (optionally followed by content after a
/// space). Returns (1-based first line, text). A `---` line stays with the document it
/// opens, since it may carry content (`--- {a: 1}`).
fn split_documents(text: &str) -> Vec<(usize, &str)> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut start_line = 1;
    let mut offset = 0;
    for (line_no, line) in (1..).zip(text.split_inclusive('\n')) {
        let bare = line.trim_end_matches(['\n', '\r']);
        let is_marker = |marker: &str| {
            bare.strip_prefix(marker)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
        };
        if is_marker("---") {
            chunks.push((start_line, text.get(start..offset).unwrap_or_default()));
            start = offset;
            start_line = line_no;
        } else if is_marker("...") {
            chunks.push((start_line, text.get(start..offset).unwrap_or_default()));
            start = offset + line.len();
            start_line = line_no + 1;
        }
        offset += line.len();
    }
    chunks.push((start_line, text.get(start..).unwrap_or_default()));
    chunks
}

fn is_blank_document(chunk: &str) -> bool {
    chunk.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#') || line == "---" || line.starts_with("%")
    })
}

enum Frame {
    Sequence {
        items: Vec<Value>,
        anchor: usize,
        first_node: usize,
    },
    Mapping {
        map: Map<String, Value>,
        key: Option<String>,
        /// Where the pending key was written (a duplicate is reported there).
        key_at: (usize, usize),
        merges: Vec<Value>,
        anchor: usize,
        first_node: usize,
        line: usize,
    },
}

struct Builder {
    line_offset: usize,
    track_lines: bool,
    stack: Vec<Frame>,
    /// Pointer hash of each open collection below the root, kept only when lines are
    /// tracked.
    pointer: Vec<u64>,
    lines: HashMap<u64, usize, BuildHasherDefault<PointerHasher>>,
    anchors: HashMap<usize, (Value, usize)>,
    nodes: usize,
    root: Option<Value>,
}

fn parse_document(
    chunk: &str,
    line_offset: usize,
    options: Options,
) -> Result<(Value, LineIndex), SyntaxError> {
    let mut builder = Builder {
        line_offset,
        track_lines: options.track_lines,
        stack: Vec::new(),
        pointer: Vec::new(),
        lines: HashMap::default(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
    };
    let mut parser = Parser::new_from_str(chunk);
    // An error found at the end of input belongs to the document's last line, not to the
    // `---` that follows it.
    let last_line = line_offset + chunk.trim_end().lines().count().max(1);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| {
            // saphyr stops runaway nesting itself, before our own depth check.
            let message = if e.info().contains("recursion limit") {
                format!("nesting deeper than {MAX_DEPTH} levels")
            } else {
                e.info().to_string()
            };
            SyntaxError::at(
                (e.marker().line() + line_offset).min(last_line),
                e.marker().col(),
                message,
            )
        })?;
        if builder.event(event, span)? {
            break;
        }
    }
    Ok((
        builder.root.unwrap_or(Value::Null),
        LineIndex {
            lines: builder.lines,
        },
    ))
}

impl Builder {
    fn line(&self, span: Span) -> usize {
        span.start.line() + self.line_offset
    }

    fn error(&self, span: Span, message: impl Into<String>) -> SyntaxError {
        SyntaxError::at(self.line(span), span.start.col(), message)
    }

    fn count_nodes(&mut self, span: Span, added: usize) -> Result<(), SyntaxError> {
        self.nodes = self.nodes.saturating_add(added);
        if self.nodes > MAX_NODES {
            return Err(self.error(
                span,
                format!("document expands to more than {MAX_NODES} nodes (alias expansion or sheer size)"),
            ));
        }
        Ok(())
    }

    /// Handles one event; returns true when the document is complete.
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<bool, SyntaxError> {
        match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => Ok(false),
            Event::DocumentEnd | Event::StreamEnd => Ok(true),
            Event::Scalar(text, style, anchor, tag) => {
                // A scalar in key position is a key, not a value.
                if let Some(Frame::Mapping { key: None, .. }) = self.stack.last() {
                    let resolved = if style == ScalarStyle::Plain && tag.is_none() {
                        resolve_plain(&text).map_err(|m| self.error(span, m))?
                    } else {
                        Value::String(text.into_owned())
                    };
                    // JSON keys are strings: kubectl writes `true: x` as "true".
                    let name = match resolved {
                        Value::String(s) => s,
                        Value::Null => "null".to_string(),
                        other => other.to_string(),
                    };
                    if anchor != 0 {
                        self.anchors
                            .insert(anchor, (Value::String(name.clone()), 1));
                    }
                    let at = (self.line(span), span.start.col());
                    if let Some(Frame::Mapping { key, key_at, .. }) = self.stack.last_mut() {
                        *key = Some(name);
                        *key_at = at;
                    }
                    return Ok(false);
                }
                let keeps_string =
                    style != ScalarStyle::Plain || tag.as_ref().is_some_and(|t| t.suffix == "str");
                let value = if keeps_string {
                    Value::String(text.into_owned())
                } else {
                    resolve_plain(&text).map_err(|m| self.error(span, m))?
                };
                self.count_nodes(span, 1)?;
                if anchor != 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                self.record_line(span);
                self.push_value(value, span)
            }
            Event::Alias(anchor) => {
                if let Some(Frame::Mapping { key: None, .. }) = self.stack.last() {
                    let key = match self.anchors.get(&anchor) {
                        Some((Value::String(s), _)) => s.clone(),
                        _ => {
                            return Err(
                                self.error(span, "an alias used as a key must name a string")
                            )
                        }
                    };
                    let at = (self.line(span), span.start.col());
                    if let Some(Frame::Mapping {
                        key: slot, key_at, ..
                    }) = self.stack.last_mut()
                    {
                        *slot = Some(key);
                        *key_at = at;
                    }
                    return Ok(false);
                }
                let count = self
                    .anchors
                    .get(&anchor)
                    .map(|(_, c)| *c)
                    .ok_or_else(|| self.error(span, "alias to an unknown anchor"))?;
                // Count before cloning, so an alias bomb is refused before it allocates.
                self.count_nodes(span, count)?;
                let value = self
                    .anchors
                    .get(&anchor)
                    .map(|(v, _)| v.clone())
                    .unwrap_or_default();
                self.record_line(span);
                self.push_value(value, span)
            }
            Event::SequenceStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Sequence {
                    items: Vec::new(),
                    anchor,
                    first_node: self.nodes,
                });
                Ok(false)
            }
            Event::MappingStart(anchor, _) => {
                self.open(span)?;
                let line = self.line(span);
                self.stack.push(Frame::Mapping {
                    map: Map::new(),
                    key: None,
                    key_at: (0, 0),
                    merges: Vec::new(),
                    anchor,
                    first_node: self.nodes,
                    line,
                });
                Ok(false)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = self
                    .stack
                    .pop()
                    .ok_or_else(|| self.error(span, "unbalanced collection end"))?;
                let (value, anchor, first_node) = match frame {
                    Frame::Sequence {
                        items,
                        anchor,
                        first_node,
                    } => (Value::Array(items), anchor, first_node),
                    Frame::Mapping {
                        mut map,
                        merges,
                        anchor,
                        first_node,
                        line,
                        ..
                    } => {
                        apply_merges(&mut map, merges).map_err(|m| SyntaxError {
                            line: Some(line),
                            column: None,
                            message: m,
                        })?;
                        (Value::Object(map), anchor, first_node)
                    }
                };
                if anchor != 0 {
                    let count = self.nodes - first_node;
                    self.anchors.insert(anchor, (value.clone(), count));
                }
                self.push_value(value, span)
            }
        }
    }

    /// A collection starts: check depth, count it, record its line.
    fn open(&mut self, span: Span) -> Result<(), SyntaxError> {
        if let Some(Frame::Mapping { key: None, .. }) = self.stack.last() {
            return Err(self.error(span, "a mapping key must be a scalar, not a collection"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error(span, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        self.count_nodes(span, 1)?;
        // A block collection under a key starts on the line after it: the key's line is
        // where a reader looks (and where JSON puts both).
        let key_line = match self.stack.last() {
            Some(Frame::Mapping {
                key: Some(_),
                key_at: (line, _),
                ..
            }) => Some(*line),
            _ => None,
        };
        match key_line {
            Some(line) if self.track_lines => {
                let pointer = self.next_pointer();
                self.lines.entry(pointer).or_insert(line);
            }
            _ => self.record_line(span),
        }
        if self.track_lines && !self.stack.is_empty() {
            let hash = self.next_pointer();
            self.pointer.push(hash);
        }
        Ok(())
    }

    /// The pointer hash of the next value in the current collection.
    fn next_pointer(&self) -> u64 {
        let parent = self.pointer.last().copied().unwrap_or(ROOT_POINTER);
        match self.stack.last() {
            Some(Frame::Sequence { items, .. }) => {
                // The index as decimal text, without allocating.
                let mut digits = [0u8; 20];
                let mut at = digits.len();
                let mut n = items.len();
                loop {
                    at -= 1;
                    if let Some(d) = digits.get_mut(at) {
                        *d = b'0' + (n % 10) as u8;
                    }
                    n /= 10;
                    if n == 0 || at == 0 {
                        break;
                    }
                }
                child_pointer(parent, digits.get(at..).unwrap_or_default())
            }
            Some(Frame::Mapping { key, .. }) => {
                child_pointer(parent, key.as_deref().unwrap_or_default().as_bytes())
            }
            None => ROOT_POINTER,
        }
    }

    fn record_line(&mut self, span: Span) {
        if !self.track_lines {
            return;
        }
        let line = self.line(span);
        let pointer = self.next_pointer();
        self.lines.entry(pointer).or_insert(line);
    }

    /// Puts a finished value into its parent (or makes it the root).
    fn push_value(&mut self, value: Value, span: Span) -> Result<bool, SyntaxError> {
        // Invariant: `pointer` has one segment per open collection below the root, so a
        // collection that just closed leaves one segment too many.
        let is_collection_end = matches!(value, Value::Array(_) | Value::Object(_))
            && !self.pointer.is_empty()
            && self.pointer.len() >= self.stack.len();
        if is_collection_end {
            self.pointer.pop();
        }
        let line = self.line(span);
        if let Some(error) = self.duplicate_key() {
            return Err(error);
        }
        match self.stack.last_mut() {
            None => {
                self.root = Some(value);
                Ok(false)
            }
            Some(Frame::Sequence { items, .. }) => {
                items.push(value);
                Ok(false)
            }
            Some(Frame::Mapping {
                map, key, merges, ..
            }) => {
                let Some(name) = key.take() else {
                    return Err(SyntaxError::at(
                        line,
                        span.start.col(),
                        "a mapping key must be a scalar",
                    ));
                };
                if name == "<<" {
                    merges.push(value);
                } else {
                    map.insert(name, value);
                }
                Ok(false)
            }
        }
    }

    /// The pending key of the open mapping when it is already in it: reported at the
    /// duplicate, naming the line of the first occurrence where lines are tracked.
    fn duplicate_key(&self) -> Option<SyntaxError> {
        let Some(Frame::Mapping {
            map,
            key: Some(name),
            key_at: (line, column),
            ..
        }) = self.stack.last()
        else {
            return None;
        };
        if name == "<<" || !map.contains_key(name) {
            return None;
        }
        let parent = self.pointer.last().copied().unwrap_or(ROOT_POINTER);
        let first = self
            .lines
            .get(&child_pointer(parent, name.as_bytes()))
            .map(|first| format!(" (first on line {first})"))
            .unwrap_or_default();
        Some(SyntaxError::at(
            *line,
            *column,
            format!("mapping key {name:?} is defined more than once{first}"),
        ))
    }
}

/// `<<: *base` or `<<: [*a, *b]`: keys written in the mapping win over merged ones, and
/// earlier merge sources win over later ones (YAML 1.1 merge-key semantics).
fn apply_merges(map: &mut Map<String, Value>, merges: Vec<Value>) -> Result<(), String> {
    for merge in merges {
        let sources = match merge {
            Value::Object(source) => vec![source],
            Value::Array(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::Object(source) => Ok(source),
                    _ => Err("a merge key (<<) takes a mapping or a list of mappings".to_string()),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("a merge key (<<) takes a mapping or a list of mappings".to_string()),
        };
        for source in sources {
            for (key, value) in source {
                map.entry(key).or_insert(value);
            }
        }
    }
    Ok(())
}

/// Resolves an untagged plain scalar by YAML 1.1 rules, as go-yaml v2 (kubectl) does.
fn resolve_plain(text: &str) -> Result<Value, String> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Ok(Value::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Ok(Value::Bool(false))
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => {
            return Err(format!(
                "{text} is not a number JSON can represent; quote it if it is a string"
            ))
        }
        _ => {}
    }
    if let Some(int) = parse_int(text) {
        return Ok(int);
    }
    if looks_like_float(text) {
        if let Ok(float) = text.replace('_', "").parse::<f64>() {
            // Out of range: go-yaml keeps the scalar as a string (and the API server then
            // judges it), so do we.
            if !float.is_finite() {
                return Ok(Value::String(text.to_string()));
            }
            // kubectl's YAML → JSON step writes 1e3 as 1000: keep whole floats integral.
            if float.fract() == 0.0 && float.abs() < 9.0e15 {
                return Ok(Value::Number(Number::from(float as i64)));
            }
            if let Some(n) = Number::from_f64(float) {
                return Ok(Value::Number(n));
            }
        }
    }
    Ok(Value::String(text.to_string()))
}

fn parse_int(text: &str) -> Option<Value> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits_of = |s: &str, radix: u32| -> Option<u128> {
        let cleaned: String = s.chars().filter(|c| *c != '_').collect();
        if cleaned.is_empty() || !s.chars().next()?.is_digit(radix) {
            return None;
        }
        u128::from_str_radix(&cleaned, radix).ok()
    };
    let magnitude = if let Some(bin) = body.strip_prefix("0b") {
        digits_of(bin, 2)?
    } else if let Some(hex) = body.strip_prefix("0x") {
        digits_of(hex, 16)?
    } else if body.len() > 1
        && body.starts_with('0')
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        digits_of(&body[1..], 8)?
    } else if body.bytes().next()?.is_ascii_digit()
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        digits_of(body, 10)?
    } else {
        return None;
    };
    let number = if negative {
        i64::try_from(magnitude).ok().map(|m| Number::from(-m))
    } else {
        u64::try_from(magnitude).ok().map(Number::from)
    };
    match number {
        Some(n) => Some(Value::Number(n)),
        // Past 64 bits go-yaml falls back to a float.
        None => {
            let float = magnitude as f64;
            Number::from_f64(if negative { -float } else { float }).map(Value::Number)
        }
    }
}

/// `[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?`
fn looks_like_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let mantissa_ok = match frac {
        Some(f) => {
            digits(int)
                && digits(f)
                && (!int.is_empty() || !f.is_empty())
                && int.bytes().next().is_none_or(|b| b.is_ascii_digit())
                && (!int.is_empty() || f.bytes().next().is_some_and(|b| b.is_ascii_digit()))
        }
        None => digits(int) && int.bytes().next().is_some_and(|b| b.is_ascii_digit()),
    };
    let exponent_ok = match exponent {
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        }
        None => true,
    };
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Value {
        let mut docs = parse_stream(text, Options::default());
        assert_eq!(docs.len(), 1, "{text}");
        match docs.remove(0) {
            Ok(d) => d.value,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn yaml_1_1_booleans_like_kubectl() {
        assert_eq!(
            one("a: yes\nb: No\nc: on\nd: OFF\ne: y\nf: true"),
            json!({"a": true, "b": false, "c": true, "d": false, "e": true, "f": true})
        );
        assert_eq!(
            one("a: \"yes\"\nb: 'on'\nc: !!str yes"),
            json!({"a": "yes", "b": "on", "c": "yes"})
        );
    }

    #[test]
    fn numbers_like_kubectl() {
        assert_eq!(
            one("a: 0644\nb: 1_000\nc: 0x1F\nd: 1e3\ne: 0.5\nf: -3\ng: \"80\"\nh: 1.0"),
            json!({"a": 420, "b": 1000, "c": 31, "d": 1000, "e": 0.5, "f": -3, "g": "80", "h": 1})
        );
        assert_eq!(
            one("a: 123abc\nb: 1.2.3\nc: 08"),
            json!({"a": "123abc", "b": "1.2.3", "c": 8})
        );
        assert!(parse_stream("a: .inf", Options::default())[0].is_err());
    }

    #[test]
    fn nulls_and_empty_values() {
        assert_eq!(
            one("a:\nb: ~\nc: null\nd: ''"),
            json!({"a": null, "b": null, "c": null, "d": ""})
        );
    }

    #[test]
    fn merge_keys_and_anchors() {
        let v = one("base: &b {a: 1, b: 2}\nchild:\n  <<: *b\n  b: 3\nlist: [*b]");
        assert_eq!(v["child"], json!({"a": 1, "b": 3}));
        assert_eq!(v["list"][0], json!({"a": 1, "b": 2}));
    }

    #[test]
    fn boolean_looking_keys_become_true_and_false_like_kubectl() {
        assert_eq!(
            one("y: 1\noff: 2\n'on': 3"),
            json!({"true": 1, "false": 2, "on": 3})
        );
    }

    #[test]
    fn duplicate_keys_are_errors_with_lines() {
        let err = parse_stream("a: 1\nb: 2\na: 3\n", Options::default())
            .remove(0)
            .unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("\"a\""), "{err}");
        // With lines tracked, the error is at the duplicate key and names the first one,
        // also for a block mapping whose content starts on the next line.
        let tracked = Options { track_lines: true };
        let text = "m:\n  labels:\n    a: b\n  x: 1\n  labels:\n    c: d\n";
        let err = parse_stream(text, tracked).remove(0).unwrap_err();
        assert_eq!(err.line, Some(5));
        assert!(
            err.message.ends_with("more than once (first on line 2)"),
            "{err}"
        );
    }

    #[test]
    fn multi_document_streams_keep_going_after_a_bad_document() {
        let docs = parse_stream(
            "a: 1\n---\nb: [\n---\n# only a comment\n---\nc: 3\n...\n",
            Options::default(),
        );
        assert_eq!(docs.len(), 3);
        assert!(docs[0].is_ok());
        let err = docs[1].as_ref().unwrap_err();
        assert!(err.line.is_some_and(|l| (3..=4).contains(&l)), "{err:?}");
        assert_eq!(
            docs[2].as_ref().map(|d| d.value.clone()).ok(),
            Some(json!({"c": 3}))
        );
        assert_eq!(docs[2].as_ref().map(|d| d.index).ok(), Some(2));
    }

    #[test]
    fn json_is_read_too() {
        assert_eq!(
            one("{\"a\": [1, true, \"x\"], \"b\": null}"),
            json!({"a": [1, true, "x"], "b": null})
        );
    }

    #[test]
    fn lines_by_pointer() {
        let docs = parse_stream(
            "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x\n  - name: b\n",
            Options { track_lines: true },
        );
        let doc = docs[0].as_ref().unwrap();
        assert_eq!(doc.lines.line_of("/spec/containers/1"), Some(6));
        assert_eq!(doc.lines.line_of("/spec/containers/0/image"), Some(5));
        assert_eq!(
            doc.lines.line_of("/spec/containers/1/livenessProbe"),
            Some(6)
        );
        assert_eq!(doc.lines.line_of("/kind"), Some(1));
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            bomb += &format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1);
        }
        let err = parse_stream(&bomb, Options::default())
            .remove(0)
            .unwrap_err();
        assert!(err.message.contains("more than"), "{err}");
        let deep = "[".repeat(500) + &"]".repeat(500);
        let err = parse_stream(&deep, Options::default())
            .remove(0)
            .unwrap_err();
        assert!(err.message.contains("nesting"), "{err}");
    }

    #[test]
    fn oversized_documents_are_refused() {
        let big = format!("a: \"{}\"\n", "x".repeat(MAX_DOCUMENT_BYTES));
        let err = parse_stream(&big, Options::default())
            .remove(0)
            .unwrap_err();
        assert!(err.message.contains("bytes"), "{err}");
    }
}
