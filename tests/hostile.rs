//! Hostile and malformed inputs (tests/hostile/cases.json) through the library and the
//! CLI: each is an error naming the problem (CLI exit 2), never a panic, never a verdict.
//! The npm module and the policy replay the same cases in their own suites.

mod common;

use common::*;
#[path = "support/hostile.rs"]
mod hostile;

use hostile::{hostile_cases, HostileCase};
use sidecar_guard::Settings;

fn cases() -> Vec<HostileCase> {
    let path = repo_root().join("tests/hostile/cases.json");
    hostile_cases(&std::fs::read_to_string(path).expect("cases")).expect("cases.json")
}

#[test]
fn the_library_reports_each_problem() {
    for case in cases() {
        let results = sidecar_guard::check_text(&case.text, &Settings::default());
        if case.error == "empty" {
            assert!(results.is_empty(), "{}: {results:?}", case.name);
            continue;
        }
        let errors: Vec<String> = results
            .iter()
            .filter_map(|r| r.as_ref().err().map(ToString::to_string))
            .collect();
        assert!(
            results.iter().all(Result::is_err) && !errors.is_empty(),
            "{}: every document is an error",
            case.name
        );
        assert!(
            errors.iter().any(|e| e.contains(&case.error)),
            "{}: {errors:?} should say {:?}",
            case.name,
            case.error
        );
    }
}

#[test]
fn the_cli_exits_2_with_the_message() {
    for case in cases() {
        let output = run_cli(&["check", "-"], Some(case.text.as_bytes()));
        assert_eq!(output.status.code(), Some(2), "{}", case.name);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            all.contains(&case.error),
            "{}: {all:.300} should say {:?}",
            case.name,
            case.error
        );
    }
}

#[test]
fn invalid_utf8_is_named_not_guessed() {
    let output = run_cli(&["check", "-"], Some(b"kind: Pod\n\xff\xfe\n"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stdout).contains("not UTF-8"));
}
