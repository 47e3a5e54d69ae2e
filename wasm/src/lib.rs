//! The npm module: `validate`, `fix`, `validateSettings` and `rules` for JavaScript. Only
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

use js_sys::{Array, JsString, Object, Reflect, JSON};
use serde::Serialize;
use serde_json::Value;
use sidecar_guard::input::is_read_annotation;
use sidecar_guard::input::yaml::MAX_DOCUMENT_BYTES;
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
    let (text, has_lines) = match input.dyn_ref::<JsString>() {
        Some(text) => (utf8(text)?, true),
        None if input.is_object() => (object_json(&input)?, false),
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

/// What `fix()` returns: the fixed text (or object), the fixes applied, and the reports
/// on what remains.
#[derive(Serialize)]
struct Fixed<'a> {
    output: &'a Value,
    applied: &'a [sidecar_guard::fix::AppliedFix],
    reports: &'a [sidecar_guard::Report],
}

/// Applies the findings' fixes: to YAML/JSON text by byte spans (comments, key order,
/// quoting and flow style of everything unchanged stay as written), or to an object (a
/// fixed copy; the caller's object is untouched). Safe fixes only, unless
/// `options.unsafe` is true. Throws if any document cannot be judged.
#[wasm_bindgen(skip_typescript)]
pub fn fix(input: JsValue, settings: JsValue, options: JsValue) -> Result<JsValue, JsError> {
    let settings = load_settings(&settings)?;
    let unsafe_fixes = options.is_object()
        && Reflect::get(&options, &JsValue::from_str("unsafe"))
            .ok()
            .is_some_and(|v| v.is_truthy());
    let options = sidecar_guard::fix::FixOptions { unsafe_fixes };
    let mut errors = Vec::new();
    let mut reports = Vec::new();
    let (output, applied) = if let Some(text) = input.dyn_ref::<JsString>() {
        let fixed = sidecar_guard::fix::fix_text(&utf8(text)?, &settings, options);
        if fixed.reports.is_empty() {
            return Err(JsError::new("no Kubernetes objects: the input is empty"));
        }
        for result in fixed.reports {
            match result {
                Ok(report) => reports.push(report),
                Err(e) => {
                    let at = e.line.map(|l| format!(" (line {l})")).unwrap_or_default();
                    errors.push(format!("document {}{at}: {e}", e.document));
                }
            }
        }
        (Value::String(fixed.output), fixed.applied)
    } else if input.is_object() {
        // The whole object (not `object_json`'s lean copy): what comes back is all of it.
        let document = to_value(&input, "the input")?;
        let fixed = sidecar_guard::fix::fix_value(&document, &settings, options);
        for result in fixed.reports {
            match result {
                Ok(report) => reports.push(report),
                Err(e) => errors.push(e.to_string()),
            }
        }
        (fixed.value, fixed.applied)
    } else {
        return Err(JsError::new(
            "fix() takes YAML or JSON text, or a Kubernetes object",
        ));
    };
    if !errors.is_empty() {
        return Err(JsError::new(&errors.join("; ")));
    }
    to_js(&Fixed {
        output: &output,
        applied: &applied,
        reports: &reports,
    })
}

#[wasm_bindgen]
extern "C" {
    /// The platform's `TextEncoder` (Node and browsers).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(
        this: &TextEncoder,
        source: &JsString,
        destination: &mut [u8],
    ) -> EncodeIntoResult;
    type EncodeIntoResult;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeIntoResult) -> usize;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeIntoResult) -> usize;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// A JS string as UTF-8, encoded by the platform straight into wasm memory:
/// `as_string` copies it a UTF-16 unit at a time in JavaScript, which cost more than
/// checking the manifest.
fn utf8(text: &JsString) -> Result<String, JsError> {
    let units = text.length() as usize;
    // One byte per UTF-16 unit holds ASCII, what manifests nearly always are; anything
    // else is encoded again into room for the worst case, three bytes per unit.
    let mut bytes = vec![0; units];
    let mut encoded = ENCODER.with(|encoder| encoder.encode_into(text, &mut bytes));
    if encoded.read() < units {
        bytes = vec![0; units.saturating_mul(3)];
        encoded = ENCODER.with(|encoder| encoder.encode_into(text, &mut bytes));
    }
    bytes.truncate(encoded.written());
    String::from_utf8(bytes).map_err(|_| JsError::new("the input is not valid UTF-16 text"))
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

/// An object's JSON for the core. `JSON.stringify` costs in proportion to what it
/// writes, and the rules read few annotations: kubectl's `last-applied-configuration`
/// alone is often half an object. So the string values of the annotations no rule reads
/// are written empty, on a copy (the caller's object is untouched); their type is kept,
/// the one thing the core checks of them. Whenever the copy might not give the same
/// reports as the object itself, the object is stringified as it is.
fn object_json(object: &JsValue) -> Result<String, JsError> {
    if let Some((lean, removed)) = without_unread_annotation_values(object) {
        if let Ok(json) = stringify(&lean, "the input") {
            // A value written in full takes at most six bytes per UTF-16 unit (`\uXXXX`):
            // an object too large for the core as it is stays too large.
            if json.len().saturating_add(removed.saturating_mul(6)) <= MAX_DOCUMENT_BYTES {
                return Ok(json);
            }
        }
    }
    stringify(object, "the input")
}

/// A shallow copy of `object` whose `metadata.annotations` has its unread string values
/// emptied, with how many UTF-16 units were left out; `None` when there is nothing to
/// leave out or the object is not plain data (`JSON.stringify` would call a `toJSON`,
/// read an array's elements, or a getter throws), so the copy could differ.
fn without_unread_annotation_values(object: &JsValue) -> Option<(Object, usize)> {
    let plain = |value: &JsValue| {
        value.is_object()
            && !Array::is_array(value)
            && !Reflect::has(value, &JsValue::from_str("toJSON")).unwrap_or(true)
    };
    let field = |value: &JsValue, name: &str| {
        Reflect::get(value, &JsValue::from_str(name))
            .ok()
            .filter(|v| plain(v))
    };
    if !plain(object) {
        return None;
    }
    let metadata = field(object, "metadata")?;
    let annotations = field(&metadata, "annotations")?;
    let lean_annotations = Object::new();
    let mut removed = 0usize;
    let annotations: &Object = annotations.unchecked_ref();
    for key in Object::keys(annotations).iter() {
        let value = Reflect::get(annotations, &key).ok()?;
        let unread = key.as_string().is_some_and(|k| !is_read_annotation(&k));
        let kept = match value.dyn_ref::<JsString>() {
            Some(text) if unread && text.length() > 0 => {
                removed += text.length() as usize;
                JsValue::from_str("")
            }
            _ => value,
        };
        Reflect::set(&lean_annotations, &key, &kept).ok()?;
    }
    if removed == 0 {
        return None;
    }
    let metadata: &Object = metadata.unchecked_ref();
    let object: &Object = object.unchecked_ref();
    let lean_metadata = Object::assign(&Object::new(), metadata);
    Reflect::set(
        &lean_metadata,
        &JsValue::from_str("annotations"),
        &lean_annotations,
    )
    .ok()?;
    let lean = Object::assign(&Object::new(), object);
    Reflect::set(&lean, &JsValue::from_str("metadata"), &lean_metadata).ok()?;
    Some((lean, removed))
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
        .dyn_ref::<JsString>()
        .map(utf8)
        .ok_or_else(|| JsError::new(&format!("{what} cannot be converted to JSON")))?
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
