//! The built policy.wasm in the waPC host Kubewarden's policy-server embeds: every rule
//! fixture as an AdmissionRequest gets the verdict the core's findings call for; settings
//! validation; malformed requests are rejected with a message, never a trap.

#[path = "../../support/hostile.rs"]
mod hostile;
#[path = "../../support/shared.rs"]
mod shared;

use policy_host::{call, load_compiled_once, policy_path, WapcHost};

use serde_json::{json, Value};
use sidecar_guard::{Report, Settings};
use std::path::{Path, PathBuf};

thread_local! {
    // A waPC host is not Sync: one per test thread, as policy-server keeps one per worker.
    static HOST: WapcHost = load_compiled_once(&policy_path()).unwrap_or_else(|e| panic!("{e}"));
}

fn guest_call(function: &str, payload: &[u8]) -> Result<Value, String> {
    HOST.with(|host| call(host, function, payload))
}

fn validate(payload: &Value) -> Value {
    validate_bytes(&serde_json::to_vec(payload).expect("json"))
}

fn validate_bytes(payload: &[u8]) -> Value {
    guest_call("validate", payload).unwrap_or_else(|e| panic!("{e}"))
}

fn request(operation: &str, object: Value, settings: Value) -> Value {
    let kind = object.get("kind").cloned().unwrap_or(Value::Null);
    json!({
        "request": {
            "uid": "1299d386-525b-4032-98ae-1949f69f9cfc",
            "kind": {"group": "", "version": "v1", "kind": kind},
            "operation": operation,
            "name": object.pointer("/metadata/name"),
            "namespace": "default",
            "userInfo": {"username": "tester"},
            "object": object,
        },
        "settings": settings,
    })
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture_cases() -> Vec<PathBuf> {
    let mut cases = Vec::new();
    for dir in std::fs::read_dir(repo().join("tests/fixtures")).expect("fixtures") {
        for file in std::fs::read_dir(dir.expect("dir").path()).expect("files") {
            let path = file.expect("file").path();
            let name = path.to_string_lossy().to_string();
            if name.ends_with(".yaml") && !name.ends_with(".settings.yaml") {
                cases.push(path);
            }
        }
    }
    cases.sort();
    cases
}

fn settings_json(case: &Path) -> Value {
    let path = case.with_extension("settings.yaml");
    match std::fs::read_to_string(&path) {
        Ok(text) => sidecar_guard::settings::parse_settings_text(&text)
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display())),
        Err(_) => json!({}),
    }
}

/// What the policy must answer for a report, from the core's findings alone.
fn assert_verdict(label: &str, report: &Report, response: &Value) {
    assert_eq!(response["accepted"], report.allowed, "{label}: accepted");
    let warnings: Vec<String> = response["warnings"]
        .as_array()
        .map(|w| {
            w.iter()
                .map(|s| s.as_str().expect("string").to_string())
                .collect()
        })
        .unwrap_or_default();
    let expected_warnings: Vec<String> = report
        .warnings()
        .map(|f| match &f.injected_by {
            Some(injector) => format!("[{}] {} (injected by {injector})", f.rule, f.message),
            None => format!("[{}] {}", f.rule, f.message),
        })
        .collect();
    assert_eq!(warnings, expected_warnings, "{label}: warnings");
    if report.allowed {
        assert!(
            response["message"].is_null(),
            "{label}: no message on acceptance"
        );
        return;
    }
    assert_eq!(response["code"], 403, "{label}: code");
    let message = response["message"].as_str().expect("message on rejection");
    for denial in report.denials() {
        let line = format!("[{}] {}", denial.rule, denial.message);
        assert!(
            message.contains(&line),
            "{label}: message lacks {line:?}: {message}"
        );
        if let Some(container) = &denial.container {
            assert!(
                message.contains(container.as_str()),
                "{label}: message lacks container {container}"
            );
        }
    }
}

#[test]
fn every_rule_fixture_gets_the_cores_verdict() {
    let mut objects = 0;
    for case in fixture_cases() {
        let settings_value = settings_json(&case);
        let settings = Settings::from_value(&settings_value).expect("fixture settings valid");
        let text = std::fs::read_to_string(&case).expect("readable");
        for (index, document) in sidecar_guard::input::yaml::parse_stream(&text, Default::default())
            .into_iter()
            .enumerate()
        {
            let Ok(document) = document else { continue };
            // Lists are unpacked by kubectl before they reach the API server.
            let objects_in_document: Vec<Value> =
                match document.value.get("items").and_then(Value::as_array) {
                    Some(items)
                        if document.value["kind"]
                            .as_str()
                            .is_some_and(|k| k.ends_with("List")) =>
                    {
                        items.clone()
                    }
                    _ => vec![document.value.clone()],
                };
            for object in objects_in_document {
                let label = format!("{}#{index}", case.display());
                let response = validate(&request("CREATE", object.clone(), settings_value.clone()));
                let mut reports = sidecar_guard::check(&object, &settings);
                match reports.pop() {
                    Some(Ok(report)) => assert_verdict(&label, &report, &response),
                    Some(Err(e)) => {
                        assert_eq!(
                            response["accepted"], false,
                            "{label}: invalid object rejected"
                        );
                        assert_eq!(response["code"], 400, "{label}");
                        assert!(
                            response["message"]
                                .as_str()
                                .expect("message")
                                .contains(&e.to_string()),
                            "{label}: {response}"
                        );
                    }
                    None => panic!("{label}: no report"),
                }
                // The native admission path gives the very same answer.
                let native = sidecar_guard::admission::validate(
                    &serde_json::to_vec(&request("CREATE", object, settings_value.clone()))
                        .expect("json"),
                );
                assert_eq!(response["accepted"], native.accepted, "{label}");
                assert_eq!(
                    response["message"].as_str().map(str::to_string),
                    native.message,
                    "{label}"
                );
                objects += 1;
            }
        }
    }
    assert!(
        objects > 60,
        "only {objects} fixture objects reached the policy"
    );
}

/// A recorded admission request (as `kwctl run --request-path` takes it), wrapped into
/// the ValidationRequest policy-server sends, with default settings.
fn test_data(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test_data")
        .join(name);
    let request: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("test data")).expect("json");
    json!({"request": request, "settings": {}})
}

#[test]
fn realistic_requests() {
    let accepted = validate(&test_data("deployment-create.json"));
    assert_eq!(accepted["accepted"], true, "{accepted}");
    assert_eq!(accepted["warnings"][0], "[native-sidecars] sidecar \"metrics\" is a regular container; Kubernetes 1.33 supports native sidecars");

    let denied_request = test_data("deployment-create-denied.json");
    let denied = validate(&denied_request);
    assert_eq!(denied["accepted"], false);
    assert_eq!(denied["code"], 403);
    let message = denied["message"].as_str().expect("message");
    assert!(
        message.starts_with("Deployment/web violates sidecar-guard rules: "),
        "{message}"
    );
    assert!(
        message.contains("[container-probes] container \"app\" has no readinessProbe"),
        "{message}"
    );
    // statsd-exporter is in the catalogue: its listeners are known, and a port merely
    // named "admin" is no evidence of a control interface (hints are for unknown products).
    assert!(!message.contains("localhost-admin-ports"), "{message}");
    assert!(
        denied["warnings"].as_array().is_some_and(|w| !w.is_empty()),
        "warnings ride along with a rejection"
    );

    let deleted = validate(&test_data("deployment-delete.json"));
    assert_eq!(
        deleted,
        json!({"accepted": true, "message": null, "code": null, "mutated_object": null, "audit_annotations": null, "warnings": null})
    );

    // An UPDATE that leaves the template alone (a label) is accepted even for an object
    // that violates the rules; one that changes the template is judged.
    let mut relabel = denied_request.clone();
    relabel["request"]["operation"] = json!("UPDATE");
    relabel["request"]["oldObject"] = relabel["request"]["object"].clone();
    relabel["request"]["object"]["metadata"]["labels"]["team"] = json!("payments");
    assert_eq!(
        validate(&relabel)["accepted"],
        true,
        "a label change on an admitted object"
    );
    relabel["request"]["oldObject"] =
        test_data("deployment-create.json")["request"]["object"].clone();
    assert_eq!(
        validate(&relabel)["accepted"],
        false,
        "an UPDATE that breaks the template"
    );

    let ephemeral = validate(&test_data("pod-ephemeralcontainers.json"));
    assert_eq!(ephemeral["accepted"], false, "{ephemeral}");
    assert!(
        ephemeral["message"].as_str().expect("message").contains(
            "ephemeral container \"debugger\" mounts the shared log volume \"logs\" writable"
        ),
        "{ephemeral}"
    );
}

#[test]
fn operations_and_kinds_that_are_not_judged_are_accepted() {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "x"}]}});
    assert_eq!(
        validate(&request("CONNECT", pod.clone(), json!({})))["accepted"],
        true
    );
    assert_eq!(
        validate(&request("DELETE", Value::Null, json!({})))["accepted"],
        true
    );
    assert_eq!(
        validate(&request("CREATE", pod, json!({})))["accepted"],
        false
    );
    let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}});
    assert_eq!(
        validate(&request("CREATE", config_map, json!({})))["accepted"],
        true
    );
}

#[test]
fn malformed_requests_are_rejected_with_a_message_never_a_trap() {
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    let huge = format!("{{\"request\": {{\"operation\": \"CREATE\", \"object\": {{\"kind\": \"Pod\", \"pad\": \"{}\"}}}}}}", "x".repeat(9 * 1024 * 1024));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "not a valid ValidationRequest"),
        (b"not json".to_vec(), "not a valid ValidationRequest"),
        (b"\xff\xfe\x00".to_vec(), "not a valid ValidationRequest"),
        (b"[]".to_vec(), "not a valid ValidationRequest"),
        (b"{}".to_vec(), "has no request"),
        (br#"{"request": {"operation": "CREATE"}}"#.to_vec(), "has no object"),
        (br#"{"request": {"object": {}}}"#.to_vec(), "has no operation"),
        (br#"{"request": {"operation": 7, "object": {}}}"#.to_vec(), "not a valid ValidationRequest"),
        (br#"{"request": {"operation": "CREATE", "object": "pod"}}"#.to_vec(), "expected a Kubernetes object"),
        (br#"{"request": {"operation": "CREATE", "object": {"apiVersion": "v1", "kind": "Pod"}}}"#.to_vec(), "no pod spec"),
        (br#"{"request": {"operation": "CREATE", "object": {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": {}}}}}"#.to_vec(), "/spec/containers"),
        (br#"{"request": {"operation": "CREATE", "object": {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "a", "ports": "80"}]}}}}"#.to_vec(), "/spec/containers/0/ports"),
        (br#"{"request": {"operation": "CREATE", "object": {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "a", "image": "shop/api:v3", "resources": {"limits": {"cpu": "1e400"}}}]}}}}"#.to_vec(), "too large"),
        (br#"{"request": {"operation": "CREATE", "object": {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [null]}}}}"#.to_vec(), "/spec/containers/0"),
        (br#"{"request": {"operation": "CREATE", "object": {"apiVersion": "v1", "kind": "Pod", "spec": {"containers": []}}}, "settings": {"typo": 1}}"#.to_vec(), "invalid policy settings: /typo: unknown key"),
        (format!("{{\"request\": {deep}}}").into_bytes(), "not a valid ValidationRequest"),
        (huge.into_bytes(), "bytes, more than"),
    ];
    for (payload, expected) in cases {
        let shown = String::from_utf8_lossy(&payload[..payload.len().min(120)]).to_string();
        let response = validate_bytes(&payload);
        if expected == "too large" {
            // An absurd quantity is a finding (deny), not an unreadable request.
            assert_eq!(response["accepted"], false, "{shown}: {response}");
            assert!(
                response["message"]
                    .as_str()
                    .expect("message")
                    .contains(expected),
                "{shown}: {response}"
            );
            continue;
        }
        assert_eq!(response["accepted"], false, "{shown}: {response}");
        assert_eq!(response["code"], 400, "{shown}: {response}");
        let message = response["message"].as_str().expect("message");
        assert!(
            message.contains(expected),
            "{shown}: {message:?} should say {expected:?}"
        );
    }
    // The module still works after all of that.
    assert_eq!(
        validate(&test_data("deployment-create.json"))["accepted"],
        true
    );
}

/// tests/hostile/cases.json through the policy: each text sent as the payload itself,
/// and, where it reads as YAML, as the object of a CREATE. Every answer is a rejection
/// with a message; none is a trap.
#[test]
fn hostile_inputs_are_rejected_with_a_message_never_a_trap() {
    let cases = hostile::hostile_cases(
        &std::fs::read_to_string(repo().join("tests/hostile/cases.json")).expect("cases"),
    )
    .expect("cases.json");
    assert!(cases.len() > 10);
    for case in cases {
        let raw = validate_bytes(case.text.as_bytes());
        assert_eq!(raw["accepted"], false, "{}: {raw}", case.name);
        assert_eq!(raw["code"], 400, "{}: {raw}", case.name);
        // Unreadable as a request, a request without one, or refused unread for its size.
        assert!(
            raw["message"].as_str().is_some_and(|m| {
                m.contains("not a valid ValidationRequest")
                    || m.contains("the ValidationRequest has no request")
                    || m.contains("more than the 4194304 accepted")
            }),
            "{}: {raw}",
            case.name
        );
        let documents = sidecar_guard::input::yaml::parse_stream(&case.text, Default::default());
        for document in documents.into_iter().flatten() {
            let response = validate(&request("CREATE", document.value, json!({})));
            assert_eq!(response["accepted"], false, "{}: {response}", case.name);
            assert_eq!(response["code"], 400, "{}: {response}", case.name);
            let message = response["message"].as_str().expect("message");
            assert!(
                message.contains(&case.error),
                "{}: {message:?} should say {:?}",
                case.name,
                case.error
            );
        }
    }
    // A 5 MiB object (the API server caps requests at 3 MiB) is refused unread.
    let big = request(
        "CREATE",
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"annotations": {"pad": "x".repeat(5 << 20)}}, "spec": {"containers": []}}),
        json!({}),
    );
    let response = validate(&big);
    assert_eq!(response["code"], 400, "{}", &response.to_string()[..200]);
    assert!(response["message"]
        .as_str()
        .is_some_and(|m| m.contains("more than the 4194304 accepted")));
}

#[test]
fn settings_validation() {
    let check = |settings: &Value| {
        guest_call(
            "validate_settings",
            &serde_json::to_vec(settings).expect("json"),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(check(&json!({})), json!({"valid": true, "message": null}));
    assert_eq!(
        check(
            &json!({"kubernetesVersion": "1.30", "rules": {"container-resources": {"limits": ["memory"], "maxLimits": {"memory": "2Gi"}}}})
        )["valid"],
        true
    );
    let invalid = check(&json!({
        "typo": 1,
        "sidecars": {"images": ["bad["]},
        "rules": {"container-resources": {"maxLimits": {"cpu": "lots"}}, "nope": {}}
    }));
    assert_eq!(invalid["valid"], false);
    let message = invalid["message"].as_str().expect("message");
    for expected in [
        "/typo: unknown key",
        "/sidecars/images/0: glob \"bad[\"",
        "/rules/container-resources/maxLimits/cpu: quantity \"lots\"",
        "/rules/nope: unknown key",
    ] {
        assert!(message.contains(expected), "{expected:?} in {message}");
    }
    let garbage = guest_call("validate_settings", b"{not json").expect("no trap");
    assert_eq!(garbage["valid"], false);
    assert!(garbage["message"]
        .as_str()
        .expect("message")
        .contains("not JSON"));
    // The policy manifests shipped in policies/ carry valid settings.
    for name in ["baseline", "strict", "audit"] {
        let path = repo().join(format!("policies/{name}.yaml"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let manifest = sidecar_guard::input::yaml::parse_stream(&text, Default::default())
            .remove(0)
            .expect("yaml")
            .value;
        let response = check(&manifest["spec"]["settings"]);
        assert_eq!(response["valid"], true, "{name}: {response}");
    }
}

#[test]
fn protocol_version_is_answered() {
    let version = guest_call("protocol_version", b"").expect("protocol_version");
    assert_eq!(version, json!("v1"));
}

/// The conformance corpus (tests/support/shared.rs says where it is; skipped when it is
/// not here), as tests/conformance.rs translated it: the policy reaches the peers' verdicts too.
#[test]
fn conformance_samples_get_the_peers_verdicts_through_the_policy() {
    let cases: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("tests/conformance-cases.json")).expect("cases"),
    )
    .expect("json");
    let Some(corpus) = shared::shared_data(&repo(), "conformance") else {
        return;
    };
    let mut checked = 0;
    for case in cases.as_array().expect("array") {
        let file = corpus.join(case["file"].as_str().expect("file"));
        let text = std::fs::read_to_string(&file).expect("sample");
        for document in sidecar_guard::input::yaml::parse_stream(&text, Default::default()) {
            let object = document.expect("sample parses").value;
            if !case["object"].is_null()
                && object.pointer("/metadata/name") != Some(&case["object"])
            {
                continue;
            }
            let response = validate(&request("CREATE", object, case["settings"].clone()));
            assert_eq!(
                response["accepted"],
                case["admitted"],
                "{}: {response}",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 53, "only {checked} conformance objects");
}

/// The settings with `mutate` on (and `mutateUnsafe` when `unsafe_fixes`), and the fix
/// options the core applies for them.
fn mutating(settings: &Value, unsafe_fixes: bool) -> (Value, sidecar_guard::fix::FixOptions) {
    let mut settings = match settings {
        Value::Object(_) => settings.clone(),
        _ => json!({}),
    };
    settings["mutate"] = json!(true);
    if unsafe_fixes {
        settings["mutateUnsafe"] = json!(true);
    }
    (settings, sidecar_guard::fix::FixOptions { unsafe_fixes })
}

/// The objects of the fix golden files (tests/fix), each with its settings: those whose
/// name starts with `unsafe-` are fixed with the unsafe fixes too, as the CLI fixes them.
fn fix_cases() -> Vec<(String, Value, Value, bool)> {
    let mut cases = Vec::new();
    let dir = repo().join("tests/fix");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fix")
        .map(|f| f.expect("file").path())
        .filter(|p| {
            let name = p.to_string_lossy();
            !name.contains(".fixed.") && !name.ends_with(".settings.yaml")
        })
        .collect();
    files.sort();
    for path in files {
        let stem = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .to_string();
        let settings = match std::fs::read_to_string(dir.join(format!("{stem}.settings.yaml"))) {
            Ok(text) => sidecar_guard::settings::parse_settings_text(&text).expect("settings"),
            Err(_) => json!({}),
        };
        let text = std::fs::read_to_string(&path).expect("readable");
        for (index, document) in sidecar_guard::input::yaml::parse_stream(&text, Default::default())
            .into_iter()
            .enumerate()
        {
            let document = document.expect("fix inputs parse").value;
            let objects = match document.get("items").and_then(Value::as_array) {
                Some(items) => items.clone(),
                None => vec![document],
            };
            for object in objects {
                let label = format!("{}#{index}", path.display());
                cases.push((label, object, settings.clone(), stem.starts_with("unsafe-")));
            }
        }
    }
    cases
}

#[test]
fn the_mutating_mode_answers_with_the_object_the_core_fixes() {
    let (mut accepted, mut rejected) = (0, 0);
    for (label, object, case_settings, unsafe_fixes) in fix_cases() {
        // As given, and with probes off: then what the fixes resolve is often all there is.
        let mut relaxed = case_settings.clone();
        if !relaxed.is_object() {
            relaxed = json!({});
        }
        relaxed["rules"]["container-probes"] = json!({"severity": "off"});
        for base in [case_settings.clone(), relaxed] {
            let (settings_value, options) = mutating(&base, unsafe_fixes);
            let settings = Settings::from_value(&settings_value).expect("valid settings");
            let core = sidecar_guard::fix::fix_value(&object, &settings, options);
            let response = validate(&request("CREATE", object.clone(), settings_value.clone()));
            let remaining = match core.reports.as_slice() {
                [Ok(report)] => report,
                other => panic!("{label}: one report expected, got {other:?}"),
            };
            let fixed_warnings: Vec<String> = response["warnings"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|w| w.contains("] sidecar-guard "))
                .map(str::to_string)
                .collect();
            if core.applied.is_empty() {
                assert!(response["mutated_object"].is_null(), "{label}: {response}");
                assert!(fixed_warnings.is_empty(), "{label}: {fixed_warnings:?}");
                continue;
            }
            let said = if remaining.allowed {
                "fixed"
            } else {
                "would fix, once the denials are resolved"
            };
            let expected: Vec<String> = core
                .applied
                .iter()
                .map(|f| format!("[{}] sidecar-guard {said}: {}", f.rule, f.title))
                .collect();
            assert_eq!(fixed_warnings, expected, "{label}: one warning per fix");
            assert_eq!(
                response["accepted"], remaining.allowed,
                "{label}: {response}"
            );
            if remaining.allowed {
                accepted += 1;
                assert_eq!(
                    response["mutated_object"], core.value,
                    "{label}: the patched object is the core's fix"
                );
                assert_ne!(response["mutated_object"], object, "{label}");
                // The fixed object round-trips: accepted as it is, nothing left to fix.
                let again = validate(&request("CREATE", core.value.clone(), settings_value));
                assert_eq!(again["accepted"], true, "{label}: {again}");
                assert!(again["mutated_object"].is_null(), "{label}: {again}");
            } else {
                rejected += 1;
                assert!(
                    response["mutated_object"].is_null(),
                    "{label}: nothing mutated on rejection"
                );
                assert_eq!(response["code"], 403, "{label}");
                let message = response["message"].as_str().expect("message");
                for denial in remaining.denials() {
                    let line = format!("[{}] {}", denial.rule, denial.message);
                    assert!(message.contains(&line), "{label}: {message} lacks {line}");
                }
            }
        }
    }
    assert!(
        accepted >= 2 && rejected >= 2,
        "accepted {accepted}, rejected {rejected}"
    );
}

#[test]
fn without_the_setting_the_policy_never_mutates() {
    for (label, object, settings_value, _) in fix_cases() {
        let settings = Settings::from_value(&settings_value).expect("valid settings");
        let response = validate(&request("CREATE", object.clone(), settings_value));
        assert!(response["mutated_object"].is_null(), "{label}: {response}");
        match sidecar_guard::check(&object, &settings).as_slice() {
            [Ok(report)] => assert_verdict(&label, report, &response),
            other => panic!("{label}: {other:?}"),
        }
    }
}

/// A Deployment whose tailer mounts the app's logs writable (a safe fix), or a Pod of it.
fn tailer_workload(kind: &str, app_image: &str, tailer_image: &str) -> Value {
    let spec = json!({
        "containers": [
            {"name": "app", "image": app_image, "volumeMounts": [{"name": "logs", "mountPath": "/var/log/app"}]},
            {"name": "tailer", "image": tailer_image, "args": ["/bin/sh", "-c", "tail -F /var/log/app/app.log"],
             "volumeMounts": [{"name": "logs", "mountPath": "/var/log/app"}]},
        ],
        "volumes": [{"name": "logs", "emptyDir": {}}],
    });
    match kind {
        "Pod" => {
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "shop"}, "spec": spec})
        }
        _ => json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "shop"},
            "spec": {"selector": {"matchLabels": {"app": "shop"}},
                     "template": {"metadata": {"labels": {"app": "shop"}}, "spec": spec}}}),
    }
}

#[test]
fn updates_mutate_only_what_they_touch() {
    let settings = json!({"mutate": true, "rules": {"container-probes": {"severity": "off"}, "container-resources": {"severity": "off"}}});
    let update = |object: Value, old: Value| {
        let mut payload = request("UPDATE", object, settings.clone());
        payload["request"]["oldObject"] = old;
        validate(&payload)
    };
    let old = tailer_workload("Deployment", "shop/api:v1", "busybox:1.36");
    // The tailer is what the update changes: fixed.
    let touched = update(
        tailer_workload("Deployment", "shop/api:v1", "busybox:1.37"),
        old.clone(),
    );
    assert_eq!(touched["accepted"], true, "{touched}");
    assert_eq!(
        touched["mutated_object"]
            .pointer("/spec/template/spec/containers/1/volumeMounts/0/readOnly"),
        Some(&json!(true)),
        "{touched}"
    );
    // Only the app changes: the tailer's writable mount is judged (rejected), not fixed.
    let untouched = update(
        tailer_workload("Deployment", "shop/api:v2", "busybox:1.36"),
        old.clone(),
    );
    assert_eq!(untouched["accepted"], false, "{untouched}");
    assert!(untouched["mutated_object"].is_null(), "{untouched}");
    assert!(
        untouched["message"]
            .as_str()
            .is_some_and(|m| m.contains("readonly-log-mounts")),
        "{untouched}"
    );
    // A label change leaves the template alone: accepted, not judged, not mutated.
    let mut relabelled = old.clone();
    relabelled["metadata"]["labels"] = json!({"team": "shop"});
    let unchanged = update(relabelled, old);
    assert_eq!(unchanged["accepted"], true, "{unchanged}");
    assert!(unchanged["mutated_object"].is_null(), "{unchanged}");
    // A Pod's spec is immutable: an image update on it is never mutated.
    let pod = update(
        tailer_workload("Pod", "shop/api:v1", "busybox:1.37"),
        tailer_workload("Pod", "shop/api:v1", "busybox:1.36"),
    );
    assert!(pod["mutated_object"].is_null(), "{pod}");
    assert_eq!(pod["accepted"], false, "{pod}");
    // The same Pod created: fixed.
    let created = validate(&request(
        "CREATE",
        tailer_workload("Pod", "shop/api:v1", "busybox:1.36"),
        settings.clone(),
    ));
    assert_eq!(created["accepted"], true, "{created}");
    assert_eq!(
        created["mutated_object"].pointer("/spec/containers/1/volumeMounts/0/readOnly"),
        Some(&json!(true)),
        "{created}"
    );
}

#[test]
fn bad_input_in_the_mutating_mode_is_rejected_with_a_message() {
    let settings = json!({"mutate": true});
    let bad_object = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "app", "image": 7}]}});
    for payload in [
        b"not json".to_vec(),
        serde_json::to_vec(&json!({"request": {"operation": "CREATE"}, "settings": settings}))
            .expect("json"),
        serde_json::to_vec(&request("CREATE", bad_object, settings.clone())).expect("json"),
        serde_json::to_vec(&request(
            "CREATE",
            tailer_workload("Pod", "shop/api:v1", "busybox:1.36"),
            json!({"mutateUnsafe": true}),
        ))
        .expect("json"),
    ] {
        let response = validate_bytes(&payload);
        assert_eq!(response["accepted"], false, "{response}");
        assert_eq!(response["code"], 400, "{response}");
        assert!(response["mutated_object"].is_null(), "{response}");
        assert!(
            response["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{response}"
        );
    }
    // Settings validation names the setting.
    let answer = guest_call("validate_settings", br#"{"mutateUnsafe": true}"#).expect("answer");
    assert_eq!(answer["valid"], false, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .is_some_and(|m| m.contains("mutateUnsafe")),
        "{answer}"
    );
}
