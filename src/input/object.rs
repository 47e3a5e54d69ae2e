//! One object read in one pass (`ObjectParts`), then resolved into what the rules judge:
//! its identity and, for a pod-carrying kind, its pod template. Lists are unpacked.

use super::kinds::{self, template_steps, KindSoFar, PodCarrier};
use super::metadata::{
    AnnotationsRead, Metadata, MetadataField, MetadataSeed, ReadLabels, WORKLOAD_LABELS,
};
use super::read::{
    describe, from_value, string_field, wrong_types, KeyName, ReadFrom, StringField,
    StringFieldSeed, WrongType,
};
use super::template::{Slot, TemplateField, TemplateSeed};
use crate::model::{Container, PodSpec, WorkloadName, IGNORE_ANNOTATION};
use crate::pointer::escape as escape_pointer;
use crate::report::ObjectIdentity;
use crate::Error;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

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
    /// What names the workload, most telling first: the object's name, then the
    /// `WORKLOAD_LABELS` values of the object and of its pod template. The role classifier
    /// looks them up in the catalogue ("the workload is the product").
    pub workload_names: Vec<WorkloadName>,
    /// The pod's labels that any rule reads (a mesh's control-plane label).
    pub pod_labels: Vec<(&'static str, String)>,
}

/// One object of a document: its identity, and its pod template if its kind has one.
#[derive(Clone, Debug, PartialEq)]
pub struct Extracted<'a> {
    pub header: ObjectIdentity,
    pub template: Option<PodTemplate<'a>>,
    /// Why a pod-carrying object without a template of its own is skipped.
    pub skipped: Option<String>,
}

/// Lists nest at most this deep (kubectl never nests them at all).
const MAX_LIST_DEPTH: usize = 4;

/// How far one pass over an object got.
pub(super) enum Pass<T> {
    Done(T),
    /// Part of the object must be read again from its source (a `Value`): its kind came
    /// after its spec, or it is a List.
    NeedsSource,
}

/// Every object of a `Value` (several for a List), borrowing from it.
pub(super) fn extract_into<'a>(
    value: &'a Value,
    pointer: String,
    implied: Option<(&str, &str)>,
    depth: usize,
    out: &mut Vec<Result<Extracted<'a>, Error>>,
) {
    match from_value(
        value,
        ObjectSeed {
            from: ReadFrom::Value,
        },
        &pointer,
    ) {
        // With its source at hand, every object resolves.
        Ok(parts) => {
            if let Pass::Done(objects) = parts.resolve(Some(value), pointer, implied, depth) {
                out.extend(objects);
            }
        }
        Err(e) => out.push(Err(e)),
    }
}

/// Everything the checks need from one object, read in one pass.
#[derive(Debug, Default)]
pub(super) struct ObjectParts<'a> {
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

/// Reads one object.
#[derive(Clone, Copy)]
pub(super) struct ObjectSeed {
    pub from: ReadFrom,
}

impl<'de> DeserializeSeed<'de> for ObjectSeed {
    type Value = ObjectParts<'de>;
    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<ObjectParts<'de>, D::Error> {
        deserializer.deserialize_any(ObjectVisitor { from: self.from })
    }
}

struct ObjectVisitor {
    from: ReadFrom,
}

impl ObjectVisitor {
    fn not_an_object<'a>(found: String) -> ObjectParts<'a> {
        ObjectParts {
            not_an_object: Some(found),
            ..ObjectParts::default()
        }
    }

    /// `spec` or `template`: typed now when the kind is known and keeps its template
    /// there, skipped when the kind has none, kept for later when the kind is unknown.
    fn template_slot<'de, A: MapAccess<'de>>(
        &self,
        field: &str,
        kind: KindSoFar,
        map: &mut A,
    ) -> Result<Slot<'de>, A::Error> {
        let carrier = match kind {
            KindSoFar::Carrier(carrier) => carrier,
            // Not a pod carrier (a List's spec, a ConfigMap's …): skipped.
            KindSoFar::NoTemplate => {
                map.next_value::<IgnoredAny>()?;
                return Ok(Slot::Absent);
            }
            KindSoFar::Unknown => {
                map.next_value::<IgnoredAny>()?;
                return Ok(Slot::Deferred);
            }
        };
        match template_steps(carrier).split_first() {
            Some((first, rest)) if first == &field => {
                let seed = TemplateSeed {
                    path: rest,
                    from: self.from,
                };
                Ok(Slot::Typed(Box::new(map.next_value_seed(seed)?)))
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
                Ok(Slot::Absent)
            }
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
            let kind = KindSoFar::of(known(&parts.kind), known(&parts.api_version));
            match key.0.as_ref() {
                "apiVersion" => parts.api_version = map.next_value_seed(StringFieldSeed)?,
                "kind" => parts.kind = map.next_value_seed(StringFieldSeed)?,
                "metadata" => {
                    parts.metadata = map.next_value_seed(MetadataSeed { from: self.from })?
                }
                "items" => {
                    map.next_value::<IgnoredAny>()?;
                    parts.has_items = true;
                }
                // A Pod's spec is the pod spec.
                "spec" if matches!(kind, KindSoFar::Carrier(c) if c.template.is_empty()) => {
                    parts.pod_spec = map.next_value()?;
                }
                "spec" => parts.spec = self.template_slot("spec", kind, &mut map)?,
                "template" => parts.template = self.template_slot("template", kind, &mut map)?,
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

/// A string field's value, when it was read as a string.
fn known(field: &StringField) -> Option<&str> {
    field.as_ref().and_then(|f| f.as_deref().ok())
}

/// The template a pass found, before its metadata and spec are checked.
struct FoundTemplate<'a> {
    /// The template's own metadata; `None` for a Pod, whose metadata is the object's.
    metadata: Option<MetadataField>,
    spec: Option<PodSpec<'a>>,
    has_selector: bool,
}

impl<'a> ObjectParts<'a> {
    /// Checks the parts in the order messages are expected and builds the extracted
    /// object(s). `source` is the object as a `Value`, where there is one: deferred parts
    /// and List items are read from it.
    pub(super) fn resolve(
        self,
        source: Option<&'a Value>,
        pointer: String,
        implied: Option<(&str, &str)>,
        depth: usize,
    ) -> Pass<Vec<Result<Extracted<'a>, Error>>> {
        let mut out = Vec::new();
        match self.resolve_into(source, pointer, implied, depth, &mut out) {
            Ok(Pass::Done(())) => Pass::Done(out),
            Ok(Pass::NeedsSource) => Pass::NeedsSource,
            Err(e) => {
                out.push(Err(e));
                Pass::Done(out)
            }
        }
    }

    fn resolve_into(
        mut self,
        source: Option<&'a Value>,
        pointer: String,
        implied: Option<(&str, &str)>,
        depth: usize,
        out: &mut Vec<Result<Extracted<'a>, Error>>,
    ) -> Result<Pass<()>, Error> {
        if let Some(found) = self.not_an_object.take() {
            return Err(Error::object(
                pointer,
                format!("expected a Kubernetes object (a mapping with apiVersion and kind), found {found}"),
            ));
        }
        let (header, object_annotations, object_labels) = self.identify(pointer, implied)?;
        if header.kind == "List" || (header.kind.ends_with("List") && self.has_items) {
            return resolve_list(&header, source, depth, out);
        }
        let Some(carrier) = kinds::carrier(&header.kind, &header.api_version) else {
            out.push(Ok(Extracted {
                header,
                template: None,
                skipped: None,
            }));
            return Ok(Pass::Done(()));
        };
        let found = match self.find_template(carrier, &header, source)? {
            Pass::Done(Some(found)) => found,
            Pass::Done(None) => {
                let skipped = format!(
                    "its pod template is in the workload its spec.{} names, which is judged on its own",
                    kinds::TEMPLATE_REFERENCE
                );
                out.push(Ok(Extracted {
                    header,
                    template: None,
                    skipped: Some(skipped),
                }));
                return Ok(Pass::Done(()));
            }
            Pass::NeedsSource => return Ok(Pass::NeedsSource),
        };
        let template = pod_template(found, &header, object_annotations, object_labels, carrier)?;
        out.push(Ok(Extracted {
            header,
            template: Some(template),
            skipped: None,
        }));
        Ok(Pass::Done(()))
    }

    /// Kind, apiVersion (or those a typed List implies) and metadata, checked.
    fn identify(
        &mut self,
        pointer: String,
        implied: Option<(&str, &str)>,
    ) -> Result<(ObjectIdentity, AnnotationsRead, ReadLabels), Error> {
        let kind = string_field(self.kind.take(), || format!("{pointer}/kind"))?
            .or_else(|| implied.map(|(k, _)| k.to_string()))
            .filter(|k| !k.is_empty())
            .ok_or_else(|| Error::object(format!("{pointer}/kind"), "the object has no kind"))?;
        let api_version =
            string_field(self.api_version.take(), || format!("{pointer}/apiVersion"))?
                .or_else(|| implied.map(|(_, v)| v.to_string()))
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    Error::object(
                        format!("{pointer}/apiVersion"),
                        format!("the {kind} has no apiVersion"),
                    )
                })?;
        let metadata_pointer = format!("{pointer}/metadata");
        let metadata = match std::mem::take(&mut self.metadata) {
            MetadataField::Absent => Metadata::default(),
            MetadataField::Mapping(m) => m,
            MetadataField::Other(found) => {
                return Err(Error::object(
                    metadata_pointer,
                    format!("expected a mapping, found {found}"),
                ))
            }
        };
        let field = |value: StringField, name: &str| {
            string_field(value, || format!("{metadata_pointer}/{name}"))
        };
        let Metadata {
            name,
            generate_name,
            namespace,
            annotations,
            product_labels,
        } = metadata;
        let header = ObjectIdentity {
            name: field(name, "name")?,
            generate_name: field(generate_name, "generateName")?,
            namespace: field(namespace, "namespace")?,
            kind,
            api_version,
            pointer,
        };
        Ok((header, annotations, product_labels))
    }

    /// The pod template where the kind keeps it: typed in the pass, or read from the
    /// source when the pass saw it before the kind. `None`: the object names another
    /// workload that holds its template.
    fn find_template(
        self,
        carrier: &PodCarrier,
        header: &ObjectIdentity,
        source: Option<&'a Value>,
    ) -> Result<Pass<Option<FoundTemplate<'a>>>, Error> {
        let base = &header.pointer;
        let steps = template_steps(carrier);
        let Some((first, rest)) = steps.split_first() else {
            return Ok(match self.pod_spec(source, base)? {
                Pass::Done(found) => Pass::Done(Some(found)),
                Pass::NeedsSource => Pass::NeedsSource,
            });
        };
        let slot = if *first == "spec" {
            self.spec
        } else {
            self.template
        };
        let field = match slot {
            Slot::Absent => TemplateField::Missing,
            Slot::Typed(field) => *field,
            Slot::Deferred => {
                let Some(value) = source.and_then(|s| s.get(first)) else {
                    return Ok(Pass::NeedsSource);
                };
                let seed = TemplateSeed {
                    path: rest,
                    from: ReadFrom::Value,
                };
                from_value(value, seed, &format!("{base}/{first}"))?
            }
        };
        let template_pointer = format!("{base}{}", carrier.template);
        match field {
            TemplateField::Missing => Err(Error::object(
                &template_pointer,
                format!(
                    "a {} needs a pod template at {}",
                    header.kind, carrier.template
                ),
            )),
            TemplateField::NotAMapping(found) => Err(Error::object(
                &template_pointer,
                format!("expected a pod template mapping, found {found}"),
            )),
            TemplateField::Referenced => Ok(Pass::Done(None)),
            TemplateField::Found {
                metadata,
                spec,
                selector,
            } => Ok(Pass::Done(Some(FoundTemplate {
                metadata: Some(metadata),
                spec: spec.map(|s| *s),
                has_selector: selector,
            }))),
        }
    }

    /// A Pod's spec: its own metadata and spec are its "template".
    fn pod_spec(
        self,
        source: Option<&'a Value>,
        base: &str,
    ) -> Result<Pass<FoundTemplate<'a>>, Error> {
        let spec = match (self.pod_spec, self.spec) {
            (Some(spec), _) => Some(spec),
            (None, Slot::Deferred) => {
                let Some(value) = source.and_then(|s| s.get("spec")) else {
                    return Ok(Pass::NeedsSource);
                };
                from_value(
                    value,
                    std::marker::PhantomData::<Option<PodSpec>>,
                    &format!("{base}/spec"),
                )?
            }
            _ => None,
        };
        Ok(Pass::Done(FoundTemplate {
            metadata: None,
            spec,
            has_selector: true,
        }))
    }
}

/// The items of a List, each an object of its own (a typed List's items take its kind).
fn resolve_list<'a>(
    header: &ObjectIdentity,
    source: Option<&'a Value>,
    depth: usize,
    out: &mut Vec<Result<Extracted<'a>, Error>>,
) -> Result<Pass<()>, Error> {
    let pointer = &header.pointer;
    if depth >= MAX_LIST_DEPTH {
        return Err(Error::object(
            pointer,
            format!("Lists nested more than {MAX_LIST_DEPTH} deep"),
        ));
    }
    let Some(source) = source else {
        return Ok(Pass::NeedsSource);
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
        let item_pointer = format!("{pointer}/items/{i}");
        extract_into(item, item_pointer, implied, depth + 1, out);
    }
    Ok(Pass::Done(()))
}

/// The pod template the rules judge, its spec and annotations checked.
fn pod_template<'a>(
    found: FoundTemplate<'a>,
    header: &ObjectIdentity,
    object_annotations: AnnotationsRead,
    object_labels: ReadLabels,
    carrier: &PodCarrier,
) -> Result<PodTemplate<'a>, Error> {
    let base = &header.pointer;
    let template_pointer = format!("{base}{}", carrier.template);
    let spec_pointer = format!("{template_pointer}/spec");
    let Some(mut spec) = found.spec else {
        return Err(Error::object(
            &spec_pointer,
            format!("the {} has no pod spec", header.kind),
        ));
    };
    let object_annotations = annotations(object_annotations, base)?;
    let is_workload = found.metadata.is_some();
    let mut template_labels = Vec::new();
    let pod_annotations = match found.metadata {
        None => {
            template_labels = object_labels.clone();
            object_annotations.clone()
        }
        Some(MetadataField::Absent) => BTreeMap::new(),
        Some(MetadataField::Mapping(m)) => {
            template_labels = m.product_labels;
            annotations(m.annotations, &template_pointer)?
        }
        Some(MetadataField::Other(found)) => {
            return Err(Error::object(
                format!("{template_pointer}/metadata"),
                format!("expected a mapping, found {found}"),
            ))
        }
    };
    let mut ignore_annotations = Vec::new();
    ignore_annotations.extend(ignore_annotation(&object_annotations, base));
    if is_workload {
        ignore_annotations.extend(ignore_annotation(&pod_annotations, &template_pointer));
    }
    let restart_policy_ends = matches!(
        spec.restart_policy.as_deref(),
        Some("Never") | Some("OnFailure")
    );
    let mut workload_names = Vec::new();
    if let Some(name) = &header.name {
        workload_names.push(WorkloadName {
            value: name.clone(),
            source: "name",
        });
    }
    let naming = |(key, _): &&(&'static str, String)| WORKLOAD_LABELS.contains(key);
    for (source, value) in object_labels.iter().chain(&template_labels).filter(naming) {
        if !workload_names.iter().any(|n| &n.value == value) {
            workload_names.push(WorkloadName {
                value: value.clone(),
                source,
            });
        }
    }
    Ok(PodTemplate {
        pod_labels: template_labels,
        workload_names,
        has_selector: found.has_selector,
        ephemeral: spec.ephemeral_containers.take().unwrap_or_default(),
        spec,
        spec_pointer,
        pod_annotations,
        ignore_annotations,
        run_to_completion: carrier.runs_to_completion || restart_policy_ends,
    })
}

/// Annotations as read, or the first problem with them, at its pointer.
fn annotations(
    read: AnnotationsRead,
    object_pointer: &str,
) -> Result<BTreeMap<String, String>, Error> {
    read.map_err(|(suffix, message)| {
        Error::object(
            format!("{object_pointer}/metadata/annotations{suffix}"),
            message,
        )
    })
}

/// The exemption annotation among these, with its pointer.
fn ignore_annotation(
    annotations: &BTreeMap<String, String>,
    object_pointer: &str,
) -> Option<(String, String)> {
    annotations.get(IGNORE_ANNOTATION).map(|value| {
        let pointer = format!(
            "{object_pointer}/metadata/annotations/{}",
            escape_pointer(IGNORE_ANNOTATION)
        );
        (pointer, value.clone())
    })
}
