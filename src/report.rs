//! Findings and reports: data only. Renderers (CLI, policy, npm) format them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a finding is. `deny` rejects an admission and makes the CLI exit 1;
/// `warn` is shown (kubectl prints admission warnings) but lets the object through.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warn,
    Deny,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warn => "warn",
            Severity::Deny => "deny",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a container is for, as far as the rules are concerned (see `roles`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A `spec.containers` entry that is not a sidecar.
    App,
    /// A `spec.containers` entry recognised as a sidecar (a classic sidecar).
    Sidecar,
    /// An `initContainers` entry with `restartPolicy: Always`.
    NativeSidecar,
    /// Any other `initContainers` entry (runs to completion before the app starts).
    Init,
    /// An `ephemeralContainers` entry (debugging).
    Ephemeral,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::App,
        Role::Sidecar,
        Role::NativeSidecar,
        Role::Init,
        Role::Ephemeral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::App => "app",
            Role::Sidecar => "sidecar",
            Role::NativeSidecar => "native-sidecar",
            Role::Init => "init",
            Role::Ephemeral => "ephemeral",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id (`container-probes`), or `ignore-annotation` for problems with the exemption
    /// annotation itself.
    pub rule: String,
    pub severity: Severity,
    /// The container's name; null for pod-level findings.
    pub container: Option<String>,
    /// The container's role; null for pod-level findings.
    pub role: Option<Role>,
    /// JSON pointer into the object as given.
    pub path: String,
    /// The fact: names the container and what is wrong.
    pub message: String,
    /// What to write instead.
    pub help: String,
    /// The injector that added the container (`istio`), for findings on injected
    /// containers: the workload author changes them through the injector's annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub injected_by: Option<String>,
    /// Position of the container in pod order (init containers, then containers); pod-level
    /// findings sort first. Used for the stable order only.
    #[serde(skip)]
    pub position: Option<usize>,
}

impl Finding {
    fn sort_key(&self) -> (Option<usize>, &str, &str, &str) {
        (self.position, &self.rule, &self.path, &self.message)
    }
}

/// Whether an object was judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A pod-carrying kind: the rules ran.
    Checked,
    /// A kind without a pod template: nothing to check.
    Skipped,
}

/// The verdict on one Kubernetes object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub kind: String,
    pub api_version: String,
    pub name: Option<String>,
    /// `metadata.generateName`, for an object the API server will name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<String>,
    pub namespace: Option<String>,
    /// JSON pointer of this object in the document (empty, or `/items/N` inside a List).
    pub pointer: String,
    pub status: Status,
    /// True when no finding is `deny`.
    pub allowed: bool,
    pub findings: Vec<Finding>,
    /// Containers an injector added, as the pod's annotations record it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub injected: Vec<InjectedContainer>,
    /// Why an object of a pod-carrying kind was not judged (a patch, a partial object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
}

/// A container an injector added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjectedContainer {
    pub container: String,
    pub injected_by: String,
}

impl Report {
    pub(crate) fn new(
        kind: &str,
        api_version: &str,
        name: Option<String>,
        namespace: Option<String>,
        pointer: String,
        status: Status,
        mut findings: Vec<Finding>,
    ) -> Report {
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings.dedup();
        let allowed = findings.iter().all(|f| f.severity != Severity::Deny);
        Report {
            kind: kind.to_string(),
            api_version: api_version.to_string(),
            name,
            generate_name: None,
            namespace,
            pointer,
            status,
            allowed,
            findings,
            injected: Vec::new(),
            skip_reason: None,
        }
    }

    /// An object that is not judged, and why (a patch, a partial object).
    pub fn skipped(
        kind: &str,
        api_version: &str,
        name: Option<String>,
        namespace: Option<String>,
        pointer: String,
        reason: String,
    ) -> Report {
        let mut report = Report::new(
            kind,
            api_version,
            name,
            namespace,
            pointer,
            Status::Skipped,
            Vec::new(),
        );
        report.skip_reason = Some(reason);
        report
    }

    pub fn denials(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Deny)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warn)
    }

    /// The name to show: the name, else `generateName` with `<generated>` for the
    /// suffix the API server adds, else `<unnamed>`.
    pub fn shown_name(&self) -> String {
        match (&self.name, &self.generate_name) {
            (Some(name), _) => name.clone(),
            (None, Some(prefix)) => format!("{prefix}<generated>"),
            (None, None) => "<unnamed>".to_string(),
        }
    }

    /// `Kind/name` (or `Kind/<unnamed>`), for messages.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind, self.shown_name())
    }
}

impl Report {
    /// The report as the CLI's JSON and the npm module present it: identity, verdict and
    /// findings, each finding with the source line `line_of` finds for its pointer.
    pub fn to_json(&self, mut line_of: impl FnMut(&str) -> Option<usize>) -> serde_json::Value {
        let findings: Vec<serde_json::Value> = self
            .findings
            .iter()
            .map(|f| {
                let mut finding = serde_json::json!({
                    "rule": f.rule,
                    "severity": f.severity,
                    "container": f.container,
                    "role": f.role,
                    "path": f.path,
                    "message": f.message,
                    "help": f.help,
                    "line": line_of(&f.path),
                });
                if let (Some(injector), Some(object)) = (&f.injected_by, finding.as_object_mut()) {
                    object.insert("injectedBy".into(), injector.as_str().into());
                }
                finding
            })
            .collect();
        let mut report = serde_json::json!({
            "kind": self.kind,
            "apiVersion": self.api_version,
            "name": self.name,
            "namespace": self.namespace,
            "pointer": self.pointer,
            "status": self.status,
            "allowed": self.allowed,
            "findings": findings,
        });
        if let Some(object) = report.as_object_mut() {
            if !self.injected.is_empty() {
                let injected: Vec<serde_json::Value> = self
                    .injected
                    .iter()
                    .map(|i| serde_json::json!({"container": i.container, "injectedBy": i.injected_by}))
                    .collect();
                object.insert("injected".into(), injected.into());
            }
            if let Some(reason) = &self.skip_reason {
                object.insert("skipReason".into(), reason.as_str().into());
            }
            if let Some(prefix) = &self.generate_name {
                object.insert("generateName".into(), prefix.as_str().into());
            }
        }
        report
    }
}
