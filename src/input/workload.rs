//! Every kind that carries a pod template → the pod spec inside it: the entry points.
//!
//! `List` (kubectl's output) and typed lists (`PodList`, …) are unpacked. Objects are read
//! in one pass, from JSON text or from a `Value`, deserialising only the pod template's
//! parts the rules read (`model`) and skipping everything else unparsed: `managedFields`,
//! status, the last-applied annotation. The pod spec is typed on the fly when
//! `apiVersion` and `kind` come before it (as the API server and kubectl write objects);
//! otherwise it is read again from the `Value` once the kind is known.

use super::nesting::Nesting;
use super::object::{extract_into, ObjectParts, ObjectSeed, Pass};
use super::read::ReadFrom;
use crate::Error;
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::fmt;

pub use super::kinds::{pod_carrying_kinds, pod_carrying_resources};
pub use super::object::{Extracted, PodTemplate};

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
    let mut deserializer = serde_json::Deserializer::from_str(text);
    // serde_json skips unread fields without a depth limit; the YAML path refuses
    // documents nested deeper than `yaml::MAX_DEPTH`, and so must this one.
    let reader = Nesting::new(&mut deserializer, crate::input::yaml::MAX_DEPTH);
    let parts = ObjectSeed {
        from: ReadFrom::JsonText,
    }
    .deserialize(reader)
    .ok()?;
    deserializer.end().ok()?;
    match parts.resolve(None, String::new(), None, 0) {
        Pass::Done(objects) => Some(objects),
        Pass::NeedsSource => None,
    }
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
                ObjectSeed {
                    from: ReadFrom::JsonText,
                }
                .deserialize(d)
                .map(Some)
            }
        }
        let Some(parts) = deserializer.deserialize_option(OptionalObject)? else {
            return Ok(AdmittedObject::Absent);
        };
        let Pass::Done(mut objects) = parts.resolve(None, String::new(), None, 0) else {
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
