//! The CLI as a user meets it: exit codes, inputs, output formats, error messages.

mod common;

use common::*;
use serde_json::Value;
use sidecar_guard::rules::ALL;

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sidecar-guard-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const CLEAN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
const DENIED: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: app, image: shop/api:v3}\n";

#[test]
fn exit_codes() {
    assert_eq!(
        run_cli(&["check", "-"], Some(CLEAN.as_bytes()))
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run_cli(&["check", "-"], Some(DENIED.as_bytes()))
            .status
            .code(),
        Some(1)
    );
    let fixed = repo_root().join("examples/fixed");
    assert_eq!(
        run_cli(&["check", &fixed.to_string_lossy()], None)
            .status
            .code(),
        Some(0)
    );
    let examples = repo_root().join("examples");
    assert_eq!(
        run_cli(&["check", &examples.to_string_lossy()], None)
            .status
            .code(),
        Some(1)
    );
    // Usage errors are 2 (clap), as are unknown subcommands and missing paths.
    assert_eq!(run_cli(&["check"], None).status.code(), Some(2));
    assert_eq!(run_cli(&["frobnicate"], None).status.code(), Some(2));
}

#[test]
fn a_bad_document_is_reported_and_the_others_still_checked() {
    let input = format!("{DENIED}---\nkind: Pod\nspec: [\n---\n{CLEAN}");
    let output = run_cli(&["check", "--color", "never", "-"], Some(input.as_bytes()));
    assert_eq!(
        output.status.code(),
        Some(2),
        "syntax errors win over denials"
    );
    let text = stdout(&output);
    assert!(
        text.contains("-:9: error: line 9:"),
        "file:line of the unclosed bracket: {text}"
    );
    assert!(text.contains("rejected Pod p"), "{text}");
    assert!(
        text.contains("skipped 1 object without a pod template: ConfigMap"),
        "{text}"
    );
}

#[test]
fn unreadable_and_hostile_inputs_are_exit_2_with_a_message() {
    let dir = temp_dir("hostile");
    let missing = dir.join("missing.yaml");
    let output = run_cli(&["check", &missing.to_string_lossy()], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stdout(&output).contains("cannot read"),
        "{}",
        stdout(&output)
    );

    let cases: &[(&[u8], &str)] = &[
        (b"\x00\x01\xff\xfebinary", "not UTF-8"),
        (b"", "empty"),
        (b"   \n# only a comment\n", "empty"),
        (b"kind: Pod\n\tspec: {}\n", "error"),
        (b"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n", "no pod spec"),
        (b"apiVersion: v1\nkind: Pod\nspec:\n  containers: {}\n", "/spec/containers: invalid type"),
        (b"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      ports: \"80\"\n", "/spec/containers/0/ports"),
        (b"just a string", "expected a Kubernetes object"),
        (b"a: 1\na: 2\n", "more than once"),
    ];
    for (input, expected) in cases {
        let output = run_cli(&["check", "--color", "never", "-"], Some(input));
        assert_eq!(
            output.status.code(),
            Some(2),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        let all = stdout(&output) + &stderr(&output);
        assert!(
            all.contains(expected),
            "{:?} should say {expected:?}: {all}",
            String::from_utf8_lossy(input)
        );
        assert!(!all.contains("panicked"), "{all}");
    }
    // A 5 MiB document: over the limit, refused with its size.
    let big = format!(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  x: \"{}\"\n",
        "a".repeat(5 * 1024 * 1024)
    );
    let output = run_cli(&["check", "-"], Some(big.as_bytes()));
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).contains("bytes"), "{}", stdout(&output));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn directories_are_searched_for_manifests_only() {
    let dir = temp_dir("walk");
    std::fs::create_dir_all(dir.join("nested/deeper")).expect("dirs");
    std::fs::write(dir.join("a.yaml"), CLEAN).expect("write");
    std::fs::write(dir.join("nested/b.yml"), CLEAN).expect("write");
    std::fs::write(
        dir.join("nested/deeper/c.json"),
        r#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}"#,
    )
    .expect("write");
    std::fs::write(dir.join("nested/README.md"), "not a manifest: [").expect("write");
    let output = run_cli(&["check", "--format", "json", &dir.to_string_lossy()], None);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).expect("json");
    let sources: Vec<&str> = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["source"].as_str().expect("source"))
        .collect();
    assert_eq!(sources.len(), 3, "{sources:?}");
    assert!(
        sources[0].ends_with("a.yaml")
            && sources[1].ends_with("b.yml")
            && sources[2].ends_with("c.json"),
        "{sources:?}"
    );
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).expect("dir");
    let output = run_cli(&["check", &empty.to_string_lossy()], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).contains("no *.yaml"), "{}", stdout(&output));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn invalid_settings_list_every_error_with_pointers() {
    let dir = temp_dir("settings");
    let settings = dir.join("settings.yaml");
    std::fs::write(
        &settings,
        "typo: 1\nrules:\n  container-resources:\n    maxLimits: {cpu: lots}\n  nope: {}\n",
    )
    .expect("write");
    let output = run_cli(
        &["check", "--settings", &settings.to_string_lossy(), "-"],
        Some(CLEAN.as_bytes()),
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    for expected in [
        "/typo: unknown key",
        "/rules/container-resources/maxLimits/cpu: quantity \"lots\"",
        "/rules/nope: unknown key",
    ] {
        assert!(err.contains(expected), "{expected:?} in {err}");
    }
    let output = run_cli(
        &[
            "check",
            "--settings",
            &dir.join("absent.yaml").to_string_lossy(),
            "-",
        ],
        Some(CLEAN.as_bytes()),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read settings file"),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = run_cli(&["check", "-"], Some(DENIED.as_bytes()));
    assert!(!stdout(&plain).contains('\x1b'), "a pipe gets no colour");
    let coloured = run_cli(
        &["check", "--color", "always", "-"],
        Some(DENIED.as_bytes()),
    );
    assert!(
        stdout(&coloured).contains("\x1b[1;31mdeny"),
        "{}",
        stdout(&coloured)
    );
}

#[test]
fn text_output_is_pinned() {
    let example = repo_root().join("examples/log-shipping.yaml");
    let output = binary()
        .current_dir(repo_root())
        .args([
            "check",
            "--color",
            "never",
            "examples/log-shipping.yaml",
            "examples/fixed/log-shipping.yaml",
        ])
        .output()
        .expect("runs");
    assert!(example.exists());
    let text = stdout(&output);
    let path = repo_root().join("tests/snapshots/check-log-shipping.txt");
    if blessing() {
        std::fs::write(&path, &text).expect("writable");
    }
    let expected = std::fs::read_to_string(&path).expect("snapshot exists (bless to create it)");
    assert_same_text(
        &text,
        &expected,
        "tests/snapshots/check-log-shipping.txt (if intended: `SIDECAR_GUARD_BLESS=1 cargo test --test cli`, then review the diff)",
    );
}

#[test]
fn json_output_has_the_documented_fields() {
    let output = run_cli(&["check", "--format", "json", "-"], Some(DENIED.as_bytes()));
    let json: Value = serde_json::from_str(&stdout(&output)).expect("one JSON document");
    assert_eq!(json["summary"]["rejected"], 1);
    let result = &json["results"][0];
    for key in [
        "source",
        "document",
        "line",
        "kind",
        "apiVersion",
        "name",
        "namespace",
        "status",
        "allowed",
        "findings",
    ] {
        assert!(result.get(key).is_some(), "result lacks {key}: {result}");
    }
    assert_eq!(result["source"], "-");
    assert_eq!(result["document"], 0);
    let finding = &result["findings"][0];
    for key in [
        "rule",
        "severity",
        "container",
        "role",
        "path",
        "message",
        "help",
        "line",
    ] {
        assert!(finding.get(key).is_some(), "finding lacks {key}: {finding}");
    }
    assert_eq!(finding["line"], 6, "line of the container: {finding}");
}

#[test]
fn sarif_output_is_sarif_2_1_0_with_registry_rules() {
    let examples = repo_root().join("examples");
    let output = run_cli(
        &["check", "--format", "sarif", &examples.to_string_lossy()],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let sarif: Value = serde_json::from_str(&stdout(&output)).expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for rule in ALL {
        assert!(
            rules.iter().any(|r| r["id"] == rule.meta().id
                && r["shortDescription"]["text"] == rule.meta().summary),
            "{}",
            rule.meta().id
        );
    }
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            rules[index]["id"], result["ruleId"],
            "ruleIndex points at the rule"
        );
        assert!(["error", "warning"].contains(&result["level"].as_str().expect("level")));
        let location = &result["locations"][0]["physicalLocation"];
        assert!(location["artifactLocation"]["uri"]
            .as_str()
            .expect("uri")
            .ends_with(".yaml"));
        assert!(location["region"]["startLine"].as_u64().expect("startLine") >= 1);
        assert!(!result["message"]["text"].as_str().expect("text").is_empty());
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn rules_and_explain() {
    let output = run_cli(&["rules"], None);
    assert_eq!(output.status.code(), Some(0));
    for rule in ALL {
        assert!(stdout(&output).contains(rule.meta().id));
    }
    let output = run_cli(&["rules", "--format", "json"], None);
    let list: Value = serde_json::from_str(&stdout(&output)).expect("json");
    assert_eq!(list.as_array().expect("array").len(), ALL.len());
    let output = run_cli(&["explain", "readonly-log-mounts"], None);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("## What it does")
            && stdout(&output).contains("## Why is this bad?"),
        "{}",
        stdout(&output)
    );
    let output = run_cli(&["explain", "nope"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown rule \"nope\""));
}

/// Large streams are checked on every core: the reports still come in document order,
/// each with its own lines.
#[test]
fn large_streams_keep_document_order_and_lines() {
    let mut stream = String::new();
    for i in 0..600 {
        if i % 7 == 3 {
            stream.push_str("---\nnot: [closed\n");
        } else {
            stream.push_str(&format!(
                "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: pod-{i}}}\nspec: {{containers: [{{name: app, image: app}}]}}\n"
            ));
        }
    }
    let output = run_cli(&["check", "--format", "json", "-"], Some(stream.as_bytes()));
    assert_eq!(output.status.code(), Some(2), "syntax errors win");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let results = cli_documents(&json);
    assert_eq!(results.len(), 600);
    let unparsable = json["inputErrors"].as_array().expect("inputErrors");
    assert_eq!(
        unparsable.len(),
        600 / 7 + 1,
        "documents that do not parse are input errors"
    );
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result["document"], i, "{result}");
        // Every document is five lines (a bad one two, then three fewer).
        let first_line = 1
            + (0..i)
                .map(|j| if j % 7 == 3 { 2 } else { 5 })
                .sum::<usize>();
        if i % 7 == 3 {
            assert!(result.get("error").is_some(), "{result}");
        } else {
            assert_eq!(result["name"], format!("pod-{i}"));
            assert_eq!(result["line"], first_line + 1, "{result}");
            assert_eq!(result["findings"][0]["line"], first_line + 4, "{result}");
        }
    }
}

/// Files a kustomization lists as patches are skipped with that reason; the base is judged;
/// the kustomization files themselves are not objects.
#[test]
fn kustomize_patches_are_skipped_and_the_base_judged() {
    let dir = repo_root().join("tests/kustomize");
    let output = run_cli(&["check", "--format", "json", &dir.to_string_lossy()], None);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let results = json["results"].as_array().expect("results");
    let by_file = |suffix: &str| {
        results
            .iter()
            .find(|r| r["source"].as_str().is_some_and(|s| s.ends_with(suffix)))
            .unwrap_or_else(|| panic!("{suffix} reported: {json}"))
    };
    assert_eq!(by_file("base/deployment.yaml")["status"], "checked");
    for patch in ["replicas.yaml", "sidecar-image.yaml", "probes.yaml"] {
        let result = by_file(patch);
        assert_eq!(result["status"], "skipped", "{result}");
        assert!(
            result["skipReason"]
                .as_str()
                .is_some_and(|r| r.contains("overlays/prod/kustomization.yaml")),
            "{result}"
        );
    }
    assert!(
        results.iter().all(|r| !r["source"]
            .as_str()
            .unwrap_or_default()
            .ends_with("kustomization.yaml")),
        "kustomizations are not checked"
    );
    assert!(
        json["inputErrors"].as_array().is_some_and(Vec::is_empty),
        "{json}"
    );
}

/// A ConfigMap in another file of the same run is the sidecar's config.
#[test]
fn config_maps_of_other_files_are_context() {
    let dir = temp_dir("context");
    let fixture = std::fs::read_to_string(
        repo_root().join("tests/fixtures/real-world/envoy-bootstrap-configmap.yaml"),
    )
    .expect("fixture");
    let mut documents = fixture.split("\n---\n");
    let config_map = documents
        .next()
        .expect("the first document is the ConfigMap");
    let workloads: Vec<&str> = documents.collect();
    std::fs::write(dir.join("a-config.yaml"), config_map).expect("write");
    std::fs::write(dir.join("b-workloads.yaml"), workloads.join("\n---\n")).expect("write");
    let both = run_cli(&["check", "--format", "json", &dir.to_string_lossy()], None);
    assert_eq!(both.status.code(), Some(1), "{}", stdout(&both));
    assert!(stdout(&both)
        .contains("Envoy admin API on all interfaces (ConfigMap edge-envoy/envoy.yaml)"));
    // Without the ConfigMap the config is unknown: no finding.
    let alone = run_cli(
        &["check", &dir.join("b-workloads.yaml").to_string_lossy()],
        None,
    );
    assert_eq!(alone.status.code(), Some(0), "{}", stdout(&alone));
}

/// The seed's logging and ambassador patterns with their ConfigMaps in files of their
/// own: a folder run gives the verdicts that one stream of the same documents gives.
#[test]
fn config_maps_in_a_folder_give_the_verdicts_of_one_stream() {
    let dir = temp_dir("config-folder");
    let mut stream = Vec::new();
    for fixture in [
        "readonly-log-mounts/fires-state-in-read-only-mount",
        "auth-proxy-bypass/fires-ambassador-nginx",
    ] {
        let text =
            std::fs::read_to_string(repo_root().join(format!("tests/fixtures/{fixture}.yaml")))
                .expect("fixture");
        let (maps, workloads): (Vec<&str>, Vec<&str>) = text
            .split("\n---\n")
            .partition(|d| d.contains("kind: ConfigMap"));
        let name = fixture.replace('/', "-");
        std::fs::write(
            dir.join(format!("{name}-config.yaml")),
            maps.join("\n---\n"),
        )
        .expect("write");
        std::fs::write(
            dir.join(format!("{name}-workloads.yaml")),
            workloads.join("\n---\n"),
        )
        .expect("write");
        stream.push(text);
    }
    let findings = |output: &std::process::Output| -> Vec<(String, String, String)> {
        let json: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let mut all: Vec<(String, String, String)> = json["results"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["findings"].as_array().cloned().unwrap_or_default())
            .filter(|f| f["rule"] == "readonly-log-mounts" || f["rule"] == "auth-proxy-bypass")
            .map(|f| {
                let text = |k: &str| f[k].as_str().unwrap_or_default().to_string();
                (text("container"), text("severity"), text("message"))
            })
            .collect();
        all.sort();
        all
    };
    let folder = run_cli(&["check", "--format", "json", &dir.to_string_lossy()], None);
    let joined = stream.join("\n---\n");
    let one = run_cli(&["check", "--format", "json", "-"], Some(joined.as_bytes()));
    assert_eq!(folder.status.code(), Some(1), "{}", stdout(&folder));
    let seen = findings(&folder);
    assert_eq!(seen, findings(&one));
    let has = |container: &str, severity: &str, text: &str| {
        seen.iter()
            .any(|(c, s, m)| c == container && s == severity && m.contains(text))
    };
    assert!(has(
        "log-shipper",
        "deny",
        "keeps its state /var/log/app/app.log.pos"
    ));
    assert!(has("promtail", "deny", "/var/log/positions.yaml"));
    assert!(has("app", "warn", "sits behind auth proxy \"ambassador\""));
}

/// Text output: `--quiet`, kinds without a pod template in one line, `generateName`,
/// duplicate keys at the duplicate naming the first, singular and plural.
#[test]
fn text_output_respects_attention() {
    let input = format!(
        "{CLEAN}---\napiVersion: v1\nkind: Service\nmetadata: {{name: s}}\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata: {{generateName: web-}}\nspec:\n  containers:\n    \
         - {{name: app, image: shop/api:v3, resources: {{requests: {{cpu: 1m, memory: 1Mi}}, limits: {{cpu: 1m, memory: 1Mi}}}}, \
         readinessProbe: {{tcpSocket: {{port: 80}}}}, livenessProbe: {{tcpSocket: {{port: 81}}}}}}\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata:\n  name: twice\n  name: again\n"
    );
    let full = stdout(&run_cli(
        &["check", "--color", "never", "-"],
        Some(input.as_bytes()),
    ));
    assert!(
        full.contains("skipped 2 objects without a pod template: ConfigMap, Service"),
        "{full}"
    );
    assert!(full.contains("ok Pod web-<generated>"), "{full}");
    assert!(
        full.contains("-:20: error: line 20: mapping key \"name\" is defined more than once (first on line 19)"),
        "{full}"
    );
    assert!(
        full.contains("0 deny findings and 0 warn findings, 2 skipped, 1 error"),
        "{full}"
    );
    let quiet = stdout(&run_cli(
        &["check", "--quiet", "--color", "never", "-"],
        Some(input.as_bytes()),
    ));
    assert!(
        !quiet.contains("skipped 2 objects") && !quiet.contains("ok Pod"),
        "{quiet}"
    );
    assert!(
        quiet.contains("mapping key \"name\" is defined more than once"),
        "{quiet}"
    );
    assert!(quiet.contains("1 checked"), "{quiet}");
}

/// A folder holds other YAML besides manifests: CI configs (no apiVersion or kind) and
/// empty files are skipped with their reason, a Helm chart is passed over whole; the same
/// files named on the command line are errors.
#[test]
fn walked_folders_skip_what_is_not_a_manifest() {
    let dir = temp_dir("walked");
    std::fs::create_dir_all(dir.join(".github/workflows")).expect("dir");
    std::fs::create_dir_all(dir.join("chart/templates")).expect("dir");
    std::fs::write(
        dir.join(".github/workflows/ci.yaml"),
        "on: push\njobs: {test: {runs-on: x}}\n",
    )
    .expect("write");
    std::fs::write(dir.join("empty.yaml"), "# nothing yet\n").expect("write");
    std::fs::write(
        dir.join("chart/Chart.yaml"),
        "apiVersion: v2\nname: shop\nversion: 1.0.0\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("chart/templates/deploy.yaml"),
        "kind: {{ .Values.kind }}\n",
    )
    .expect("write");
    std::fs::write(dir.join("app.yaml"), DENIED).expect("write");
    let output = run_cli(&["check", "--color", "never", &dir.to_string_lossy()], None);
    let text = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "only the denial counts: {text}"
    );
    assert!(
        text.contains("skipped 1 document: not a Kubernetes object"),
        "{text}"
    );
    assert!(text.contains("empty.yaml: skipped empty file"), "{text}");
    assert!(
        text.contains("chart: skipped Helm chart: render it first"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_slice(
        &run_cli(&["check", "--format", "json", &dir.to_string_lossy()], None).stdout,
    )
    .expect("JSON output");
    assert_eq!(
        json["skippedFiles"].as_array().map(Vec::len),
        Some(2),
        "{json}"
    );
    // Named explicitly, the same files are errors.
    let named = run_cli(
        &[
            "check",
            &dir.join(".github/workflows/ci.yaml").to_string_lossy(),
        ],
        None,
    );
    assert_eq!(named.status.code(), Some(2));
    let empty = run_cli(&["check", &dir.join("empty.yaml").to_string_lossy()], None);
    assert_eq!(empty.status.code(), Some(2));
}

/// `.pre-commit-hooks.yaml`: one hook, built by pre-commit from this repository's binary,
/// whose entry this CLI accepts and which passes over what is not a manifest.
#[test]
fn the_pre_commit_hook_runs_this_cli_on_changed_manifests() {
    let text =
        std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).expect("hooks file");
    let hooks = sidecar_guard::input::yaml::parse_stream(&text, Default::default())
        .remove(0)
        .expect("YAML")
        .value;
    let [hook] = hooks.as_array().expect("a list of hooks").as_slice() else {
        panic!("one hook: {hooks}");
    };
    assert_eq!(hook["id"], "sidecar-guard");
    assert_eq!(
        hook["language"], "rust",
        "pre-commit builds the CLI with cargo install"
    );
    assert_eq!(
        hook["require_serial"], true,
        "one process: ConfigMaps are context across files"
    );
    assert_eq!(hook["types_or"], serde_json::json!(["yaml", "json"]));
    let entry: Vec<&str> = hook["entry"]
        .as_str()
        .expect("entry")
        .split_whitespace()
        .collect();
    let cargo = std::fs::read_to_string(repo_root().join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        cargo.contains(&format!("name = \"{}\"", entry[0])),
        "the entry runs this package's binary"
    );

    // The entry's arguments, with the files pre-commit would pass: a manifest, a CI
    // workflow, a Helm template and an empty file.
    let scratch = std::env::temp_dir().join(format!("sidecar-guard-hook-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("chart/templates")).expect("scratch");
    std::fs::create_dir_all(scratch.join(".github")).expect("scratch");
    let manifest = scratch.join("pod.yaml");
    std::fs::copy(repo_root().join("examples/log-shipping.yaml"), &manifest).expect("copy");
    std::fs::write(scratch.join(".github/ci.yaml"), "on: push\njobs: {}\n").expect("write");
    std::fs::write(
        scratch.join("chart/Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .expect("write");
    std::fs::write(
        scratch.join("chart/templates/d.yaml"),
        "kind: Deployment\nmetadata: {name: {{ .Release.Name }}}\n",
    )
    .expect("write");
    std::fs::write(scratch.join("empty.yaml"), "").expect("write");
    let files = [
        "pod.yaml",
        ".github/ci.yaml",
        "chart/templates/d.yaml",
        "empty.yaml",
    ];
    let paths: Vec<String> = files
        .iter()
        .map(|f| scratch.join(f).display().to_string())
        .collect();
    let mut args: Vec<&str> = entry[1..].to_vec();
    args.extend(paths.iter().map(String::as_str));
    let output = run_cli(&args, None);
    let _ = std::fs::remove_dir_all(&scratch);
    assert_eq!(
        output.status.code(),
        Some(1),
        "deny findings, no errors: {}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("rejected Deployment shop/checkout"),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("0 errors"), "{}", stdout(&output));
    // Without the flag the same files are errors: named files are judged as given.
    let output = run_cli(
        &[
            &["check"],
            &paths.iter().map(String::as_str).collect::<Vec<_>>()[..],
        ]
        .concat(),
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
}
