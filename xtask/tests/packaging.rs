//! Kubewarden packaging: metadata.yml, artifacthub-pkg.yml and the ClusterAdmissionPolicy
//! manifests are what codegen makes of the registry, the settings and the README, and
//! they say what the engine does.

use std::path::PathBuf;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
use serde_json::{json, Value};
use sidecar_guard::Settings;
use xtask::{self as generated, admission_rules, cluster_policies};

fn load_yaml(relative: &str) -> Value {
    let text = std::fs::read_to_string(repo_root().join(relative))
        .unwrap_or_else(|e| panic!("{relative}: {e}"));
    let mut docs = sidecar_guard::input::yaml::parse_stream(&text, Default::default());
    assert_eq!(docs.len(), 1, "{relative}: one document");
    docs.remove(0)
        .unwrap_or_else(|e| panic!("{relative}: {e}"))
        .value
}

fn usage() -> String {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    generated::section(&readme, "policy-usage").expect("README has the policy-usage section")
}

#[test]
fn generated_files_are_fresh_and_read_back_to_what_was_generated() {
    assert_eq!(
        load_yaml("policies/metadata.yml"),
        generated::metadata(&usage()),
        "policies/metadata.yml is stale: run `cargo xtask codegen`"
    );
    assert_eq!(
        load_yaml("artifacthub-pkg.yml"),
        generated::artifacthub_package(&usage()),
        "artifacthub-pkg.yml is stale: run `cargo xtask codegen`"
    );
    for (name, manifest) in cluster_policies() {
        assert_eq!(
            load_yaml(&format!("policies/{name}.yaml")),
            manifest,
            "policies/{name}.yaml is stale"
        );
    }
}

#[test]
fn metadata_has_kubewardens_fields() {
    let metadata = load_yaml("policies/metadata.yml");
    // It can mutate (the `mutate` setting); only the mutating manifest lets it.
    assert_eq!(metadata["mutating"], true);
    // The ConfigMaps its config-reading sidecars mount, and nothing else.
    assert_eq!(
        metadata["contextAwareResources"],
        json!([{"apiVersion": "v1", "kind": "ConfigMap"}])
    );
    assert_eq!(metadata["executionMode"], "kubewarden-wapc");
    assert_eq!(metadata["backgroundAudit"], true);
    let resources: Vec<String> = metadata["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .flat_map(|r| r["resources"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r.as_str().map(str::to_string))
        .collect();
    for resource in [
        "pods",
        "pods/ephemeralcontainers",
        "replicationcontrollers",
        "deployments",
        "replicasets",
        "statefulsets",
        "daemonsets",
        "jobs",
        "cronjobs",
        "podtemplates",
    ] {
        assert!(
            resources.iter().any(|r| r == resource),
            "metadata rules lack {resource}"
        );
    }
    for rule in metadata["rules"].as_array().expect("rules") {
        assert_eq!(rule["operations"], json!(["CREATE", "UPDATE"]));
    }
    let annotations = &metadata["annotations"];
    assert_eq!(
        annotations["io.kubewarden.policy.version"],
        env!("CARGO_PKG_VERSION")
    );
    let usage_text = annotations["io.kubewarden.policy.usage"]
        .as_str()
        .expect("usage");
    for rule in sidecar_guard::rules::ids() {
        assert!(usage_text.contains(rule), "usage text names {rule}");
    }
}

/// What `kwctl scaffold artifacthub` (Kubewarden's `ArtifactHubPkg::from_metadata`)
/// requires of the metadata's annotations: a semver version; a title, display name and
/// description; an OCI URL that, with `:v<version>`, is an image reference; keywords as a
/// comma-separated list with no empty word; the author as RFC 5322 addresses
/// (`name <email>`); source and home URLs.
#[test]
fn metadata_carries_what_kwctl_scaffold_artifacthub_requires() {
    let metadata = load_yaml("policies/metadata.yml");
    let annotation = |key: &str| {
        metadata["annotations"][key]
            .as_str()
            .unwrap_or_else(|| panic!("metadata.yml lacks the annotation {key}"))
            .to_string()
    };
    let version = annotation("io.kubewarden.policy.version");
    let parts: Vec<&str> = version.split('.').collect();
    assert!(
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())),
        "version {version:?} is not semver"
    );
    for key in [
        "io.kubewarden.policy.title",
        "io.artifacthub.displayName",
        "io.kubewarden.policy.description",
    ] {
        assert!(!annotation(key).trim().is_empty(), "{key} is empty");
    }
    let oci_url = annotation("io.kubewarden.policy.ociUrl");
    let (registry, repository) = oci_url.split_once('/').expect("registry/repository");
    assert!(
        registry.contains('.'),
        "{oci_url}: the registry is a host name"
    );
    assert!(
        !repository.is_empty()
            && repository.split('/').all(|part| !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))),
        "{oci_url}: repository path components are lowercase [a-z0-9._-]"
    );
    assert!(
        !oci_url.contains(':') && !oci_url.contains('@'),
        "{oci_url}: no tag or digest (kwctl appends :v<version>)"
    );
    let keywords = annotation("io.artifacthub.keywords");
    assert!(
        keywords.split(',').all(|k| !k.trim().is_empty()),
        "keywords {keywords:?} have an empty word"
    );
    let author = annotation("io.kubewarden.policy.author");
    for address in author.split(',') {
        let (name, rest) = address
            .trim()
            .split_once(" <")
            .unwrap_or_else(|| panic!("author {address:?} is not `name <email>`"));
        let email = rest
            .strip_suffix('>')
            .unwrap_or_else(|| panic!("author {address:?} does not end in >"));
        let (local, domain) = email
            .split_once('@')
            .unwrap_or_else(|| panic!("{email:?} is not an email address"));
        assert!(
            !name.trim().is_empty() && !local.is_empty() && domain.contains('.'),
            "{address:?}"
        );
    }
    for key in ["io.kubewarden.policy.source", "io.kubewarden.policy.url"] {
        assert!(
            annotation(key).starts_with("https://"),
            "{key} is an https URL"
        );
    }
    if let Some(hidden) = metadata["annotations"].get("io.kubewarden.hidden-ui") {
        assert!(
            hidden == "true" || hidden == "false",
            "hidden-ui is a boolean string"
        );
    }
}

/// `artifacthub-pkg.yml` says what kwctl would derive from `metadata.yml`.
#[test]
fn artifacthub_package_agrees_with_the_metadata() {
    let package = load_yaml("artifacthub-pkg.yml");
    let metadata = load_yaml("policies/metadata.yml");
    let annotation = |key: &str| {
        metadata["annotations"][key]
            .as_str()
            .expect(key)
            .to_string()
    };
    let version = annotation("io.kubewarden.policy.version");
    let image = format!("{}:v{version}", annotation("io.kubewarden.policy.ociUrl"));
    assert_eq!(package["name"], annotation("io.kubewarden.policy.title"));
    assert_eq!(
        package["displayName"],
        annotation("io.artifacthub.displayName")
    );
    assert_eq!(
        package["description"],
        annotation("io.kubewarden.policy.description")
    );
    assert_eq!(
        package["license"],
        annotation("io.kubewarden.policy.license")
    );
    assert_eq!(package["homeURL"], annotation("io.kubewarden.policy.url"));
    assert_eq!(
        package["containersImages"],
        json!([{"name": "policy", "image": image}])
    );
    let keywords: Vec<String> = annotation("io.artifacthub.keywords")
        .split(',')
        .map(|k| k.trim().to_string())
        .collect();
    assert_eq!(
        package["keywords"],
        json!(keywords),
        "the two files' keywords agree"
    );
    let (name, email) = annotation("io.kubewarden.policy.author")
        .split_once(" <")
        .map(|(n, e)| (n.to_string(), e.trim_end_matches('>').to_string()))
        .expect("name <email>");
    assert_eq!(
        package["maintainers"],
        json!([{"name": name, "email": email}])
    );
    let source = annotation("io.kubewarden.policy.source");
    assert_eq!(
        package["links"],
        json!([
            {"name": "policy", "url": format!("{source}/releases/download/v{version}/policy.wasm")},
            {"name": "source", "url": source},
        ])
    );
    let install = package["install"].as_str().expect("install");
    assert!(
        install.contains(&format!("kwctl pull {image}")),
        "{install}"
    );
    assert!(
        install.contains("https://docs.kubewarden.io/howtos/install-kwctl"),
        "{install}"
    );
    assert!(
        !install.contains("github.com/kubewarden/kwctl"),
        "kwctl's old repository"
    );
    // kwctl writes the context-aware resources as a YAML text annotation.
    let context_aware = sidecar_guard::input::yaml::parse_stream(
        package["annotations"]["kubewarden/contextAwareResources"]
            .as_str()
            .expect("kubewarden/contextAwareResources"),
        Default::default(),
    )
    .remove(0)
    .expect("yaml")
    .value;
    assert_eq!(context_aware, metadata["contextAwareResources"]);
    let mut keys: Vec<&str> = package["annotations"]
        .as_object()
        .expect("annotations")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "kubewarden/contextAwareResources",
            "kubewarden/mutation",
            "kubewarden/questions-ui",
            "kubewarden/resources",
            "kubewarden/rules"
        ]
    );
}

/// The manifests carry the severity and category `kwctl scaffold manifest` copies from
/// the metadata.
#[test]
fn manifests_carry_the_metadatas_severity_and_category() {
    let metadata = load_yaml("policies/metadata.yml");
    for (name, _) in cluster_policies() {
        let manifest = load_yaml(&format!("policies/{name}.yaml"));
        for key in [
            "io.kubewarden.policy.severity",
            "io.kubewarden.policy.category",
        ] {
            assert_eq!(
                manifest["metadata"]["annotations"][key], metadata["annotations"][key],
                "policies/{name}.yaml: {key}"
            );
        }
    }
}

#[test]
fn artifacthub_package_matches_metadata_and_settings() {
    let package = load_yaml("artifacthub-pkg.yml");
    let metadata = load_yaml("policies/metadata.yml");
    assert_eq!(
        package["version"],
        metadata["annotations"]["io.kubewarden.policy.version"]
    );
    assert_eq!(package["annotations"]["kubewarden/mutation"], "true");
    assert_eq!(
        package["annotations"]["kubewarden/resources"],
        metadata["annotations"]["io.artifacthub.resources"]
    );
    let parse = |text: &Value| {
        sidecar_guard::input::yaml::parse_stream(
            text.as_str().expect("a YAML string"),
            Default::default(),
        )
        .remove(0)
        .expect("yaml")
        .value
    };
    assert_eq!(
        parse(&package["annotations"]["kubewarden/rules"]),
        metadata["rules"]
    );
    assert_eq!(
        parse(&package["annotations"]["kubewarden/rules"]),
        admission_rules()
    );

    // The questions UI covers every settable key, and what it produces is valid settings.
    let questions = parse(&package["annotations"]["kubewarden/questions-ui"]);
    let questions = questions["questions"].as_array().expect("questions");
    let schema = sidecar_guard::settings::json_schema();
    let variables: Vec<&str> = questions
        .iter()
        .map(|q| q["variable"].as_str().expect("variable"))
        .collect();
    for leaf in generated::leaves(&schema) {
        assert!(
            variables
                .iter()
                .any(|v| *v == leaf.key || v.starts_with(&format!("{}.", leaf.key))),
            "no question for {}",
            leaf.key
        );
    }
    let mut from_defaults = json!({});
    for question in questions {
        let Some(default) = question.get("default") else {
            continue;
        };
        let path: Vec<&str> = question["variable"]
            .as_str()
            .expect("variable")
            .split('.')
            .collect();
        let mut slot = &mut from_defaults;
        for part in path {
            slot = slot
                .as_object_mut()
                .expect("object")
                .entry(part.to_string())
                .or_insert(json!({}));
        }
        *slot = default.clone();
    }
    let settings = Settings::from_value(&from_defaults)
        .unwrap_or_else(|e| panic!("questions' defaults are not valid settings: {e:?}"));
    assert_eq!(
        serde_json::to_value(settings).expect("json"),
        serde_json::to_value(Settings::default()).expect("json")
    );
    // Rancher answers strings for numbers: those settings take them.
    let answers = json!({"rules": {"container-resources": {"sidecarShare": "0.5", "maxLimitRequestRatio": {"cpu": "4"}, "maxLimits": {"memory": "1Gi"}}}});
    Settings::from_value(&answers).expect("string answers are valid settings");
}

#[test]
fn cluster_admission_policies_are_valid_objects() {
    for (name, _) in cluster_policies() {
        let manifest = load_yaml(&format!("policies/{name}.yaml"));
        assert_eq!(manifest["apiVersion"], "policies.kubewarden.io/v1");
        assert_eq!(manifest["kind"], "ClusterAdmissionPolicy");
        assert_eq!(
            manifest["metadata"]["name"],
            format!("sidecar-guard-{name}")
        );
        let spec = &manifest["spec"];
        assert!(
            spec["module"]
                .as_str()
                .expect("module")
                .starts_with("registry://"),
            "{name}"
        );
        let mutating = name == "mutating";
        if mutating {
            // Pods only: a workload mutated at admission is drift to GitOps tools.
            assert_eq!(spec["rules"], xtask::pod_rules(), "{name}: rules");
            let resources: Vec<&Value> = spec["rules"]
                .as_array()
                .expect("rules")
                .iter()
                .flat_map(|r| r["resources"].as_array().into_iter().flatten())
                .collect();
            assert_eq!(
                resources,
                [&json!("pods"), &json!("pods/ephemeralcontainers")]
            );
        } else {
            assert_eq!(spec["rules"], admission_rules(), "{name}: rules");
        }
        // policy-server grants only what the manifest lists too.
        assert_eq!(
            spec["contextAwareResources"],
            json!([{"apiVersion": "v1", "kind": "ConfigMap"}]),
            "{name}"
        );
        assert_eq!(spec["mutating"], mutating, "{name}");
        let expected_mode = if name == "audit" {
            "monitor"
        } else {
            "protect"
        };
        assert_eq!(spec["mode"], expected_mode, "{name}");
        // The settings it carries pass the settings schema through both validators.
        assert!(
            sidecar_guard::settings::validate_with_jsonschema(&spec["settings"]).is_empty(),
            "{name}"
        );
        let settings =
            Settings::from_value(&spec["settings"]).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        // Only a manifest deployed as mutating may ask the policy to mutate: policy-server
        // rejects every request a non-mutating policy answers with a mutation.
        assert_eq!(settings.mutate, mutating, "{name}");
        assert!(
            !settings.mutate_unsafe,
            "{name}: unsafe fixes are the admin's choice"
        );
        if name == "strict" {
            assert!(!settings.allow_ignore_annotation);
            // Every warning denies: a pod that only draws warnings by default is rejected.
            let pod: Value = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"shareProcessNamespace": true, "containers": [{"name": "a", "image": "x", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}, "readinessProbe": {"tcpSocket": {"port": 80}}, "livenessProbe": {"tcpSocket": {"port": 81}}}, {"name": "b", "image": "y", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}, "readinessProbe": {"tcpSocket": {"port": 82}}, "livenessProbe": {"tcpSocket": {"port": 83}}}]}});
            let report = sidecar_guard::check(&pod, &settings)
                .remove(0)
                .expect("report");
            assert!(
                !report.allowed && report.warnings().count() == 0,
                "{report:?}"
            );
            assert!(
                sidecar_guard::check(&pod, &Settings::default())
                    .remove(0)
                    .expect("report")
                    .allowed
            );
        }
    }
}

/// The policy's usage text (README, and from it metadata.yml and artifacthub-pkg.yml) is
/// prose written by hand: it must name every rule of the registry.
#[test]
fn the_policy_usage_names_every_rule() {
    let usage = usage();
    for rule in sidecar_guard::rules::ALL {
        let id = rule.meta().id;
        assert!(
            usage.contains(&format!("`{id}`")),
            "README policy-usage does not name `{id}`"
        );
    }
}
