use super::{describe_container, Findings, Pod, Rule, SeverityOnly};
use crate::report::{Role, Severity};

declare_rule! {
    /// ## What it does
    /// Checks that sidecars are declared the way Kubernetes now supports them: as native
    /// sidecars (`initContainers` with `restartPolicy: Always`), on clusters that run them.
    ///
    /// ## Why is this bad?
    /// A classic sidecar in a Job never exits, so the Job never completes. In long-running
    /// workloads a classic sidecar starts in no particular order with the app and is
    /// stopped with it: the app's first requests race the proxy, and the last log lines are
    /// lost at shutdown. Native sidecars (beta and on by default from Kubernetes 1.29)
    /// start before the app, stay up while it runs, stop after it, and do not keep a Job
    /// alive.
    ///
    /// Findings: a classic sidecar in a run-to-completion pod (Job, CronJob,
    /// `restartPolicy` Never or OnFailure) is `deny`; a classic sidecar in a long-running
    /// workload is `warn` when `kubernetesVersion` is 1.29 or later; a native sidecar while
    /// `kubernetesVersion` is below 1.29 is `deny` (the field is dropped or feature-gated
    /// there and the pod hangs in `Init`); an init container whose `restartPolicy` is set to
    /// anything but `Always` (including `always`: the API is case-sensitive) is `deny`,
    /// since the API rejects it; a native sidecar placed after a plain init container is
    /// `warn`, since that init container runs without it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata: {name: migrate}
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: Never
    ///       containers:
    ///         - {name: migrate, image: corp/migrate:v3}
    ///         - {name: cloud-sql-proxy, image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.0}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: Job
    /// metadata: {name: migrate}
    /// spec:
    ///   template:
    ///     spec:
    ///       restartPolicy: Never
    ///       initContainers:
    ///         - name: cloud-sql-proxy
    ///           image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.0
    ///           restartPolicy: Always
    ///       containers:
    ///         - {name: migrate, image: corp/migrate:v3}
    /// ```
    ///
    /// ## Options
    /// `severity`; the global `kubernetesVersion` gates the version-dependent findings.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/>
    /// - <https://kubernetes.io/blog/2023/08/25/native-sidecar-containers/>
    pub struct NativeSidecars {
        id: "native-sidecars",
        summary: "sidecars declared the way Kubernetes now supports",
        category: "lifecycle",
        since: "0.1.0",
        default_severity: Deny,
    }
}

/// The release that turned native sidecars on by default.
const NATIVE_SIDECARS_MINOR: u32 = 29;

impl Rule for NativeSidecars {
    type Settings = SeverityOnly;

    fn check(&self, pod: &Pod<'_>, _: &SeverityOnly, out: &mut Findings) {
        let supported = pod.settings.kubernetes_version.at_least(NATIVE_SIDECARS_MINOR);
        let version = pod.settings.kubernetes_version;
        let mut first_plain_init: Option<&str> = None;
        for c in &pod.containers {
            let who = describe_container(c);
            match c.role {
                Role::Sidecar if pod.run_to_completion => out.container(
                    c,
                    Severity::Deny,
                    "",
                    format!("sidecar {:?} is a regular container in a run-to-completion {}, so the pod never completes", c.name, pod.kind),
                    "move it to initContainers with restartPolicy: Always (a native sidecar); it then stops when the main containers finish".to_string(),
                ),
                Role::Sidecar if supported => out.container(
                    c,
                    Severity::Warn,
                    "",
                    format!("sidecar {:?} is a regular container; Kubernetes {version} supports native sidecars", c.name),
                    "move it to initContainers with restartPolicy: Always, so it starts before and stops after the app".to_string(),
                ),
                Role::NativeSidecar => {
                    if !supported {
                        out.container(
                            c,
                            Severity::Deny,
                            "/restartPolicy",
                            format!("{who} needs Kubernetes 1.29 or later, but the cluster is {version}"),
                            "run it as a regular container until the cluster is upgraded, or set kubernetesVersion to the cluster's version".to_string(),
                        );
                    }
                    if let Some(init) = first_plain_init {
                        out.container(
                            c,
                            Severity::Warn,
                            "",
                            format!("{who} comes after init container {init:?}, which runs without it"),
                            "list native sidecars before the init containers that need them (init containers start in order)".to_string(),
                        );
                    }
                }
                Role::Init => {
                    if let Some(policy) = &c.container.restart_policy {
                        out.container(
                            c,
                            Severity::Deny,
                            "/restartPolicy",
                            format!("{who} has restartPolicy {policy:?}; init containers accept only \"Always\""),
                            "write restartPolicy: Always (capital A) for a native sidecar, or remove the field".to_string(),
                        );
                    }
                    first_plain_init.get_or_insert(c.name);
                }
                Role::App | Role::Sidecar | Role::Ephemeral => {}
            }
        }
    }
}
