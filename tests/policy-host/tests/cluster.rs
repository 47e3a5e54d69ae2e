//! The context-aware policy in the waPC host, its host calls answered from fixtures: the
//! ConfigMaps its config-reading sidecars mount are fetched (only those, each once), and
//! the verdict is the CLI's for the same pod and ConfigMaps; a ConfigMap that is missing,
//! forbidden, unreadable or slow to come changes nothing but what it would have shown.

#[path = "../../support/shared.rs"]
mod shared;

use policy_host::{call, load_with_cluster, policy_path, Answer, Call, Cluster, WapcHost};
use serde_json::{json, Value};
use sidecar_guard::Settings;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

thread_local! {
    // A waPC host is not Sync: one per test thread, each with its own cluster.
    static HOST: (WapcHost, Arc<Cluster>) = {
        let cluster = Arc::new(Cluster::default());
        let host = load_with_cluster(&policy_path(), cluster.clone()).unwrap_or_else(|e| panic!("{e}"));
        (host, cluster)
    };
}

/// The policy's response to `payload` with `served` in the cluster, and the host calls.
fn validate(payload: &Value, served: Vec<((String, String), Answer)>) -> (Value, Vec<Call>) {
    HOST.with(|(host, cluster)| {
        cluster.serve(served);
        let bytes = serde_json::to_vec(payload).expect("json");
        let response = call(host, "validate", &bytes).unwrap_or_else(|e| panic!("{e}"));
        (response, cluster.calls())
    })
}

fn request(object: &Value, settings: Value) -> Value {
    json!({
        "request": {
            "uid": "0d0b5f2c-29b5-4bd0-a7f5-6f3c5b1e5f11",
            "kind": {"group": "", "version": "v1", "kind": object["kind"]},
            "operation": "CREATE",
            "name": object.pointer("/metadata/name"),
            "namespace": namespace_of(object),
            "userInfo": {"username": "tester"},
            "object": object,
        },
        "settings": settings,
    })
}

fn namespace_of(object: &Value) -> String {
    object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The objects of a fixture file, Lists unpacked as kubectl does before the API server.
fn objects(path: &Path) -> Vec<(usize, Value)> {
    let text = std::fs::read_to_string(path).expect("fixture");
    let mut out = Vec::new();
    for (index, document) in sidecar_guard::input::yaml::parse_stream(&text, Default::default())
        .into_iter()
        .enumerate()
    {
        let Ok(document) = document else { continue };
        let value = document.value;
        match value.get("items").and_then(Value::as_array) {
            Some(items) if value["kind"].as_str().is_some_and(|k| k.ends_with("List")) => {
                out.extend(items.iter().map(|i| (index, i.clone())));
            }
            _ => out.push((index, value)),
        }
    }
    out
}

fn is_config_map(object: &Value) -> bool {
    object["kind"] == "ConfigMap"
}

/// A fixture's ConfigMaps as the cluster serves them (the first of a name wins, as in
/// the CLI's reading of one file).
fn served_from(objects: &[(usize, Value)]) -> Vec<((String, String), Answer)> {
    let mut served: Vec<((String, String), Answer)> = Vec::new();
    for (_, object) in objects.iter().filter(|(_, o)| is_config_map(o)) {
        let name = object["metadata"]["name"].as_str().unwrap_or_default();
        let key = (namespace_of(object), name.to_string());
        if !served.iter().any(|(k, _)| *k == key) {
            served.push((key, Answer::Found(object.clone())));
        }
    }
    served
}

fn fixture(relative: &str) -> Vec<(usize, Value)> {
    objects(&repo().join(relative))
}

fn named<'o>(objects: &'o [(usize, Value)], name: &str) -> &'o Value {
    objects
        .iter()
        .map(|(_, o)| o)
        .find(|o| o["metadata"]["name"] == name && !is_config_map(o))
        .unwrap_or_else(|| panic!("no object {name}"))
}

fn message(response: &Value) -> &str {
    response["message"].as_str().unwrap_or_default()
}

fn get_resource(namespace: &str, name: &str) -> Call {
    Call {
        binding: "kubewarden".to_string(),
        namespace: "kubernetes".to_string(),
        operation: "get_resource".to_string(),
        payload: json!({
            "api_version": "v1", "kind": "ConfigMap", "name": name, "namespace": namespace,
            "disable_cache": false, "field_masks": null,
        }),
    }
}

const ENVOY_FIXTURE: &str = "tests/fixtures/real-world/envoy-bootstrap-configmap.yaml";
const ENVOY_ADMIN_OPEN: &str =
    "[localhost-admin-ports] native sidecar \"envoy\" serves the Envoy admin API on all interfaces (ConfigMap edge-envoy/envoy.yaml)";

#[test]
fn envoy_admin_bound_to_all_interfaces_in_its_served_bootstrap_is_denied() {
    let objects = fixture(ENVOY_FIXTURE);
    let edge = named(&objects, "edge");
    // The pod spec declares no admin port: only the bootstrap shows it.
    assert!(!edge.to_string().contains("9901"));
    let (response, calls) = validate(&request(edge, json!({})), served_from(&objects));
    assert_eq!(response["accepted"], false, "{response}");
    assert_eq!(response["code"], 403);
    assert!(message(&response).contains(ENVOY_ADMIN_OPEN), "{response}");
    assert_eq!(
        calls,
        [get_resource("default", "edge-envoy")],
        "only its bootstrap"
    );
    // Its fixed version keeps admin on the loopback: no finding on it.
    let local = named(&objects, "edge-local-admin");
    let (response, calls) = validate(&request(local, json!({})), served_from(&objects));
    assert_eq!(response["accepted"], true, "{response}");
    assert_eq!(calls, [get_resource("default", "edge-envoy-local")]);
    // Turned off: not asked, and the open admin is not seen.
    let (response, calls) = validate(
        &request(edge, json!({"clusterContext": false})),
        served_from(&objects),
    );
    assert!(calls.is_empty(), "{calls:?}");
    assert!(!message(&response).contains("localhost-admin-ports"));
}

#[test]
fn missing_forbidden_failing_or_unreadable_config_is_unknown_never_an_error() {
    let objects = fixture(ENVOY_FIXTURE);
    let edge = named(&objects, "edge");
    let payload = request(edge, json!({}));
    // The verdict on the pod alone, as the core gives it without its ConfigMap.
    let alone = sidecar_guard::admission::validate(&serde_json::to_vec(&payload).expect("json"));
    assert!(!alone
        .message
        .as_deref()
        .unwrap_or_default()
        .contains("localhost-admin-ports"));
    let mut wrong_object = served_from(&objects)[0].1.clone();
    if let Answer::Found(object) = &mut wrong_object {
        object["metadata"]["name"] = json!("another");
    }
    let key = ("default".to_string(), "edge-envoy".to_string());
    for (label, answer) in [
        ("not found", None),
        ("forbidden", Some(Answer::Forbidden)),
        ("host error", Some(Answer::HostError)),
        ("not JSON", Some(Answer::Garbage)),
        ("another object", Some(wrong_object)),
        (
            "no data",
            Some(Answer::Found(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "edge-envoy", "namespace": "default"}}),
            )),
        ),
    ] {
        let served = answer.into_iter().map(|a| (key.clone(), a)).collect();
        let (response, calls) = validate(&payload, served);
        assert_eq!(calls, [get_resource("default", "edge-envoy")], "{label}");
        assert_eq!(response["accepted"], alone.accepted, "{label}: {response}");
        assert_eq!(
            response["message"].as_str(),
            alone.message.as_deref(),
            "{label}"
        );
        assert_eq!(response["code"], json!(alone.code), "{label}");
        let warnings = response["warnings"].as_array().cloned().unwrap_or_default();
        assert_eq!(warnings, alone.warnings, "{label}");
    }
}

#[test]
fn a_slow_answer_is_waited_for_and_used() {
    let objects = fixture(ENVOY_FIXTURE);
    let edge = named(&objects, "edge");
    let served = served_from(&objects)
        .into_iter()
        .map(|(key, answer)| match answer {
            Answer::Found(object) => (key, Answer::Slow(Duration::from_millis(300), object)),
            other => (key, other),
        })
        .collect();
    let start = Instant::now();
    let (response, calls) = validate(&request(edge, json!({})), served);
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(calls.len(), 1);
    assert_eq!(response["accepted"], false, "{response}");
    assert!(message(&response).contains(ENVOY_ADMIN_OPEN), "{response}");
}

const FLUENTD_POS_FILE: &str = "[readonly-log-mounts] container \"log-shipper\"";

#[test]
fn fluentd_pos_file_inside_its_read_only_mount_is_denied() {
    // The seed article's logging sidecar, as the fixture reproduces it…
    let objects = fixture("tests/fixtures/readonly-log-mounts/fires-state-in-read-only-mount.yaml");
    let pod = named(&objects, "app-with-logging");
    let (response, calls) = validate(&request(pod, json!({})), served_from(&objects));
    assert_eq!(response["accepted"], false, "{response}");
    let text = message(&response);
    assert!(
        text.contains(FLUENTD_POS_FILE) && text.contains("/var/log/app/app.log.pos"),
        "{response}"
    );
    assert_eq!(calls, [get_resource("default", "fluentd-config")]);
    let (response, _) = validate(&request(pod, json!({})), Vec::new());
    assert!(!message(&response).contains("app.log.pos"), "{response}");
    // …and the article itself with its own fluent.conf, when the article is here.
    let Some(dir) = shared::shared_data(&repo(), "seed") else {
        return;
    };
    let mut blocks = Vec::new();
    for entry in std::fs::read_dir(dir).expect("seed dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).expect("article");
            for block in text.split("```yaml\n").skip(1) {
                let body = block.split("```").next().unwrap_or_default();
                for document in sidecar_guard::input::yaml::parse_stream(body, Default::default())
                    .into_iter()
                    .flatten()
                {
                    blocks.push(document.value);
                }
            }
        }
    }
    let config_maps: Vec<(usize, Value)> = blocks
        .iter()
        .filter(|b| is_config_map(b))
        .map(|b| (0, b.clone()))
        .collect();
    let seed_pod = blocks
        .iter()
        .find(|b| b["metadata"]["name"] == "app-with-logging" && !is_config_map(b))
        .expect("the article's logging sidecar");
    let (response, _) = validate(&request(seed_pod, json!({})), served_from(&config_maps));
    assert_eq!(response["accepted"], false, "{response}");
    assert!(message(&response).contains(FLUENTD_POS_FILE), "{response}");
}

/// Every fixture that ships ConfigMaps: each object's verdict through the policy, its
/// ConfigMaps served by the host, is the core's verdict on the whole file (the CLI's).
#[test]
fn fixtures_with_config_maps_get_the_clis_verdict() {
    let mut judged = 0;
    let mut with_lookups = 0;
    for dir in std::fs::read_dir(repo().join("tests/fixtures")).expect("fixtures") {
        for file in std::fs::read_dir(dir.expect("dir").path()).expect("files") {
            let path = file.expect("file").path();
            let name = path.to_string_lossy().to_string();
            if !name.ends_with(".yaml") || name.ends_with(".settings.yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("fixture");
            if !text.contains("kind: ConfigMap") {
                continue;
            }
            let settings_value = match std::fs::read_to_string(path.with_extension("settings.yaml"))
            {
                Ok(text) => sidecar_guard::settings::parse_settings_text(&text).expect("settings"),
                Err(_) => json!({}),
            };
            let settings = Settings::from_value(&settings_value).expect("valid settings");
            let objects = objects(&path);
            let served = served_from(&objects);
            let reports = sidecar_guard::check_text(&text, &settings);
            // Reports come in document order, a List's items in item order.
            let mut reports = reports.into_iter();
            for (index, object) in &objects {
                let Some(report) = reports.next() else { break };
                let Ok(report) = report else { continue };
                assert_eq!(
                    report.document, *index,
                    "{name}: reports and objects in step"
                );
                // A typed List's items carry no kind (the CLI takes the List's); the API
                // server admits nothing without one.
                if is_config_map(object) || object.get("kind").is_none() {
                    continue;
                }
                let (response, calls) =
                    validate(&request(object, settings_value.clone()), served.clone());
                let expected = sidecar_guard::admission::verdict(&report);
                let label = format!("{name}: {}", report.display_name());
                assert_eq!(
                    response["accepted"], expected.accepted,
                    "{label}: {response}"
                );
                assert_eq!(
                    response["message"].as_str(),
                    expected.message.as_deref(),
                    "{label}"
                );
                let warnings = response["warnings"].as_array().cloned().unwrap_or_default();
                assert_eq!(warnings, expected.warnings, "{label}");
                judged += 1;
                with_lookups += usize::from(!calls.is_empty());
            }
        }
    }
    assert!(
        judged >= 15 && with_lookups >= 10,
        "{judged} objects, {with_lookups} with lookups"
    );
}
