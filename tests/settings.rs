//! Settings: the committed schema is the generated one; the built-in validator (used by
//! the wasm builds) and `jsonschema` (used by the CLI) accept and reject the same
//! documents with the same pointers; every error comes at once; the documented examples
//! load.

mod common;

use common::*;
use serde_json::{json, Value};
use sidecar_guard::settings::schema_check::{self, SUPPORTED_KEYWORDS};
use sidecar_guard::settings::{
    json_schema, validate_with_jsonschema, Settings, SettingsError, SCHEMA_TEXT,
};
use std::collections::BTreeSet;

#[test]
fn the_schema_uses_only_keywords_the_builtin_validator_checks() {
    fn walk(schema: &Value, found: &mut BTreeSet<String>) {
        let Some(map) = schema.as_object() else {
            return;
        };
        for (key, value) in map {
            found.insert(key.clone());
            match key.as_str() {
                "properties" | "$defs" => value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .for_each(|(_, v)| walk(v, found)),
                "anyOf" | "oneOf" => value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .for_each(|v| walk(v, found)),
                "items" | "additionalProperties" => walk(value, found),
                _ => {}
            }
        }
    }
    let mut found = BTreeSet::new();
    walk(&json_schema(), &mut found);
    let unsupported: Vec<&String> = found
        .iter()
        .filter(|k| !SUPPORTED_KEYWORDS.contains(&k.as_str()))
        .collect();
    assert!(
        unsupported.is_empty(),
        "schema keywords the built-in validator ignores: {unsupported:?}"
    );
}

fn corpus() -> Vec<Value> {
    vec![
        json!({}),
        json!(null),
        json!({"kubernetesVersion": "1.29", "allowIgnoreAnnotation": false}),
        json!({"kubernetesVersion": "v1.30.2"}),
        json!({"kubernetesVersion": 1.3}),
        json!({"kubernetesVersion": "2.0"}),
        json!({"unknown": 1}),
        json!({"sidecars": {"images": ["corp/*"], "names": ["*-sidecar"], "extra": true}}),
        json!({"sidecars": {"images": ["bad[glob"]}}),
        json!({"exemptImages": "not-a-list"}),
        json!({"exemptImages": [""]}),
        json!({"rules": {"no-such-rule": {}}}),
        json!({"rules": {"container-resources": {"severity": "deny", "requests": ["cpu"], "limits": []}}}),
        json!({"rules": {"container-resources": {"severity": "loud"}}}),
        json!({"rules": {"container-resources": {"severity": false}}}),
        json!({"rules": {"container-resources": {"maxLimits": {"cpu": "2", "memory": "1Gi"}, "minRequests": {"cpu": 0.1}}}}),
        json!({"rules": {"container-resources": {"maxLimits": {"cpu": "two"}}}}),
        json!({"rules": {"container-resources": {"maxLimits": {"cpu": -1}}}}),
        json!({"rules": {"container-resources": {"maxLimits": {"memory": "1e400"}}}}),
        json!({"rules": {"container-resources": {"maxLimitRequestRatio": {"cpu": 0}}}}),
        json!({"rules": {"container-resources": {"maxLimitRequestRatio": {"cpu": "10", "memory": "1.5"}, "sidecarShare": "0.5"}}}),
        json!({"rules": {"container-resources": {"maxLimitRequestRatio": {"cpu": "-2"}}}}),
        json!({"rules": {"container-resources": {"sidecarShare": "half"}}}),
        json!({"rules": {"container-resources": {"sidecarShare": 0.5, "roles": ["app", "init"]}}}),
        json!({"rules": {"container-resources": {"roles": ["ephemeral"]}}}),
        json!({"rules": {"container-probes": {"app": {"required": ["liveness"]}, "satisfiedBy": "any", "handlers": ["exec"]}}}),
        json!({"rules": {"container-probes": {"app": {"required": ["alive"]}}}}),
        json!({"rules": {"container-probes": {"native-sidecar": {"advised": ["startup"], "extra": []}}}}),
        json!({"rules": {"container-probes": {"required": ["liveness"]}}}),
        json!({"rules": {"container-resources": {"limits": ["cpu", "memory"], "advisedLimits": []}}}),
        json!({"rules": {"container-resources": {"defaults": {"sidecar": {"requests": {"cpu": "50m"}, "limits": {"memory": "64Mi"}}, "native-sidecar": {}}}}}),
        json!({"rules": {"container-resources": {"defaults": {"ephemeral": {}}}}}),
        json!({"rules": {"container-resources": {"defaults": {"app": {"requests": {"cpu": "lots"}}}}}}),
        json!({"rules": {"container-resources": {"defaults": {"app": {"request": {}}}}}}),
        json!({"sidecars": {"injected": "warn"}}),
        json!({"sidecars": {"injected": "loud"}}),
        json!({"rules": {"container-probes": {"bounds": {"liveness": {"periodSeconds": {"min": 5, "max": 60}}}}}}),
        json!({"rules": {"container-probes": {"bounds": {"liveness": {"period": {"min": 5}}}}}}),
        json!({"rules": {"container-probes": {"bounds": {"liveness": {"periodSeconds": {"min": "5"}}}}}}),
        json!({"rules": {"container-probes": {"readinessInJobs": "yes"}}}),
        json!({"rules": {"readonly-log-mounts": {"logPaths": ["/var/log/**"], "logVolumeNames": []}}}),
        json!({"rules": {"readonly-log-mounts": {"logPaths": ["[unclosed"]}}}),
        json!({"rules": {"localhost-admin-ports": {"adminPorts": [{"image": "corp/gw", "port": 9000, "name": "gw"}]}}}),
        json!({"rules": {"localhost-admin-ports": {"adminPorts": [{"image": "corp/gw", "port": 70000, "name": "gw"}]}}}),
        json!({"rules": {"localhost-admin-ports": {"adminPorts": [{"image": "corp/gw"}]}}}),
        json!({"rules": {"native-sidecars": {"severity": "warn"}, "port-conflicts": {}, "shared-process-namespace": {"severity": "off"}}}),
        json!({"rules": {"port-conflicts": {"ports": []}}}),
        json!([1, 2]),
        json!("settings"),
    ]
}

fn pointers(errors: &[SettingsError]) -> BTreeSet<String> {
    errors.iter().map(|e| e.pointer.clone()).collect()
}

#[test]
fn builtin_validator_jsonschema_and_serde_agree() {
    let schema: Value = serde_json::from_str(SCHEMA_TEXT).expect("schema");
    // null (empty settings) means the defaults, before any schema is asked.
    assert!(Settings::from_value(&Value::Null).is_ok());
    let mut unknown_keys_compared = 0;
    for document in corpus().into_iter().filter(|d| !d.is_null()) {
        let builtin = schema_check::validate(&schema, &document);
        let reference = validate_with_jsonschema(&document);
        assert_eq!(
            builtin.is_empty(),
            reference.is_empty(),
            "{document}: built-in {builtin:?} vs jsonschema {reference:?}"
        );
        // Where a document has one problem, both name the same place.
        if !builtin.is_empty() {
            assert!(
                pointers(&builtin).iter().all(|p| pointers(&reference)
                    .iter()
                    .any(|r| r.starts_with(p.as_str()) || p.starts_with(r.as_str()))),
                "{document}: built-in {builtin:?} vs jsonschema {reference:?}"
            );
        }
        // Where both see an unknown key, they word it alike (the CLI's WASI build uses
        // the built-in validator).
        let unknown = |errors: &[SettingsError]| -> BTreeSet<(String, String)> {
            errors
                .iter()
                .filter(|e| e.message.starts_with("unknown key"))
                .map(|e| (e.pointer.clone(), e.message.clone()))
                .collect()
        };
        assert!(
            unknown(&reference).is_subset(&unknown(&builtin)),
            "{document}: built-in {builtin:?} vs jsonschema {reference:?}"
        );
        unknown_keys_compared += unknown(&reference).len();
        // The typed serde path accepts exactly what the schema accepts.
        let typed = serde_json::from_value::<Settings>(document.clone());
        assert_eq!(
            typed.is_ok(),
            builtin.is_empty(),
            "{document}: serde {:?} vs schema {builtin:?}",
            typed.err()
        );
        // And loading gives the same verdict.
        assert_eq!(
            Settings::from_value(&document).is_ok(),
            builtin.is_empty(),
            "{document}"
        );
    }
    assert!(
        unknown_keys_compared > 0,
        "the corpus has no unknown key both report"
    );
}

#[test]
fn every_error_is_reported_at_once_with_its_pointer() {
    let document = json!({
        "kubernetesVersion": "one",
        "typo": true,
        "sidecars": {"images": ["ok/*", "bad["]},
        "rules": {
            "container-resources": {"maxLimits": {"cpu": "lots"}, "extra": 1},
            "nope": {},
            "container-probes": {"app": {"required": ["alive"]}}
        }
    });
    let errors = Settings::from_value(&document).expect_err("invalid");
    let found = pointers(&errors);
    for expected in [
        "/kubernetesVersion",
        "/typo",
        "/sidecars/images/1",
        "/rules/container-resources/maxLimits/cpu",
        "/rules/container-resources/extra",
        "/rules/nope",
        "/rules/container-probes/app/required/0",
    ] {
        assert!(
            found.contains(expected),
            "missing error at {expected}: {errors:?}"
        );
    }
    assert_eq!(errors.len(), 7, "{errors:#?}");
    let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(
        messages.iter().any(|m| m.contains("unknown key \"typo\"")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("glob \"bad[\"")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("quantity \"lots\"")),
        "{messages:?}"
    );
    // The CLI's jsonschema path finds the same places.
    assert_eq!(pointers(&validate_with_jsonschema(&document)), found);
}

#[test]
fn defaults_are_those_of_the_contract() {
    let defaults = Settings::default();
    assert_eq!(defaults.kubernetes_version.to_string(), "1.33");
    assert!(defaults.allow_ignore_annotation);
    assert!(defaults.exempt_images.is_empty());
    let value = serde_json::to_value(&defaults).expect("serialisable");
    assert_eq!(
        value["rules"]["container-resources"]["requests"],
        json!(["cpu", "memory"])
    );
    assert_eq!(
        value["rules"]["container-resources"]["roles"],
        json!(["app", "sidecar", "native-sidecar", "init"])
    );
    assert_eq!(
        value["rules"]["container-resources"]["limits"],
        json!(["memory"])
    );
    assert_eq!(
        value["rules"]["container-resources"]["advisedLimits"],
        json!(["cpu"])
    );
    assert_eq!(
        value["rules"]["container-probes"]["app"],
        json!({"required": ["readiness"], "advised": ["liveness"]})
    );
    assert_eq!(
        value["rules"]["container-probes"]["sidecar"],
        json!({"required": ["readiness", "liveness"], "advised": []})
    );
    assert_eq!(
        value["rules"]["container-probes"]["native-sidecar"],
        json!({"required": ["readiness", "liveness"], "advised": ["startup"]})
    );
    assert_eq!(value["sidecars"]["injected"], json!("judge"));
    assert_eq!(
        value["rules"]["readonly-log-mounts"]["logPaths"],
        json!(["/var/log", "/var/log/**", "**/log", "**/logs"])
    );
    assert_eq!(
        value["rules"]["localhost-admin-ports"]["adminPortNames"],
        json!(["*admin*", "*debug*", "*pprof*", "*mgmt*"])
    );
    // The defaults, written out, are valid settings that load back to the same thing.
    let reloaded = Settings::from_value(&value).expect("defaults validate");
    assert_eq!(serde_json::to_value(&reloaded).expect("json"), value);
    assert_eq!(
        serde_json::to_value(Settings::from_text("").expect("empty")).expect("json"),
        value
    );
}

/// Every settings example in docs/contract.md and the README loads.
#[test]
fn documented_examples_load() {
    let contract =
        std::fs::read_to_string(repo_root().join("docs/contract.md")).expect("docs/contract.md");
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    let mut loaded = 0;
    for (name, text) in [("docs/contract.md", contract), ("README.md", readme)] {
        let mut rest = text.as_str();
        while let Some(start) = rest.find("```yaml\nkubernetesVersion") {
            let body = &rest[start + 8..];
            let end = body.find("```").expect("closed block");
            Settings::from_text(&body[..end])
                .unwrap_or_else(|e| panic!("{name} example: {e:?}\n{}", &body[..end]));
            loaded += 1;
            rest = &body[end..];
        }
    }
    assert!(loaded >= 3, "only {loaded} settings examples found");
}

#[test]
fn settings_text_errors_are_clear() {
    let errors = Settings::from_text("rules: [").expect_err("syntax error");
    assert!(errors[0].message.starts_with("line "), "{errors:?}");
    let errors = Settings::from_text("a: 1\n---\nb: 2\n").expect_err("two documents");
    assert!(
        errors[0].message.contains("one settings document"),
        "{errors:?}"
    );
}

/// A limit both required and advised is refused by both loaders (the typed one and the
/// CLI's jsonschema path), at the advised entry: the schema alone cannot compare lists.
#[test]
fn a_limit_cannot_be_required_and_advised() {
    let document = json!({"rules": {"container-resources": {"limits": ["cpu", "memory"]}}});
    let errors = Settings::from_value(&document).expect_err("cpu in both lists");
    assert_eq!(
        pointers(&errors),
        BTreeSet::from(["/rules/container-resources/advisedLimits/0".to_string()])
    );
    assert!(errors[0].message.contains("\"cpu\""), "{errors:?}");
    assert!(Settings::deserialize_checked(&document).is_err());
    let fixed = json!({"rules": {"container-resources": {"limits": ["cpu", "memory"], "advisedLimits": []}}});
    assert!(Settings::from_value(&fixed).is_ok());
}

/// A default request above the same role's default limit would make a fix write what the
/// API server rejects: refused by both loaders, at the request.
#[test]
fn a_default_request_cannot_exceed_its_default_limit() {
    let document = json!({"rules": {"container-resources": {"defaults": {"native-sidecar": {
        "requests": {"memory": "256Mi", "cpu": "10m"}, "limits": {"memory": "128Mi"}}}}}});
    let errors = Settings::from_value(&document).expect_err("request above limit");
    assert_eq!(
        pointers(&errors),
        BTreeSet::from([
            "/rules/container-resources/defaults/native-sidecar/requests/memory".to_string()
        ])
    );
    assert!(errors[0].message.contains("\"256Mi\""), "{errors:?}");
    assert!(Settings::deserialize_checked(&document).is_err());
}
