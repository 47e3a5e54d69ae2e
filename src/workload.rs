//! Every kind that carries a pod template → the pod spec inside it.
//!
//! Kinds are matched on API group and kind (any version), so a custom resource that
//! happens to be called `Deployment` in another group is not mistaken for one. `List`
//! (kubectl's output) and typed lists (`PodList`, …) are unpacked.

use crate::yaml::escape_pointer;
use crate::Error;
use k8s_openapi::api::core::v1::{Container, EphemeralContainer, PodSpec};
use serde_json::Value;
use std::collections::BTreeMap;

/// Where a kind keeps its pod template.
struct PodCarrier {
    kind: &'static str,
    /// Its resource name in the API (for admission rules).
    resource: &'static str,
    /// API groups it is served in; the first is the current one.
    groups: &'static [&'static str],
    /// Pointer to the pod's metadata and spec inside the object.
    template: &'static str,
    /// Pods of this kind always run to completion.
    runs_to_completion: bool,
}

const CORE: &[&str] = &[""];
const APPS: &[&str] = &["apps", "extensions"];
const BATCH: &[&str] = &["batch"];

const POD_CARRIERS: &[PodCarrier] = &[
    PodCarrier {
        kind: "Pod",
        resource: "pods",
        groups: CORE,
        template: "",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "PodTemplate",
        resource: "podtemplates",
        groups: CORE,
        template: "/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "ReplicationController",
        resource: "replicationcontrollers",
        groups: CORE,
        template: "/spec/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "Deployment",
        resource: "deployments",
        groups: APPS,
        template: "/spec/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "ReplicaSet",
        resource: "replicasets",
        groups: APPS,
        template: "/spec/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "DaemonSet",
        resource: "daemonsets",
        groups: APPS,
        template: "/spec/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "StatefulSet",
        resource: "statefulsets",
        groups: APPS,
        template: "/spec/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "Job",
        resource: "jobs",
        groups: BATCH,
        template: "/spec/template",
        runs_to_completion: true,
    },
    PodCarrier {
        kind: "CronJob",
        resource: "cronjobs",
        groups: BATCH,
        template: "/spec/jobTemplate/spec/template",
        runs_to_completion: true,
    },
];

/// The kinds whose pod templates are checked, for docs and the policy's metadata.
pub fn pod_carrying_kinds() -> impl Iterator<Item = &'static str> {
    POD_CARRIERS.iter().map(|c| c.kind)
}

/// (current API group, resource) of every pod-carrying kind, for admission rules.
pub fn pod_carrying_resources() -> impl Iterator<Item = (&'static str, &'static str)> {
    POD_CARRIERS
        .iter()
        .map(|c| (c.groups.first().copied().unwrap_or_default(), c.resource))
}

/// Whether an UPDATE leaves everything the rules judge as it was: the pod template (its
/// spec and annotations) and the object's exemption annotation. Such an update (a label,
/// a replica count, a controller's bookkeeping) brings nothing new to judge, and
/// rejecting it would block routine operations on objects admitted before the policy.
pub fn unchanged_for_judging(new: &Value, old: &Value) -> bool {
    let Ok(header) = header(new, "", None) else {
        return false;
    };
    let Some(carrier) = carrier(&header) else {
        return false;
    };
    let same = |pointer: &str| new.pointer(pointer) == old.pointer(pointer);
    let ignore = format!(
        "/metadata/annotations/{}",
        escape_pointer(IGNORE_ANNOTATION)
    );
    same(&format!("{}/spec", carrier.template))
        && same(&format!("{}/metadata/annotations", carrier.template))
        && same(&ignore)
        && old.get("kind") == new.get("kind")
}

/// The identity of one object.
#[derive(Clone, Debug)]
pub struct ObjectHeader {
    pub kind: String,
    pub api_version: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// Pointer of the object in its document ("" or "/items/N").
    pub pointer: String,
}

/// A pod template found in an object.
#[derive(Clone, Debug)]
pub struct PodTemplate {
    pub spec: PodSpec,
    /// Pointer of the pod spec in the document.
    pub spec_pointer: String,
    /// The pod's own annotations (the template's, for workloads).
    pub pod_annotations: BTreeMap<String, String>,
    /// Annotations that may carry exemptions: (pointer, value), object first.
    pub ignore_annotations: Vec<(String, String)>,
    pub run_to_completion: bool,
    /// `ephemeralContainers`, as plain containers (the fields the rules read).
    pub ephemeral: Vec<Container>,
}

/// One object of a document: its header, and its pod template if its kind has one.
pub struct Extracted {
    pub header: ObjectHeader,
    pub template: Option<PodTemplate>,
}

pub const IGNORE_ANNOTATION: &str = "sidecar-guard.io/ignore";
pub const DEFAULT_CONTAINER_ANNOTATION: &str = "kubectl.kubernetes.io/default-container";

/// Lists nest at most this deep (kubectl never nests them at all).
const MAX_LIST_DEPTH: usize = 4;

/// Extracts every object of a document (several for a List).
pub fn extract(document: &Value) -> Vec<Result<Extracted, Error>> {
    let mut out = Vec::new();
    extract_into(document, String::new(), None, 0, &mut out);
    out
}

fn extract_into(
    value: &Value,
    pointer: String,
    implied: Option<(&str, &str)>,
    depth: usize,
    out: &mut Vec<Result<Extracted, Error>>,
) {
    let header = match header(value, &pointer, implied) {
        Ok(h) => h,
        Err(e) => {
            out.push(Err(e));
            return;
        }
    };
    let is_list =
        header.kind == "List" || (header.kind.ends_with("List") && value.get("items").is_some());
    if is_list {
        if depth >= MAX_LIST_DEPTH {
            out.push(Err(Error::object(
                &pointer,
                format!("Lists nested more than {MAX_LIST_DEPTH} deep"),
            )));
            return;
        }
        let Some(items) = value.get("items").and_then(Value::as_array) else {
            out.push(Err(Error::object(
                format!("{pointer}/items"),
                format!("a {} needs an items array", header.kind),
            )));
            return;
        };
        // A typed list's items carry no kind of their own: `PodList` holds Pods.
        let item_kind = header.kind.strip_suffix("List").filter(|k| !k.is_empty());
        for (i, item) in items.iter().enumerate() {
            let implied = item_kind.map(|k| (k, header.api_version.as_str()));
            extract_into(
                item,
                format!("{pointer}/items/{i}"),
                implied,
                depth + 1,
                out,
            );
        }
        return;
    }
    let template = match carrier(&header) {
        Some(carrier) => match pod_template(value, &header, carrier) {
            Ok(t) => Some(t),
            Err(e) => {
                out.push(Err(e));
                return;
            }
        },
        None => None,
    };
    out.push(Ok(Extracted { header, template }));
}

fn carrier(header: &ObjectHeader) -> Option<&'static PodCarrier> {
    let group = header
        .api_version
        .rsplit_once('/')
        .map_or("", |(group, _)| group);
    POD_CARRIERS
        .iter()
        .find(|c| c.kind == header.kind && c.groups.contains(&group))
}

fn string_field(value: &Value, key: &str, pointer: &str) -> Result<Option<String>, Error> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Error::object(
            format!("{pointer}/{key}"),
            format!("expected a string, found {}", describe(other)),
        )),
    }
}

fn header(
    value: &Value,
    pointer: &str,
    implied: Option<(&str, &str)>,
) -> Result<ObjectHeader, Error> {
    if !value.is_object() {
        return Err(Error::object(
            pointer,
            format!(
                "expected a Kubernetes object (a mapping with apiVersion and kind), found {}",
                describe(value)
            ),
        ));
    }
    let kind = string_field(value, "kind", pointer)?
        .or_else(|| implied.map(|(k, _)| k.to_string()))
        .filter(|k| !k.is_empty())
        .ok_or_else(|| Error::object(format!("{pointer}/kind"), "the object has no kind"))?;
    let api_version = string_field(value, "apiVersion", pointer)?
        .or_else(|| implied.map(|(_, v)| v.to_string()))
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Error::object(
                format!("{pointer}/apiVersion"),
                format!("the {kind} has no apiVersion"),
            )
        })?;
    let metadata_pointer = format!("{pointer}/metadata");
    let (name, namespace) = match value.get("metadata") {
        None | Some(Value::Null) => (None, None),
        Some(metadata @ Value::Object(_)) => (
            string_field(metadata, "name", &metadata_pointer)?,
            string_field(metadata, "namespace", &metadata_pointer)?,
        ),
        Some(other) => {
            return Err(Error::object(
                metadata_pointer,
                format!("expected a mapping, found {}", describe(other)),
            ))
        }
    };
    Ok(ObjectHeader {
        kind,
        api_version,
        name,
        namespace,
        pointer: pointer.to_string(),
    })
}

fn annotations(value: &Value, metadata_pointer: &str) -> Result<BTreeMap<String, String>, Error> {
    let annotations_pointer = format!("{metadata_pointer}/annotations");
    match value.pointer("/metadata").map(|m| m.get("annotations")) {
        None | Some(None) | Some(Some(Value::Null)) => Ok(BTreeMap::new()),
        Some(Some(Value::Object(map))) => map
            .iter()
            .map(|(key, v)| match v {
                Value::String(s) => Ok((key.clone(), s.clone())),
                other => Err(Error::object(
                    format!("{annotations_pointer}/{}", escape_pointer(key)),
                    format!(
                        "annotation values must be strings, found {}",
                        describe(other)
                    ),
                )),
            })
            .collect(),
        Some(Some(other)) => Err(Error::object(
            annotations_pointer,
            format!("expected a mapping, found {}", describe(other)),
        )),
    }
}

fn pod_template(
    object: &Value,
    header: &ObjectHeader,
    carrier: &PodCarrier,
) -> Result<PodTemplate, Error> {
    let base = &header.pointer;
    let template_pointer = format!("{base}{}", carrier.template);
    let template = object
        .pointer(carrier.template)
        .filter(|t| !t.is_null())
        .ok_or_else(|| {
            Error::object(
                &template_pointer,
                format!(
                    "a {} needs a pod template at {}",
                    header.kind,
                    if carrier.template.is_empty() {
                        "/spec"
                    } else {
                        carrier.template
                    }
                ),
            )
        })?;
    if !template.is_object() {
        return Err(Error::object(
            &template_pointer,
            format!(
                "expected a pod template mapping, found {}",
                describe(template)
            ),
        ));
    }
    let spec_pointer = format!("{template_pointer}/spec");
    let spec_value = template
        .get("spec")
        .filter(|s| !s.is_null())
        .ok_or_else(|| {
            Error::object(
                &spec_pointer,
                format!("the {} has no pod spec", header.kind),
            )
        })?;
    let spec: PodSpec = serde_path_to_error::deserialize(spec_value).map_err(|e| {
        Error::object(
            format!(
                "{spec_pointer}{}",
                crate::settings::path_to_pointer(e.path())
            ),
            e.inner().to_string(),
        )
    })?;
    let object_annotations = annotations(object, &format!("{base}/metadata"))?;
    let pod_annotations = if carrier.template.is_empty() {
        object_annotations.clone()
    } else {
        annotations(template, &format!("{template_pointer}/metadata"))?
    };
    let mut ignore_annotations = Vec::new();
    let annotation_pointer = |meta: &str| {
        format!(
            "{meta}/metadata/annotations/{}",
            escape_pointer(IGNORE_ANNOTATION)
        )
    };
    if let Some(v) = object_annotations.get(IGNORE_ANNOTATION) {
        ignore_annotations.push((annotation_pointer(base), v.clone()));
    }
    if !carrier.template.is_empty() {
        if let Some(v) = pod_annotations.get(IGNORE_ANNOTATION) {
            ignore_annotations.push((annotation_pointer(&template_pointer), v.clone()));
        }
    }
    let restart_policy_ends = matches!(
        spec.restart_policy.as_deref(),
        Some("Never") | Some("OnFailure")
    );
    let ephemeral = spec
        .ephemeral_containers
        .iter()
        .flatten()
        .map(as_container)
        .collect();
    Ok(PodTemplate {
        ephemeral,
        spec,
        spec_pointer,
        pod_annotations,
        ignore_annotations,
        run_to_completion: carrier.runs_to_completion || restart_policy_ends,
    })
}

/// The fields of an ephemeral container that rules read, as a `Container`.
fn as_container(e: &EphemeralContainer) -> Container {
    Container {
        name: e.name.clone(),
        image: e.image.clone(),
        command: e.command.clone(),
        args: e.args.clone(),
        env: e.env.clone(),
        ports: e.ports.clone(),
        volume_mounts: e.volume_mounts.clone(),
        ..Container::default()
    }
}

/// "a string \"x\"", "a number 3", … for messages about wrong types.
pub fn describe(value: &Value) -> String {
    let text = value.to_string();
    let text = if text.chars().count() > 40 {
        format!("{}...", text.chars().take(37).collect::<String>())
    } else {
        text
    };
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(_) => format!("a boolean {text}"),
        Value::Number(_) => format!("a number {text}"),
        Value::String(_) => format!("a string {text}"),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "a mapping".to_string(),
    }
}
