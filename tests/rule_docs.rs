//! Each rule's documentation: the fixed sections in order, and its Example manifest fires
//! the rule while its "Use instead" manifest does not.

use sidecar_guard::rules::ALL;
use sidecar_guard::Settings;

const SECTIONS: [&str; 7] = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Fix",
    "## Options",
    "## References",
];

fn yaml_after<'a>(docs: &'a str, heading: &str) -> &'a str {
    let start = docs.find(heading).unwrap_or_else(|| panic!("no {heading}")) + heading.len();
    let block = docs[start..].find("```yaml\n").expect("a yaml block") + start + 8;
    let end = docs[block..].find("```").expect("closed block") + block;
    &docs[block..end]
}

fn findings_of(rule: &str, manifest: &str) -> usize {
    sidecar_guard::check_text(manifest, &Settings::default())
        .into_iter()
        .map(|r| r.unwrap_or_else(|e| panic!("{rule}: documented manifest does not load: {e}")))
        .map(|report| report.findings.iter().filter(|f| f.rule == rule).count())
        .sum()
}

#[test]
fn docs_have_the_fixed_sections_in_order() {
    for rule in ALL {
        let docs = rule.meta().docs_markdown();
        let positions: Vec<usize> = SECTIONS
            .iter()
            .map(|s| {
                docs.find(s)
                    .unwrap_or_else(|| panic!("{}: missing {s}", rule.meta().id))
            })
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "{}: sections out of order",
            rule.meta().id
        );
        assert!(
            docs.contains("https://kubernetes.io/") || docs.contains("https://www."),
            "{}: References name a source",
            rule.meta().id
        );
    }
}

#[test]
fn examples_fire_and_fixes_do_not() {
    for rule in ALL {
        let id = rule.meta().id;
        let docs = rule.meta().docs_markdown();
        assert!(
            findings_of(id, yaml_after(&docs, "## Example")) > 0,
            "{id}: its Example does not fire"
        );
        assert_eq!(
            findings_of(id, yaml_after(&docs, "## Use instead")),
            0,
            "{id}: its Use instead still fires"
        );
    }
}

#[test]
fn messages_follow_the_conventions() {
    // Lowercase start, no trailing period, within 120 characters, across every fixture.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut checked = 0;
    for dir in std::fs::read_dir(&root).expect("fixtures") {
        for file in std::fs::read_dir(dir.expect("dir").path()).expect("files") {
            let path = file.expect("file").path();
            if !path.to_string_lossy().ends_with(".expected.json") {
                continue;
            }
            let expected: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
            for finding in expected
                .as_array()
                .expect("array")
                .iter()
                .flat_map(|o| o["findings"].as_array().cloned().unwrap_or_default())
            {
                let message = finding["message"].as_str().expect("message");
                let first = message.chars().next().expect("non-empty");
                assert!(!first.is_uppercase(), "{}: {message}", path.display());
                assert!(!message.ends_with('.'), "{}: {message}", path.display());
                assert!(
                    message.chars().count() <= 120,
                    "{}: {} characters: {message}",
                    path.display(),
                    message.chars().count()
                );
                assert!(!finding["help"].as_str().expect("help").is_empty());
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} messages checked");
}

#[test]
fn fixing_the_example_gives_use_instead() {
    // A rule whose fixes apply to its Example turns it into its "Use instead", byte for
    // byte (its own fixes only, unsafe ones too); a second run changes nothing.
    let options = sidecar_guard::fix::FixOptions { unsafe_fixes: true };
    let mut fixed_any = 0;
    for rule in ALL {
        let id = rule.meta().id;
        let docs = rule.meta().docs_markdown();
        let example = yaml_after(&docs, "## Example");
        let settings = only_rule(id);
        let fixed = sidecar_guard::fix::fix_text(example, &settings, options);
        if fixed.applied.is_empty() {
            assert_eq!(
                fixed.output, example,
                "{id}: nothing applied, yet the text changed"
            );
            continue;
        }
        assert_eq!(
            fixed.output,
            yaml_after(&docs, "## Use instead"),
            "{id}: the fixed Example"
        );
        let again = sidecar_guard::fix::fix_text(&fixed.output, &settings, options);
        assert!(
            again.applied.is_empty() && again.output == fixed.output,
            "{id}: not idempotent"
        );
        fixed_any += 1;
    }
    assert!(fixed_any >= 2, "only {fixed_any} rules fix their Example");
}

/// Every other rule off; container-resources with the fill-in values its Fix section uses.
fn only_rule(id: &str) -> Settings {
    let mut rules = serde_json::Map::new();
    for other in ALL.iter().map(|r| r.meta().id).filter(|r| *r != id) {
        rules.insert(other.into(), serde_json::json!({"severity": "off"}));
    }
    if id == "container-resources" {
        rules.insert(
            id.into(),
            serde_json::json!({"defaults": {"sidecar": {
                "requests": {"cpu": "50m", "memory": "64Mi"},
                "limits": {"cpu": "100m", "memory": "128Mi"}}}}),
        );
    }
    Settings::from_value(&serde_json::json!({ "rules": rules })).expect("valid settings")
}
