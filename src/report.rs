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

/// What a container is for, as far as the rules are concerned.
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

// The serde derives of `Finding`, `Report` and `InjectedContainer` are the wire shape
// (the CLI's JSON, the npm module's objects); `cargo xtask codegen` writes the TypeScript
// declarations from them.

/// One problem found in one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Rule id (`container-probes`), or `ignore-annotation` for problems with the exemption
    /// annotation itself.
    pub rule: String,
    pub severity: Severity,
    /// The container's name; null for pod-level findings.
    pub container: Option<String>,
    /// The container's role; null for pod-level findings.
    pub role: Option<Role>,
    /// Why the container has its role: the catalogue entry, a settings glob, the injector,
    /// the workload's name, or what its command does. Absent on pod-level findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_reason: Option<String>,
    /// JSON pointer into the object as given.
    pub path: String,
    /// The fact: names the container and what is wrong.
    pub message: String,
    /// What to write instead.
    pub help: String,
    /// 1-based line of `path` in the input text; null when the input was not text.
    #[serde(default)]
    pub line: Option<usize>,
    /// The injector that added the container (`istio`, `linkerd`, …), for findings on
    /// injected containers: what the workload's author can change goes through the
    /// injector's annotations (`help` names them); what only the mesh's operator can
    /// change is a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub injected_by: Option<String>,
    /// A mechanical fix, where one exists: JSON Patch operations on the object as given.
    /// Absent where no fix is safe to write by machine (a probe, a bind address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// Position of the container in pod order (init containers, then containers); pod-level
    /// findings sort first. Used for the stable order only.
    #[serde(skip)]
    pub position: Option<usize>,
}

/// Whether a fix can change what the workload does.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Cannot change what the workload does (`check --fix` applies it).
    Safe,
    /// Changes behaviour the author should review (`--unsafe-fixes` applies it too).
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// A finding's fix: JSON Patch (RFC 6902) operations, applied in order, on the object as
/// given (pointers as in the finding's `path`, from the document's root).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    /// One line: what the fix does.
    pub title: String,
    pub applicability: Applicability,
    pub operations: Vec<PatchOperation>,
}

/// One JSON Patch (RFC 6902) operation: only the ones fixes write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum PatchOperation {
    Add {
        path: String,
        value: serde_json::Value,
    },
    Remove {
        path: String,
    },
    Replace {
        path: String,
        value: serde_json::Value,
    },
    Move {
        from: String,
        path: String,
    },
}

impl Finding {
    fn sort_key(&self) -> (Option<usize>, &str, &str, &str) {
        (self.position, &self.rule, &self.path, &self.message)
    }
}

/// Whether an object was judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A pod-carrying kind: the rules ran.
    Checked,
    /// A kind without a pod template, or a partial object (see `skipReason`).
    Skipped,
}

impl Status {
    pub const ALL: [Status; 2] = [Status::Checked, Status::Skipped];
}

/// Which object a report is about, as its document names it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectIdentity {
    pub kind: String,
    pub api_version: String,
    pub name: Option<String>,
    /// The prefix the API server names the object from, when it has no name yet.
    pub generate_name: Option<String>,
    pub namespace: Option<String>,
    /// Pointer of the object in its document ("" or "/items/N").
    pub pointer: String,
}

/// The verdict on one Kubernetes object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub kind: String,
    pub api_version: String,
    pub name: Option<String>,
    /// `metadata.generateName`, for an object the API server will name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate_name: Option<String>,
    pub namespace: Option<String>,
    /// JSON pointer of the object in its document ("" or "/items/N").
    pub pointer: String,
    pub status: Status,
    /// True when no finding is "deny".
    pub allowed: bool,
    pub findings: Vec<Finding>,
    /// Containers an injector added, as the pod's annotations record it; absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub injected: Vec<InjectedContainer>,
    /// Why an object of a pod-carrying kind was not judged (a patch, a partial object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// 0-based index of the document in its input.
    #[serde(default)]
    pub document: usize,
    /// 1-based line where the object starts in the input text; null when the input was
    /// not text.
    #[serde(default)]
    pub line: Option<usize>,
}

/// A container an injector added, as the pod's annotations record it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InjectedContainer {
    pub container: String,
    pub injected_by: String,
}

impl Report {
    /// The report on an object: findings in their stable order, duplicates dropped, the
    /// verdict from their severities.
    pub(crate) fn new(
        object: ObjectIdentity,
        status: Status,
        mut findings: Vec<Finding>,
    ) -> Report {
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings.dedup();
        let allowed = findings.iter().all(|f| f.severity != Severity::Deny);
        Report {
            kind: object.kind,
            api_version: object.api_version,
            name: object.name,
            generate_name: object.generate_name,
            namespace: object.namespace,
            pointer: object.pointer,
            status,
            allowed,
            findings,
            injected: Vec::new(),
            skip_reason: None,
            document: 0,
            line: None,
        }
    }

    /// An object that is not judged, and why (a patch, a partial object).
    pub fn skipped(object: ObjectIdentity, reason: String) -> Report {
        let mut report = Report::new(object, Status::Skipped, Vec::new());
        report.skip_reason = Some(reason);
        report
    }

    /// Keeps only the findings `keep` accepts, and judges again whether the object is
    /// allowed.
    pub fn retain_findings(&mut self, keep: impl FnMut(&Finding) -> bool) {
        self.findings.retain(keep);
        self.allowed = self.findings.iter().all(|f| f.severity != Severity::Deny);
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

    /// Sets the lines of the object and its findings from their pointers; the object's
    /// line falls back to `start`, where its document begins.
    pub(crate) fn locate(&mut self, line_of: impl Fn(&str) -> Option<usize>, start: Option<usize>) {
        self.line = line_of(&self.pointer).or(start);
        for finding in &mut self.findings {
            finding.line = line_of(&finding.path);
        }
    }
}
