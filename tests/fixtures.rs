//! Runs every fixture under tests/fixtures/ through the library and the CLI and compares
//! with its `<case>.expected.json`. In a directory named after a rule, only that rule's
//! findings are compared (plus ignore-annotation problems); elsewhere all of them.
//!
//! A new case is a new file. `SIDECAR_GUARD_BLESS=1 cargo test --test fixtures` writes the
//! expected files from the current output: review the diff before committing it.

mod common;

use common::*;
use serde_json::{json, Value};
use sidecar_guard::rules::ALL;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let mut cases = Vec::new();
    let root = repo_root().join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("readable")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                p.extension().is_some_and(|e| e == "yaml")
                    && !p.to_string_lossy().ends_with(".settings.yaml")
            })
            .collect();
        files.sort();
        cases.extend(files);
    }
    cases
}

fn rule_of(case: &Path) -> Option<String> {
    let dir = case.parent()?.file_name()?.to_str()?.to_string();
    sidecar_guard::rules::find(&dir).map(|_| dir)
}

fn library_results(case: &Path) -> Value {
    let (settings, _) = settings_for(case);
    let text = std::fs::read_to_string(case).expect("case readable");
    let rule = rule_of(case);
    let results: Vec<Value> = sidecar_guard::check_text(&text, &settings)
        .iter()
        .map(|r| match r {
            Ok(report) => report_json(report, rule.as_deref()),
            Err(e) => json!({"error": e.to_string()}),
        })
        .collect();
    Value::Array(results)
}

fn cli_results(case: &Path) -> Value {
    let (_, settings_path) = settings_for(case);
    let case_arg = case.to_string_lossy().to_string();
    let mut args = vec!["check", "--format", "json"];
    let settings_arg;
    if let Some(path) = settings_path {
        settings_arg = path.to_string_lossy().to_string();
        args.extend(["--settings", &settings_arg]);
    }
    args.push(&case_arg);
    let output = run_cli(&args, None);
    let stdout: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: CLI output is not JSON ({e}): {}",
            case.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let rule = rule_of(case);
    let results = stdout["results"].as_array().expect("results array");
    let expected_exit = if results.iter().any(|r| r["status"] == "error") {
        2
    } else if results.iter().any(|r| r["allowed"] == false) {
        1
    } else {
        0
    };
    assert_eq!(
        output.status.code(),
        Some(expected_exit),
        "{}: exit code",
        case.display()
    );
    Value::Array(
        results
            .iter()
            .map(|r| cli_result_json(r, rule.as_deref()))
            .collect(),
    )
}

#[test]
fn every_fixture_matches_its_expected_findings_through_library_and_cli() {
    let bless = std::env::var_os("SIDECAR_GUARD_BLESS").is_some();
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() > 40, "fixtures are missing: found {}", all.len());
    for case in &all {
        let library = library_results(case);
        let expected_path = case.with_extension("expected.json");
        if bless {
            let text = serde_json::to_string_pretty(&library).expect("serialisable") + "\n";
            std::fs::write(&expected_path, text).expect("expected file writable");
        }
        let expected: Value = match std::fs::read_to_string(&expected_path) {
            Ok(text) => serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
            Err(_) => {
                failures.push(format!(
                    "{}: no expected file (bless to create it)",
                    case.display()
                ));
                continue;
            }
        };
        if library != expected {
            failures.push(format!(
                "{} (library):\n  expected {expected}\n  actual   {library}",
                case.display()
            ));
        }
        // The CLI reports errors with their own wording; compare the findings and the
        // fact of the error.
        let cli = cli_results(case);
        let strip_errors = |v: &Value| -> Value {
            Value::Array(
                v.as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| {
                        if r.get("error").is_some() {
                            json!({"error": true})
                        } else {
                            r.clone()
                        }
                    })
                    .collect(),
            )
        };
        if strip_errors(&cli) != strip_errors(&expected) {
            failures.push(format!(
                "{} (CLI):\n  expected {expected}\n  actual   {cli}",
                case.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// Every rule has fixtures that fire and fixtures that stay silent.
#[test]
fn every_rule_has_firing_and_silent_fixtures() {
    for rule in ALL {
        let id = rule.meta().id;
        let dir = repo_root().join("tests/fixtures").join(id);
        let mut fires = 0;
        let mut silent = 0;
        for case in cases().into_iter().filter(|c| c.starts_with(&dir)) {
            let expected: Value = serde_json::from_str(
                &std::fs::read_to_string(case.with_extension("expected.json"))
                    .expect("expected file"),
            )
            .expect("json");
            for object in expected.as_array().expect("array") {
                let count = object["findings"]
                    .as_array()
                    .map_or(0, |f| f.iter().filter(|f| f["rule"] == id).count());
                if object.get("error").is_some() {
                    continue;
                }
                if count > 0 {
                    fires += 1;
                } else {
                    silent += 1;
                }
            }
        }
        assert!(
            fires >= 2,
            "{id}: only {fires} objects in its fixtures fire"
        );
        assert!(
            silent >= 2,
            "{id}: only {silent} objects in its fixtures stay silent"
        );
    }
}
