use super::args::{flag_values, product_config, unreadable_config, words};
use super::options::{role_selected, CheckedRole, SeverityOverride};
use super::{Findings, Message, Pod, Rule, RuleSettings};
use crate::config::Config;
use crate::glob::{any_match, Glob};
use crate::sidecars::catalogue::{tag_major, ConfigKey, DefaultBind, Exposure, Listener};
use crate::sidecars::roles::ContainerRef;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

declare_rule! {
    /// ## What it does
    /// Checks where control interfaces of sidecars actually listen: an admin API that can
    /// reconfigure, shut down or read secrets from a proxy or agent must stay on the
    /// loopback.
    ///
    /// ## Why is this bad?
    /// Envoy's admin interface, a log agent's debug agent, OPA's API beside an app or a
    /// Vault agent's listener change configuration, stop the process or hand out
    /// credentials, mostly without authentication. Every container of the pod reaches them
    /// on `localhost`; bound to the pod IP they are open to every pod in the cluster, and
    /// with a `hostPort` to anything that reaches the node.
    ///
    /// The rule judges listeners, not `ports` entries: declaring a port does not open it,
    /// and leaving it out closes nothing. For each interface the catalogue knows, the
    /// address comes from, in order: a listen flag or environment variable in `command`,
    /// `args` or `env` (`--addr=:8181`, `--addr :8181`, `-envoy-admin-bind-address=…`);
    /// the sidecar's config file when its ConfigMap is part of the same input (the Envoy
    /// bootstrap's `admin.address`, the OpenTelemetry Collector's enabled `zpages` and
    /// `pprof` extensions' `endpoint`, Fluent Bit's `HTTP_Listen` when `Hot_Reload` is on,
    /// Fluentd's `debug_agent` source and `<system>` `rpc_endpoint`, Vector's `api.address`;
    /// config that enables none of them turns them off; config its reader cannot parse is
    /// a `warn` naming the ConfigMap, key and line);
    /// a declared `containerPort` of the interface, which counts as the pod IP when the
    /// product's default bind address is not the loopback; else the product's default
    /// (OPA before 1.0 listens on every interface). An address other than `127.0.0.0/8`,
    /// `::1`, `localhost` or a unix socket is `deny`, whatever else uses the port (probes
    /// included: give them a separate health listener); so is a `hostPort` on a control
    /// interface.
    ///
    /// What it does not flag: health and metrics listeners (Linkerd's admin server on
    /// 4191, whose control endpoints accept loopback clients only; Istio's 15020, 15021
    /// and 15090; Dapr's 3501; CSI sidecars' diagnostics), which the kubelet and
    /// Prometheus reach on the pod IP; an interface that is the product's own service when
    /// the container is the app — OPA's API in an OPA server, Grafana Alloy's HTTP server
    /// in an Alloy DaemonSet (its Service, probes and Prometheus reach it there, and binding
    /// it to 127.0.0.1 would break them), a Vault server's API — while beside another app
    /// the same interface is a helper's control API; a ConfigMap that is not in the input
    /// (unknown, not a finding); products whose control interface binds the loopback by
    /// design (istio-proxy's 15000, Kuma's admin API, the Cloud SQL proxy's admin port),
    /// even when the port is declared. A separate admin listener stays a control
    /// interface whatever the role: Envoy's admin in a gateway is judged like in a sidecar.
    ///
    /// Envoy's admin listens where its bootstrap says; 9901 is only the docs' example.
    /// Without the bootstrap in the input, a declared port 9901, or one named like an
    /// admin interface, is a `warn`: the port is the only sign. For sidecars of products
    /// the catalogue does not know, a declared port named like an admin interface
    /// (`adminPortNames`) is a `warn` hint too. Neither is ever reported on a port the
    /// container's own probes use (that is its health endpoint).
    ///
    /// On an injected container, an address the pod sets through the injector's
    /// annotation (Dapr's `dapr.io/sidecar-listen-addresses`) keeps the denial; one only the
    /// injector's configuration sets is a `warn` that says the mesh's operator must change
    /// it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: authz}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: shop/api:v3
    ///     - name: opa
    ///       image: openpolicyagent/opa:0.68.0
    ///       args: ["run", "--server", "--addr=0.0.0.0:8181"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: authz}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: shop/api:v3
    ///     - name: opa
    ///       image: openpolicyagent/opa:0.68.0
    ///       args: ["run", "--server", "--addr=127.0.0.1:8181"]
    /// ```
    ///
    /// ## Fix
    /// `None` yet: the bind address is the product's own flag or config key, and a fix that
    /// rewrote it would have to know every place that reaches the interface (probes, scrapers,
    /// sidecars on the pod IP). Never invented.
    ///
    /// ## Options
    /// `roles` (where service-type interfaces and name hints are judged; default sidecar
    /// and native sidecar), `adminPorts` (`{image, port, name}` control interfaces added to
    /// the catalogue; `image` is a glob on the repository path), `adminPortNames` (globs
    /// on port names, hints for unknown products), `severity`.
    ///
    /// ## References
    /// - <https://www.envoyproxy.io/docs/envoy/latest/operations/admin>
    /// - <https://www.openpolicyagent.org/docs/latest/security/>
    /// - <https://linkerd.io/2/reference/proxy-configuration/>
    /// - <https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio>
    pub struct LocalhostAdminPorts {
        id: "localhost-admin-ports",
        summary: "admin interfaces stay on the loopback",
        category: "network",
        since: "0.1.0",
        default_severity: Deny,
    }
}

/// An admin interface added to the built-in catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminPortSetting {
    /// Glob on the image repository path (registry, tag and digest stripped).
    pub image: Glob,
    /// The interface's port.
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
    /// What to call it in messages.
    pub name: String,
}

/// Settings of `localhost-admin-ports`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct AdminPortSettings {
    /// deny | warn | off; unset keeps each finding's default severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityOverride>,
    /// Roles whose service-type interfaces (OPA's API) and port-name hints are judged.
    pub roles: Vec<CheckedRole>,
    /// Control interfaces added to the built-in catalogue: `{image, port, name}`, `image`
    /// a glob on the repository path.
    pub admin_ports: Vec<AdminPortSetting>,
    /// Globs on port names that hint at an admin interface of an unknown product (warn).
    pub admin_port_names: Vec<Glob>,
}

impl Default for AdminPortSettings {
    fn default() -> Self {
        AdminPortSettings {
            severity: None,
            roles: vec![CheckedRole::Sidecar, CheckedRole::NativeSidecar],
            admin_ports: Vec::new(),
            admin_port_names: ["*admin*", "*debug*", "*pprof*", "*mgmt*"]
                .iter()
                .filter_map(|p| Glob::new(p).ok())
                .collect(),
        }
    }
}

impl RuleSettings for AdminPortSettings {
    fn severity(&self) -> Option<SeverityOverride> {
        self.severity
    }
}

impl Rule for LocalhostAdminPorts {
    type Settings = AdminPortSettings;

    fn check(&self, pod: &Pod<'_>, s: &AdminPortSettings, out: &mut Findings) {
        for c in &pod.containers {
            let mut known = false;
            // A control interface whose port only its config knows (Envoy's admin, from the
            // bootstrap): without that config, a port's name is the only sign.
            let mut unplaced: Vec<&Listener> = Vec::new();
            if let Some(product) = c.product {
                known = true;
                // The config is read once, and only for a product whose listeners it moves.
                let config = product
                    .listeners
                    .iter()
                    .any(|l| l.config.is_some())
                    .then(|| product_config(pod, c))
                    .flatten();
                for problem in config.iter().flat_map(|c| &c.problems) {
                    out.container(c, unreadable_config(c, problem, "where its listeners bind"));
                }
                for listener in product.listeners {
                    if judge_listener(c, s, config.as_ref(), listener, listener.name, out)
                        == Judged::PortUnknown
                    {
                        unplaced.push(listener);
                    }
                }
            }
            for added in s
                .admin_ports
                .iter()
                .filter(|p| p.image.is_match(&c.repository))
            {
                known = true;
                let listener = Listener {
                    name: "",
                    port: Some(added.port),
                    exposure: Exposure::Control,
                    default_bind: DefaultBind::Unknown,
                    port_fixed: true,
                    set_by_pod_annotation: false,
                    flags: &[],
                    env: &[],
                    config: None,
                    how_to_bind: "",
                    enabled_by: &[],
                };
                judge_listener(c, s, None, &listener, &added.name, out);
            }
            if !unplaced.is_empty() || (!known && role_selected(&s.roles, c.role)) {
                name_hints(c, s, &unplaced, out);
            }
        }
    }
}

/// Where a listener was found to listen, and what says so.
struct Bind {
    address: String,
    /// Pointer suffix within the container, where the evidence is.
    suffix: String,
    /// The evidence, for the message.
    evidence: String,
    /// Where in a config file, for `help` (the message stays short).
    config_line: Option<String>,
}

/// What judging a listener came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Judged {
    Done,
    /// A control interface whose port and address only its config file says, and the
    /// config is not in the input.
    PortUnknown,
}

/// Judges one listener of a container; `name` is what messages call it. `config`: what
/// the product's config (a ConfigMap of the input) says, when known.
fn judge_listener(
    c: &ContainerRef<'_>,
    s: &AdminPortSettings,
    config: Option<&Config>,
    listener: &Listener,
    name: &str,
    out: &mut Findings,
) -> Judged {
    let args = words(c, &[]);
    let mut exposure = listener.exposure;
    let mut binds = flag_binds(c, &args, listener);
    if binds.is_empty() {
        match config_bind(config, listener) {
            ConfigSays::Nothing => {}
            // The config is known: no default, no declared port, is a listener.
            ConfigSays::Off => return Judged::Done,
            ConfigSays::Listens {
                bind,
                exposure: from_config,
            } => {
                exposure = from_config.unwrap_or(exposure);
                binds.push(bind);
            }
        }
    }
    // A product's own service is what the workload runs when it is the app (Alloy's
    // HTTP server behind its Service, a Vault server's API): only beside an app is it a
    // control interface of a helper.
    let control = match exposure {
        Exposure::Control => true,
        Exposure::Service => c.is_sidecar() && role_selected(&s.roles, c.role),
        Exposure::HealthMetrics => false,
    };
    if !control {
        return Judged::Done;
    }
    if binds.is_empty() && !listener.port_fixed {
        return Judged::PortUnknown;
    }
    let declared = declared_port(c, listener);
    if binds.is_empty() {
        binds.extend(default_bind(c, &args, listener, declared));
    }
    for bind in binds {
        let exposure = match host_of(&bind.address) {
            Host::Loopback | Host::Unix => continue,
            Host::Every => "all interfaces".to_string(),
            Host::Other(host) => format!("{host}, not the loopback"),
        };
        out.container(
            c,
            served_beyond_loopback(c, name, &exposure, listener, bind),
        );
    }
    if let Some((index, port)) = declared {
        if let Some(host_port) = port.host_port {
            out.container(c, published_on_node(c, name, index, host_port));
        }
    }
    Judged::Done
}

// Message constructors: every finding this rule reports.

fn served_beyond_loopback(
    c: &ContainerRef<'_>,
    name: &str,
    exposure: &str,
    listener: &Listener,
    bind: Bind,
) -> Message {
    let how = if listener.how_to_bind.is_empty() {
        "with the product's own listen setting".to_string()
    } else {
        format!("({})", listener.how_to_bind)
    };
    // An injector writes this container: without a pod annotation that moves the
    // listener, only the mesh's operator can.
    let operator_only = c.injected_by.is_some() && !listener.set_by_pod_annotation;
    let mut help = if operator_only {
        format!(
            "the injector's configuration binds it: the mesh's operator must bind it to 127.0.0.1 {how}"
        )
    } else {
        format!(
            "bind it to 127.0.0.1 {how}; containers of the pod reach it on localhost, and \
             removing the port from ports closes nothing"
        )
    };
    if let Some(line) = &bind.config_line {
        help.push_str(&format!("; it is set by {line}"));
    }
    Message::deny(
        format!(
            "{} serves the {name} on {exposure} ({})",
            c.description(),
            bind.evidence
        ),
        help,
    )
    .at(bind.suffix)
    .operator_only(operator_only)
}

fn published_on_node(c: &ContainerRef<'_>, name: &str, index: usize, host_port: i32) -> Message {
    Message::deny(
        format!(
            "{} publishes the {name} on the node with hostPort {host_port}",
            c.description()
        ),
        "remove hostPort: a control interface must not be reachable from outside the pod",
    )
    .at(format!("/ports/{index}/hostPort"))
}

fn named_like_admin(c: &ContainerRef<'_>, index: usize, name: &str, port: i32) -> Message {
    Message::warn(
        format!(
            "{} declares port {name:?} ({port}), named like an admin interface",
            c.description()
        ),
        "if it can change or stop the sidecar, bind it to 127.0.0.1 with the product's own \
         listen setting (declaring or removing the port changes nothing); add the image to \
         adminPorts to make this a denial, or rename the port if it only serves health or metrics",
    )
    .at(format!("/ports/{index}"))
}

fn usual_admin_port(c: &ContainerRef<'_>, index: usize, listener: &Listener, port: i32) -> Message {
    let how = if listener.how_to_bind.is_empty() {
        "with the product's own listen setting".to_string()
    } else {
        format!("({})", listener.how_to_bind)
    };
    Message::warn(
        format!(
            "{} declares port {port}, the usual port of the {}; its config is not in the input",
            c.description(),
            listener.name
        ),
        format!(
            "make sure the {} listens on 127.0.0.1 {how}; declaring or removing the port changes nothing",
            listener.name
        ),
    )
    .at(format!("/ports/{index}"))
}

/// The declared `ports` entry of the listener's port.
fn declared_port<'c>(
    c: &'c ContainerRef<'_>,
    listener: &Listener,
) -> Option<(usize, &'c crate::model::ContainerPort<'c>)> {
    let port = listener.port?;
    c.container
        .ports
        .iter()
        .flatten()
        .enumerate()
        .find(|(_, p)| p.container_port == i32::from(port))
}

/// No flag or config says where it listens: a declared port counts as the pod IP unless
/// the product binds the loopback by default, else the product's default.
fn default_bind(
    c: &ContainerRef<'_>,
    args: &[(String, String)],
    listener: &Listener,
    declared: Option<(usize, &crate::model::ContainerPort<'_>)>,
) -> Option<Bind> {
    let runs = listener.enabled_by.is_empty()
        || args
            .iter()
            .any(|(_, w)| listener.enabled_by.contains(&w.as_str()));
    let every = match listener.default_bind {
        DefaultBind::Loopback => false,
        DefaultBind::EveryInterface => runs,
        DefaultBind::EveryBeforeMajor(major) => {
            runs && tag_major(c.image).is_some_and(|m| m < major)
        }
        DefaultBind::Unknown => false,
    };
    let port = listener.port.map(|p| format!(":{p}")).unwrap_or_default();
    if every {
        let suffix = if c.container.args.is_some() {
            "/args"
        } else {
            ""
        };
        return Some(Bind {
            address: format!("0.0.0.0{port}"),
            suffix: suffix.to_string(),
            evidence: "its default in this release".to_string(),
            config_line: None,
        });
    }
    if listener.default_bind == DefaultBind::Loopback {
        return None;
    }
    let (index, declared) = declared?;
    Some(Bind {
        address: declared
            .host_ip
            .as_deref()
            .map_or_else(|| format!("0.0.0.0{port}"), |ip| format!("{ip}{port}")),
        suffix: format!("/ports/{index}"),
        evidence: format!(
            "declared containerPort {}, no loopback bind",
            declared.container_port
        ),
        config_line: None,
    })
}

/// Listen addresses set by the listener's flags or environment variables.
fn flag_binds(c: &ContainerRef<'_>, args: &[(String, String)], listener: &Listener) -> Vec<Bind> {
    // A flag may list several addresses (Dapr's `--dapr-listen-addresses=[::1],127.0.0.1`).
    let mut binds: Vec<Bind> = flag_values(args, listener.flags)
        .into_iter()
        .flat_map(|(suffix, written, value)| {
            let addresses: Vec<String> = value.split(',').map(|a| a.trim().to_string()).collect();
            addresses.into_iter().map(move |address| Bind {
                address,
                suffix: suffix.to_string(),
                evidence: written.clone(),
                config_line: None,
            })
        })
        .collect();
    for (i, var) in c.container.env.iter().flatten().enumerate() {
        // A bare port (App Mesh's ENVOY_ADMIN_ACCESS_PORT) does not say the host.
        let address = var
            .value
            .as_deref()
            .filter(|v| !v.bytes().all(|b| b.is_ascii_digit()));
        if let Some(value) = address.filter(|_| listener.env.contains(&var.name.as_str())) {
            binds.push(Bind {
                address: value.to_string(),
                suffix: format!("/env/{i}/value"),
                evidence: format!("{}={value}", var.name),
                config_line: None,
            });
        }
    }
    binds
}

/// What the sidecar's config file (its ConfigMap, when in the input) says of a listener.
enum ConfigSays {
    /// The config is not in the input, or leaves the address to the release's default.
    Nothing,
    /// The config is known and the listener is off.
    Off,
    /// It listens at `bind`; `exposure`, when set, replaces the catalogue's (Fluent Bit's
    /// HTTP server is a control interface only with hot reload on).
    Listens {
        bind: Bind,
        exposure: Option<Exposure>,
    },
}

fn config_bind(config: Option<&Config>, listener: &Listener) -> ConfigSays {
    let (Some(key), Some(config)) = (listener.config, config) else {
        return ConfigSays::Nothing;
    };
    let found = match key {
        ConfigKey::EnvoyAdmin => config.listener("admin"),
        ConfigKey::FluentBitHttp => config.listener("http_server"),
        // `zpages` or a named instance of it (`zpages/debug`).
        ConfigKey::OtelExtension(name) => config
            .listeners
            .iter()
            .find(|l| l.id == name || l.id.strip_prefix(name).is_some_and(|r| r.starts_with('/'))),
        ConfigKey::Reader(id) => config.listener(id),
    };
    match found {
        // Config that could not be read says nothing; config that was read and opens
        // no such listener turns it off.
        None if !config.problems.is_empty() => ConfigSays::Nothing,
        None => ConfigSays::Off,
        // Its release's default, which the manifest does not show.
        Some(l) if l.address.is_none() => ConfigSays::Nothing,
        Some(l) => {
            let file = if l.note.is_empty() {
                l.at.file()
            } else {
                format!("{}, {}", l.note, l.at.file())
            };
            ConfigSays::Listens {
                bind: Bind {
                    address: l.address.clone().unwrap_or_default(),
                    suffix: format!("/volumeMounts/{}", l.at.mount),
                    evidence: file,
                    config_line: Some(format!("{} ({})", l.setting, l.at)),
                },
                exposure: l.exposure,
            }
        }
    }
}

/// Declared ports of an unknown product whose names suggest an admin interface.
/// Declared ports that look like an admin interface: by name, or by the usual port of a
/// control interface whose real address only the (absent) config says. Never a port the
/// container's own probes use: that one is its health endpoint.
fn name_hints(
    c: &ContainerRef<'_>,
    s: &AdminPortSettings,
    unplaced: &[&Listener],
    out: &mut Findings,
) {
    for (index, port) in c.container.ports.iter().flatten().enumerate() {
        if probed(c, port) {
            continue;
        }
        let usual = unplaced
            .iter()
            .find(|l| l.port.is_some_and(|p| i32::from(p) == port.container_port));
        if let Some(listener) = usual {
            out.container(c, usual_admin_port(c, index, listener, port.container_port));
            continue;
        }
        let Some(name) = port.name.as_deref() else {
            continue;
        };
        if any_match(&s.admin_port_names, &name.to_ascii_lowercase()) {
            out.container(c, named_like_admin(c, index, name, port.container_port));
        }
    }
}

/// Whether the container's own probes use this port (by number or name).
fn probed(c: &ContainerRef<'_>, port: &crate::model::ContainerPort<'_>) -> bool {
    use crate::model::IntOrString;
    let probes = [
        &c.container.readiness_probe,
        &c.container.liveness_probe,
        &c.container.startup_probe,
    ];
    probes.into_iter().flatten().any(|probe| {
        let targets = [
            probe.http_get.as_ref().map(|h| &h.port),
            probe.tcp_socket.as_ref().map(|t| &t.port),
        ];
        let grpc = probe
            .grpc
            .as_ref()
            .is_some_and(|g| g.port == port.container_port);
        grpc || targets.into_iter().flatten().any(|target| match target {
            IntOrString::Int(n) => *n == port.container_port,
            IntOrString::String(s) => port.name.as_deref() == Some(s.as_str()),
        })
    })
}

enum Host {
    Loopback,
    Every,
    Unix,
    Other(String),
}

/// Classifies the host of `host:port`, `[v6]:port`, `:port`, `http://host:port` or
/// `unix:///path`.
fn host_of(address: &str) -> Host {
    let address = address.trim();
    if address.starts_with("unix:") || address.starts_with('/') {
        return Host::Unix;
    }
    let address = address.split_once("://").map_or(address, |(_, rest)| rest);
    let address = address.split('/').next().unwrap_or_default();
    let host = if let Some(rest) = address.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else if address.matches(':').count() > 1 {
        // A bare IPv6 address without a port.
        address
    } else {
        address.rsplit_once(':').map_or(address, |(host, _)| host)
    };
    let host = host.to_ascii_lowercase();
    match host.as_str() {
        "" | "0.0.0.0" | "::" | "*" => Host::Every,
        "localhost" | "::1" => Host::Loopback,
        h if h.starts_with("127.") && h.split('.').count() == 4 => Host::Loopback,
        h => Host::Other(h.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert!(matches!(host_of(":8181"), Host::Every));
        assert!(matches!(host_of("0.0.0.0:8181"), Host::Every));
        assert!(matches!(host_of("[::]:8181"), Host::Every));
        assert!(matches!(host_of("::"), Host::Every));
        assert!(matches!(host_of("localhost:8181"), Host::Loopback));
        assert!(matches!(host_of("127.0.0.1:8181"), Host::Loopback));
        assert!(matches!(host_of("127.1.2.3:8181"), Host::Loopback));
        assert!(matches!(host_of("[::1]:8181"), Host::Loopback));
        assert!(matches!(host_of("http://127.0.0.1:8181"), Host::Loopback));
        assert!(matches!(host_of("unix:///tmp/opa.sock"), Host::Unix));
        assert!(matches!(host_of("10.0.0.5:8181"), Host::Other(_)));
    }
}
