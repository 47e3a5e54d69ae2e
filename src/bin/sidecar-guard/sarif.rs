//! SARIF 2.1.0 output for code-scanning UIs. Rule metadata comes from the registry.
//!
//! What Microsoft's SARIF validator (`sarif-multitool validate`) asks for: rule names
//! that are readable and differ from the ids; artifact URIs that are either relative to a
//! declared base (`%SRCROOT%`, the working directory, given in `originalUriBaseIds`) or
//! absolute `file://` URIs. Standard input has no artifact: its results carry logical
//! locations only.

use crate::inputs::{Outcome, Results};
use serde_json::{json, Value};
use sidecar_guard::pipeline::IGNORE_ANNOTATION_RULE;
use sidecar_guard::{rules, Finding, Fix, Report, Severity};
use std::path::{Component, Path, PathBuf};

/// The base that relative artifact URIs are resolved against.
const SOURCE_ROOT: &str = "%SRCROOT%";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Deny => "error",
        Severity::Warn => "warning",
    }
}

/// `container-probes` → `ContainerProbes`: SARIF's readable rule name.
fn rule_name(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect()
}

/// Percent-encodes what may not stand in a URI path as written.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `file://` URI of an absolute path.
fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let text = if text.starts_with('/') {
        text
    } else {
        format!("/{text}")
    };
    format!("file://{}", encode_path(&text))
}

/// Where a source lies: relative to the working directory when it is below it, else an
/// absolute `file://` URI; `None` for standard input.
fn artifact_location(source: &str, root: &Path) -> Option<Value> {
    if source == "-" {
        return None;
    }
    let path = Path::new(source);
    let below_root = path.is_relative()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if below_root {
        let relative: PathBuf = path
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .collect();
        let uri = encode_path(&relative.to_string_lossy().replace('\\', "/"));
        return Some(json!({"uri": uri, "uriBaseId": SOURCE_ROOT}));
    }
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    Some(json!({"uri": file_uri(&normalise(&absolute))}))
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn physical_location(source: &str, line: Option<usize>, root: &Path) -> Option<Value> {
    let mut physical = json!({"artifactLocation": artifact_location(source, root)?});
    if let (Some(line), Some(map)) = (line, physical.as_object_mut()) {
        map.insert("region".into(), json!({"startLine": line}));
    }
    Some(physical)
}

fn rule_descriptors() -> Vec<Value> {
    let mut descriptors: Vec<Value> = rules::ALL
        .iter()
        .map(|r| {
            let m = r.meta();
            json!({
                "id": m.id,
                "name": rule_name(m.id),
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": m.summary},
                "help": {"text": m.docs_markdown(), "markdown": m.docs_markdown()},
                "defaultConfiguration": {"level": level(m.default_severity)},
                "properties": {"category": m.category, "since": m.since},
            })
        })
        .collect();
    descriptors.push(json!({
        "id": IGNORE_ANNOTATION_RULE,
        "name": rule_name(IGNORE_ANNOTATION_RULE),
        "shortDescription": {"text": "the sidecar-guard.io/ignore annotation names unknown rules or is not honoured"},
        "defaultConfiguration": {"level": "warning"},
    }));
    descriptors
}

/// Rule ids in the order of the descriptors, for `ruleIndex`.
fn rule_ids() -> Vec<&'static str> {
    let mut ids = rules::ids();
    ids.push(IGNORE_ANNOTATION_RULE);
    ids
}

fn result(
    outcome: &Outcome,
    text: Option<&str>,
    report: &Report,
    finding: &Finding,
    rule_ids: &[&str],
    root: &Path,
) -> Value {
    let index = rule_ids.iter().position(|id| *id == finding.rule);
    let mut location = json!({
        "logicalLocations": [{"fullyQualifiedName": format!("{}{}", report.display_name(), finding.path), "kind": "object"}],
    });
    if let (Some(physical), Some(map)) = (
        physical_location(&outcome.source, finding.line, root),
        location.as_object_mut(),
    ) {
        map.insert("physicalLocation".into(), physical);
    }
    let mut result = json!({
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": level(finding.severity),
        "message": {"text": format!("{}. {}", finding.message, finding.help)},
        "locations": [location],
        "properties": {"container": finding.container, "role": finding.role, "roleReason": finding.role_reason, "injectedBy": finding.injected_by, "path": finding.path, "kind": report.kind, "name": report.name, "namespace": report.namespace},
    });
    let fix = finding
        .fix
        .as_ref()
        .zip(text)
        .and_then(|(fix, text)| sarif_fix(&outcome.source, text, report.document, fix, root));
    if let (Some(fix), Some(map)) = (fix, result.as_object_mut()) {
        map.insert("fixes".into(), json!([fix]));
    }
    result
}

/// The fix as SARIF writes one: a single replacement in the file, the part of the text
/// the fix alone changes (`None` when it does not apply alone, or the input is stdin).
fn sarif_fix(source: &str, text: &str, document: usize, fix: &Fix, root: &Path) -> Option<Value> {
    let location = artifact_location(source, root)?;
    let (fixed, applied) = sidecar_guard::fix::apply_to_text(text, &[(document, fix)]);
    if applied != [true] {
        return None;
    }
    let prefix = text
        .bytes()
        .zip(fixed.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let prefix = floor_boundary(text, prefix).min(floor_boundary(&fixed, prefix));
    let suffix = text
        .bytes()
        .rev()
        .zip(fixed.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(text.len() - prefix)
        .min(fixed.len() - prefix);
    let end = ceil_boundary(text, text.len() - suffix);
    let fixed_end = fixed.len() - (text.len() - end);
    let (start_line, start_column) = line_column(text, prefix);
    let (end_line, end_column) = line_column(text, end);
    Some(json!({
        "description": {"text": format!("{} ({})", fix.title, fix.applicability.as_str())},
        "artifactChanges": [{
            "artifactLocation": location,
            "replacements": [{
                "deletedRegion": {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column},
                "insertedContent": {"text": fixed.get(prefix..fixed_end).unwrap_or_default()},
            }],
        }],
    }))
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// 1-based line and column of a byte offset; columns in UTF-16 code units, SARIF's
/// default `columnKind`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before
        .get(line_start..)
        .unwrap_or_default()
        .encode_utf16()
        .count()
        + 1;
    (line, column)
}

/// An input or a document that could not be read, as a tool notification.
fn notification(message: String, location: Option<Value>) -> Value {
    let mut notification = json!({"level": "error", "message": {"text": message}});
    if let (Some(physical), Some(map)) = (location, notification.as_object_mut()) {
        map.insert("locations".into(), json!([{"physicalLocation": physical}]));
    }
    notification
}

pub fn sarif(results: &Results) -> String {
    let root = std::env::current_dir().unwrap_or_default();
    let rule_ids = rule_ids();
    let mut sarif_results = Vec::new();
    let mut notifications: Vec<Value> = results
        .input_errors
        .iter()
        .map(|(source, message)| {
            notification(message.clone(), physical_location(source, None, &root))
        })
        .collect();
    for outcome in &results.outcomes {
        match &outcome.result {
            Ok(report) => sarif_results.extend(report.findings.iter().map(|finding| {
                let text = results.texts.get(outcome.input).map(String::as_str);
                result(outcome, text, report, finding, &rule_ids, &root)
            })),
            Err(e) => notifications.push(notification(
                e.to_string(),
                physical_location(&outcome.source, outcome.line(), &root),
            )),
        }
    }
    let root_uri = format!("{}/", file_uri(&root).trim_end_matches('/'));
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sidecar-guard",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/sidecar-guard/sidecar-guard",
                "rules": rule_descriptors(),
            }},
            "originalUriBaseIds": {SOURCE_ROOT: {"uri": root_uri}},
            "invocations": [{"executionSuccessful": notifications.is_empty(), "toolExecutionNotifications": notifications}],
            "results": sarif_results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(rule_name("container-probes"), "ContainerProbes");
        assert_eq!(rule_name("ignore-annotation"), "IgnoreAnnotation");
    }

    #[test]
    fn locations_are_relative_to_the_root_or_file_uris() {
        let root = Path::new("/work/repo");
        assert_eq!(
            artifact_location("k8s/app deploy.yaml", root),
            Some(json!({"uri": "k8s/app%20deploy.yaml", "uriBaseId": "%SRCROOT%"}))
        );
        assert_eq!(
            artifact_location("./k8s/a.yaml", root),
            Some(json!({"uri": "k8s/a.yaml", "uriBaseId": "%SRCROOT%"}))
        );
        assert_eq!(
            artifact_location("/tmp/x/a.yaml", root),
            Some(json!({"uri": "file:///tmp/x/a.yaml"}))
        );
        assert_eq!(
            artifact_location("../other/a.yaml", root),
            Some(json!({"uri": "file:///work/other/a.yaml"}))
        );
        assert_eq!(artifact_location("-", root), None);
    }
}
