use super::{describe_container, Findings, Pod, Rule, RuleSettings};
use crate::catalogue::{path_matches, AdminInterface, ADMIN_INTERFACES, GENERIC_ADMIN_FLAGS};
use crate::glob::{any_match, Glob};
use crate::report::Severity;
use crate::roles::ContainerRef;
use crate::settings::SeverityOverride;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

declare_rule! {
    /// ## What it does
    /// Checks that admin and debug interfaces of containers stay on the loopback: not
    /// declared in `ports`, not given a `hostPort`, and not bound to every interface by
    /// their listen flags.
    ///
    /// ## Why is this bad?
    /// Sidecar admin interfaces (Envoy's 9901, istio-proxy's 15000, OPA's API on 8181,
    /// Fluentd's debug agent, Vault agent's listener, pprof endpoints) can reconfigure the
    /// proxy, dump its secrets and certificates, or shut it down, usually without any
    /// authentication. Every container of the pod reaches them on `localhost` anyway; bound
    /// to the pod IP they are open to every pod in the cluster, and with a `hostPort` to
    /// anything that reaches the node.
    ///
    /// Admin interfaces are named by image in a built-in catalogue (extended by
    /// `adminPorts`), and any declared port whose name matches `adminPortNames` is one too.
    /// A declared catalogue port is harmless when the container's own flags bind that
    /// interface to the loopback explicitly (`--addr=127.0.0.1:8181`). A listen flag in
    /// `command`, `args` or `env` (`--addr=:8181`, `--addr :8181`, `--admin-address=…`,
    /// `--listen-address=…` on a catalogued image) is a finding unless its host is a
    /// loopback address (`127.0.0.0/8`, `::1`, `localhost`): an empty host, `0.0.0.0`,
    /// `::` or `[::]` binds every interface, and any other address is not the loopback
    /// either. A flag left at a default that binds every interface (OPA's `run --server`
    /// without `--addr`, true before OPA 1.0) is a finding too. A `hostPort` on an admin
    /// port is always a finding, as a separate one.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: mesh}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: shop/api:v3
    ///     - name: envoy
    ///       image: envoyproxy/envoy:v1.28.0
    ///       ports:
    ///         - containerPort: 3128
    ///         - containerPort: 9901    # admin interface
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: mesh}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: shop/api:v3
    ///     - name: envoy
    ///       image: envoyproxy/envoy:v1.28.0
    ///       ports:
    ///         - containerPort: 3128
    ///       # envoy.yaml binds the admin interface to 127.0.0.1:9901
    /// ```
    ///
    /// ## Options
    /// `adminPorts` (`{image, port, name}` entries added to the catalogue; `image` is a glob
    /// on the repository path), `adminPortNames` (globs on port names, replacing the
    /// defaults), `severity`.
    ///
    /// ## References
    /// - <https://www.envoyproxy.io/docs/envoy/latest/operations/admin>
    /// - <https://www.openpolicyagent.org/docs/latest/security/>
    /// - <https://kubernetes.io/docs/concepts/configuration/overview/#services>
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
    /// Admin interfaces added to the built-in catalogue: `{image, port, name}`, `image`
    /// a glob on the repository path.
    pub admin_ports: Vec<AdminPortSetting>,
    /// Globs on port names that mark a declared port as an admin port.
    pub admin_port_names: Vec<Glob>,
}

impl Default for AdminPortSettings {
    fn default() -> Self {
        AdminPortSettings {
            severity: None,
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

/// Where a listen address was written.
struct ListenSetting {
    /// Pointer suffix within the container (`/args/2`, `/env/0/value`).
    suffix: String,
    /// The text as written, for messages.
    written: String,
    address: String,
}

/// An interface of this container, from the catalogue or the settings.
struct Interface<'a> {
    name: &'a str,
    port: Option<u16>,
    catalogued: Option<&'a AdminInterface>,
}

impl Rule for LocalhostAdminPorts {
    type Settings = AdminPortSettings;

    fn check(&self, pod: &Pod<'_>, s: &AdminPortSettings, out: &mut Findings) {
        for c in &pod.containers {
            check_container(c, s, out);
        }
    }
}

fn check_container(c: &ContainerRef<'_>, s: &AdminPortSettings, out: &mut Findings) {
    let who = describe_container(c);
    let mut interfaces: Vec<Interface<'_>> = ADMIN_INTERFACES
        .iter()
        .filter(|i| path_matches(&c.repository, i.image))
        .map(|i| Interface { name: i.name, port: i.port, catalogued: Some(i) })
        .collect();
    interfaces.extend(
        s.admin_ports
            .iter()
            .filter(|p| p.image.is_match(&c.repository))
            .map(|p| Interface { name: &p.name, port: Some(p.port), catalogued: None }),
    );

    // Listen addresses set by flags or env, per catalogued interface.
    let mut loopback_bound: Vec<&str> = Vec::new();
    let args = arguments(c);
    for interface in &interfaces {
        let Some(entry) = interface.catalogued else { continue };
        let flags: Vec<&str> = entry.flags.iter().chain(GENERIC_ADMIN_FLAGS).copied().collect();
        let settings = listen_settings(&args, &flags, c, entry.env);
        if settings.is_empty() {
            if let Some(triggers) = entry.binds_all_by_default_with {
                let words: Vec<&str> = args.iter().map(|(_, w)| w.as_str()).collect();
                if triggers.iter().any(|t| t.iter().all(|w| words.contains(w))) {
                    let port = entry.port.map(|p| format!(":{p}")).unwrap_or_default();
                    out.container(
                        c,
                        Severity::Deny,
                        if c.container.args.is_some() { "/args" } else { "/command" },
                        format!("{who} runs the {} without a listen address, so it listens on every interface (0.0.0.0{port})", interface.name),
                        format!("pass {}=127.0.0.1{port} to keep it on the loopback", entry.flags.first().copied().unwrap_or("--addr")),
                    );
                }
            }
            continue;
        }
        let mut all_loopback = true;
        for setting in settings {
            let exposure = match host_of(&setting.address) {
                Host::Loopback | Host::Unix => continue,
                Host::Every => "every interface".to_string(),
                Host::Other(host) => format!("{host}, not the loopback,"),
            };
            all_loopback = false;
            out.container(
                c,
                Severity::Deny,
                &setting.suffix,
                format!("{who} binds the {} to {exposure} with {}", interface.name, setting.written),
                format!("bind it to the loopback, e.g. 127.0.0.1{}", port_suffix(&setting.address)),
            );
        }
        if all_loopback {
            loopback_bound.push(interface.name);
        }
    }

    for (index, port) in c.container.ports.iter().flatten().enumerate() {
        let by_interface = interfaces
            .iter()
            .find(|i| i.port.is_some_and(|p| i32::from(p) == port.container_port));
        let by_name = port.name.as_deref().filter(|n| any_match(&s.admin_port_names, &n.to_ascii_lowercase()));
        let label = match (by_interface, by_name) {
            (Some(i), _) => format!("the {} port {}", i.name, port.container_port),
            (None, Some(name)) => format!("admin port {name:?} ({})", port.container_port),
            (None, None) => continue,
        };
        let harmless = by_name.is_none() && by_interface.is_some_and(|i| loopback_bound.contains(&i.name));
        if let Some(host_port) = port.host_port {
            out.container(
                c,
                Severity::Deny,
                &format!("/ports/{index}/hostPort"),
                format!("{who} publishes {label} on the node with hostPort {host_port}"),
                "remove hostPort: the admin interface must not be reachable from outside the pod".to_string(),
            );
        }
        if !harmless {
            out.container(
                c,
                Severity::Deny,
                &format!("/ports/{index}"),
                format!("{who} declares {label}, which advertises it on the pod IP"),
                "remove the port from ports and bind the interface to 127.0.0.1; containers of the pod reach it on localhost".to_string(),
            );
        }
    }
}

/// Every word of `command` then `args`, with its pointer suffix.
fn arguments(c: &ContainerRef<'_>) -> Vec<(String, String)> {
    let mut words = Vec::new();
    for (field, list) in [("command", &c.container.command), ("args", &c.container.args)] {
        for (i, word) in list.iter().flatten().enumerate() {
            words.push((format!("/{field}/{i}"), word.to_string()));
        }
    }
    words
}

/// Listen addresses given by `--flag=value`, `--flag value` or an env variable.
fn listen_settings(args: &[(String, String)], flags: &[&str], c: &ContainerRef<'_>, env: &[&str]) -> Vec<ListenSetting> {
    let mut found = Vec::new();
    let mut words = args.iter().peekable();
    while let Some((suffix, word)) = words.next() {
        for flag in flags {
            if let Some(value) = word.strip_prefix(flag).and_then(|rest| rest.strip_prefix('=')) {
                found.push(ListenSetting { suffix: suffix.clone(), written: word.clone(), address: value.to_string() });
            } else if word == flag {
                if let Some((_, value)) = words.peek() {
                    found.push(ListenSetting {
                        suffix: suffix.clone(),
                        written: format!("{word} {value}"),
                        address: value.to_string(),
                    });
                    words.next();
                }
            }
        }
    }
    for (i, var) in c.container.env.iter().flatten().enumerate() {
        if env.contains(&var.name.as_str()) {
            if let Some(value) = &var.value {
                found.push(ListenSetting {
                    suffix: format!("/env/{i}/value"),
                    written: format!("{}={value}", var.name),
                    address: value.to_string(),
                });
            }
        }
    }
    found
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

fn port_suffix(address: &str) -> String {
    address
        .rsplit_once(':')
        .map(|(_, port)| port)
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .map(|p| format!(":{p}"))
        .unwrap_or_default()
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
