//! `validate` per call in the waPC host, on a realistic Deployment request (three
//! containers, managedFields, a last-applied annotation), against the reference guests
//! built with the same SDK: the usual SDK path and the scan floor. Also the cold start
//! (module compile + first call). Run with `make bench-policy`.

use criterion::{criterion_group, Criterion};
use policy_host::{load, policy_path};
use serde_json::{json, Value};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn reference_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/wasm32-wasip1/wasm/reference_guest.wasm")
}

fn payload() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/deployment-create.json");
    let request: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("test data")).expect("json");
    serde_json::to_vec(&json!({"request": request, "settings": {}})).expect("json")
}

fn guests(c: &mut Criterion) {
    let payload = payload();
    let policy = load(&policy_path()).expect("policy.wasm (make policy.wasm)");
    let reference = load(&reference_path()).expect("reference guest (make bench-policy builds it)");
    let mut group = c.benchmark_group("validate");
    group.bench_function("sidecar-guard", |b| {
        b.iter(|| policy.call("validate", black_box(&payload)).expect("call"))
    });
    group.bench_function("sdk-usual-path", |b| {
        b.iter(|| {
            reference
                .call("validate", black_box(&payload))
                .expect("call")
        })
    });
    group.bench_function("scan-floor", |b| {
        b.iter(|| {
            reference
                .call("validate_scan", black_box(&payload))
                .expect("call")
        })
    });
    group.finish();

    let mut cold = c.benchmark_group("cold-start");
    cold.sample_size(10);
    cold.bench_function("sidecar-guard", |b| {
        b.iter(|| {
            let host = load(&policy_path()).expect("load");
            host.call("validate", &payload).expect("call")
        })
    });
    cold.finish();
}

criterion_group!(benches, guests);

/// Mean time per call over a fixed number of calls, for the ratio table.
fn mean(host: &wapc::WapcHost, function: &str, payload: &[u8]) -> Duration {
    const CALLS: u32 = 2_000;
    for _ in 0..200 {
        host.call(function, payload).expect("warm-up");
    }
    let start = Instant::now();
    for _ in 0..CALLS {
        black_box(host.call(function, black_box(payload)).expect("call"));
    }
    start.elapsed() / CALLS
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let payload = payload();
    let policy = load(&policy_path()).expect("policy.wasm");
    let reference = load(&reference_path()).expect("reference guest");
    let ours = mean(&policy, "validate", &payload);
    let usual = mean(&reference, "validate", &payload);
    let floor = mean(&reference, "validate_scan", &payload);
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    println!("\npayload {} bytes", payload.len());
    println!(
        "{:<28} {:>12} {:>14} {:>12}",
        "guest", "per call", "vs usual SDK", "vs floor"
    );
    for (name, time) in [
        ("sidecar-guard (every rule)", ours),
        ("usual SDK path", usual),
        ("scan floor", floor),
    ] {
        println!(
            "{name:<28} {:>10.1}µs {:>13.2}x {:>11.2}x",
            time.as_secs_f64() * 1e6,
            time.as_secs_f64() / usual.as_secs_f64(),
            time.as_secs_f64() / floor.as_secs_f64()
        );
    }
    println!(
        "policy.wasm {} bytes; reference guest {} bytes",
        size(&policy_path()),
        size(&reference_path())
    );
}
