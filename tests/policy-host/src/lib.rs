//! A waPC host for the built `policy.wasm`, as Kubewarden's policy-server runs it
//! (wasmtime through `wasmtime-provider`, WASI on).

use std::path::{Path, PathBuf};

pub use wapc::WapcHost;

/// `policy.wasm` at the repository root (built by `make policy.wasm`).
pub fn policy_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy.wasm")
}

/// Loads a guest module into a fresh waPC host.
pub fn load(path: &Path) -> Result<WapcHost, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "cannot read {}: {e} (run `make policy.wasm` first)",
            path.display()
        )
    })?;
    let engine = wasmtime_provider::WasmtimeEngineProviderBuilder::new()
        .module_bytes(&bytes)
        .wasi_params(Default::default())
        .build()
        .map_err(|e| format!("cannot compile {}: {e}", path.display()))?;
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
