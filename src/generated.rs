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
