//! Reading typed parts out of untyped input in one pass: wrong types become data for a
//! later message (in the order the checks run), not deserialisation errors.

use crate::Error;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// What an object is read from. From JSON text, values no rule reads (most annotation
/// values) are skipped unparsed instead of unescaped; a `Value` has them parsed already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ReadFrom {
    JsonText,
    Value,
}

/// A visitor's answer to a value of the wrong type, given its description ("a list",
/// "a number 3"): wrong types are data for a later message, not deserialisation errors.
pub(super) trait WrongType: Sized {
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
pub(super) use wrong_types;

/// A string field as written: a string, absent/null, or a description of what was
/// found instead (reported later, in the order the checks run).
pub(super) type StringField = Option<Result<String, String>>;

pub(super) struct StringFieldSeed;

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
pub(super) struct Found<T, F, G> {
    on_str: F,
    on_null: T,
    on_other: G,
}

impl<T, F, G> Found<T, F, G> {
    pub(super) fn new(on_str: F, on_null: T, on_other: G) -> Self {
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

/// A map key, borrowed when the input allows it (no escapes in it).
pub(super) struct KeyName<'de>(pub Cow<'de, str>);

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

pub(super) fn string_field(
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
pub(super) fn from_value<'de, S: DeserializeSeed<'de>>(
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
