//! The kinds that carry a pod template, and where each keeps it.
//!
//! Kinds are matched on API group and kind (any version), so a custom resource that
//! happens to be called `Deployment` in another group is not mistaken for one.

/// Where a kind keeps its pod template.
pub(super) struct PodCarrier {
    pub kind: &'static str,
    /// Its resource name in the API (for admission rules).
    pub resource: &'static str,
    /// API groups it is served in; the first is the current one.
    pub groups: &'static [&'static str],
    /// Pointer to the pod's metadata and spec inside the object.
    pub template: &'static str,
    /// Pods of this kind always run to completion.
    pub runs_to_completion: bool,
}

/// The spec field through which an Argo Rollout takes its pod template from another
/// workload (a Deployment) instead of carrying one: such a Rollout is skipped, and the
/// workload it names is judged on its own.
pub(super) const TEMPLATE_REFERENCE: &str = "workloadRef";

const CORE: &[&str] = &[""];
const APPS: &[&str] = &["apps", "extensions"];
const BATCH: &[&str] = &["batch"];
// OpenShift 3 served DeploymentConfig in the legacy core group (`apiVersion: v1`) too.
const OPENSHIFT_APPS: &[&str] = &["apps.openshift.io", ""];
const ARGO: &[&str] = &["argoproj.io"];

const POD_CARRIERS: &[PodCarrier] = &[
    PodCarrier {
        kind: "Pod",
        resource: "pods",
        groups: CORE,
        template: "",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "PodTemplate",
        resource: "podtemplates",
        groups: CORE,
        template: "/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "ReplicationController",
        resource: "replicationcontrollers",
        groups: CORE,
        template: "/spec/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "Deployment",
        resource: "deployments",
        groups: APPS,
        template: "/spec/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "ReplicaSet",
        resource: "replicasets",
        groups: APPS,
        template: "/spec/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "DaemonSet",
        resource: "daemonsets",
        groups: APPS,
        template: "/spec/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "StatefulSet",
        resource: "statefulsets",
        groups: APPS,
        template: "/spec/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "Job",
        resource: "jobs",
        groups: BATCH,
        template: "/spec/template",
        runs_to_completion: true,
    },
    PodCarrier {
        kind: "CronJob",
        resource: "cronjobs",
        groups: BATCH,
        template: "/spec/jobTemplate/spec/template",
        runs_to_completion: true,
    },
    // The widely used custom workloads with an inline pod template.
    PodCarrier {
        kind: "DeploymentConfig",
        resource: "deploymentconfigs",
        groups: OPENSHIFT_APPS,
        template: "/spec/template",
        runs_to_completion: false,
    },
    PodCarrier {
        kind: "Rollout",
        resource: "rollouts",
        groups: ARGO,
        template: "/spec/template",
        runs_to_completion: false,
    },
];

/// The kinds whose pod templates are checked, for docs and the policy's metadata.
pub fn pod_carrying_kinds() -> impl Iterator<Item = &'static str> {
    POD_CARRIERS.iter().map(|c| c.kind)
}

/// (current API group, resource) of every pod-carrying kind, for admission rules.
pub fn pod_carrying_resources() -> impl Iterator<Item = (&'static str, &'static str)> {
    POD_CARRIERS
        .iter()
        .map(|c| (c.groups.first().copied().unwrap_or_default(), c.resource))
}

/// What the fields read so far say about an object's kind: one pass reads `spec` as the
/// kind dictates only when `apiVersion` and `kind` came first.
#[derive(Clone, Copy)]
pub(super) enum KindSoFar {
    /// `apiVersion` or `kind` not read yet.
    Unknown,
    /// A kind without a pod template (a ConfigMap, a List).
    NoTemplate,
    Carrier(&'static PodCarrier),
}

impl KindSoFar {
    pub(super) fn of(kind: Option<&str>, api_version: Option<&str>) -> KindSoFar {
        match (kind, api_version) {
            (Some(kind), Some(api_version)) => {
                carrier(kind, api_version).map_or(KindSoFar::NoTemplate, KindSoFar::Carrier)
            }
            _ => KindSoFar::Unknown,
        }
    }
}

/// The carrier of a kind, if it has a pod template.
pub(super) fn carrier(kind: &str, api_version: &str) -> Option<&'static PodCarrier> {
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    POD_CARRIERS
        .iter()
        .find(|c| c.kind == kind && c.groups.contains(&group))
}

/// The carrier's template path as keys, split at the first step ("spec" or "template").
/// A Pod has no template: its own metadata and spec are read.
pub(super) fn template_steps(carrier: &PodCarrier) -> Vec<&'static str> {
    carrier
        .template
        .split('/')
        .filter(|s| !s.is_empty())
        .collect()
}
