//! Writes the generated artefacts (`--check`: only compares, exits 1 on drift).

use sidecar_guard::generated::{
    replace_section, rules_reference, rules_table, settings_reference, settings_schema_text,
};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    let mut update = |relative: &str, generate: &dyn Fn(&str) -> Option<String>| {
        let path = root.join(relative);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        let Some(wanted) = generate(&current) else {
            eprintln!("{relative}: generated section markers not found");
            stale.push(relative.to_string());
            return;
        };
        if wanted != current {
            if check {
                stale.push(relative.to_string());
            } else if let Err(e) = std::fs::write(&path, wanted) {
                eprintln!("{relative}: {e}");
                stale.push(relative.to_string());
            } else {
                println!("wrote {relative}");
            }
        }
    };
    update("policies/settings.schema.json", &|_| {
        Some(settings_schema_text())
    });
    update("README.md", &|text| {
        let text = replace_section(text, "rules-table", &rules_table())?;
        let text = replace_section(&text, "settings-reference", &settings_reference())?;
        replace_section(&text, "rules-reference", &rules_reference())
    });
    if stale.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "out of date: {} (run `cargo run --bin codegen`)",
            stale.join(", ")
        );
        ExitCode::FAILURE
    }
}
