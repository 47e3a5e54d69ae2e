//! Typed settings: one structure (camelCase keys, unknown keys rejected), defaults in one
//! place, and loading that reports every error at once with its JSON pointer.
//!
//! `policies/settings.schema.json` is generated from these types (`cargo xtask codegen`)
//! and checked for freshness by a test. Loading validates a document against that schema
//! with the small validator in `schema_check` (the wasm builds cannot afford the
//! `jsonschema` crate), then deserialises it. The native CLI validates with `jsonschema` instead;
//! a test proves both agree.

mod cache;
pub mod schema_check;

pub use cache::SettingsCache;

use crate::glob::Glob;
use crate::quantity::{PositiveNumber, Quantity};
use crate::rules::options::KubernetesVersion;
use crate::rules::RulesSettings;
use crate::sidecars::SidecarSettings;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// The settings of sidecar-guard. Empty settings mean the defaults.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Settings {
    /// The Kubernetes version the objects are for, like "1.33". Gates version-dependent
    /// findings (native sidecars need 1.29, pod-level resources 1.34).
    pub kubernetes_version: KubernetesVersion,
    /// Whether workload authors may exempt their objects with the
    /// `sidecar-guard.io/ignore` annotation. Cluster admins set false to forbid it.
    pub allow_ignore_annotation: bool,
    /// Containers whose image matches one of these globs are skipped by every rule.
    /// Matched against the image as written, tag and digest included.
    pub exempt_images: Vec<Glob>,
    /// Extra classic-sidecar recognition, added to the built-in catalogue.
    pub sidecars: SidecarSettings,
    /// Per-rule settings, keyed by rule id.
    pub rules: RulesSettings,
    /// Whether the Kubewarden policy fetches, from the namespace of the object it judges,
    /// the ConfigMaps that sidecars with a config reader mount (Envoy's bootstrap, Fluentd's
    /// fluent.conf), so that rules read their config as the CLI reads ConfigMaps given
    /// beside the workload. Needs `get` on ConfigMaps for policy-server's service account;
    /// false: no lookups, and such config is unknown. The CLI and the npm module read only
    /// the ConfigMaps of their input, whatever this says.
    pub cluster_context: bool,
    /// Whether the Kubewarden policy fixes what it admits: it answers with the object its
    /// safe fixes correct (as `check --fix` writes them), accepts what the fixes resolve,
    /// rejects what remains and lists each fix as an admission warning. Needs a policy
    /// deployed with `mutating: true` (policy-server rejects mutations otherwise). On an
    /// UPDATE only the containers the update adds or changes are fixed, and never a Pod's
    /// (its spec is immutable). The CLI and the npm module ignore it.
    pub mutate: bool,
    /// With `mutate`, the unsafe fixes too (as `--unsafe-fixes`): sidecars moved into
    /// `initContainers`, requests and limits filled in from `rules.container-resources.defaults`.
    pub mutate_unsafe: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            kubernetes_version: KubernetesVersion::DEFAULT,
            allow_ignore_annotation: true,
            exempt_images: Vec::new(),
            sidecars: SidecarSettings::default(),
            rules: RulesSettings::default(),
            cluster_context: true,
            mutate: false,
            mutate_unsafe: false,
        }
    }
}

/// One problem with a settings document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsError {
    /// JSON pointer of the offending key or value ("" for the document itself).
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {}", self.message)
    }
}

impl std::error::Error for SettingsError {}

/// Formats for the schema's `format` keyword that only our parsers can check. The CLI
/// registers the same checks with `jsonschema`.
pub fn check_format(format: &str, text: &str) -> Option<Result<(), String>> {
    let result = match format {
        "glob" => Glob::new(text)
            .map(|_| ())
            .map_err(|e| format!("glob {text:?} {e}")),
        "quantity" => Quantity::parse(text)
            .map(|_| ())
            .map_err(|e| format!("quantity {text:?} {e}")),
        "kubernetes-version" => KubernetesVersion::parse(text).map(|_| ()),
        "positive-number" => PositiveNumber::parse(text).map(|_| ()),
        _ => return None,
    };
    Some(result)
}

/// The published JSON Schema of the settings, generated from the types above.
pub fn json_schema() -> Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Settings>();
    schema.to_value()
}

/// The schema as committed in `policies/settings.schema.json` (kept fresh by a test).
pub const SCHEMA_TEXT: &str = include_str!("../../policies/settings.schema.json");

/// The bundled schema, parsed once: the admission path loads settings on every request.
fn bundled_schema() -> Result<&'static Value, String> {
    static SCHEMA: std::sync::OnceLock<Result<Value, String>> = std::sync::OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            serde_json::from_str(SCHEMA_TEXT)
                .map_err(|e| format!("the bundled settings schema is unreadable: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

impl Settings {
    /// Loads settings from a parsed document, reporting every problem at once. `null`
    /// means the defaults.
    pub fn from_value(document: &Value) -> Result<Settings, Vec<SettingsError>> {
        if document.is_null() {
            return Ok(Settings::default());
        }
        let schema = bundled_schema().map_err(|message| {
            vec![SettingsError {
                pointer: String::new(),
                message,
            }]
        })?;
        let errors = crate::settings::schema_check::validate(schema, document);
        if !errors.is_empty() {
            return Err(errors);
        }
        Self::deserialize_checked(document)
    }

    /// Deserialises a document that has passed schema validation (by either validator).
    pub fn deserialize_checked(document: &Value) -> Result<Settings, Vec<SettingsError>> {
        if document.is_null() {
            return Ok(Settings::default());
        }
        let settings: Settings = serde_path_to_error::deserialize(document).map_err(|e| {
            vec![SettingsError {
                pointer: crate::pointer::from_serde_path(e.path()),
                message: e.inner().to_string(),
            }]
        })?;
        let errors = settings.cross_field_errors();
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err(errors)
        }
    }

    /// What the schema cannot say: unsafe mutations without mutations; a resource limit
    /// both required and only advised; a default request above its role's default limit
    /// (a fix would write what the API server rejects).
    fn cross_field_errors(&self) -> Vec<SettingsError> {
        let mut errors = Vec::new();
        if self.mutate_unsafe && !self.mutate {
            // Alone it would do nothing: say so rather than let an admin believe it fixes.
            errors.push(SettingsError {
                pointer: "/mutateUnsafe".to_string(),
                message: "mutateUnsafe needs mutate: true".to_string(),
            });
        }
        let resources = &self.rules.container_resources;
        errors.extend(
            resources
                .advised_limits
                .iter()
                .enumerate()
                .filter(|(_, name)| resources.limits.contains(name))
                .map(|(i, name)| SettingsError {
                    pointer: format!("/rules/container-resources/advisedLimits/{i}"),
                    message: format!(
                    "{name:?} is in limits (required) and in advisedLimits (advice): keep it in one"
                ),
                }),
        );
        for (role, defaults) in resources.defaults.roles() {
            for (name, request) in defaults.into_iter().flat_map(|d| &d.requests) {
                let limit = defaults.and_then(|d| d.limits.get(name));
                if let Some(limit) = limit.filter(|l| request.value > l.value) {
                    errors.push(SettingsError {
                        pointer: format!(
                            "/rules/container-resources/defaults/{role}/requests/{}",
                            crate::pointer::escape(name)
                        ),
                        message: format!(
                            "default request {:?} is above the default limit {:?}",
                            request.text, limit.text
                        ),
                    });
                }
            }
        }
        errors
    }

    /// Loads settings from YAML or JSON text.
    pub fn from_text(text: &str) -> Result<Settings, Vec<SettingsError>> {
        Self::from_value(&parse_settings_text(text)?)
    }
}

/// Parses settings text (YAML or JSON, one document) into a value.
pub fn parse_settings_text(text: &str) -> Result<Value, Vec<SettingsError>> {
    let mut documents =
        crate::input::yaml::parse_stream(text, crate::input::yaml::Options::default());
    if documents.len() > 1 {
        return Err(vec![SettingsError {
            pointer: String::new(),
            message: format!("expected one settings document, found {}", documents.len()),
        }]);
    }
    match documents.pop() {
        None => Ok(Value::Null),
        Some(Ok(doc)) => Ok(doc.value),
        Some(Err(e)) => Err(vec![SettingsError {
            pointer: String::new(),
            message: e.to_string(),
        }]),
    }
}

/// Validates a settings document with the `jsonschema` crate against the published
/// schema, with our format checks registered: the CLI's path. Unknown keys are reported
/// one by one at their own pointer, like the built-in validator does.
#[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
pub fn validate_with_jsonschema(document: &Value) -> Vec<SettingsError> {
    let schema: Value = match serde_json::from_str(SCHEMA_TEXT) {
        Ok(schema) => schema,
        Err(e) => {
            return vec![SettingsError {
                pointer: String::new(),
                message: format!("the bundled settings schema is unreadable: {e}"),
            }]
        }
    };
    let mut options = jsonschema::options().should_validate_formats(true);
    for format in ["glob", "quantity", "kubernetes-version", "positive-number"] {
        options = options.with_format(format, move |text: &str| {
            matches!(check_format(format, text), Some(Ok(())))
        });
    }
    let validator = match options.build(&schema) {
        Ok(v) => v,
        Err(e) => {
            return vec![SettingsError {
                pointer: String::new(),
                message: format!("the bundled settings schema is invalid: {e}"),
            }]
        }
    };
    // An unknown key's message names the keys expected there, worded as the built-in
    // validator words it, so that the CLI says the same on every platform (its WASI build,
    // in the npm package, validates with the built-in one).
    let builtin = schema_check::validate(&schema, document);
    let unknown_key_message = |pointer: &str, key: &str| {
        builtin
            .iter()
            .find(|e| e.pointer == pointer)
            .map_or_else(|| format!("unknown key {key:?}"), |e| e.message.clone())
    };
    let mut errors = Vec::new();
    for error in validator.iter_errors(document) {
        let pointer = error.instance_path().as_str().to_string();
        match error.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    let pointer = format!("{pointer}/{}", crate::pointer::escape(key));
                    let message = unknown_key_message(&pointer, key);
                    errors.push(SettingsError { pointer, message });
                }
            }
            jsonschema::error::ValidationErrorKind::Format { format } => {
                let message = document
                    .pointer(&pointer)
                    .and_then(Value::as_str)
                    .and_then(|text| check_format(format, text))
                    .and_then(Result::err)
                    .unwrap_or_else(|| error.to_string());
                errors.push(SettingsError { pointer, message });
            }
            _ => errors.push(SettingsError {
                pointer,
                message: error.to_string(),
            }),
        }
    }
    errors
}
