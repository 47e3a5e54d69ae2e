//! Fluentd's config (`fluent.conf`, `-c FILE`): `<source>`, `<match>`, `<filter>`,
//! `<label>`, `<system>` and nested sections, `key value` parameters (`@type` or the older
//! `type`), and `@include` of other files — relative to the including file, with `*`
//! patterns — that the same container's ConfigMaps provide (an include of a file that is
//! not there, or of a URL, is left out). It reports `tail` sources' `pos_file` and file
//! buffers' `path` (and v0.12's `buffer_path`) as state, network sources (`forward`, `http`,
//! `tcp`, `udp`, `syslog`, `monitor_agent`, `debug_agent`, `prometheus`) with their `bind`
//! (default `0.0.0.0`) and `port` defaults, `<system>`'s `rpc_endpoint`, and `<server>`s of
//! `forward` outputs as upstreams. Ignored: embedded Ruby (`"#{…}"`), multi-line values,
//! `<worker>` scoping.
//!
//! Sources: <https://docs.fluentd.org/configuration/config-file> (syntax, `@include`),
//! <https://docs.fluentd.org/input/tail> (`pos_file`), <https://docs.fluentd.org/input/forward>,
//! <https://docs.fluentd.org/input/http>, <https://docs.fluentd.org/input/tcp>,
//! <https://docs.fluentd.org/input/udp>, <https://docs.fluentd.org/input/syslog>,
//! <https://docs.fluentd.org/input/monitor_agent>, <https://docs.fluentd.org/deployment/rpc>,
//! <https://github.com/fluent/fluentd/blob/bcbfccc832aa42e77f88bdc0c55a16c007ec8fca/lib/fluent/plugin/in_debug_agent.rb>
//! (debug agent: `bind` 0.0.0.0, `port` 24230).

use super::{
    host_port, matching, relative_to, Config, Listening, Place, StateFile, Upstream,
    MAX_INCLUDE_DEPTH,
};
use crate::input::context::ConfigFile;

/// Network sources with their documented default bind address and port.
const SOURCES: &[(&str, &str)] = &[
    ("forward", "24224"),
    ("http", "9880"),
    ("tcp", "5170"),
    ("udp", "5160"),
    ("syslog", "5140"),
    ("monitor_agent", "24220"),
    ("debug_agent", "24230"),
    ("prometheus", "24231"),
];

/// One `<section>` being read: its name, argument, parameters with their lines.
struct Section {
    name: String,
    line: usize,
    params: Vec<(String, String, usize)>,
}

impl Section {
    fn get(&self, key: &str) -> Option<(&str, usize)> {
        self.params
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, l)| (v.as_str(), *l))
    }

    fn kind(&self) -> Option<&str> {
        self.get("@type")
            .or_else(|| self.get("type"))
            .map(|(v, _)| v)
    }
}

pub(super) fn read(main: &ConfigFile<'_>, files: &[ConfigFile<'_>], config: &mut Config) {
    read_file(main, files, config, 0);
}

fn read_file(file: &ConfigFile<'_>, files: &[ConfigFile<'_>], config: &mut Config, depth: usize) {
    // The sections enclosing the current line, outermost first.
    let mut open: Vec<Section> = Vec::new();
    for (index, raw) in file.text.lines().enumerate() {
        let line = index + 1;
        let text = strip_comment(raw).trim();
        if text.is_empty() {
            continue;
        }
        if let Some(rest) = text.strip_prefix("</") {
            let name = rest.trim_end_matches('>').trim();
            match open.pop() {
                Some(section) if section.name == name => {
                    close(file, &section, &open, config);
                }
                Some(section) => {
                    config.problem(
                        file,
                        Some(line),
                        format!(
                            "</{name}> closes <{}> of line {}",
                            section.name, section.line
                        ),
                    );
                    return;
                }
                None => {
                    config.problem(file, Some(line), format!("</{name}> closes no section"));
                    return;
                }
            }
        } else if let Some(rest) = text.strip_prefix('<') {
            let Some(inner) = rest.strip_suffix('>') else {
                config.problem(file, Some(line), "a section tag without its closing '>'");
                return;
            };
            let name = inner.split_whitespace().next().unwrap_or_default();
            open.push(Section {
                name: name.to_string(),
                line,
                params: Vec::new(),
            });
        } else {
            let (key, value) = text
                .split_once(char::is_whitespace)
                .map_or((text, ""), |(k, v)| (k, v.trim()));
            let value = unquote(value);
            if key == "@include" || key == "include" {
                include(file, files, config, depth, &value);
            } else if let Some(section) = open.last_mut() {
                section.params.push((key.to_string(), value, line));
            }
        }
    }
    if let Some(section) = open.first() {
        config.problem(
            file,
            Some(section.line),
            format!("<{}> is never closed", section.name),
        );
    }
}

fn include(
    file: &ConfigFile<'_>,
    files: &[ConfigFile<'_>],
    config: &mut Config,
    depth: usize,
    target: &str,
) {
    if depth >= MAX_INCLUDE_DEPTH || target.contains("://") {
        return;
    }
    let pattern = relative_to(&file.path, target);
    for included in matching(files, &pattern) {
        read_file(included, files, config, depth + 1);
    }
}

/// What a closed section contributes. `parents` are the sections around it.
fn close(file: &ConfigFile<'_>, section: &Section, parents: &[Section], config: &mut Config) {
    let place = |line: usize| Place::of(file, Some(line));
    let parent = parents.last();
    match (section.name.as_str(), section.kind()) {
        ("source", Some("tail")) => {
            if let Some((path, line)) = section.get("pos_file") {
                config.state.push(StateFile {
                    path: path.to_string(),
                    setting: "pos_file".to_string(),
                    by_default: false,
                    at: place(line),
                });
            }
        }
        ("source", Some(kind)) => {
            let Some((_, default_port)) = SOURCES.iter().find(|(k, _)| *k == kind) else {
                return;
            };
            let (address, line) = match section.get("unix_path") {
                Some((path, line)) => (format!("unix://{path}"), line),
                None => {
                    let bind = section.get("bind");
                    let port = section.get("port").map_or(*default_port, |(p, _)| p);
                    let line = bind.map_or(section.line, |(_, l)| l);
                    (host_port(bind.map_or("0.0.0.0", |(b, _)| b), port), line)
                }
            };
            let setting = if section.get("bind").is_some() {
                "bind"
            } else {
                "@type (bind 0.0.0.0 by default)"
            };
            config.listeners.push(Listening {
                id: kind.to_string(),
                address: Some(address),
                exposure: None,
                note: "",
                setting,
                at: place(line),
            });
        }
        ("system", _) => {
            if let Some((endpoint, line)) = section.get("rpc_endpoint") {
                config.listeners.push(Listening {
                    id: "rpc_endpoint".to_string(),
                    address: Some(endpoint.to_string()),
                    exposure: None,
                    note: "",
                    setting: "rpc_endpoint",
                    at: place(line),
                });
            }
        }
        ("buffer", Some("file" | "file_single")) => {
            if let Some((path, line)) = section.get("path") {
                config.state.push(StateFile {
                    path: path.to_string(),
                    setting: "buffer path".to_string(),
                    by_default: false,
                    at: place(line),
                });
            }
        }
        ("match", _) if section.get("buffer_type").is_some_and(|(t, _)| t == "file") => {
            if let Some((path, line)) = section.get("buffer_path") {
                config.state.push(StateFile {
                    path: path.to_string(),
                    setting: "buffer_path".to_string(),
                    by_default: false,
                    at: place(line),
                });
            }
        }
        ("server", _) if parent.is_some_and(|p| p.kind() == Some("forward")) => {
            if let Some((host, line)) = section.get("host") {
                let port = section.get("port").map_or("24224", |(p, _)| p);
                config.upstreams.push(Upstream {
                    address: host_port(host, port),
                    authenticated: false,
                    setting: "host",
                    at: place(line),
                });
            }
        }
        _ => {}
    }
}

/// A line without its comment: `#` at the start or after white space, outside quotes.
fn strip_comment(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return line.get(..i).unwrap_or(line),
            _ => {}
        }
        previous = c;
    }
    line
}

fn unquote(value: &str) -> String {
    let inner = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')));
    inner.unwrap_or(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::super::{read as read_config, testing::with_files};
    use crate::sidecars::catalogue::ConfigReader;

    // Written for this test in the shape of the Fluentd docs' examples: a tail source
    // included from a second key, a debug agent, a file buffer and a forward output.
    const MAIN: &str = "# the agent's entry point
@include sources.conf
<system>
  rpc_endpoint 0.0.0.0:24444
</system>
<source>
  @type debug_agent
</source>
<match app.**>
  @type forward
  <server>
    host aggregator.logging   # the central Fluentd
  </server>
  <buffer>
    @type file
    path /var/log/app/buffer
  </buffer>
</match>
";
    const SOURCES: &str = "<source>
  @type tail
  path /var/log/app/*.log
  pos_file \"/var/log/app/app.log.pos\"
  tag app
  <parse>
    @type json
  </parse>
</source>
";

    fn config_of(keys: &[(&str, &str)]) -> super::Config {
        with_files("/fluentd/etc", keys, |files| {
            read_config(ConfigReader::Fluentd, "/fluentd/etc/fluent.conf", files).expect("mounted")
        })
    }

    #[test]
    fn sources_includes_buffers_and_servers() {
        let config = config_of(&[("fluent.conf", MAIN), ("sources.conf", SOURCES)]);
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
                    "/var/log/app/app.log.pos",
                    "pos_file",
                    "sources.conf",
                    Some(4)
                ),
                (
                    "/var/log/app/buffer",
                    "buffer path",
                    "fluent.conf",
                    Some(16)
                ),
            ]
        );
        let debug = config.listener("debug_agent").expect("debug agent");
        assert_eq!(debug.address.as_deref(), Some("0.0.0.0:24230"));
        let rpc = config.listener("rpc_endpoint").expect("rpc");
        assert_eq!(rpc.address.as_deref(), Some("0.0.0.0:24444"));
        assert_eq!(config.upstreams[0].address, "aggregator.logging:24224");
        assert!(config.problems.is_empty(), "{:?}", config.problems);
    }

    #[test]
    fn old_type_and_legacy_buffers() {
        let old = "<source>\n  type tail\n  pos_file /var/log/es.pos\n</source>\n<match **>\n  type elasticsearch\n  buffer_type file\n  buffer_path /var/log/es.buffer\n</match>\n";
        let config = config_of(&[("fluent.conf", old)]);
        let paths: Vec<_> = config.state.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, ["/var/log/es.pos", "/var/log/es.buffer"]);
    }

    #[test]
    fn broken_sections_are_problems() {
        let config = config_of(&[("fluent.conf", "<source>\n  @type tail\n")]);
        assert_eq!(config.problems.len(), 1);
        assert_eq!(config.problems[0].at.line, Some(1));
        let config = config_of(&[("fluent.conf", "<source>\n</match>\n")]);
        assert_eq!(config.problems[0].at.line, Some(2));
        // An include loop stops at the depth bound.
        let config = config_of(&[("fluent.conf", "@include fluent.conf\n")]);
        assert!(config.problems.is_empty());
    }
}
