//! Generates one `#[test]` per fixture case (`tests/fixtures/<dir>/<case>.yaml`) for
//! tests/fixtures.rs, so that `cargo test --test fixtures container_probes::bounds` runs one
//! case and a failing case does not hide the others. A new case is still just a new file.

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=tests/fixtures");
    println!("cargo:rerun-if-changed=build.rs");
    let (Ok(manifest_dir), Ok(out_dir)) = (
        std::env::var("CARGO_MANIFEST_DIR"),
        std::env::var("OUT_DIR"),
    ) else {
        return;
    };
    let root = Path::new(&manifest_dir).join("tests/fixtures");
    let mut code = String::new();
    for dir in sorted_entries(&root).into_iter().filter(|p| p.is_dir()) {
        let Some(dir_name) = dir.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let cases: Vec<String> = sorted_entries(&dir)
            .into_iter()
            .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_string))
            .filter(|n| n.ends_with(".yaml") && !n.ends_with(".settings.yaml"))
            .collect();
        if cases.is_empty() {
            continue;
        }
        let _ = writeln!(code, "mod {} {{", identifier(dir_name));
        for case in cases {
            let stem = case.trim_end_matches(".yaml");
            let _ = writeln!(
                code,
                "    #[test]\n    fn {}() {{\n        super::run_case({:?});\n    }}",
                identifier(stem),
                format!("{dir_name}/{case}")
            );
        }
        code.push_str("}\n");
    }
    let _ = std::fs::write(Path::new(&out_dir).join("fixture_cases.rs"), code);
}

fn sorted_entries(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map(|read| read.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

/// `pod-level-limits-1.34` → `pod_level_limits_1_34`; a leading digit gets a `case_` prefix.
fn identifier(name: &str) -> String {
    let ident: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        format!("case_{ident}")
    } else {
        ident
    }
}
