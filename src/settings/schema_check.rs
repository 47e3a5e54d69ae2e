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
        let mut fail = |message: String| push(errors, pointer, &message);

        if let Some(expected) = keywords.get("type") {
            let names: Vec<&str> = match expected {
                Value::String(s) => vec![s.as_str()],
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !names.iter().any(|n| type_matches(n, instance)) {
                fail(format!(
                    "expected {}, found {} {}",
                    names.join(" or "),
                    type_name(instance),
                    short(instance)
                ));
                return;
            }
        }
        if let Some(Value::Array(options)) = keywords.get("enum") {
            if !options.contains(instance) {
                let names: Vec<String> = options.iter().map(Value::to_string).collect();
                fail(format!(
                    "{} is not one of {}",
                    short(instance),
                    names.join(", ")
                ));
            }
        }
        if let Some(constant) = keywords.get("const") {
            if constant != instance {
                fail(format!("expected {constant}, found {}", short(instance)));
            }
        }
        for (keyword, is_one_of) in [("anyOf", false), ("oneOf", true)] {
            if let Some(Value::Array(branches)) = keywords.get(keyword) {
                let passing = branches
                    .iter()
                    .filter(|b| {
                        let mut scratch = Vec::new();
                        self.check(b, instance, &mut pointer.clone(), &mut scratch, depth + 1);
                        scratch.is_empty()
                    })
                    .count();
                if passing == 0 || (is_one_of && passing > 1) {
                    fail(self.describe_branches(branches, instance));
                }
            }
        }
        match instance {
            Value::Number(n) => {
                let Some(x) = n.as_f64() else { return };
                let bound = |k: &str| keywords.get(k).and_then(Value::as_f64);
                if let Some(min) = bound("minimum").filter(|m| x < *m) {
                    fail(format!("{x} is less than the minimum {min}"));
                }
                if let Some(max) = bound("maximum").filter(|m| x > *m) {
                    fail(format!("{x} is more than the maximum {max}"));
                }
                if let Some(min) = bound("exclusiveMinimum").filter(|m| x <= *m) {
                    fail(format!("{x} must be more than {min}"));
                }
                if let Some(max) = bound("exclusiveMaximum").filter(|m| x >= *m) {
                    fail(format!("{x} must be less than {max}"));
                }
            }
            Value::String(text) => {
                let length = text.chars().count() as u64;
                if let Some(min) = keywords
                    .get("minLength")
                    .and_then(Value::as_u64)
                    .filter(|m| length < *m)
                {
                    fail(format!("must be at least {min} characters long"));
                }
                if let Some(max) = keywords
                    .get("maxLength")
                    .and_then(Value::as_u64)
                    .filter(|m| length > *m)
                {
                    fail(format!("must be at most {max} characters long"));
                }
                if let Some(format) = keywords.get("format").and_then(Value::as_str) {
                    if let Some(Err(message)) = check_format(format, text) {
                        fail(message);
                    }
                }
            }
            Value::Array(items) => {
                let count = items.len() as u64;
                if let Some(min) = keywords
                    .get("minItems")
                    .and_then(Value::as_u64)
                    .filter(|m| count < *m)
                {
                    fail(format!("must have at least {min} items"));
                }
                if let Some(max) = keywords
                    .get("maxItems")
                    .and_then(Value::as_u64)
                    .filter(|m| count > *m)
                {
                    fail(format!("must have at most {max} items"));
                }
                if keywords.get("uniqueItems") == Some(&Value::Bool(true)) {
                    for (i, item) in items.iter().enumerate() {
                        if items.iter().take(i).any(|earlier| earlier == item) {
                            fail(format!("has {} more than once", short(item)));
                        }
                    }
                }
                if let Some(item_schema) = keywords.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        let saved = pointer.len();
                        pointer.push('/');
                        pointer.push_str(&i.to_string());
                        self.check(item_schema, item, pointer, errors, depth + 1);
                        pointer.truncate(saved);
                    }
                }
            }
            Value::Object(map) => self.check_object(keywords, map, pointer, errors, depth),
            Value::Null | Value::Bool(_) => {}
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
