//! The object stage: one extracted object → its report. Partial objects are skipped with
//! their reason; the exemption annotation is read; containers are classified; every
//! enabled rule runs.

use crate::input::context::Context;
use crate::input::workload::{Extracted, PodTemplate};
use crate::model::PodSpec;
use crate::model::IGNORE_ANNOTATION;
use crate::report::{Finding, InjectedContainer, ObjectIdentity, Report, Severity, Status};
use crate::rules::options::SeverityOverride;
use crate::rules::{self, Exemptions, Findings, Pod};
use crate::settings::Settings;
use crate::sidecars::roles::ContainerRef;
use crate::sidecars::{roles, Recognition};
use std::borrow::Cow;

/// Rule id of findings about the ignore annotation itself.
pub const IGNORE_ANNOTATION_RULE: &str = "ignore-annotation";

/// The report on one object of input `origin` (see `Context::from_inputs`).
pub(crate) fn judge(
    extracted: Extracted,
    settings: &Settings,
    context: &Context,
    origin: usize,
) -> Report {
    judge_with(extracted, settings, origin, |_, _| Cow::Borrowed(context))
}

/// The report on one object whose context `provide` gives once its containers are
/// classified: the admission policy fetches only the ConfigMaps of containers whose
/// product has a config reader, and a pod with none asks for nothing.
pub(crate) fn judge_with<'c>(
    extracted: Extracted,
    settings: &Settings,
    origin: usize,
    provide: impl FnOnce(&[&[ContainerRef<'_>]; 2], &PodSpec<'_>) -> Cow<'c, Context>,
) -> Report {
    let object = extracted.header;
    let Some(template) = extracted.template else {
        return match extracted.skipped {
            Some(reason) => Report::skipped(object, reason),
            None => Report::new(object, Status::Skipped, Vec::new()),
        };
    };
    if let Some(reason) = partial_object(&object, &template) {
        return Report::skipped(object, reason);
    }
    let (exemptions, mut findings) =
        read_ignore_annotations(&template.ignore_annotations, settings);
    let (containers, ephemeral) = classified_containers(&template, settings);
    let context = provide(&[&containers, &ephemeral], &template.spec);
    let pod = Pod {
        kind: &object.kind,
        spec: &template.spec,
        spec_pointer: &template.spec_pointer,
        run_to_completion: template.run_to_completion,
        namespace: object.namespace.as_deref(),
        context: &context,
        origin,
        containers,
        ephemeral,
        kubernetes_version: settings.kubernetes_version,
    };
    let injected = injected_containers(&pod);
    for rule in rules::ALL {
        let severity_override = rule.severity_override(&settings.rules);
        if severity_override == Some(SeverityOverride::Off) {
            continue;
        }
        let mut out = Findings::new(
            rule.meta().id,
            severity_override,
            &exemptions,
            settings.sidecars.injected,
        );
        rule.run(&pod, &settings.rules, &mut out);
        findings.extend(out.into_vec());
    }
    let mut report = Report::new(object, Status::Checked, findings);
    report.injected = injected;
    report
}

/// A pod template's containers classified by role: (init containers and containers,
/// ephemeral containers).
fn classified_containers<'a>(
    template: &'a PodTemplate<'a>,
    settings: &Settings,
) -> (Vec<ContainerRef<'a>>, Vec<ContainerRef<'a>>) {
    let recognition = Recognition {
        sidecars: &settings.sidecars,
        exempt_images: &settings.exempt_images,
    };
    let spec = &template.spec;
    let first_ephemeral = spec.init_containers.as_ref().map_or(0, Vec::len) + spec.containers.len();
    (
        roles::classify(
            spec,
            &template.spec_pointer,
            &roles::PodFacts {
                annotations: &template.pod_annotations,
                labels: &template.pod_labels,
                workload_names: &template.workload_names,
            },
            &recognition,
        ),
        roles::classify_ephemeral(
            &template.ephemeral,
            &template.spec_pointer,
            first_ephemeral,
            &recognition,
        ),
    )
}

fn injected_containers(pod: &Pod) -> Vec<InjectedContainer> {
    pod.containers
        .iter()
        .filter_map(|c| {
            c.injected_by.map(|product| InjectedContainer {
                container: c.name.to_string(),
                injected_by: product.id.to_string(),
            })
        })
        .collect()
}

/// Why an object cannot be a whole object (docs/contract.md, "Inputs"): a kustomize or
/// strategic-merge patch leaves out what the API requires of a whole object, an apps/v1
/// workload's `spec.selector` or a container's `image`. Such an object is skipped, never
/// judged as if complete.
fn partial_object(object: &ObjectIdentity, template: &PodTemplate) -> Option<String> {
    let apps_workload = object.api_version.starts_with("apps/")
        && matches!(
            object.kind.as_str(),
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet"
        );
    if apps_workload && !template.has_selector {
        return Some(format!(
            "a partial object (a patch?): an {} {} needs spec.selector",
            object.api_version, object.kind
        ));
    }
    let spec = &template.spec;
    let mut every_container = spec
        .init_containers
        .iter()
        .flatten()
        .chain(&spec.containers);
    every_container
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
    for (path, value) in annotations {
        if !settings.allow_ignore_annotation {
            findings.push(annotation_not_honoured(path));
            continue;
        }
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (rule, container) = match entry.split_once(':') {
                Some((rule, container)) => (rule.trim(), Some(container.trim())),
                None => (entry, None),
            };
            if rules::find(rule).is_none() {
                findings.push(unknown_rule_in_annotation(path, rule));
                continue;
            }
            exemptions.add(rule, container.filter(|c| !c.is_empty()));
        }
    }
    (exemptions, findings)
}

fn annotation_warning(path: &str, message: String, help: String) -> Finding {
    Finding {
        rule: IGNORE_ANNOTATION_RULE.to_string(),
        severity: Severity::Warn,
        container: None,
        role: None,
        role_reason: None,
        path: path.to_string(),
        message,
        help,
        line: None,
        injected_by: None,
        fix: None,
        position: None,
    }
}

fn annotation_not_honoured(path: &str) -> Finding {
    annotation_warning(
        path,
        format!("the {IGNORE_ANNOTATION} annotation is not honoured on this cluster"),
        "fix the findings instead, or ask the cluster admins for an exemption (allowIgnoreAnnotation is false)".to_string(),
    )
}

fn unknown_rule_in_annotation(path: &str, rule: &str) -> Finding {
    annotation_warning(
        path,
        format!("the {IGNORE_ANNOTATION} annotation names unknown rule {rule:?}"),
        format!(
            "use rule ids from `sidecar-guard rules`: {}",
            rules::ids().join(", ")
        ),
    )
}
