//! JSON Patch (RFC 6902) on a `serde_json::Value`: the operations fixes write, applied as
//! the API server's JSON patch applies them. A failing operation leaves the value as it
//! was, so a fix is applied whole or not at all.

use crate::report::PatchOperation;
use serde_json::Value;

/// Why an operation does not apply (a pointer that names nothing, an index out of range).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct PatchError {
    pub pointer: String,
    pub message: String,
}

fn error(pointer: &str, message: &str) -> PatchError {
    PatchError {
        pointer: pointer.to_string(),
        message: message.to_string(),
    }
}

/// The unescaped segments of a pointer (`~1` → `/`, `~0` → `~`); `None` for one that
/// does not start with `/` (and is not the root, "").
pub(crate) fn segments(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Applies every operation in order, or none.
pub fn apply(document: &mut Value, operations: &[PatchOperation]) -> Result<(), PatchError> {
    let mut patched = document.clone();
    for operation in operations {
        apply_one(&mut patched, operation)?;
    }
    *document = patched;
    Ok(())
}

fn apply_one(document: &mut Value, operation: &PatchOperation) -> Result<(), PatchError> {
    match operation {
        PatchOperation::Add { path, value } => add(document, path, value.clone()),
        PatchOperation::Remove { path } => remove(document, path).map(|_| ()),
        PatchOperation::Replace { path, value } => {
            let target = document
                .pointer_mut(path)
                .ok_or_else(|| error(path, "nothing to replace here"))?;
            *target = value.clone();
            Ok(())
        }
        PatchOperation::Move { from, path } => {
            if path.starts_with(&format!("{from}/")) {
                return Err(error(path, "cannot move a value into itself"));
            }
            let value = remove(document, from)?;
            add(document, path, value)
        }
    }
}

/// The parent's pointer and the last segment.
fn split(path: &str) -> Result<(&str, String), PatchError> {
    let (parent, last) = path
        .rsplit_once('/')
        .ok_or_else(|| error(path, "not a pointer below the root"))?;
    Ok((parent, last.replace("~1", "/").replace("~0", "~")))
}

fn add(document: &mut Value, path: &str, value: Value) -> Result<(), PatchError> {
    let (parent, key) = split(path)?;
    match document.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(key, value);
            Ok(())
        }
        Some(Value::Array(items)) => {
            let index = if key == "-" {
                items.len()
            } else {
                index_of(&key, path)?
            };
            if index > items.len() {
                return Err(error(path, "index past the end of the array"));
            }
            items.insert(index, value);
            Ok(())
        }
        Some(_) => Err(error(path, "the parent is neither an object nor an array")),
        None => Err(error(path, "the parent does not exist")),
    }
}

fn remove(document: &mut Value, path: &str) -> Result<Value, PatchError> {
    let (parent, key) = split(path)?;
    match document.pointer_mut(parent) {
        Some(Value::Object(map)) => map
            .remove(&key)
            .ok_or_else(|| error(path, "nothing to remove here")),
        Some(Value::Array(items)) => {
            let index = index_of(&key, path)?;
            if index >= items.len() {
                return Err(error(path, "index past the end of the array"));
            }
            Ok(items.remove(index))
        }
        _ => Err(error(path, "nothing to remove here")),
    }
}

/// An array index as RFC 6901 writes it: digits, no leading zero.
fn index_of(segment: &str, path: &str) -> Result<usize, PatchError> {
    let digits = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
    if !digits || (segment.len() > 1 && segment.starts_with('0')) {
        return Err(error(path, "not an array index"));
    }
    segment
        .parse()
        .map_err(|_| error(path, "not an array index"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operations_apply_in_order_or_not_at_all() {
        let mut doc = json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]}});
        let ops = vec![
            PatchOperation::Add {
                path: "/spec/containers/1/restartPolicy".into(),
                value: json!("Always"),
            },
            PatchOperation::Add {
                path: "/spec/initContainers".into(),
                value: json!([]),
            },
            PatchOperation::Move {
                from: "/spec/containers/1".into(),
                path: "/spec/initContainers/0".into(),
            },
        ];
        apply(&mut doc, &ops).unwrap();
        assert_eq!(
            doc,
            json!({"spec": {"containers": [{"name": "a"}],
                   "initContainers": [{"name": "b", "restartPolicy": "Always"}]}})
        );
        let before = doc.clone();
        let bad = vec![
            PatchOperation::Replace {
                path: "/spec/containers/0/name".into(),
                value: json!("x"),
            },
            PatchOperation::Remove {
                path: "/spec/containers/7".into(),
            },
        ];
        assert!(apply(&mut doc, &bad).is_err());
        assert_eq!(doc, before);
        assert!(index_of("01", "/x").is_err());
        assert_eq!(
            segments("/a~1b/c~0d"),
            Some(vec!["a/b".into(), "c~d".into()])
        );
    }
}
