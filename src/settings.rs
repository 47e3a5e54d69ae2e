//! Typed settings: one structure (camelCase keys, unknown keys rejected), defaults in one
//! place, and loading that reports every error at once with its JSON pointer.
//!
//! `policies/settings.schema.json` is generated from these types (`cargo run --bin codegen`)
//! and checked for freshness by a test. Loading validates a document against that schema
//! with the small validator in `schema_check` (the wasm builds cannot afford the
//! `jsonschema` crate), then deserialises it. The CLI validates with `jsonschema` instead;
//! a test proves both agree.

use crate::glob::Glob;
use crate::quantity::Quantity;
use crate::report::Role;
use crate::rules::RulesSettings;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
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
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            kubernetes_version: KubernetesVersion::DEFAULT,
            allow_ignore_annotation: true,
            exempt_images: Vec::new(),
            sidecars: SidecarSettings::default(),
            rules: RulesSettings::default(),
        }
    }
}

/// Globs that mark a `spec.containers` entry as a classic sidecar.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SidecarSettings {
    /// Globs on the image repository path (registry, tag and digest stripped, lower case),
    /// like "corp/log-agent*".
    pub images: Vec<Glob>,
    /// Globs on the container name, like "*-sidecar".
    pub names: Vec<Glob>,
}

/// A per-rule severity override: `deny` makes the rule's warnings deny too, `warn` turns
/// its denials into warnings, `off` silences it. An unquoted `off` is the boolean false
/// in YAML 1.1 (and so in kubectl-applied policy settings): false means `off` too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeverityOverride {
    Deny,
    Warn,
    Off,
}

impl Serialize for SeverityOverride {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(match self {
            SeverityOverride::Deny => "deny",
            SeverityOverride::Warn => "warn",
            SeverityOverride::Off => "off",
        })
    }
}

impl<'de> Deserialize<'de> for SeverityOverride {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(s) if s == "deny" => Ok(SeverityOverride::Deny),
            Value::String(s) if s == "warn" => Ok(SeverityOverride::Warn),
            Value::String(s) if s == "off" => Ok(SeverityOverride::Off),
            Value::Bool(false) => Ok(SeverityOverride::Off),
            other => Err(serde::de::Error::custom(format!(
                "expected deny, warn or off, found {other}"
            ))),
        }
    }
}

impl JsonSchema for SeverityOverride {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SeverityOverride".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "enum": ["deny", "warn", "off", false],
            "description": "deny | warn | off (false, as YAML 1.1 reads an unquoted off, means off)."
        })
    }
}

/// A role a rule can be told to check. `ephemeral` is not one: only `readonly-log-mounts`
/// judges ephemeral containers, and always does.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum CheckedRole {
    App,
    Sidecar,
    NativeSidecar,
    Init,
}

impl CheckedRole {
    pub fn role(self) -> Role {
        match self {
            CheckedRole::App => Role::App,
            CheckedRole::Sidecar => Role::Sidecar,
            CheckedRole::NativeSidecar => Role::NativeSidecar,
            CheckedRole::Init => Role::Init,
        }
    }
}

/// True when `role` is one of `roles`.
pub fn role_selected(roles: &[CheckedRole], role: Role) -> bool {
    roles.iter().any(|r| r.role() == role)
}

/// A Kubernetes minor version (`"1.33"`, also `"v1.33"` or `"1.33.2"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubernetesVersion {
    pub minor: u32,
}

impl KubernetesVersion {
    pub const DEFAULT: KubernetesVersion = KubernetesVersion { minor: 33 };

    pub fn parse(text: &str) -> Result<KubernetesVersion, String> {
        let bare = text.strip_prefix('v').unwrap_or(text);
        let mut parts = bare.split('.');
        let major = parts.next().unwrap_or_default();
        let minor = parts.next().unwrap_or_default();
        let patch = parts.next();
        let numeric =
            |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
        if major != "1"
            || !numeric(minor)
            || patch.is_some_and(|p| !numeric(p))
            || parts.next().is_some()
        {
            return Err(format!(
                "{text:?} is not a Kubernetes version like \"1.33\""
            ));
        }
        minor
            .parse()
            .map(|minor| KubernetesVersion { minor })
            .map_err(|_| format!("{text:?} is not a Kubernetes version like \"1.33\""))
    }

    pub fn at_least(self, minor: u32) -> bool {
        self.minor >= minor
    }
}

impl fmt::Display for KubernetesVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1.{}", self.minor)
    }
}

impl Serialize for KubernetesVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KubernetesVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        KubernetesVersion::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for KubernetesVersion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "KubernetesVersion".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "kubernetes-version",
            "description": "A Kubernetes version like \"1.33\" (quote it in YAML: 1.30 unquoted is the number 1.3)."
        })
    }
}

/// A resource quantity in settings: a string (`"500m"`, `"1Gi"`) or a plain number.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantityValue {
    pub text: String,
    pub value: Quantity,
}

impl Serialize for QuantityValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for QuantityValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = match Value::deserialize(deserializer)? {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected a quantity like \"500m\" or \"1Gi\", found {other}"
                )))
            }
        };
        let value = Quantity::parse(&text)
            .map_err(|e| serde::de::Error::custom(format!("quantity {text:?} {e}")))?;
        Ok(QuantityValue { text, value })
    }
}

impl JsonSchema for QuantityValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quantity".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": ["string", "number"],
            "format": "quantity",
            "minimum": 0,
            "description": "A Kubernetes quantity like \"500m\", \"128Mi\" or 2."
        })
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
        "positive-number" => {
            crate::rules::container_resources::PositiveNumber::parse(text).map(|_| ())
        }
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
pub const SCHEMA_TEXT: &str = include_str!("../policies/settings.schema.json");

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
        let errors = crate::schema_check::validate(schema, document);
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
        serde_path_to_error::deserialize(document).map_err(|e| {
            vec![SettingsError {
                pointer: path_to_pointer(e.path()),
                message: e.inner().to_string(),
            }]
        })
    }

    /// Loads settings from YAML or JSON text.
    pub fn from_text(text: &str) -> Result<Settings, Vec<SettingsError>> {
        Self::from_value(&parse_settings_text(text)?)
    }
}

/// Parses settings text (YAML or JSON, one document) into a value.
pub fn parse_settings_text(text: &str) -> Result<Value, Vec<SettingsError>> {
    let mut documents = crate::yaml::parse_stream(text, crate::yaml::Options::default());
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

pub(crate) fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        let part = match segment {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } => crate::yaml::escape_pointer(key).into_owned(),
            Segment::Enum { variant } => crate::yaml::escape_pointer(variant).into_owned(),
            Segment::Unknown => continue,
        };
        pointer.push('/');
        pointer.push_str(&part);
    }
    pointer
}

/// Validates a settings document with the `jsonschema` crate against the published
/// schema, with our format checks registered: the CLI's path. Unknown keys are reported
/// one by one at their own pointer, like the built-in validator does.
#[cfg(feature = "cli")]
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
    let mut errors = Vec::new();
    for error in validator.iter_errors(document) {
        let pointer = error.instance_path().as_str().to_string();
        match error.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                for key in unexpected {
                    errors.push(SettingsError {
                        pointer: format!("{pointer}/{}", crate::yaml::escape_pointer(key)),
                        message: format!("unknown key {key:?}"),
                    });
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
