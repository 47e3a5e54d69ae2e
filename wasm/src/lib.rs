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
use serde::Serialize;
use serde_json::Value;
use sidecar_guard::pipeline::{self, Source};
use sidecar_guard::settings::{parse_settings_text, SettingsCache, SettingsError};
use sidecar_guard::Settings;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Validates manifests: YAML or JSON text (any number of documents) or a Kubernetes
/// object. Returns one report per object; throws if any document cannot be judged.
#[wasm_bindgen(skip_typescript)]
pub fn validate(input: JsValue, settings: JsValue) -> Result<JsValue, JsError> {
    let settings = load_settings(&settings)?;
    // An object is judged as its JSON, which has no lines worth naming.
    let (text, has_lines) = match input.as_string() {
        Some(text) => (text, true),
        None if input.is_object() => (stringify(&input, "the input")?, false),
        None => {
            return Err(JsError::new(
                "validate() takes YAML or JSON text, or a Kubernetes object",
            ))
        }
    };
    let source = Source {
        has_lines,
        ..Source::text(&text)
    };
    let run = pipeline::check_sources(&[source], &settings);
    if !run.empty_sources.is_empty() {
        return Err(JsError::new("no Kubernetes objects: the input is empty"));
    }
    let mut reports = Vec::with_capacity(run.outcomes.len());
    let mut errors = Vec::new();
    for outcome in run.outcomes {
        match outcome.result {
            Ok(report) => reports.push(report),
            Err(e) => {
                let at = e.line.map(|l| format!(" (line {l})")).unwrap_or_default();
                errors.push(format!("document {}{at}: {e}", e.document));
            }
        }
    }
    if !errors.is_empty() {
        return Err(JsError::new(&errors.join("; ")));
    }
    to_js(&reports)
}

/// Checks settings: every problem with its JSON pointer; an empty list when valid.
#[wasm_bindgen(js_name = validateSettings, skip_typescript)]
pub fn validate_settings(settings: JsValue) -> Result<JsValue, JsError> {
    let errors = match settings_document(&settings) {
        Ok(document) => Settings::from_value(&document).err().unwrap_or_default(),
        Err(errors) => errors,
    };
    to_js(&errors)
}

/// Every rule: id, summary, default severity, category, release and documentation.
#[wasm_bindgen(skip_typescript)]
pub fn rules() -> Result<JsValue, JsError> {
    to_js(&sidecar_guard::rules::catalog())
}

thread_local! {
    static SETTINGS: SettingsCache = const { SettingsCache::new() };
}

fn load_settings(settings: &JsValue) -> Result<Rc<Settings>, JsError> {
    // The cache key: the settings as text, or nothing given (the defaults). Anything
    // else has no key and gets `settings_document`'s error.
    let key = if settings.is_undefined() || settings.is_null() {
        String::new()
    } else if let Some(text) = settings.as_string() {
        format!("t{text}")
    } else if settings.is_object() {
        format!("o{}", stringify(settings, "the settings")?)
    } else {
        return Err(invalid_settings(
            &settings_document(settings).err().unwrap_or_default(),
        ));
    };
    SETTINGS
        .with(|cache| {
            cache.get(&key, || {
                // An object's JSON is the key already: read it rather than stringify again.
                let document = match key.strip_prefix('o') {
                    Some(json) => serde_json::from_str(json).map_err(|_| unreadable_object())?,
                    None => settings_document(settings)?,
                };
                Settings::from_value(&document)
            })
        })
        .map_err(|errors| invalid_settings(&errors))
}

fn invalid_settings(errors: &[SettingsError]) -> JsError {
    let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
    JsError::new(&format!("invalid settings: {}", list.join("; ")))
}

fn unreadable_object() -> Vec<SettingsError> {
    vec![SettingsError {
        pointer: String::new(),
        message: "the settings object cannot be read as JSON".to_string(),
    }]
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
        to_value(settings, "the settings").map_err(|_| unreadable_object())
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

fn to_js(value: &impl Serialize) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    JSON::parse(&text).map_err(|_| JsError::new("internal error: the result is not JSON"))
}
