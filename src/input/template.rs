//! The pod template at the path a kind keeps it, read in the same pass as the object.

use super::kinds::TEMPLATE_REFERENCE;
use super::metadata::{inherit_injection_status, Metadata, MetadataField, MetadataSeed};
use super::read::{describe, wrong_types, KeyName, ReadFrom, WrongType};
use crate::model::PodSpec;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// A part of an object that holds (or leads to) the pod template: typed on the fly when
/// the kind is already known, otherwise kept whole until it is.
#[derive(Debug, Default)]
pub(super) enum Slot<'a> {
    #[default]
    Absent,
    Typed(Box<TemplateField<'a>>),
    /// Seen before the kind was known: read from the source afterwards.
    Deferred,
}

/// The template as found at the carrier's path.
#[derive(Debug, Default)]
pub(super) enum TemplateField<'a> {
    /// Absent or null anywhere along the path.
    #[default]
    Missing,
    /// Something other than a mapping (described).
    NotAMapping(String),
    /// No template, but a reference to the workload that holds it (an Argo Rollout's
    /// `workloadRef`).
    Referenced,
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
pub(super) struct TemplateSeed<'p> {
    pub path: &'p [&'p str],
    pub from: ReadFrom,
}

impl<'de> DeserializeSeed<'de> for TemplateSeed<'_> {
    type Value = TemplateField<'de>;
    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<TemplateField<'de>, D::Error> {
        deserializer.deserialize_any(TemplateVisitor {
            path: self.path,
            from: self.from,
        })
    }
}

struct TemplateVisitor<'p> {
    path: &'p [&'p str],
    from: ReadFrom,
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
        let mut referenced = false;
        // Metadata on the way to the template (a CronJob's jobTemplate): `istioctl
        // kube-inject` writes the injection status there.
        let mut outer = MetadataField::Absent;
        while let Some(key) = map.next_key::<KeyName>()? {
            match (self.path.split_first(), &mut found) {
                (Some((step, rest)), _) if key.0 == *step => {
                    found = map.next_value_seed(TemplateSeed {
                        path: rest,
                        from: self.from,
                    })?;
                }
                (Some(_), _) if key.0 == "metadata" => {
                    outer = map.next_value_seed(MetadataSeed { from: self.from })?;
                }
                (Some(_), _) if beside_template && key.0 == "selector" => {
                    selector = map.next_value::<Option<IgnoredAny>>()?.is_some();
                }
                (Some(_), _) if beside_template && key.0 == TEMPLATE_REFERENCE => {
                    referenced = map.next_value::<Option<IgnoredAny>>()?.is_some();
                }
                (None, TemplateField::Found { metadata, .. }) if key.0 == "metadata" => {
                    *metadata = map.next_value_seed(MetadataSeed { from: self.from })?;
                }
                (None, TemplateField::Found { spec, .. }) if key.0 == "spec" => {
                    *spec = map.next_value()?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if referenced && matches!(found, TemplateField::Missing) {
            return Ok(TemplateField::Referenced);
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
