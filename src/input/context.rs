//! Related objects of the same input: the ConfigMaps a pod may mount, read so that rules
//! can see a sidecar's own config (an Envoy bootstrap's admin address). A ConfigMap that
//! is not in the input is unknown, never a finding (docs/contract.md, "Inputs").

use crate::input::yaml::{LineIndex, SyntaxError};
use crate::model::{ConfigMapVolumeSource, Container, PodSpec, VolumeMount};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
struct ConfigMap {
    namespace: Option<String>,
    name: String,
    data: BTreeMap<String, String>,
    /// Which input it came from (a CLI run's file); 0 for a single text.
    origin: usize,
}

/// The ConfigMaps of one input (a CLI run's files, one multi-document text).
#[derive(Clone, Debug)]
pub struct Context {
    config_maps: Vec<ConfigMap>,
    /// Reads a config file (YAML or JSON) into a tree with its lines. Set only by the
    /// constructors that collect ConfigMaps, so that a front end without them (the
    /// admission policy) does not link the YAML reader.
    read_config: ReadTree,
}

/// A config file read as YAML (or JSON): its first document, with the line of each node.
#[derive(Clone, Debug)]
pub struct Tree {
    pub value: Value,
    pub lines: LineIndex,
}

/// Reads a config file's text into a tree, or says where it is not YAML.
pub type ReadTree = fn(&str) -> Result<Tree, SyntaxError>;

fn no_reader(_: &str) -> Result<Tree, SyntaxError> {
    Err(SyntaxError {
        line: None,
        column: None,
        message: "no YAML reader in this build".to_string(),
    })
}

impl Default for Context {
    fn default() -> Self {
        Context {
            config_maps: Vec::new(),
            read_config: no_reader,
        }
    }
}

/// The first document of a config file, as the YAML 1.1 reader reads manifests, with
/// the line of every node. An empty file is an empty mapping (the product's defaults).
fn read_yaml(text: &str) -> Result<Tree, SyntaxError> {
    let options = crate::input::yaml::Options { track_lines: true };
    match crate::input::yaml::parse_stream(text, options)
        .into_iter()
        .next()
    {
        Some(Ok(document)) => Ok(Tree {
            value: document.value,
            lines: document.lines,
        }),
        Some(Err(error)) => Err(error),
        None => Ok(Tree {
            value: Value::Object(serde_json::Map::new()),
            lines: LineIndex::default(),
        }),
    }
}

/// A config file a container reads, found in a ConfigMap of the input.
#[derive(Clone, Debug)]
pub struct ConfigFile<'c> {
    pub config_map: &'c str,
    pub key: &'c str,
    pub text: &'c str,
    /// Where the container sees it.
    pub path: String,
    /// Index of the container's `volumeMounts` entry that provides it.
    pub mount: usize,
    read: ReadTree,
}

impl ConfigFile<'_> {
    /// The file read as YAML or JSON (Envoy bootstraps, Collector configs).
    pub fn tree(&self) -> Result<Tree, SyntaxError> {
        (self.read)(self.text)
    }
}

impl Context {
    /// Collects the ConfigMaps of these documents (inside `List`s too), all of one input.
    pub fn from_documents<'v>(documents: impl IntoIterator<Item = &'v Value>) -> Context {
        Context::from_inputs(documents.into_iter().map(|d| (0, d)))
    }

    /// Collects the ConfigMaps of several inputs: (input number, document). A pod's own
    /// input is searched first, so that two files defining the same ConfigMap differently
    /// (an example and its fixed version) each keep their own.
    pub fn from_inputs<'v>(documents: impl IntoIterator<Item = (usize, &'v Value)>) -> Context {
        let mut context = Context {
            read_config: read_yaml,
            ..Context::default()
        };
        for (origin, document) in documents {
            context.add(document, origin, 0);
        }
        context
    }

    /// Collects the ConfigMaps of unparsed documents: (input number, document). Only the
    /// documents that can hold one (their text names `ConfigMap`, or a `List`) are parsed
    /// here, so a large stream is not held in memory whole: the caller parses and checks
    /// each document afterwards and drops it.
    pub fn from_texts<'t, 'd: 't>(
        documents: impl IntoIterator<Item = (usize, &'t crate::input::yaml::DocumentText<'d>)>,
    ) -> Context {
        let mut context = Context {
            read_config: read_yaml,
            ..Context::default()
        };
        for (origin, document) in documents {
            let text = document.as_str();
            if !(text.contains("ConfigMap") || text.contains("List")) {
                continue;
            }
            if let Ok(parsed) = document.parse(crate::input::yaml::Options::default()) {
                context.add(&parsed.value, origin, 0);
            }
        }
        context
    }

    fn add(&mut self, object: &Value, origin: usize, depth: usize) {
        match object.get("kind").and_then(Value::as_str) {
            Some("ConfigMap") => {
                let metadata = object.get("metadata");
                let text = |key: &str| {
                    metadata
                        .and_then(|m| m.get(key))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                let (Some(name), Some(data)) =
                    (text("name"), object.get("data").and_then(Value::as_object))
                else {
                    return;
                };
                let data = data
                    .iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect();
                self.config_maps.push(ConfigMap {
                    namespace: text("namespace"),
                    name,
                    data,
                    origin,
                });
            }
            Some(kind) if kind.ends_with("List") && depth < 4 => {
                for item in object
                    .get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    self.add(item, origin, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// The ConfigMap `name` seen by a pod of input `origin` in `namespace`: an object
    /// without a namespace matches any (manifests often leave it to `kubectl -n`). One of
    /// the pod's own input wins; otherwise candidates that disagree make it unknown.
    fn config_map(&self, origin: usize, namespace: Option<&str>, name: &str) -> Option<&ConfigMap> {
        let mut candidates = self.config_maps.iter().filter(|c| {
            c.name == name
                && match (namespace, c.namespace.as_deref()) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        });
        let first = candidates.next()?;
        let rest: Vec<&ConfigMap> = candidates.collect();
        if first.origin == origin {
            return Some(first);
        }
        if let Some(own) = rest.iter().find(|c| c.origin == origin) {
            return Some(own);
        }
        rest.iter().all(|c| c.data == first.data).then_some(first)
    }

    /// The text of the file at `path` in `container`, when a ConfigMap volume of the pod
    /// provides it and that ConfigMap is in the input.
    pub fn file<'c>(
        &'c self,
        origin: usize,
        spec: &PodSpec,
        namespace: Option<&str>,
        container: &Container,
        path: &str,
    ) -> Option<ConfigFile<'c>> {
        self.files(origin, spec, namespace, container)
            .into_iter()
            .find(|f| f.path == path)
    }

    /// Every file that ConfigMaps of the input put into `container`'s file system, as the
    /// kubelet lays them out: a `configMap` or `projected` volume's keys (or its `items`,
    /// each at its `path`) under the mount path, a `subPath` mount holding only that file
    /// or directory of the volume, and a deeper mount hiding what a shallower one puts
    /// at the same path.
    pub fn files<'c>(
        &'c self,
        origin: usize,
        spec: &PodSpec,
        namespace: Option<&str>,
        container: &Container,
    ) -> Vec<ConfigFile<'c>> {
        let mut out: Vec<(usize, ConfigFile<'c>)> = Vec::new();
        if self.config_maps.is_empty() {
            return Vec::new();
        }
        for (index, mount) in container.volume_mounts.iter().flatten().enumerate() {
            let Some(sources) = config_map_sources(spec, mount) else {
                continue;
            };
            let mount_path = mount.mount_path.trim_end_matches('/');
            let sub_path = mount
                .sub_path
                .as_deref()
                .map(|s| s.trim_matches('/'))
                .filter(|s| !s.is_empty());
            for source in sources {
                let Some(config_map) = source
                    .name
                    .as_deref()
                    .and_then(|name| self.config_map(origin, namespace, name))
                else {
                    continue;
                };
                for (in_volume, key, text) in entries(config_map, source) {
                    let path = match sub_path {
                        Some(sub) if in_volume == sub => mount_path.to_string(),
                        Some(sub) => match in_volume.strip_prefix(sub) {
                            Some(rest) if rest.starts_with('/') => format!("{mount_path}{rest}"),
                            _ => continue,
                        },
                        None => format!("{mount_path}/{in_volume}"),
                    };
                    let file = ConfigFile {
                        config_map: &config_map.name,
                        key,
                        text,
                        path,
                        mount: index,
                        read: self.read_config,
                    };
                    out.push((mount_path.len(), file));
                }
            }
        }
        // A deeper mount hides the same path of a shallower one.
        out.sort_by(|a, b| a.1.path.cmp(&b.1.path).then(b.0.cmp(&a.0)));
        out.dedup_by(|later, first| later.1.path == first.1.path);
        out.into_iter().map(|(_, f)| f).collect()
    }
}

/// The ConfigMaps whose files `container` mounts (`configMap` volumes and the ConfigMap
/// sources of `projected` ones), in mount order, each once: what a front end that fetches
/// ConfigMaps (the admission policy) asks for, and nothing else.
pub fn mounted_config_maps<'s>(spec: &'s PodSpec, container: &Container) -> Vec<&'s str> {
    let mut names: Vec<&'s str> = Vec::new();
    for mount in container.volume_mounts.iter().flatten() {
        for source in config_map_sources(spec, mount).into_iter().flatten() {
            if let Some(name) = source.name.as_ref().map(|n| n.as_str()) {
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    names
}

/// The ConfigMaps a mount's volume holds: its `configMap`, or the ConfigMap sources of a
/// `projected` volume. None when the pod has no volume of that name.
fn config_map_sources<'s>(
    spec: &'s PodSpec,
    mount: &VolumeMount,
) -> Option<impl Iterator<Item = &'s ConfigMapVolumeSource<'s>>> {
    let volume = spec
        .volumes
        .iter()
        .flatten()
        .find(|v| v.name.as_str() == mount.name.as_str())?;
    let projected = volume
        .projected
        .iter()
        .flat_map(|p| p.sources.iter().flatten())
        .filter_map(|s| s.config_map.as_ref());
    Some(volume.config_map.iter().chain(projected))
}

/// A ConfigMap volume source's files: (path in the volume, key, text). With `items`, only
/// those keys, each at its path; without, every key under its own name.
fn entries<'c>(
    config_map: &'c ConfigMap,
    source: &ConfigMapVolumeSource,
) -> Vec<(String, &'c str, &'c str)> {
    match &source.items {
        Some(items) => items
            .iter()
            .filter_map(|item| {
                let (key, text) = config_map.data.get_key_value(item.key.as_str())?;
                Some((
                    item.path.trim_matches('/').to_string(),
                    key.as_str(),
                    text.as_str(),
                ))
            })
            .collect(),
        None => config_map
            .data
            .iter()
            .map(|(key, text)| (key.clone(), key.as_str(), text.as_str()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The pod as JSON text: the model borrows its strings from it.
    fn pod(volume: Value, mount: Value) -> String {
        json!({
            "containers": [{"name": "envoy", "volumeMounts": [mount]}],
            "volumes": [volume],
        })
        .to_string()
    }

    fn read(text: &str) -> (PodSpec<'_>, Container<'_>) {
        let spec: PodSpec = serde_json::from_str(text).unwrap_or_default();
        let container = spec.containers.first().cloned().unwrap_or_default();
        (spec, container)
    }

    fn context() -> Context {
        Context::from_documents([&json!({
            "kind": "ConfigMap", "metadata": {"name": "envoy", "namespace": "shop"},
            "data": {"envoy.yaml": "admin: {}", "other": "x"},
        })])
    }

    #[test]
    fn finds_a_mounted_key() {
        let text = pod(
            json!({"name": "cfg", "configMap": {"name": "envoy"}}),
            json!({"name": "cfg", "mountPath": "/etc/envoy"}),
        );
        let (spec, c) = read(&text);
        let context = context();
        let file = context.file(0, &spec, Some("shop"), &c, "/etc/envoy/envoy.yaml");
        assert_eq!(file.map(|f| f.text), Some("admin: {}"));
        // Another namespace's ConfigMap is not this pod's.
        assert!(context
            .file(0, &spec, Some("web"), &c, "/etc/envoy/envoy.yaml")
            .is_none());
        assert!(context
            .file(0, &spec, None, &c, "/etc/other/envoy.yaml")
            .is_none());
    }

    #[test]
    fn the_pods_own_input_wins_and_disagreeing_others_are_unknown() {
        let text = pod(
            json!({"name": "cfg", "configMap": {"name": "envoy"}}),
            json!({"name": "cfg", "mountPath": "/etc/envoy"}),
        );
        let (spec, c) = read(&text);
        let map = |data: &str| json!({"kind": "ConfigMap", "metadata": {"name": "envoy"}, "data": {"envoy.yaml": data}});
        let (a, b) = (map("admin: a"), map("admin: b"));
        let context = Context::from_inputs([(1, &a), (2, &b)]);
        let text_of = |origin| {
            context
                .file(origin, &spec, None, &c, "/etc/envoy/envoy.yaml")
                .map(|f| f.text)
        };
        assert_eq!(text_of(1), Some("admin: a"));
        assert_eq!(text_of(2), Some("admin: b"));
        assert_eq!(
            text_of(3),
            None,
            "two different ConfigMaps elsewhere: unknown"
        );
        let same = Context::from_inputs([(1, &a), (2, &a)]);
        assert!(same
            .file(3, &spec, None, &c, "/etc/envoy/envoy.yaml")
            .is_some());
    }

    #[test]
    fn projected_volumes_and_deeper_mounts() {
        let context = Context::from_documents([
            &json!({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"fluent.conf": "main", "extra.conf": "x"}}),
            &json!({"kind": "ConfigMap", "metadata": {"name": "b"}, "data": {"fluent.conf": "override"}}),
        ]);
        let text = json!({
            "containers": [{"name": "c", "volumeMounts": [
                {"name": "p", "mountPath": "/etc/fluent"},
                {"name": "b", "mountPath": "/etc/fluent/fluent.conf", "subPath": "fluent.conf"},
            ]}],
            "volumes": [
                {"name": "p", "projected": {"sources": [
                    {"secret": {"name": "s"}},
                    {"configMap": {"name": "a", "items": [{"key": "fluent.conf", "path": "fluent.conf"}, {"key": "extra.conf", "path": "conf.d/extra.conf"}]}},
                ]}},
                {"name": "b", "configMap": {"name": "b"}},
            ],
        })
        .to_string();
        let (spec, c) = read(&text);
        let files = context.files(0, &spec, None, &c);
        let seen: Vec<_> = files
            .iter()
            .map(|f| (f.path.as_str(), f.config_map, f.text, f.mount))
            .collect();
        assert_eq!(
            seen,
            [
                ("/etc/fluent/conf.d/extra.conf", "a", "x", 0),
                // The subPath mount hides the projected volume's file at the same path.
                ("/etc/fluent/fluent.conf", "b", "override", 1),
            ]
        );
    }

    #[test]
    fn names_the_config_maps_a_container_mounts() {
        let text = json!({
            "containers": [{"name": "c", "volumeMounts": [
                {"name": "p", "mountPath": "/etc/fluent"},
                {"name": "b", "mountPath": "/etc/b"},
                {"name": "again", "mountPath": "/etc/again"},
                {"name": "logs", "mountPath": "/var/log"},
            ]}],
            "volumes": [
                {"name": "p", "projected": {"sources": [{"secret": {"name": "s"}}, {"configMap": {"name": "a"}}, {"configMap": {}}]}},
                {"name": "b", "configMap": {"name": "b"}},
                {"name": "again", "configMap": {"name": "a"}},
                {"name": "logs", "emptyDir": {}},
                {"name": "unmounted", "configMap": {"name": "u"}},
            ],
        })
        .to_string();
        let (spec, c) = read(&text);
        assert_eq!(mounted_config_maps(&spec, &c), ["a", "b"]);
    }

    #[test]
    fn follows_items_and_sub_paths() {
        let context = context();
        let text = pod(
            json!({"name": "cfg", "configMap": {"name": "envoy", "items": [{"key": "envoy.yaml", "path": "bootstrap.yaml"}]}}),
            json!({"name": "cfg", "mountPath": "/config"}),
        );
        let (spec, c) = read(&text);
        let file = context.file(0, &spec, None, &c, "/config/bootstrap.yaml");
        assert_eq!(file.map(|f| f.key), Some("envoy.yaml"));
        let text = pod(
            json!({"name": "cfg", "configMap": {"name": "envoy"}}),
            json!({"name": "cfg", "mountPath": "/etc/envoy/envoy.yaml", "subPath": "envoy.yaml"}),
        );
        let (spec, c) = read(&text);
        let file = context.file(0, &spec, None, &c, "/etc/envoy/envoy.yaml");
        assert_eq!(file.map(|f| f.key), Some("envoy.yaml"));
    }
}
