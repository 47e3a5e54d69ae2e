//! The admission front end: a Kubewarden `ValidationRequest` payload in, a verdict out.
//!
//! Kept free of waPC so it runs (and is tested) natively; `policy.rs` only registers it
//! with the guest runtime. Every input it cannot understand becomes a rejection with a
//! message naming the problem: a trapping policy fails every admission it sees.
//!
//! - CREATE and UPDATE of pod-carrying kinds are judged. DELETE, CONNECT and kinds
//!   without a pod template are accepted (DELETE carries no `object`).
//! - `deny` findings reject with one message listing each (rule, container, message) and
//!   HTTP 403; `warn` findings become the response's warnings (kubectl prints them), on
//!   acceptance and rejection alike.
//! - An UPDATE that leaves the pod template and the exemption annotation as they were
//!   (labels, replicas, a controller's bookkeeping) is accepted: it brings nothing new,
//!   and Pod specs are mostly immutable, so rejecting it would only block routine work
//!   on objects admitted before the policy (`workload::unchanged_for_judging`).
//! - Requests on the `pods/ephemeralcontainers` subresource (`kubectl debug`) carry the
//!   whole Pod, but a running Pod's other containers cannot change: only the ephemeral
//!   containers the request adds are judged (all of them when the old Pod is not in the
//!   request), so a finding on an untouched container never refuses a debugging session.
//! - A request that cannot be read (not JSON, no `request`, no `object` on CREATE or
//!   UPDATE, an object invalid for its kind, invalid settings) is rejected with HTTP 400.
//! - In the cluster (`validate_in_cluster`), the ConfigMaps that containers of a product
//!   with a config reader mount are fetched from the request's namespace, at most
//!   `MAX_CONFIG_MAP_LOOKUPS`, each once, unless the settings say `clusterContext: false`;
//!   the rules see them as the CLI sees ConfigMaps of the same input. One the lookup does
//!   not return (missing, forbidden, a host error) is unknown config: no finding, no error.

use crate::input::workload::AdmittedObject;
use crate::report::Report;
use crate::settings::{Settings, SettingsCache, SettingsError};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// Requests above this size are refused before parsing. etcd stores objects of at most
/// 1.5 MiB, so even an UPDATE (object and old object) with the review's metadata stays
/// well under 4 MiB; anything larger is not a real request.
pub const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

/// At most this many ConfigMaps are fetched per request: each lookup is a call to the
/// host (and, past its cache, to the API server), and a pod that mounts more ConfigMaps
/// into its config-reading sidecars than this is not worth slowing every admission for.
/// The ones past the bound are unknown config, as a missing one is.
pub const MAX_CONFIG_MAP_LOOKUPS: usize = 8;

/// Looks up one ConfigMap of the cluster: (namespace, name) → the ConfigMap object as the
/// API returns it, or `None` when it is missing, forbidden or the host failed.
pub type ConfigMapLookup<'l> = &'l mut dyn FnMut(&str, &str) -> Option<Value>;

/// HTTP code for a rejection by the rules.
pub const CODE_DENIED: u16 = 403;
/// HTTP code for a request the policy cannot read.
pub const CODE_BAD_REQUEST: u16 = 400;

/// The outcome of one admission request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub accepted: bool,
    pub message: Option<String>,
    pub code: Option<u16>,
    pub warnings: Vec<String>,
}

impl Verdict {
    fn accept() -> Verdict {
        Verdict {
            accepted: true,
            message: None,
            code: None,
            warnings: Vec::new(),
        }
    }

    fn bad_request(message: String) -> Verdict {
        Verdict {
            accepted: false,
            message: Some(format!(
                "sidecar-guard cannot judge this request: {message}"
            )),
            code: Some(CODE_BAD_REQUEST),
            warnings: Vec::new(),
        }
    }
}

/// The parts of the request this policy reads, typed in one pass over the payload: the
/// object's pod template is read as the rules' model (`workload`), everything else is
/// skipped unparsed, and the settings are kept as text for the settings cache.
#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(borrow)]
    request: Option<Request<'a>>,
    #[serde(borrow, default)]
    settings: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request<'a> {
    operation: Option<String>,
    /// The namespace the object is admitted into, also when its metadata leaves it out.
    #[serde(default)]
    namespace: Option<String>,
    #[serde(borrow, default)]
    object: AdmittedObject<'a>,
    #[serde(borrow, default)]
    old_object: AdmittedObject<'a>,
    #[serde(default)]
    sub_resource: Option<String>,
}

/// The same request read generically: the path for payloads the typed reading refuses
/// (not JSON, a wrong type somewhere), so the rejection names the problem precisely.
#[derive(Deserialize)]
struct GenericPayload {
    request: Option<GenericRequest>,
    #[serde(default)]
    settings: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenericRequest {
    operation: Option<String>,
    #[serde(default)]
    namespace: Value,
    #[serde(default)]
    object: Value,
}

thread_local! {
    static SETTINGS: SettingsCache = const { SettingsCache::new() };
}

/// Reads (or recalls) the settings given as JSON text.
fn with_settings<T>(
    text: &str,
    judge: impl FnOnce(&Settings) -> T,
    invalid: impl FnOnce(&str) -> T,
) -> T {
    let parsed = SETTINGS.with(|cache| {
        cache.get(text, || {
            let document = serde_json::from_str::<Value>(text).map_err(|e| {
                vec![SettingsError {
                    pointer: String::new(),
                    message: format!("the settings are not JSON: {e}"),
                }]
            })?;
            Settings::from_value(&document)
        })
    });
    match parsed {
        Ok(settings) => judge(&settings),
        Err(errors) => invalid(&list(&errors)),
    }
}

/// Judges one `ValidationRequest` payload (`{"request": …, "settings": …}`) with no
/// ConfigMaps of the cluster: the verdict of a pod whose config cannot be read.
pub fn validate(payload: &[u8]) -> Verdict {
    validate_in_cluster(payload, &mut |_, _| None)
}

/// Judges one `ValidationRequest` payload, looking up the ConfigMaps its config-reading
/// containers mount with `lookup` (the policy's host capability).
pub fn validate_in_cluster(payload: &[u8], lookup: ConfigMapLookup<'_>) -> Verdict {
    if payload.len() > MAX_REQUEST_BYTES {
        return Verdict::bad_request(format!(
            "the request is {} bytes, more than the {MAX_REQUEST_BYTES} accepted",
            payload.len()
        ));
    }
    // Text once, up front: serde_json then checks no string's UTF-8 again.
    let Ok(text) = std::str::from_utf8(payload) else {
        return validate_generic(payload, lookup);
    };
    let Ok(payload_typed) = serde_json::from_str::<Payload>(text) else {
        return validate_generic(payload, lookup);
    };
    let Some(request) = payload_typed.request else {
        return Verdict::bad_request("the ValidationRequest has no request".to_string());
    };
    if matches!(request.object, AdmittedObject::Unread) {
        return validate_generic(payload, lookup);
    }
    let settings_text = payload_typed.settings.map_or("null", RawValue::get);
    with_settings(
        settings_text,
        |settings| judge_request(request, settings, lookup),
        |message| Verdict::bad_request(format!("invalid policy settings: {message}")),
    )
}

/// The pipeline's ConfigMap fetch for an object of `namespace` (the request's, else the
/// object's own): nothing when the settings turn lookups off or the namespace is unknown,
/// else the first `MAX_CONFIG_MAP_LOOKUPS` names looked up, those found kept as ConfigMaps
/// of that namespace.
fn fetcher<'l>(
    namespace: Option<String>,
    settings: &Settings,
    lookup: ConfigMapLookup<'l>,
) -> impl FnMut(&[&str]) -> Vec<Value> + 'l {
    let enabled = settings.cluster_context;
    move |names| {
        let Some(namespace) = namespace.as_deref().filter(|n| !n.is_empty()) else {
            return Vec::new();
        };
        if !enabled {
            return Vec::new();
        }
        names
            .iter()
            .take(MAX_CONFIG_MAP_LOOKUPS)
            .filter_map(|name| {
                let found = lookup(namespace, name)?;
                config_map(namespace, name, &found)
            })
            .collect()
    }
}

/// The ConfigMap the host answered for `namespace/name`, with only what the rules read
/// (its text `data`); `None` when the answer is not that ConfigMap or has no data.
fn config_map(namespace: &str, name: &str, found: &Value) -> Option<Value> {
    let said = |key: &str| found.pointer(key).and_then(Value::as_str);
    if said("/metadata/name").is_some_and(|n| n != name)
        || said("/metadata/namespace").is_some_and(|n| n != namespace)
        || said("/kind").is_some_and(|k| k != "ConfigMap")
    {
        return None;
    }
    let data = found.get("data")?.as_object()?;
    Some(serde_json::json!({
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": data,
    }))
}

fn judge_request(
    request: Request<'_>,
    settings: &Settings,
    lookup: ConfigMapLookup<'_>,
) -> Verdict {
    match request.operation.as_deref() {
        Some("CREATE") | Some("UPDATE") => {}
        Some(_) => return Verdict::accept(),
        None => return Verdict::bad_request("the request has no operation".to_string()),
    }
    let object = match request.object {
        AdmittedObject::Read(Ok(object)) => object,
        AdmittedObject::Read(Err(e)) => {
            return Verdict::bad_request(format!("the object is invalid at {e}"))
        }
        // `Unread` objects were handed to `validate_generic` before.
        AdmittedObject::Absent | AdmittedObject::Unread => {
            return Verdict::bad_request("the request has no object to judge".to_string())
        }
    };
    let namespace = request
        .namespace
        .clone()
        .or_else(|| object.header.namespace.clone());
    let mut fetch = fetcher(namespace, settings, lookup);
    let adds_ephemeral_containers = request.sub_resource.as_deref() == Some("ephemeralcontainers");
    if request.operation.as_deref() == Some("UPDATE") && !adds_ephemeral_containers {
        if let AdmittedObject::Read(Ok(old)) = &request.old_object {
            if crate::input::workload::unchanged_for_judging(&object, old) {
                return Verdict::accept();
            }
        }
    }
    if adds_ephemeral_containers {
        let existing: Vec<String> = match &request.old_object {
            AdmittedObject::Read(Ok(old)) => old
                .template
                .iter()
                .flat_map(|t| &t.ephemeral)
                .map(|c| c.name.to_string())
                .collect(),
            _ => Vec::new(),
        };
        let mut report = crate::pipeline::check_object_fetching(object, settings, &mut fetch);
        report.retain_findings(|f| {
            f.path.contains("/ephemeralContainers/")
                && f.container
                    .as_ref()
                    .is_some_and(|name| !existing.contains(name))
        });
        return verdict(&report);
    }
    verdict(&crate::pipeline::check_object_fetching(
        object, settings, &mut fetch,
    ))
}

/// The generic reading, for payloads the typed one refused: it finds what is wrong.
fn validate_generic(payload: &[u8], lookup: ConfigMapLookup<'_>) -> Verdict {
    let payload: GenericPayload = match serde_json::from_slice(payload) {
        Ok(p) => p,
        Err(e) => {
            return Verdict::bad_request(format!(
                "the request is not a valid ValidationRequest: {e}"
            ))
        }
    };
    let Some(request) = payload.request else {
        return Verdict::bad_request("the ValidationRequest has no request".to_string());
    };
    let settings = match Settings::from_value(&payload.settings) {
        Ok(s) => s,
        Err(errors) => {
            return Verdict::bad_request(format!("invalid policy settings: {}", list(&errors)))
        }
    };
    match request.operation.as_deref() {
        Some("CREATE") | Some("UPDATE") => {}
        Some(_) => return Verdict::accept(),
        None => return Verdict::bad_request("the request has no operation".to_string()),
    }
    if request.object.is_null() {
        return Verdict::bad_request("the request has no object to judge".to_string());
    }
    let namespace = request
        .namespace
        .as_str()
        .or_else(|| request.object.pointer("/metadata/namespace")?.as_str())
        .map(str::to_string);
    let mut fetch = fetcher(namespace, &settings, lookup);
    judge_fetching(&request.object, &settings, &mut fetch)
}

/// Judges one object (no List unpacking: the API server admits objects one by one) with
/// no ConfigMaps of the cluster.
pub fn judge(object: &Value, settings: &Settings) -> Verdict {
    judge_fetching(object, settings, &mut |_| Vec::new())
}

fn judge_fetching(
    object: &Value,
    settings: &Settings,
    fetch: &mut dyn FnMut(&[&str]) -> Vec<Value>,
) -> Verdict {
    let mut reports = crate::pipeline::check_value_fetching(object, settings, fetch);
    let report = match reports.len() {
        1 => reports.remove(0),
        _ => return Verdict::bad_request("expected exactly one object".to_string()),
    };
    match report {
        Ok(report) => verdict(&report),
        Err(e) => Verdict::bad_request(format!("the object is invalid at {e}")),
    }
}

/// `[rule] message`, and which injector added the container: its author changes it
/// through that injector's annotations, not in the workload's template.
fn describe(finding: &crate::Finding) -> String {
    match &finding.injected_by {
        Some(injector) => format!(
            "[{}] {} (injected by {injector})",
            finding.rule, finding.message
        ),
        None => format!("[{}] {}", finding.rule, finding.message),
    }
}

/// The admission response for a report.
pub fn verdict(report: &Report) -> Verdict {
    let warnings: Vec<String> = report.warnings().map(describe).collect();
    if report.allowed {
        return Verdict {
            accepted: true,
            message: None,
            code: None,
            warnings,
        };
    }
    let denials: Vec<String> = report.denials().map(describe).collect();
    let message = format!(
        "{} violates sidecar-guard rules: {}",
        report.display_name(),
        denials.join("; ")
    );
    Verdict {
        accepted: false,
        message: Some(message),
        code: Some(CODE_DENIED),
        warnings,
    }
}

/// Validates a settings payload: `Ok` or every error, each `pointer: message`.
pub fn validate_settings(payload: &[u8]) -> Result<(), String> {
    if payload.len() > MAX_REQUEST_BYTES {
        return Err(format!(
            "the settings are {} bytes, more than the {MAX_REQUEST_BYTES} accepted",
            payload.len()
        ));
    }
    let document: Value =
        serde_json::from_slice(payload).map_err(|e| format!("the settings are not JSON: {e}"))?;
    Settings::from_value(&document)
        .map(|_| ())
        .map_err(|errors| list(&errors))
}

fn list(errors: &[SettingsError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(image: &str, labels: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": labels}, "spec": {"containers": [{"name": "app", "image": image}]}})
    }

    fn update(object: Value, old: Value, sub_resource: Option<&str>) -> Verdict {
        let payload = json!({"request": {"operation": "UPDATE", "object": object, "oldObject": old, "subResource": sub_resource}, "settings": {}});
        validate(&serde_json::to_vec(&payload).unwrap())
    }

    #[test]
    fn updates_that_change_nothing_judged_are_accepted() {
        let old = pod("shop/api:v1", json!({"a": "1"}));
        assert!(
            update(pod("shop/api:v1", json!({"a": "2"})), old.clone(), None).accepted,
            "a label change"
        );
        assert!(
            !update(pod("shop/api:v2", json!({"a": "1"})), old.clone(), None).accepted,
            "a new image is judged"
        );
        assert!(
            !update(pod("shop/api:v1", json!({"a": "1"})), Value::Null, None).accepted,
            "no oldObject: judged"
        );
        // `kubectl debug`: the app's own findings (no probes, no resources) cannot be
        // fixed on a running Pod and do not refuse the debugging session…
        assert!(
            update(
                pod("shop/api:v1", json!({"a": "1"})),
                old.clone(),
                Some("ephemeralcontainers")
            )
            .accepted,
            "only what the update adds is judged"
        );
        // …but an added debugging container that writes to the node's logs is refused,
        // and one added earlier is not judged again.
        let with_debugger = |names: &[&str]| {
            let mut p = pod("shop/api:v1", json!({"a": "1"}));
            p["spec"]["volumes"] = json!([{"name": "node-logs", "hostPath": {"path": "/var/log"}}]);
            p["spec"]["ephemeralContainers"] = Value::Array(
                names
                    .iter()
                    .map(|n| json!({"name": n, "image": "busybox", "volumeMounts": [{"name": "node-logs", "mountPath": "/var/log"}]}))
                    .collect(),
            );
            p
        };
        let verdict = update(
            with_debugger(&["debugger"]),
            old,
            Some("ephemeralcontainers"),
        );
        assert!(!verdict.accepted, "{verdict:?}");
        let message = verdict.message.unwrap_or_default();
        assert!(message.contains("debugger"), "{message}");
        assert!(!message.contains("container-probes"), "{message}");
        assert!(
            update(
                with_debugger(&["debugger"]),
                with_debugger(&["debugger"]),
                Some("ephemeralcontainers")
            )
            .accepted,
            "an ephemeral container admitted before"
        );
    }

    #[test]
    fn objects_whose_kind_follows_their_spec_are_judged_the_same() {
        let spec = json!({"containers": [{"name": "app", "image": "shop/api:v1"}]});
        let usual = format!(
            r#"{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "p"}}, "spec": {spec}}}"#
        );
        let late = format!(
            r#"{{"spec": {spec}, "metadata": {{"name": "p"}}, "kind": "Pod", "apiVersion": "v1"}}"#
        );
        let late_list =
            format!(r#"{{"items": [{late}, {late}], "kind": "List", "apiVersion": "v1"}}"#);
        let request = |object: &str| {
            validate(
                format!(r#"{{"request": {{"operation": "CREATE", "object": {object}}}}}"#)
                    .as_bytes(),
            )
        };
        assert!(
            crate::input::workload::extract_json(&late).is_none(),
            "the fast path hands it on"
        );
        let expected = request(&usual);
        assert!(!expected.accepted);
        assert_eq!(request(&late), expected);
        assert!(request(&late_list)
            .message
            .is_some_and(|m| m.contains("expected exactly one object")));
        let settings = Settings::default();
        let text = |t: &str| format!("{:?}", crate::check_text(t, &settings));
        assert_eq!(text(&late), text(&usual));
        assert_eq!(text(&late_list).matches("Checked").count(), 2);
    }

    /// An Envoy sidecar reading its bootstrap from `bootstrap`, plus `extra` ConfigMap
    /// volumes mounted into it and one mounted only into the app.
    fn envoy_pod(extra: usize) -> Value {
        let mut mounts = vec![json!({"name": "bootstrap", "mountPath": "/etc/envoy"})];
        let mut volumes = vec![
            json!({"name": "bootstrap", "configMap": {"name": "envoy"}}),
            json!({"name": "app-config", "configMap": {"name": "app"}}),
        ];
        for i in 0..extra {
            mounts.push(json!({"name": format!("v{i}"), "mountPath": format!("/etc/extra/{i}")}));
            // Every second one names the bootstrap again: asked for once.
            let name = if i % 2 == 0 {
                format!("extra-{i}")
            } else {
                "envoy".to_string()
            };
            volumes.push(json!({"name": format!("v{i}"), "projected": {"sources": [{"configMap": {"name": name}}]}}));
        }
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "edge"}, "spec": {
            "containers": [
                {"name": "app", "image": "shop/api:v1", "volumeMounts": [{"name": "app-config", "mountPath": "/etc/app"}]},
                {"name": "envoy", "image": "envoyproxy/envoy:v1.31.2", "args": ["-c", "/etc/envoy/envoy.yaml"], "volumeMounts": mounts},
            ],
            "volumes": volumes,
        }})
    }

    fn bootstrap(address: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "envoy", "namespace": "shop"},
            "data": {"envoy.yaml": format!("admin:\n  address:\n    socket_address: {{address: {address}, port_value: 9901}}\n")}})
    }

    /// Runs a CREATE in namespace `shop` with `lookup`, returning the verdict and the
    /// (namespace, name) pairs asked for.
    fn in_cluster(
        object: Value,
        settings: Value,
        answer: impl Fn(&str) -> Option<Value>,
    ) -> (Verdict, Vec<(String, String)>) {
        let payload = json!({"request": {"operation": "CREATE", "namespace": "shop", "object": object}, "settings": settings});
        let mut asked = Vec::new();
        let verdict = validate_in_cluster(
            &serde_json::to_vec(&payload).unwrap(),
            &mut |namespace, name| {
                asked.push((namespace.to_string(), name.to_string()));
                answer(name)
            },
        );
        (verdict, asked)
    }

    #[test]
    fn fetches_only_the_config_maps_config_reading_sidecars_mount() {
        let served =
            |address: &'static str| move |name: &str| (name == "envoy").then(|| bootstrap(address));
        let (verdict, asked) = in_cluster(envoy_pod(0), json!({}), served("0.0.0.0"));
        assert_eq!(
            asked,
            [("shop".to_string(), "envoy".to_string())],
            "not the app's ConfigMap"
        );
        assert!(!verdict.accepted, "{verdict:?}");
        let message = verdict.message.clone().unwrap_or_default();
        assert!(
            message.contains("localhost-admin-ports")
                && message.contains("admin API on all interfaces (ConfigMap envoy/envoy.yaml)"),
            "{message}"
        );
        // Without the ConfigMap the admin address is unknown: the verdict of no lookup.
        let alone = validate(&serde_json::to_vec(&json!({"request": {"operation": "CREATE", "namespace": "shop", "object": envoy_pod(0)}})).unwrap());
        assert!(!alone
            .message
            .unwrap_or_default()
            .contains("admin API on all interfaces (ConfigMap envoy/envoy.yaml)"));
        let (missing, _) = in_cluster(envoy_pod(0), json!({}), |_| None);
        assert_eq!(
            missing
                .message
                .as_deref()
                .map(|m| m.contains("admin API on all interfaces (ConfigMap envoy/envoy.yaml)")),
            Some(false)
        );
        // A loopback admin: no finding about it.
        let (local, _) = in_cluster(envoy_pod(0), json!({}), served("127.0.0.1"));
        assert!(!local
            .message
            .unwrap_or_default()
            .contains("localhost-admin-ports"));
        // Turned off: nothing asked.
        let (off, asked) = in_cluster(
            envoy_pod(0),
            json!({"clusterContext": false}),
            served("0.0.0.0"),
        );
        assert!(asked.is_empty());
        assert!(!off
            .message
            .unwrap_or_default()
            .contains("admin API on all interfaces (ConfigMap envoy/envoy.yaml)"));
    }

    #[test]
    fn lookups_are_bounded_deduplicated_and_checked() {
        let (_, asked) = in_cluster(envoy_pod(20), json!({}), |_| None);
        assert_eq!(asked.len(), MAX_CONFIG_MAP_LOOKUPS);
        let names: Vec<&str> = asked.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            &names[..3],
            ["envoy", "extra-0", "extra-2"],
            "each once, in mount order"
        );
        // An answer that is another object is not taken for the ConfigMap.
        let (verdict, _) = in_cluster(envoy_pod(0), json!({}), |_| {
            let mut other = bootstrap("0.0.0.0");
            other["metadata"]["name"] = json!("someone-else");
            Some(other)
        });
        assert!(!verdict
            .message
            .unwrap_or_default()
            .contains("admin API on all interfaces (ConfigMap envoy/envoy.yaml)"));
        // Data that is not text, or no data: unknown config, never a trap.
        for data in [json!(null), json!({"envoy.yaml": 7}), json!("x")] {
            let (verdict, _) = in_cluster(envoy_pod(0), json!({}), move |_| {
                let mut odd = bootstrap("0.0.0.0");
                odd["data"] = data.clone();
                Some(odd)
            });
            assert!(!verdict
                .message
                .unwrap_or_default()
                .contains("admin API on all interfaces (ConfigMap envoy/envoy.yaml)"));
        }
        // A pod without a config-reading sidecar asks for nothing.
        let (_, asked) = in_cluster(pod("shop/api:v1", json!({})), json!({}), |_| None);
        assert!(asked.is_empty());
    }

    #[test]
    fn the_readme_states_the_bound() {
        let readme = include_str!("../README.md");
        let stated = format!("`admission::MAX_CONFIG_MAP_LOOKUPS` = **{MAX_CONFIG_MAP_LOOKUPS}**");
        assert!(readme.contains(&stated), "README must say {stated}");
        let usage = format!("At most {MAX_CONFIG_MAP_LOOKUPS} ConfigMaps are read per request");
        assert!(readme.contains(&usage), "README must say {usage}");
    }

    #[test]
    fn removing_an_exemption_is_a_change() {
        let mut exempt = pod("shop/api:v1", json!({}));
        exempt["metadata"]["annotations"] =
            json!({"sidecar-guard.io/ignore": "container-resources,container-probes"});
        assert!(
            validate(
                &serde_json::to_vec(&json!({"request": {"operation": "CREATE", "object": exempt}}))
                    .unwrap()
            )
            .accepted
        );
        assert!(!update(pod("shop/api:v1", json!({})), exempt, None).accepted);
    }
}
