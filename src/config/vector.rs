//! Vector's config, TOML, YAML or JSON by the file's extension (`--config FILE`; TOML when
//! the extension says neither): `data_dir` (default `/var/lib/vector/`, where file
//! checkpoints and disk buffers go) and sources' own `data_dir`, the `api` (off unless
//! `api.enabled`; `api.address` default `127.0.0.1:8686`), sources' `address` (and
//! `grpc.address`, `http.address`) as listeners, sinks' `address`, `endpoint`, `uri` and
//! `endpoints` as upstreams. Ignored: `${VAR}` interpolation, several config files merged,
//! `--config-dir`.
//!
//! Sources: <https://vector.dev/docs/reference/configuration/global-options/#data_dir>,
//! <https://vector.dev/docs/reference/api/> (`api.enabled`, `api.address`),
//! <https://vector.dev/docs/reference/configuration/> (formats by extension).

use super::{scalar, toml, Config, Listening, Place, StateFile, Upstream};
use crate::input::context::ConfigFile;
use crate::sidecars::catalogue::Exposure;
use serde_json::Value;

/// The line of a JSON pointer in the file, whichever syntax it was read in.
type LineOf = Box<dyn Fn(&str) -> Option<usize>>;

const DATA_DIR_DEFAULT: &str = "/var/lib/vector/";
const API_DEFAULT: &str = "127.0.0.1:8686";

pub(super) fn read(file: &ConfigFile<'_>, config: &mut Config) {
    let yaml = [".yaml", ".yml", ".json"]
        .iter()
        .any(|e| file.path.ends_with(e));
    let (root, line_of): (Value, LineOf) = if yaml {
        match file.tree() {
            Ok(tree) => {
                let lines = tree.lines;
                (tree.value, Box::new(move |p| lines.line_of(p)))
            }
            Err(error) => {
                config.problem(file, error.line, format!("not YAML: {}", error.message));
                return;
            }
        }
    } else {
        match toml::parse(file.text) {
            Ok(toml) => {
                let value = toml.value.clone();
                (value, Box::new(move |p| toml.line_of(p)))
            }
            Err((line, message)) => {
                config.problem(file, Some(line), format!("not TOML: {message}"));
                return;
            }
        }
    };
    if !root.is_object() {
        config.problem(file, Some(1), "not a Vector config: expected a mapping");
        return;
    }
    let at = |pointer: &str| Place::of(file, line_of(pointer));
    let data_dir = scalar(root.get("data_dir"));
    config.state.push(StateFile {
        by_default: data_dir.is_none(),
        path: data_dir.unwrap_or_else(|| DATA_DIR_DEFAULT.to_string()),
        setting: "data_dir".to_string(),
        at: at("/data_dir"),
    });
    let enabled = matches!(root.pointer("/api/enabled"), Some(Value::Bool(true)));
    if enabled {
        config.listeners.push(Listening {
            id: "api".to_string(),
            address: Some(
                scalar(root.pointer("/api/address")).unwrap_or_else(|| API_DEFAULT.to_string()),
            ),
            exposure: Some(Exposure::Control),
            note: "",
            setting: "api.address",
            at: at("/api/address"),
        });
    }
    for (name, source) in components(&root, "sources") {
        let pointer = format!("/sources/{name}");
        if let Some(dir) = scalar(source.get("data_dir")) {
            config.state.push(StateFile {
                path: dir,
                setting: format!("sources.{name}.data_dir"),
                by_default: false,
                at: at(&format!("{pointer}/data_dir")),
            });
        }
        for key in ["/address", "/grpc/address", "/http/address"] {
            if let Some(address) = source.pointer(key).and_then(|a| scalar(Some(a))) {
                config.listeners.push(Listening {
                    id: format!("source {name}"),
                    address: Some(address),
                    exposure: None,
                    note: "",
                    setting: "address",
                    at: at(&format!("{pointer}{key}")),
                });
            }
        }
    }
    for (name, sink) in components(&root, "sinks") {
        let pointer = format!("/sinks/{name}");
        let mut addresses: Vec<(String, String)> = ["address", "endpoint", "uri"]
            .iter()
            .filter_map(|k| scalar(sink.get(*k)).map(|a| (format!("{pointer}/{k}"), a)))
            .collect();
        let listed = sink.get("endpoints").and_then(Value::as_array);
        for (i, e) in listed.into_iter().flatten().enumerate() {
            if let Some(a) = scalar(Some(e)) {
                addresses.push((format!("{pointer}/endpoints/{i}"), a));
            }
        }
        for (pointer, address) in addresses {
            config.upstreams.push(Upstream {
                address,
                authenticated: false,
                setting: "address",
                at: at(&pointer),
            });
        }
    }
}

/// The named components of a section (`sources`, `sinks`), names escaped for pointers.
fn components<'v>(root: &'v Value, section: &str) -> Vec<(String, &'v Value)> {
    root.get(section)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, v)| (name.replace('~', "~0").replace('/', "~1"), v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{read as read_config, testing::with_files};
    use crate::sidecars::catalogue::ConfigReader;

    fn config_of(key: &str, text: &str) -> super::Config {
        with_files("/etc/vector", &[(key, text)], |files| {
            read_config(ConfigReader::Vector, &format!("/etc/vector/{key}"), files)
                .expect("mounted")
        })
    }

    #[test]
    fn toml_with_defaults() {
        // Written for this test after the configuration reference: a file source shipped
        // to Elasticsearch, the API on every interface, the data_dir left to its default.
        let text = "[api]\nenabled = true\naddress = \"0.0.0.0:8686\"\n\n[sources.app]\ntype = \"file\"\ninclude = [\"/var/log/app/*.log\"]\n\n[sinks.es]\ntype = \"elasticsearch\"\ninputs = [\"app\"]\nendpoints = [\"http://es:9200\"]\n";
        let config = config_of("vector.toml", text);
        assert_eq!(config.state[0].path, "/var/lib/vector/");
        assert!(config.state[0].by_default);
        let api = config.listener("api").expect("enabled");
        assert_eq!(api.address.as_deref(), Some("0.0.0.0:8686"));
        assert_eq!(api.at.line, Some(3));
        assert_eq!(config.upstreams[0].address, "http://es:9200");
    }

    #[test]
    fn yaml_data_dir_and_api_default() {
        let text = "data_dir: /vector-data\napi:\n  enabled: true\nsources:\n  in:\n    type: http_server\n    address: 0.0.0.0:8080\n";
        let config = config_of("vector.yaml", text);
        assert_eq!(config.state[0].path, "/vector-data");
        assert_eq!(config.state[0].at.line, Some(1));
        let api = config.listener("api").and_then(|l| l.address.clone());
        assert_eq!(api.as_deref(), Some("127.0.0.1:8686"));
        let source = config.listener("source in").and_then(|l| l.address.clone());
        assert_eq!(source.as_deref(), Some("0.0.0.0:8080"));
        let off = config_of("vector.yaml", "sources: {}\n");
        assert!(off.listener("api").is_none(), "the API is off by default");
        let broken = config_of("vector.toml", "[sources\n");
        assert_eq!(broken.problems.len(), 1);
        assert_eq!(broken.problems[0].at.line, Some(1));
    }
}
