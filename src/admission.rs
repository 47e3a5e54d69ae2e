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
//! - With the `mutate` setting, a request whose findings carry fixes the settings admit is
//!   fixed as `fix::fix_value` fixes it: accepted with the fixed object when no denial
//!   remains, rejected with what remains otherwise, each fix a warning. An UPDATE's fixes
//!   are those of the containers it adds or changes; a Pod's never on UPDATE (immutable).

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
    /// With the `mutate` setting: the object as the policy's fixes corrected it, on an
    /// acceptance that applied at least one fix.
    pub mutated_object: Option<Value>,
}

impl Verdict {
    fn accept() -> Verdict {
        Verdict {
            accepted: true,
            message: None,
            code: None,
            warnings: Vec::new(),
            mutated_object: None,
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
            mutated_object: None,
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
    #[serde(default)]
    old_object: Value,
    #[serde(default)]
    sub_resource: Option<String>,
}

/// The objects of a request, read generically: what the mutating mode patches. Read only
/// when a fix is to be applied, so judging alone never pays for it.
#[derive(Deserialize)]
struct MutationPayload {
    request: MutationRequest,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MutationRequest {
    #[serde(default)]
    object: Value,
    #[serde(default)]
    old_object: Value,
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
        |settings| judge_request(text, request, settings, lookup),
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
    // Each name's answer, kept for the request: the mutating mode checks the object again
    // after each pass of fixes, and the bound is per request, not per check.
    let mut answers: Vec<(String, Option<Value>)> = Vec::new();
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
                if let Some((_, known)) = answers.iter().find(|(n, _)| n == name) {
                    return known.clone();
                }
                if answers.len() >= MAX_CONFIG_MAP_LOOKUPS {
                    return None;
                }
                let found =
                    lookup(namespace, name).and_then(|found| config_map(namespace, name, &found));
                answers.push((name.to_string(), found.clone()));
                found
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
    text: &str,
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
    let update = request.operation.as_deref() == Some("UPDATE");
    if update && !adds_ephemeral_containers {
        if let AdmittedObject::Read(Ok(old)) = &request.old_object {
            if crate::input::workload::unchanged_for_judging(&object, old) {
                return Verdict::accept();
            }
        }
    }
    let existing: Vec<String> = match &request.old_object {
        AdmittedObject::Read(Ok(old)) if adds_ephemeral_containers => old
            .template
            .iter()
            .flat_map(|t| &t.ephemeral)
            .map(|c| c.name.to_string())
            .collect(),
        _ => Vec::new(),
    };
    // `kubectl debug`: only the ephemeral containers the request adds are judged.
    let judged = |f: &crate::Finding| {
        !adds_ephemeral_containers
            || (f.path.contains("/ephemeralContainers/")
                && f.container
                    .as_ref()
                    .is_some_and(|name| !existing.contains(name)))
    };
    let mut report = crate::pipeline::check_object_fetching(object, settings, &mut fetch);
    report.retain_findings(&judged);
    let Some(options) = fix_options(settings) else {
        return verdict(&report);
    };
    let has_fix = |f: &crate::Finding| f.fix.as_ref().is_some_and(|x| options.admits(x));
    if !report.findings.iter().any(has_fix) {
        return verdict(&report);
    }
    // A fix to apply: only now is the object read as JSON to be patched.
    let objects = match serde_json::from_str::<MutationPayload>(text) {
        Ok(payload) => payload.request,
        Err(e) => return Verdict::bad_request(format!("the request cannot be patched: {e}")),
    };
    let fixable = fixable_containers(
        update,
        adds_ephemeral_containers,
        &objects.object,
        &objects.old_object,
    );
    mutate(
        &objects.object,
        settings,
        options,
        &mut fetch,
        &judged,
        &fixable,
    )
    .unwrap_or_else(|| verdict(&report))
}

/// What the settings let the policy fix: nothing unless `mutate`.
fn fix_options(settings: &Settings) -> Option<crate::fix::FixOptions> {
    settings.mutate.then_some(crate::fix::FixOptions {
        unsafe_fixes: settings.mutate_unsafe,
    })
}

/// The pod specs of an object of any pod-carrying kind, by where kinds keep them.
fn pod_specs(object: &Value) -> impl Iterator<Item = &Value> {
    [
        "/spec",
        "/spec/template/spec",
        "/spec/jobTemplate/spec/template/spec",
        "/template/spec",
    ]
    .into_iter()
    .filter_map(|pointer| object.pointer(pointer))
}

/// Every container of an object, by name, from every list of its pod spec.
fn containers(object: &Value) -> Vec<(&str, &Value)> {
    pod_specs(object)
        .flat_map(|spec| {
            ["initContainers", "containers", "ephemeralContainers"]
                .into_iter()
                .filter_map(|list| spec.get(list)?.as_array())
                .flatten()
        })
        .filter_map(|c| Some((c.get("name")?.as_str()?, c)))
        .collect()
}

/// The containers whose findings the policy may fix: `None` for all (a CREATE), else
/// the names of those the UPDATE adds or changes. A Pod's spec is immutable past its
/// images, so a fix there would make the API refuse the update: none, except the
/// ephemeral containers `kubectl debug` adds.
fn fixable_containers(
    update: bool,
    adds_ephemeral_containers: bool,
    object: &Value,
    old: &Value,
) -> Option<Vec<String>> {
    if !update || old.is_null() {
        return None;
    }
    let is_pod = object.get("kind").and_then(Value::as_str) == Some("Pod");
    if is_pod && !adds_ephemeral_containers {
        return Some(Vec::new());
    }
    let before = containers(old);
    Some(
        containers(object)
            .into_iter()
            .filter(|(name, container)| {
                !before
                    .iter()
                    .any(|(n, c)| n == name && (c == container || is_pod))
            })
            .map(|(name, _)| name.to_string())
            .collect(),
    )
}

/// The mutating mode's verdict on one object: its fixes applied pass after pass (as
/// `fix::fix_value` applies them), accepted with the patched object when no denial
/// remains, rejected with what remains otherwise; each fix is a warning either way.
/// `None` when no fix applied (the plain verdict stands).
fn mutate(
    object: &Value,
    settings: &Settings,
    options: crate::fix::FixOptions,
    fetch: &mut dyn FnMut(&[&str]) -> Vec<Value>,
    judged: &dyn Fn(&crate::Finding) -> bool,
    fixable: &Option<Vec<String>>,
) -> Option<Verdict> {
    let may_fix = |f: &crate::Finding| {
        judged(f)
            && fixable
                .as_ref()
                .is_none_or(|names| f.container.as_ref().is_some_and(|c| names.contains(c)))
    };
    let fixed = crate::fix::fix_value_checking(
        object,
        options,
        &mut |value| {
            let mut reports = crate::pipeline::check_value_fetching(value, settings, fetch);
            for report in reports.iter_mut().flatten() {
                report.retain_findings(judged);
            }
            reports
        },
        &may_fix,
    );
    if fixed.applied.is_empty() {
        return None;
    }
    let report = match fixed.reports.as_slice() {
        [Ok(report)] => report,
        // A fix never turns one object into none or several, nor an invalid one.
        _ => return None,
    };
    let mut outcome = verdict(report);
    let said = if outcome.accepted {
        "fixed"
    } else {
        "would fix, once the denials are resolved"
    };
    outcome.warnings.splice(
        0..0,
        fixed
            .applied
            .iter()
            .map(|fix| format!("[{}] sidecar-guard {said}: {}", fix.rule, fix.title)),
    );
    if outcome.accepted {
        outcome.mutated_object = Some(fixed.value);
    }
    Some(outcome)
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
    let plain = judge_fetching(&request.object, &settings, &mut fetch);
    let Some(options) = fix_options(&settings) else {
        return plain;
    };
    if plain.code == Some(CODE_BAD_REQUEST) {
        return plain;
    }
    let fixable = fixable_containers(
        request.operation.as_deref() == Some("UPDATE"),
        request.sub_resource.as_deref() == Some("ephemeralcontainers"),
        &request.object,
        &request.old_object,
    );
    mutate(
        &request.object,
        &settings,
        options,
        &mut fetch,
        &|_| true,
        &fixable,
    )
    .unwrap_or(plain)
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
            mutated_object: None,
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
        mutated_object: None,
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

    /// A pod whose tailer mounts the app's logs writable: a safe fix, nothing else denied
    /// once probes and resources are off.
    fn tailer_pod(tailer_image: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
            "containers": [
                {"name": "app", "image": "shop/api:v1", "volumeMounts": [{"name": "logs", "mountPath": "/var/log/app"}]},
                {"name": "tailer", "image": tailer_image, "args": ["/bin/sh", "-c", "tail -F /var/log/app/app.log"],
                 "volumeMounts": [{"name": "logs", "mountPath": "/var/log/app"}]},
            ],
            "volumes": [{"name": "logs", "emptyDir": {}}],
        }})
    }

    #[test]
    fn the_mutating_mode_fixes_through_both_readings_alike() {
        let settings = json!({"mutate": true, "rules": {"container-probes": {"severity": "off"}, "container-resources": {"severity": "off"}}});
        let object = tailer_pod("busybox:1.36");
        let typed = validate(
            &serde_json::to_vec(&json!({"request": {"operation": "CREATE", "object": object}, "settings": settings}))
                .unwrap(),
        );
        assert!(typed.accepted, "{typed:?}");
        let fixed = typed.mutated_object.clone().unwrap_or_default();
        assert_eq!(
            fixed.pointer("/spec/containers/1/volumeMounts/0/readOnly"),
            Some(&json!(true))
        );
        assert_eq!(
            fixed.pointer("/spec/containers/0/volumeMounts/0/readOnly"),
            None,
            "the app's mount is not the sidecar's"
        );
        assert!(
            typed
                .warnings
                .iter()
                .any(|w| w.starts_with("[readonly-log-mounts] sidecar-guard fixed: ")),
            "{typed:?}"
        );
        // The kind after the spec: the generic reading, the same answer.
        let late = format!(
            r#"{{"request": {{"operation": "CREATE", "object": {{"spec": {}, "metadata": {{"name": "p"}}, "kind": "Pod", "apiVersion": "v1"}}}}, "settings": {settings}}}"#,
            object["spec"]
        );
        let generic = validate(late.as_bytes());
        assert_eq!(generic.accepted, typed.accepted);
        assert_eq!(generic.warnings, typed.warnings);
        assert_eq!(
            generic.mutated_object.as_ref().and_then(|o| o.get("spec")),
            fixed.get("spec")
        );
        // Off: today's verdict, nothing mutated.
        let off = validate(
            &serde_json::to_vec(&json!({"request": {"operation": "CREATE", "object": object}, "settings": {"rules": settings["rules"]}}))
                .unwrap(),
        );
        assert!(!off.accepted && off.mutated_object.is_none(), "{off:?}");
    }

    #[test]
    fn unsafe_mutations_need_mutations() {
        let error = validate_settings(br#"{"mutateUnsafe": true}"#).unwrap_err();
        assert!(
            error.contains("/mutateUnsafe: mutateUnsafe needs mutate: true"),
            "{error}"
        );
        assert!(validate_settings(br#"{"mutate": true, "mutateUnsafe": true}"#).is_ok());
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
