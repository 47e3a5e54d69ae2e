//! JSON Patch operations applied to manifest text by byte spans: only the bytes an
//! operation changes are touched, so comments, key order, quoting, flow style and blank
//! lines of everything else stay as written. Nothing is re-serialised but the values an
//! operation adds (rendered in the style of the collection they join) and, where a block
//! item must join a flow sequence, that one item.
//!
//! Why not the `yamlpatch` crate: it reads YAML through tree-sitter (C code, which the npm
//! module's `wasm32-unknown-unknown` build cannot link) and its own YAML 1.2 model, while
//! ours must agree with the reader the rules use (YAML 1.1, as kubectl). The spans come from
//! the same event parser (`saphyr-parser`) as that reader; every edited document is read
//! again by it and compared with the patched value, and a fix whose text does not read
//! back as its patch is not applied (`apply_fix`).

use crate::report::PatchOperation;
use saphyr_parser::{Event, Parser, Span};
use serde_json::Value;

use super::patch;

/// A node of one document with its byte span.
#[derive(Debug)]
struct Node {
    start: usize,
    end: usize,
    flow: bool,
    /// The value of a key of a block mapping.
    block_value: bool,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Scalar,
    Map(Vec<Entry>),
    Seq(Vec<Node>),
}

#[derive(Debug)]
struct Entry {
    key: String,
    key_start: usize,
    value: Node,
}

/// Char index (saphyr's) → byte offset.
struct Offsets {
    table: Option<Vec<usize>>,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        let table = (!text.is_ascii()).then(|| {
            text.char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect()
        });
        Offsets { table }
    }

    fn byte(&self, index: usize) -> usize {
        match &self.table {
            None => index,
            Some(t) => t.get(index).copied().unwrap_or(usize::MAX),
        }
    }
}

enum Frame {
    Map {
        start: usize,
        flow: bool,
        entries: Vec<Entry>,
        key: Option<(String, usize)>,
    },
    Seq {
        start: usize,
        flow: bool,
        items: Vec<Node>,
    },
}

/// The span tree of one document; `None` for what span editing cannot serve safely:
/// anchors, aliases, tags, merge keys, a complex key, or text the parser refuses.
fn parse_tree(text: &str) -> Option<Node> {
    let offsets = Offsets::new(text);
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut root = None;
    let mut parser = Parser::new_from_str(text);
    let span_of = |span: Span| {
        (
            offsets.byte(span.start.index()),
            offsets.byte(span.end.index()),
        )
    };
    while let Some(next) = parser.next_event() {
        let (event, span) = next.ok()?;
        let (start, end) = span_of(span);
        let node = match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
            Event::StreamEnd | Event::DocumentEnd => continue,
            Event::Alias(_) => return None,
            Event::Scalar(value, _, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                if let Some(Frame::Map {
                    key: key @ None, ..
                }) = stack.last_mut()
                {
                    if value == "<<" {
                        return None;
                    }
                    *key = Some((value.into_owned(), start));
                    continue;
                }
                Node {
                    start,
                    end,
                    flow: false,
                    block_value: false,
                    kind: Kind::Scalar,
                }
            }
            Event::MappingStart(anchor, ref tag) | Event::SequenceStart(anchor, ref tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                // A collection as a key has no pointer to name it.
                if let Some(Frame::Map { key: None, .. }) = stack.last() {
                    return None;
                }
                let flow = matches!(bytes.get(start), Some(b'{' | b'['));
                stack.push(if matches!(event, Event::MappingStart(..)) {
                    Frame::Map {
                        start,
                        flow,
                        entries: Vec::new(),
                        key: None,
                    }
                } else {
                    Frame::Seq {
                        start,
                        flow,
                        items: Vec::new(),
                    }
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let frame = stack.pop()?;
                let (start, flow, kind) = match frame {
                    Frame::Map {
                        start,
                        flow,
                        entries,
                        ..
                    } => (start, flow, Kind::Map(entries)),
                    Frame::Seq { start, flow, items } => (start, flow, Kind::Seq(items)),
                };
                let end = if flow {
                    // The closing bracket's span.
                    start.max(offsets.byte(span.start.index()) + 1)
                } else {
                    last_end(&kind).unwrap_or(start)
                };
                Node {
                    start,
                    end,
                    flow,
                    block_value: false,
                    kind,
                }
            }
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, key, flow, ..
            }) => {
                let (key, key_start) = key.take()?;
                let block_value = !*flow;
                entries.push(Entry {
                    key,
                    key_start,
                    value: Node {
                        block_value,
                        ..node
                    },
                });
            }
        }
    }
    root
}

/// Where a block collection's content ends: the end of its last node.
fn last_end(kind: &Kind) -> Option<usize> {
    match kind {
        Kind::Scalar => None,
        Kind::Map(entries) => entries.last().map(|e| e.value.end),
        Kind::Seq(items) => items.last().map(|n| n.end),
    }
}

fn resolve<'n>(mut node: &'n Node, segments: &[String]) -> Option<&'n Node> {
    for segment in segments {
        node = match &node.kind {
            Kind::Map(entries) => &entries.iter().find(|e| &e.key == segment)?.value,
            Kind::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
            Kind::Scalar => return None,
        };
    }
    Some(node)
}

/// One replacement of a byte range.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

fn apply_edits(text: &str, mut edits: Vec<Edit>) -> Option<String> {
    edits.sort_by_key(|e| std::cmp::Reverse((e.start, e.end)));
    let mut out = text.to_string();
    let mut limit = usize::MAX;
    for edit in edits {
        // Overlapping edits would garble the text: refuse.
        if edit.end > limit || edit.start > edit.end {
            return None;
        }
        out.get(edit.start..edit.end)?;
        out.replace_range(edit.start..edit.end, &edit.text);
        limit = edit.start;
    }
    Some(out)
}

fn line_start(text: &str, pos: usize) -> usize {
    text.get(..pos)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The position after the newline that ends the line holding `pos` (or the text's end).
/// A position already at a line's start stays.
fn after_line(text: &str, pos: usize) -> usize {
    if pos > 0 && text.as_bytes().get(pos - 1) == Some(&b'\n') {
        return pos;
    }
    text.get(pos..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| pos + i + 1)
}

fn column(text: &str, pos: usize) -> usize {
    pos - line_start(text, pos)
}

/// The `-` that opens a block sequence's item, when only blanks precede it on its line.
fn dash_of(text: &str, item: &Node) -> Option<usize> {
    let before = text.get(..item.start)?;
    let dash = before.trim_end().len().checked_sub(1)?;
    (text.as_bytes().get(dash) == Some(&b'-')
        && text.get(line_start(text, dash)..dash)?.trim().is_empty())
    .then_some(dash)
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}

/// How a document writes what is added: JSON text gets JSON.
#[derive(Clone, Copy)]
struct Style {
    json: bool,
}

impl Style {
    fn key(self, key: &str) -> String {
        if self.json || !plain_safe(key) {
            serde_json::to_string(key).unwrap_or_default()
        } else {
            key.to_string()
        }
    }

    fn scalar(self, value: &Value) -> String {
        match value {
            Value::String(s) if !self.json && plain_safe(s) => s.clone(),
            other => serde_json::to_string(other).unwrap_or_default(),
        }
    }

    /// A value on one line: a flow collection or a scalar.
    fn inline(self, value: &Value) -> String {
        // JSON and YAML flow alike: `{key: value, …}` with a space after each separator;
        // JSON quotes every key and string.
        match value {
            Value::Object(map) => {
                let entries: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{}: {}", self.key(k), self.inline(v)))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(|v| self.inline(v)).collect();
                format!("[{}]", items.join(", "))
            }
            scalar => self.scalar(scalar),
        }
    }

    /// `key: value` lines of a block mapping at `indent`, ending in a newline.
    fn block_entry(self, key: &str, value: &Value, indent: usize) -> String {
        let head = format!("{}{}:", spaces(indent), self.key(key));
        match value {
            Value::Object(map) if !map.is_empty() => {
                let mut out = format!("{head}\n");
                for (k, v) in map {
                    out.push_str(&self.block_entry(k, v, indent + 2));
                }
                out
            }
            Value::Array(items) if !items.is_empty() => {
                let mut out = format!("{head}\n");
                for item in items {
                    out.push_str(&self.block_item(item, indent + 2));
                }
                out
            }
            other => format!("{head} {}\n", self.inline(other)),
        }
    }

    /// `- item` lines of a block sequence whose dash is at `indent`.
    fn block_item(self, value: &Value, indent: usize) -> String {
        match value {
            Value::Object(map) if !map.is_empty() => {
                let mut out = String::new();
                for (i, (k, v)) in map.iter().enumerate() {
                    let entry = self.block_entry(k, v, indent + 2);
                    if i == 0 {
                        out.push_str(&spaces(indent));
                        out.push_str("- ");
                        out.push_str(entry.get(indent + 2..).unwrap_or_default());
                    } else {
                        out.push_str(&entry);
                    }
                }
                out
            }
            other => format!("{}- {}\n", spaces(indent), self.inline(other)),
        }
    }
}

/// A string that YAML 1.1 (kubectl) reads back as the same string when written plain.
fn plain_safe(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
    ];
    let first = s.chars().next();
    !s.is_empty()
        && !SPECIAL.contains(&s)
        && first.is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-'))
        || (first.is_some_and(|c| c.is_ascii_digit())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
            && s.chars().any(|c| c.is_ascii_alphabetic())
            && !s.contains(['e', 'E', 'x', 'X', 'o', 'O', 'b', 'B']))
}

/// Applies one operation to one document's text; `before` is the document's value before
/// it (the value of an item that must be written anew).
fn apply_operation(text: &str, operation: &PatchOperation, before: &Value) -> Option<String> {
    let root = parse_tree(text)?;
    let style = Style { json: root.flow };
    let edits = match operation {
        PatchOperation::Add { path, value } => {
            let (parent, last) = parent_and_last(path)?;
            let parent = resolve(&root, &parent)?;
            match &parent.kind {
                Kind::Map(entries) => match entries.iter().find(|e| e.key == last) {
                    Some(entry) => replace(&entry.value, value, style)?,
                    None => insert_entry(text, parent, &last, value, style)?,
                },
                Kind::Seq(items) => {
                    let index = if last == "-" {
                        items.len()
                    } else {
                        last.parse().ok()?
                    };
                    insert_item(text, parent, index, &Item::Value(value), style)?
                }
                Kind::Scalar => return None,
            }
        }
        PatchOperation::Replace { path, value } => {
            replace(resolve(&root, &patch::segments(path)?)?, value, style)?
        }
        PatchOperation::Remove { path } => {
            let (parent, last) = parent_and_last(path)?;
            remove_item(text, resolve(&root, &parent)?, last.parse().ok()?)?
        }
        PatchOperation::Move { from, path } => {
            let (from_parent, from_last) = parent_and_last(from)?;
            let (to_parent, to_last) = parent_and_last(path)?;
            let from_index: usize = from_last.parse().ok()?;
            let source = resolve(&root, &from_parent)?;
            let Kind::Seq(items) = &source.kind else {
                return None;
            };
            let item = items.get(from_index)?;
            let value = before.pointer(from)?;
            let mut edits = remove_item(text, source, from_index)?;
            let target = resolve(&root, &to_parent)?;
            let Kind::Seq(targets) = &target.kind else {
                return None;
            };
            let mut index = if to_last == "-" {
                targets
                    .len()
                    .checked_sub(usize::from(from_parent == to_parent))?
            } else {
                to_last.parse().ok()?
            };
            // The index names a place after the removal; in this text the item is there.
            if from_parent == to_parent && index >= from_index {
                index += 1;
            }
            let moved = Item::Text {
                text: moved_text(text, source, item),
                comments: leading_comments(text, source, item),
                column: column(text, item.start),
                value,
            };
            edits.extend(insert_item(text, target, index, &moved, style)?);
            edits
        }
    };
    apply_edits(text, edits)
}

fn parent_and_last(path: &str) -> Option<(Vec<String>, String)> {
    let mut segments = patch::segments(path)?;
    let last = segments.pop()?;
    Some((segments, last))
}

/// What joins a sequence: a value to write, or an item's own text (moved).
enum Item<'a> {
    Value(&'a Value),
    Text {
        text: String,
        /// Comment lines right above it, at its dash's column, trimmed: they go with it.
        comments: Vec<String>,
        /// Column of the item's first character where it was.
        column: usize,
        value: &'a Value,
    },
}

/// An item's text as written: from its first character to the end of its last line (a
/// trailing comment goes with it) in a block sequence, its span in a flow one.
fn moved_text(text: &str, seq: &Node, item: &Node) -> String {
    let end = if seq.flow {
        item.end
    } else {
        let end = after_line(text, item.end);
        end - usize::from(text.get(..end).is_some_and(|t| t.ends_with('\n')))
    };
    text.get(item.start..end).unwrap_or_default().to_string()
}

/// Where the comment lines right above a block item's dash begin (its dash's line when
/// none): those at the dash's column describe the item.
fn comments_start(text: &str, dash: usize) -> usize {
    let dash_column = column(text, dash);
    let mut at = line_start(text, dash);
    while at > 0 {
        let previous = line_start(text, at - 1);
        let line = text.get(previous..at).unwrap_or_default();
        let indent = line.len() - line.trim_start().len();
        if !(line.trim_start().starts_with('#') && indent == dash_column) {
            break;
        }
        at = previous;
    }
    at
}

/// The comment lines that go with a block item (see `comments_start`), trimmed.
fn leading_comments(text: &str, seq: &Node, item: &Node) -> Vec<String> {
    let Some(dash) = (!seq.flow).then(|| dash_of(text, item)).flatten() else {
        return Vec::new();
    };
    text.get(comments_start(text, dash)..line_start(text, dash))
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().to_string())
        .collect()
}

/// An item's lines moved from `from` to `to` columns: every line after the first shifts
/// alike (block scalars inside keep their relative indentation).
fn reindent(text: &str, from: usize, to: usize) -> Option<String> {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.trim().is_empty() {
                if to >= from {
                    out.push_str(&spaces(to - from));
                    out.push_str(line);
                } else {
                    let cut = from - to;
                    if !line.get(..cut)?.trim().is_empty() {
                        return None;
                    }
                    out.push_str(line.get(cut..)?);
                }
            }
        } else {
            out.push_str(line);
        }
    }
    Some(out)
}

fn replace(node: &Node, value: &Value, style: Style) -> Option<Vec<Edit>> {
    // A block collection replaced by a flow one would keep its lines' comments in odd
    // places; fixes never need it.
    if !node.flow && !matches!(node.kind, Kind::Scalar) {
        return None;
    }
    Some(vec![Edit {
        start: node.start,
        end: node.end,
        text: style.inline(value),
    }])
}

fn insert_entry(
    text: &str,
    map: &Node,
    key: &str,
    value: &Value,
    style: Style,
) -> Option<Vec<Edit>> {
    let Kind::Map(entries) = &map.kind else {
        return None;
    };
    let entry = format!("{}: {}", style.key(key), style.inline(value));
    if map.flow && entries.is_empty() && in_block_mapping(map, style) {
        // `key: {}` in a block mapping holds nothing to keep: it becomes a block mapping.
        let indent = indentation(text, map.start) + 2;
        return into_block(text, map, style.block_entry(key, value, indent));
    }
    let edit = if map.flow {
        match entries.last() {
            None => Edit {
                start: map.start + 1,
                end: map.start + 1,
                text: entry,
            },
            Some(last) => {
                let multiline = text.get(map.start..map.end)?.contains('\n');
                let text = if multiline {
                    format!(",\n{}{entry}", spaces(column(text, last.key_start)))
                } else {
                    format!(", {entry}")
                };
                Edit {
                    start: last.value.end,
                    end: last.value.end,
                    text,
                }
            }
        }
    } else {
        let first = entries.first()?;
        let last = entries.last()?;
        // Pod specs list init containers before containers, in the order they run.
        let before = (key == "initContainers")
            .then(|| entries.iter().find(|e| e.key == "containers"))
            .flatten()
            .and_then(|e| above_comments(text, e.key_start));
        let at = before.unwrap_or_else(|| after_line(text, last.value.end));
        let mut lines = style.block_entry(key, value, column(text, first.key_start));
        if at == text.len() && !text.ends_with('\n') {
            lines.insert(0, '\n');
        }
        Edit {
            start: at,
            end: at,
            text: lines,
        }
    };
    Some(vec![edit])
}

/// The start of the line of a block mapping's key at `key_start`, above the comment lines
/// right before it (they describe it); `None` when the key shares its line.
fn above_comments(text: &str, key_start: usize) -> Option<usize> {
    let mut at = line_start(text, key_start);
    if !text.get(at..key_start)?.trim().is_empty() {
        return None;
    }
    while at > 0 {
        let previous = line_start(text, at - 1);
        if !text.get(previous..at)?.trim_start().starts_with('#') {
            break;
        }
        at = previous;
    }
    Some(at)
}

fn insert_item(
    text: &str,
    seq: &Node,
    index: usize,
    item: &Item<'_>,
    style: Style,
) -> Option<Vec<Edit>> {
    let Kind::Seq(items) = &seq.kind else {
        return None;
    };
    if index > items.len() {
        return None;
    }
    if seq.flow {
        if items.is_empty() {
            return empty_flow_seq(text, seq, item, style);
        }
        let written = match item {
            Item::Text { text: t, value, .. } if t.contains('\n') => style.inline(value),
            Item::Text { text: t, .. } => t.clone(),
            Item::Value(value) => style.inline(value),
        };
        let multiline = text.get(seq.start..seq.end)?.contains('\n');
        let edit = match items.get(index) {
            Some(next) => Edit {
                start: next.start,
                end: next.start,
                text: if multiline {
                    format!("{written},\n{}", spaces(column(text, next.start)))
                } else {
                    format!("{written}, ")
                },
            },
            None => {
                let last = items.last()?;
                Edit {
                    start: last.end,
                    end: last.end,
                    text: if multiline {
                        format!(",\n{}{written}", spaces(column(text, last.start)))
                    } else {
                        format!(", {written}")
                    },
                }
            }
        };
        return Some(vec![edit]);
    }
    let (at, dash_column) = match items.get(index) {
        Some(next) => {
            let dash = dash_of(text, next)?;
            (line_start(text, dash), column(text, dash))
        }
        None => {
            let last = items.last()?;
            let dash = dash_of(text, last)?;
            (after_line(text, last.end), column(text, dash))
        }
    };
    let mut lines = block_item_text(item, dash_column, style)?;
    if at == text.len() && !text.ends_with('\n') {
        lines.insert(0, '\n');
    }
    Some(vec![Edit {
        start: at,
        end: at,
        text: lines,
    }])
}

/// The lines of an item joining a block sequence whose dashes are at `dash_column`.
fn block_item_text(item: &Item<'_>, dash_column: usize, style: Style) -> Option<String> {
    Some(match item {
        Item::Value(value) => style.block_item(value, dash_column),
        Item::Text {
            text,
            comments,
            column,
            value,
        } => {
            if style.json {
                return None;
            }
            let mut lines: String = comments
                .iter()
                .map(|c| format!("{}{c}\n", spaces(dash_column)))
                .collect();
            match reindent(text, *column, dash_column + 2) {
                Some(moved) => lines.push_str(&format!("{}- {moved}\n", spaces(dash_column))),
                None => lines.push_str(&style.block_item(value, dash_column)),
            }
            lines
        }
    })
}

/// An item joining `[]`: in a block mapping the empty flow sequence becomes a block one
/// (it held nothing to keep), indented as the mapping's other block sequences are.
fn empty_flow_seq(text: &str, seq: &Node, item: &Item<'_>, style: Style) -> Option<Vec<Edit>> {
    let value = match item {
        Item::Value(value) | Item::Text { value, .. } => *value,
    };
    if !in_block_mapping(seq, style) {
        return Some(vec![Edit {
            start: seq.start + 1,
            end: seq.start + 1,
            text: match item {
                Item::Text { text, .. } if !text.contains('\n') => text.clone(),
                _ => style.inline(value),
            },
        }]);
    }
    let key_indent = indentation(text, seq.start);
    let dash_column = sibling_dash_offset(text).map_or(key_indent + 2, |o| key_indent + o);
    into_block(text, seq, block_item_text(item, dash_column, style)?)
}

/// The empty flow collection is a block mapping's value (`key: []`, `key: {}`).
fn in_block_mapping(node: &Node, style: Style) -> bool {
    !style.json && node.block_value
}

/// The indentation of the line holding `pos`: the column of the key written on it.
fn indentation(text: &str, pos: usize) -> usize {
    let line = text.get(line_start(text, pos)..).unwrap_or_default();
    line.len() - line.trim_start().len()
}

/// `key: []` (or `{}`) → `key:` with `lines` below it; a comment after it stays on the
/// key's line.
fn into_block(text: &str, node: &Node, lines: String) -> Option<Vec<Edit>> {
    let start = text.get(..node.start)?.trim_end().len();
    let line_end = after_line(text, node.end);
    let line_end = line_end - usize::from(text.get(..line_end).is_some_and(|t| t.ends_with('\n')));
    let comment = text.get(node.end..line_end)?.trim();
    let mut written = String::new();
    if !comment.is_empty() {
        written.push(' ');
        written.push_str(comment);
    }
    written.push('\n');
    written.push_str(lines.trim_end_matches('\n'));
    Some(vec![Edit {
        start,
        end: line_end,
        text: written,
    }])
}

/// How far this text indents a block sequence's dashes past its key (`containers:` then
/// `- name:` at the same column is 0), from its first block sequence of mappings.
fn sibling_dash_offset(text: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    lines.windows(2).find_map(|pair| {
        let (key, item) = (pair.first()?, pair.get(1)?);
        let key_trim = key.trim_start();
        let item_trim = item.trim_start();
        (key_trim.ends_with(':') && !key_trim.starts_with('#') && item_trim.starts_with("- "))
            .then(|| {
                let key_indent = key.len() - key_trim.len();
                let dash_indent = item.len() - item_trim.len();
                dash_indent.checked_sub(key_indent)
            })
            .flatten()
    })
}

fn remove_item(text: &str, seq: &Node, index: usize) -> Option<Vec<Edit>> {
    let Kind::Seq(items) = &seq.kind else {
        return None;
    };
    let item = items.get(index)?;
    let (start, end) = if seq.flow {
        match (
            index.checked_sub(1).and_then(|i| items.get(i)),
            items.get(index + 1),
        ) {
            (_, Some(next)) => (item.start, next.start),
            (Some(previous), None) => (previous.end, item.end),
            (None, None) => (item.start, item.end),
        }
    } else {
        // A block sequence cannot be empty: the last item leaves the key null.
        if items.len() == 1 {
            return None;
        }
        let dash = dash_of(text, item)?;
        (comments_start(text, dash), after_line(text, item.end))
    };
    Some(vec![Edit {
        start,
        end,
        text: String::new(),
    }])
}

/// Applies a fix's operations to one document's text. `None` when span editing cannot
/// express them, or when the edited text does not read back (by the rules' own reader) as
/// the patched value: then the fix is not applied and the text is left as it was.
pub(crate) fn apply_fix(
    text: &str,
    before: &Value,
    operations: &[PatchOperation],
) -> Option<(String, Value)> {
    let mut text = text.to_string();
    let mut value = before.clone();
    for operation in operations {
        text = apply_operation(&text, operation, &value)?;
        patch::apply(&mut value, std::slice::from_ref(operation)).ok()?;
    }
    let documents = crate::input::yaml::split_stream(&text);
    let [document] = documents.as_slice() else {
        return None;
    };
    let read = document
        .parse(crate::input::yaml::Options::default())
        .ok()?;
    (read.value == value).then_some((text, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixed(text: &str, operations: Vec<PatchOperation>) -> String {
        let docs = crate::input::yaml::split_stream(text);
        let value = docs[0].parse(Default::default()).unwrap().value;
        apply_fix(text, &value, &operations)
            .unwrap_or_else(|| panic!("fix does not apply to:\n{text}"))
            .0
    }

    fn add(path: &str, value: Value) -> PatchOperation {
        PatchOperation::Add {
            path: path.into(),
            value,
        }
    }

    #[test]
    fn adds_keys_in_the_style_of_their_mapping() {
        let text = "a:\n  - {name: logs, mountPath: /var/log}  # shared\n  - name: x # c\n    mountPath: /x\n\n# end\n";
        assert_eq!(
            fixed(text, vec![add("/a/0/readOnly", json!(true)), add("/a/1/readOnly", json!(true))]),
            "a:\n  - {name: logs, mountPath: /var/log, readOnly: true}  # shared\n  - name: x # c\n    mountPath: /x\n    readOnly: true\n\n# end\n"
        );
        assert_eq!(
            fixed("a: {}  # none\nb: 1", vec![add("/a/x", json!("yes"))]),
            "a: # none\n  x: \"yes\"\nb: 1"
        );
        assert_eq!(
            fixed("a: [{b: {}}]\n", vec![add("/a/0/b/x", json!(1))]),
            "a: [{b: {x: 1}}]\n"
        );
        assert_eq!(
            fixed(
                "a:\n  b: 1",
                vec![add(
                    "/a/r",
                    json!({"requests": {"cpu": "50m", "memory": "64Mi"}})
                )]
            ),
            "a:\n  b: 1\n  r:\n    requests:\n      cpu: 50m\n      memory: 64Mi\n"
        );
        let json_text = "{\n  \"a\": {\n    \"b\": 1\n  }\n}\n";
        assert_eq!(
            fixed(json_text, vec![add("/a/c", json!("x"))]),
            "{\n  \"a\": {\n    \"b\": 1,\n    \"c\": \"x\"\n  }\n}\n"
        );
    }

    #[test]
    fn moves_items_with_their_comments_and_indentation() {
        let text = "spec:\n  containers:\n    - name: app # the app\n      image: a\n    - name: side\n      image: b   # pinned\n      args: [\"--x\"]\n  volumes: []\n";
        let ops = vec![
            add("/spec/containers/1/restartPolicy", json!("Always")),
            add("/spec/initContainers", json!([])),
            PatchOperation::Move {
                from: "/spec/containers/1".into(),
                path: "/spec/initContainers/0".into(),
            },
        ];
        assert_eq!(
            fixed(text, ops),
            "spec:\n  initContainers:\n    - name: side\n      image: b   # pinned\n      args: [\"--x\"]\n      restartPolicy: Always\n  containers:\n    - name: app # the app\n      image: a\n  volumes: []\n"
        );
        let compact = "spec:\n  initContainers:\n  - name: init\n    image: i\n  containers:\n  - name: app\n    image: a\n  - {name: side, image: b}\n";
        let ops = vec![
            add("/spec/containers/1/restartPolicy", json!("Always")),
            PatchOperation::Move {
                from: "/spec/containers/1".into(),
                path: "/spec/initContainers/0".into(),
            },
        ];
        assert_eq!(
            fixed(compact, ops),
            "spec:\n  initContainers:\n  - {name: side, image: b, restartPolicy: Always}\n  - name: init\n    image: i\n  containers:\n  - name: app\n    image: a\n"
        );
    }

    #[test]
    fn refuses_what_spans_cannot_serve() {
        let text = "a: &x {b: 1}\nc: *x\n";
        let value = crate::input::yaml::split_stream(text)[0]
            .parse(Default::default())
            .unwrap()
            .value;
        assert!(apply_fix(text, &value, &[add("/a/d", json!(1))]).is_none());
        assert!(plain_safe("100m") && plain_safe("64Mi") && plain_safe("Always"));
        assert!(!plain_safe("1") && !plain_safe("no") && !plain_safe("1e3") && !plain_safe("0x1"));
    }
}
