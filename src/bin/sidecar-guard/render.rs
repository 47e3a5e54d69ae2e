//! Text and JSON output.

use crate::inputs::{Outcome, Results};
use serde_json::{json, Value};
use sidecar_guard::pipeline::{DocumentError, NOT_AN_OBJECT};
use sidecar_guard::{rules, Report, Severity, Status};
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
    let mut text = TextOutput {
        paint: Paint { on: color },
        quiet,
        out: String::new(),
        no_template: Vec::new(),
        not_objects: 0,
    };
    for (source, message) in &results.input_errors {
        text.error(source, message);
    }
    for (source, fix) in &results.applied {
        let what = match &fix.container {
            Some(container) => format!("{} ({container})", fix.rule),
            None => fix.rule.clone(),
        };
        let label = text.paint.wrap("32", "fixed");
        let _ = writeln!(
            text.out,
            "{source}: {label} {what}: {} [{}]",
            fix.title,
            fix.applicability.as_str()
        );
    }
    for outcome in &results.outcomes {
        text.outcome(outcome);
    }
    text.skipped(results);
    let _ = writeln!(text.out, "\n{}", summary_line(results));
    text.out
}

/// The text output being written, with what is only counted until the end.
struct TextOutput {
    paint: Paint,
    quiet: bool,
    out: String,
    /// Kinds without a pod template, and how many objects of each.
    no_template: Vec<(String, usize)>,
    /// Documents passed over as not Kubernetes objects.
    not_objects: usize,
}

impl TextOutput {
    fn error(&mut self, here: &str, message: &dyn std::fmt::Display) {
        let label = self.paint.wrap("1;31", "error:");
        let _ = writeln!(self.out, "{here}: {label} {message}");
    }

    fn outcome(&mut self, outcome: &Outcome) {
        let here = location(&outcome.source, outcome.line());
        match &outcome.result {
            Err(e) => self.error(&here, e),
            Ok(report) if report.status == Status::Skipped => self.skipped_object(&here, report),
            Ok(report) if report.findings.is_empty() => {
                if !self.quiet {
                    let paint = &self.paint;
                    let ok = paint.wrap("32", "ok");
                    let note = paint.dim(&injected_note(report));
                    let _ = writeln!(self.out, "{here}: {ok} {}{note}", object_name(report));
                }
            }
            Ok(report) => self.findings(&here, &outcome.source, report),
        }
    }

    fn skipped_object(&mut self, here: &str, report: &Report) {
        match &report.skip_reason {
            Some(reason) if reason == NOT_AN_OBJECT => self.not_objects += 1,
            Some(reason) if !self.quiet => {
                let what = self
                    .paint
                    .dim(&format!("{}: {reason}", object_name(report)));
                let _ = writeln!(self.out, "{here}: {} {what}", self.paint.dim("skipped"));
            }
            Some(_) => {}
            None => match self.no_template.iter_mut().find(|(k, _)| *k == report.kind) {
                Some((_, n)) => *n += 1,
                None => self.no_template.push((report.kind.clone(), 1)),
            },
        }
    }

    fn findings(&mut self, here: &str, source: &str, report: &Report) {
        let paint = &self.paint;
        let verdict = if report.allowed {
            paint.wrap("33", "warnings")
        } else {
            paint.wrap("31", "rejected")
        };
        let name = paint.bold(&object_name(report));
        let note = paint.dim(&injected_note(report));
        let _ = writeln!(self.out, "{here}: {verdict} {name}{note}");
        for finding in &report.findings {
            let at = paint.dim(&format!("{}:", location(source, finding.line)));
            let severity = paint.severity(finding.severity);
            let rule = paint.bold(&finding.rule);
            let _ = writeln!(self.out, "  {at} {severity} {rule} {}", finding.message);
            let _ = writeln!(self.out, "      {} {}", paint.dim("help:"), finding.help);
            if let (Some(role), Some(reason)) = (finding.role, &finding.role_reason) {
                let _ = writeln!(self.out, "      {} {role}: {reason}", paint.dim("role:"));
            }
            if let Some(fix) = &finding.fix {
                let flag = match fix.applicability {
                    sidecar_guard::Applicability::Safe => "--fix",
                    sidecar_guard::Applicability::Unsafe => "--fix --unsafe-fixes",
                };
                let _ = writeln!(
                    self.out,
                    "      {} {} ({flag})",
                    paint.dim("fix:"),
                    fix.title
                );
            }
        }
    }

    /// What was passed over: kinds without a pod template, documents that are not
    /// objects, files a folder walk skipped.
    fn skipped(&mut self, results: &Results) {
        if self.quiet {
            return;
        }
        let paint = &self.paint;
        if !self.no_template.is_empty() {
            let total: usize = self.no_template.iter().map(|(_, n)| n).sum();
            let kinds: Vec<String> = self
                .no_template
                .iter()
                .map(|(kind, n)| match n {
                    1 => kind.clone(),
                    n => format!("{kind} ×{n}"),
                })
                .collect();
            let objects = count(total, "object");
            let kinds = paint.dim(&kinds.join(", "));
            let _ = writeln!(
                self.out,
                "{} {objects} without a pod template: {kinds}",
                paint.dim("skipped")
            );
        }
        if self.not_objects > 0 {
            let documents = count(self.not_objects, "document");
            let reason = paint.dim(NOT_AN_OBJECT);
            let _ = writeln!(self.out, "{} {documents}: {reason}", paint.dim("skipped"));
        }
        for (path, reason) in &results.skipped_files {
            let _ = writeln!(
                self.out,
                "{path}: {} {}",
                paint.dim("skipped"),
                paint.dim(reason)
            );
        }
    }
}

fn summary_line(results: &Results) -> String {
    let s = results.summary();
    let fixed = if results.applied.is_empty() {
        String::new()
    } else {
        format!("{} applied; ", count(results.applied.len(), "fix"))
    };
    format!(
        "{fixed}{} checked, {} rejected, {} and {}, {} skipped, {}",
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
        "fixes": results.applied.iter().map(|(source, fix)| {
            let mut value = serde_json::to_value(fix).unwrap_or_default();
            if let Some(map) = value.as_object_mut() {
                map.insert("source".into(), json!(source));
            }
            value
        }).collect::<Vec<_>>(),
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
