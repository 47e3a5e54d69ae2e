//! Artefacts generated from the registry and the settings types: the settings JSON
//! Schema and the README's rule table. `cargo run --bin codegen` writes them; a test
//! fails when a committed copy differs, so docs cannot drift from code.

use crate::rules::ALL;

/// `policies/settings.schema.json`, pretty-printed with a trailing newline.
pub fn settings_schema_text() -> String {
    let mut schema = crate::settings::json_schema();
    if let Some(map) = schema.as_object_mut() {
        map.insert(
            "$id".to_string(),
            serde_json::Value::String("https://sidecar-guard.io/settings.schema.json".to_string()),
        );
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The README's rule table.
pub fn rules_table() -> String {
    let mut out = String::from(
        "| rule | what it checks | default severity | category | since |\n|---|---|---|---|---|\n",
    );
    for rule in ALL {
        let meta = rule.meta();
        out.push_str(&format!(
            "| [`{id}`](#{id}) | {summary} | {severity} | {category} | {since} |\n",
            id = meta.id,
            summary = meta.summary,
            severity = meta.default_severity,
            category = meta.category,
            since = meta.since,
        ));
    }
    out
}

/// Every rule's documentation, as README sections.
pub fn rules_reference() -> String {
    let mut out = String::new();
    for rule in ALL {
        let meta = rule.meta();
        out.push_str(&format!(
            "### `{}`\n\n*{}* — default `{}`.\n\n",
            meta.id, meta.summary, meta.default_severity
        ));
        // Demote the doc's own headings below the rule's.
        for line in meta.docs_markdown().lines() {
            match line.strip_prefix("## ") {
                Some(heading) => out.push_str(&format!("#### {heading}\n")),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out.push('\n');
    }
    out
}

/// Replaces the text between `<!-- BEGIN name -->` and `<!-- END name -->`.
pub fn replace_section(document: &str, name: &str, content: &str) -> Option<String> {
    let begin = format!("<!-- BEGIN {name} -->\n");
    let end = format!("<!-- END {name} -->");
    let start = document.find(&begin)? + begin.len();
    let stop = start + document.get(start..)?.find(&end)?;
    Some(format!(
        "{}{}{}",
        document.get(..start)?,
        content,
        document.get(stop..)?
    ))
}

/// The settings reference table, walked from the generated schema: every key with its
/// type, default and description.
pub fn settings_reference() -> String {
    let schema = crate::settings::json_schema();
    let mut rows = Vec::new();
    settings_rows(&schema, &schema, "", &mut rows, 0);
    let mut out = String::from("| key | type | default | description |\n|---|---|---|---|\n");
    for (key, kind, default, description) in rows {
        out.push_str(&format!(
            "| `{key}` | {kind} | {default} | {description} |\n"
        ));
    }
    out
}

/// Follows a `$ref`, and looks through `anyOf: [X, null]` (an optional field) to X.
fn resolve<'a>(
    root: &'a serde_json::Value,
    schema: &'a serde_json::Value,
) -> &'a serde_json::Value {
    let schema = match schema
        .get("$ref")
        .and_then(|r| r.as_str())
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(pointer) => root.pointer(pointer).unwrap_or(schema),
        None => schema,
    };
    if let Some(serde_json::Value::Array(branches)) = schema.get("anyOf") {
        let non_null: Vec<&serde_json::Value> = branches
            .iter()
            .filter(|b| b.get("type").and_then(|t| t.as_str()) != Some("null"))
            .collect();
        if let [only] = non_null.as_slice() {
            return resolve(root, only);
        }
    }
    schema
}

fn type_label(root: &serde_json::Value, schema: &serde_json::Value) -> String {
    use serde_json::Value;
    let schema = resolve(root, schema);
    if let Some(Value::Array(options)) = schema.get("enum") {
        return options
            .iter()
            .filter(|o| o.is_string())
            .map(|o| o.as_str().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    if let Some(Value::Array(branches)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        let labels: Vec<String> = branches
            .iter()
            .filter(|b| b.get("type") != Some(&Value::String("null".into())))
            .map(|b| {
                let b = resolve(root, b);
                b.get("const")
                    .map(|c| c.as_str().unwrap_or_default().to_string())
                    .unwrap_or_else(|| type_label(root, b))
            })
            .collect();
        return labels.join(" \\| ");
    }
    if let Some(format) = schema
        .get("format")
        .and_then(Value::as_str)
        .filter(|f| ["glob", "quantity", "kubernetes-version"].contains(f))
    {
        return format.to_string();
    }
    match schema.get("type") {
        Some(Value::String(t)) if t == "array" => format!(
            "list of {}",
            schema
                .get("items")
                .map(|i| type_label(root, i))
                .unwrap_or_default()
        ),
        Some(Value::String(t)) if t == "object" => match schema.get("additionalProperties") {
            Some(extra @ Value::Object(_)) => format!("map of {}", type_label(root, extra)),
            _ => "object".to_string(),
        },
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" \\| "),
        _ => "any".to_string(),
    }
}

type Row = (String, String, String, String);

fn settings_rows(
    root: &serde_json::Value,
    schema: &serde_json::Value,
    prefix: &str,
    rows: &mut Vec<Row>,
    depth: usize,
) {
    let schema = resolve(root, schema);
    let Some(properties) = schema.get("properties").and_then(|p| p.as_object()) else {
        return;
    };
    for (name, property) in properties {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let target = resolve(root, property);
        let description = property
            .get("description")
            .or_else(|| target.get("description"))
            .and_then(|d| d.as_str())
            .unwrap_or_default()
            .replace('\n', " ")
            .replace('|', "\\|");
        let default = property
            .get("default")
            .map(|d| format!("`{d}`"))
            .unwrap_or_default();
        match target.get("properties").and_then(|p| p.as_object()) {
            // Deep objects (probe bounds) get one row that names their keys.
            Some(fields) if depth >= 3 => {
                let keys: Vec<&str> = fields.keys().map(String::as_str).collect();
                rows.push((
                    key.clone(),
                    format!("object: {}", keys.join(", ")),
                    default,
                    description,
                ));
            }
            Some(_) => settings_rows(root, property, &key, rows, depth + 1),
            None => rows.push((
                key.clone(),
                type_label(root, property),
                default,
                description,
            )),
        }
    }
}
