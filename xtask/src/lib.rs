//! Artefacts generated from the registry and the settings types: the settings JSON
//! Schema and the README's rule table. `cargo xtask codegen` writes them; a test
//! fails when a committed copy differs, so docs cannot drift from code.

use serde_json::{json, Value};
use sidecar_guard::rules::ALL;

pub mod scaffold;

/// `policies/settings.schema.json`, pretty-printed with a trailing newline.
pub fn settings_schema_text() -> String {
    let mut schema = sidecar_guard::settings::json_schema();
    if let Some(map) = schema.as_object_mut() {
        map.insert(
            "$id".to_string(),
            serde_json::Value::String("https://sidecar-guard.io/settings.schema.json".to_string()),
        );
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The README's rule table.
pub fn rules_table() -> String {
    let mut out = String::from(
        "| rule | what it checks | default severity | category | since |\n|---|---|---|---|---|\n",
    );
    for rule in ALL {
        let meta = rule.meta();
        out.push_str(&format!(
            "| [`{id}`](#{id}) | {summary} | {severity} | {category} | {since} |\n",
            id = meta.id,
            summary = meta.summary,
            severity = meta.default_severity,
            category = meta.category,
            since = meta.since,
        ));
    }
    out
}

/// The README's list of catalogued products, from the catalogue itself.
pub fn products_list() -> String {
    let products: Vec<String> = sidecar_guard::catalogued_products()
        .map(|(id, name)| {
            if id == name {
                format!("`{id}`")
            } else {
                format!("`{id}` ({name})")
            }
        })
        .collect();
    format!(
        "The built-in catalogue ([`src/sidecars/catalogue.rs`](src/sidecars/catalogue.rs)) knows {} products: {}.\n",
        products.len(),
        products.join(", ")
    )
}

/// Every rule's documentation, as README sections.
pub fn rules_reference() -> String {
    let mut out = String::new();
    for rule in ALL {
        let meta = rule.meta();
        out.push_str(&format!(
            "### `{}`\n\n*{}* — default `{}`.\n\n",
            meta.id, meta.summary, meta.default_severity
        ));
        // Demote the doc's own headings below the rule's.
        for line in meta.docs_markdown().lines() {
            match line.strip_prefix("## ") {
                Some(heading) => out.push_str(&format!("#### {heading}\n")),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out.push('\n');
    }
    out
}

/// The text between `<!-- BEGIN name -->` and `<!-- END name -->`.
pub fn section(document: &str, name: &str) -> Option<String> {
    let begin = format!("<!-- BEGIN {name} -->\n");
    let start = document.find(&begin)? + begin.len();
    let stop = start
        + document
            .get(start..)?
            .find(&format!("<!-- END {name} -->"))?;
    document.get(start..stop).map(str::to_string)
}

/// Replaces the text between `<!-- BEGIN name -->` and `<!-- END name -->`.
pub fn replace_section(document: &str, name: &str, content: &str) -> Option<String> {
    let begin = format!("<!-- BEGIN {name} -->\n");
    let end = format!("<!-- END {name} -->");
    let start = document.find(&begin)? + begin.len();
    let stop = start + document.get(start..)?.find(&end)?;
    Some(format!(
        "{}{}{}",
        document.get(..start)?,
        content,
        document.get(stop..)?
    ))
}

/// The settings reference table, walked from the generated schema: every key with its
/// type, default and description.
pub fn settings_reference() -> String {
    let schema = sidecar_guard::settings::json_schema();
    let mut out = String::from("| key | type | default | description |\n|---|---|---|---|\n");
    for leaf in leaves(&schema) {
        let kind = match &leaf.fields {
            Some(fields) => format!("object: {}", fields.join(", ")),
            None => type_label(&schema, leaf.property),
        };
        let default = leaf.default().map(|d| format!("`{d}`")).unwrap_or_default();
        out.push_str(&format!(
            "| `{}` | {kind} | {default} | {} |\n",
            leaf.key,
            leaf.description().replace('|', "\\|")
        ));
    }
    out
}

/// Follows a `$ref`, and looks through `anyOf: [X, null]` (an optional field) to X.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let schema = match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(pointer) => root.pointer(pointer).unwrap_or(schema),
        None => schema,
    };
    if let Some(Value::Array(branches)) = schema.get("anyOf") {
        let non_null: Vec<&Value> = branches
            .iter()
            .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if let [only] = non_null.as_slice() {
            return resolve(root, only);
        }
    }
    schema
}

fn type_label(root: &Value, schema: &Value) -> String {
    let schema = resolve(root, schema);
    if let Some(Value::Array(options)) = schema.get("enum") {
        return options
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    if let Some(Value::Array(branches)) = schema.get("oneOf").or_else(|| schema.get("anyOf")) {
        let constants: Vec<&str> = branches
            .iter()
            .filter_map(|b| resolve(root, b).get("const").and_then(Value::as_str))
            .collect();
        if !constants.is_empty() {
            return constants.join(" \\| ");
        }
    }
    if let Some(format) = schema
        .get("format")
        .and_then(Value::as_str)
        .filter(|f| sidecar_guard::settings::check_format(f, "").is_some())
    {
        return format.to_string();
    }
    match schema.get("type") {
        Some(Value::String(t)) if t == "array" => format!(
            "list of {}",
            schema
                .get("items")
                .map(|i| type_label(root, i))
                .unwrap_or_default()
        ),
        Some(Value::String(t)) if t == "object" => match schema.get("additionalProperties") {
            Some(extra @ Value::Object(_)) => format!("map of {}", type_label(root, extra)),
            _ => "object".to_string(),
        },
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" \\| "),
        _ => "any".to_string(),
    }
}

/// One settable key of the settings schema.
pub struct Leaf<'a> {
    /// Dotted path (`rules.container-resources.limits`).
    pub key: String,
    /// The property as written (description, default).
    pub property: &'a Value,
    /// The property's schema with `$ref` and optionality resolved.
    pub target: &'a Value,
    /// For deep objects shown as one key (probe bounds): their field names.
    pub fields: Option<Vec<String>>,
    /// The enclosing object's default for this key, when it sets one: a type used in
    /// several places (the probes of each role) has different defaults in each.
    pub inherited_default: Option<&'a Value>,
}

impl Leaf<'_> {
    pub fn description(&self) -> String {
        self.property
            .get("description")
            .or_else(|| self.target.get("description"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .replace('\n', " ")
    }

    pub fn default(&self) -> Option<&Value> {
        self.inherited_default
            .or_else(|| self.property.get("default"))
    }
}

/// Every settable key, depth-first in schema order; objects deeper than three levels
/// (probe bounds per kind) are one leaf that names their fields.
pub fn leaves(root: &Value) -> Vec<Leaf<'_>> {
    let mut out = Vec::new();
    collect_leaves(root, root, "", 0, None, &mut out);
    out
}

fn collect_leaves<'a>(
    root: &'a Value,
    schema: &'a Value,
    prefix: &str,
    depth: usize,
    defaults: Option<&'a Value>,
    out: &mut Vec<Leaf<'a>>,
) {
    let schema = resolve(root, schema);
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, property) in properties {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let target = resolve(root, property);
        let inherited_default = defaults.and_then(|d| d.get(name));
        match target.get("properties").and_then(Value::as_object) {
            Some(fields) if depth >= 3 => out.push(Leaf {
                key,
                property,
                target,
                fields: Some(fields.keys().cloned().collect()),
                inherited_default,
            }),
            Some(_) => {
                let own = inherited_default.or_else(|| property.get("default"));
                collect_leaves(root, property, &key, depth + 1, own, out)
            }
            None => out.push(Leaf {
                key,
                property,
                target,
                fields: None,
                inherited_default,
            }),
        }
    }
}

/// Where the policy is published (OCI registry) and its source lives.
pub const POLICY_IMAGE: &str = "ghcr.io/sidecar-guard/policies/sidecar-guard";
pub const SOURCE_URL: &str = "https://github.com/sidecar-guard/sidecar-guard";
/// `name <email>`: kwctl reads the author as an RFC 5322 address list for Artifact Hub's
/// maintainers.
pub const AUTHOR: &str = "sidecar-guard developers <maintainers@sidecar-guard.io>";
pub const CATEGORY: &str = "Best practices";
pub const SEVERITY: &str = "medium";
pub const KEYWORDS: &[&str] = &[
    "sidecar",
    "multi-container",
    "resources",
    "probes",
    "native sidecar",
    "logging",
    "admin port",
];
/// Where Kubewarden's docs say how to install kwctl (its old repository moved into the
/// controller monorepo; kwctl's own scaffold links this page).
pub const KWCTL_INSTALL_URL: &str = "https://docs.kubewarden.io/howtos/install-kwctl";

/// The admission rules: every pod-carrying resource, plus `pods/ephemeralcontainers` so
/// `kubectl debug` cannot add a container around the policy.
pub fn admission_rules() -> Value {
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for (group, resource) in sidecar_guard::input::pod_carrying_resources() {
        let resources = match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, resources)) => resources,
            None => {
                groups.push((group, Vec::new()));
                match groups.last_mut() {
                    Some((_, resources)) => resources,
                    None => continue,
                }
            }
        };
        resources.push(resource.to_string());
        if resource == "pods" {
            resources.push("pods/ephemeralcontainers".to_string());
        }
    }
    Value::Array(
        groups
            .into_iter()
            .map(|(group, resources)| json!({"apiGroups": [group], "apiVersions": ["v1"], "resources": resources, "operations": ["CREATE", "UPDATE"]}))
            .collect(),
    )
}

/// The mutating manifest's rules: Pods (and the ephemeral containers `kubectl debug`
/// adds) only, from the same list.
pub fn pod_rules() -> Value {
    let mut rules = admission_rules();
    if let Value::Array(groups) = &mut rules {
        groups.retain(|g| g["apiGroups"] == json!([""]));
        for group in groups.iter_mut() {
            if let Value::Array(resources) = &mut group["resources"] {
                resources.retain(|r| r.as_str().is_some_and(|r| r.starts_with("pods")));
            }
        }
    }
    rules
}

/// The kinds the policy judges, for Artifact Hub.
fn resources_annotation() -> String {
    sidecar_guard::input::pod_carrying_kinds()
        .collect::<Vec<_>>()
        .join(", ")
}

/// The policy's one-paragraph description: the rules' summaries, from the registry.
fn description() -> String {
    let summaries: Vec<&str> = ALL.iter().map(|r| r.meta().summary).collect();
    format!(
        "Checks Pods and every workload with a pod template against the sidecar pattern's best practices: {}.",
        summaries.join("; ")
    )
}

/// The cluster resources the policy reads through the host (`clusterContext`): the
/// ConfigMaps its config-reading sidecars mount. policy-server grants a policy only the
/// resources both its metadata and its (Cluster)AdmissionPolicy list.
pub fn context_aware_resources() -> Value {
    json!([{"apiVersion": "v1", "kind": "ConfigMap"}])
}

/// `policies/metadata.yml` (Kubewarden's policy metadata), with the README's usage text.
pub fn metadata(usage: &str) -> Value {
    json!({
        "rules": admission_rules(),
        // It can mutate (the `mutate` setting): policy-server refuses a mutation from a
        // policy whose metadata says it cannot. Only `policies/mutating.yaml` lets it.
        "mutating": true,
        "contextAwareResources": context_aware_resources(),
        "executionMode": "kubewarden-wapc",
        "backgroundAudit": true,
        "annotations": {
            "io.artifacthub.displayName": "Sidecar Guard",
            "io.artifacthub.resources": resources_annotation(),
            "io.artifacthub.keywords": KEYWORDS.join(", "),
            "io.kubewarden.policy.title": "sidecar-guard",
            "io.kubewarden.policy.version": env!("CARGO_PKG_VERSION"),
            "io.kubewarden.policy.description": description(),
            "io.kubewarden.policy.author": AUTHOR,
            "io.kubewarden.policy.ociUrl": POLICY_IMAGE,
            "io.kubewarden.policy.url": SOURCE_URL,
            "io.kubewarden.policy.source": SOURCE_URL,
            "io.kubewarden.policy.license": "Apache-2.0",
            "io.kubewarden.policy.category": CATEGORY,
            "io.kubewarden.policy.severity": SEVERITY,
            "io.kubewarden.policy.usage": usage,
        }
    })
}

/// Rancher's questions UI for the settings, one question per settable key.
pub fn questions() -> Value {
    let schema = sidecar_guard::settings::json_schema();
    let mut questions = Vec::new();
    for leaf in leaves(&schema) {
        let group = match leaf.key.split('.').collect::<Vec<_>>().as_slice() {
            ["rules", rule, ..] => format!("Rule {rule}"),
            _ => "General".to_string(),
        };
        let mut push = |variable: String,
                        label: String,
                        kind: Value,
                        description: String,
                        default: Option<&Value>| {
            let mut question = json!({"variable": variable, "label": label, "description": description, "group": group, "required": false});
            if let (Some(map), Value::Object(extra)) = (question.as_object_mut(), kind) {
                map.extend(extra);
                if let Some(default) = default {
                    map.insert("default".to_string(), default.clone());
                }
            }
            questions.push(question);
        };
        let label = leaf.key.rsplit('.').next().unwrap_or_default().to_string();
        if let (Some(fields), false) = (&leaf.fields, leaf.key.contains("container-probes")) {
            // Per-role values deeper down (container-resources' fill-in defaults): one
            // question per field, of the field's own type.
            for field in fields {
                let schema_of = leaf.target.pointer(&format!("/properties/{field}"));
                push(
                    format!("{}.{field}", leaf.key),
                    format!("{label} {field}"),
                    question_type(&schema, schema_of.unwrap_or(&Value::Null)),
                    format!("{field} a fix writes for {label} containers"),
                    None,
                );
            }
            continue;
        }
        if let Some(fields) = &leaf.fields {
            // Probe bounds: one integer question per field and end.
            for field in fields {
                for end in ["min", "max"] {
                    push(
                        format!("{}.{field}.{end}", leaf.key),
                        format!("{label} {field} {end}"),
                        json!({"type": "int"}),
                        format!("{} probes: {end} {field}", label),
                        None,
                    );
                }
            }
            continue;
        }
        push(
            leaf.key.clone(),
            label,
            question_type(&schema, leaf.target),
            leaf.description(),
            leaf.default(),
        );
    }
    json!({"questions": questions})
}

fn question_type(root: &Value, target: &Value) -> Value {
    let enum_options = |schema: &Value| -> Option<Vec<Value>> {
        let schema = resolve(root, schema);
        if let Some(Value::Array(options)) = schema.get("enum") {
            return Some(options.iter().filter(|o| o.is_string()).cloned().collect());
        }
        let branches = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))?
            .as_array()?;
        let constants: Vec<Value> = branches
            .iter()
            .filter_map(|b| resolve(root, b).get("const").cloned())
            .collect();
        (!constants.is_empty()).then_some(constants)
    };
    if let Some(options) = enum_options(target) {
        return json!({"type": "enum", "options": options});
    }
    match target.get("type").and_then(Value::as_str) {
        Some("boolean") => json!({"type": "boolean"}),
        Some("integer") => json!({"type": "int"}),
        Some("array") => {
            let items = target
                .get("items")
                .map(|i| resolve(root, i))
                .unwrap_or(&Value::Null);
            match items.get("properties").and_then(Value::as_object) {
                Some(fields) => json!({
                    "type": "sequence[",
                    "sequence_questions": fields.iter().map(|(name, field)| {
                        let mut question = json!({"variable": name, "label": name, "required": true});
                        if let (Some(map), Value::Object(extra)) = (question.as_object_mut(), question_type(root, resolve(root, field))) {
                            map.extend(extra);
                        }
                        question
                    }).collect::<Vec<_>>(),
                }),
                None => json!({"type": "array[", "value_multiline": false}),
            }
        }
        Some("object") => json!({"type": "map["}),
        _ => json!({"type": "string"}),
    }
}

/// `artifacthub-pkg.yml`, in the format Kubewarden's published policies use.
pub fn artifacthub_package(usage: &str) -> Value {
    let metadata = metadata(usage);
    let annotation = |key: &str| {
        metadata["annotations"][key]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let version = annotation("io.kubewarden.policy.version");
    let image = format!("{}:v{version}", annotation("io.kubewarden.policy.ociUrl"));
    let source = annotation("io.kubewarden.policy.source");
    let keywords: Vec<&str> = KEYWORDS.to_vec();
    let (name, email) = AUTHOR
        .split_once(" <")
        .map_or((AUTHOR, ""), |(name, rest)| {
            (name, rest.trim_end_matches('>'))
        });
    let mut annotations = json!({
        "kubewarden/mutation": metadata["mutating"].to_string(),
        "kubewarden/resources": annotation("io.artifacthub.resources"),
        "kubewarden/rules": to_yaml(&metadata["rules"]),
        "kubewarden/questions-ui": to_yaml(&questions()),
    });
    // kwctl writes the context-aware resources only when there are some.
    let context_aware = &metadata["contextAwareResources"];
    if context_aware.as_array().is_some_and(|r| !r.is_empty()) {
        annotations["kubewarden/contextAwareResources"] = to_yaml(context_aware).into();
    }
    json!({
        "version": version,
        "name": annotation("io.kubewarden.policy.title"),
        "displayName": annotation("io.artifacthub.displayName"),
        "createdAt": "2026-11-24T00:00:00Z",
        "description": annotation("io.kubewarden.policy.description"),
        "license": annotation("io.kubewarden.policy.license"),
        "homeURL": annotation("io.kubewarden.policy.url"),
        "containersImages": [{"name": "policy", "image": image}],
        "keywords": keywords,
        "links": [
            {"name": "policy", "url": format!("{source}/releases/download/v{version}/policy.wasm")},
            {"name": "source", "url": source},
        ],
        "install": format!("The policy can be obtained using [kwctl]({KWCTL_INSTALL_URL}):\n```console\nkwctl pull {image}\n```\nThen, generate the policy manifest and tune it to your liking. For example:\n```console\nkwctl scaffold manifest -t ClusterAdmissionPolicy registry://{image}\n```\n"),
        "maintainers": [{"name": name, "email": email}],
        "provider": {"name": "kubewarden"},
        "recommendations": [{"url": "https://artifacthub.io/packages/helm/kubewarden/kubewarden-controller"}],
        "annotations": annotations,
        "readme": usage,
    })
}

/// The ready-to-apply ClusterAdmissionPolicy manifests: (file stem, manifest).
pub fn cluster_policies() -> Vec<(&'static str, Value)> {
    let version = env!("CARGO_PKG_VERSION");
    let strict_rules: serde_json::Map<String, Value> = ALL
        .iter()
        .map(|r| (r.meta().id.to_string(), json!({"severity": "deny"})))
        .collect();
    let policy = |name: &str, mode: &str, mutating: bool, settings: Value, note: &str| {
        let rules = if mutating {
            pod_rules()
        } else {
            admission_rules()
        };
        json!({
            "apiVersion": "policies.kubewarden.io/v1",
            "kind": "ClusterAdmissionPolicy",
            "metadata": {
                "name": format!("sidecar-guard-{name}"),
                "annotations": {
                    "io.kubewarden.policy.title": "sidecar-guard",
                    "io.kubewarden.policy.description": note,
                    // As `kwctl scaffold manifest` copies them from the metadata.
                    "io.kubewarden.policy.severity": SEVERITY,
                    "io.kubewarden.policy.category": CATEGORY,
                },
            },
            "spec": {
                "module": format!("registry://{POLICY_IMAGE}:v{version}"),
                "mode": mode,
                "mutating": mutating,
                "backgroundAudit": true,
                "rules": rules,
                "contextAwareResources": context_aware_resources(),
                // System namespaces run the cluster's own pods; judge them with a policy of their own.
                "namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system", "kubewarden"]}]},
                "settings": settings,
            }
        })
    };
    vec![
        ("baseline", policy("baseline", "protect", false, json!({}), "The default rules and severities: deny findings reject, warnings are shown.")),
        (
            "strict",
            policy("strict", "protect", false, json!({"allowIgnoreAnnotation": false, "rules": strict_rules}), "Every finding rejects, and workloads cannot exempt themselves."),
        ),
        ("audit", policy("audit", "monitor", false, json!({}), "The default rules in monitor mode: nothing is rejected, findings reach the audit reports and logs.")),
        // Pods only: a workload mutated at admission differs from what GitOps tools
        // applied (drift); its Pods carry the fixes all the same.
        (
            "mutating",
            policy("mutating", "protect", true, json!({"mutate": true}), "The default rules, Pods fixed at admission with the safe fixes: what the fixes resolve is accepted, what remains is rejected."),
        ),
    ]
}

/// A small YAML emitter for generated files: block style, strings quoted whenever a
/// YAML 1.1 reader could take them for anything else.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    emit(value, 0, &mut out);
    out
}

fn scalar(value: &Value, indent: usize) -> String {
    match value {
        Value::String(s) if s.contains('\n') => {
            let pad = " ".repeat(indent + 2);
            let body: Vec<String> = s
                .trim_end_matches('\n')
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        String::new()
                    } else {
                        format!("{pad}{l}")
                    }
                })
                .collect();
            format!("|\n{}", body.join("\n"))
        }
        Value::String(s) if is_plain_safe(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_plain_safe(s: &str) -> bool {
    const RESERVED: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ];
    let first = s.chars().next();
    !s.is_empty()
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str())
        && first.is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '_')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.ends_with(' ')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " ./_-+,()'".contains(c))
}

fn key(k: &str) -> String {
    if is_plain_safe(k) && !k.contains(' ') {
        k.to_string()
    } else {
        Value::String(k.to_string()).to_string()
    }
}

fn emit(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Object(m) if !m.is_empty() => {
                        out.push_str(&format!("{pad}{}:\n", key(k)));
                        emit(v, indent + 2, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}{}:\n", key(k)));
                        emit(v, indent + 2, out);
                    }
                    Value::Object(_) => out.push_str(&format!("{pad}{}: {{}}\n", key(k))),
                    Value::Array(_) => out.push_str(&format!("{pad}{}: []\n", key(k))),
                    _ => out.push_str(&format!("{pad}{}: {}\n", key(k), scalar(v, indent))),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(m) if !m.is_empty() || matches!(item, Value::Array(_)) => {
                        let mut nested = String::new();
                        emit(item, indent + 2, &mut nested);
                        // The first line of the item goes after the dash.
                        out.push_str(&format!("{pad}- {}", nested.trim_start()));
                    }
                    Value::Array(a) if !a.is_empty() => {
                        let mut nested = String::new();
                        emit(item, indent + 2, &mut nested);
                        out.push_str(&format!("{pad}- {}", nested.trim_start()));
                    }
                    _ => out.push_str(&format!(
                        "{pad}- {}\n",
                        match item {
                            Value::Object(_) => "{}".to_string(),
                            Value::Array(_) => "[]".to_string(),
                            other => scalar(other, indent),
                        }
                    )),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other, indent))),
    }
}

/// `wasm/index.d.ts`: the npm module's types, from the registry, the report enums and the
/// settings schema.
pub fn typescript_declarations() -> String {
    let union = |values: Vec<String>| {
        values
            .iter()
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let rule_ids = union(ALL.iter().map(|r| r.meta().id.to_string()).collect());
    let schema = sidecar_guard::settings::json_schema();
    let mut settings = String::new();
    settings.push_str(&ts_doc(&schema, ""));
    settings.push_str(&format!(
        "export interface Settings {}\n",
        ts_object(&schema, &schema, "")
    ));
    if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
        for (name, def) in defs {
            settings.push('\n');
            settings.push_str(&ts_doc(def, ""));
            if def.get("properties").is_some() {
                settings.push_str(&format!(
                    "export interface {name} {}\n",
                    ts_object(&schema, def, "")
                ));
            } else {
                settings.push_str(&format!(
                    "export type {name} = {};\n",
                    ts_type(&schema, def)
                ));
            }
        }
    }
    let reports = report_declarations();
    format!(
        r#"// Generated by `cargo xtask codegen` from the rule registry, the report types and the
// settings types: edit those, not this file.

/** A rule id. */
export type RuleId = {rule_ids};
/** Findings about the exemption annotation itself use this id. */
export type FindingRule = RuleId | "ignore-annotation";
{reports}
export interface RuleInfo {{
  id: RuleId;
  summary: string;
  defaultSeverity: Severity;
  category: string;
  since: string;
  /** Markdown: What it does / Why is this bad? / Example / Use instead / Fix / Options / References. */
  docs: string;
}}

export interface SettingsError {{
  /** JSON pointer of the offending key or value. */
  pointer: string;
  message: string;
}}

/**
 * Validates manifests: YAML or JSON text (one or many documents) or a Kubernetes object.
 * Settings: YAML/JSON text or an object; omitted means the defaults.
 * Throws an Error naming the problem when a document or the settings cannot be read.
 */
export function validate(input: string | object, settings?: string | Settings | null): Report[];
export interface FixOptions {{
  /** Apply the unsafe fixes too (they change behaviour: review them). */
  unsafe?: boolean;
}}

export interface FixResult<T> {{
  /** The fixed text (only what the fixes change is rewritten) or a fixed copy of the object. */
  output: T;
  /** The fixes applied, in the order they were. */
  applied: AppliedFix[];
  /** The reports on the fixed input: what remains. */
  reports: Report[];
}}

/**
 * Applies the findings' fixes (safe ones; unsafe ones too with `{{ unsafe: true }}`), pass
 * after pass until none is left, and checks again. Text in, text out: comments, key order,
 * quoting and flow style of everything unchanged stay as written. An object in gives a
 * fixed copy. Throws as `validate` does.
 */
export function fix(input: string, settings?: string | Settings | null, options?: FixOptions): FixResult<string>;
export function fix<T extends object>(input: T, settings?: string | Settings | null, options?: FixOptions): FixResult<T>;
/** Every problem with the settings, each with its JSON pointer; empty when valid. */
export function validateSettings(settings: string | Settings | object | null | undefined): SettingsError[];
/** Every rule of the registry. */
export function rules(): RuleInfo[];

{settings}"#
    )
}

/// The report types as the wire carries them (`Report`'s serde derive, read in
/// serialisation mode: a field is optional exactly when it is skipped when empty).
pub fn report_declarations() -> String {
    let mut schema = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<sidecar_guard::Report>()
        .to_value();
    if let Some(rule) = schema.pointer_mut("/$defs/Finding/properties/rule") {
        *rule = json!({"$ref": "#/$defs/FindingRule", "description": "Rule id, or `ignore-annotation` for problems with the exemption annotation itself."});
    }
    let mut out = String::new();
    if let Some(defs) = schema.get("$defs").and_then(Value::as_object) {
        for (name, def) in defs {
            out.push_str(&declaration(&schema, name, &wire_shape(def)));
            out.push('\n');
        }
    }
    out.push_str(&declaration(&schema, "Report", &wire_shape(&schema)));
    let applied = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<sidecar_guard::fix::AppliedFix>()
        .to_value();
    out.push('\n');
    out.push_str(&declaration(&applied, "AppliedFix", &wire_shape(&applied)));
    out
}

/// One `export interface` or `export type`, with its doc comment.
fn declaration(root: &Value, name: &str, schema: &Value) -> String {
    let body = if schema.get("properties").is_some() {
        format!("export interface {name} {}\n", ts_object(root, schema, ""))
    } else {
        format!("export type {name} = {};\n", ts_type(root, schema))
    };
    format!("{}{body}", ts_doc(schema, ""))
}

/// An optional wire field is left out when empty, never null: its type drops `null`.
fn wire_shape(schema: &Value) -> Value {
    let mut schema = schema.clone();
    let required: Vec<Value> = schema
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, property) in properties.iter_mut() {
            if required.contains(&Value::String(name.clone())) {
                continue;
            }
            if let Some(Value::Array(types)) = property.get_mut("type") {
                types.retain(|t| t != "null");
            }
        }
    }
    schema
}

fn ts_doc(schema: &Value, indent: &str) -> String {
    match schema.get("description").and_then(Value::as_str) {
        Some(text) => format!(
            "{indent}/** {} */\n",
            text.replace("*/", "*\\/").replace('\n', " ")
        ),
        None => String::new(),
    }
}

fn ts_object(root: &Value, schema: &Value, indent: &str) -> String {
    let mut out = String::from("{\n");
    let inner = format!("{indent}  ");
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            out.push_str(&ts_doc(property, &inner));
            let key = if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                name.clone()
            } else {
                format!("{name:?}")
            };
            let optional = if required.contains(&name.as_str()) {
                ""
            } else {
                "?"
            };
            out.push_str(&format!(
                "{inner}{key}{optional}: {};\n",
                ts_type(root, property)
            ));
        }
    }
    out.push_str(indent);
    out.push('}');
    out
}

fn ts_type(root: &Value, schema: &Value) -> String {
    if let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        return name.to_string();
    }
    if let Some(Value::Array(options)) = schema.get("enum") {
        return options
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(" | ");
    }
    if let Some(constant) = schema.get("const") {
        return constant.to_string();
    }
    if let Some(Value::Array(branches)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        return branches
            .iter()
            .map(|b| ts_type(root, b))
            .collect::<Vec<_>>()
            .join(" | ");
    }
    let single = |t: &str| -> String {
        match t {
            "string" => "string".to_string(),
            "integer" | "number" => "number".to_string(),
            "boolean" => "boolean".to_string(),
            "null" => "null".to_string(),
            "array" => match schema.get("items") {
                Some(items) => {
                    let inner = ts_type(root, items);
                    if inner.contains(' ') {
                        format!("({inner})[]")
                    } else {
                        format!("{inner}[]")
                    }
                }
                None => "unknown[]".to_string(),
            },
            "object" => match schema.get("additionalProperties") {
                Some(extra @ Value::Object(_)) => {
                    format!("{{ [name: string]: {} }}", ts_type(root, extra))
                }
                _ if schema.get("properties").is_some() => ts_object(root, schema, ""),
                _ => "Record<string, unknown>".to_string(),
            },
            _ => "unknown".to_string(),
        }
    };
    match schema.get("type") {
        Some(Value::String(t)) => single(t),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .map(single)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "unknown".to_string(),
    }
}
