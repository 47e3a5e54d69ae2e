use super::options::SeverityOverride;
use super::{Findings, Message, Pod, Rule, RuleSettings};
use crate::config::{Config, StateFile};
use crate::glob::{any_match, Glob};
use crate::pointer::escape as escape_pointer;
use crate::report::{Applicability, Fix, PatchOperation, Role};
use crate::sidecars::roles::ContainerRef;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

declare_rule! {
    /// ## What it does
    /// Checks that sidecars (classic and native) mount shared log volumes read-only, that
    /// node log directories (`hostPath`) are mounted read-only by every sidecar, and that
    /// every shared log volume has a writer.
    ///
    /// ## Why is this bad?
    /// A log shipper only needs to read what the app writes. Mounted read-write, a bug or a
    /// compromise in the shipper can truncate, rewrite or fill the app's logs, and with a
    /// `hostPath` volume the node's own logs. A log volume that every container mounts
    /// read-only has no writer: the shipper tails an empty directory, usually because the
    /// app's mount path was mistyped or marked read-only by mistake.
    ///
    /// A log mount is a `volumeMount` whose `mountPath` matches `logPaths` (by default
    /// `/var/log`, anything below it, and paths ending in `/log` or `/logs`) or whose volume
    /// name matches `logVolumeNames` (by default any name containing `log`). A volume is a
    /// log volume when any container mounts it as a log mount, or when it is a `hostPath`
    /// whose path matches `logPaths`. Every mount of a log volume by a sidecar is then
    /// judged, whatever path it uses. Init containers and app containers count as other
    /// mounters (and as writers). Ephemeral (debugging) containers are judged like
    /// sidecars: one added through `pods/ephemeralcontainers` that mounts the app's or the
    /// node's logs writable is denied too. A log volume is reported as writer-less only when an
    /// app or init container mounts it; `hostPath` volumes never are, since the node
    /// writes them. `configMap`, `secret`, `downwardAPI` and `projected` volumes are
    /// skipped: the kubelet mounts them read-only whatever the manifest says. YAML 1.1 spellings such as `readOnly: yes` count as
    /// read-only, as kubectl reads them.
    ///
    /// A helper that runs the app's own product (a product of several processes, such as
    /// an agent's trace and process agents beside its core agent) writes that product's
    /// own logs: its mounts are not judged.
    ///
    /// A log agent's own state — read positions and buffers — inside a mount it cannot
    /// write is `deny`: the agent cannot record how far it has read, and re-ships or loses
    /// lines after every restart. The state is read from the agent's config when its
    /// ConfigMap is part of the same input (`subPath`, `items` and projected volumes
    /// resolved as the kubelet does): Fluentd's `pos_file` and file buffers (with its
    /// `@include`s), Fluent Bit's tail `DB` and `storage.path`, Promtail's
    /// `positions.filename` (default `/var/log/positions.yaml`, inside a `/var/log` mount),
    /// Vector's `data_dir` (default `/var/lib/vector/`), Filebeat's registry (under
    /// `path.data`, by default `/usr/share/filebeat/data`), the OpenTelemetry Collector's
    /// `file_storage` directory. A mount is read-only with `readOnly: true` or when its
    /// volume is a ConfigMap, Secret, downward API or projected volume. Config its reader
    /// cannot parse is a `warn` naming the ConfigMap, key and line (never a denial, whatever
    /// `severity` says); a ConfigMap not in the input is unknown: no finding. When the
    /// state sits inside a shared log volume mounted writable, the `help` of that finding
    /// names it: it must move to a volume of the agent's own before the mount can be
    /// read-only.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: logs}
    /// spec:
    ///   initContainers:
    ///     - name: log-agent
    ///       image: corp/log-agent:v1
    ///       restartPolicy: Always
    ///       volumeMounts:
    ///         - {name: logs, mountPath: /var/log/app}
    ///   containers:
    ///     - name: app
    ///       image: shop/api:v3
    ///       volumeMounts:
    ///         - {name: logs, mountPath: /var/log/app}
    ///   volumes:
    ///     - {name: logs, emptyDir: {}}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: logs}
    /// spec:
    ///   initContainers:
    ///     - name: log-agent
    ///       image: corp/log-agent:v1
    ///       restartPolicy: Always
    ///       volumeMounts:
    ///         - {name: logs, mountPath: /var/log/app, readOnly: true}
    ///   containers:
    ///     - name: app
    ///       image: shop/api:v3
    ///       volumeMounts:
    ///         - {name: logs, mountPath: /var/log/app}
    ///   volumes:
    ///     - {name: logs, emptyDir: {}}
    /// ```
    ///
    /// ## Fix
    /// `readOnly: true` on the sidecar's mount (the finding's `path`). **Safe** when nothing
    /// the sidecar writes is inside the mount: its product keeps no state of its own (no log
    /// agent of the catalogue), or its config is in the input and keeps the agent's state
    /// elsewhere. **Unsafe** when a log agent's config is unknown or unreadable: its state
    /// may be in the mount, and a read-only mount would make it lose its read positions.
    /// **None** when its state is known to be inside the mount (it must move to a volume of
    /// its own first), and none for a state file in a read-only mount or a log volume
    /// without a writer: which container should write is the author's choice.
    ///
    /// ## Options
    /// `logPaths`, `logVolumeNames` (globs, replacing the defaults), `severity`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/cluster-administration/logging/#sidecar-container-with-logging-agent>
    /// - <https://kubernetes.io/docs/concepts/storage/volumes/#hostpath>
    pub struct ReadonlyLogMounts {
        id: "readonly-log-mounts",
        summary: "sidecars read logs, they do not write them",
        category: "storage",
        since: "0.1.0",
        default_severity: Deny,
    }
}

/// Settings of `readonly-log-mounts`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct LogMountSettings {
    /// deny | warn | off; unset keeps each finding's default severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityOverride>,
    /// Globs on mount paths (and hostPath paths) that hold logs.
    pub log_paths: Vec<Glob>,
    /// Globs on volume names that hold logs.
    pub log_volume_names: Vec<Glob>,
}

impl Default for LogMountSettings {
    fn default() -> Self {
        let globs = |patterns: &[&str]| patterns.iter().filter_map(|p| Glob::new(p).ok()).collect();
        LogMountSettings {
            severity: None,
            log_paths: globs(&["/var/log", "/var/log/**", "**/log", "**/logs"]),
            log_volume_names: globs(&["*log*"]),
        }
    }
}

impl RuleSettings for LogMountSettings {
    fn severity(&self) -> Option<SeverityOverride> {
        self.severity
    }
}

/// One mount of a volume by one container.
struct Mount {
    /// Index into `LogVolumes::everyone`.
    container: usize,
    index: usize,
    read_only: bool,
}

/// The pod's volumes as this rule sees them: which hold logs, and who mounts them how.
struct LogVolumes<'p, 'a> {
    /// Containers then ephemeral containers, in pod order.
    everyone: Vec<&'p ContainerRef<'a>>,
    /// Volume name → (index in `volumes`, hostPath if any).
    volumes: BTreeMap<&'p str, (usize, Option<&'p str>)>,
    mounts: BTreeMap<&'p str, Vec<Mount>>,
    /// Volumes that hold logs (by mount path, name or host path), sorted; volumes the
    /// kubelet always mounts read-only (ConfigMaps, Secrets, …) are left out.
    logs: Vec<&'p str>,
}

impl<'p, 'a> LogVolumes<'p, 'a> {
    fn of(pod: &'p Pod<'a>, s: &LogMountSettings) -> Self {
        let is_log_path = |path: &str| {
            let trimmed = path.trim_end_matches('/');
            any_match(&s.log_paths, if trimmed.is_empty() { "/" } else { trimmed })
        };
        let all_volumes = || pod.spec.volumes.iter().flatten();
        let volumes: BTreeMap<&str, (usize, Option<&str>)> = all_volumes()
            .enumerate()
            .map(|(i, v)| {
                (
                    v.name.as_str(),
                    (i, v.host_path.as_ref().map(|h| h.path.as_str())),
                )
            })
            .collect();
        let everyone: Vec<&ContainerRef<'a>> =
            pod.containers.iter().chain(&pod.ephemeral).collect();
        let mut mounts: BTreeMap<&str, Vec<Mount>> = BTreeMap::new();
        let mut logs: Vec<&str> = Vec::new();
        for (container, c) in everyone.iter().enumerate() {
            for (index, m) in c.container.volume_mounts.iter().flatten().enumerate() {
                let volume = m.name.as_str();
                if is_log_path(&m.mount_path) || any_match(&s.log_volume_names, volume) {
                    logs.push(volume);
                }
                let read_only = m.read_only == Some(true);
                mounts.entry(volume).or_default().push(Mount {
                    container,
                    index,
                    read_only,
                });
            }
        }
        logs.extend(
            volumes
                .iter()
                .filter(|(_, (_, host_path))| host_path.is_some_and(is_log_path))
                .map(|(name, _)| *name),
        );
        // The kubelet always mounts these read-only: no one can write them, no one must.
        let always_read_only: Vec<&str> = all_volumes()
            .filter(|v| {
                v.config_map.is_some()
                    || v.secret.is_some()
                    || v.downward_api.is_some()
                    || v.projected.is_some()
            })
            .map(|v| v.name.as_str())
            .collect();
        logs.sort_unstable();
        logs.dedup();
        logs.retain(|v| !always_read_only.contains(v));
        LogVolumes {
            everyone,
            volumes,
            mounts,
            logs,
        }
    }
}

impl Rule for ReadonlyLogMounts {
    type Settings = LogMountSettings;

    fn check(&self, pod: &Pod<'_>, s: &LogMountSettings, out: &mut Findings) {
        for c in &pod.containers {
            check_state(pod, c, out);
        }
        let volumes = LogVolumes::of(pod, s);
        for volume in &volumes.logs {
            let Some(mounts) = volumes.mounts.get(volume) else {
                continue;
            };
            let host_path = volumes.volumes.get(volume).and_then(|(_, h)| *h);
            for m in mounts {
                check_mount(pod, &volumes, volume, host_path, m, out);
            }
            let has_writer = mounts.iter().any(|m| !m.read_only);
            let app_or_init_mounts = mounts.iter().any(|m| {
                volumes
                    .everyone
                    .get(m.container)
                    .is_some_and(|c| matches!(c.role, Role::App | Role::Init))
            });
            if !has_writer && host_path.is_none() && app_or_init_mounts {
                let at = match volumes.volumes.get(volume) {
                    Some((i, _)) => format!("/volumes/{i}"),
                    None => format!("/volumes/{}", escape_pointer(volume)),
                };
                out.pod(pod, nobody_writes(volume, at));
            }
        }
    }
}

/// A sidecar's (or debugging container's) writable mount of a log volume.
fn check_mount(
    pod: &Pod<'_>,
    volumes: &LogVolumes,
    volume: &str,
    host_path: Option<&str>,
    m: &Mount,
    out: &mut Findings,
) {
    let Some(c) = volumes.everyone.get(m.container) else {
        return;
    };
    // Ephemeral (debugging) containers read logs like sidecars do.
    if !(c.is_sidecar() || c.role == Role::Ephemeral) || m.read_only {
        return;
    }
    // A helper running the app's own product (the Datadog Agent's trace-agent beside
    // its core agent) writes that product's own logs into its log directory: it is
    // one product in several processes, not a shipper reading the app's logs.
    let same_product_as_app = c.product.is_some_and(|p| {
        volumes.everyone.iter().any(|other| {
            other.role == Role::App && other.product.is_some_and(|q| std::ptr::eq(p, q))
        })
    });
    if same_product_as_app {
        return;
    }
    let shared = volumes
        .mounts
        .get(volume)
        .is_some_and(|all| all.iter().any(|other| other.container != m.container));
    if host_path.is_none() && !shared {
        return;
    }
    let Some(mount) = c.container.volume_mounts.iter().flatten().nth(m.index) else {
        return;
    };
    let config = super::args::product_config(pod, c);
    let state = config
        .as_ref()
        .and_then(|config| state_files_under(config, &mount.mount_path));
    let fix = read_only_fix(
        c,
        m.index,
        mount.read_only,
        config.as_ref(),
        state.is_some(),
    );
    let message = match host_path {
        Some(node_path) => node_logs_writable(c, m.index, node_path, volume),
        None => shared_logs_writable(c, m.index, volume, state),
    };
    out.container(c, message.fix(fix));
}

/// `readOnly: true` on the mount. Safe when nothing the sidecar writes is inside it: no
/// product of the catalogue that keeps state (a log agent), or one whose config (in the
/// input) keeps its state elsewhere. Unsafe when such a product's config is unknown or
/// unreadable: its state may be in the mount, and the author must look. None when its
/// state is inside: the agent would lose its read positions, so the state must move to a
/// volume of its own first.
fn read_only_fix(
    c: &ContainerRef<'_>,
    index: usize,
    read_only: Option<bool>,
    config: Option<&Config>,
    state_inside: bool,
) -> Option<Fix> {
    if state_inside {
        return None;
    }
    let keeps_state = c
        .product
        .is_some_and(|p| p.reads_logs || p.config_reader.is_some());
    let config_known = config.is_some_and(|config| config.problems.is_empty());
    let applicability = if keeps_state && !config_known {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let path = format!("{}/volumeMounts/{index}/readOnly", c.pointer);
    let value = serde_json::Value::Bool(true);
    // `readOnly: false` (or `no`) is there to replace; an absent key is added.
    let operation = match read_only {
        Some(_) => PatchOperation::Replace { path, value },
        None => PatchOperation::Add { path, value },
    };
    Some(Fix {
        title: format!("mount it read-only in {:?}", c.name),
        applicability,
        operations: vec![operation],
    })
}

// Message constructors: every finding this rule reports.

fn node_logs_writable(
    c: &ContainerRef<'_>,
    index: usize,
    node_path: &str,
    volume: &str,
) -> Message {
    Message::deny(
        format!(
            "{} mounts the node's log directory {node_path} (volume {volume:?}) writable",
            c.description()
        ),
        "set readOnly: true on this volumeMount: a log shipper only reads node logs",
    )
    .at(format!("/volumeMounts/{index}"))
}

/// `state`: the shipper's position files kept in the volume, which must move first.
fn shared_logs_writable(
    c: &ContainerRef<'_>,
    index: usize,
    volume: &str,
    state: Option<String>,
) -> Message {
    let mut help = "set readOnly: true on this volumeMount: the app writes the logs, the sidecar only reads them".to_string();
    if let Some(state) = state {
        help.push_str(&format!("; first move {state} to a volume of its own"));
    }
    Message::deny(
        format!(
            "{} mounts the shared log volume {volume:?} writable",
            c.description()
        ),
        help,
    )
    .at(format!("/volumeMounts/{index}"))
}

fn nobody_writes(volume: &str, at: String) -> Message {
    Message::warn(
        format!("log volume {volume:?} is mounted read-only by every container, so nothing writes to it"),
        "mount it writable in the container that produces the logs",
    )
    .at(at)
}

/// The state files a log shipper's config (a ConfigMap of the same input) keeps under
/// `mount_path`, which a read-only mount would stop it from recording:
/// `its position file a (pos_file in ConfigMap name/file, line 4)`.
fn state_files_under(config: &Config, mount_path: &str) -> Option<String> {
    let under: Vec<&StateFile> = config
        .state
        .iter()
        .filter(|f| is_under(&f.path, mount_path))
        .collect();
    let first = under.first()?;
    let paths: Vec<&str> = under.iter().map(|f| f.path.as_str()).collect();
    let noun = if under.len() == 1 { "file" } else { "files" };
    Some(format!(
        "its position {noun} {} ({} in {})",
        paths.join(", "),
        first.setting,
        first.at
    ))
}

/// Whether `path` is `dir` or inside it.
fn is_under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    let path = path.trim_end_matches('/');
    path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A catalogued agent whose config (in the input) keeps its state — read positions,
/// buffers — inside a mount it cannot write: the deepest mount holding the path is
/// `readOnly`, or a volume the kubelet always mounts read-only (a ConfigMap, a Secret).
fn check_state(pod: &Pod<'_>, c: &ContainerRef<'_>, out: &mut Findings) {
    if c.product.and_then(|p| p.config_reader).is_none() {
        return;
    }
    let Some(config) = super::args::product_config(pod, c) else {
        return;
    };
    for problem in &config.problems {
        out.container(
            c,
            super::args::unreadable_config(c, problem, "where it keeps its state"),
        );
    }
    for state in &config.state {
        let deepest = c
            .container
            .volume_mounts
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, m)| is_under(&state.path, &m.mount_path))
            .max_by_key(|(_, m)| m.mount_path.len());
        let Some((index, mount)) = deepest else {
            continue;
        };
        let always_read_only = pod.spec.volumes.iter().flatten().any(|v| {
            v.name.as_str() == mount.name.as_str()
                && (v.config_map.is_some()
                    || v.secret.is_some()
                    || v.downward_api.is_some()
                    || v.projected.is_some())
        });
        if mount.read_only == Some(true) || always_read_only {
            out.container(
                c,
                state_in_read_only_mount(c, index, &mount.mount_path, state),
            );
        }
    }
}

fn state_in_read_only_mount(
    c: &ContainerRef<'_>,
    index: usize,
    mount_path: &str,
    state: &StateFile,
) -> Message {
    let source = if state.by_default {
        format!("the default {} puts it there", state.setting)
    } else {
        format!("{} in {} puts it there", state.setting, state.at)
    };
    Message::deny(
        format!(
            "{} keeps its state {} in read-only mount {mount_path}",
            c.description(),
            state.path
        ),
        format!(
            "{source}: the agent cannot record how far it has read and re-ships or loses lines \
             after every restart; keep its state on a writable volume of its own (an emptyDir)"
        ),
    )
    .at(format!("/volumeMounts/{index}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_mounts() {
        assert!(is_under("/var/log/app/a.pos", "/var/log/app"));
        assert!(is_under("/var/log/app/a.pos", "/var/log/app/"));
        assert!(is_under("/var/lib/vector/", "/var/lib/vector"));
        assert!(!is_under("/var/log/application/a.pos", "/var/log/app"));
        assert!(!is_under("/var/log", "/var/log/app"));
    }
}
