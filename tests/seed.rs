//! Every manifest of the seed article (`seed/*.md` of the data outside the repository,
//! see tests/support/shared.rs; each ```yaml block) is a case: judged through the library
//! and the CLI (from stdin), compared with tests/seed.expected.json. Bless with
//! `SIDECAR_GUARD_BLESS=1 cargo test --test seed` and review the diff. Skipped when the
//! article is not here.

mod common;

use common::*;
use serde_json::{json, Value};
use sidecar_guard::Settings;

/// Every YAML block of the seed article, or `None` when the article is not here (skipped).
fn seed_blocks() -> Option<Vec<(String, String)>> {
    let dir = shared_data("seed")?;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("seed dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let mut blocks = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let name = file
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let mut rest = text.as_str();
        let mut index = 0;
        while let Some(start) = rest.find("```yaml\n") {
            let body = &rest[start + 8..];
            let end = body.find("```").expect("closed block");
            blocks.push((format!("{name}#{index}"), body[..end].to_string()));
            index += 1;
            rest = &body[end + 3..];
        }
    }
    Some(blocks)
}

/// A block of the article judged with the ConfigMaps the article gives beside it (the
/// logging sidecar's `fluent.conf`, the ambassador's nginx config are blocks of their own):
/// the block, then those ConfigMaps as further documents of the same input, and how many
/// documents are the block's own.
fn with_article_config_maps(blocks: &[(String, String)], text: &str) -> (String, usize) {
    let own = sidecar_guard::input::yaml::split_stream(text).len();
    let config_maps: Vec<&str> = blocks
        .iter()
        .map(|(_, b)| b.as_str())
        .filter(|b| *b != text && b.contains("kind: ConfigMap"))
        .collect();
    if config_maps.is_empty() || text.contains("kind: ConfigMap") {
        return (text.to_string(), own);
    }
    (format!("{text}\n---\n{}", config_maps.join("\n---\n")), own)
}

#[test]
fn seed_manifests_get_their_expected_findings() {
    let Some(blocks) = seed_blocks() else {
        return;
    };
    assert!(
        blocks.len() >= 16,
        "the seed article has at least 16 manifests, found {}",
        blocks.len()
    );
    let mut actual = serde_json::Map::new();
    for (id, text) in &blocks {
        let (input, own) = with_article_config_maps(&blocks, text);
        let library: Vec<Value> = sidecar_guard::check_text(&input, &Settings::default())
            .iter()
            .filter(|r| match r {
                Ok(report) => report.document < own,
                Err(e) => e.document < own,
            })
            .map(|r| match r {
                Ok(report) => report_json(report, None),
                Err(e) => json!({"error": e.to_string()}),
            })
            .collect();
        let output = run_cli(&["check", "--format", "json", "-"], Some(input.as_bytes()));
        let cli: Value = serde_json::from_slice(&output.stdout).expect("CLI JSON");
        let cli: Vec<Value> = cli_documents(&cli)
            .iter()
            .filter(|r| r["document"].as_u64().is_some_and(|d| d < own as u64))
            .map(|r| cli_result_json(r, None))
            .collect();
        let errors_as_fact = |v: &[Value]| -> Vec<Value> {
            v.iter()
                .map(|r| {
                    if r.get("error").is_some() {
                        json!({"error": true})
                    } else {
                        r.clone()
                    }
                })
                .collect()
        };
        assert_eq!(
            errors_as_fact(&cli),
            errors_as_fact(&library),
            "{id}: CLI and library disagree"
        );
        actual.insert(id.clone(), Value::Array(library));
    }
    let actual = Value::Object(actual);
    let path = repo_root().join("tests/seed.expected.json");
    if blessing() {
        std::fs::write(&path, pretty(&actual)).expect("writable");
    }
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("tests/seed.expected.json"))
            .expect("json");
    assert_same_json(
        &actual,
        &expected,
        "tests/seed.expected.json (if intended: `SIDECAR_GUARD_BLESS=1 cargo test --test seed`, then review the diff)",
    );
}

/// The verdicts the rules' docs spell out for the article's patterns, asserted by name so a
/// careless bless cannot hide a regression.
#[test]
fn seed_key_verdicts() {
    let Some(blocks) = seed_blocks() else {
        return;
    };
    let findings_of = |name: &str| -> Vec<(String, String, Option<String>)> {
        for (_, text) in &blocks {
            let (input, _) = with_article_config_maps(&blocks, text);
            for report in sidecar_guard::check_text(&input, &Settings::default())
                .into_iter()
                .flatten()
            {
                if report.name.as_deref() == Some(name) {
                    return report
                        .findings
                        .iter()
                        .map(|f| (f.rule.clone(), f.severity.to_string(), f.container.clone()))
                        .collect();
                }
            }
        }
        panic!("no seed object named {name}")
    };
    let has = |name: &str, rule: &str, severity: &str, container: Option<&str>| {
        findings_of(name)
            .iter()
            .any(|(r, s, c)| r == rule && s == severity && c.as_deref() == container)
    };
    // Pattern 2: Envoy declares 9901, its admin API's usual port, and its bootstrap is
    // not in the article: where admin listens is unknown, so a warning.
    assert!(has(
        "app-with-proxy",
        "localhost-admin-ports",
        "warn",
        Some("envoy")
    ));
    // Pattern 6: OPA declares 8181 but binds it to localhost: harmless.
    assert!(!findings_of("app-with-security")
        .iter()
        .any(|(r, _, _)| r == "localhost-admin-ports"));
    // Pattern 4: statsd-exporter's metrics port is not an admin interface.
    assert!(!findings_of("app-with-adapter")
        .iter()
        .any(|(r, _, _)| r == "localhost-admin-ports"));
    // Pattern 1: Fluentd mounts the logs read-only, as it should, and its fluent.conf (the
    // article's ConfigMap) puts pos_file inside that mount: it cannot record its positions.
    assert!(has(
        "app-with-logging",
        "readonly-log-mounts",
        "deny",
        Some("log-shipper")
    ));
    // Pattern 3: nginx authenticates and forwards to localhost:8080, but nothing binds
    // the app to the loopback: reachable around its ambassador, a warning on the app.
    assert!(has(
        "app-with-ambassador",
        "auth-proxy-bypass",
        "warn",
        Some("app")
    ));
    // The complete example: its shipper mounts logs read-only.
    assert!(!findings_of("web-app")
        .iter()
        .any(|(r, _, _)| r == "readonly-log-mounts"));
    // Native sidecar example: the log agent mounts the shared log volume writable.
    assert!(has(
        "native-sidecar",
        "readonly-log-mounts",
        "deny",
        Some("log-agent")
    ));
    // Resource management example and the complete example: resources are complete.
    assert!(!findings_of("app-with-sidecar")
        .iter()
        .any(|(r, _, _)| r == "container-resources"));
    assert!(!findings_of("web-app")
        .iter()
        .any(|(r, _, _)| r == "container-resources"));
    // Classic sidecars in long-running pods on 1.33: a warning.
    assert!(has("web-app", "native-sidecars", "warn", Some("fluentbit")));
    // Nothing in the article declares probes on every container.
    assert!(has("web-app", "container-probes", "deny", Some("app")));
}
