//! `metadata` as the rules need it: name, namespace and the annotations any rule reads.

use super::read::{
    describe, wrong_types, Found, KeyName, ReadFrom, StringField, StringFieldSeed, WrongType,
};
use crate::model::{DEFAULT_CONTAINER_ANNOTATION, IGNORE_ANNOTATION};
use crate::pointer::escape as escape_pointer;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The annotations the rules read, or the first problem: (pointer suffix, description).
pub(super) type AnnotationsRead = Result<BTreeMap<String, String>, (String, String)>;

/// `metadata`: the name, the namespace and the annotations any rule reads.
#[derive(Debug)]
pub(super) struct Metadata {
    pub name: StringField,
    pub generate_name: StringField,
    pub namespace: StringField,
    /// The annotations read, or the first problem: (pointer suffix, description).
    pub annotations: AnnotationsRead,
    /// The labels any rule reads (`is_read_label`): the `WORKLOAD_LABELS` first, in that
    /// order, then the others.
    pub product_labels: ReadLabels,
}

impl Default for Metadata {
    fn default() -> Self {
        Metadata {
            name: None,
            generate_name: None,
            namespace: None,
            annotations: Ok(BTreeMap::new()),
            product_labels: Vec::new(),
        }
    }
}

/// The labels any rule reads: (key, value).
pub type ReadLabels = Vec<(&'static str, String)>;

/// Labels whose value names what the workload is (`app: envoy`,
/// `app.kubernetes.io/name: alloy`): the role classifier matches them with the catalogue.
pub const WORKLOAD_LABELS: &[&str] = &["app.kubernetes.io/name", "app"];

/// `metadata` as written: absent/null, a mapping, or something else (described).
#[derive(Debug, Default)]
pub(super) enum MetadataField {
    #[default]
    Absent,
    Mapping(Metadata),
    Other(String),
}

/// Reads `metadata`; from JSON text, annotation values no rule reads are skipped
/// unparsed (`RawValue`).
pub(super) struct MetadataSeed {
    pub from: ReadFrom,
}

impl<'de> DeserializeSeed<'de> for MetadataSeed {
    type Value = MetadataField;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<MetadataField, D::Error> {
        struct MetadataVisitor {
            from: ReadFrom,
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
                                map.next_value_seed(AnnotationsSeed { from: self.from })?.0
                        }
                        "labels" => metadata.product_labels = map.next_value_seed(LabelsSeed)?,
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
        deserializer.deserialize_any(MetadataVisitor { from: self.from })
    }
}

/// The labels any rule reads: what names the workload, and the labels that mark a mesh's
/// own control plane (catalogue).
fn read_labels() -> impl Iterator<Item = &'static str> {
    WORKLOAD_LABELS.iter().copied().chain(
        crate::sidecars::catalogue::PRODUCTS
            .iter()
            .filter_map(|p| p.injector.as_ref().and_then(|i| i.control_plane_label)),
    )
}

/// The values of the labels any rule reads (`read_labels`). Other labels, and values that are not strings (the
/// API server rejects those anyway), are skipped: labels are never a finding.
struct LabelsSeed;

impl<'de> DeserializeSeed<'de> for LabelsSeed {
    type Value = Vec<(&'static str, String)>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        struct LabelsVisitor;
        impl<'de> Visitor<'de> for LabelsVisitor {
            type Value = Vec<(&'static str, String)>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("labels")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut found: Vec<(usize, String)> = Vec::new();
                while let Some(key) = map.next_key::<KeyName>()? {
                    match read_labels().position(|l| l == key.0) {
                        Some(rank) => {
                            if let Value::String(v) = map.next_value::<Value>()? {
                                found.push((rank, v));
                            }
                        }
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                found.sort();
                Ok(found
                    .into_iter()
                    .filter_map(|(rank, v)| read_labels().nth(rank).map(|key| (key, v)))
                    .collect())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Vec::new())
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Vec::new())
            }
        }
        deserializer.deserialize_any(LabelsVisitor)
    }
}

/// The annotations the rules read; every value must be a string.
struct Annotations(AnnotationsRead);

struct AnnotationsSeed {
    from: ReadFrom,
}

impl<'de> DeserializeSeed<'de> for AnnotationsSeed {
    type Value = Annotations;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Annotations, D::Error> {
        struct AnnotationsVisitor {
            from: ReadFrom,
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
                    let value: Result<Option<String>, String> =
                        if self.from == ReadFrom::JsonText && !wanted {
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
        deserializer.deserialize_any(AnnotationsVisitor { from: self.from })
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

/// Whether any rule reads this annotation: the project's own, kubectl's default
/// container, and the injectors' status annotations of the catalogue. The others are
/// skipped (their values must still be strings, as the API requires): the npm module
/// leaves their values out of the JSON it makes of an object.
pub fn is_read_annotation(key: &str) -> bool {
    key == IGNORE_ANNOTATION
        || key == DEFAULT_CONTAINER_ANNOTATION
        || crate::sidecars::catalogue::injector_annotations().any(|a| a == key)
}

/// Injector status annotations of an enclosing template (a CronJob's jobTemplate) that
/// the pod template itself does not carry.
pub(super) fn inherit_injection_status(inner: &mut Metadata, outer: Metadata) {
    let (Ok(inner), Ok(outer)) = (&mut inner.annotations, outer.annotations) else {
        return;
    };
    for (key, value) in outer {
        if crate::sidecars::catalogue::injector_annotations().any(|a| a == key) {
            inner.entry(key).or_insert(value);
        }
    }
}
