//! `check --fix` and `--diff` on golden files: each `tests/fix/<case>.yaml` (or `.json`)
//! fixed by the CLI must equal `<case>.fixed.yaml` byte for byte, comments and odd
//! formatting included. Cases named `unsafe-*` run with `--unsafe-fixes`; a
//! `<case>.settings.yaml` beside one is its settings. For every case: a second `--fix`
//! changes nothing, what remains carries no fix that was asked for, the exit code is
//! `check`'s on the fixed file, `--diff` writes nothing, stdin gives the same text, and
//! every fixed object reads as its kind in k8s-openapi.
//! `SIDECAR_GUARD_BLESS=1 cargo test --test fix` writes the expected files.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(repo_root().join("tests/fix"))
        .expect("tests/fix exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.to_string_lossy();
            (name.ends_with(".yaml") || name.ends_with(".json"))
                && !name.ends_with(".settings.yaml")
                && !name.contains(".fixed.")
        })
        .collect();
    cases.sort();
    cases
}

fn expected_path(case: &Path) -> PathBuf {
    let ext = case.extension().and_then(|e| e.to_str()).unwrap_or("yaml");
    case.with_extension(format!("fixed.{ext}"))
}

fn arguments(case: &Path) -> Vec<String> {
    let mut args = vec!["check".to_string(), "--format".into(), "json".into()];
    let stem = case
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if stem.starts_with("unsafe-") {
        args.push("--unsafe-fixes".into());
    }
    let settings = case.with_extension("settings.yaml");
    if settings.is_file() {
        args.push("--settings".into());
        args.push(settings.to_string_lossy().into_owned());
    }
    args
}

fn run(args: &[String], extra: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(extra);
    run_cli(&all, stdin)
}

fn json_of(bytes: &[u8], what: &str) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

/// Every object of the fixed text reads as its kind in k8s-openapi: no fix writes what the
/// API's types refuse.
fn reads_as_its_kind(text: &str, what: &str) {
    use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};
    for document in sidecar_guard::input::yaml::parse_stream(text, Default::default()) {
        let value = document.expect("fixed text parses").value;
        let kind = value["kind"].as_str().unwrap_or_default().to_string();
        let result = match kind.as_str() {
            "Pod" => serde_json::from_value::<core::Pod>(value).map(|_| ()),
            "Deployment" => serde_json::from_value::<apps::Deployment>(value).map(|_| ()),
            "DaemonSet" => serde_json::from_value::<apps::DaemonSet>(value).map(|_| ()),
            "StatefulSet" => serde_json::from_value::<apps::StatefulSet>(value).map(|_| ()),
            "Job" => serde_json::from_value::<batch::Job>(value).map(|_| ()),
            "CronJob" => serde_json::from_value::<batch::CronJob>(value).map(|_| ()),
            "ConfigMap" | "Service" => Ok(()),
            other => panic!("{what}: add {other} to reads_as_its_kind"),
        };
        result.unwrap_or_else(|e| panic!("{what}: fixed {kind} does not read: {e}"));
    }
}

#[test]
fn golden_files() {
    let cases = cases();
    assert!(cases.len() >= 4, "only {} cases", cases.len());
    let dir = std::env::temp_dir().join(format!("sidecar-guard-fix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for case in cases {
        let what = case.display().to_string();
        let input = std::fs::read_to_string(&case).expect("readable");
        let file = dir.join(case.file_name().expect("name"));
        let file_arg = file.to_string_lossy().into_owned();
        let args = arguments(&case);

        // --diff writes nothing, and shows the change.
        std::fs::write(&file, &input).expect("write");
        let diff = run(&args, &["--diff", &file_arg], None);
        assert_eq!(
            std::fs::read_to_string(&file).expect("read"),
            input,
            "{what}: --diff wrote"
        );
        let diff_text = String::from_utf8_lossy(&diff.stdout).into_owned();
        assert!(
            diff_text.starts_with(&format!("--- {file_arg}\n+++ {file_arg}\n@@ ")),
            "{what}: {diff_text}"
        );
        let diff_report = json_of(&diff.stderr, &what);
        let patched = apply_unified_diff(&input, &diff_text);

        let fixed = run(&args, &["--fix", &file_arg], None);
        let output = std::fs::read_to_string(&file).expect("read");
        let report = json_of(&fixed.stdout, &what);
        let expected = expected_path(&case);
        if blessing() {
            std::fs::write(&expected, &output).expect("bless");
        }
        let want = std::fs::read_to_string(&expected)
            .unwrap_or_else(|_| panic!("{what}: no {} (bless it)", expected.display()));
        assert_same_text(&output, &want, &what);
        assert_same_text(&patched, &want, &format!("{what}: --diff applied"));
        assert_ne!(output, input, "{what}: nothing was fixed");
        let applied = report["fixes"].as_array().cloned().unwrap_or_default();
        assert!(!applied.is_empty(), "{what}: no fix listed");
        assert_eq!(
            report["results"], diff_report["results"],
            "{what}: --diff and --fix report differently"
        );

        // What remains carries no fix of the kind asked for (it would have been applied).
        let unsafe_too = args.iter().any(|a| a == "--unsafe-fixes");
        for result in report["results"].as_array().into_iter().flatten() {
            for finding in result["findings"].as_array().into_iter().flatten() {
                let left = finding["fix"]["applicability"].as_str();
                assert!(
                    left.is_none() || (left == Some("unsafe") && !unsafe_too),
                    "{what}: a fixable finding remains: {finding}"
                );
            }
        }

        // Exit code: check's, on what remains.
        let plain = run(&args, &[&file_arg], None);
        assert_eq!(
            fixed.status.code(),
            plain.status.code(),
            "{what}: exit code"
        );

        // Idempotent.
        let again = run(&args, &["--fix", &file_arg], None);
        assert_eq!(
            std::fs::read_to_string(&file).expect("read"),
            output,
            "{what}: second --fix changed it"
        );
        let again_report = json_of(&again.stdout, &what);
        assert_eq!(
            again_report["fixes"],
            Value::Array(Vec::new()),
            "{what}: second --fix applied"
        );

        // Stdin: the fixed text on stdout, the report on stderr.
        let piped = run(&args, &["--fix", "-"], Some(input.as_bytes()));
        assert_same_text(
            &String::from_utf8_lossy(&piped.stdout),
            &want,
            &format!("{what} (stdin)"),
        );
        let piped_report = json_of(&piped.stderr, &what);
        assert_eq!(
            piped_report["fixes"].as_array().map(Vec::len),
            Some(applied.len()),
            "{what}: stdin"
        );

        reads_as_its_kind(&output, &what);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_without_fixes_is_left_alone() {
    let dir = std::env::temp_dir().join(format!("sidecar-guard-nofix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("clean.yaml");
    let text = "# nothing to fix\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: a/b:1}]\n";
    std::fs::write(&file, text).expect("write");
    let file_arg = file.to_string_lossy().into_owned();
    let out = run_cli(&["check", "--fix", "--unsafe-fixes", &file_arg], None);
    assert_eq!(std::fs::read_to_string(&file).expect("read"), text);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the app's missing probe is still denied"
    );
    let diff = run_cli(&["check", "--diff", &file_arg], None);
    assert!(diff.stdout.is_empty(), "no diff for nothing");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every fixture and hostile input, fixed with every fix: nothing panics, a second run
/// changes nothing, and what remains carries no fix (each one offered was applied).
#[test]
fn every_fixture_fixes_to_a_fixed_point() {
    let options = sidecar_guard::fix::FixOptions { unsafe_fixes: true };
    let mut files = Vec::new();
    for root in ["tests/fixtures", "tests/hostile"] {
        let mut stack = vec![repo_root().join(root)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir)
                .expect("dir")
                .map(|e| e.expect("entry").path())
            {
                let name = entry.to_string_lossy().into_owned();
                if entry.is_dir() {
                    stack.push(entry);
                } else if (name.ends_with(".yaml") || name.ends_with(".json"))
                    && !name.ends_with(".settings.yaml")
                    && !name.ends_with(".expected.json")
                {
                    files.push(entry);
                }
            }
        }
    }
    files.sort();
    let mut fixed = 0;
    for file in files {
        let what = file.display().to_string();
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let (settings, _) = settings_for(&file);
        let once = sidecar_guard::fix::fix_text(&text, &settings, options);
        let twice = sidecar_guard::fix::fix_text(&once.output, &settings, options);
        assert!(
            twice.applied.is_empty(),
            "{what}: second run applied {:?}",
            twice.applied
        );
        assert_eq!(
            twice.output, once.output,
            "{what}: second run changed the text"
        );
        for report in once.reports.iter().flatten() {
            for finding in &report.findings {
                assert!(
                    finding.fix.is_none(),
                    "{what}: a fix was not applied: {finding:?}"
                );
            }
        }
        if once.applied.is_empty() {
            continue;
        }
        fixed += 1;
        // One document: fixing its value (npm's object path, the policy) gives the object
        // that fixing its text gives.
        let documents = sidecar_guard::input::yaml::parse_stream(&text, Default::default());
        if let [Ok(document)] = documents.as_slice() {
            let by_value = sidecar_guard::fix::fix_value(&document.value, &settings, options);
            let by_text =
                sidecar_guard::input::yaml::parse_stream(&once.output, Default::default());
            let [Ok(by_text)] = by_text.as_slice() else {
                panic!("{what}: fixed text is not one document");
            };
            assert_eq!(
                by_value.value, by_text.value,
                "{what}: value and text fixes differ"
            );
            assert_eq!(by_value.applied.len(), once.applied.len(), "{what}");
        }
    }
    assert!(fixed >= 10, "only {fixed} fixtures had fixes");
}

/// SARIF carries each fix as one replacement of the file's text, which applied alone gives
/// what the fix alone gives.
#[test]
fn sarif_results_carry_their_fixes_as_replacements() {
    let case = "tests/fix/readonly-log-mounts.yaml";
    let text = std::fs::read_to_string(repo_root().join(case)).expect("readable");
    let out = run_cli(&["check", "--format", "sarif", case], None);
    let sarif = json_of(&out.stdout, case);
    let offset = |line: u64, column: u64| {
        let start: usize = text
            .split_inclusive('\n')
            .take(line as usize - 1)
            .map(str::len)
            .sum();
        start + column as usize - 1
    };
    let mut checked = 0;
    for result in sarif["runs"][0]["results"].as_array().expect("results") {
        let Some(fix) = result["fixes"].get(0) else {
            continue;
        };
        let replacement = &fix["artifactChanges"][0]["replacements"][0];
        let region = &replacement["deletedRegion"];
        let start = offset(
            region["startLine"].as_u64().unwrap(),
            region["startColumn"].as_u64().unwrap(),
        );
        let end = offset(
            region["endLine"].as_u64().unwrap(),
            region["endColumn"].as_u64().unwrap(),
        );
        let mut edited = text.clone();
        edited.replace_range(
            start..end,
            replacement["insertedContent"]["text"].as_str().unwrap(),
        );
        let path = result["properties"]["path"].as_str().unwrap();
        let rule = result["ruleId"].as_str().unwrap();
        let report = sidecar_guard::check_text(&text, &Default::default())
            .remove(0)
            .unwrap();
        let finding = report
            .findings
            .iter()
            .find(|f| f.path == path && f.rule == rule)
            .unwrap();
        let (alone, _) =
            sidecar_guard::fix::apply_to_text(&text, &[(0, finding.fix.as_ref().unwrap())]);
        assert_same_text(&edited, &alone, &format!("{case}: {rule} at {path}"));
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} SARIF fixes");
}

/// The bundled examples: `--fix` leaves no safe fix, `--fix --unsafe-fixes` none at all,
/// and every fixed object still reads as its kind.
#[test]
fn examples_fix_cleanly() {
    let dir = std::env::temp_dir().join(format!("sidecar-guard-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(repo_root().join("examples")).expect("examples") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let copy = dir.join(path.file_name().expect("name"));
            std::fs::copy(&path, &copy).expect("copy");
            files.push(copy);
        }
    }
    let dir_arg = dir.to_string_lossy().into_owned();
    for unsafe_fixes in [false, true] {
        let mut args = vec!["check", "--format", "json", "--fix"];
        if unsafe_fixes {
            args.push("--unsafe-fixes");
        }
        args.push(&dir_arg);
        let report = json_of(&run_cli(&args, None).stdout, "examples");
        for result in report["results"].as_array().into_iter().flatten() {
            for finding in result["findings"].as_array().into_iter().flatten() {
                let left = finding["fix"]["applicability"].as_str();
                assert!(
                    left.is_none() || (left == Some("unsafe") && !unsafe_fixes),
                    "{finding}"
                );
            }
        }
    }
    for file in &files {
        reads_as_its_kind(
            &std::fs::read_to_string(file).expect("read"),
            &file.display().to_string(),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Applies a unified diff as `patch` does, checking every context and removed line and
/// that each hunk's context is as long on both sides (short context means the file's
/// start or end to `patch`).
fn apply_unified_diff(text: &str, diff: &str) -> String {
    let old: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut at = 0;
    let mut lines = diff.split_inclusive('\n').skip(2).peekable();
    while let Some(header) = lines.next() {
        let start: usize = header
            .strip_prefix("@@ -")
            .and_then(|h| h.split([',', ' ']).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("not a hunk header: {header}"));
        let start = start.saturating_sub(1);
        out.extend(old[at..start].iter().copied());
        at = start;
        let mut body = Vec::new();
        while let Some(line) = lines.peek().filter(|l| !l.starts_with("@@")) {
            body.push(*line);
            lines.next();
        }
        let leading = body.iter().take_while(|l| l.starts_with(' ')).count();
        let trailing = body.iter().rev().take_while(|l| l.starts_with(' ')).count();
        let at_end = at + body.iter().filter(|l| !l.starts_with('+')).count() == old.len();
        assert!(
            leading == trailing || at == 0 || at_end,
            "asymmetric context in:\n{}",
            body.concat()
        );
        for line in body {
            let (sign, rest) = line.split_at(1);
            match sign {
                " " | "-" => {
                    assert_eq!(
                        old.get(at).copied(),
                        Some(rest),
                        "diff does not match the text"
                    );
                    if sign == " " {
                        out.push_str(rest);
                    }
                    at += 1;
                }
                "+" => out.push_str(rest),
                other => panic!("unexpected diff line {other:?}"),
            }
        }
    }
    out.extend(old[at..].iter().copied());
    out
}
