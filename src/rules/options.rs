//! The vocabulary of rule options: what every rule's settings share (a severity
//! override, the roles checked) and what rules are told about the cluster.

use crate::report::Role;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

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
