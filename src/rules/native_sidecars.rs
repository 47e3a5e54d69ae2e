use super::args::{flag_values, words};
use super::options::KubernetesVersion;
use super::{Findings, Message, Pod, Rule, SeverityOnly};
use crate::report::{Applicability, Fix, PatchOperation, Role};
use crate::sidecars::catalogue::RunsOnce;
use crate::sidecars::roles::{ContainerRef, RoleReason};

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
    /// `warn`, since that init container runs without it — except after its injector's own
    /// init containers (Istio's `istio-init`/`istio-validation`, Linkerd's `linkerd-init`/
    /// `linkerd-network-validator`) and other injected ones, which must run first.
    ///
    /// Commands are read as the shell reads them (`sh -c` scripts split into commands, YAML
    /// folded scalars joined as YAML joins them, `$(VAR)` expanded from `env`). Whatever its
    /// role, a container whose process never exits by itself (`tail -f`/`-F`,
    /// `sleep infinity`, a `while true` loop without `break` or `exit`) keeps a Job running:
    /// `deny`. A classic sidecar in a Job that something really stops is a `warn`: a command
    /// of the app's script calls the product's stop endpoint (`/quitquitquit`,
    /// `linkerd-await --shutdown`, `4191/shutdown`), or a watcher container signals it
    /// through the shared process namespace (`pkill`, `killall`, or a script handed its
    /// process name). A stop call that is only an argument of another command — a folded
    /// scalar joining `curl …/quitquitquit` onto the batch command's line — stops nothing:
    /// `deny`. A watcher itself ends once it has stopped the others: no finding. A product
    /// the catalogue knows to run once in the settings given (prometheus-config-reloader
    /// with `--watch-interval=0`, k8s-sidecar with `METHOD=LIST`, geoipupdate without
    /// `GEOIPUPDATE_FREQUENCY`) keeps nothing running either.
    ///
    /// On an injected sidecar the author can still act through the pod (call the stop
    /// endpoint, or ask for native injection), so its findings keep their severity and
    /// `help` names the injector's native-sidecar annotation
    /// (`sidecar.istio.io/nativeSidecar`, `config.linkerd.io/proxy-enable-native-sidecar`).
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
    ///         - {name: cloud-sql-proxy, image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.8.0, restartPolicy: Always}
    ///       containers:
    ///         - {name: migrate, image: corp/migrate:v3}
    /// ```
    ///
    /// ## Fix
    /// **Unsafe** (start-up and shutdown order change): a classic sidecar moves into
    /// `initContainers` with `restartPolicy: Always` (only where `kubernetesVersion` is 1.29 or
    /// later), placed after the init containers that must run first (its injector's companions,
    /// injected ones, native sidecars already there) and before every plain init container,
    /// which may need it; a native sidecar after a plain init container moves before it; an
    /// init container's `restartPolicy: always` (any casing) becomes `Always`. An injected
    /// container gets no fix (its injector writes it anew: `help` names the annotation), nor
    /// does an app that never exits, nor a native sidecar on a cluster too old for it.
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
        let version = pod.kubernetes_version;
        let supported = version.at_least(NATIVE_SIDECARS_MINOR);
        for c in &pod.containers {
            match c.role {
                Role::Sidecar if pod.run_to_completion => classic_in_job(pod, c, supported, out),
                Role::App if pod.run_to_completion && c.process.never_exits() => {
                    out.container(c, never_exits_in_job(c, pod.kind))
                }
                Role::Sidecar if supported => {
                    out.container(c, classic_sidecar(c, version).fix(make_native(pod, c)))
                }
                Role::NativeSidecar => {
                    if !supported {
                        out.container(c, native_sidecar_unsupported(c, version));
                    }
                    if let Some((init, at)) = init_running_without(pod, c) {
                        let fix = move_before(pod, c, at);
                        out.container(c, after_init_container(c, init).fix(fix));
                    }
                }
                Role::Init => {
                    if let Some(policy) = &c.container.restart_policy {
                        let fix = capitalise_always(c, policy);
                        out.container(c, invalid_restart_policy(c, policy).fix(fix));
                    }
                }
                Role::App | Role::Sidecar | Role::Ephemeral => {}
            }
        }
    }
}

/// A classic sidecar in a Job: the pod completes only once every regular container has
/// exited, so it keeps running unless something stops it: a command of the app's script
/// that calls the product's stop endpoint (Istio's and the Cloud SQL proxy's
/// `/quitquitquit`, `linkerd-await --shutdown`), or a watcher that signals it through the
/// shared process namespace. A watcher itself ends once it has stopped the others.
fn classic_in_job(pod: &Pod<'_>, c: &ContainerRef<'_>, supported: bool, out: &mut Findings) {
    if matches!(c.role_reason, RoleReason::StopsAnother(_)) || runs_once(c) {
        return;
    }
    // Below 1.29 a native sidecar hangs the pod in Init: no fix there.
    let fix = make_native(pod, c).filter(|_| supported);
    let message = match stopper(pod, c) {
        Some((by, how)) => stopped_by(c, pod.kind, by, &how),
        None => keeps_job_running(c, pod.kind),
    };
    out.container(c, message.fix(fix));
}

/// The classic sidecar moved into `initContainers` with `restartPolicy: Always`: after the
/// init containers that must run first (its injector's companions, injected ones, native
/// sidecars already there) and before every plain init container, which may need it.
/// Unsafe: the pod's start-up and shutdown order changes, and plain init containers now
/// wait for it.
fn make_native(pod: &Pod<'_>, c: &ContainerRef<'_>) -> Option<Fix> {
    let prefix = format!("{}/containers/", pod.spec_pointer);
    c.pointer.strip_prefix(&prefix)?.parse::<usize>().ok()?;
    let inits = pod.spec.init_containers.as_deref().unwrap_or_default();
    let at = (0..inits.len())
        .take_while(|i| {
            let pointer = format!("{}/initContainers/{i}", pod.spec_pointer);
            pod.containers
                .iter()
                .find(|o| o.pointer == pointer)
                .is_some_and(|o| {
                    o.role == Role::NativeSidecar
                        || o.injected_by.is_some()
                        || c.product.is_some_and(|p| o.is_companion_of(p))
                })
        })
        .count();
    let mut operations = vec![PatchOperation::Add {
        path: format!("{}/restartPolicy", c.pointer),
        value: "Always".into(),
    }];
    if pod.spec.init_containers.is_none() {
        operations.push(PatchOperation::Add {
            path: pod.pointer("/initContainers"),
            value: serde_json::Value::Array(Vec::new()),
        });
    }
    operations.push(PatchOperation::Move {
        from: c.pointer.clone(),
        path: pod.pointer(&format!("/initContainers/{at}")),
    });
    Some(Fix {
        title: format!(
            "make {:?} a native sidecar (initContainers, restartPolicy: Always)",
            c.name
        ),
        applicability: Applicability::Unsafe,
        operations,
    })
}

/// The native sidecar moved before the init container that runs without it. Unsafe:
/// that init container then waits for the sidecar's start-up.
fn move_before(pod: &Pod<'_>, c: &ContainerRef<'_>, at: usize) -> Option<Fix> {
    Some(Fix {
        title: format!("move {:?} before the init containers that need it", c.name),
        applicability: Applicability::Unsafe,
        operations: vec![PatchOperation::Move {
            from: c.pointer.clone(),
            path: pod.pointer(&format!("/initContainers/{at}")),
        }],
    })
}

/// `always` (any casing) written as the API's `Always`. Unsafe: the container becomes a
/// native sidecar, which may not be what a plain init container's author meant.
fn capitalise_always(c: &ContainerRef<'_>, policy: &str) -> Option<Fix> {
    policy.eq_ignore_ascii_case("always").then(|| Fix {
        title: format!("write restartPolicy: Always in {:?}", c.name),
        applicability: Applicability::Unsafe,
        operations: vec![PatchOperation::Replace {
            path: format!("{}/restartPolicy", c.pointer),
            value: "Always".into(),
        }],
    })
}

/// The catalogue's product runs once and exits in the settings the container gives it.
fn runs_once(c: &ContainerRef<'_>) -> bool {
    let Some(rule) = c.product.and_then(|p| p.runs_once.as_ref()) else {
        return false;
    };
    let env = |name: &str| {
        c.container
            .env
            .iter()
            .flatten()
            .find(|e| e.name.as_str() == name)
            .map(|e| e.value.as_deref().unwrap_or_default())
    };
    match rule {
        RunsOnce::Flag(flag, value) => {
            let words = words(c, &[]);
            flag_values(&words, &[flag])
                .iter()
                .any(|(_, _, v)| v == value)
        }
        RunsOnce::Env(name, value) => env(name) == Some(value),
        RunsOnce::EnvUnsetOrZero(name) => {
            env(name).is_none_or(|v| v.trim().is_empty() || v.trim() == "0")
        }
    }
}

/// The container that stops this sidecar, and the command that does.
fn stopper<'p>(pod: &'p Pod<'_>, sidecar: &ContainerRef<'_>) -> Option<(&'p str, String)> {
    let markers = sidecar.product.map_or(&[][..], |p| p.stopped_by);
    let called = pod
        .containers
        .iter()
        .filter(|a| a.role == Role::App)
        .find_map(|app| {
            app.process
                .calls_stop(markers)
                .map(|cmd| (app.name, cmd.text()))
        });
    if called.is_some() {
        return called;
    }
    if pod.spec.share_process_namespace != Some(true) {
        return None;
    }
    let processes: Vec<&str> = sidecar
        .product
        .map_or(&[][..], |p| p.processes)
        .iter()
        .copied()
        .chain([sidecar.name])
        .collect();
    pod.containers
        .iter()
        .filter(|w| w.position != sidecar.position)
        .find_map(|w| {
            w.process
                .stops_process(&processes)
                .map(|cmd| (w.name, cmd.text()))
        })
}

// Message constructors: every finding this rule reports.

fn classic_sidecar(c: &ContainerRef<'_>, version: KubernetesVersion) -> Message {
    Message::warn(
        format!(
            "sidecar {:?} is a regular container; Kubernetes {version} supports native sidecars",
            c.name
        ),
        move_it(c, "so it starts before and stops after the app"),
    )
}

fn native_sidecar_unsupported(c: &ContainerRef<'_>, version: KubernetesVersion) -> Message {
    Message::deny(
        format!("{} needs Kubernetes 1.29 or later, but the cluster is {version}", c.description()),
        "run it as a regular container until the cluster is upgraded, or set kubernetesVersion to the cluster's version",
    )
    .at("/restartPolicy")
}

fn after_init_container(c: &ContainerRef<'_>, init: &str) -> Message {
    Message::warn(
        format!("{} comes after init container {init:?}, which runs without it", c.description()),
        "list native sidecars before the init containers that need them (init containers start in order)",
    )
}

fn invalid_restart_policy(c: &ContainerRef<'_>, policy: &str) -> Message {
    Message::deny(
        format!(
            "{} has restartPolicy {policy:?}; init containers accept only \"Always\"",
            c.description()
        ),
        "write restartPolicy: Always (capital A) for a native sidecar, or remove the field",
    )
    .at("/restartPolicy")
}

fn stopped_by(c: &ContainerRef<'_>, kind: &str, by: &str, how: &str) -> Message {
    Message::warn(
        format!(
            "sidecar {:?} is a regular container in this {kind}; {by:?} stops it ({})",
            c.name,
            shorten(how)
        ),
        move_it(
            c,
            "and the Job completes without anything having to stop it",
        ),
    )
}

fn never_exits_in_job(c: &ContainerRef<'_>, kind: &str) -> Message {
    let command = c
        .process
        .commands
        .first()
        .map(|cmd| shorten(&cmd.text()))
        .unwrap_or_default();
    Message::deny(
        format!("{} never exits by itself ({command}), so this {kind} never completes", c.description()),
        "make its command end when the work is done, or move it to initContainers with restartPolicy: Always (a native sidecar), which stops when the main containers finish",
    )
}

/// A command cut to fit a message (within 120 characters with the rest).
fn shorten(text: &str) -> String {
    const MAX: usize = 28;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX - 1).collect();
    format!("{cut}…")
}

fn keeps_job_running(c: &ContainerRef<'_>, kind: &str) -> Message {
    Message::deny(
        format!("sidecar {:?} keeps this {kind} running after its main containers finish, unless something stops it", c.name),
        move_it(c, "it then stops when the main containers finish"),
    )
}

/// The remedy: move the sidecar to `initContainers`, or for an injected one, the
/// injector's annotation that does so.
fn move_it(c: &ContainerRef<'_>, benefit: &str) -> String {
    match c.injected_by.and_then(|p| p.native_sidecar_annotation.map(|a| (p.id, a))) {
        Some((injector, annotation)) => format!(
            "{injector} injects this container: set the pod annotation {annotation}: \"true\" to have it injected as a native sidecar, {benefit}"
        ),
        None => format!("move it to initContainers with restartPolicy: Always (a native sidecar), {benefit}"),
    }
}

/// The first plain init container before this native sidecar that runs without it. An
/// injector's own init containers (network setup, validation) and other injected ones are
/// ordered so on purpose.
/// Returns its name and its index in `initContainers`.
fn init_running_without<'p>(
    pod: &'p Pod<'_>,
    sidecar: &ContainerRef<'_>,
) -> Option<(&'p str, usize)> {
    let prefix = format!("{}/initContainers/", pod.spec_pointer);
    pod.containers
        .iter()
        .take_while(|c| c.position < sidecar.position)
        .filter(|c| c.role == Role::Init && c.injected_by.is_none())
        .find(|c| !sidecar.product.is_some_and(|p| c.is_companion_of(p)))
        .and_then(|c| {
            let index = c.pointer.strip_prefix(&prefix)?.parse().ok()?;
            Some((c.name, index))
        })
}
