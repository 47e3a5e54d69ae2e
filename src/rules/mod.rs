//! The `Rule` trait, the findings collector, and `ALL`: the one registry that every
//! front end iterates (checks, `rules` listings, docs, schema, SARIF metadata).

use crate::model::PodSpec;
use crate::report::{Finding, Fix, Severity};
use crate::sidecars::roles::ContainerRef;
pub use crate::sidecars::InjectedFindings;
use options::{KubernetesVersion, SeverityOverride};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Identity and documentation of a rule, declared beside its code with `declare_rule!`.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    /// One line, for tables and listings.
    pub summary: &'static str,
    pub category: &'static str,
    /// The release the rule appeared in.
    pub since: &'static str,
    /// The most severe finding the rule emits by default.
    pub default_severity: Severity,
    /// The rule's doc comment (Markdown, fixed sections), its user documentation.
    pub docs: &'static str,
}

impl RuleMeta {
    /// The docs with the one leading space of each doc-comment line removed.
    pub fn docs_markdown(&self) -> String {
        self.docs
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Declares a rule's unit struct with its doc comment and metadata together.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            id: $id:literal,
            summary: $summary:literal,
            category: $category:literal,
            since: $since:literal,
            default_severity: $severity:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl $name {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                id: $id,
                summary: $summary,
                category: $category,
                since: $since,
                default_severity: $crate::report::Severity::$severity,
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}

/// What every rule's settings carry besides their own options.
pub trait RuleSettings {
    fn severity(&self) -> Option<SeverityOverride>;
}

/// A rule: reads one pod, writes findings. Never parses, never formats.
pub trait Rule: Sync {
    type Settings: RuleSettings + Default + Clone;
    fn check(&self, pod: &Pod<'_>, settings: &Self::Settings, out: &mut Findings);
}

/// The rule as the registry sees it: no settings type.
pub trait RegisteredRule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn severity_override(&self, settings: &RulesSettings) -> Option<SeverityOverride>;
    fn run(&self, pod: &Pod<'_>, settings: &RulesSettings, out: &mut Findings);
}

// Runs at compile time only (in const assertions), where a bad index fails the build.
#[allow(clippy::indexing_slicing)]
const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Builds the registry and the settings struct keyed by rule id from one list. The id
/// literal must equal the rule's declared id: checked at compile time.
macro_rules! registry {
    ($($module:ident :: $rule:ident => $field:ident : $id:literal),* $(,)?) => {

        /// Settings of each rule, keyed by rule id.
        #[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields, default)]
        pub struct RulesSettings {
            $(
                #[serde(rename = $id)]
                pub $field: <$module::$rule as Rule>::Settings,
            )*
        }

        $(
            const _: () = assert!(same_str($id, $module::$rule::META.id), "registry id differs from the rule's declared id");

            impl RegisteredRule for $module::$rule {
                fn meta(&self) -> &'static RuleMeta {
                    &$module::$rule::META
                }
                fn severity_override(&self, settings: &RulesSettings) -> Option<SeverityOverride> {
                    settings.$field.severity()
                }
                fn run(&self, pod: &Pod<'_>, settings: &RulesSettings, out: &mut Findings) {
                    Rule::check(self, pod, &settings.$field, out)
                }
            }
        )*

        /// Every rule, in the order their findings are reported for the same container.
        pub static ALL: &[&dyn RegisteredRule] = &[$(&$module::$rule),*];
    };
}

// Declared outside `registry!` so that rustfmt and `cargo fmt --check` reach the files.
mod args;
pub mod auth_proxy_bypass;
pub mod container_probes;
pub mod container_resources;
pub mod localhost_admin_ports;
pub mod native_sidecars;
pub mod options;
pub mod port_conflicts;
pub mod readonly_log_mounts;
pub mod shared_process_namespace;

registry! {
    container_resources::ContainerResources => container_resources: "container-resources",
    container_probes::ContainerProbes => container_probes: "container-probes",
    readonly_log_mounts::ReadonlyLogMounts => readonly_log_mounts: "readonly-log-mounts",
    localhost_admin_ports::LocalhostAdminPorts => localhost_admin_ports: "localhost-admin-ports",
    native_sidecars::NativeSidecars => native_sidecars: "native-sidecars",
    port_conflicts::PortConflicts => port_conflicts: "port-conflicts",
    shared_process_namespace::SharedProcessNamespace => shared_process_namespace: "shared-process-namespace",
    auth_proxy_bypass::AuthProxyBypass => auth_proxy_bypass: "auth-proxy-bypass",
}

/// Every rule id, in registry order.
pub fn ids() -> Vec<&'static str> {
    ALL.iter().map(|r| r.meta().id).collect()
}

/// Looks a rule up by id.
pub fn find(id: &str) -> Option<&'static dyn RegisteredRule> {
    ALL.iter().copied().find(|r| r.meta().id == id)
}

/// Settings of a rule that has no options besides its severity.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SeverityOnly {
    /// deny | warn | off; unset keeps each finding's default severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityOverride>,
}

impl RuleSettings for SeverityOnly {
    fn severity(&self) -> Option<SeverityOverride> {
        self.severity
    }
}

/// What a rule sees of one pod.
pub struct Pod<'a> {
    /// The kind of the object the pod comes from (`Deployment`, `Pod`, …).
    pub kind: &'a str,
    pub spec: &'a PodSpec<'a>,
    /// JSON pointer of the pod spec in the document.
    pub spec_pointer: &'a str,
    /// `restartPolicy` Never/OnFailure, or a Job/CronJob.
    pub run_to_completion: bool,
    /// The object's namespace, where written (finds its ConfigMaps in `context`).
    pub namespace: Option<&'a str>,
    /// Related objects of the same input.
    pub context: &'a crate::input::context::Context,
    /// Which input the object came from (see `Context::from_inputs`).
    pub origin: usize,
    /// Init containers and containers, classified, in pod order; exempt ones left out.
    pub containers: Vec<ContainerRef<'a>>,
    /// Ephemeral containers (role `ephemeral`), for the rules that apply to them.
    pub ephemeral: Vec<ContainerRef<'a>>,
    /// The Kubernetes version the objects are for (gates version-dependent findings).
    pub kubernetes_version: KubernetesVersion,
}

impl<'a> Pod<'a> {
    /// The containers whose role is selected.
    pub fn with_roles<'s>(
        &'s self,
        roles: &'s [options::CheckedRole],
    ) -> impl Iterator<Item = &'s ContainerRef<'a>> + 's {
        self.containers
            .iter()
            .filter(move |c| options::role_selected(roles, c.role))
    }

    pub fn pointer(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.spec_pointer)
    }
}

/// Exemptions granted by the ignore annotation: (rule, container or every container).
#[derive(Clone, Debug, Default)]
pub struct Exemptions {
    entries: Vec<(String, Option<String>)>,
}

impl Exemptions {
    pub fn add(&mut self, rule: &str, container: Option<&str>) {
        self.entries
            .push((rule.to_string(), container.map(str::to_string)));
    }

    fn covers(&self, rule: &str, container: Option<&str>) -> bool {
        self.entries.iter().any(|(r, c)| {
            r == rule
                && match c {
                    None => true,
                    Some(name) => container == Some(name.as_str()),
                }
        })
    }
}

/// What one finding says: the fact, the remedy, and where. Each rule builds its messages
/// in constructors beside its check, one per kind of finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub severity: Severity,
    /// The fact: names the container and what is wrong (lowercase, no trailing period).
    pub text: String,
    /// What to write instead.
    pub help: String,
    /// Pointer suffix below the container (or the pod spec) the finding is about.
    pub at: String,
    /// On an injected container: only the mesh's operator can change this (no per-pod
    /// knob), so it is advice whatever its severity elsewhere.
    pub operator_only: bool,
    /// Advice whatever the rule's severity override says (config a reader cannot parse
    /// is never a denial).
    pub advice_only: bool,
    /// The mechanical fix, where the rule knows one.
    pub fix: Option<Fix>,
}

impl Message {
    pub fn deny(text: impl Into<String>, help: impl Into<String>) -> Message {
        Message {
            severity: Severity::Deny,
            text: text.into(),
            help: help.into(),
            at: String::new(),
            operator_only: false,
            advice_only: false,
            fix: None,
        }
    }

    pub fn warn(text: impl Into<String>, help: impl Into<String>) -> Message {
        Message {
            severity: Severity::Warn,
            ..Message::deny(text, help)
        }
    }

    /// The finding is about this part (`/readinessProbe`, `/ports/0`), not the whole.
    pub fn at(self, suffix: impl Into<String>) -> Message {
        Message {
            at: suffix.into(),
            ..self
        }
    }

    /// The same finding at another severity (a requirement that is only advice for
    /// some containers).
    pub fn severity(self, severity: Severity) -> Message {
        Message { severity, ..self }
    }

    /// On an injected container, nothing in the pod changes this: only the mesh's
    /// operator can (`operator_only`).
    pub fn operator_only(self, only: bool) -> Message {
        Message {
            operator_only: only,
            ..self
        }
    }

    /// The finding comes with this fix.
    pub fn fix(self, fix: Option<Fix>) -> Message {
        Message { fix, ..self }
    }

    /// Never more than a warning, whatever the settings (`advice_only`).
    pub fn advice_only(self) -> Message {
        Message {
            advice_only: true,
            ..self
        }
    }
}

/// Collects one rule's findings, applying its severity override, exemptions and the
/// settings' treatment of injected containers.
pub struct Findings<'e> {
    rule: &'static str,
    severity_override: Option<SeverityOverride>,
    exemptions: &'e Exemptions,
    injected: InjectedFindings,
    items: Vec<Finding>,
}

impl<'e> Findings<'e> {
    pub fn new(
        rule: &'static str,
        severity_override: Option<SeverityOverride>,
        exemptions: &'e Exemptions,
        injected: InjectedFindings,
    ) -> Self {
        Findings {
            rule,
            severity_override,
            exemptions,
            injected,
            items: Vec::new(),
        }
    }

    fn severity(&self, default: Severity) -> Severity {
        match self.severity_override {
            Some(SeverityOverride::Deny) => Severity::Deny,
            Some(SeverityOverride::Warn) => Severity::Warn,
            Some(SeverityOverride::Off) | None => default,
        }
    }

    /// A finding about one container, at its pointer extended by the message's `at`.
    pub fn container(&mut self, container: &ContainerRef<'_>, message: Message) {
        if self.exemptions.covers(self.rule, Some(container.name)) {
            return;
        }
        // What the author can change through the pod keeps its severity on an injected
        // container; what only the mesh's operator can change is advice. The settings can
        // soften every finding on injected containers while a policy is rolled out.
        let injected = container.injected_by.is_some();
        let default = match (injected, self.injected) {
            (true, InjectedFindings::Off) => return,
            (true, InjectedFindings::Warn) => message.severity.min(Severity::Warn),
            (true, InjectedFindings::Judge) if message.operator_only => {
                message.severity.min(Severity::Warn)
            }
            _ => message.severity,
        };
        let mut severity = self.severity(default);
        if (injected && self.injected == InjectedFindings::Warn) || message.advice_only {
            severity = severity.min(Severity::Warn);
        }
        self.items.push(Finding {
            rule: self.rule.to_string(),
            severity,
            container: Some(container.name.to_string()),
            role: Some(container.role),
            role_reason: Some(container.role_reason.to_string()),
            path: format!("{}{}", container.pointer, message.at),
            message: message.text,
            help: message.help,
            line: None,
            injected_by: container.injected_by.map(|p| p.id.to_string()),
            // An injector writes its containers anew on every admission: an edit of one
            // fixes nothing (its annotations are the knob, and `help` names them).
            fix: message.fix.filter(|_| !injected),
            position: Some(container.position),
        });
    }

    /// A finding about the pod as a whole, at the pod's pointer extended by `at`.
    pub fn pod(&mut self, pod: &Pod<'_>, message: Message) {
        if self.exemptions.covers(self.rule, None) {
            return;
        }
        self.items.push(Finding {
            rule: self.rule.to_string(),
            severity: self.severity(message.severity),
            container: None,
            role: None,
            role_reason: None,
            path: pod.pointer(&message.at),
            message: message.text,
            help: message.help,
            line: None,
            injected_by: None,
            fix: message.fix,
            position: None,
        });
    }

    pub fn into_vec(self) -> Vec<Finding> {
        self.items
    }
}

/// The registry as data: id, summary, default severity, category, release and docs of
/// every rule (`sidecar-guard rules --format json`, the npm module's `rules()`).
pub fn catalog() -> serde_json::Value {
    serde_json::Value::Array(
        ALL.iter()
            .map(|r| {
                let m = r.meta();
                serde_json::json!({
                    "id": m.id,
                    "summary": m.summary,
                    "defaultSeverity": m.default_severity,
                    "category": m.category,
                    "since": m.since,
                    "docs": m.docs_markdown(),
                })
            })
            .collect(),
    )
}
