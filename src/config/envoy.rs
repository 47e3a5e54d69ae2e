//! Envoy's bootstrap (YAML or JSON, `envoy -c FILE`): the admin interface's
//! `admin.address.socket_address` (a `pipe` address is a unix socket, no admin block no
//! admin listener), static listeners' `address.socket_address`, and static clusters'
//! endpoints as upstreams, authenticated when a listener's HTTP connection manager runs
//! an authentication filter (`ext_authz`, `jwt_authn`, `oauth2`, `basic_auth`).
//! Ignored: dynamic resources (xDS), `--config-yaml` overlays, listener filters.
//!
//! Sources: <https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/bootstrap/v3/bootstrap.proto>,
//! <https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/core/v3/address.proto>,
//! <https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/endpoint/v3/endpoint_components.proto>.

use super::{host_port, scalar, Config, Listening, Place, Upstream};
use crate::input::context::{ConfigFile, Tree};
use serde_json::Value;

/// HTTP filters that authenticate requests before they reach a cluster.
const AUTH_FILTERS: &[&str] = &["ext_authz", "jwt_authn", "oauth2", "basic_auth"];

pub(super) fn read(file: &ConfigFile<'_>, tree: &Tree, config: &mut Config) {
    let root = &tree.value;
    if !root.is_object() {
        config.problem(file, Some(1), "not an Envoy bootstrap: expected a mapping");
        return;
    }
    let at = |pointer: &str| Place::of(file, tree.lines.line_of(pointer));
    if let Some(address) = socket(root.pointer("/admin/address/socket_address")) {
        config.listeners.push(Listening {
            id: "admin".to_string(),
            address: Some(address),
            exposure: None,
            note: "",
            setting: "admin.address.socket_address",
            at: at("/admin/address/socket_address"),
        });
    }
    let listeners = array(root.pointer("/static_resources/listeners"));
    let mut authenticated = false;
    for (i, listener) in listeners.iter().enumerate() {
        let pointer = format!("/static_resources/listeners/{i}/address/socket_address");
        if let Some(address) = socket(listener.pointer("/address/socket_address")) {
            let name = listener.get("name").and_then(Value::as_str).unwrap_or("");
            config.listeners.push(Listening {
                id: format!("listener {name}"),
                address: Some(address),
                exposure: None,
                note: "",
                setting: "static_resources.listeners[].address",
                at: at(&pointer),
            });
        }
        authenticated |= has_auth_filter(listener);
    }
    for (i, cluster) in array(root.pointer("/static_resources/clusters"))
        .iter()
        .enumerate()
    {
        for (j, endpoints) in array(cluster.pointer("/load_assignment/endpoints"))
            .iter()
            .enumerate()
        {
            for (k, lb) in array(endpoints.get("lb_endpoints")).iter().enumerate() {
                let Some(address) = socket(lb.pointer("/endpoint/address/socket_address")) else {
                    continue;
                };
                let pointer = format!(
                    "/static_resources/clusters/{i}/load_assignment/endpoints/{j}/lb_endpoints/{k}"
                );
                config.upstreams.push(Upstream {
                    address,
                    authenticated,
                    setting: "static_resources.clusters[].load_assignment",
                    at: at(&pointer),
                });
            }
        }
    }
}

fn array(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// `address:port_value` of a `socket_address` (no port: Envoy's default of 0).
fn socket(socket: Option<&Value>) -> Option<String> {
    let socket = socket?;
    let address = scalar(socket.get("address")).unwrap_or_default();
    let port = scalar(socket.get("port_value")).unwrap_or_else(|| "0".to_string());
    Some(host_port(&address, &port))
}

/// Whether any HTTP filter of the listener's filter chains authenticates.
fn has_auth_filter(listener: &Value) -> bool {
    array(listener.get("filter_chains")).iter().any(|chain| {
        array(chain.get("filters")).iter().any(|filter| {
            let http = filter.pointer("/typed_config/http_filters");
            array(http).iter().any(|f| {
                let name = f.get("name").and_then(Value::as_str).unwrap_or("");
                let type_url = f
                    .pointer("/typed_config/@type")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                AUTH_FILTERS
                    .iter()
                    .any(|a| name.contains(a) || type_url.contains(a))
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::super::{read as read_config, testing::with_files};
    use crate::sidecars::catalogue::ConfigReader;

    // An ingress bootstrap in the shape of the Envoy docs' front-proxy example, written
    // for this test: admin on every interface, one listener with JWT authentication.
    const BOOTSTRAP: &str = r#"admin:
  address:
    socket_address: {address: 0.0.0.0, port_value: 9901}
static_resources:
  listeners:
    - name: ingress
      address:
        socket_address: {address: 0.0.0.0, port_value: 8443}
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                http_filters:
                  - name: envoy.filters.http.jwt_authn
                  - name: envoy.filters.http.router
  clusters:
    - name: app
      load_assignment:
        cluster_name: app
        endpoints:
          - lb_endpoints:
              - endpoint:
                  address:
                    socket_address: {address: 127.0.0.1, port_value: 8080}
"#;

    #[test]
    fn admin_listeners_and_clusters() {
        with_files("/etc/envoy", &[("envoy.yaml", BOOTSTRAP)], |files| {
            let config =
                read_config(ConfigReader::Envoy, "/etc/envoy/envoy.yaml", files).expect("mounted");
            let admin = config.listener("admin").expect("admin");
            assert_eq!(admin.address.as_deref(), Some("0.0.0.0:9901"));
            assert_eq!(admin.at.line, Some(3));
            assert_eq!(admin.at.to_string(), "ConfigMap cfg/envoy.yaml, line 3");
            let ingress = config.listener("listener ingress").expect("listener");
            assert_eq!(ingress.address.as_deref(), Some("0.0.0.0:8443"));
            assert_eq!(config.upstreams.len(), 1);
            assert_eq!(config.upstreams[0].address, "127.0.0.1:8080");
            assert!(config.upstreams[0].authenticated);
            assert!(config.problems.is_empty());
        });
    }

    #[test]
    fn json_pipes_and_no_admin() {
        let json = r#"{"admin": {"address": {"pipe": {"path": "/tmp/admin.sock"}}}}"#;
        with_files("/etc/envoy", &[("envoy.json", json)], |files| {
            let config =
                read_config(ConfigReader::Envoy, "/etc/envoy/envoy.json", files).expect("mounted");
            assert!(config.listeners.is_empty(), "a pipe is no network listener");
        });
        let v6 = "admin:\n  address:\n    socket_address: {address: '::', port_value: 9901}\n";
        with_files("/etc/envoy", &[("envoy.yaml", v6)], |files| {
            let config =
                read_config(ConfigReader::Envoy, "/etc/envoy/envoy.yaml", files).expect("mounted");
            let admin = config.listener("admin").and_then(|l| l.address.clone());
            assert_eq!(admin.as_deref(), Some("[::]:9901"));
        });
    }

    #[test]
    fn broken_bootstraps_are_problems_with_lines() {
        let broken = "admin:\n  address: [unclosed\n";
        with_files("/etc/envoy", &[("envoy.yaml", broken)], |files| {
            let config =
                read_config(ConfigReader::Envoy, "/etc/envoy/envoy.yaml", files).expect("mounted");
            assert_eq!(config.problems.len(), 1);
            assert!(
                config.problems[0].at.line.is_some(),
                "{:?}",
                config.problems
            );
            assert!(config.listeners.is_empty());
        });
        with_files("/etc/envoy", &[("envoy.yaml", "- a list")], |files| {
            let config =
                read_config(ConfigReader::Envoy, "/etc/envoy/envoy.yaml", files).expect("mounted");
            assert_eq!(config.problems.len(), 1);
        });
    }
}
