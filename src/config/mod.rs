//! The context stage's config readers: one per product, each reading the product's own
//! config syntax with its documented defaults (ARCHITECTURE.md, "context"). A reader turns
//! the files a container's ConfigMaps provide into what rules ask about — where the
//! product listens, what it forwards to, which files it writes — each with the ConfigMap,
//! key and line it comes from. Config a reader cannot parse is a `Problem` (rules report it
//! as a warning), never a panic and never a verdict of its own.
//!
//! Which product has which reader is catalogue data (`Product::config_reader`); the readers
//! know syntax and defaults, never roles or rules.

mod envoy;
mod filebeat;
mod fluent_bit;
mod fluentd;
mod nginx;
mod otel;
mod promtail;
mod toml;
mod vector;

use crate::input::context::{ConfigFile, Tree};
use crate::sidecars::catalogue::{ConfigReader, Exposure};
use serde_json::Value;

/// Where a fact of a config comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    pub config_map: String,
    pub key: String,
    /// 1-based line in the key's text, where known.
    pub line: Option<usize>,
    /// Index of the container's `volumeMounts` entry that provides the file.
    pub mount: usize,
}

impl Place {
    fn of(file: &ConfigFile<'_>, line: Option<usize>) -> Place {
        Place {
            config_map: file.config_map.to_string(),
            key: file.key.to_string(),
            line,
            mount: file.mount,
        }
    }
}

impl Place {
    /// `ConfigMap name/key`, without the line (for messages that must stay short).
    pub fn file(&self) -> String {
        format!("ConfigMap {}/{}", self.config_map, self.key)
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ConfigMap {}/{}", self.config_map, self.key)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        Ok(())
    }
}

/// A listener the config opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Listening {
    /// What the product calls it: `admin` (Envoy), `http_server` (Fluent Bit), an enabled
    /// extension's name (`zpages/debug`), `debug_agent` (Fluentd), `api` (Vector), …
    pub id: String,
    /// `host:port` (or a URL, a socket path); `None`: the release's default, unknown here.
    pub address: Option<String>,
    /// When the config decides what it exposes (Fluent Bit's HTTP server with hot reload
    /// is a control interface).
    pub exposure: Option<Exposure>,
    /// The config key, for messages (`admin.address`, `HTTP_Listen`).
    pub setting: &'static str,
    /// What else the config says of it, for messages (`Hot_Reload on`); empty: nothing.
    pub note: &'static str,
    pub at: Place,
}

/// Where the product forwards requests or data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Upstream {
    /// A URL or `host:port` as written.
    pub address: String,
    /// Requests reach it only after the product authenticated them (nginx `auth_basic` or
    /// `auth_request` in effect where `proxy_pass` is; an Envoy listener with an auth filter).
    pub authenticated: bool,
    /// The config key, for messages (`proxy_pass`).
    pub setting: &'static str,
    pub at: Place,
}

/// A file or directory the product writes its own state to (read positions, buffers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StateFile {
    pub path: String,
    /// The setting that names it (`pos_file`, `DB`, `positions.filename`, `data_dir`), or
    /// its default.
    pub setting: String,
    /// The product's default, not written in the config.
    pub by_default: bool,
    pub at: Place,
}

/// Config a reader could not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub message: String,
    pub at: Place,
}

/// What a product's config says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Config {
    pub listeners: Vec<Listening>,
    pub upstreams: Vec<Upstream>,
    pub state: Vec<StateFile>,
    pub problems: Vec<Problem>,
}

impl Config {
    /// The listener of this id, when the config opens it.
    pub fn listener(&self, id: &str) -> Option<&Listening> {
        self.listeners.iter().find(|l| l.id == id)
    }

    fn problem(&mut self, file: &ConfigFile<'_>, line: Option<usize>, message: impl Into<String>) {
        self.problems.push(Problem {
            message: message.into(),
            at: Place::of(file, line),
        });
    }
}

/// Reads the config of a product whose main config file is `main` (a path in the
/// container), from the files the container's ConfigMaps provide. `None`: the main file is
/// not among them (and the product has no default layout to fall back on), so its config
/// is unknown.
pub(crate) fn read(reader: ConfigReader, main: &str, files: &[ConfigFile<'_>]) -> Option<Config> {
    let file = files.iter().find(|f| f.path == main);
    let mut config = Config::default();
    match (reader, file) {
        (ConfigReader::Nginx, _) => nginx::read(main, files, &mut config)?,
        (_, None) => return None,
        (ConfigReader::Envoy, Some(file)) => with_tree(file, &mut config, envoy::read),
        (ConfigReader::OtelCollector, Some(file)) => with_tree(file, &mut config, otel::read),
        (ConfigReader::Promtail, Some(file)) => with_tree(file, &mut config, promtail::read),
        (ConfigReader::Filebeat, Some(file)) => with_tree(file, &mut config, filebeat::read),
        (ConfigReader::Vector, Some(file)) => vector::read(file, &mut config),
        (ConfigReader::FluentBit, Some(file)) => fluent_bit::read(file, files, &mut config),
        (ConfigReader::Fluentd, Some(file)) => fluentd::read(file, files, &mut config),
    }
    Some(config)
}

/// Reads a YAML (or JSON) file and hands its tree to `read`; a syntax error is a problem.
fn with_tree(
    file: &ConfigFile<'_>,
    config: &mut Config,
    read: fn(&ConfigFile<'_>, &Tree, &mut Config),
) {
    match file.tree() {
        Ok(tree) => read(file, &tree, config),
        Err(error) => config.problem(file, error.line, format!("not YAML: {}", error.message)),
    }
}

/// A scalar as text: YAML 1.1 reads `on` as a boolean and `9901` as a number.
fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list of strings (`includes:`, `service.extensions`); other items are skipped.
fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Whether a setting's text means on, as the products read booleans.
fn is_on(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "on" | "true" | "yes" | "1"
    )
}

/// `host` and `port` joined; an IPv6 host in brackets so that `host:port` reads back.
fn host_port(host: &str, port: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `path` relative to the directory of `base` (a config file's path), or as it is when
/// absolute: how Fluentd, Fluent Bit and nginx resolve their includes.
fn relative_to(base: &str, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_string();
    }
    let dir = base.rsplit_once('/').map_or("", |(dir, _)| dir);
    format!("{dir}/{}", path.trim_start_matches("./"))
}

/// The files among `files` that an include pattern names (`*` within one path segment).
fn matching<'f, 'c>(files: &'f [ConfigFile<'c>], pattern: &str) -> Vec<&'f ConfigFile<'c>> {
    let mut found: Vec<&ConfigFile> = files
        .iter()
        .filter(|f| wildcard(pattern, &f.path))
        .collect();
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// Shell-style `*` and `?` matching that does not cross `/`.
fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Iterative matching with one backtrack point per star, bounded by |p|·|t|.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if (c == '?' && t.get(ti) != Some(&'/')) || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) if t.get(st) != Some(&'/') => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                _ => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// How deep includes may nest: a loop of files including each other stops here.
const MAX_INCLUDE_DEPTH: usize = 8;

#[cfg(test)]
pub(crate) mod testing {
    //! Config files as a container sees them, for the readers' tests.
    use crate::input::context::{ConfigFile, Context};
    use crate::model::PodSpec;
    use serde_json::json;

    /// Files of one ConfigMap `name` mounted at `dir`: (key, text) pairs.
    pub fn with_files<R>(
        dir: &str,
        keys: &[(&str, &str)],
        f: impl FnOnce(&[ConfigFile]) -> R,
    ) -> R {
        let data: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let map = json!({"kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": data});
        let context = Context::from_documents([&map]);
        let spec = json!({
            "containers": [{"name": "c", "volumeMounts": [{"name": "v", "mountPath": dir}]}],
            "volumes": [{"name": "v", "configMap": {"name": "cfg"}}],
        })
        .to_string();
        let spec: PodSpec = serde_json::from_str(&spec).unwrap_or_default();
        let container = spec.containers.first().cloned().unwrap_or_default();
        let files = context.files(0, &spec, None, &container);
        f(&files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_stay_within_a_segment() {
        assert!(wildcard(
            "/etc/nginx/conf.d/*.conf",
            "/etc/nginx/conf.d/default.conf"
        ));
        assert!(!wildcard(
            "/etc/nginx/conf.d/*.conf",
            "/etc/nginx/conf.d/a/b.conf"
        ));
        assert!(!wildcard("/etc/*.conf", "/etc/x.yaml"));
        assert!(wildcard("/etc/fluent/*", "/etc/fluent/a"));
        assert!(wildcard("/a/?.conf", "/a/b.conf"));
    }

    #[test]
    fn includes_resolve_beside_the_file() {
        assert_eq!(
            relative_to("/fluentd/etc/fluent.conf", "conf.d/*.conf"),
            "/fluentd/etc/conf.d/*.conf"
        );
        assert_eq!(
            relative_to("/fluentd/etc/fluent.conf", "./a.conf"),
            "/fluentd/etc/a.conf"
        );
        assert_eq!(relative_to("/x/y.conf", "/abs.conf"), "/abs.conf");
    }

    #[test]
    fn a_missing_main_file_is_unknown() {
        testing::with_files("/etc/envoy", &[("other.yaml", "admin: {}")], |files| {
            assert!(read(ConfigReader::Envoy, "/etc/envoy/envoy.yaml", files).is_none());
        });
    }
}
