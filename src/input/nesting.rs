//! The JSON fast path's nesting limit, checked only where it can be exceeded. The typed
//! reader nests no deeper than the model; only the values it skips can nest deeper. So
//! instead of a scan of the whole text before reading it (a fifth of the npm module's
//! time), `Nesting` wraps the deserializer, counts the containers it enters, and takes
//! each skipped value as raw JSON to count the brackets inside it. A string skipped this
//! way (kubectl's last-applied configuration, half of many objects) costs nothing more.
//!
//! Every call is forwarded unchanged (borrowed strings stay borrowed) except two that
//! take the value raw: `deserialize_ignored_any`, and serde_json's raw value protocol (a
//! reader that takes a value raw skips it as well). Enum contents are handed on
//! unwrapped: the model reads no enum through `visit_enum`.

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;
use std::marker::PhantomData;

/// A deserializer whose skipped values must not nest past `limit` levels, counting the
/// containers around them; past it, reading fails (and the caller takes the path that
/// reports the limit).
pub(super) struct Nesting<D> {
    inner: D,
    /// Containers entered around this value.
    depth: usize,
    limit: usize,
}

impl<D> Nesting<D> {
    pub(super) fn new(inner: D, limit: usize) -> Self {
        Nesting {
            inner,
            depth: 0,
            limit,
        }
    }

    #[inline]
    fn nested<T>(&self, inner: T) -> Nesting<T> {
        Nesting {
            inner,
            depth: self.depth,
            limit: self.limit,
        }
    }
}

impl<'de, D: Deserializer<'de>> Nesting<D> {
    /// The value as raw JSON (which serde_json borrows from the text), its brackets
    /// counted.
    #[inline]
    fn raw(self) -> Result<&'de RawValue, D::Error> {
        let raw = <&'de RawValue>::deserialize(self.inner)?;
        let room = self.limit.saturating_sub(self.depth);
        let bytes = raw.get().as_bytes();
        // Only a container nests; a string is not scanned a second time.
        if matches!(bytes.first(), Some(b'{' | b'['))
            && crate::input::json_lines::nesting_exceeds(bytes, room)
        {
            return Err(too_deep(self.limit));
        }
        Ok(raw)
    }
}

/// Hands a value already taken raw to `RawValue`'s visitor as serde_json does: a map of
/// one entry, the protocol's name and the borrowed text (scanning it again would double
/// the cost of skipping a long annotation).
struct RawHandOver<'de, E> {
    raw: Option<&'de str>,
    error: PhantomData<E>,
}

impl<'de, E: de::Error> MapAccess<'de> for RawHandOver<'de, E> {
    type Error = E;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        if self.raw.is_none() {
            return Ok(None);
        }
        seed.deserialize(BorrowedStrDeserializer::new(RAW_VALUE))
            .map(Some)
    }

    #[inline]
    fn next_value_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, Self::Error> {
        let raw = self.raw.take().unwrap_or_default();
        seed.deserialize(BorrowedStrDeserializer::new(raw))
    }
}

/// The name under which serde_json hands out a value as raw JSON (`RawValue`'s
/// protocol; serde_json does not export it).
const RAW_VALUE: &str = "$serde_json::private::RawValue";

fn too_deep<E: de::Error>(limit: usize) -> E {
    E::custom(format_args!("nesting deeper than {limit} levels"))
}

macro_rules! forward {
    ($($method:ident),* $(,)?) => {$(
        #[inline]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            let visitor = self.nested(visitor);
            self.inner.$method(visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Nesting<D> {
    type Error = D::Error;

    forward!(
        deserialize_any,
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_option,
        deserialize_unit,
        deserialize_seq,
        deserialize_map,
        deserialize_identifier,
    );

    #[inline]
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.nested(visitor);
        self.inner.deserialize_unit_struct(name, visitor)
    }

    #[inline]
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        if name == RAW_VALUE {
            // A reader that takes a value raw (an unread annotation) skips it too.
            let raw = self.raw()?;
            return visitor.visit_map(RawHandOver {
                raw: Some(raw.get()),
                error: PhantomData,
            });
        }
        let visitor = self.nested(visitor);
        self.inner.deserialize_newtype_struct(name, visitor)
    }

    #[inline]
    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.nested(visitor);
        self.inner.deserialize_tuple(len, visitor)
    }

    #[inline]
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.nested(visitor);
        self.inner.deserialize_tuple_struct(name, len, visitor)
    }

    #[inline]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.nested(visitor);
        self.inner.deserialize_struct(name, fields, visitor)
    }

    #[inline]
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.nested(visitor);
        self.inner.deserialize_enum(name, variants, visitor)
    }

    /// A skipped value, read as raw JSON (which serde_json borrows from the text) and its
    /// brackets counted.
    #[inline]
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.raw()?;
        visitor.visit_unit()
    }

    #[inline]
    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

macro_rules! forward_visits {
    ($($method:ident($type:ty)),* $(,)?) => {$(
        #[inline]
        fn $method<E: de::Error>(self, value: $type) -> Result<V::Value, E> {
            self.inner.$method(value)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Nesting<V> {
    type Value = V::Value;

    #[inline]
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visits!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_f32(f32),
        visit_f64(f64),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>),
    );

    #[inline]
    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    #[inline]
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    #[inline]
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        let deserializer = self.nested(deserializer);
        self.inner.visit_some(deserializer)
    }

    #[inline]
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        let deserializer = self.nested(deserializer);
        self.inner.visit_newtype_struct(deserializer)
    }

    #[inline]
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let seq = self.entered(seq)?;
        self.inner.visit_seq(seq)
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let map = self.entered(map)?;
        self.inner.visit_map(map)
    }

    #[inline]
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(data)
    }
}

impl<V> Nesting<V> {
    /// The access to a container's contents, one level deeper.
    #[inline]
    fn entered<A, E: de::Error>(&self, access: A) -> Result<Nesting<A>, E> {
        let depth = self.depth + 1;
        if depth > self.limit {
            return Err(too_deep(self.limit));
        }
        Ok(Nesting {
            inner: access,
            depth,
            limit: self.limit,
        })
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Nesting<A> {
    type Error = A::Error;

    #[inline]
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let seed = self.nested(seed);
        self.inner.next_element_seed(seed)
    }

    #[inline]
    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Nesting<A> {
    type Error = A::Error;

    #[inline]
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let seed = self.nested(seed);
        self.inner.next_key_seed(seed)
    }

    #[inline]
    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        let seed = self.nested(seed);
        self.inner.next_value_seed(seed)
    }

    #[inline]
    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nesting<S> {
    type Value = S::Value;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        let deserializer = self.nested(deserializer);
        self.inner.deserialize(deserializer)
    }
}
