//! `check` on realistic manifests against the floor of only parsing the same bytes into a
//! `serde_json::Value`. Run with `cargo bench --bench core`.

use criterion::{criterion_group, criterion_main, Criterion};
use sidecar_guard::Settings;
use std::hint::black_box;

mod inputs;

fn core(c: &mut Criterion) {
    let settings = Settings::default();
    for (name, object) in [
        ("deployment-3-containers", inputs::deployment()),
        ("pod-20-containers", inputs::pod_with_20_containers()),
    ] {
        let json = object.to_string();
        let mut yaml = String::new();
        inputs::write_yaml_document(&object, &mut yaml);
        let mut group = c.benchmark_group(format!("{name} ({} bytes)", json.len()));
        group.bench_function("floor: parse into Value", |b| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&json)))
        });
        group.bench_function("check_text (JSON)", |b| {
            b.iter(|| sidecar_guard::check_text(black_box(&json), &settings))
        });
        group.bench_function("check_text (YAML)", |b| {
            b.iter(|| sidecar_guard::check_text(black_box(&yaml), &settings))
        });
        group.finish();
    }
}

criterion_group!(benches, core);
criterion_main!(benches);
