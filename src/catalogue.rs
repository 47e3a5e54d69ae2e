//! Data tables: well-known sidecar images and the admin interfaces they expose.
//! Rules read these tables; nothing here decides anything.
//!
//! Images are matched on their repository path (registry, tag and digest stripped, lower
//! case, Docker Hub's `library/` dropped), at a path-segment boundary from the right, so
//! mirrors match too: `mirror.corp/dockerhub/envoyproxy/envoy` is Envoy.

use std::borrow::Cow;

/// Repository paths of well-known classic sidecars.
pub const SIDECAR_IMAGES: &[&str] = &[
    // Service-mesh and edge proxies
    "envoyproxy/envoy",
    "envoyproxy/envoy-distroless",
    "envoyproxy/envoy-alpine",
    "istio/proxyv2",
    "istio-release/proxyv2",
    "linkerd/proxy",
    "linkerd2-proxy",
    "oauth2-proxy/oauth2-proxy",
    "pusher/oauth2_proxy",
    // Log shippers
    "fluent/fluentd",
    "fluent/fluentd-kubernetes-daemonset",
    "fluent/fluent-bit",
    "fluentd",
    "beats/filebeat",
    "elastic/filebeat",
    "timberio/vector",
    "grafana/promtail",
    "grafana/alloy",
    // Telemetry
    "otel/opentelemetry-collector",
    "otel/opentelemetry-collector-contrib",
    "otel/opentelemetry-collector-k8s",
    "prom/statsd-exporter",
    "prometheus/statsd-exporter",
    "datadog/agent",
    // Config and secrets
    "git-sync/git-sync",
    "git-sync",
    "openpolicyagent/opa",
    "hashicorp/vault",
    "hashicorp/vault-k8s",
    "hashicorp/consul-template",
    // Database proxies
    "cloudsql-docker/gce-proxy",
    "cloud-sql-connectors/cloud-sql-proxy",
];

/// An admin or debug interface of a well-known image.
#[derive(Clone, Copy, Debug)]
pub struct AdminInterface {
    /// Repository path, matched like `SIDECAR_IMAGES`.
    pub image: &'static str,
    /// What to call it in messages.
    pub name: &'static str,
    /// Its default port, if it has a fixed one.
    pub port: Option<u16>,
    /// Command-line flags that set its listen address (`--addr=:8181` or `--addr :8181`).
    pub flags: &'static [&'static str],
    /// Environment variables that set its listen address.
    pub env: &'static [&'static str],
    /// When the interface listens on every interface unless a flag says otherwise: the
    /// argument words that turn it on (all must be present), e.g. OPA's `run --server`.
    pub binds_all_by_default_with: Option<&'static [&'static [&'static str]]>,
}

const NO_FLAGS: &[&str] = &[];

/// An interface on a fixed port that no command-line flag moves (set in a config file).
const fn fixed_port(image: &'static str, name: &'static str, port: u16) -> AdminInterface {
    AdminInterface {
        image,
        name,
        port: Some(port),
        flags: NO_FLAGS,
        env: NO_FLAGS,
        binds_all_by_default_with: None,
    }
}

pub const ADMIN_INTERFACES: &[AdminInterface] = &[
    fixed_port("envoyproxy/envoy", "Envoy admin interface", 9901),
    fixed_port("envoyproxy/envoy-distroless", "Envoy admin interface", 9901),
    fixed_port("istio/proxyv2", "istio-proxy admin interface", 15000),
    fixed_port(
        "istio-release/proxyv2",
        "istio-proxy admin interface",
        15000,
    ),
    AdminInterface {
        image: "openpolicyagent/opa",
        name: "OPA API",
        port: Some(8181),
        flags: &["--addr", "-a"],
        env: NO_FLAGS,
        // `opa run --server` (or `-s`) without --addr listens on 0.0.0.0:8181 before OPA 1.0.
        binds_all_by_default_with: Some(&[&["run", "--server"], &["run", "-s"]]),
    },
    fixed_port("fluent/fluentd", "Fluentd debug agent", 24230),
    fixed_port(
        "fluent/fluentd-kubernetes-daemonset",
        "Fluentd debug agent",
        24230,
    ),
    fixed_port("hashicorp/vault", "Vault agent listener", 8200),
    AdminInterface {
        image: "git-sync/git-sync",
        name: "git-sync HTTP endpoint (metrics, pprof)",
        port: None,
        flags: &["--http-bind"],
        env: &["GITSYNC_HTTP_BIND", "GIT_SYNC_HTTP_BIND"],
        binds_all_by_default_with: None,
    },
    fixed_port(
        "otel/opentelemetry-collector",
        "OpenTelemetry Collector zPages",
        55679,
    ),
    fixed_port(
        "otel/opentelemetry-collector-contrib",
        "OpenTelemetry Collector zPages",
        55679,
    ),
    fixed_port(
        "otel/opentelemetry-collector-contrib",
        "OpenTelemetry Collector pprof endpoint",
        1777,
    ),
    fixed_port(
        "cloud-sql-connectors/cloud-sql-proxy",
        "Cloud SQL proxy admin API",
        9091,
    ),
];

/// Generic listen flags that, on a container with a catalogued admin interface, set that
/// interface's address.
pub const GENERIC_ADMIN_FLAGS: &[&str] = &["--admin-address", "--listen-address"];

/// Reduces an image reference to its repository path: registry, tag and digest removed,
/// lower case, Docker Hub's implicit `library/` dropped.
/// `docker.io/envoyproxy/envoy:v1.28.0@sha256:…` → `envoyproxy/envoy`.
pub fn repository_path(image: &str) -> Cow<'_, str> {
    let image = image.trim();
    let without_digest = image.split_once('@').map_or(image, |(name, _)| name);
    // A tag is a colon after the last slash (a colon before it belongs to a registry port).
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let without_tag = match without_digest
        .get(last_slash..)
        .and_then(|rest| rest.find(':'))
    {
        Some(colon) => without_digest
            .get(..last_slash + colon)
            .unwrap_or(without_digest),
        None => without_digest,
    };
    let mut path = without_tag;
    if let Some((first, rest)) = path.split_once('/') {
        let is_registry =
            first.contains('.') || first.contains(':') || first.eq_ignore_ascii_case("localhost");
        if is_registry {
            path = rest;
        }
    }
    // Repositories compare in lower case (`Fluent/Fluentd`): copy only when the image
    // has capitals.
    if path.bytes().any(|b| b.is_ascii_uppercase()) {
        let lower = path.to_ascii_lowercase();
        Cow::Owned(lower.strip_prefix("library/").unwrap_or(&lower).to_string())
    } else {
        Cow::Borrowed(path.strip_prefix("library/").unwrap_or(path))
    }
}

/// Whether a repository path is `entry` or ends with `/entry`.
pub fn path_matches(path: &str, entry: &str) -> bool {
    path == entry
        || path
            .strip_suffix(entry)
            .is_some_and(|prefix| prefix.ends_with('/'))
}

pub fn is_known_sidecar(path: &str) -> bool {
    SIDECAR_IMAGES.iter().any(|entry| path_matches(path, entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_paths() {
        assert_eq!(
            repository_path("docker.io/envoyproxy/envoy:v1.28.0@sha256:abc"),
            "envoyproxy/envoy"
        );
        assert_eq!(repository_path("envoyproxy/envoy"), "envoyproxy/envoy");
        assert_eq!(
            repository_path("registry.k8s.io/git-sync/git-sync:v4.0.0"),
            "git-sync/git-sync"
        );
        assert_eq!(
            repository_path("localhost:5000/fluent/fluent-bit:2.2"),
            "fluent/fluent-bit"
        );
        assert_eq!(repository_path("docker.io/library/nginx:1.24"), "nginx");
        assert_eq!(repository_path("Fluent/Fluentd:v1.16"), "fluent/fluentd");
        assert_eq!(repository_path("my.registry:443/team/app"), "team/app");
    }

    #[test]
    fn catalogue_matches_on_segment_boundaries() {
        assert!(is_known_sidecar("envoyproxy/envoy"));
        assert!(is_known_sidecar("mirror/envoyproxy/envoy"));
        assert!(!is_known_sidecar("myenvoyproxy/envoy"));
        assert!(!is_known_sidecar("envoyproxy/envoy-custom"));
    }
}
