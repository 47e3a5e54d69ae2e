//! JSON pointers (RFC 6901): how findings, errors and settings problems name a place in
//! an object.

use std::borrow::Cow;

/// A pointer segment for a key (`~` → `~0`, `/` → `~1`); borrowed when unchanged.
pub fn escape(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        segment.replace('~', "~0").replace('/', "~1").into()
    } else {
        segment.into()
    }
}

/// The pointer of the place serde was at when deserialising failed.
pub(crate) fn from_serde_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        let part = match segment {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } => escape(key).into_owned(),
            Segment::Enum { variant } => escape(variant).into_owned(),
            Segment::Unknown => continue,
        };
        pointer.push('/');
        pointer.push_str(&part);
    }
    pointer
}
