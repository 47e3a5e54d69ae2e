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
