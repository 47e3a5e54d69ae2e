use super::{Findings, Message, Pod, Rule, SeverityOnly};

declare_rule! {
    /// ## What it does
    /// Reports pods that set `shareProcessNamespace: true`.
    ///
    /// ## Why is this bad?
    /// With a shared process namespace every container sees every other container's
    /// processes: a sidecar can signal the app, read its environment (secrets passed as
    /// variables included) and its files through `/proc/<pid>/root`. A compromised log
    /// shipper or proxy then owns the app. Debugging needs are better met with ephemeral
    /// containers (`kubectl debug --target`), which share only with the container they
    /// target and only while debugging.
    ///
    /// A pod whose only long-running container (its one container, or one container and
    /// no native sidecar; init containers have exited before it starts) shares with
    /// nobody: no finding.
    ///
    /// The finding is pod-level (`container` is null). Pods that really need it (a
    /// process-reaping or signalling sidecar) can keep it: set this rule's `severity` to
    /// `off`, or exempt the workload with the ignore annotation where that is allowed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: debug-me}
    /// spec:
    ///   shareProcessNamespace: true
    ///   containers:
    ///     - {name: app, image: myapp:v1}
    ///     - {name: debugger, image: busybox:1.36}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: debug-me}
    /// spec:
    ///   containers:
    ///     - {name: app, image: myapp:v1}
    /// # and, when needed: kubectl debug -it debug-me --image=busybox:1.36 --target=app
    /// ```
    ///
    /// ## Fix
    /// `None`: a watcher that stops another container needs the shared namespace; removing it
    /// could leave a Job running forever.
    ///
    /// ## Options
    /// `severity`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/>
    /// - <https://kubernetes.io/docs/tasks/debug/debug-application/debug-running-pod/#ephemeral-container>
    pub struct SharedProcessNamespace {
        id: "shared-process-namespace",
        summary: "sidecars do not see the app's processes",
        category: "security",
        since: "0.1.0",
        default_severity: Warn,
    }
}

impl Rule for SharedProcessNamespace {
    type Settings = SeverityOnly;

    fn check(&self, pod: &Pod<'_>, _: &SeverityOnly, out: &mut Findings) {
        // Init containers have exited before the others start: only containers and
        // native sidecars run side by side. With one of them nobody else is there to see.
        let running_together = pod.spec.containers.len()
            + pod
                .spec
                .init_containers
                .iter()
                .flatten()
                .filter(|c| c.restart_policy.as_deref() == Some("Always"))
                .count();
        if pod.spec.share_process_namespace == Some(true) && running_together > 1 {
            out.pod(pod, shared_process_namespace(pod.kind));
        }
    }
}

// Message constructors: every finding this rule reports.

fn shared_process_namespace(kind: &str) -> Message {
    Message::warn(
        format!("the {kind} shares one process namespace among all its containers"),
        "remove shareProcessNamespace; use ephemeral containers (kubectl debug --target) to inspect processes",
    )
    .at("/shareProcessNamespace")
}
