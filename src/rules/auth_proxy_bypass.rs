use super::args::{flag_values, product_config, unreadable_config, words};
use super::options::SeverityOverride;
use super::{Findings, Message, Pod, Rule, RuleSettings};
use crate::glob::Glob;
use crate::report::Role;
use crate::sidecars::catalogue::DefaultBind;
use crate::sidecars::roles::ContainerRef;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

declare_rule! {
    /// ## What it does
    /// Checks that the container an authenticating proxy guards cannot be reached around
    /// it. The proxy is a container whose product authenticates requests before it
    /// forwards them — oauth2-proxy and kube-rbac-proxy (their `--upstream` flag,
    /// oauth2-proxy's `OAUTH2_PROXY_UPSTREAMS` too), nginx whose config (a ConfigMap of the
    /// same input) has `auth_basic` or `auth_request` in effect where it `proxy_pass`es, or
    /// a product added in `proxies` — in any role. Its upstream on the loopback
    /// (`localhost`, `127.0.0.0/8`, `::1`) is a container of the same pod: the one that
    /// declares that `containerPort`, else one whose environment sets a `*PORT*` variable
    /// to it, else the pod's only other app container.
    ///
    /// That container's bind address comes from its listen flags (`--host`, `--bind`,
    /// `--address`, `--addr`, `--listen`, `--listen-address`, `--http-address`, `-b`, or any
    /// flag whose value is `HOST:PORT` for that port, in `--flag=v` and `--flag v` forms),
    /// its environment (`HOST`, `BIND`, `BIND_ADDRESS`, `LISTEN_ADDRESS`, `SERVER_HOST`, …, or
    /// a value `HOST:PORT`), else its product's default bind (catalogue). Anything but the
    /// loopback is `deny`; a bind that none of these says is `warn`. The finding is on the
    /// upstream container.
    ///
    /// ## Why is this bad?
    /// The seed's ambassador pattern puts the proxy in front of the app and forwards to
    /// `localhost:8080`, trusting that the app is "only accessible via the ambassador". But
    /// every container of a pod shares one network namespace: an app that listens on
    /// `0.0.0.0` (most frameworks' default in a container) answers on the pod IP too, and
    /// any pod of the cluster reaches it there without authenticating. Declaring no port
    /// in the manifest hides nothing; only binding the app to `127.0.0.1` does.
    ///
    /// What it does not know: the bind address of an app whose listen setting lives in its
    /// own config file or code (then a `warn`); an upstream on another host (not this pod's
    /// business); flags set through `envFrom` or `valueFrom`. A ConfigMap that is not in
    /// the input is unknown: no finding. Config its reader cannot parse is a `warn` naming
    /// the ConfigMap, key and line, never a denial.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: dashboard}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: shop/dashboard:v2
    ///       args: ["--listen", "0.0.0.0:8080"]
    ///     - name: oauth2-proxy
    ///       image: quay.io/oauth2-proxy/oauth2-proxy:v7.6.0
    ///       args: ["--http-address=0.0.0.0:4180", "--upstream=http://127.0.0.1:8080/"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: dashboard}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: shop/dashboard:v2
    ///       args: ["--listen", "127.0.0.1:8080"]
    ///     - name: oauth2-proxy
    ///       image: quay.io/oauth2-proxy/oauth2-proxy:v7.6.0
    ///       args: ["--http-address=0.0.0.0:4180", "--upstream=http://127.0.0.1:8080/"]
    /// ```
    ///
    /// ## Fix
    /// `None` yet: binding the app to the loopback needs its own flag, and the proxy's upstream
    /// must still reach it; an invented bind address could take the app off the network.
    ///
    /// ## Options
    /// `proxies` (`{image, upstreamFlags, upstreamEnv}`: authenticating proxies added to
    /// the catalogue; `image` is a glob on the repository path), `severity`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/workloads/pods/#how-pods-manage-multiple-containers>
    /// - <https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview>
    /// - <https://github.com/brancz/kube-rbac-proxy#usage>
    /// - <https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html>
    pub struct AuthProxyBypass {
        id: "auth-proxy-bypass",
        summary: "what an authenticating sidecar guards is not reachable around it",
        category: "network",
        since: "0.1.0",
        default_severity: Deny,
    }
}

/// An authenticating proxy added to the built-in catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProxySetting {
    /// Glob on the image repository path (registry, tag and digest stripped).
    pub image: Glob,
    /// Flags whose value is the upstream URL.
    #[serde(default)]
    pub upstream_flags: Vec<String>,
    /// Environment variables whose value is the upstream URL.
    #[serde(default)]
    pub upstream_env: Vec<String>,
}

/// Settings of `auth-proxy-bypass`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct AuthProxySettings {
    /// deny | warn | off; unset keeps each finding's default severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityOverride>,
    /// Authenticating proxies added to the built-in catalogue: `{image, upstreamFlags,
    /// upstreamEnv}`, `image` a glob on the repository path.
    pub proxies: Vec<ProxySetting>,
}

impl RuleSettings for AuthProxySettings {
    fn severity(&self) -> Option<SeverityOverride> {
        self.severity
    }
}

/// Flags that set a listen address (a host, or `host:port`).
const BIND_FLAGS: &[&str] = &[
    "--host",
    "--bind",
    "--address",
    "--addr",
    "--listen",
    "--listen-address",
    "--http-address",
    "--bind-address",
    "-b",
];

/// Environment variables that set a listen host (a host, or `host:port`).
const BIND_ENV: &[&str] = &[
    "HOST",
    "BIND",
    "BIND_ADDRESS",
    "BIND_HOST",
    "LISTEN_ADDRESS",
    "LISTEN_ADDR",
    "LISTEN_HOST",
    "SERVER_HOST",
    "HTTP_HOST",
    "ADDR",
];

/// An upstream of the proxy on the pod's loopback.
struct Target {
    port: u16,
    /// How the proxy names it, for messages (`--upstream=http://127.0.0.1:8080/`).
    evidence: String,
}

impl Rule for AuthProxyBypass {
    type Settings = AuthProxySettings;

    fn check(&self, pod: &Pod<'_>, s: &AuthProxySettings, out: &mut Findings) {
        // (upstream container position, port): one finding each.
        let mut judged: Vec<(usize, u16)> = Vec::new();
        for proxy in pod.containers.iter().filter(|c| c.role != Role::Init) {
            for target in targets(pod, proxy, s, out) {
                let Some(upstream) = upstream_container(pod, proxy, target.port) else {
                    continue;
                };
                if judged.contains(&(upstream.position, target.port)) {
                    continue;
                }
                judged.push((upstream.position, target.port));
                match bind_of(upstream, target.port) {
                    Some(bind) if is_loopback(&bind.host) => {}
                    Some(bind) => {
                        out.container(upstream, reachable(upstream, proxy, &target, &bind))
                    }
                    None => out.container(upstream, bind_unknown(upstream, proxy, &target)),
                }
            }
        }
    }
}

/// The proxy's upstreams on the loopback, from its flags, environment or config.
fn targets(
    pod: &Pod<'_>,
    c: &ContainerRef<'_>,
    s: &AuthProxySettings,
    out: &mut Findings,
) -> Vec<Target> {
    let mut flags: Vec<&str> = Vec::new();
    let mut env: Vec<&str> = Vec::new();
    let mut in_config = false;
    if let Some(proxy) = c.product.and_then(|p| p.auth_proxy.as_ref()) {
        flags.extend(proxy.upstream_flags);
        env.extend(proxy.upstream_env);
        in_config = proxy.upstream_in_config;
    }
    for added in s.proxies.iter().filter(|p| p.image.is_match(&c.repository)) {
        flags.extend(added.upstream_flags.iter().map(String::as_str));
        env.extend(added.upstream_env.iter().map(String::as_str));
    }
    let mut urls: Vec<(String, String)> = Vec::new();
    let args = words(c, &[]);
    for (_, written, value) in flag_values(&args, &flags) {
        urls.push((value, written));
    }
    for var in c.container.env.iter().flatten() {
        if let Some(value) = var
            .value
            .as_deref()
            .filter(|_| env.contains(&var.name.as_str()))
        {
            for url in value.split(',') {
                urls.push((url.trim().to_string(), format!("{}={value}", var.name)));
            }
        }
    }
    if in_config {
        if let Some(config) = product_config(pod, c) {
            for problem in &config.problems {
                out.container(c, unreadable_config(c, problem, "what it guards"));
            }
            for upstream in config.upstreams.iter().filter(|u| u.authenticated) {
                let evidence = format!(
                    "{} {} in {}",
                    upstream.setting,
                    upstream.address,
                    upstream.at.file()
                );
                urls.push((upstream.address.clone(), evidence));
            }
        }
    }
    let mut targets: Vec<Target> = Vec::new();
    for (url, evidence) in urls {
        if let Some(port) = loopback_port(&url) {
            if !targets.iter().any(|t| t.port == port) {
                targets.push(Target { port, evidence });
            }
        }
    }
    targets
}

/// The port of a URL or `host:port` whose host is the loopback.
fn loopback_port(url: &str) -> Option<u16> {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let (host, port) = split_host_port(authority);
    if !is_loopback(host) {
        return None;
    }
    match port {
        Some(port) => port.parse().ok(),
        None if scheme == "https" => Some(443),
        None => Some(80),
    }
}

/// `host:port`, `[v6]:port` or `host` → (host, port).
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (host, after.strip_prefix(':'));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') => (host, Some(port)),
        _ => (authority, None),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host == "::1"
        || (host.starts_with("127.") && host.split('.').count() == 4)
}

/// The container the proxy forwards `port` to: one that declares it, else one whose
/// environment sets a `*PORT*` variable to it, else the pod's only other app container.
fn upstream_container<'p, 'a>(
    pod: &'p Pod<'a>,
    proxy: &ContainerRef<'_>,
    port: u16,
) -> Option<&'p ContainerRef<'a>> {
    let others: Vec<&ContainerRef<'a>> = pod
        .containers
        .iter()
        .filter(|c| c.position != proxy.position && c.role != Role::Init)
        .collect();
    let declares = others.iter().find(|c| {
        c.container
            .ports
            .iter()
            .flatten()
            .any(|p| p.container_port == i32::from(port))
    });
    let by_env = || {
        others.iter().find(|c| {
            c.container.env.iter().flatten().any(|v| {
                v.name.to_ascii_uppercase().contains("PORT")
                    && v.value.as_deref().map(str::trim) == Some(port.to_string().as_str())
            })
        })
    };
    let only_app = || {
        let apps: Vec<&&ContainerRef<'a>> = others.iter().filter(|c| c.role == Role::App).collect();
        match apps.as_slice() {
            [only] => Some(*only),
            _ => None,
        }
    };
    declares.or_else(by_env).or_else(only_app).copied()
}

/// Where a container listens on `port`, and what says so.
struct Bind {
    host: String,
    suffix: String,
    evidence: String,
}

/// The upstream container's bind address for `port`: a listen flag or variable, else
/// its product's default (catalogue); `None` when nothing says.
fn bind_of(c: &ContainerRef<'_>, port: u16) -> Option<Bind> {
    let port_text = port.to_string();
    let host_of = |value: &str| -> Option<String> {
        let value = value.split_once("://").map_or(value, |(_, r)| r);
        match split_host_port(value) {
            // `HOST:PORT` for another port says nothing of this one.
            (host, Some(p)) if p == port_text => Some(host.to_string()),
            (_, Some(_)) => None,
            (host, None) => Some(host.to_string()),
        }
    };
    let args = words(c, &[]);
    for (suffix, written, value) in flag_values(&args, BIND_FLAGS) {
        if let Some(host) = host_of(&value) {
            return Some(Bind {
                host: every_interface(host),
                suffix: suffix.to_string(),
                evidence: written,
            });
        }
    }
    // Any flag whose value is HOST:PORT for this port.
    for (suffix, word) in &args {
        let value = word.split_once('=').map_or(word.as_str(), |(_, v)| v);
        if let (host, Some(p)) = split_host_port(value) {
            if p == port_text && !host.contains('/') && word.starts_with('-') {
                return Some(Bind {
                    host: every_interface(host.to_string()),
                    suffix: suffix.clone(),
                    evidence: word.clone(),
                });
            }
        }
    }
    for (i, var) in c.container.env.iter().flatten().enumerate() {
        let Some(value) = var.value.as_deref() else {
            continue;
        };
        let named = BIND_ENV.contains(&var.name.to_ascii_uppercase().as_str());
        let host = if named {
            host_of(value)
        } else {
            match split_host_port(value) {
                (host, Some(p)) if p == port_text && !value.contains('/') => Some(host.to_string()),
                _ => None,
            }
        };
        if let Some(host) = host {
            return Some(Bind {
                host: every_interface(host),
                suffix: format!("/env/{i}/value"),
                evidence: format!("{}={value}", var.name),
            });
        }
    }
    let listener = c
        .product
        .into_iter()
        .flat_map(|p| p.listeners)
        .find(|l| l.port == Some(port))?;
    let host = match listener.default_bind {
        DefaultBind::Loopback => "127.0.0.1",
        DefaultBind::EveryInterface => "0.0.0.0",
        _ => return None,
    };
    Some(Bind {
        host: host.to_string(),
        suffix: String::new(),
        evidence: format!("the {}'s default", listener.name),
    })
}

/// An empty host (`:8080`) is every interface.
fn every_interface(host: String) -> String {
    if host.is_empty() || host == "*" {
        "0.0.0.0".to_string()
    } else {
        host
    }
}

// Message constructors: every finding this rule reports.

fn reachable(
    c: &ContainerRef<'_>,
    proxy: &ContainerRef<'_>,
    target: &Target,
    bind: &Bind,
) -> Message {
    Message::deny(
        format!(
            "{} listens on {}:{} ({}), reachable around auth proxy {:?}",
            c.description(),
            bind.host,
            target.port,
            bind.evidence,
            proxy.name
        ),
        format!(
            "bind it to 127.0.0.1:{}: {:?} forwards to it on localhost ({}), and on the pod IP \
             any pod reaches it without authenticating; declaring no port hides nothing",
            target.port, proxy.name, target.evidence
        ),
    )
    .at(bind.suffix.clone())
}

fn bind_unknown(c: &ContainerRef<'_>, proxy: &ContainerRef<'_>, target: &Target) -> Message {
    Message::warn(
        format!(
            "{} sits behind auth proxy {:?} on port {}, but nothing shows it binds only the loopback",
            c.description(),
            proxy.name,
            target.port
        ),
        format!(
            "make it listen on 127.0.0.1:{} with its own listen flag or setting: {:?} forwards to it on \
             localhost ({}), and if it binds every interface any pod reaches it on the pod IP \
             without authenticating; declaring no port hides nothing",
            target.port, proxy.name, target.evidence
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_upstreams() {
        assert_eq!(loopback_port("http://127.0.0.1:8080/"), Some(8080));
        assert_eq!(loopback_port("http://localhost"), Some(80));
        assert_eq!(loopback_port("https://localhost/x"), Some(443));
        assert_eq!(loopback_port("[::1]:9000"), Some(9000));
        assert_eq!(loopback_port("http://backend.shop:8080"), None);
        assert_eq!(loopback_port("file:///dev/null"), None);
        assert_eq!(loopback_port("http://127.0.0.1:notaport"), None);
    }
}
