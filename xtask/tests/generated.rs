//! What codegen writes is what is committed: the settings schema, the README's generated
//! sections, and the Kubewarden packaging.

use sidecar_guard::settings::SCHEMA_TEXT;
use std::path::PathBuf;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn committed_schema_and_readme_are_generated() {
    assert_eq!(
        SCHEMA_TEXT,
        xtask::settings_schema_text(),
        "policies/settings.schema.json is stale: run `cargo xtask codegen`"
    );
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    for (name, content) in [
        ("rules-table", xtask::rules_table()),
        ("rules-reference", xtask::rules_reference()),
        ("settings-reference", xtask::settings_reference()),
        ("products", xtask::products_list()),
    ] {
        let regenerated = xtask::replace_section(&readme, name, &content)
            .unwrap_or_else(|| panic!("README lacks the {name} markers"));
        assert_eq!(
            regenerated, readme,
            "README section {name} is stale: run `cargo xtask codegen`"
        );
    }
}

/// Hand-written README lists that name what the registry or the catalogue holds name all
/// of it: a new injector's annotation has to be added there.
#[test]
fn the_readme_names_every_injector_annotation() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    for annotation in sidecar_guard::injector_annotations() {
        assert!(
            readme.contains(&format!("`{annotation}`")),
            "README (\"Sidecars as they are really deployed\") does not name `{annotation}`"
        );
    }
}

/// docs/contract.md keeps up with the wire: every field a finding serialises and every
/// role has its row, and its links into the README land on headings that exist.
#[test]
fn the_contract_page_matches_the_types_and_the_readme() {
    let contract =
        std::fs::read_to_string(repo_root().join("docs/contract.md")).expect("docs/contract.md");
    let finding =
        serde_json::to_value(schemars::schema_for!(sidecar_guard::Finding)).expect("schema");
    let fields = finding["properties"].as_object().expect("properties");
    assert!(fields.len() >= 8);
    for field in fields.keys() {
        assert!(
            contract.contains(&format!("| `{field}` |")),
            "docs/contract.md: no row for the finding field `{field}`"
        );
    }
    // A unit enum's schema lists its names under `enum`, or one `const`/`enum` per
    // documented variant under `oneOf`.
    let role = serde_json::to_value(schemars::schema_for!(sidecar_guard::Role)).expect("schema");
    let mut roles: Vec<&str> = role["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    for variant in role["oneOf"].as_array().into_iter().flatten() {
        roles.extend(variant["const"].as_str());
        roles.extend(
            variant["enum"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str()),
        );
    }
    assert!(roles.len() >= 5, "roles in the schema: {role}");
    for role in roles {
        assert!(
            contract.contains(&format!("| `{role}` |")),
            "docs/contract.md: no row for the role `{role}`"
        );
    }

    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    let anchors: Vec<String> = readme
        .lines()
        .filter_map(|l| {
            l.trim_start_matches('#')
                .strip_prefix(' ')
                .filter(|_| l.starts_with('#'))
        })
        .map(slug)
        .collect();
    let mut rest = contract.as_str();
    let mut links = 0;
    while let Some(at) = rest.find("](../README.md#") {
        let tail = &rest[at + "](../README.md#".len()..];
        let anchor = &tail[..tail.find(')').expect("closed link")];
        assert!(
            anchors.iter().any(|a| a == anchor),
            "docs/contract.md links to README#{anchor}, which has no such heading"
        );
        links += 1;
        rest = tail;
    }
    assert!(links >= 3);
}

/// GitHub's heading anchors: lower case, spaces to `-`, punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}
