//! A JSON Schema validator for the subset of draft 2020-12 that the generated settings
//! schema uses, so the wasm builds report the same errors as the CLI's `jsonschema` run
//! without linking it. It collects every error, each with the JSON pointer of the bad
//! key or value. `SUPPORTED_KEYWORDS` lists what it understands; a test fails if the
//! generated schema ever uses anything else.

use crate::pointer::escape as escape_pointer;
use crate::settings::{check_format, SettingsError};
use serde_json::{Map, Value};

/// Keywords this validator checks, plus annotations it may ignore.
pub const SUPPORTED_KEYWORDS: &[&str] = &[
    "$schema",
    "$defs",
    "$ref",
    "title",
    "description",
    "default",
    "examples",
    "type",
    "enum",
    "const",
    "properties",
    "additionalProperties",
    "required",
    "items",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "format",
    "anyOf",
    "oneOf",
];

/// Validates `instance` against `schema` (a root schema with `$defs`).
pub fn validate(schema: &Value, instance: &Value) -> Vec<SettingsError> {
    let mut errors = Vec::new();
    let checker = Checker { root: schema };
    checker.check(schema, instance, &mut String::new(), &mut errors, 0);
    errors
}

struct Checker<'a> {
    root: &'a Value,
}

/// Guards against a schema that refers to itself without end.
const MAX_SCHEMA_DEPTH: usize = 64;

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn type_matches(expected: &str, value: &Value) -> bool {
    let actual = type_name(value);
    expected == actual
        || (expected == "number" && actual == "integer")
        || (expected == "integer" && value.as_f64().is_some_and(|f| f.fract() == 0.0))
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

impl Checker<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let mut current = schema;
        for _ in 0..MAX_SCHEMA_DEPTH {
            match current.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    let target = reference
                        .strip_prefix('#')
                        .and_then(|pointer| self.root.pointer(pointer));
                    match target {
                        Some(t) => current = t,
                        None => return current,
                    }
                }
                None => return current,
            }
        }
        current
    }

    fn check(
        &self,
        schema: &Value,
        instance: &Value,
        pointer: &mut String,
        errors: &mut Vec<SettingsError>,
        depth: usize,
    ) {
        if depth > MAX_SCHEMA_DEPTH {
            return;
        }
        let schema = self.resolve(schema);
        let Some(keywords) = schema.as_object() else {
            if schema == &Value::Bool(false) {
                push(errors, pointer, "is not allowed here");
            }
            return;
        };
        if let Some(message) = wrong_type(keywords, instance) {
            // Nothing else is worth saying about a value of the wrong type.
            push(errors, pointer, &message);
            return;
        }
        let mut messages = enum_and_const(keywords, instance);
        messages.extend(self.branches(keywords, instance, pointer, depth));
        messages.extend(match instance {
            Value::Number(n) => n.as_f64().map(|x| number(keywords, x)).unwrap_or_default(),
            Value::String(text) => string(keywords, text),
            Value::Array(items) => array(keywords, items),
            Value::Object(_) | Value::Null | Value::Bool(_) => Vec::new(),
        });
        for message in messages {
            push(errors, pointer, &message);
        }
        match instance {
            Value::Array(items) => self.check_items(keywords, items, pointer, errors, depth),
            Value::Object(map) => self.check_object(keywords, map, pointer, errors, depth),
            _ => {}
        }
    }

    /// `anyOf` that no branch passes, `oneOf` that not exactly one passes.
    fn branches(
        &self,
        keywords: &Map<String, Value>,
        instance: &Value,
        pointer: &str,
        depth: usize,
    ) -> Vec<String> {
        let mut messages = Vec::new();
        for (keyword, is_one_of) in [("anyOf", false), ("oneOf", true)] {
            let Some(Value::Array(branches)) = keywords.get(keyword) else {
                continue;
            };
            let passing = branches
                .iter()
                .filter(|b| {
                    let mut scratch = Vec::new();
                    let mut at = pointer.to_string();
                    self.check(b, instance, &mut at, &mut scratch, depth + 1);
                    scratch.is_empty()
                })
                .count();
            if passing == 0 || (is_one_of && passing > 1) {
                messages.push(self.describe_branches(branches, instance));
            }
        }
        messages
    }

    fn check_items(
        &self,
        keywords: &Map<String, Value>,
        items: &[Value],
        pointer: &mut String,
        errors: &mut Vec<SettingsError>,
        depth: usize,
    ) {
        let Some(item_schema) = keywords.get("items") else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let saved = pointer.len();
            pointer.push('/');
            pointer.push_str(&i.to_string());
            self.check(item_schema, item, pointer, errors, depth + 1);
            pointer.truncate(saved);
        }
    }

    fn check_object(
        &self,
        keywords: &Map<String, Value>,
        map: &Map<String, Value>,
        pointer: &mut String,
        errors: &mut Vec<SettingsError>,
        depth: usize,
    ) {
        let empty = Map::new();
        let properties = keywords
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if let Some(Value::Array(required)) = keywords.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    push(errors, pointer, &format!("missing required key {name:?}"));
                }
            }
        }
        for (key, value) in map {
            let saved = pointer.len();
            pointer.push('/');
            pointer.push_str(&escape_pointer(key));
            if let Some(property_schema) = properties.get(key) {
                self.check(property_schema, value, pointer, errors, depth + 1);
            } else {
                match keywords.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        let known: Vec<&str> = properties.keys().map(String::as_str).collect();
                        let message = if known.is_empty() {
                            format!("unknown key {key:?}")
                        } else {
                            format!(
                                "unknown key {key:?} (expected one of: {})",
                                known.join(", ")
                            )
                        };
                        push(errors, pointer, &message);
                    }
                    Some(extra) => self.check(extra, value, pointer, errors, depth + 1),
                    None => {}
                }
            }
            pointer.truncate(saved);
        }
    }

    /// For a failed anyOf/oneOf, the most helpful message: the allowed constants, or the
    /// errors of the branch whose type fits.
    fn describe_branches(&self, branches: &[Value], instance: &Value) -> String {
        let constants: Vec<String> = branches
            .iter()
            .filter_map(|b| self.resolve(b).get("const").map(Value::to_string))
            .collect();
        if constants.len() == branches.len() {
            return format!("{} is not one of {}", short(instance), constants.join(", "));
        }
        for branch in branches {
            let mut scratch = Vec::new();
            self.check(branch, instance, &mut String::new(), &mut scratch, 1);
            if let Some(first) = scratch
                .first()
                .filter(|e| !e.message.starts_with("expected "))
            {
                return first.message.clone();
            }
        }
        format!("{} does not match any allowed form", short(instance))
    }
}

fn push(errors: &mut Vec<SettingsError>, pointer: &str, message: &str) {
    errors.push(SettingsError {
        pointer: pointer.to_string(),
        message: message.to_string(),
    });
}

/// `type`: the message when the instance is none of the types allowed.
fn wrong_type(keywords: &Map<String, Value>, instance: &Value) -> Option<String> {
    let names: Vec<&str> = match keywords.get("type")? {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    (!names.iter().any(|n| type_matches(n, instance))).then(|| {
        format!(
            "expected {}, found {} {}",
            names.join(" or "),
            type_name(instance),
            short(instance)
        )
    })
}

fn enum_and_const(keywords: &Map<String, Value>, instance: &Value) -> Vec<String> {
    let mut messages = Vec::new();
    if let Some(Value::Array(options)) = keywords.get("enum") {
        if !options.contains(instance) {
            let names: Vec<String> = options.iter().map(Value::to_string).collect();
            messages.push(format!(
                "{} is not one of {}",
                short(instance),
                names.join(", ")
            ));
        }
    }
    if let Some(constant) = keywords.get("const").filter(|c| *c != instance) {
        messages.push(format!("expected {constant}, found {}", short(instance)));
    }
    messages
}

/// A numeric bound: its keyword, whether a value crosses it, and what to say.
type NumericBound = (&'static str, fn(f64, f64) -> bool, &'static str);

fn number(keywords: &Map<String, Value>, x: f64) -> Vec<String> {
    let bound = |k: &str| keywords.get(k).and_then(Value::as_f64);
    let checks: [NumericBound; 4] = [
        ("minimum", |x, m| x < m, "is less than the minimum"),
        ("maximum", |x, m| x > m, "is more than the maximum"),
        ("exclusiveMinimum", |x, m| x <= m, "must be more than"),
        ("exclusiveMaximum", |x, m| x >= m, "must be less than"),
    ];
    checks
        .into_iter()
        .filter_map(|(keyword, crossed, says)| {
            bound(keyword)
                .filter(|m| crossed(x, *m))
                .map(|m| format!("{x} {says} {m}"))
        })
        .collect()
}

fn string(keywords: &Map<String, Value>, text: &str) -> Vec<String> {
    let mut messages = Vec::new();
    let length = text.chars().count() as u64;
    let limit = |k: &str| keywords.get(k).and_then(Value::as_u64);
    if let Some(min) = limit("minLength").filter(|m| length < *m) {
        messages.push(format!("must be at least {min} characters long"));
    }
    if let Some(max) = limit("maxLength").filter(|m| length > *m) {
        messages.push(format!("must be at most {max} characters long"));
    }
    if let Some(format) = keywords.get("format").and_then(Value::as_str) {
        if let Some(Err(message)) = check_format(format, text) {
            messages.push(message);
        }
    }
    messages
}

fn array(keywords: &Map<String, Value>, items: &[Value]) -> Vec<String> {
    let mut messages = Vec::new();
    let count = items.len() as u64;
    let limit = |k: &str| keywords.get(k).and_then(Value::as_u64);
    if let Some(min) = limit("minItems").filter(|m| count < *m) {
        messages.push(format!("must have at least {min} items"));
    }
    if let Some(max) = limit("maxItems").filter(|m| count > *m) {
        messages.push(format!("must have at most {max} items"));
    }
    if keywords.get("uniqueItems") == Some(&Value::Bool(true)) {
        for (i, item) in items.iter().enumerate() {
            if items.iter().take(i).any(|earlier| earlier == item) {
                messages.push(format!("has {} more than once", short(item)));
            }
        }
    }
    messages
}
