//! A waPC host for the built `policy.wasm`, as Kubewarden's policy-server runs it
//! (wasmtime through `wasmtime-provider`, WASI on).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

pub use wapc::WapcHost;
use wasmtime_provider::{WasmtimeEngineProviderBuilder, WasmtimeEngineProviderPre};

/// `policy.wasm` at the repository root (built by `make policy.wasm`).
pub fn policy_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy.wasm")
}

/// Loads a guest module into a fresh waPC host, compiling it (what a cold start costs).
pub fn load(path: &Path) -> Result<WapcHost, String> {
    start(compile(path)?.as_ref(), path)
}

/// A fresh waPC host for a module compiled once per process, as policy-server compiles a
/// policy once and instantiates it per worker: the tests' hosts, one per test thread,
/// share one compilation instead of repeating it on every thread.
pub fn load_compiled_once(path: &Path) -> Result<WapcHost, String> {
    static COMPILED: Mutex<Option<HashMap<PathBuf, Arc<WasmtimeEngineProviderPre>>>> =
        Mutex::new(None);
    let compiled = {
        let mut cache = COMPILED.lock().unwrap_or_else(PoisonError::into_inner);
        let cache = cache.get_or_insert_with(HashMap::new);
        match cache.get(path) {
            Some(compiled) => Arc::clone(compiled),
            None => {
                let compiled = compile(path)?;
                cache.insert(path.to_path_buf(), Arc::clone(&compiled));
                compiled
            }
        }
    };
    start(&compiled, path)
}

fn compile(path: &Path) -> Result<Arc<WasmtimeEngineProviderPre>, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "cannot read {}: {e} (run `make policy.wasm` first)",
            path.display()
        )
    })?;
    WasmtimeEngineProviderBuilder::new()
        .module_bytes(&bytes)
        .wasi_params(Default::default())
        .build_pre()
        .map(Arc::new)
        .map_err(|e| format!("cannot compile {}: {e}", path.display()))
}

fn start(compiled: &WasmtimeEngineProviderPre, path: &Path) -> Result<WapcHost, String> {
    let engine = compiled
        .rehydrate(None)
        .map_err(|e| format!("cannot instantiate {}: {e}", path.display()))?;
    // The policy asks the host for nothing (no context-aware calls): any host call fails.
    WapcHost::new(
        Box::new(engine),
        Some(Box::new(|_, binding, namespace, operation, _| {
            Err(format!("unexpected host call {binding}/{namespace}/{operation}").into())
        })),
    )
    .map_err(|e| format!("cannot start the waPC host: {e}"))
}

/// Calls a guest function and parses its JSON answer.
pub fn call(host: &WapcHost, function: &str, payload: &[u8]) -> Result<serde_json::Value, String> {
    let response = host
        .call(function, payload)
        .map_err(|e| format!("{function} trapped or failed: {e}"))?;
    serde_json::from_slice(&response).map_err(|e| format!("{function} answered non-JSON: {e}"))
}
