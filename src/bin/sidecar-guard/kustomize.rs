//! Kustomize overlays in a walked folder: the files a `kustomization.yaml` lists as
//! patches are fragments, not whole objects, and are reported as skipped.

use serde_json::Value;
use sidecar_guard::input::yaml;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const KUSTOMIZATION_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

pub fn is_kustomization(file: &Path) -> bool {
    file.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| KUSTOMIZATION_NAMES.contains(&n))
}

/// Each patch file among `files`, with the kustomization that lists it.
pub fn patches(files: &[PathBuf]) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    for file in files.iter().filter(|f| is_kustomization(f)) {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Some(Ok(document)) = yaml::parse_stream(&text, yaml::Options::default())
            .into_iter()
            .next()
        else {
            continue;
        };
        let dir = file.parent().unwrap_or(Path::new(""));
        for listed in patch_paths(&document.value) {
            let path = normalise(&dir.join(listed));
            out.entry(path)
                .or_insert_with(|| file.display().to_string());
        }
    }
    // Compare as the walk spelled them.
    files
        .iter()
        .filter_map(|f| out.get(&normalise(f)).map(|k| (f.clone(), k.clone())))
        .collect()
}

/// `patches: [{path}]`, `patchesStrategicMerge: [file]` and `patchesJson6902: [{path}]`.
fn patch_paths(kustomization: &Value) -> Vec<&str> {
    let mut paths = Vec::new();
    for key in ["patches", "patchesStrategicMerge", "patchesJson6902"] {
        for entry in kustomization
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match entry {
                // patchesStrategicMerge entries may also be inline patches (several lines).
                Value::String(path) if !path.contains('\n') => paths.push(path.as_str()),
                Value::Object(o) => paths.extend(o.get("path").and_then(Value::as_str)),
                _ => {}
            }
        }
    }
    paths
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_patch_list() {
        let doc = yaml::parse_stream(
            "resources: [../base]\npatches:\n  - path: resources.yaml\n  - patch: |-\n      - op: x\npatchesStrategicMerge: [probes.yaml]\npatchesJson6902:\n  - target: {kind: Deployment}\n    path: json.yaml\n",
            yaml::Options::default(),
        );
        let value = doc
            .into_iter()
            .next()
            .and_then(Result::ok)
            .map(|d| d.value)
            .unwrap_or_default();
        assert_eq!(
            patch_paths(&value),
            ["resources.yaml", "probes.yaml", "json.yaml"]
        );
        assert_eq!(
            normalise(Path::new("k/overlay/./../base/x.yaml")),
            PathBuf::from("k/base/x.yaml")
        );
    }
}
