//! sidecar-guard: a rule engine for Kubernetes multi-container pods and the sidecar pattern.
//!
//! ```text
//! text ──yaml::parse_stream──▶ serde_json::Value ──check──▶ Vec<Report>
//!                       workload::extract → roles::classify → rules::ALL → Report
//! ```
//! No rule parses and no front end judges: the CLI, the Kubewarden policy and the npm
//! module only translate input into a `Value` and a `Report` into their output.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod admission;
pub mod catalogue;
pub mod context;
#[doc(hidden)]
pub mod fuzzing;
pub mod generated;
pub mod glob;
pub mod json_lines;
pub mod model;
pub mod quantity;
pub mod report;
pub mod roles;
pub mod rules;
pub mod schema_check;
pub mod settings;
pub mod workload;
pub mod yaml;

#[cfg(feature = "kubewarden")]
mod policy;

pub use report::{Finding, Report, Role, Severity, Status};
pub use settings::{Settings, SettingsError};

pub use context::Context;
use rules::{Exemptions, Findings, Pod};
use serde_json::Value;

/// Everything that can stop an object from being checked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is not YAML/JSON, or exceeds a limit.
    #[error(transparent)]
    Syntax(#[from] yaml::SyntaxError),
    /// The document is YAML but not a valid object of its kind.
    #[error("{}: {message}", if pointer.is_empty() { "/" } else { pointer.as_str() })]
    Object { pointer: String, message: String },
}

impl Error {
    pub fn object(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Object {
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// The 1-based line, where the parser knows it.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::Syntax(e) => e.line,
            Error::Object { .. } => None,
        }
    }

    /// The JSON pointer, for errors about a part of an object.
    pub fn pointer(&self) -> Option<&str> {
        match self {
            Error::Syntax(_) => None,
            Error::Object { pointer, .. } => Some(pointer),
        }
    }
}

/// Rule id of findings about the ignore annotation itself.
pub const IGNORE_ANNOTATION_RULE: &str = "ignore-annotation";

/// Checks every object of a document (a `List` yields several reports), with the
/// document's own ConfigMaps as context.
pub fn check(document: &Value, settings: &Settings) -> Vec<Result<Report, Error>> {
    check_in(document, settings, &Context::from_documents([document]))
}

/// Checks every object of a document, with related objects of the whole input (its
/// ConfigMaps) as context.
pub fn check_in(
    document: &Value,
    settings: &Settings,
    context: &Context,
) -> Vec<Result<Report, Error>> {
    check_input(document, settings, context, 0)
}

/// Checks every object of a document of input `origin` (a CLI run's file number, as given
/// to `Context::from_inputs`): its own input's ConfigMaps come first.
pub fn check_input(
    document: &Value,
    settings: &Settings,
    context: &Context,
    origin: usize,
) -> Vec<Result<Report, Error>> {
    check_objects_in(workload::extract(document), settings, context, origin)
}

/// Runs every rule on each extracted object; objects that could not be read stay errors.
pub fn check_objects(
    objects: Vec<Result<workload::Extracted<'_>, Error>>,
    settings: &Settings,
) -> Vec<Result<Report, Error>> {
    check_objects_in(objects, settings, &Context::default(), 0)
}

fn check_objects_in(
    objects: Vec<Result<workload::Extracted<'_>, Error>>,
    settings: &Settings,
    context: &Context,
    origin: usize,
) -> Vec<Result<Report, Error>> {
    objects
        .into_iter()
        .map(|extracted| extracted.map(|e| judge(e, settings, context, origin)))
        .collect()
}

/// Checks every document of a YAML/JSON text; its ConfigMaps are context for all of them.
pub fn check_text(text: &str, settings: &Settings) -> Vec<Result<Report, Error>> {
    if let Some(objects) = extract_json_document(text) {
        return check_objects(objects, settings);
    }
    let documents = yaml::split_stream(text);
    let context = Context::from_texts(documents.iter().map(|d| (0, d)));
    let mut out = Vec::new();
    for document in &documents {
        match document.parse(yaml::Options::default()) {
            Ok(doc) => out.extend(check_in(&doc.value, settings, &context)),
            Err(e) => out.push(Err(e.into())),
        }
    }
    out
}

/// The fast path for text that is one JSON object: read straight into the rules' model,
/// with no `Value` in between. `None` sends the text down the general YAML path, which
/// reads every YAML/JSON stream and reports problems with their lines; both paths give
/// the same reports for the documents this one accepts.
pub fn extract_json_document(text: &str) -> Option<Vec<Result<workload::Extracted<'_>, Error>>> {
    let text = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if !text.starts_with('{') || text.len() > yaml::MAX_DOCUMENT_BYTES {
        return None;
    }
    workload::extract_json(text)
}

/// Runs every rule on an extracted object, with no related objects.
pub fn check_extracted(extracted: workload::Extracted, settings: &Settings) -> Report {
    check_extracted_in(extracted, settings, &Context::default())
}

/// Runs every rule on an extracted object, with the input's related objects as context.
pub fn check_extracted_in(
    extracted: workload::Extracted,
    settings: &Settings,
    context: &Context,
) -> Report {
    judge(extracted, settings, context, 0)
}

/// The report on one object, named by `generateName` too when it has one.
fn judge(
    extracted: workload::Extracted,
    settings: &Settings,
    context: &Context,
    origin: usize,
) -> Report {
    let generate_name = extracted.header.generate_name.clone();
    let mut report = run_rules(extracted, settings, context, origin);
    report.generate_name = generate_name;
    report
}

fn run_rules(
    extracted: workload::Extracted,
    settings: &Settings,
    context: &Context,
    origin: usize,
) -> Report {
    let header = extracted.header;
    let Some(template) = extracted.template else {
        return Report::new(
            &header.kind,
            &header.api_version,
            header.name,
            header.namespace,
            header.pointer,
            Status::Skipped,
            Vec::new(),
        );
    };
    if let Some(reason) = partial_object(&header, &template) {
        return Report::skipped(
            &header.kind,
            &header.api_version,
            header.name,
            header.namespace,
            header.pointer,
            reason,
        );
    }
    let (exemptions, mut findings) =
        read_ignore_annotations(&template.ignore_annotations, settings);
    let containers = roles::classify(
        &template.spec,
        &template.spec_pointer,
        &template.pod_annotations,
        settings,
    );
    let first_ephemeral =
        template.spec.init_containers.as_ref().map_or(0, Vec::len) + template.spec.containers.len();
    let pod = Pod {
        kind: &header.kind,
        spec: &template.spec,
        spec_pointer: &template.spec_pointer,
        run_to_completion: template.run_to_completion,
        namespace: header.namespace.as_deref(),
        context,
        origin,
        containers,
        ephemeral: roles::classify_ephemeral(
            &template.ephemeral,
            &template.spec_pointer,
            first_ephemeral,
            settings,
        ),
        settings,
    };
    let injected = pod
        .containers
        .iter()
        .filter_map(|c| {
            c.injected_by.map(|p| report::InjectedContainer {
                container: c.name.to_string(),
                injected_by: p.id.to_string(),
            })
        })
        .collect();
    for rule in rules::ALL {
        let severity_override = rule.severity_override(settings);
        if severity_override == Some(settings::SeverityOverride::Off) {
            continue;
        }
        let mut out = Findings::new(rule.meta().id, severity_override, &exemptions);
        rule.run(&pod, settings, &mut out);
        findings.extend(out.into_vec());
    }
    let mut report = Report::new(
        &header.kind,
        &header.api_version,
        header.name,
        header.namespace,
        header.pointer,
        Status::Checked,
        findings,
    );
    report.injected = injected;
    report
}

/// Why an object cannot be a whole object (RULES.md, "Inputs"): a kustomize or
/// strategic-merge patch leaves out what the API requires of a whole object, an apps/v1
/// workload's `spec.selector` or a container's `image`. Such an object is skipped, never
/// judged as if complete.
fn partial_object(
    header: &workload::ObjectHeader,
    template: &workload::PodTemplate,
) -> Option<String> {
    let apps_workload = header.api_version.starts_with("apps/")
        && matches!(
            header.kind.as_str(),
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet"
        );
    if apps_workload && !template.has_selector {
        return Some(format!(
            "a partial object (a patch?): an {} {} needs spec.selector",
            header.api_version, header.kind
        ));
    }
    let spec = &template.spec;
    let all = spec
        .init_containers
        .iter()
        .flatten()
        .chain(&spec.containers);
    all.into_iter()
        .find(|c| c.image.as_deref().is_none_or(|i| i.trim().is_empty()))
        .map(|c| {
            format!(
                "a partial object (a patch?): container {:?} has no image, which the API requires",
                c.name.as_str()
            )
        })
}

/// Reads `sidecar-guard.io/ignore` values (`rule[,rule…]` or `rule:container[,…]`).
/// Unknown rule ids, and any use while `allowIgnoreAnnotation` is false, are pod-level
/// warnings, so the author learns the exemption did nothing.
fn read_ignore_annotations(
    annotations: &[(String, String)],
    settings: &Settings,
) -> (Exemptions, Vec<Finding>) {
    let mut exemptions = Exemptions::default();
    let mut findings = Vec::new();
    let mut warn = |path: &str, message: String, help: &str| {
        findings.push(Finding {
            rule: IGNORE_ANNOTATION_RULE.to_string(),
            severity: Severity::Warn,
            container: None,
            role: None,
            path: path.to_string(),
            message,
            help: help.to_string(),
            injected_by: None,
            position: None,
        })
    };
    for (path, value) in annotations {
        if !settings.allow_ignore_annotation {
            warn(
                path,
                format!("the {} annotation is not honoured on this cluster", workload::IGNORE_ANNOTATION),
                "fix the findings instead, or ask the cluster admins for an exemption (allowIgnoreAnnotation is false)",
            );
            continue;
        }
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (rule, container) = match entry.split_once(':') {
                Some((rule, container)) => (rule.trim(), Some(container.trim())),
                None => (entry, None),
            };
            if rules::find(rule).is_none() {
                warn(
                    path,
                    format!(
                        "the {} annotation names unknown rule {rule:?}",
                        workload::IGNORE_ANNOTATION
                    ),
                    &format!(
                        "use rule ids from `sidecar-guard rules`: {}",
                        rule_ids().join(", ")
                    ),
                );
                continue;
            }
            exemptions.add(rule, container.filter(|c| !c.is_empty()));
        }
    }
    (exemptions, findings)
}

/// Every rule id, in registry order.
pub fn rule_ids() -> Vec<&'static str> {
    rules::ALL.iter().map(|r| r.meta().id).collect()
}
