//! Hostile and malformed inputs (tests/hostile/cases.json) through the library and the
//! CLI: each is an error naming the problem (CLI exit 2), never a panic, never a verdict.
//! The npm module and the policy replay the same cases in their own suites.

mod common;

use common::*;
use serde_json::Value;
use sidecar_guard::Settings;

struct Case {
    name: String,
    text: String,
    error: String,
}

fn cases() -> Vec<Case> {
    let path = repo_root().join("tests/hostile/cases.json");
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("cases")).expect("json");
    cases
        .iter()
        .map(|case| Case {
            name: case["name"].as_str().expect("name").to_string(),
            text: case["parts"]
                .as_array()
                .expect("parts")
                .iter()
                .map(|part| {
                    part[0]
                        .as_str()
                        .expect("text")
                        .repeat(part[1].as_u64().expect("times") as usize)
                })
                .collect(),
            error: case["error"].as_str().expect("error").to_string(),
        })
        .collect()
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
