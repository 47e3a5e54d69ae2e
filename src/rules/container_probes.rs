use super::options::SeverityOverride;
use super::{Findings, Message, Pod, Rule, RuleSettings};
use crate::model::IntOrString;
use crate::model::Probe;
use crate::report::{Role, Severity};
use crate::sidecars::roles::ContainerRef;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

declare_rule! {
    /// ## What it does
    /// Checks that every long-running container has the probes its role needs, with a
    /// handler kind that counts, that probe ports exist, that probe timings stay within the
    /// configured bounds, and that no init container carries a probe.
    ///
    /// ## Why is this bad?
    /// Without probes the kubelet cannot tell a stuck sidecar from a healthy one: a proxy
    /// that stopped forwarding keeps the pod "Ready" and traffic keeps arriving. A
    /// liveness probe identical to the readiness probe restarts the container whenever a
    /// slow dependency makes it unready, instead of only taking it out of rotation.
    ///
    /// What each role needs, by default, as the seed article's "Health Checks for
    /// Sidecars" example teaches: an `app` a readinessProbe (`deny`), its livenessProbe is
    /// advice (`warn`: a careless liveness probe restarts a healthy app under load); a
    /// classic `sidecar` both (`deny`); a `native-sidecar` a livenessProbe (`deny`) and, in
    /// long-running pods, a readinessProbe (`deny`: it counts for the pod's Ready
    /// condition). A native sidecar the app depends on at start — a proxy or connector its
    /// traffic passes through (catalogue: Istio, Linkerd, Envoy, Kuma, Consul, Dapr, the
    /// Cloud SQL and AlloyDB proxies) — without a startupProbe is `warn`: the kubelet starts
    /// the next container as soon as a native sidecar has started, that is once its
    /// startup probe passed or at once without one; `help` names the product's endpoint.
    /// A container whose whole process is a pause (`sleep infinity`, `tail -f /dev/null`,
    /// the pause image; not a script that starts a daemon and then waits, which may serve
    /// behind the wait) needs no probes, nor does one the vendor designs without (CSI's livenessprobe, which is the
    /// driver's health endpoint), nor one whose image an injector fills in (`image:
    /// auto`, probes and all). A helper its vendor designs to take no traffic (the CSI
    /// sidecars) needs no readinessProbe, and a CSI controller sidecar's livenessProbe
    /// is asked only with `--leader-election`, the only case in which its health check
    /// (`/healthz/leader-election`) exists.
    ///
    /// In run-to-completion pods (Jobs, CronJobs, `restartPolicy` Never or OnFailure)
    /// neither readiness nor liveness is required of app containers and classic sidecars
    /// unless `readinessInJobs` / `livenessInJobs` is set: nothing routes traffic to a
    /// batch container, and a hung batch step is bounded by the Job's
    /// `activeDeadlineSeconds`, not by restarts. A native sidecar there still needs its
    /// livenessProbe (it runs as long as the Job does), not a readinessProbe.
    ///
    /// An injected container (named by its injector's status annotation, such as Istio's
    /// `sidecar.istio.io/status`) needs only the probes its vendor configures by design:
    /// istio-proxy has readiness and startup probes and no liveness probe, Linkerd's,
    /// Kuma's and Dapr's proxies have readiness and liveness; Consul's and Vault's injected
    /// agents come without probes. A probe the vendor normally sets that is missing is a
    /// `warn` naming the injector: only the mesh's operator can restore it, in the
    /// injector's configuration. A probe on a plain init container is rejected by the API
    /// server, so it is a finding whatever the settings say. A named probe port must be
    /// declared in the same container's `ports`; a numeric one must be 1–65535. Bounds
    /// apply to the value the kubelet will use: a field left out is checked at its
    /// Kubernetes default (periodSeconds 10, timeoutSeconds 1, failureThreshold 3,
    /// successThreshold 1, initialDelaySeconds 0). A probe with no handler, or more than
    /// one, is invalid.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: proxy}
    /// spec:
    ///   containers:
    ///     - name: envoy
    ///       image: envoyproxy/envoy:v1.28.0
    ///       readinessProbe:
    ///         httpGet: {path: /ready, port: 9901}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: proxy}
    /// spec:
    ///   containers:
    ///     - name: envoy
    ///       image: envoyproxy/envoy:v1.28.0
    ///       readinessProbe:
    ///         httpGet: {path: /ready, port: 9901}
    ///       livenessProbe:
    ///         tcpSocket: {port: 3128}
    ///         periodSeconds: 20
    /// ```
    ///
    /// ## Fix
    /// `None`: a probe must call the container's own health endpoint, which only its author
    /// knows; a guessed probe would restart a healthy container or route traffic to a broken
    /// one. Never invented.
    ///
    /// ## Options
    /// `app`, `sidecar`, `native-sidecar`: each `{required, advised}` (readiness,
    /// liveness, startup); `satisfiedBy` (all | any, for `required`), `handlers` (httpGet,
    /// tcpSocket, grpc, exec), `readinessInJobs`, `livenessInJobs`, `bounds`, `severity`.
    /// The peers' "every container has both probes" is
    /// `{app: {required: [readiness, liveness]}, sidecar: …, native-sidecar: …}`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/>
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/>
    pub struct ContainerProbes {
        id: "container-probes",
        summary: "every long-running container is health-checked",
        category: "health",
        since: "0.1.0",
        default_severity: Deny,
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ProbeKind {
    Readiness,
    Liveness,
    Startup,
}

impl ProbeKind {
    fn field(self) -> &'static str {
        match self {
            ProbeKind::Readiness => "readinessProbe",
            ProbeKind::Liveness => "livenessProbe",
            ProbeKind::Startup => "startupProbe",
        }
    }

    fn of<'c>(self, c: &ContainerRef<'c>) -> Option<&'c Probe<'c>> {
        let container = c.container;
        match self {
            ProbeKind::Readiness => container.readiness_probe.as_ref(),
            ProbeKind::Liveness => container.liveness_probe.as_ref(),
            ProbeKind::Startup => container.startup_probe.as_ref(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ProbeHandler {
    HttpGet,
    TcpSocket,
    Grpc,
    Exec,
}

impl ProbeHandler {
    const ALL: [ProbeHandler; 4] = [
        ProbeHandler::HttpGet,
        ProbeHandler::TcpSocket,
        ProbeHandler::Grpc,
        ProbeHandler::Exec,
    ];

    fn name(self) -> &'static str {
        match self {
            ProbeHandler::HttpGet => "httpGet",
            ProbeHandler::TcpSocket => "tcpSocket",
            ProbeHandler::Grpc => "grpc",
            ProbeHandler::Exec => "exec",
        }
    }

    fn present(self, probe: &Probe) -> bool {
        match self {
            ProbeHandler::HttpGet => probe.http_get.is_some(),
            ProbeHandler::TcpSocket => probe.tcp_socket.is_some(),
            ProbeHandler::Grpc => probe.grpc.is_some(),
            ProbeHandler::Exec => probe.exec.is_some(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SatisfiedBy {
    /// Every required probe must be present.
    #[default]
    All,
    /// Any one of the required probes is enough.
    Any,
}

/// Lowest and highest value allowed for one probe field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bound {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

/// Bounds for the timing fields of one probe kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ProbeBounds {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<Bound>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<Bound>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<Bound>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<Bound>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<Bound>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<Bound>,
}

/// Bounds per probe kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BoundsByKind {
    /// Bounds of readiness probes' timing fields, each `{min, max}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<ProbeBounds>,
    /// Bounds of liveness probes' timing fields, each `{min, max}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness: Option<ProbeBounds>,
    /// Bounds of startup probes' timing fields, each `{min, max}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup: Option<ProbeBounds>,
}

/// What one role needs: probes whose absence is a denial, and probes whose absence is
/// advice (a warning).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RoleProbes {
    /// Probes the role must have (deny).
    pub required: Vec<ProbeKind>,
    /// Probes the role should have (warn).
    pub advised: Vec<ProbeKind>,
}

impl RoleProbes {
    fn of(required: &[ProbeKind], advised: &[ProbeKind]) -> RoleProbes {
        RoleProbes {
            required: required.to_vec(),
            advised: advised.to_vec(),
        }
    }
}

/// Settings of `container-probes`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ProbeSettings {
    /// deny | warn | off; unset keeps each finding's default severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityOverride>,
    /// What app containers need.
    pub app: RoleProbes,
    /// What classic sidecars need.
    pub sidecar: RoleProbes,
    /// What native sidecars need (readiness not in run-to-completion pods; startup only
    /// where the app depends on the sidecar at start).
    #[serde(rename = "native-sidecar")]
    pub native_sidecar: RoleProbes,
    /// all: every required probe; any: one of them is enough.
    pub satisfied_by: SatisfiedBy,
    /// Handler kinds that count as a probe.
    pub handlers: Vec<ProbeHandler>,
    /// Require readiness probes in run-to-completion pods too.
    pub readiness_in_jobs: bool,
    /// Require liveness probes of app containers and classic sidecars in
    /// run-to-completion pods too.
    pub liveness_in_jobs: bool,
    /// Allowed ranges of probe timing fields.
    pub bounds: BoundsByKind,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        use ProbeKind::{Liveness, Readiness, Startup};
        ProbeSettings {
            severity: None,
            app: RoleProbes::of(&[Readiness], &[Liveness]),
            sidecar: RoleProbes::of(&[Readiness, Liveness], &[]),
            native_sidecar: RoleProbes::of(&[Readiness, Liveness], &[Startup]),
            satisfied_by: SatisfiedBy::All,
            handlers: ProbeHandler::ALL.to_vec(),
            readiness_in_jobs: false,
            liveness_in_jobs: false,
            bounds: BoundsByKind::default(),
        }
    }
}

impl ProbeSettings {
    /// The settings of a role; `None` for roles that need no probes.
    fn for_role(&self, role: Role) -> Option<&RoleProbes> {
        match role {
            Role::App => Some(&self.app),
            Role::Sidecar => Some(&self.sidecar),
            Role::NativeSidecar => Some(&self.native_sidecar),
            Role::Init | Role::Ephemeral => None,
        }
    }
}

impl RuleSettings for ProbeSettings {
    fn severity(&self) -> Option<SeverityOverride> {
        self.severity
    }
}

const KINDS: [ProbeKind; 3] = [
    ProbeKind::Readiness,
    ProbeKind::Liveness,
    ProbeKind::Startup,
];

impl Rule for ContainerProbes {
    type Settings = ProbeSettings;

    fn check(&self, pod: &Pod<'_>, s: &ProbeSettings, out: &mut Findings) {
        let handler_names: Vec<&str> = s.handlers.iter().map(|h| h.name()).collect();
        for c in &pod.containers {
            if c.role == Role::Init {
                for kind in KINDS.into_iter().filter(|k| k.of(c).is_some()) {
                    out.container(c, probe_on_init_container(c, kind));
                }
                continue;
            }
            let role_probes = s.for_role(c.role);
            let in_scope =
                role_probes.is_some_and(|r| !r.required.is_empty() || !r.advised.is_empty());
            for kind in KINDS {
                if let Some(probe) = kind.of(c) {
                    check_handlers(c, kind, probe, s, in_scope, &handler_names, out);
                    check_ports(c, kind, probe, out);
                    check_timing(c, kind, probe, s, out);
                }
            }
            // The vendor designs it without probes (CSI's livenessprobe), or an injector
            // fills in this container, probes and all (Istio's `image: auto`).
            let vendor_says_none =
                c.product.is_some_and(|p| p.no_probes.is_some()) || c.is_injector_placeholder();
            if let Some(role_probes) = role_probes.filter(|_| !c.is_pause() && !vendor_says_none) {
                check_required(pod, c, s, role_probes, &handler_names, out);
            }
            if let (Some(liveness), Some(readiness)) =
                (&c.container.liveness_probe, &c.container.readiness_probe)
            {
                // An injector's identical probes are its vendor's design (Dapr's healthz).
                if liveness == readiness && c.injected_by.is_none() {
                    out.container(c, liveness_same_as_readiness(c));
                }
            }
        }
    }
}

/// Whether a probe has exactly one handler and it is a kind that counts.
fn counts(probe: &Probe, s: &ProbeSettings) -> bool {
    let present: Vec<ProbeHandler> = ProbeHandler::ALL
        .into_iter()
        .filter(|h| h.present(probe))
        .collect();
    present.len() == 1 && present.iter().all(|h| s.handlers.contains(h))
}

/// Whether a probe kind is asked of this container at all: a batch container, a native
/// sidecar's readiness in a Job, a native sidecar the app does not wait for, and what an
/// injector's contract leaves out are not.
fn asked(pod: &Pod<'_>, c: &ContainerRef<'_>, s: &ProbeSettings, kind: ProbeKind) -> bool {
    let native = c.role == Role::NativeSidecar;
    let in_job = pod.run_to_completion;
    let by_job = match kind {
        ProbeKind::Readiness => !in_job || s.readiness_in_jobs,
        // A native sidecar runs as long as the Job does: it is still watched.
        ProbeKind::Liveness => !in_job || native || s.liveness_in_jobs,
        // The kubelet starts the next container once a native sidecar has started: only
        // one the app depends on at start needs a startup probe.
        ProbeKind::Startup => !native || c.product.is_some_and(|p| p.app_waits_for.is_some()),
    };
    let by_vendor = match c
        .product
        .map(|p| p.probes)
        .filter(|_| c.injected_by.is_some())
    {
        Some(v) => match kind {
            ProbeKind::Readiness => v.readiness,
            ProbeKind::Liveness => v.liveness,
            ProbeKind::Startup => v.startup,
        },
        None => true,
    };
    // A product whose vendor designs it without a readiness (a helper that takes no
    // traffic), or with a liveness check only under a flag, when the author writes it.
    let by_design = match c.product.and_then(|p| p.probe_design.as_ref()) {
        Some(design) if c.injected_by.is_none() => match kind {
            ProbeKind::Readiness => design.readiness,
            ProbeKind::Liveness => design
                .liveness_with_flag
                .is_none_or(|flag| flag_on(c, flag)),
            ProbeKind::Startup => true,
        },
        _ => true,
    };
    by_job && by_vendor && by_design
}

/// Whether a boolean flag is on: `--flag`, `--flag=true` (not `--flag=false`).
fn flag_on(c: &ContainerRef<'_>, flag: &str) -> bool {
    super::args::words(c, &[]).iter().any(|(_, word)| {
        word == flag
            || word
                .strip_prefix(flag)
                .and_then(|rest| rest.strip_prefix('='))
                .is_some_and(|value| value != "false")
    })
}

fn check_required(
    pod: &Pod<'_>,
    c: &ContainerRef<'_>,
    s: &ProbeSettings,
    role_probes: &RoleProbes,
    handler_names: &[&str],
    out: &mut Findings,
) {
    // Injected, but no contract known: nothing the author can add.
    if c.injected_by.is_some() && c.product.is_none() {
        return;
    }
    let filter = |kinds: &[ProbeKind]| -> Vec<ProbeKind> {
        kinds
            .iter()
            .copied()
            .filter(|k| asked(pod, c, s, *k))
            .collect()
    };
    let required = filter(&role_probes.required);
    let advised: Vec<ProbeKind> = filter(&role_probes.advised)
        .into_iter()
        .filter(|k| !required.contains(k))
        .collect();
    match s.satisfied_by {
        SatisfiedBy::All => {
            for kind in required.iter().filter(|k| k.of(c).is_none()) {
                out.container(c, missing_probe(c, *kind, Severity::Deny, handler_names));
            }
        }
        SatisfiedBy::Any => {
            let satisfied = required
                .iter()
                .any(|k| k.of(c).is_some_and(|p| counts(p, s)));
            if !required.is_empty() && !satisfied {
                out.container(c, none_of_probes(c, &required, handler_names));
            }
        }
    }
    for kind in advised.into_iter().filter(|k| k.of(c).is_none()) {
        out.container(c, missing_probe(c, kind, Severity::Warn, handler_names));
    }
}

/// A probe has exactly one handler (any container); where probes are required, one of
/// a kind that counts.
fn check_handlers(
    c: &ContainerRef<'_>,
    kind: ProbeKind,
    probe: &Probe,
    s: &ProbeSettings,
    in_scope: bool,
    handler_names: &[&str],
    out: &mut Findings,
) {
    let present: Vec<ProbeHandler> = ProbeHandler::ALL
        .into_iter()
        .filter(|h| h.present(probe))
        .collect();
    match present.as_slice() {
        [] => out.container(c, no_handler(c, kind, handler_names)),
        [handler] if in_scope && !s.handlers.contains(handler) => {
            out.container(c, handler_not_counted(c, kind, *handler, handler_names))
        }
        [_] => {}
        _ => out.container(c, several_handlers(c, kind)),
    }
}

/// A probe's port is a real port number, or a name the container declares.
fn check_ports(c: &ContainerRef<'_>, kind: ProbeKind, probe: &Probe, out: &mut Findings) {
    let ports: [(Option<&IntOrString>, &str); 2] = [
        (probe.http_get.as_ref().map(|h| &h.port), "httpGet"),
        (probe.tcp_socket.as_ref().map(|t| &t.port), "tcpSocket"),
    ];
    for (port, handler) in ports {
        match port {
            Some(IntOrString::Int(n)) if !(1..=65535).contains(n) => {
                out.container(c, port_out_of_range(c, kind, handler, i64::from(*n)))
            }
            Some(IntOrString::String(name)) if !declares_port(c, name) => {
                out.container(c, undeclared_port(c, kind, handler, name))
            }
            _ => {}
        }
    }
    if let Some(grpc) = &probe.grpc {
        if !(1..=65535).contains(&grpc.port) {
            out.container(c, port_out_of_range(c, kind, "grpc", i64::from(grpc.port)));
        }
    }
}

/// Delays, periods and thresholds within the settings' bounds for this kind of probe.
fn check_timing(
    c: &ContainerRef<'_>,
    kind: ProbeKind,
    probe: &Probe,
    s: &ProbeSettings,
    out: &mut Findings,
) {
    let bounds = match kind {
        ProbeKind::Readiness => s.bounds.readiness.as_ref(),
        ProbeKind::Liveness => s.bounds.liveness.as_ref(),
        ProbeKind::Startup => s.bounds.startup.as_ref(),
    };
    let Some(bounds) = bounds else {
        return;
    };
    // Unset fields take the API server's defaults.
    let with_default = |v: Option<i32>, default: i64| Some(v.map_or(default, i64::from));
    let fields: [(&str, Option<Bound>, Option<i64>); 6] = [
        (
            "initialDelaySeconds",
            bounds.initial_delay_seconds,
            with_default(probe.initial_delay_seconds, 0),
        ),
        (
            "periodSeconds",
            bounds.period_seconds,
            with_default(probe.period_seconds, 10),
        ),
        (
            "timeoutSeconds",
            bounds.timeout_seconds,
            with_default(probe.timeout_seconds, 1),
        ),
        (
            "successThreshold",
            bounds.success_threshold,
            with_default(probe.success_threshold, 1),
        ),
        (
            "failureThreshold",
            bounds.failure_threshold,
            with_default(probe.failure_threshold, 3),
        ),
        (
            "terminationGracePeriodSeconds",
            bounds.termination_grace_period_seconds,
            probe.termination_grace_period_seconds,
        ),
    ];
    for (name, bound, value) in fields {
        let (Some(bound), Some(value)) = (bound, value) else {
            continue;
        };
        let problem = match (bound.min, bound.max) {
            (Some(min), _) if value < min => format!("below the minimum {min}"),
            (_, Some(max)) if value > max => format!("above the maximum {max}"),
            _ => continue,
        };
        out.container(
            c,
            timing_out_of_bounds(c, kind, name, value, &problem, bound),
        );
    }
}

// Message constructors: every finding this rule reports.

fn probe_on_init_container(c: &ContainerRef<'_>, kind: ProbeKind) -> Message {
    let field = kind.field();
    Message::deny(
        format!("{} has a {field}, which the API rejects on init containers", c.description()),
        "remove the probe, or make this a native sidecar (restartPolicy: Always) if it keeps running",
    )
    .at(format!("/{field}"))
}

fn liveness_same_as_readiness(c: &ContainerRef<'_>) -> Message {
    Message::warn(
        format!("{} has a livenessProbe identical to its readinessProbe", c.description()),
        "make liveness check only that the process is alive (a cheaper endpoint, a higher failureThreshold), so a slow dependency takes the container out of rotation instead of restarting it",
    )
    .at("/livenessProbe")
}

/// The handlers to add; for an injected container, who configures its probes.
fn handlers_to_add(c: &ContainerRef<'_>, handler_names: &[&str]) -> String {
    match c.injected_by {
        Some(p) => format!(
            "{}; {} injects this container with it by default: only the mesh's operator can restore it, in the injector's configuration",
            handler_names.join(", "),
            p.id
        ),
        None => handler_names.join(", "),
    }
}

fn missing_probe(
    c: &ContainerRef<'_>,
    kind: ProbeKind,
    severity: Severity,
    handler_names: &[&str],
) -> Message {
    let field = kind.field();
    let handlers = handlers_to_add(c, handler_names);
    let help = match kind {
        ProbeKind::Liveness if severity == Severity::Warn => format!(
            "add a livenessProbe that only checks the process is alive ({handlers}), with a generous failureThreshold: a careless one restarts a healthy container under load"
        ),
        ProbeKind::Startup => {
            let endpoint = c
                .product
                .and_then(|p| p.app_waits_for)
                .filter(|e| !e.is_empty())
                .map(|e| format!(" on {e}"))
                .unwrap_or_default();
            format!(
                "add a startupProbe{endpoint} ({handlers}): the kubelet starts the next container as soon as this one has started, so the app may start before its traffic can pass"
            )
        }
        _ => match c.product.and_then(|p| p.health_endpoint) {
            Some(endpoint) => format!("add a {field} ({handlers}); it serves {endpoint}"),
            None => format!("add a {field} ({handlers})"),
        },
    };
    let message = Message {
        severity,
        ..Message::deny(format!("{} has no {field}", c.description()), help)
    };
    // The injector's contract is the mesh's configuration, not the pod's.
    message.operator_only(c.injected_by.is_some())
}

fn none_of_probes(c: &ContainerRef<'_>, required: &[ProbeKind], handler_names: &[&str]) -> Message {
    let names: Vec<&str> = required.iter().map(|k| k.field()).collect();
    Message::deny(
        format!("{} has none of {}", c.description(), names.join(", ")),
        format!(
            "add at least one of {} ({})",
            names.join(", "),
            handlers_to_add(c, handler_names)
        ),
    )
    .operator_only(c.injected_by.is_some())
}

fn no_handler(c: &ContainerRef<'_>, kind: ProbeKind, handler_names: &[&str]) -> Message {
    let field = kind.field();
    Message::deny(
        format!("{} has a {field} with no handler", c.description()),
        format!("give the probe one handler: {}", handler_names.join(", ")),
    )
    .at(format!("/{field}"))
}

fn handler_not_counted(
    c: &ContainerRef<'_>,
    kind: ProbeKind,
    handler: ProbeHandler,
    handler_names: &[&str],
) -> Message {
    let field = kind.field();
    Message::deny(
        format!(
            "{} has a {field} whose {} handler does not count here",
            c.description(),
            handler.name()
        ),
        format!(
            "use one of the accepted handlers: {}",
            handler_names.join(", ")
        ),
    )
    .at(format!("/{field}/{}", handler.name()))
}

fn several_handlers(c: &ContainerRef<'_>, kind: ProbeKind) -> Message {
    let field = kind.field();
    Message::deny(
        format!(
            "{} has a {field} with more than one handler, which the API rejects",
            c.description()
        ),
        "keep exactly one of httpGet, tcpSocket, grpc or exec",
    )
    .at(format!("/{field}"))
}

fn port_out_of_range(c: &ContainerRef<'_>, kind: ProbeKind, handler: &str, port: i64) -> Message {
    let field = kind.field();
    Message::deny(
        format!(
            "{} has a {field} on port {port}, outside 1-65535",
            c.description()
        ),
        "probe a port between 1 and 65535",
    )
    .at(format!("/{field}/{handler}/port"))
}

fn undeclared_port(c: &ContainerRef<'_>, kind: ProbeKind, handler: &str, name: &str) -> Message {
    let field = kind.field();
    Message::deny(
        format!(
            "{} has a {field} on port {name:?}, which it does not declare",
            c.description()
        ),
        format!("declare a port named {name:?} in this container's ports, or probe a port number"),
    )
    .at(format!("/{field}/{handler}/port"))
}

fn timing_out_of_bounds(
    c: &ContainerRef<'_>,
    kind: ProbeKind,
    name: &str,
    value: i64,
    problem: &str,
    bound: Bound,
) -> Message {
    let field = kind.field();
    Message::deny(
        format!(
            "{} has a {field} {name} of {value}, {problem}",
            c.description()
        ),
        format!("set {field}.{name} within {}", describe_bound(bound)),
    )
    .at(format!("/{field}/{name}"))
}

fn declares_port(c: &ContainerRef<'_>, name: &str) -> bool {
    c.container
        .ports
        .iter()
        .flatten()
        .any(|p| p.name.as_deref() == Some(name))
}

fn describe_bound(bound: Bound) -> String {
    match (bound.min, bound.max) {
        (Some(min), Some(max)) => format!("{min}-{max}"),
        (Some(min), None) => format!("{min} or more"),
        (None, Some(max)) => format!("{max} or less"),
        (None, None) => "any value".to_string(),
    }
}
