//! The OpenTelemetry Collector's config (YAML, `--config FILE`): extensions that
//! `service.extensions` enables (their `endpoint`; `file_storage`'s `directory`, by default
//! `/var/lib/otelcol/file_storage` on Linux), the receivers and exporters that a
//! `service.pipelines` entry uses (receivers' `endpoint` and `protocols.*.endpoint` as
//! listeners, exporters' `endpoint` as upstreams). Components that are configured but not
//! enabled do not run, so they are left out. Ignored: `${env:…}` expansion, `--set`
//! overrides, several `--config` files merged, connectors, `service.telemetry`.
//!
//! Sources: <https://opentelemetry.io/docs/collector/configuration/>,
//! <https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/main/extension/storage/filestorage/README.md>
//! (default directory), <https://github.com/open-telemetry/opentelemetry-collector/blob/main/extension/zpagesextension/README.md>.

use super::{scalar, strings, Config, Listening, Place, StateFile, Upstream};
use crate::input::context::{ConfigFile, Tree};
use serde_json::Value;
use std::collections::BTreeSet;

const FILE_STORAGE_DEFAULT: &str = "/var/lib/otelcol/file_storage";

pub(super) fn read(file: &ConfigFile<'_>, tree: &Tree, config: &mut Config) {
    let root = &tree.value;
    if !root.is_object() {
        config.problem(file, Some(1), "not a Collector config: expected a mapping");
        return;
    }
    let at = |pointer: &str| Place::of(file, tree.lines.line_of(pointer));
    for name in strings(root.pointer("/service/extensions")) {
        let pointer = format!("/extensions/{}", escape(&name));
        let extension = root.pointer(&pointer);
        let kind = name.split('/').next().unwrap_or_default();
        if kind == "file_storage" {
            let directory = scalar(extension.and_then(|e| e.get("directory")));
            config.state.push(StateFile {
                by_default: directory.is_none(),
                path: directory.unwrap_or_else(|| FILE_STORAGE_DEFAULT.to_string()),
                setting: format!("extensions.{name}.directory"),
                at: at(&pointer),
            });
            continue;
        }
        config.listeners.push(Listening {
            address: scalar(extension.and_then(|e| e.get("endpoint"))),
            id: name,
            exposure: None,
            note: "",
            setting: "endpoint",
            at: at(&pointer),
        });
    }
    let mut receivers = BTreeSet::new();
    let mut exporters = BTreeSet::new();
    if let Some(pipelines) = root
        .pointer("/service/pipelines")
        .and_then(Value::as_object)
    {
        for pipeline in pipelines.values() {
            receivers.extend(strings(pipeline.get("receivers")));
            exporters.extend(strings(pipeline.get("exporters")));
        }
    }
    for name in receivers {
        let pointer = format!("/receivers/{}", escape(&name));
        let Some(receiver) = root.pointer(&pointer) else {
            continue;
        };
        let mut endpoints = vec![(pointer.clone(), receiver.get("endpoint"))];
        if let Some(protocols) = receiver.get("protocols").and_then(Value::as_object) {
            for (protocol, settings) in protocols {
                let at = format!("{pointer}/protocols/{}", escape(protocol));
                endpoints.push((at, settings.get("endpoint")));
            }
        }
        for (pointer, endpoint) in endpoints {
            if let Some(address) = scalar(endpoint) {
                config.listeners.push(Listening {
                    id: format!("receiver {name}"),
                    address: Some(address),
                    exposure: None,
                    note: "",
                    setting: "endpoint",
                    at: at(&pointer),
                });
            }
        }
    }
    for name in exporters {
        let pointer = format!("/exporters/{}", escape(&name));
        if let Some(address) = scalar(root.pointer(&format!("{pointer}/endpoint"))) {
            config.upstreams.push(Upstream {
                address,
                authenticated: false,
                setting: "endpoint",
                at: at(&pointer),
            });
        }
    }
}

/// A key as one JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::super::{read as read_config, testing::with_files};
    use crate::sidecars::catalogue::ConfigReader;

    // Written for this test after the Collector docs' configuration page: an agent with
    // zPages on every interface, a persistent queue in file_storage, one OTLP pipeline.
    const AGENT: &str = "receivers:
  otlp:
    protocols:
      grpc: {endpoint: 0.0.0.0:4317}
      http: {endpoint: 127.0.0.1:4318}
  prometheus: {config: {}}
exporters:
  otlp/backend: {endpoint: collector.observability:4317}
extensions:
  zpages: {endpoint: 0.0.0.0:55679}
  pprof: {}
  file_storage/queue: {directory: /var/lib/otel/queue}
  health_check: {endpoint: 0.0.0.0:13133}
service:
  extensions: [zpages, file_storage/queue, health_check]
  pipelines:
    traces: {receivers: [otlp], exporters: [otlp/backend]}
";

    #[test]
    fn enabled_extensions_used_receivers_and_exporters() {
        with_files("/conf", &[("collector.yaml", AGENT)], |files| {
            let config = read_config(ConfigReader::OtelCollector, "/conf/collector.yaml", files)
                .expect("mounted");
            let zpages = config.listener("zpages").expect("enabled");
            assert_eq!(zpages.address.as_deref(), Some("0.0.0.0:55679"));
            assert_eq!(zpages.at.line, Some(10));
            assert!(
                config.listener("pprof").is_none(),
                "configured, not enabled"
            );
            let receivers: Vec<_> = config
                .listeners
                .iter()
                .filter(|l| l.id == "receiver otlp")
                .filter_map(|l| l.address.as_deref())
                .collect();
            assert_eq!(receivers, ["0.0.0.0:4317", "127.0.0.1:4318"]);
            assert!(config.listener("receiver prometheus").is_none());
            assert_eq!(config.state.len(), 1);
            assert_eq!(config.state[0].path, "/var/lib/otel/queue");
            assert_eq!(config.upstreams[0].address, "collector.observability:4317");
        });
    }

    #[test]
    fn file_storage_defaults_to_var_lib() {
        let text = "extensions:\n  file_storage: {}\nservice:\n  extensions: [file_storage]\n";
        with_files("/conf", &[("c.yaml", text)], |files| {
            let config =
                read_config(ConfigReader::OtelCollector, "/conf/c.yaml", files).expect("mounted");
            assert_eq!(config.state[0].path, "/var/lib/otelcol/file_storage");
            assert!(config.state[0].by_default);
        });
    }
}
