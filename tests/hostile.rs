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

/// The JSON fast path counts nesting only inside the values it skips (`input::nesting`);
/// it must refuse exactly what the general path, which reads every document whole,
/// refuses: at 100 levels both judge the object, at 101 both refuse it, wherever the
/// nesting is.
#[test]
fn the_json_fast_path_refuses_the_nesting_the_general_path_refuses() {
    let nested = |levels: usize| format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
    // Each place puts the nested value `depth` containers deep, counting the root object.
    type Place = (&'static str, usize, fn(&str) -> String);
    let places: [Place; 5] = [
        ("an unknown top-level field", 1, |v| {
            format!(r#""status":{v},"#)
        }),
        ("managedFields", 2, |v| {
            format!(r#""metadata":{{"name":"p","managedFields":{v}}},"#)
        }),
        ("an unread annotation", 3, |v| {
            format!(r#""metadata":{{"name":"p","annotations":{{"x":{v}}}}},"#)
        }),
        ("an unknown pod spec field", 2, |v| {
            format!(r#""spec":{{"x":{v},"containers":[{{"name":"a","image":"a:1"}}]}},"#)
        }),
        ("an unknown container field", 4, |v| {
            format!(r#""spec":{{"containers":[{{"name":"a","image":"a:1","x":{v}}}]}},"#)
        }),
    ];
    let settings = Settings::default();
    for (place, depth, fill) in places {
        for levels in [100 - depth, 101 - depth] {
            let json = format!(
                r#"{{{}"apiVersion":"v1","kind":"Pod"}}"#,
                fill(&nested(levels))
            );
            // A comment first sends the same document down the general path.
            let general = sidecar_guard::check_text(&format!("# general path\n{json}"), &settings);
            let fast = sidecar_guard::check_text(&json, &settings);
            let refused = |results: &[Result<_, sidecar_guard::pipeline::DocumentError>]| {
                results.iter().any(|r| {
                    r.as_ref()
                        .is_err_and(|e| e.to_string().contains("nesting deeper than 100 levels"))
                })
            };
            assert_eq!(
                refused(&fast),
                levels + depth > 100,
                "{place}, {levels} levels: {fast:?}"
            );
            assert_eq!(
                refused(&general),
                refused(&fast),
                "{place}, {levels} levels: {general:?}"
            );
        }
    }
}
