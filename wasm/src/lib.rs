//! The npm module: `validate`, `validateSettings` and `rules` for JavaScript. Only
//! translation lives here: JS values in, the core's reports out as plain objects.
//! Every failure is a thrown `Error` whose message says what is wrong.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use js_sys::JSON;
use serde_json::{json, Value};
use sidecar_guard::settings::{parse_settings_text, SettingsError};
use sidecar_guard::{yaml, Settings};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Validates manifests: YAML or JSON text (any number of documents) or a Kubernetes
/// object. Returns one report per object; throws if any document cannot be judged.
#[wasm_bindgen(skip_typescript)]
pub fn validate(input: JsValue, settings: JsValue) -> Result<JsValue, JsError> {
    let settings = load_settings(&settings)?;
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    // An object, and text that is one JSON object, take the fast path: no `Value`, no
    // line index (JSON text finds the lines of just the pointers its reports name).
    let text = match input.as_string() {
        Some(text) => text,
        None if input.is_object() => {
            let text = stringify(&input, "the input")?;
            let results = match sidecar_guard::extract_json_document(&text) {
                Some(objects) => sidecar_guard::check_objects(objects, &settings),
                // Not one object the fast path reads: judged as a document (it says why).
                None => sidecar_guard::check(&parse_json(&text, "the input")?, &settings),
            };
            collect(results, 0, |_| None, &mut reports, &mut errors);
            return finish(reports, errors);
        }
        None => {
            return Err(JsError::new(
                "validate() takes YAML or JSON text, or a Kubernetes object",
            ))
        }
    };
    if let Some(objects) = sidecar_guard::extract_json_document(&text) {
        let line_of = |pointer: &str| sidecar_guard::json_lines::line_of(&text, pointer);
        let results = sidecar_guard::check_objects(objects, &settings);
        collect(results, 0, line_of, &mut reports, &mut errors);
        return finish(reports, errors);
    }
    let documents = yaml::split_stream(&text);
    if documents.is_empty() {
        return Err(JsError::new("no Kubernetes objects: the input is empty"));
    }
    // The ConfigMaps of every document are context for each pod (a sidecar's config).
    let context = sidecar_guard::Context::from_texts(documents.iter().map(|d| (0, d)));
    for (position, document) in documents.iter().enumerate() {
        match document.parse(yaml::Options { track_lines: true }) {
            Ok(doc) => collect(
                sidecar_guard::check_in(&doc.value, &settings, &context),
                doc.index,
                |p| doc.lines.line_of(p),
                &mut reports,
                &mut errors,
            ),
            Err(e) => errors.push(format!("document {position}: {e}")),
        }
    }
    finish(reports, errors)
}

fn finish(reports: Vec<Value>, errors: Vec<String>) -> Result<JsValue, JsError> {
    if !errors.is_empty() {
        return Err(JsError::new(&errors.join("; ")));
    }
    to_js(&Value::Array(reports))
}

/// Each report of one document as a plain object, each error as a message.
fn collect(
    results: Vec<Result<sidecar_guard::Report, sidecar_guard::Error>>,
    index: usize,
    line_of: impl Fn(&str) -> Option<usize>,
    reports: &mut Vec<Value>,
    errors: &mut Vec<String>,
) {
    for result in results {
        push(result, index, &line_of, reports, errors);
    }
}

/// One report as a plain object (with its document and line), or one error message.
fn push(
    result: Result<sidecar_guard::Report, sidecar_guard::Error>,
    index: usize,
    line_of: impl Fn(&str) -> Option<usize>,
    reports: &mut Vec<Value>,
    errors: &mut Vec<String>,
) {
    match result {
        Ok(report) => {
            let mut value = report.to_json(&line_of);
            if let Some(map) = value.as_object_mut() {
                map.insert("document".to_string(), json!(index));
                map.insert("line".to_string(), json!(line_of(&report.pointer)));
            }
            reports.push(value);
        }
        Err(e) => {
            let line = e.line().or_else(|| e.pointer().and_then(&line_of));
            let at = line.map(|l| format!(" (line {l})")).unwrap_or_default();
            errors.push(format!("document {index}{at}: {e}"));
        }
    }
}

/// Checks settings: every problem with its JSON pointer; an empty list when valid.
#[wasm_bindgen(js_name = validateSettings, skip_typescript)]
pub fn validate_settings(settings: JsValue) -> Result<JsValue, JsError> {
    let errors = match settings_document(&settings) {
        Ok(document) => Settings::from_value(&document).err().unwrap_or_default(),
        Err(errors) => errors,
    };
    let list: Vec<Value> = errors
        .iter()
        .map(|e| json!({"pointer": e.pointer, "message": e.message}))
        .collect();
    to_js(&Value::Array(list))
}

/// Every rule: id, summary, default severity, category, release and documentation.
#[wasm_bindgen(skip_typescript)]
pub fn rules() -> Result<JsValue, JsError> {
    to_js(&sidecar_guard::rules::catalog())
}

thread_local! {
    /// The last settings read, by their JSON text: callers validate many manifests with
    /// the same settings, and checking settings costs more than judging a pod.
    static SETTINGS: RefCell<Option<(String, Rc<Settings>)>> = const { RefCell::new(None) };
}

fn load_settings(settings: &JsValue) -> Result<Rc<Settings>, JsError> {
    // The cache key: the settings as text, or nothing given (the defaults). Anything
    // else has no key and gets `settings_document`'s error.
    let key = if settings.is_undefined() || settings.is_null() {
        Some(String::new())
    } else if let Some(text) = settings.as_string() {
        Some(format!("t{text}"))
    } else if settings.is_object() {
        Some(format!("o{}", stringify(settings, "the settings")?))
    } else {
        None
    };
    let cached = SETTINGS.with(|cell| {
        cell.borrow()
            .as_ref()
            .filter(|(k, _)| key.as_ref() == Some(k))
            .map(|(_, s)| Rc::clone(s))
    });
    if let Some(settings) = cached {
        return Ok(settings);
    }
    let document = settings_document(settings).map_err(|e| invalid_settings(&e))?;
    let parsed = Rc::new(Settings::from_value(&document).map_err(|e| invalid_settings(&e))?);
    if let Some(key) = key {
        SETTINGS.with(|cell| *cell.borrow_mut() = Some((key, Rc::clone(&parsed))));
    }
    Ok(parsed)
}

fn invalid_settings(errors: &[SettingsError]) -> JsError {
    let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
    JsError::new(&format!("invalid settings: {}", list.join("; ")))
}

/// Settings as given: nothing (the defaults), YAML/JSON text, or an object.
fn settings_document(settings: &JsValue) -> Result<Value, Vec<SettingsError>> {
    let problem = |message: String| {
        vec![SettingsError {
            pointer: String::new(),
            message,
        }]
    };
    if settings.is_undefined() || settings.is_null() {
        Ok(Value::Null)
    } else if let Some(text) = settings.as_string() {
        parse_settings_text(&text)
    } else if settings.is_object() {
        to_value(settings, "the settings")
            .map_err(|_| problem("the settings object cannot be read as JSON".to_string()))
    } else {
        Err(problem(
            "settings must be YAML or JSON text, or an object".to_string(),
        ))
    }
}

/// A JS value as JSON text, through `JSON.stringify`: no recursion in Rust, so a
/// hostile, deeply nested object cannot exhaust the wasm stack (serde_json stops at 128
/// levels when the text is read).
fn stringify(value: &JsValue, what: &str) -> Result<String, JsError> {
    JSON::stringify(value)
        .map_err(|_| {
            JsError::new(&format!(
                "{what} cannot be converted to JSON (a cycle, a BigInt, or nesting too deep for JavaScript?)"
            ))
        })?
        .as_string()
        .ok_or_else(|| JsError::new(&format!("{what} cannot be converted to JSON")))
}

fn parse_json(text: &str, what: &str) -> Result<Value, JsError> {
    serde_json::from_str(text)
        .map_err(|e| JsError::new(&format!("{what} is not a JSON object: {e}")))
}

fn to_value(value: &JsValue, what: &str) -> Result<Value, JsError> {
    parse_json(&stringify(value, what)?, what)
}

fn to_js(value: &Value) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    JSON::parse(&text).map_err(|_| JsError::new("internal error: the result is not JSON"))
}
