//! Promtail's config (YAML, `-config.file FILE`): `positions.filename` (default
//! `/var/log/positions.yaml`), the `server` block's HTTP and gRPC listeners
//! (`http_listen_address` empty by default: every interface; `http_listen_port` 80,
//! `grpc_listen_port` 9095; none with `disable: true`), and `clients[].url` as upstreams.
//! Ignored: `-config.expand-env` expansion, command-line flags that override the file
//! (`-positions.file`, `-server.http-listen-port`).
//!
//! Sources: <https://grafana.com/docs/loki/latest/send-data/promtail/configuration/>
//! (`server`, `positions`: "default = /var/log/positions.yaml").

use super::{host_port, is_on, scalar, Config, Listening, Place, StateFile, Upstream};
use crate::input::context::{ConfigFile, Tree};
use serde_json::Value;

const POSITIONS_DEFAULT: &str = "/var/log/positions.yaml";

pub(super) fn read(file: &ConfigFile<'_>, tree: &Tree, config: &mut Config) {
    let root = &tree.value;
    if !root.is_object() {
        config.problem(file, Some(1), "not a Promtail config: expected a mapping");
        return;
    }
    let at = |pointer: &str| Place::of(file, tree.lines.line_of(pointer));
    let text = |pointer: &str| scalar(root.pointer(pointer));
    let positions = text("/positions/filename");
    config.state.push(StateFile {
        by_default: positions.is_none(),
        path: positions.unwrap_or_else(|| POSITIONS_DEFAULT.to_string()),
        setting: "positions.filename".to_string(),
        at: at("/positions/filename"),
    });
    if !text("/server/disable").is_some_and(|v| is_on(&v)) {
        for (id, default_port) in [("http", "80"), ("grpc", "9095")] {
            let host = text(&format!("/server/{id}_listen_address")).unwrap_or_default();
            let port = text(&format!("/server/{id}_listen_port"))
                .unwrap_or_else(|| default_port.to_string());
            // Port 0 picks a random port; the listener is still open.
            config.listeners.push(Listening {
                id: id.to_string(),
                address: Some(host_port(&host, &port)),
                exposure: None,
                note: "",
                setting: if id == "http" {
                    "server.http_listen_address"
                } else {
                    "server.grpc_listen_address"
                },
                at: at(&format!("/server/{id}_listen_address")),
            });
        }
    }
    let clients = root.get("clients").and_then(Value::as_array);
    for (i, client) in clients.into_iter().flatten().enumerate() {
        if let Some(url) = scalar(client.get("url")) {
            config.upstreams.push(Upstream {
                address: url,
                authenticated: false,
                setting: "clients[].url",
                at: at(&format!("/clients/{i}/url")),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{read as read_config, testing::with_files};
    use crate::sidecars::catalogue::ConfigReader;

    fn config_of(text: &str) -> super::Config {
        with_files("/etc/promtail", &[("config.yml", text)], |files| {
            read_config(ConfigReader::Promtail, "/etc/promtail/config.yml", files).expect("mounted")
        })
    }

    #[test]
    fn positions_default_into_var_log() {
        // Written for this test: a sidecar config that leaves positions out.
        let config = config_of("server:\n  http_listen_port: 9080\n  grpc_listen_port: 0\nclients:\n  - url: http://loki:3100/loki/api/v1/push\n");
        assert_eq!(config.state[0].path, "/var/log/positions.yaml");
        assert!(config.state[0].by_default);
        let http = config.listener("http").expect("http");
        assert_eq!(http.address.as_deref(), Some(":9080"));
        assert_eq!(
            config.upstreams[0].address,
            "http://loki:3100/loki/api/v1/push"
        );
    }

    #[test]
    fn positions_and_addresses_as_written() {
        let config = config_of("server:\n  http_listen_address: 127.0.0.1\n  disable: false\npositions:\n  filename: /run/promtail/positions.yaml\n");
        assert_eq!(config.state[0].path, "/run/promtail/positions.yaml");
        assert_eq!(config.state[0].at.line, Some(5));
        let http = config.listener("http").and_then(|l| l.address.clone());
        assert_eq!(http.as_deref(), Some("127.0.0.1:80"));
        let off = config_of("server:\n  disable: true\n");
        assert!(off.listeners.is_empty());
    }
}
