//! Fluent Bit's config, classic or YAML (`-c FILE`; Fluent Bit picks YAML for a `.yaml` or
//! `.yml` file): `[SERVICE]` / `service:` — `HTTP_Server` (off by default), `HTTP_Listen`
//! (default `0.0.0.0`), `HTTP_Port` (2020), `Hot_Reload`, `storage.path`; inputs — `tail`'s
//! `DB` as state, network inputs (`forward`, `http`, `tcp`, `syslog`, `opentelemetry`) with
//! `Listen` (default `0.0.0.0`) and `Port`; outputs' `Host`/`Port` as upstreams; `@INCLUDE`
//! (classic, relative to the including file, `*` patterns) and `includes:` (YAML) of files
//! the container's ConfigMaps provide. Keys are case-insensitive, as Fluent Bit reads them.
//! Ignored: `@SET` variables and `${VAR}` expansion, parsers files, `[UPSTREAM]` nodes.
//!
//! Sources: <https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/classic-mode/configuration-file>,
//! <https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/yaml>,
//! <https://docs.fluentbit.io/manual/administration/monitoring> (HTTP server defaults),
//! <https://docs.fluentbit.io/manual/administration/hot-reload>,
//! <https://docs.fluentbit.io/manual/pipeline/inputs/tail> (`DB`),
//! <https://docs.fluentbit.io/manual/pipeline/inputs/forward> (`Listen` 0.0.0.0, 24224).

use super::{
    host_port, is_on, matching, relative_to, scalar, strings, Config, Listening, Place, StateFile,
    Upstream, MAX_INCLUDE_DEPTH,
};
use crate::input::context::{ConfigFile, Tree};
use crate::sidecars::catalogue::Exposure;
use serde_json::Value;
use std::collections::BTreeMap;

/// Network inputs and their default ports.
const INPUTS: &[(&str, &str)] = &[
    ("forward", "24224"),
    ("http", "9880"),
    ("tcp", "5170"),
    ("syslog", "5140"),
    ("opentelemetry", "4318"),
];

/// One section's keys, lower-cased, with their values and lines.
#[derive(Default)]
struct Section {
    keys: BTreeMap<String, (String, Option<usize>)>,
}

impl Section {
    fn get(&self, key: &str) -> Option<(&str, Option<usize>)> {
        self.keys.get(key).map(|(v, l)| (v.as_str(), *l))
    }
}

/// The sections of a config: service keys merged, inputs and outputs in order.
#[derive(Default)]
struct Sections {
    service: Section,
    inputs: Vec<(Section, Option<usize>)>,
    outputs: Vec<(Section, Option<usize>)>,
}

pub(super) fn read(main: &ConfigFile<'_>, files: &[ConfigFile<'_>], config: &mut Config) {
    let mut sections = Sections::default();
    // Each section remembers its file, for places.
    let mut places: Vec<(usize, &ConfigFile)> = Vec::new();
    read_file(main, files, config, &mut sections, &mut places, 0);
    report(&sections, &places, config);
}

fn is_yaml(file: &ConfigFile<'_>) -> bool {
    file.path.ends_with(".yaml") || file.path.ends_with(".yml")
}

fn read_file<'f, 'c>(
    file: &'f ConfigFile<'c>,
    files: &'f [ConfigFile<'c>],
    config: &mut Config,
    sections: &mut Sections,
    places: &mut Vec<(usize, &'f ConfigFile<'c>)>,
    depth: usize,
) {
    let includes = if is_yaml(file) {
        match file.tree() {
            Ok(tree) => read_yaml(file, &tree, sections, places),
            Err(error) => {
                config.problem(file, error.line, format!("not YAML: {}", error.message));
                Vec::new()
            }
        }
    } else {
        read_classic(file, config, sections, places)
    };
    if depth >= MAX_INCLUDE_DEPTH {
        return;
    }
    for target in includes {
        for included in matching(files, &relative_to(&file.path, &target)) {
            read_file(included, files, config, sections, places, depth + 1);
        }
    }
}

/// Reads a classic file into `sections`; returns its `@INCLUDE` targets.
fn read_classic<'f, 'c>(
    file: &'f ConfigFile<'c>,
    config: &mut Config,
    sections: &mut Sections,
    places: &mut Vec<(usize, &'f ConfigFile<'c>)>,
) -> Vec<String> {
    #[derive(PartialEq)]
    enum In {
        Nothing,
        Service,
        Input,
        Output,
        Other,
    }
    let mut includes = Vec::new();
    let mut current = In::Nothing;
    for (index, raw) in file.text.lines().enumerate() {
        let line = index + 1;
        let text = raw.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let (first, rest) = text
            .split_once(char::is_whitespace)
            .map_or((text, ""), |(k, v)| (k, v.trim()));
        if first.eq_ignore_ascii_case("@include") {
            includes.push(rest.to_string());
            continue;
        }
        if first.eq_ignore_ascii_case("@set") {
            continue;
        }
        if let Some(name) = text.strip_prefix('[') {
            let Some(name) = name.strip_suffix(']') else {
                config.problem(file, Some(line), "a section header without its closing ']'");
                return includes;
            };
            current = match name.trim().to_ascii_uppercase().as_str() {
                "SERVICE" => In::Service,
                "INPUT" => {
                    places.push((line, file));
                    sections
                        .inputs
                        .push((Section::default(), Some(places.len() - 1)));
                    In::Input
                }
                "OUTPUT" => {
                    places.push((line, file));
                    sections
                        .outputs
                        .push((Section::default(), Some(places.len() - 1)));
                    In::Output
                }
                _ => In::Other,
            };
            continue;
        }
        let section = match current {
            In::Nothing => {
                config.problem(
                    file,
                    Some(line),
                    format!("{first:?} is outside any [SECTION]"),
                );
                return includes;
            }
            In::Service => Some(&mut sections.service),
            In::Input => sections.inputs.last_mut().map(|(s, _)| s),
            In::Output => sections.outputs.last_mut().map(|(s, _)| s),
            In::Other => None,
        };
        if let Some(section) = section {
            // The line is recorded as an index into `places`.
            places.push((line, file));
            section.keys.insert(
                first.to_ascii_lowercase(),
                (rest.to_string(), Some(places.len() - 1)),
            );
        }
    }
    includes
}

/// Reads a YAML file into `sections`; returns its `includes`.
fn read_yaml<'f, 'c>(
    file: &'f ConfigFile<'c>,
    tree: &Tree,
    sections: &mut Sections,
    places: &mut Vec<(usize, &'f ConfigFile<'c>)>,
) -> Vec<String> {
    let root = &tree.value;
    let mapping = |places: &mut Vec<(usize, &'f ConfigFile<'c>)>,
                   value: Option<&Value>,
                   pointer: &str|
     -> Section {
        let mut section = Section::default();
        if let Some(map) = value.and_then(Value::as_object) {
            for (key, value) in map {
                let Some(text) = scalar(Some(value)) else {
                    continue;
                };
                let line = tree.lines.line_of(&format!("{pointer}/{key}")).unwrap_or(1);
                places.push((line, file));
                section
                    .keys
                    .insert(key.to_ascii_lowercase(), (text, Some(places.len() - 1)));
            }
        }
        section
    };
    let service = mapping(places, root.get("service"), "/service");
    sections.service.keys.extend(service.keys);
    for (kind, list) in [("inputs", true), ("outputs", false)] {
        let items = root
            .pointer(&format!("/pipeline/{kind}"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (i, item) in items.iter().enumerate() {
            let pointer = format!("/pipeline/{kind}/{i}");
            let section = mapping(places, Some(item), &pointer);
            let line = tree.lines.line_of(&pointer).unwrap_or(1);
            places.push((line, file));
            let entry = (section, Some(places.len() - 1));
            if list {
                sections.inputs.push(entry);
            } else {
                sections.outputs.push(entry);
            }
        }
    }
    strings(root.get("includes"))
}

fn report(sections: &Sections, places: &[(usize, &ConfigFile)], config: &mut Config) {
    let place = |index: Option<usize>| -> Option<Place> {
        let (line, file) = places.get(index?)?;
        Some(Place::of(file, Some(*line)))
    };
    let service = &sections.service;
    if service.get("http_server").is_some_and(|(v, _)| is_on(v)) {
        let listen = service.get("http_listen");
        let port = service.get("http_port").map_or("2020", |(p, _)| p);
        let at = listen
            .or(service.get("http_server"))
            .and_then(|(_, l)| place(l));
        if let Some(at) = at {
            let hot_reload = service.get("hot_reload").is_some_and(|(v, _)| is_on(v));
            config.listeners.push(Listening {
                id: "http_server".to_string(),
                address: Some(host_port(listen.map_or("0.0.0.0", |(h, _)| h), port)),
                exposure: hot_reload.then_some(Exposure::Control),
                note: if hot_reload { "Hot_Reload on" } else { "" },
                setting: "HTTP_Listen",
                at,
            });
        }
    }
    if let Some((path, line)) = service.get("storage.path") {
        if let Some(at) = place(line) {
            config.state.push(StateFile {
                path: path.to_string(),
                setting: "storage.path".to_string(),
                by_default: false,
                at,
            });
        }
    }
    for (input, header) in &sections.inputs {
        let name = input.get("name").map(|(n, _)| n.to_ascii_lowercase());
        match name.as_deref() {
            Some("tail") => {
                if let Some((path, line)) = input.get("db") {
                    if let Some(at) = place(line) {
                        config.state.push(StateFile {
                            path: path.to_string(),
                            setting: "DB".to_string(),
                            by_default: false,
                            at,
                        });
                    }
                }
            }
            Some(name) => {
                let Some((_, port)) = INPUTS.iter().find(|(n, _)| *n == name) else {
                    continue;
                };
                let listen = input.get("listen");
                let port = input.get("port").map_or(*port, |(p, _)| p);
                let at = listen
                    .and_then(|(_, l)| place(l))
                    .or_else(|| place(*header));
                if let Some(at) = at {
                    config.listeners.push(Listening {
                        id: format!("input {name}"),
                        address: Some(host_port(listen.map_or("0.0.0.0", |(h, _)| h), port)),
                        exposure: None,
                        note: "",
                        setting: "Listen",
                        at,
                    });
                }
            }
            None => {}
        }
    }
    for (output, header) in &sections.outputs {
        let Some((host, line)) = output.get("host") else {
            continue;
        };
        let port = output.get("port").map(|(p, _)| p);
        let address = port.map_or_else(|| host.to_string(), |p| host_port(host, p));
        if let Some(at) = place(line).or_else(|| place(*header)) {
            config.upstreams.push(Upstream {
                address,
                authenticated: false,
                setting: "Host",
                at,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{read as read_config, testing::with_files};
    use crate::sidecars::catalogue::{ConfigReader, Exposure};

    // Written for this test after the classic-mode docs: the HTTP server with hot reload
    // on every interface, a tail input with its DB included from a second key.
    const CLASSIC: &str = "[SERVICE]
    Flush        5
    HTTP_Server  On
    HTTP_Listen  0.0.0.0
    Hot_Reload   On
    storage.path /var/fluent-bit/state/
@INCLUDE inputs.conf
[OUTPUT]
    Name  forward
    Match *
    Host  aggregator
    Port  24224
";
    const INPUTS_CONF: &str = "[INPUT]
    Name tail
    Path /var/log/app/*.log
    db   /var/log/app/flb.db
[INPUT]
    Name forward
";

    fn config_of(main: &str, keys: &[(&str, &str)]) -> super::Config {
        with_files("/fluent-bit/etc", keys, |files| {
            read_config(ConfigReader::FluentBit, main, files).expect("mounted")
        })
    }

    #[test]
    fn classic_service_inputs_and_outputs() {
        let config = config_of(
            "/fluent-bit/etc/fluent-bit.conf",
            &[("fluent-bit.conf", CLASSIC), ("inputs.conf", INPUTS_CONF)],
        );
        let http = config.listener("http_server").expect("on");
        assert_eq!(http.address.as_deref(), Some("0.0.0.0:2020"));
        assert_eq!(http.exposure, Some(Exposure::Control));
        assert_eq!(http.at.line, Some(4));
        let state: Vec<_> = config
            .state
            .iter()
            .map(|s| {
                (
                    s.path.as_str(),
                    s.setting.as_str(),
                    s.at.key.as_str(),
                    s.at.line,
                )
            })
            .collect();
        assert_eq!(
            state,
            [
                (
                    "/var/fluent-bit/state/",
                    "storage.path",
                    "fluent-bit.conf",
                    Some(6)
                ),
                ("/var/log/app/flb.db", "DB", "inputs.conf", Some(4)),
            ]
        );
        let forward = config.listener("input forward").expect("forward input");
        assert_eq!(forward.address.as_deref(), Some("0.0.0.0:24224"));
        assert_eq!(config.upstreams[0].address, "aggregator:24224");
        assert!(config.problems.is_empty());
    }

    #[test]
    fn yaml_configs() {
        let yaml = "service:\n  http_server: on\n  http_listen: 127.0.0.1\npipeline:\n  inputs:\n    - name: tail\n      path: /logs/*.log\n      db: /state/tail.db\n  outputs:\n    - name: stdout\n      match: '*'\n";
        let config = config_of(
            "/fluent-bit/etc/fluent-bit.yaml",
            &[("fluent-bit.yaml", yaml)],
        );
        let http = config.listener("http_server").expect("on");
        assert_eq!(http.address.as_deref(), Some("127.0.0.1:2020"));
        assert_eq!(http.exposure, None, "no hot reload: health and metrics");
        assert_eq!(config.state[0].path, "/state/tail.db");
        assert_eq!(config.state[0].at.line, Some(8));
    }

    #[test]
    fn http_server_off_by_default_and_problems() {
        let config = config_of(
            "/fluent-bit/etc/fluent-bit.conf",
            &[("fluent-bit.conf", "[SERVICE]\n    Flush 1\n")],
        );
        assert!(config.listener("http_server").is_none());
        let config = config_of(
            "/fluent-bit/etc/fluent-bit.conf",
            &[("fluent-bit.conf", "    Name tail\n[INPUT\n")],
        );
        assert_eq!(config.problems.len(), 1);
        assert_eq!(config.problems[0].at.line, Some(1));
    }
}
