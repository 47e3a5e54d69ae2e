//! Other engines' public test manifests (`conformance/` of the data outside the
//! repository, see tests/support/shared.rs; skipped when absent) with their verdicts:
//! sidecar-guard, configured to ask for the same thing (README there), must agree,
//! through the library and the CLI. Deliberate differences are listed in DIFFERENCES.

mod common;

use common::*;
use serde_json::{json, Value};
use sidecar_guard::Settings;
use std::path::{Path, PathBuf};

/// Samples where sidecar-guard deliberately reaches another verdict: (file, reason).
/// Empty: every sample agrees.
const DIFFERENCES: &[(&str, &str)] = &[];

struct Case {
    file: PathBuf,
    /// Object name → expected "admitted"; None: every object in the file.
    object: Option<String>,
    admitted: bool,
    settings: Value,
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut docs = sidecar_guard::input::yaml::parse_stream(&text, Default::default());
    docs.remove(0)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .value
}

/// Only `rule` runs, with `options`.
/// Settings that run one rule, asking for what the other engine asks and denying every
/// finding of it (the other engines have no warnings: whatever they require, they deny).
fn only(rule: &str, mut options: Value) -> Value {
    if let Some(map) = options.as_object_mut() {
        map.insert("severity".to_string(), json!("deny"));
        if rule == "container-resources" {
            // Only what the other engine requires: no advised CPU limit besides.
            map.entry("advisedLimits").or_insert(json!([]));
        }
    }
    let mut rules = serde_json::Map::new();
    for id in sidecar_guard::rules::ids() {
        rules.insert(
            id.to_string(),
            if id == rule {
                options.clone()
            } else {
                json!({"severity": "off"})
            },
        );
    }
    json!({"rules": rules})
}

/// Gatekeeper constraint parameters → the equivalent settings (conformance README).
fn gatekeeper_settings(constraint: &Value) -> Value {
    let kind = constraint["kind"].as_str().expect("constraint kind");
    let p = &constraint["spec"]["parameters"];
    let checked = |names: &[&str]| -> (Vec<String>, serde_json::Map<String, Value>) {
        let mut required = Vec::new();
        let mut maxima = serde_json::Map::new();
        for name in names {
            if let Some(value) = p[*name].as_str().filter(|v| *v != "-1") {
                required.push(name.to_string());
                maxima.insert(name.to_string(), json!(value));
            }
        }
        (required, maxima)
    };
    match kind {
        "K8sRequiredProbes" => {
            let required: Vec<String> = p["probes"]
                .as_array()
                .expect("probes")
                .iter()
                .map(|v| {
                    v.as_str()
                        .expect("name")
                        .trim_end_matches("Probe")
                        .to_string()
                })
                .collect();
            only(
                "container-probes",
                json!({
                    "app": {"required": required},
                    "sidecar": {"required": required},
                    "native-sidecar": {"required": required},
                    "handlers": p["probeTypes"],
                }),
            )
        }
        "K8sContainerLimits" => {
            let (required, maxima) = checked(&["cpu", "memory"]);
            only(
                "container-resources",
                json!({"requests": [], "limits": required, "maxLimits": maxima}),
            )
        }
        "K8sContainerRequests" => {
            let (required, maxima) = checked(&["cpu", "memory"]);
            only(
                "container-resources",
                json!({"requests": required, "limits": [], "maxRequests": maxima}),
            )
        }
        "K8sRequiredResources" => only(
            "container-resources",
            json!({"requests": p.get("requests").cloned().unwrap_or(json!([])), "limits": p.get("limits").cloned().unwrap_or(json!([]))}),
        ),
        "K8sContainerRatios" => {
            let ratio: f64 = p["ratio"].as_str().expect("ratio").parse().expect("number");
            let cpu: f64 = p["cpuRatio"]
                .as_str()
                .map_or(ratio, |r| r.parse().expect("number"));
            only(
                "container-resources",
                json!({"requests": ["cpu", "memory"], "limits": ["cpu", "memory"], "maxLimitRequestRatio": {"memory": ratio, "cpu": cpu}}),
            )
        }
        "K8sContainerEphemeralStorageLimit" => only(
            "container-resources",
            json!({"requests": [], "limits": ["ephemeral-storage"], "maxLimits": {"ephemeral-storage": p["ephemeral-storage"]}}),
        ),
        other => panic!("no equivalent settings for {other}"),
    }
}

fn gatekeeper_cases(root: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut templates: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("gatekeeper dir")
        .map(|e| e.expect("entry").path())
        .collect();
    templates.sort();
    for template in templates {
        let suite = load(&template.join("suite.yaml"));
        for test in suite["tests"].as_array().expect("tests") {
            let sample = |p: &str| template.join(p.trim_start_matches("samples/"));
            let settings = gatekeeper_settings(&load(&sample(
                test["constraint"].as_str().expect("constraint"),
            )));
            for case in test["cases"].as_array().expect("cases") {
                let file = sample(case["object"].as_str().expect("object"));
                // UPDATE cases are AdmissionReviews of immutable fields (README: skip them).
                if file.file_name().is_some_and(|n| n == "update.yaml") {
                    continue;
                }
                let violations = case["assertions"][0]["violations"]
                    .as_bool()
                    .expect("yes/no is a YAML 1.1 boolean");
                cases.push(Case {
                    file,
                    object: None,
                    admitted: !violations,
                    settings: settings.clone(),
                });
            }
        }
    }
    cases
}

fn kyverno_cases(root: &Path) -> Vec<Case> {
    let settings_for = |policy: &str| match policy {
        "require-probes" => only(
            "container-probes",
            json!({
                "app": {"required": ["liveness", "readiness", "startup"]},
                "sidecar": {"required": ["liveness", "readiness", "startup"]},
                "native-sidecar": {"required": ["liveness", "readiness", "startup"]},
                "satisfiedBy": "any",
            }),
        ),
        "require-pod-requests-limits" => only(
            "container-resources",
            json!({"requests": ["cpu", "memory"], "limits": ["memory"], "roles": ["app", "sidecar", "native-sidecar", "init"]}),
        ),
        other => panic!("no equivalent settings for {other}"),
    };
    let mut cases = Vec::new();
    for policy in ["require-probes", "require-pod-requests-limits"] {
        let dir = root.join(policy);
        let settings = settings_for(policy);
        let test = load(&dir.join("kyverno-test-kyverno-test.yaml"));
        for result in test["results"].as_array().expect("results") {
            let admitted = result["result"] == "pass";
            for name in result["resources"].as_array().expect("resources") {
                let name = name.as_str().expect("name").to_string();
                cases.push(Case {
                    file: dir.join("kyverno-test-resource.yaml"),
                    object: Some(name),
                    admitted,
                    settings: settings.clone(),
                });
            }
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        for file in files {
            let name = file
                .file_name()
                .expect("name")
                .to_string_lossy()
                .to_string();
            let admitted = if name.starts_with("chainsaw-test-good-") {
                true
            } else if name.starts_with("chainsaw-test-bad-") {
                false
            } else {
                continue;
            };
            cases.push(Case {
                file,
                object: None,
                admitted,
                settings: settings.clone(),
            });
        }
    }
    cases
}

/// (object name, admitted) for every object of the file, by the library.
fn library_verdicts(case: &Case) -> Vec<(Option<String>, bool)> {
    let settings = Settings::from_value(&case.settings)
        .unwrap_or_else(|e| panic!("equivalent settings invalid: {e:?}"));
    let text = std::fs::read_to_string(&case.file).expect("readable");
    sidecar_guard::check_text(&text, &settings)
        .into_iter()
        .map(|r| {
            let report = r.unwrap_or_else(|e| panic!("{}: {e}", case.file.display()));
            (report.name, report.allowed)
        })
        .collect()
}

fn cli_verdicts(case: &Case, settings_file: &Path) -> (Vec<(Option<String>, bool)>, Option<i32>) {
    std::fs::write(
        settings_file,
        serde_json::to_string(&case.settings).expect("json"),
    )
    .expect("writable");
    let output = run_cli(
        &[
            "check",
            "--format",
            "json",
            "--settings",
            &settings_file.to_string_lossy(),
            &case.file.to_string_lossy(),
        ],
        None,
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("CLI JSON");
    let verdicts = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| (r["name"].as_str().map(str::to_string), r["allowed"] == true))
        .collect();
    (verdicts, output.status.code())
}

#[test]
fn conformance_samples_get_the_peers_verdicts() {
    let Some(root) = shared_data("conformance") else {
        return;
    };
    let mut cases = gatekeeper_cases(&root.join("gatekeeper"));
    cases.extend(kyverno_cases(&root.join("kyverno")));
    assert!(
        cases.len() >= 40,
        "conformance corpus looks incomplete: {} cases",
        cases.len()
    );
    let settings_file = std::env::temp_dir().join(format!(
        "sidecar-guard-conformance-{}.json",
        std::process::id()
    ));
    let mut agree = 0;
    let mut disagreements = Vec::new();
    for case in &cases {
        let label = format!(
            "{}{}",
            case.file
                .strip_prefix(&root)
                .unwrap_or(&case.file)
                .display(),
            case.object
                .as_ref()
                .map(|o| format!(" ({o})"))
                .unwrap_or_default()
        );
        let relevant = |verdicts: Vec<(Option<String>, bool)>| -> Vec<bool> {
            verdicts
                .into_iter()
                .filter(|(name, _)| case.object.is_none() || name == &case.object)
                .map(|(_, a)| a)
                .collect()
        };
        let library = relevant(library_verdicts(case));
        let (cli, exit) = cli_verdicts(case, &settings_file);
        let cli = relevant(cli);
        assert!(!library.is_empty(), "{label}: object not found");
        assert_eq!(library, cli, "{label}: library and CLI disagree");
        // A file is admitted when every object in it is; the CLI's exit code says the same.
        let admitted = library.iter().all(|a| *a);
        if case.object.is_none() {
            assert_eq!(
                exit,
                Some(if admitted { 0 } else { 1 }),
                "{label}: exit code"
            );
        }
        let deliberate = DIFFERENCES.iter().any(|(file, _)| label.starts_with(file));
        if admitted == case.admitted {
            agree += 1;
            assert!(!deliberate, "{label}: listed as a difference but agrees");
        } else if !deliberate {
            disagreements.push(format!(
                "{label}: peer {}, sidecar-guard {}",
                verdict(case.admitted),
                verdict(admitted)
            ));
        }
    }
    let _ = std::fs::remove_file(&settings_file);
    println!(
        "conformance: {agree} of {} samples agree, {} deliberate differences",
        cases.len(),
        DIFFERENCES.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );

    // The translated cases, for the policy's and the npm module's replays of this test.
    let listing: Vec<Value> = cases
        .iter()
        .map(|c| {
            let file = c.file.strip_prefix(&root).unwrap_or(&c.file).to_string_lossy().replace('\\', "/");
            json!({"file": file, "object": c.object, "admitted": c.admitted, "settings": c.settings})
        })
        .collect();
    let listing = serde_json::to_string_pretty(&Value::Array(listing)).expect("json") + "\n";
    let path = repo_root().join("tests/conformance-cases.json");
    if blessing() {
        std::fs::write(&path, &listing).expect("writable");
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        listing,
        "tests/conformance-cases.json is stale (the translated cases changed): \
         bless it with `SIDECAR_GUARD_BLESS=1 cargo test --test conformance` and review the diff"
    );
}

fn verdict(admitted: bool) -> &'static str {
    if admitted {
        "admits"
    } else {
        "rejects"
    }
}
