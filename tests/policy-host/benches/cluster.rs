//! The context-aware policy's cost per `validate` call in the waPC host: a pod whose
//! sidecars read no config (no host call) against the module before the policy became
//! context-aware, and an Envoy sidecar whose bootstrap ConfigMap is served, missing, or
//! not looked up (`clusterContext: false`); host time included and taken out. Run with
//! `cargo bench -p policy-host --bench cluster` after `make policy.wasm`; set
//! `SIDECAR_GUARD_BASELINE_WASM` to an earlier policy.wasm to compare with it.

use criterion::{criterion_group, Criterion};
use policy_host::{load, load_with_cluster, policy_path, Answer, Cluster, WapcHost};
use serde_json::{json, Value};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn baseline_path() -> Option<PathBuf> {
    std::env::var_os("SIDECAR_GUARD_BASELINE_WASM").map(PathBuf::from)
}

/// The realistic Deployment of the other policy bench: no container reads config.
fn plain_payload() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/deployment-create.json");
    let request: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("test data")).expect("json");
    serde_json::to_vec(&json!({"request": request, "settings": {}})).expect("json")
}

/// The Envoy fixture's Deployment `edge` and its bootstrap ConfigMap.
fn envoy() -> (Value, Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/real-world/envoy-bootstrap-configmap.yaml");
    let text = std::fs::read_to_string(path).expect("fixture");
    let documents: Vec<Value> = sidecar_guard::input::yaml::parse_stream(&text, Default::default())
        .into_iter()
        .filter_map(Result::ok)
        .map(|d| d.value)
        .collect();
    let find = |kind: &str, name: &str| {
        documents
            .iter()
            .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
            .cloned()
            .expect("fixture object")
    };
    (find("Deployment", "edge"), find("ConfigMap", "edge-envoy"))
}

fn envoy_payload(settings: Value) -> Vec<u8> {
    let (deployment, _) = envoy();
    serde_json::to_vec(&json!({"request": {
        "uid": "b3c1e7d4-0d7a-4a57-9a43-9b5a0f4f1a10",
        "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
        "operation": "CREATE", "name": "edge", "namespace": "default",
        "userInfo": {"username": "tester"}, "object": deployment,
    }, "settings": settings}))
    .expect("json")
}

struct Setup {
    host: WapcHost,
    cluster: Arc<Cluster>,
    plain: Vec<u8>,
    envoy: Vec<u8>,
    envoy_off: Vec<u8>,
}

fn setup() -> Setup {
    let cluster = Arc::new(Cluster::default());
    let host = load_with_cluster(&policy_path(), cluster.clone()).expect("policy.wasm");
    Setup {
        host,
        cluster,
        plain: plain_payload(),
        envoy: envoy_payload(json!({})),
        envoy_off: envoy_payload(json!({"clusterContext": false})),
    }
}

fn serve(cluster: &Cluster, found: bool) {
    let (_, config_map) = envoy();
    let answers = found.then(|| {
        (
            ("default".to_string(), "edge-envoy".to_string()),
            Answer::Found(config_map),
        )
    });
    cluster.serve(answers);
}

fn cluster(c: &mut Criterion) {
    let s = setup();
    let mut group = c.benchmark_group("cluster");
    if let Some(path) = baseline_path() {
        let before = load(&path).expect("baseline policy.wasm");
        group.bench_function("no-config/before", |b| {
            b.iter(|| before.call("validate", black_box(&s.plain)).expect("call"))
        });
    }
    group.bench_function("no-config", |b| {
        b.iter(|| s.host.call("validate", black_box(&s.plain)).expect("call"))
    });
    serve(&s.cluster, true);
    group.bench_function("envoy/found", |b| {
        b.iter(|| s.host.call("validate", black_box(&s.envoy)).expect("call"))
    });
    serve(&s.cluster, false);
    group.bench_function("envoy/not-found", |b| {
        b.iter(|| s.host.call("validate", black_box(&s.envoy)).expect("call"))
    });
    group.bench_function("envoy/lookups-off", |b| {
        b.iter(|| {
            s.host
                .call("validate", black_box(&s.envoy_off))
                .expect("call")
        })
    });
    group.finish();
}

criterion_group!(benches, cluster);

/// Mean time per call, and the mean host time per call within it.
fn mean(host: &WapcHost, cluster: &Cluster, payload: &[u8]) -> (Duration, Duration) {
    const CALLS: u32 = 2_000;
    for _ in 0..200 {
        host.call("validate", payload).expect("warm-up");
    }
    if let Ok(mut time) = cluster.host_time.lock() {
        *time = Duration::ZERO;
    }
    let start = Instant::now();
    for _ in 0..CALLS {
        black_box(host.call("validate", black_box(payload)).expect("call"));
    }
    let total = start.elapsed() / CALLS;
    let host_time = cluster.host_time.lock().map(|t| *t).unwrap_or_default() / CALLS;
    (total, host_time)
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let s = setup();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "\n{:<34} {:>10} {:>12} {:>12}",
        "case", "per call", "host time", "guest only"
    );
    let row = |name: &str, (total, host): (Duration, Duration)| {
        println!(
            "{name:<34} {:>8.1}µs {:>10.1}µs {:>10.1}µs",
            us(total),
            us(host),
            us(total.saturating_sub(host))
        );
    };
    if let Some(path) = baseline_path() {
        let before = load(&path).expect("baseline policy.wasm");
        let nobody = Cluster::default();
        row("no config, module before", mean(&before, &nobody, &s.plain));
    }
    row("no config", mean(&s.host, &s.cluster, &s.plain));
    serve(&s.cluster, true);
    row(
        "envoy, bootstrap served",
        mean(&s.host, &s.cluster, &s.envoy),
    );
    serve(&s.cluster, false);
    row(
        "envoy, bootstrap not found",
        mean(&s.host, &s.cluster, &s.envoy),
    );
    row(
        "envoy, clusterContext: false",
        mean(&s.host, &s.cluster, &s.envoy_off),
    );
}
