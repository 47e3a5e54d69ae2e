//! The rules read pod specs through `model`, a lean copy of the fields they use. This
//! holds it against `k8s-openapi` (the types Kubewarden's SDK and most Rust tooling use)
//! on every pod spec of the fixtures, the examples and (when present) the conformance corpus: what
//! `k8s-openapi` reads, the model reads with the same values, field for field.

#[path = "support/shared.rs"]
mod shared;

use k8s_openapi::api::core::v1::PodSpec as ApiPodSpec;
use serde::Deserialize;
use serde_json::Value;
use sidecar_guard::model::PodSpec;
use std::path::{Path, PathBuf};

fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            manifests(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
            && !path.to_string_lossy().ends_with(".settings.yaml")
        {
            out.push(path);
        }
    }
}

#[test]
fn the_model_reads_what_k8s_openapi_reads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    manifests(&root.join("tests/fixtures"), &mut files);
    manifests(&root.join("examples"), &mut files);
    // The conformance corpus too, when it is here (tests/support/shared.rs).
    if let Some(corpus) = shared::shared_data(root, "conformance") {
        manifests(&corpus, &mut files);
    }
    let mut specs = 0;
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for document in sidecar_guard::input::yaml::parse_stream(&text, Default::default())
            .into_iter()
            .flatten()
        {
            for extracted in sidecar_guard::input::workload::extract(&document.value)
                .into_iter()
                .flatten()
            {
                let Some(template) = extracted.template else {
                    continue;
                };
                let Some(spec) = document.value.pointer(&template.spec_pointer) else {
                    continue;
                };
                let label = format!("{}{}", file.display(), template.spec_pointer);
                let Ok(api) = ApiPodSpec::deserialize(spec) else {
                    continue;
                };
                // What k8s-openapi understood, written back as JSON, read by the model.
                let normalised = serde_json::to_value(&api).expect("serialisable");
                let ours = PodSpec::deserialize(spec).expect(&label);
                let through_api = PodSpec::deserialize(&normalised).expect(&label);
                assert_eq!(ours, through_api, "{label}");
                // And the extraction hands the rules that same spec.
                let mut expected = through_api;
                let ephemeral = expected.ephemeral_containers.take().unwrap_or_default();
                assert_eq!(template.spec, expected, "{label}");
                assert_eq!(template.ephemeral, ephemeral, "{label}");
                specs += 1;
            }
        }
    }
    assert!(specs > 100, "only {specs} pod specs compared");
}

#[test]
fn container_counts_are_bounded() {
    let containers: Vec<Value> = (0..=sidecar_guard::model::MAX_CONTAINERS)
        .map(|i| serde_json::json!({"name": format!("c{i}"), "image": "x"}))
        .collect();
    let spec = serde_json::json!({"containers": containers});
    let error = PodSpec::deserialize(&spec).expect_err("too many containers");
    assert!(
        error.to_string().contains("more than 256 entries"),
        "{error}"
    );
}
