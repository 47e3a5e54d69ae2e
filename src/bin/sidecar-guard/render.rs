//! Text and JSON output.

use crate::inputs::{Outcome, Results};
use serde_json::{json, Value};
use sidecar_guard::pipeline::DocumentError;
use sidecar_guard::{rules, Severity, Status};
use std::fmt::Write;

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn severity(&self, severity: Severity) -> String {
        match severity {
            Severity::Deny => self.wrap("1;31", "deny"),
            Severity::Warn => self.wrap("1;33", "warn"),
        }
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
}

fn location(source: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{source}:{line}"),
        None => source.to_string(),
    }
}

fn object_name(report: &sidecar_guard::Report) -> String {
    let name = report.shown_name();
    match &report.namespace {
        Some(ns) => format!("{} {ns}/{name}", report.kind),
        None => format!("{} {name}", report.kind),
    }
}

/// `1 error`, `2 errors`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `(istio added istio-init, istio-proxy)` for a report with injected containers.
fn injected_note(report: &sidecar_guard::Report) -> String {
    let mut by: Vec<(&str, Vec<&str>)> = Vec::new();
    for i in &report.injected {
        match by
            .iter_mut()
            .find(|(injector, _)| *injector == i.injected_by)
        {
            Some((_, names)) => names.push(&i.container),
            None => by.push((&i.injected_by, vec![&i.container])),
        }
    }
    let parts: Vec<String> = by
        .iter()
        .map(|(injector, names)| format!("{injector} added {}", names.join(", ")))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

/// Per object: its findings with file:line, then a summary line. Objects of kinds without
/// a pod template are counted in one line; `quiet` leaves out every object without
/// findings.
pub fn text(results: &Results, color: bool, quiet: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    let mut no_template: Vec<(String, usize)> = Vec::new();
    let mut not_objects = 0;
    for (source, message) in &results.input_errors {
        let _ = writeln!(
            out,
            "{}: {} {message}",
            source,
            paint.wrap("1;31", "error:")
        );
    }
    for outcome in &results.outcomes {
        let here = location(&outcome.source, outcome.line());
        match &outcome.result {
            Err(e) => {
                let _ = writeln!(out, "{here}: {} {e}", paint.wrap("1;31", "error:"));
            }
            Ok(report) if report.status == Status::Skipped => match &report.skip_reason {
                Some(reason) if reason == sidecar_guard::pipeline::NOT_AN_OBJECT => {
                    not_objects += 1
                }
                Some(reason) if !quiet => {
                    let _ = writeln!(
                        out,
                        "{here}: {} {}",
                        paint.dim("skipped"),
                        paint.dim(&format!("{}: {reason}", object_name(report)))
                    );
                }
                Some(_) => {}
                None => match no_template.iter_mut().find(|(k, _)| *k == report.kind) {
                    Some((_, n)) => *n += 1,
                    None => no_template.push((report.kind.clone(), 1)),
                },
            },
            Ok(report) if report.findings.is_empty() => {
                if !quiet {
                    let _ = writeln!(
                        out,
                        "{here}: {} {}{}",
                        paint.wrap("32", "ok"),
                        object_name(report),
                        paint.dim(&injected_note(report))
                    );
                }
            }
            Ok(report) => {
                let verdict = if report.allowed {
                    paint.wrap("33", "warnings")
                } else {
                    paint.wrap("31", "rejected")
                };
                let _ = writeln!(
                    out,
                    "{here}: {verdict} {}{}",
                    paint.bold(&object_name(report)),
                    paint.dim(&injected_note(report))
                );
                for finding in &report.findings {
                    let _ = writeln!(
                        out,
                        "  {} {} {} {}",
                        paint.dim(&format!("{}:", location(&outcome.source, finding.line))),
                        paint.severity(finding.severity),
                        paint.bold(&finding.rule),
                        finding.message
                    );
                    let _ = writeln!(out, "      {} {}", paint.dim("help:"), finding.help);
                }
            }
        }
    }
    if !no_template.is_empty() && !quiet {
        let total: usize = no_template.iter().map(|(_, n)| n).sum();
        let kinds: Vec<String> = no_template
            .iter()
            .map(|(kind, n)| {
                if *n == 1 {
                    kind.clone()
                } else {
                    format!("{kind} ×{n}")
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "{} {} without a pod template: {}",
            paint.dim("skipped"),
            count(total, "object"),
            paint.dim(&kinds.join(", "))
        );
    }
    if !quiet && not_objects > 0 {
        let _ = writeln!(
            out,
            "{} {} in walked folders: {}",
            paint.dim("skipped"),
            count(not_objects, "document"),
            paint.dim(sidecar_guard::pipeline::NOT_AN_OBJECT)
        );
    }
    if !quiet {
        for (path, reason) in &results.skipped_files {
            let _ = writeln!(
                out,
                "{path}: {} {}",
                paint.dim("skipped"),
                paint.dim(reason)
            );
        }
    }
    let _ = writeln!(out, "\n{}", summary_line(results));
    out
}

fn summary_line(results: &Results) -> String {
    let s = results.summary();
    format!(
        "{} checked, {} rejected, {} and {}, {} skipped, {}",
        s.checked,
        s.rejected,
        count(s.deny, "deny finding"),
        count(s.warn, "warn finding"),
        s.skipped,
        count(s.errors, "error")
    )
}

fn outcome_json(outcome: &Outcome) -> Value {
    let mut object = match &outcome.result {
        Ok(report) => serde_json::to_value(report).unwrap_or_default(),
        Err(e) => {
            json!({"status": "error", "error": {"message": e.to_string(), "line": e.line, "pointer": e.error.pointer()}, "document": e.document, "line": e.line})
        }
    };
    if let Some(map) = object.as_object_mut() {
        map.insert("source".into(), json!(outcome.source));
    }
    object
}

/// A document that is not YAML/JSON at all: an input error, not an object.
fn is_syntax_error(outcome: &Outcome) -> bool {
    matches!(
        &outcome.result,
        Err(DocumentError {
            error: sidecar_guard::Error::Syntax(_),
            ..
        })
    )
}

/// Unreadable inputs, then documents that do not parse, each with where it is.
fn input_errors_json(results: &Results) -> Vec<Value> {
    let unreadable = results
        .input_errors
        .iter()
        .map(|(source, message)| json!({"source": source, "message": message}));
    let unparsable = results
        .outcomes
        .iter()
        .filter(|o| is_syntax_error(o))
        .map(|o| {
            let message = o.result.as_ref().err().map(ToString::to_string);
            json!({"source": o.source, "document": o.document(), "line": o.line(), "message": message})
        });
    unreadable.chain(unparsable).collect()
}

/// One JSON document for the whole run.
pub fn json(results: &Results) -> String {
    let s = results.summary();
    let document = json!({
        "tool": "sidecar-guard",
        "version": env!("CARGO_PKG_VERSION"),
        "summary": {
            "objects": s.objects,
            "checked": s.checked,
            "skipped": s.skipped,
            "rejected": s.rejected,
            "deny": s.deny,
            "warn": s.warn,
            "errors": s.errors,
        },
        "inputErrors": input_errors_json(results),
        "skippedFiles": results.skipped_files.iter().map(|(source, reason)| json!({"source": source, "reason": reason})).collect::<Vec<_>>(),
        "results": results.outcomes.iter().filter(|o| !is_syntax_error(o)).map(outcome_json).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// The registry as JSON (`sidecar-guard rules --format json`).
pub fn rules_json() -> String {
    serde_json::to_string_pretty(&rules::catalog()).unwrap_or_default()
}
