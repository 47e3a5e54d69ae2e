//! Every kind that carries a pod template → the pod spec inside it.
//!
//! Kinds are matched on API group and kind (any version), so a custom resource that
//! happens to be called `Deployment` in another group is not mistaken for one. `List`
//! (kubectl's output) and typed lists (`PodList`, …) are unpacked.
//!
//! Objects are read in one pass, from JSON text or from a `Value`, deserialising only the
//! pod template's parts the rules read (`model`) and skipping everything else unparsed:
//! `managedFields`, status, the last-applied annotation. The pod spec is typed on the fly
//! when `apiVersion` and `kind` come before it (as the API server and kubectl write
//! objects); otherwise it is kept as a `Value` and typed once the kind is known.

use crate::model::{Container, PodSpec, DEFAULT_CONTAINER_ANNOTATION, IGNORE_ANNOTATION};
use crate::pointer::escape as escape_pointer;
use crate::report::ObjectIdentity;
use crate::Error;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

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

/// A pod template found in an object: what the rules judge.
#[derive(Clone, Debug, PartialEq)]
pub struct PodTemplate<'a> {
    pub spec: PodSpec<'a>,
    /// Pointer of the pod spec in the document.
    pub spec_pointer: String,
    /// The pod's own annotations that the rules read (the template's, for workloads).
    pub pod_annotations: BTreeMap<String, String>,
    /// Annotations that may carry exemptions: (pointer, value), object first.
    pub ignore_annotations: Vec<(String, String)>,
    pub run_to_completion: bool,
    /// `ephemeralContainers` (taken out of `spec`).
    pub ephemeral: Vec<Container<'a>>,
    /// Whether the object's spec has a selector beside the template (always true for Pods).
    pub has_selector: bool,
}

/// One object of a document: its header, and its pod template if its kind has one.
#[derive(Clone, Debug, PartialEq)]
pub struct Extracted<'a> {
    pub header: ObjectIdentity,
    pub template: Option<PodTemplate<'a>>,
}

/// Whether any rule reads this annotation: the project's own, kubectl's default
/// container, and the injectors' status annotations of the catalogue. The others are
/// skipped (their values must still be strings, as the API requires).
fn is_read_annotation(key: &str) -> bool {
    key == IGNORE_ANNOTATION
        || key == DEFAULT_CONTAINER_ANNOTATION
        || crate::sidecars::catalogue::injector_annotations().any(|a| a == key)
}

/// Lists nest at most this deep (kubectl never nests them at all).
const MAX_LIST_DEPTH: usize = 4;

/// Extracts every object of a document (several for a List).
pub fn extract(document: &Value) -> Vec<Result<Extracted<'_>, Error>> {
    let mut out = Vec::new();
    extract_into(document, String::new(), None, 0, &mut out);
    out
}

/// Extracts the object of one JSON document without building a `Value` of it. `None`
/// when the text is not one JSON value that reads cleanly this way; the caller then
/// takes the general path (`yaml` + `extract`), which reports the problem precisely.
pub fn extract_json(text: &str) -> Option<Vec<Result<Extracted<'_>, Error>>> {
    // serde_json skips unread fields without a depth limit; the YAML path refuses
    // documents nested deeper than `yaml::MAX_DEPTH`, and so must this one.
    if json_depth_exceeds(text.as_bytes(), crate::input::yaml::MAX_DEPTH) {
        return None;
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parts = ObjectSeed { text: true }
        .deserialize(&mut deserializer)
        .ok()?;
    deserializer.end().ok()?;
    parts.resolve(None, String::new(), None, 0)
}

/// Whether JSON text nests deeper than `limit` (brackets inside strings do not count).
/// Most bytes of a manifest are inside strings, which `string_end` crosses quickly.
fn json_depth_exceeds(text: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(&byte) = text.get(at) {
        match byte {
            b'"' => match crate::input::json_lines::string_end(text, at) {
                Some(end) => {
                    at = end;
                    continue;
                }
                // An unclosed string: nothing after it nests.
                None => return false,
            },
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    false
}

/// The object of an admission request, read in the same pass as the request.
// Lives for one request on the stack; boxing `Read` would cost an allocation each time.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Default)]
pub enum AdmittedObject<'a> {
    /// Absent or `null` (DELETE).
    #[default]
    Absent,
    Read(Result<Extracted<'a>, Error>),
    /// Written in a way this pass does not read (its kind after its spec, or a List):
    /// the caller reads it again as a `Value` (`extract`).
    Unread,
}

impl<'de: 'a, 'a> Deserialize<'de> for AdmittedObject<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OptionalObject;
        impl<'de> Visitor<'de> for OptionalObject {
            type Value = Option<ObjectParts<'de>>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a Kubernetes object or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                ObjectSeed { text: true }.deserialize(d).map(Some)
            }
        }
        let Some(parts) = deserializer.deserialize_option(OptionalObject)? else {
            return Ok(AdmittedObject::Absent);
        };
        let Some(mut objects) = parts.resolve(None, String::new(), None, 0) else {
            return Ok(AdmittedObject::Unread);
        };
        Ok(match (objects.pop(), objects.is_empty()) {
            (Some(object), true) => AdmittedObject::Read(object),
            // The API server admits objects one by one.
            _ => AdmittedObject::Read(Err(Error::object("", "expected exactly one object"))),
        })
    }
}

/// Whether an UPDATE leaves everything the rules judge as it was: the kind, the pod
/// template's judged fields and annotations, and the exemption annotations. Such an
/// update (a label, a replica count, a controller's bookkeeping) brings nothing new to
/// judge, and rejecting it would block routine operations on objects admitted before
/// the policy. Only fields some rule reads are compared (`model`), so a change to any
/// of them is judged.
pub fn unchanged_for_judging(new: &Extracted, old: &Extracted) -> bool {
    new.template.is_some()
        && new.header.kind == old.header.kind
        && new.header.api_version == old.header.api_version
        && new.template == old.template
}

/// One object (or a List of them) from a `Value`, borrowing from it.
fn extract_into<'a>(
    value: &'a Value,
    pointer: String,
    implied: Option<(&str, &str)>,
    depth: usize,
    out: &mut Vec<Result<Extracted<'a>, Error>>,
) {
    match from_value(value, ObjectSeed { text: false }, &pointer) {
        // With its source at hand, every object resolves.
        Ok(parts) => out.extend(
            parts
                .resolve(Some(value), pointer, implied, depth)
                .into_iter()
                .flatten(),
        ),
        Err(e) => out.push(Err(e)),
    }
}

fn carrier(kind: &str, api_version: &str) -> Option<&'static PodCarrier> {
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    POD_CARRIERS
        .iter()
        .find(|c| c.kind == kind && c.groups.contains(&group))
}

/// A visitor's answer to a value of the wrong type, given its description ("a list",
/// "a number 3"): wrong types are data for a later message, not deserialisation errors.
trait WrongType: Sized {
    type Out;
    fn found(self, description: String) -> Self::Out;
}

/// The `visit_*` methods for the types a visitor does not want, each describing what it
/// found to `WrongType::found` (`str`: strings too). Lists are skipped to their end.
macro_rules! wrong_types {
    () => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(WrongType::found(self, describe(&Value::Bool(v))))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(WrongType::found(self, describe(&Value::from(v))))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(WrongType::found(self, describe(&Value::from(v))))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(WrongType::found(self, describe(&Value::from(v))))
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(WrongType::found(self, "a list".to_string()))
        }
    };
    (str) => {
        wrong_types!();
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(WrongType::found(self, describe(&Value::from(v))))
        }
    };
}

/// A string field as written: a string, absent/null, or a description of what was
/// found instead (reported later, in the order the checks run).
type StringField = Option<Result<String, String>>;

struct StringFieldSeed;

impl<'de> DeserializeSeed<'de> for StringFieldSeed {
    type Value = StringField;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<StringField, D::Error> {
        deserializer.deserialize_any(Found::new(
            |s: &str| Some(Ok(s.to_string())),
            None,
            |d| Some(Err(d)),
        ))
    }
}

/// A visitor for "a T, or null, or a description of the wrong thing found": wrong
/// types are data for a later message, not deserialisation errors.
struct Found<T, F, G> {
    on_str: F,
    on_null: T,
    on_other: G,
}

impl<T, F, G> Found<T, F, G> {
    fn new(on_str: F, on_null: T, on_other: G) -> Self {
        Found {
            on_str,
            on_null,
            on_other,
        }
    }
}

impl<T, F, G: FnOnce(String) -> T> WrongType for Found<T, F, G> {
    type Out = T;
    fn found(self, description: String) -> T {
        (self.on_other)(description)
    }
}

impl<'de, T, F, G> Visitor<'de> for Found<T, F, G>
where
    F: FnOnce(&str) -> T,
    G: FnOnce(String) -> T,
{
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.on_str)(v))
    }
    wrong_types!();
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(self.on_null)
    }
    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Ok(self.on_null)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok((self.on_other)("a mapping".to_string()))
    }
}

/// `metadata`: the name, the namespace and the annotations any rule reads.
#[derive(Debug)]
struct Metadata {
    name: StringField,
    generate_name: StringField,
    namespace: StringField,
    /// The annotations read, or the first problem: (pointer suffix, description).
    annotations: Result<BTreeMap<String, String>, (String, String)>,
}

impl Default for Metadata {
    fn default() -> Self {
        Metadata {
            name: None,
            generate_name: None,
            namespace: None,
            annotations: Ok(BTreeMap::new()),
        }
    }
}

/// `metadata` as written: absent/null, a mapping, or something else (described).
#[derive(Debug, Default)]
enum MetadataField {
    #[default]
    Absent,
    Mapping(Metadata),
    Other(String),
}

/// Reads `metadata`. `text`: the input is JSON text, where annotation values no rule
/// reads are skipped unparsed (`RawValue`) instead of unescaped.
struct MetadataSeed {
    text: bool,
}

impl<'de> DeserializeSeed<'de> for MetadataSeed {
    type Value = MetadataField;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<MetadataField, D::Error> {
        struct MetadataVisitor {
            text: bool,
        }
        impl WrongType for MetadataVisitor {
            type Out = MetadataField;
            fn found(self, description: String) -> MetadataField {
                MetadataField::Other(description)
            }
        }
        impl<'de> Visitor<'de> for MetadataVisitor {
            type Value = MetadataField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("object metadata")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MetadataField, A::Error> {
                let mut metadata = Metadata::default();
                while let Some(key) = map.next_key::<KeyName>()? {
                    match key.0.as_ref() {
                        "name" => metadata.name = map.next_value_seed(StringFieldSeed)?,
                        "generateName" => {
                            metadata.generate_name = map.next_value_seed(StringFieldSeed)?
                        }
                        "namespace" => metadata.namespace = map.next_value_seed(StringFieldSeed)?,
                        "annotations" => {
                            metadata.annotations =
                                map.next_value_seed(AnnotationsSeed { text: self.text })?.0
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(MetadataField::Mapping(metadata))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MetadataField, E> {
                Ok(MetadataField::Absent)
            }
            fn visit_none<E: de::Error>(self) -> Result<MetadataField, E> {
                Ok(MetadataField::Absent)
            }
            wrong_types!(str);
        }
        deserializer.deserialize_any(MetadataVisitor { text: self.text })
    }
}

/// A map key, borrowed when the input allows it (no escapes in it).
struct KeyName<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for KeyName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<KeyName<'de>, E> {
                Ok(KeyName(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyName<'de>, E> {
                Ok(KeyName(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The annotations the rules read; every value must be a string.
struct Annotations(Result<BTreeMap<String, String>, (String, String)>);

struct AnnotationsSeed {
    text: bool,
}

impl<'de> DeserializeSeed<'de> for AnnotationsSeed {
    type Value = Annotations;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Annotations, D::Error> {
        struct AnnotationsVisitor {
            text: bool,
        }
        impl WrongType for AnnotationsVisitor {
            type Out = Annotations;
            fn found(self, description: String) -> Annotations {
                not_a_mapping(description)
            }
        }
        impl<'de> Visitor<'de> for AnnotationsVisitor {
            type Value = Annotations;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("annotations")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Annotations, A::Error> {
                let mut read = BTreeMap::new();
                let mut problem = None;
                while let Some(key) = map.next_key::<KeyName>()? {
                    let wanted = is_read_annotation(&key.0);
                    let value: Result<Option<String>, String> = if self.text && !wanted {
                        // Skipped, not unescaped: only its type matters.
                        let raw: &'de RawValue = map.next_value()?;
                        if raw.get().starts_with('"') {
                            Ok(None)
                        } else {
                            let found = serde_json::from_str::<Value>(raw.get())
                                .map_or_else(|_| "a value".to_string(), |v| describe(&v));
                            Err(format!("annotation values must be strings, found {found}"))
                        }
                    } else {
                        map.next_value_seed(AnnotationValue(wanted))?
                    };
                    match value {
                        Ok(Some(v)) => {
                            read.insert(key.0.into_owned(), v);
                        }
                        Ok(None) => {}
                        Err(found) => {
                            problem.get_or_insert((format!("/{}", escape_pointer(&key.0)), found));
                        }
                    }
                }
                Ok(Annotations(match problem {
                    Some(p) => Err(p),
                    None => Ok(read),
                }))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Annotations, E> {
                Ok(Annotations(Ok(BTreeMap::new())))
            }
            fn visit_none<E: de::Error>(self) -> Result<Annotations, E> {
                Ok(Annotations(Ok(BTreeMap::new())))
            }
            wrong_types!(str);
        }
        deserializer.deserialize_any(AnnotationsVisitor { text: self.text })
    }
}

fn not_a_mapping(found: String) -> Annotations {
    Annotations(Err((
        String::new(),
        format!("expected a mapping, found {found}"),
    )))
}

/// One annotation value: kept when `.0`, checked to be a string either way.
struct AnnotationValue(bool);

impl<'de> DeserializeSeed<'de> for AnnotationValue {
    type Value = Result<Option<String>, String>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let keep = self.0;
        deserializer.deserialize_any(Found::new(
            move |s: &str| Ok(keep.then(|| s.to_string())),
            Err("annotation values must be strings, found null".to_string()),
            |d| Err(format!("annotation values must be strings, found {d}")),
        ))
    }
}

/// A part of an object that holds (or leads to) the pod template: typed on the fly when
/// the kind is already known, otherwise kept whole until it is.
#[derive(Debug, Default)]
enum Slot<'a> {
    #[default]
    Absent,
    Typed(Box<TemplateField<'a>>),
    /// Seen before the kind was known: read from the source afterwards.
    Deferred,
}

/// The template as found at the carrier's path.
#[derive(Debug, Default)]
enum TemplateField<'a> {
    /// Absent or null anywhere along the path.
    #[default]
    Missing,
    /// Something other than a mapping (described).
    NotAMapping(String),
    Found {
        metadata: MetadataField,
        spec: Option<Box<PodSpec<'a>>>,
        /// A non-null `selector` beside the template (an apps/v1 workload's spec).
        selector: bool,
    },
}

/// Deserialises the template found by following `path` (keys) from the value given.
/// The last step is the template mapping itself; a Pod's "template" is its own
/// `metadata` + `spec`, read by the object visitor instead.
struct TemplateSeed<'p> {
    path: &'p [&'p str],
    text: bool,
}

impl<'de> DeserializeSeed<'de> for TemplateSeed<'_> {
    type Value = TemplateField<'de>;
    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<TemplateField<'de>, D::Error> {
        deserializer.deserialize_any(TemplateVisitor {
            path: self.path,
            text: self.text,
        })
    }
}

struct TemplateVisitor<'p> {
    path: &'p [&'p str],
    text: bool,
}

impl TemplateVisitor<'_> {
    /// A non-mapping at the last step is described; earlier steps are simply missing
    /// (the template is not where the kind keeps it).
    fn other<'a>(&self, found: String) -> TemplateField<'a> {
        if self.path.is_empty() {
            TemplateField::NotAMapping(found)
        } else {
            TemplateField::Missing
        }
    }
}

impl WrongType for TemplateVisitor<'_> {
    type Out = TemplateField<'static>;
    fn found(self, description: String) -> TemplateField<'static> {
        self.other(description)
    }
}

impl<'de> Visitor<'de> for TemplateVisitor<'_> {
    type Value = TemplateField<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a pod template")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TemplateField<'de>, A::Error> {
        let mut found = if self.path.is_empty() {
            TemplateField::Found {
                metadata: MetadataField::Absent,
                spec: None,
                selector: false,
            }
        } else {
            TemplateField::Missing
        };
        // The level that holds the template itself (a workload's spec) may hold its selector.
        let beside_template = self.path == ["template"];
        let mut selector = false;
        // Metadata on the way to the template (a CronJob's jobTemplate): `istioctl
        // kube-inject` writes the injection status there.
        let mut outer = MetadataField::Absent;
        while let Some(key) = map.next_key::<KeyName>()? {
            match (self.path.split_first(), &mut found) {
                (Some((step, rest)), _) if key.0 == *step => {
                    found = map.next_value_seed(TemplateSeed {
                        path: rest,
                        text: self.text,
                    })?;
                }
                (Some(_), _) if key.0 == "metadata" => {
                    outer = map.next_value_seed(MetadataSeed { text: self.text })?;
                }
                (Some(_), _) if beside_template && key.0 == "selector" => {
                    selector = map.next_value::<Option<IgnoredAny>>()?.is_some();
                }
                (None, TemplateField::Found { metadata, .. }) if key.0 == "metadata" => {
                    *metadata = map.next_value_seed(MetadataSeed { text: self.text })?;
                }
                (None, TemplateField::Found { spec, .. }) if key.0 == "spec" => {
                    *spec = map.next_value()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let TemplateField::Found {
            selector: found_selector,
            ..
        } = &mut found
        {
            if beside_template {
                *found_selector = selector;
            }
        }
        if let (TemplateField::Found { metadata, .. }, MetadataField::Mapping(outer)) =
            (&mut found, outer)
        {
            if matches!(metadata, MetadataField::Absent) {
                *metadata = MetadataField::Mapping(Metadata::default());
            }
            if let MetadataField::Mapping(inner) = metadata {
                inherit_injection_status(inner, outer);
            }
        }
        Ok(found)
    }
    fn visit_unit<E: de::Error>(self) -> Result<TemplateField<'de>, E> {
        Ok(TemplateField::Missing)
    }
    fn visit_none<E: de::Error>(self) -> Result<TemplateField<'de>, E> {
        Ok(TemplateField::Missing)
    }
    wrong_types!(str);
}

/// Injector status annotations of an enclosing template (a CronJob's jobTemplate) that
/// the pod template itself does not carry.
fn inherit_injection_status(inner: &mut Metadata, outer: Metadata) {
    let (Ok(inner), Ok(outer)) = (&mut inner.annotations, outer.annotations) else {
        return;
    };
    for (key, value) in outer {
        if crate::sidecars::catalogue::injector_annotations().any(|a| a == key) {
            inner.entry(key).or_insert(value);
        }
    }
}

/// The carrier's template path as keys, split at the first step ("spec" or "template").
/// A Pod has no template: its own metadata and spec are read.
fn template_steps(carrier: &PodCarrier) -> Vec<&'static str> {
    carrier
        .template
        .split('/')
        .filter(|s| !s.is_empty())
        .collect()
}

/// Everything the checks need from one object, read in one pass.
#[derive(Debug, Default)]
struct ObjectParts<'a> {
    api_version: StringField,
    kind: StringField,
    metadata: MetadataField,
    /// `spec` (a Pod's pod spec, or the workload spec leading to the template).
    spec: Slot<'a>,
    /// A Pod's spec, typed directly.
    pod_spec: Option<PodSpec<'a>>,
    /// `template` (PodTemplate).
    template: Slot<'a>,
    /// Whether the object has `items` (read from the source, as Lists are rare).
    has_items: bool,
    /// The document is not a mapping: what it is.
    not_an_object: Option<String>,
}

/// Reads one object; `text` as for `MetadataSeed`.
#[derive(Clone, Copy)]
struct ObjectSeed {
    text: bool,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed {
    type Value = ObjectParts<'de>;
    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<ObjectParts<'de>, D::Error> {
        deserializer.deserialize_any(ObjectVisitor { text: self.text })
    }
}

struct ObjectVisitor {
    text: bool,
}

impl ObjectVisitor {
    fn not_an_object<'a>(found: String) -> ObjectParts<'a> {
        ObjectParts {
            not_an_object: Some(found),
            ..ObjectParts::default()
        }
    }
}

impl WrongType for ObjectVisitor {
    type Out = ObjectParts<'static>;
    fn found(self, description: String) -> ObjectParts<'static> {
        Self::not_an_object(description)
    }
}

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = ObjectParts<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kubernetes object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ObjectParts<'de>, A::Error> {
        let mut parts = ObjectParts::default();
        while let Some(key) = map.next_key::<KeyName>()? {
            let known = match (&parts.kind, &parts.api_version) {
                (Some(Ok(kind)), Some(Ok(api_version))) => Some(carrier(kind, api_version)),
                _ => None,
            };
            match key.0.as_ref() {
                "apiVersion" => parts.api_version = map.next_value_seed(StringFieldSeed)?,
                "kind" => parts.kind = map.next_value_seed(StringFieldSeed)?,
                "metadata" => {
                    parts.metadata = map.next_value_seed(MetadataSeed { text: self.text })?
                }
                "items" => {
                    map.next_value::<IgnoredAny>()?;
                    parts.has_items = true;
                }
                field @ ("spec" | "template") => {
                    let slot = match known {
                        // A Pod's spec is the pod spec.
                        Some(Some(c)) if c.template.is_empty() && field == "spec" => {
                            parts.pod_spec = map.next_value()?;
                            continue;
                        }
                        Some(Some(c)) => match template_steps(c).split_first() {
                            Some((first, rest)) if first == &field => {
                                Slot::Typed(Box::new(map.next_value_seed(TemplateSeed {
                                    path: rest,
                                    text: self.text,
                                })?))
                            }
                            _ => {
                                map.next_value::<IgnoredAny>()?;
                                Slot::Absent
                            }
                        },
                        // Not a pod carrier (a List's spec, a ConfigMap's …): skipped.
                        Some(None) => {
                            map.next_value::<IgnoredAny>()?;
                            Slot::Absent
                        }
                        None => {
                            map.next_value::<IgnoredAny>()?;
                            Slot::Deferred
                        }
                    };
                    if field == "spec" {
                        parts.spec = slot;
                    } else {
                        parts.template = slot;
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(parts)
    }
    fn visit_unit<E: de::Error>(self) -> Result<ObjectParts<'de>, E> {
        Ok(Self::not_an_object("null".to_string()))
    }
    fn visit_none<E: de::Error>(self) -> Result<ObjectParts<'de>, E> {
        Ok(Self::not_an_object("null".to_string()))
    }
    wrong_types!(str);
}

fn string_field(
    field: StringField,
    pointer: impl FnOnce() -> String,
) -> Result<Option<String>, Error> {
    match field {
        None => Ok(None),
        Some(Ok(s)) => Ok(Some(s)),
        Some(Err(found)) => Err(Error::object(
            pointer(),
            format!("expected a string, found {found}"),
        )),
    }
}

/// Deserialises a `Value` with a seed; an error names its JSON pointer under `pointer`.
fn from_value<'de, S: DeserializeSeed<'de>>(
    value: &'de Value,
    seed: S,
    pointer: &str,
) -> Result<S::Value, Error> {
    let mut track = serde_path_to_error::Track::new();
    seed.deserialize(serde_path_to_error::Deserializer::new(value, &mut track))
        .map_err(|e| {
            Error::object(
                format!(
                    "{pointer}{}",
                    crate::pointer::from_serde_path(&track.path())
                ),
                e.to_string(),
            )
        })
}

impl<'a> ObjectParts<'a> {
    /// Checks the parts in the order messages are expected and builds the extracted
    /// object(s). `source` is the object as a `Value`, where there is one: parts
    /// deferred and List items are read from it. Without it, such an object is `None`.
    fn resolve(
        self,
        source: Option<&'a Value>,
        pointer: String,
        implied: Option<(&str, &str)>,
        depth: usize,
    ) -> Option<Vec<Result<Extracted<'a>, Error>>> {
        let mut out = Vec::new();
        match self.resolve_into(source, pointer, implied, depth, &mut out) {
            Ok(true) => Some(out),
            Ok(false) => None,
            Err(e) => {
                out.push(Err(e));
                Some(out)
            }
        }
    }

    /// `Ok(false)`: the object needs its `source`, and there is none.
    fn resolve_into(
        self,
        source: Option<&'a Value>,
        pointer: String,
        implied: Option<(&str, &str)>,
        depth: usize,
        out: &mut Vec<Result<Extracted<'a>, Error>>,
    ) -> Result<bool, Error> {
        if let Some(found) = self.not_an_object {
            return Err(Error::object(
                pointer,
                format!("expected a Kubernetes object (a mapping with apiVersion and kind), found {found}"),
            ));
        }
        let kind = string_field(self.kind, || format!("{pointer}/kind"))?
            .or_else(|| implied.map(|(k, _)| k.to_string()))
            .filter(|k| !k.is_empty())
            .ok_or_else(|| Error::object(format!("{pointer}/kind"), "the object has no kind"))?;
        let api_version = string_field(self.api_version, || format!("{pointer}/apiVersion"))?
            .or_else(|| implied.map(|(_, v)| v.to_string()))
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                Error::object(
                    format!("{pointer}/apiVersion"),
                    format!("the {kind} has no apiVersion"),
                )
            })?;
        let metadata_pointer = format!("{pointer}/metadata");
        let metadata = match self.metadata {
            MetadataField::Absent => Metadata::default(),
            MetadataField::Mapping(m) => m,
            MetadataField::Other(found) => {
                return Err(Error::object(
                    metadata_pointer,
                    format!("expected a mapping, found {found}"),
                ))
            }
        };
        let name = string_field(metadata.name, || format!("{metadata_pointer}/name"))?;
        let generate_name = string_field(metadata.generate_name, || {
            format!("{metadata_pointer}/generateName")
        })?;
        let namespace = string_field(metadata.namespace, || {
            format!("{metadata_pointer}/namespace")
        })?;
        let header = ObjectIdentity {
            kind,
            api_version,
            name,
            generate_name,
            namespace,
            pointer,
        };

        let is_list = header.kind == "List" || (header.kind.ends_with("List") && self.has_items);
        if is_list {
            let pointer = &header.pointer;
            if depth >= MAX_LIST_DEPTH {
                return Err(Error::object(
                    pointer,
                    format!("Lists nested more than {MAX_LIST_DEPTH} deep"),
                ));
            }
            let Some(source) = source else {
                return Ok(false);
            };
            let Some(Value::Array(items)) = source.get("items") else {
                return Err(Error::object(
                    format!("{pointer}/items"),
                    format!("a {} needs an items array", header.kind),
                ));
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
            return Ok(true);
        }

        let Some(carrier) = carrier(&header.kind, &header.api_version) else {
            out.push(Ok(Extracted {
                header,
                template: None,
            }));
            return Ok(true);
        };
        let base = header.pointer.clone();
        let template_pointer = format!("{base}{}", carrier.template);
        let steps = template_steps(carrier);
        let (template_metadata, spec, has_selector) = if steps.is_empty() {
            let spec = match (self.pod_spec, self.spec) {
                (Some(spec), _) => Some(spec),
                (None, Slot::Deferred) => {
                    let Some(value) = source.and_then(|s| s.get("spec")) else {
                        return Ok(false);
                    };
                    from_value(
                        value,
                        std::marker::PhantomData::<Option<PodSpec>>,
                        &format!("{base}/spec"),
                    )?
                }
                _ => None,
            };
            (None, spec, true)
        } else {
            let (first, rest) = steps.split_first().map_or(("", &[][..]), |(f, r)| (*f, r));
            let slot = if first == "spec" {
                self.spec
            } else {
                self.template
            };
            let field = match slot {
                Slot::Absent => TemplateField::Missing,
                Slot::Typed(field) => *field,
                Slot::Deferred => {
                    let Some(value) = source.and_then(|s| s.get(first)) else {
                        return Ok(false);
                    };
                    from_value(
                        value,
                        TemplateSeed {
                            path: rest,
                            text: false,
                        },
                        &format!("{base}/{first}"),
                    )?
                }
            };
            match field {
                TemplateField::Missing => {
                    return Err(Error::object(
                        &template_pointer,
                        format!(
                            "a {} needs a pod template at {}",
                            header.kind, carrier.template
                        ),
                    ))
                }
                TemplateField::NotAMapping(found) => {
                    return Err(Error::object(
                        &template_pointer,
                        format!("expected a pod template mapping, found {found}"),
                    ))
                }
                TemplateField::Found {
                    metadata,
                    spec,
                    selector,
                } => (Some(metadata), spec.map(|s| *s), selector),
            }
        };
        let spec_pointer = format!("{template_pointer}/spec");
        let Some(mut spec) = spec else {
            return Err(Error::object(
                &spec_pointer,
                format!("the {} has no pod spec", header.kind),
            ));
        };
        let annotations = |result: Result<BTreeMap<String, String>, (String, String)>,
                           meta: &str| {
            result.map_err(|(suffix, message)| {
                Error::object(format!("{meta}/metadata/annotations{suffix}"), message)
            })
        };
        let object_annotations = annotations(metadata.annotations, &base)?;
        let pod_annotations = match template_metadata {
            None => object_annotations.clone(),
            Some(MetadataField::Absent) => BTreeMap::new(),
            Some(MetadataField::Mapping(m)) => annotations(m.annotations, &template_pointer)?,
            Some(MetadataField::Other(found)) => {
                return Err(Error::object(
                    format!("{template_pointer}/metadata"),
                    format!("expected a mapping, found {found}"),
                ))
            }
        };
        let annotation_pointer = |meta: &str| {
            format!(
                "{meta}/metadata/annotations/{}",
                escape_pointer(IGNORE_ANNOTATION)
            )
        };
        let mut ignore_annotations = Vec::new();
        if let Some(v) = object_annotations.get(IGNORE_ANNOTATION) {
            ignore_annotations.push((annotation_pointer(&base), v.clone()));
        }
        if !steps.is_empty() {
            if let Some(v) = pod_annotations.get(IGNORE_ANNOTATION) {
                ignore_annotations.push((annotation_pointer(&template_pointer), v.clone()));
            }
        }
        let restart_policy_ends = matches!(
            spec.restart_policy.as_deref(),
            Some("Never") | Some("OnFailure")
        );
        let ephemeral = spec.ephemeral_containers.take().unwrap_or_default();
        out.push(Ok(Extracted {
            header,
            template: Some(PodTemplate {
                has_selector,
                ephemeral,
                spec,
                spec_pointer,
                pod_annotations,
                ignore_annotations,
                run_to_completion: carrier.runs_to_completion || restart_policy_ends,
            }),
        }));
        Ok(true)
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
