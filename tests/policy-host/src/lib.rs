//! A waPC host for the built `policy.wasm`, as Kubewarden's policy-server runs it
//! (wasmtime through `wasmtime-provider`, WASI on), with the host calls answered by a
//! `Cluster` of fixtures.

use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub use wapc::WapcHost;
use wasmtime_provider::{
    WasmtimeEngineProvider, WasmtimeEngineProviderBuilder, WasmtimeEngineProviderPre,
};

/// `policy.wasm` at the repository root (built by `make policy.wasm`).
pub fn policy_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy.wasm")
}

/// How the host answers a `kubernetes/get_resource` call for one ConfigMap.
#[derive(Clone, Debug)]
pub enum Answer {
    /// The object, as the API server returns it.
    Found(Value),
    /// The API server's 404, which the host hands the guest as a host-call error.
    NotFound,
    /// RBAC refused policy-server's service account (403), also a host-call error.
    Forbidden,
    /// The host itself failed (API server unreachable, timeout).
    HostError,
    /// Bytes that are not JSON.
    Garbage,
    /// The object, after a delay.
    Slow(Duration, Value),
}

/// One host call the guest made: (binding, namespace, operation, payload as JSON).
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub binding: String,
    pub namespace: String,
    pub operation: String,
    pub payload: Value,
}

/// The cluster the host answers from: ConfigMaps by (namespace, name), every call
/// recorded, and the time spent answering (to take host time out of benchmarks).
/// Anything not in `config_maps` is not found; any other host call fails.
#[derive(Debug, Default)]
pub struct Cluster {
    pub config_maps: Mutex<BTreeMap<(String, String), Answer>>,
    pub calls: Mutex<Vec<Call>>,
    pub host_time: Mutex<Duration>,
}

impl Cluster {
    /// Replaces the ConfigMaps the host serves and forgets earlier calls.
    pub fn serve(&self, answers: impl IntoIterator<Item = ((String, String), Answer)>) {
        if let Ok(mut map) = self.config_maps.lock() {
            *map = answers.into_iter().collect();
        }
        if let Ok(mut calls) = self.calls.lock() {
            calls.clear();
        }
    }

    /// The calls made since the last `serve`.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Answers one host call as policy-server's callback handler would, in outline:
    /// errors reach the guest as a failed host call.
    fn answer(
        &self,
        binding: &str,
        namespace: &str,
        operation: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, String> {
        let request: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(Call {
                binding: binding.to_string(),
                namespace: namespace.to_string(),
                operation: operation.to_string(),
                payload: request.clone(),
            });
        }
        if (binding, namespace, operation) != ("kubewarden", "kubernetes", "get_resource") {
            return Err(format!(
                "unexpected host call {binding}/{namespace}/{operation}"
            ));
        }
        let text = |key: &str| request[key].as_str().unwrap_or_default().to_string();
        if (text("api_version").as_str(), text("kind").as_str()) != ("v1", "ConfigMap") {
            return Err(format!(
                "policy not allowed to read {}/{}",
                text("api_version"),
                text("kind")
            ));
        }
        let (ns, name) = (text("namespace"), text("name"));
        let answer = self
            .config_maps
            .lock()
            .ok()
            .and_then(|m| m.get(&(ns.clone(), name.clone())).cloned())
            .unwrap_or(Answer::NotFound);
        match answer {
            Answer::Found(object) => Ok(serde_json::to_vec(&object).unwrap_or_default()),
            Answer::Slow(delay, object) => {
                std::thread::sleep(delay);
                Ok(serde_json::to_vec(&object).unwrap_or_default())
            }
            Answer::NotFound => Err(format!("configmaps \"{name}\" not found in {ns}")),
            Answer::Forbidden => Err(format!(
                "configmaps \"{name}\" is forbidden: User \"system:serviceaccount:kubewarden:policy-server-default\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"{ns}\""
            )),
            Answer::HostError => Err("error trying to connect: deadline has elapsed".to_string()),
            Answer::Garbage => Ok(b"<html>502 Bad Gateway</html>".to_vec()),
        }
    }
}

/// Compiles a guest module (what a cold start costs).
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

/// The module compiled once per process, as policy-server compiles a policy once and
/// instantiates it per worker: the tests' hosts, one per test thread, share one
/// compilation instead of repeating it on every thread.
fn compiled_once(path: &Path) -> Result<Arc<WasmtimeEngineProviderPre>, String> {
    static COMPILED: Mutex<Option<HashMap<PathBuf, Arc<WasmtimeEngineProviderPre>>>> =
        Mutex::new(None);
    let mut cache = COMPILED.lock().unwrap_or_else(PoisonError::into_inner);
    let cache = cache.get_or_insert_with(HashMap::new);
    if let Some(compiled) = cache.get(path) {
        return Ok(Arc::clone(compiled));
    }
    let compiled = compile(path)?;
    cache.insert(path.to_path_buf(), Arc::clone(&compiled));
    Ok(compiled)
}

fn instantiate(
    compiled: &WasmtimeEngineProviderPre,
    path: &Path,
) -> Result<Box<WasmtimeEngineProvider>, String> {
    compiled
        .rehydrate(None)
        .map(Box::new)
        .map_err(|e| format!("cannot instantiate {}: {e}", path.display()))
}

/// A host whose every host call fails, as for a policy that is not context-aware.
fn without_cluster(engine: Box<WasmtimeEngineProvider>) -> Result<WapcHost, String> {
    WapcHost::new(
        engine,
        Some(Box::new(|_, binding, namespace, operation, _| {
            Err(format!("unexpected host call {binding}/{namespace}/{operation}").into())
        })),
    )
    .map_err(|e| format!("cannot start the waPC host: {e}"))
}

/// Loads a guest module into a fresh waPC host, compiling it afresh (a cold start);
/// every host call fails.
pub fn load(path: &Path) -> Result<WapcHost, String> {
    without_cluster(instantiate(&*compile(path)?, path)?)
}

/// `load`, with the module compiled once per process.
pub fn load_compiled_once(path: &Path) -> Result<WapcHost, String> {
    without_cluster(instantiate(&*compiled_once(path)?, path)?)
}

/// Loads a guest module into a fresh waPC host that answers its host calls from `cluster`.
/// The module is compiled once per process.
pub fn load_with_cluster(path: &Path, cluster: Arc<Cluster>) -> Result<WapcHost, String> {
    WapcHost::new(
        instantiate(&*compiled_once(path)?, path)?,
        Some(Box::new(
            move |_, binding, namespace, operation, payload| {
                let start = Instant::now();
                let answer = cluster.answer(binding, namespace, operation, payload);
                if let Ok(mut time) = cluster.host_time.lock() {
                    *time += start.elapsed();
                }
                answer.map_err(Into::into)
            },
        )),
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
