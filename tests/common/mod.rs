//! Helpers shared by the integration tests.
#![allow(dead_code)]

use serde_json::{json, Value};
use sidecar_guard::{Report, Settings};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[path = "../support/shared.rs"]
mod shared;

/// `seed/` or `conformance/` of the data kept outside the repository, or `None` (the
/// calling test returns: skipped) when it is not here; see tests/support/shared.rs.
pub fn shared_data(name: &str) -> Option<PathBuf> {
    shared::shared_data(&repo_root(), name)
}

pub fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sidecar-guard"))
}

/// Runs the CLI with `args`, feeding `stdin`.
pub fn run_cli(args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut child = binary()
        .args(args)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // The CLI may stop before reading (bad settings): a closed pipe is not a failure.
        if let Err(e) = pipe.write_all(input) {
            assert_eq!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe,
                "writing stdin: {e}"
            );
        }
    }
    child.wait_with_output().expect("the CLI finishes")
}

/// Loads settings for a case: `<case>.settings.yaml` beside it, else the defaults.
pub fn settings_for(case: &Path) -> (Settings, Option<PathBuf>) {
    let path = case.with_extension("settings.yaml");
    if path.exists() {
        let text = std::fs::read_to_string(&path).expect("settings file readable");
        let settings =
            Settings::from_text(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        (settings, Some(path))
    } else {
        (Settings::default(), None)
    }
}

/// A report as compared in fixtures: identity, verdict and findings (optionally only one
/// rule's, plus problems with the ignore annotation).
pub fn report_json(report: &Report, only_rule: Option<&str>) -> Value {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .filter(|f| only_rule.is_none_or(|r| f.rule == r || f.rule == sidecar_guard::IGNORE_ANNOTATION_RULE))
        .map(|f| {
            let mut finding = json!({"rule": f.rule, "severity": f.severity, "container": f.container, "role": f.role, "roleReason": f.role_reason, "injectedBy": f.injected_by, "path": f.path, "message": f.message, "help": f.help});
            // Only findings with a fix say so: the files of the others stay as they were.
            if let (Some(fix), Some(map)) = (&f.fix, finding.as_object_mut()) {
                map.insert("fix".into(), json!(fix));
            }
            finding
        })
        .collect();
    let mut out = json!({"kind": report.kind, "name": report.name, "status": report.status, "findings": findings});
    if let (Some(reason), Some(map)) = (&report.skip_reason, out.as_object_mut()) {
        map.insert("skipReason".into(), json!(reason));
    }
    out
}

/// The same shape from one result object of the CLI's JSON output.
pub fn cli_result_json(result: &Value, only_rule: Option<&str>) -> Value {
    if result["status"] == "error" {
        return json!({"error": result["error"]["message"]});
    }
    let findings: Vec<Value> = result["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| only_rule.is_none_or(|r| f["rule"] == r || f["rule"] == sidecar_guard::IGNORE_ANNOTATION_RULE))
        .map(|f| {
            let mut finding = json!({"rule": f["rule"], "severity": f["severity"], "container": f["container"], "role": f["role"], "roleReason": f.get("roleReason").cloned().unwrap_or(Value::Null), "injectedBy": f.get("injectedBy").cloned().unwrap_or(Value::Null), "path": f["path"], "message": f["message"], "help": f["help"]});
            if let (Some(fix), Some(map)) = (f.get("fix"), finding.as_object_mut()) {
                map.insert("fix".into(), fix.clone());
            }
            finding
        })
        .collect();
    let mut out = json!({"kind": result["kind"], "name": result["name"], "status": result["status"], "findings": findings});
    if let (Some(reason), Some(map)) = (result.get("skipReason"), out.as_object_mut()) {
        map.insert("skipReason".into(), reason.clone());
    }
    out
}

/// The CLI's JSON output per document, in document order: the objects of `results`, and
/// the documents that did not parse (listed in `inputErrors`) as `status: error` entries.
pub fn cli_documents(output: &Value) -> Vec<Value> {
    let mut documents: Vec<Value> = output["results"].as_array().cloned().unwrap_or_default();
    for error in output["inputErrors"].as_array().into_iter().flatten() {
        if error.get("document").is_some_and(|d| !d.is_null()) {
            documents.push(json!({
                "status": "error",
                "document": error["document"],
                "line": error["line"],
                "error": {"message": error["message"]},
            }));
        }
    }
    // Stable: several objects of one document (a List) keep their order.
    documents.sort_by_key(|d| d["document"].as_u64().unwrap_or(u64::MAX));
    documents
}

/// Whether this run writes expected files from the current output
/// (`SIDECAR_GUARD_BLESS=1 cargo test --test fixtures --test seed --test conformance`).
pub fn blessing() -> bool {
    std::env::var_os("SIDECAR_GUARD_BLESS").is_some()
}

/// Pretty JSON with a trailing newline: the form expected files are written in.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}

/// Fails with a line diff of the two values, pretty-printed, when they differ: one changed
/// finding reads as a few `-`/`+` lines, not as two dumps of the whole file.
pub fn assert_same_json(actual: &Value, expected: &Value, what: &str) {
    if actual != expected {
        assert_same_text(&pretty(actual), &pretty(expected), what);
    }
}

/// Fails with a line diff when two texts differ.
pub fn assert_same_text(actual: &str, expected: &str, what: &str) {
    if actual == expected {
        return;
    }
    let diff = similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(4)
        .header("expected", "actual")
        .to_string();
    panic!("{what}: output differs (- expected, + actual)\n{diff}");
}
