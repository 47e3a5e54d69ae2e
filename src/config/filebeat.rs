//! Filebeat's config (YAML, `-c FILE`; dotted and nested keys alike): the registry — where
//! it records read offsets — at `filebeat.registry.path` (default `registry`, relative to
//! `path.data`), `path.data` defaulting to `${path.home}/data` with the Docker image's home
//! `/usr/share/filebeat`; the HTTP endpoint (off unless `http.enabled`; `http.host`
//! default `localhost`, `http.port` 5066); outputs' `hosts` as upstreams. Ignored:
//! `-E`/`--path.*` flags, `${VAR}` expansion other than `${path.home}` and `${path.data}`,
//! `filebeat.config.inputs` files.
//!
//! Sources: <https://www.elastic.co/guide/en/beats/filebeat/current/configuration-general-options.html#_registry_path>,
//! <https://www.elastic.co/guide/en/beats/filebeat/current/directory-layout.html> (docker:
//! home `/usr/share/filebeat`, data `{path.home}/data`),
//! <https://www.elastic.co/guide/en/beats/filebeat/current/http-endpoint.html>.

use super::{host_port, is_on, relative_to, scalar, Config, Listening, Place, StateFile, Upstream};
use crate::input::context::{ConfigFile, Tree};
use serde_json::Value;

const HOME_DEFAULT: &str = "/usr/share/filebeat";

/// `key` (dotted) looked up as Filebeat's config library does: each part may be a nested
/// key or part of a dotted one (`path.data`, `path: {data: …}`); with its pointer.
fn lookup<'v>(root: &'v Value, key: &str) -> Option<(&'v Value, String)> {
    fn walk<'v>(node: &'v Value, parts: &[&str], pointer: String) -> Option<(&'v Value, String)> {
        if parts.is_empty() {
            return Some((node, pointer));
        }
        let map = node.as_object()?;
        (1..=parts.len()).find_map(|n| {
            let joined = parts.get(..n)?.join(".");
            let child = map.get(&joined)?;
            let pointer = format!("{pointer}/{}", joined.replace('~', "~0").replace('/', "~1"));
            walk(child, parts.get(n..)?, pointer)
        })
    }
    let parts: Vec<&str> = key.split('.').collect();
    walk(root, &parts, String::new())
}

pub(super) fn read(file: &ConfigFile<'_>, tree: &Tree, config: &mut Config) {
    let root = &tree.value;
    if !root.is_object() {
        config.problem(file, Some(1), "not a Filebeat config: expected a mapping");
        return;
    }
    let at = |pointer: &str| Place::of(file, tree.lines.line_of(pointer));
    let text = |key: &str| lookup(root, key).and_then(|(v, p)| scalar(Some(v)).map(|s| (s, p)));
    let home = text("path.home").map_or_else(|| HOME_DEFAULT.to_string(), |(h, _)| h);
    let expand = |value: &str, data: &str| {
        value
            .replace("${path.home}", &home)
            .replace("${path.data}", data)
    };
    let data = text("path.data").map_or_else(|| format!("{home}/data"), |(d, _)| expand(&d, ""));
    let registry = text("filebeat.registry.path");
    let (path, pointer) = match &registry {
        Some((path, pointer)) => {
            let path = expand(path, &data);
            // A relative registry path is relative to path.data.
            (relative_to(&format!("{data}/"), &path), pointer.clone())
        }
        None => (
            format!("{data}/registry"),
            text("path.data").map(|(_, p)| p).unwrap_or_default(),
        ),
    };
    let written = registry.is_some() || text("path.data").is_some();
    config.state.push(StateFile {
        path,
        setting: "filebeat.registry.path".to_string(),
        by_default: !written,
        at: at(&pointer),
    });
    if text("http.enabled").is_some_and(|(v, _)| is_on(&v)) {
        let host = text("http.host").map_or_else(|| "localhost".to_string(), |(h, _)| h);
        let port = text("http.port").map_or_else(|| "5066".to_string(), |(p, _)| p);
        let pointer = lookup(root, "http.host")
            .map(|(_, p)| p)
            .unwrap_or_default();
        config.listeners.push(Listening {
            id: "http".to_string(),
            address: Some(host_port(&host, &port)),
            exposure: None,
            note: "",
            setting: "http.host",
            at: at(&pointer),
        });
    }
    for output in ["output.elasticsearch.hosts", "output.logstash.hosts"] {
        let Some((hosts, pointer)) = lookup(root, output) else {
            continue;
        };
        for (i, host) in hosts.as_array().into_iter().flatten().enumerate() {
            if let Some(address) = scalar(Some(host)) {
                config.upstreams.push(Upstream {
                    address,
                    authenticated: false,
                    setting: "hosts",
                    at: at(&format!("{pointer}/{i}")),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{read as read_config, testing::with_files};
    use crate::sidecars::catalogue::ConfigReader;

    fn config_of(text: &str) -> super::Config {
        with_files("/usr/share/filebeat", &[("filebeat.yml", text)], |files| {
            read_config(
                ConfigReader::Filebeat,
                "/usr/share/filebeat/filebeat.yml",
                files,
            )
            .expect("mounted")
        })
    }

    #[test]
    fn registry_defaults_to_the_data_path() {
        // Written for this test after the Filebeat docs: a log input, an Elasticsearch output.
        let config = config_of("filebeat.inputs:\n  - type: filestream\n    paths: [/var/log/app/*.log]\noutput.elasticsearch:\n  hosts: [\"http://es:9200\"]\n");
        assert_eq!(config.state[0].path, "/usr/share/filebeat/data/registry");
        assert!(config.state[0].by_default);
        assert_eq!(config.upstreams[0].address, "http://es:9200");
        assert!(config.listener("http").is_none());
    }

    #[test]
    fn registry_and_data_paths_dotted_or_nested() {
        let config = config_of("path:\n  data: /var/log/app/fb\nfilebeat.registry.path: reg\nhttp.enabled: true\nhttp.host: 0.0.0.0\n");
        assert_eq!(config.state[0].path, "/var/log/app/fb/reg");
        assert_eq!(config.state[0].at.line, Some(3));
        let http = config.listener("http").and_then(|l| l.address.clone());
        assert_eq!(http.as_deref(), Some("0.0.0.0:5066"));
        let absolute = config_of("filebeat:\n  registry:\n    path: /state/registry\n");
        assert_eq!(absolute.state[0].path, "/state/registry");
    }
}
