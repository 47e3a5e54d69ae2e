//! SARIF 2.1.0 output for code-scanning UIs. Rule metadata comes from the registry.

use crate::inputs::Results;
use serde_json::{json, Value};
use sidecar_guard::pipeline::IGNORE_ANNOTATION_RULE;
use sidecar_guard::{rules, Severity};

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Deny => "error",
        Severity::Warn => "warning",
    }
}

fn artifact_uri(source: &str) -> String {
    if source == "-" {
        "stdin".to_string()
    } else {
        source.replace('\\', "/")
    }
}

pub fn sarif(results: &Results) -> String {
    let mut rule_ids: Vec<&str> = rules::ALL.iter().map(|r| r.meta().id).collect();
    rule_ids.push(IGNORE_ANNOTATION_RULE);
    let mut descriptors: Vec<Value> = rules::ALL
        .iter()
        .map(|r| {
            let m = r.meta();
            json!({
                "id": m.id,
                "name": m.id,
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
        "name": IGNORE_ANNOTATION_RULE,
        "shortDescription": {"text": "the sidecar-guard.io/ignore annotation names unknown rules or is not honoured"},
        "defaultConfiguration": {"level": "warning"},
    }));

    let mut sarif_results = Vec::new();
    for outcome in &results.outcomes {
        let Ok(report) = &outcome.result else {
            continue;
        };
        for finding in &report.findings {
            let mut physical = json!({"artifactLocation": {"uri": artifact_uri(&outcome.source)}});
            if let (Some(line), Some(map)) = (finding.line, physical.as_object_mut()) {
                map.insert("region".into(), json!({"startLine": line}));
            }
            let index = rule_ids.iter().position(|id| *id == finding.rule);
            sarif_results.push(json!({
                "ruleId": finding.rule,
                "ruleIndex": index,
                "level": level(finding.severity),
                "message": {"text": format!("{}. {}", finding.message, finding.help)},
                "locations": [{
                    "physicalLocation": physical,
                    "logicalLocations": [{"fullyQualifiedName": format!("{}{}", report.display_name(), finding.path), "kind": "object"}],
                }],
                "properties": {"container": finding.container, "role": finding.role, "path": finding.path, "kind": report.kind, "name": report.name, "namespace": report.namespace},
            }));
        }
    }
    let mut notifications: Vec<Value> = results
        .input_errors
        .iter()
        .map(|(source, message)| json!({"level": "error", "message": {"text": message}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(source)}}}]}))
        .collect();
    for outcome in &results.outcomes {
        if let Err(e) = &outcome.result {
            let mut physical = json!({"artifactLocation": {"uri": artifact_uri(&outcome.source)}});
            if let (Some(line), Some(map)) = (outcome.line(), physical.as_object_mut()) {
                map.insert("region".into(), json!({"startLine": line}));
            }
            notifications.push(json!({"level": "error", "message": {"text": e.to_string()}, "locations": [{"physicalLocation": physical}]}));
        }
    }
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sidecar-guard",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/sidecar-guard/sidecar-guard",
                "rules": descriptors,
            }},
            "invocations": [{"executionSuccessful": notifications.is_empty(), "toolExecutionNotifications": notifications}],
            "results": sarif_results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
