//! `new-rule` and `new-product` on copies of the files they edit: what they write, where
//! they insert, and that they refuse rather than guess. (Compiling a scaffolded copy of
//! the whole repository is done by hand; README, "Adding a rule".)

use std::path::{Path, PathBuf};
use xtask::scaffold::{self, Edit};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A temporary directory holding copies of `files` from the repository.
struct Copy(PathBuf);

impl Copy {
    fn of(name: &str, files: &[&str]) -> Copy {
        let dir =
            std::env::temp_dir().join(format!("xtask-scaffold-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for file in files {
            let to = dir.join(file);
            std::fs::create_dir_all(to.parent().expect("a parent")).expect("temp dir");
            std::fs::copy(repo_root().join(file), &to).expect("copied");
        }
        Copy(dir)
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.0.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }
}

impl Drop for Copy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const RULE_FILES: &[&str] = &["Cargo.toml", "src/rules/mod.rs"];
const CATALOGUE: &str = "src/sidecars/catalogue.rs";

/// `text` without the lines that contain any of `added`.
fn without(text: &str, added: &[&str]) -> String {
    text.lines()
        .filter(|l| !added.iter().any(|a| l.contains(a)))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn documents(yaml: &str) -> usize {
    yaml.split("\n---\n")
        .filter(|d| d.contains("kind: "))
        .count()
}

#[test]
fn new_rule_writes_the_rule_its_registration_and_fixture_stubs() {
    let copy = Copy::of("rule", RULE_FILES);
    let before = copy.read("src/rules/mod.rs");
    let edits = scaffold::new_rule(&copy.0, "probe-timeouts").expect("scaffolded");
    scaffold::apply(&copy.0, &edits).expect("written");

    let rule = copy.read("src/rules/probe_timeouts.rs");
    assert!(rule.contains("pub struct ProbeTimeouts {"), "{rule}");
    assert!(rule.contains("id: \"probe-timeouts\","), "{rule}");
    assert!(rule.contains("impl Rule for ProbeTimeouts {"), "{rule}");
    assert!(
        rule.contains("fn check(&self, _pod: &Pod<'_>, _: &SeverityOnly, _out: &mut Findings) {")
    );
    let cargo_toml = copy.read("Cargo.toml");
    let version = scaffold::package_version(&cargo_toml).expect("version");
    assert!(rule.contains(&format!("since: \"{version}\",")), "{rule}");
    // The doc sections tests/rule_docs.rs asks for, in its order.
    let positions: Vec<usize> = [
        "/// ## What it does",
        "/// ## Why is this bad?",
        "/// ## Example",
        "/// ## Use instead",
        "/// ## Options",
        "/// ## References",
    ]
    .iter()
    .map(|s| rule.find(s).unwrap_or_else(|| panic!("no {s}")))
    .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "sections out of order"
    );

    let mod_rs = copy.read("src/rules/mod.rs");
    let declaration = mod_rs.find("pub mod probe_timeouts;\n").expect("declared");
    // In sorted place among the rule modules, before the registry.
    let previous = mod_rs
        .find("pub mod port_conflicts;\n")
        .expect("port_conflicts");
    let next = mod_rs
        .find("pub mod readonly_log_mounts;\n")
        .expect("readonly_log_mounts");
    assert!(previous < declaration && declaration < next, "{mod_rs}");
    let registry = mod_rs.find("\nregistry! {\n").expect("registry");
    let entry = mod_rs
        .find("    probe_timeouts::ProbeTimeouts => probe_timeouts: \"probe-timeouts\",\n}\n")
        .expect("registered last");
    assert!(registry < entry);
    // Nothing else changed.
    assert_eq!(without(&mod_rs, &["probe_timeouts"]), before);

    for (stub, prefix) in [("fires", "fires-"), ("silent", "silent-")] {
        let yaml = copy.read(&format!("tests/fixtures/probe-timeouts/{stub}.yaml"));
        assert_eq!(documents(&yaml), 2, "{stub}: {yaml}");
        assert!(yaml.contains(&format!("name: {prefix}2")), "{yaml}");
    }
}

#[test]
fn new_rule_refuses_bad_ids_and_rules_that_exist() {
    let copy = Copy::of("rule-refusals", RULE_FILES);
    for bad in [
        "",
        "Probe",
        "probe_timeouts",
        "-probe",
        "probe--x",
        "9probe",
    ] {
        let error = scaffold::new_rule(&copy.0, bad).expect_err(bad);
        assert!(error.contains("lowercase words"), "{bad}: {error}");
    }
    let error = scaffold::new_rule(&copy.0, "port-conflicts").expect_err("registered");
    assert!(
        error.contains("registers port-conflicts already"),
        "{error}"
    );
    // A second scaffold of the same id finds the first one's file.
    let edits = scaffold::new_rule(&copy.0, "probe-timeouts").expect("scaffolded");
    scaffold::apply(&copy.0, &edits).expect("written");
    let fresh = scaffold::new_rule(&copy.0, "probe-timeouts");
    assert!(fresh.is_err_and(|e| e.contains("already")));
}

#[test]
fn new_rule_names_a_missing_anchor() {
    let mod_rs = std::fs::read_to_string(repo_root().join("src/rules/mod.rs")).expect("mod.rs");
    let renamed = mod_rs.replace("\nregistry! {\n", "\nrules_list! {\n");
    let error = scaffold::register_rule(&renamed, "probe-timeouts").expect_err("no anchor");
    assert!(error.contains("`registry! {`"), "{error}");
}

#[test]
fn new_product_adds_an_entry_and_its_image_case() {
    let copy = Copy::of("product", &[CATALOGUE]);
    let before = copy.read(CATALOGUE);
    let edits = scaffold::new_product(&copy.0, "acme-agent").expect("scaffolded");
    scaffold::apply(&copy.0, &edits).expect("written");
    let after = copy.read(CATALOGUE);

    let entry = after.find("..entry(\"acme-agent\", ").expect("entry");
    let table = after
        .find("pub static PRODUCTS: &[Product] = &[\n")
        .expect("table");
    let table_end = table + after[table..].find("\n];\n").expect("end of PRODUCTS");
    // The last entry of the table, on the `entry` base, its fields still to fill in.
    assert!(table < entry && entry < table_end);
    assert_eq!(after[entry..table_end].matches("Product {").count(), 0);
    for field in [
        "images: &[\"todo/acme-agent\"]",
        "names: &[\"acme-agent\"]",
        "sources: &[",
    ] {
        assert!(after[table..table_end].contains(field), "{field}");
    }
    let case = after
        .find("(\"registry.example/todo/acme-agent:1.0\", \"acme-agent\"),")
        .expect("image case");
    let cases = after.find("let cases = [\n").expect("cases");
    assert!(cases < case && case < after[cases..].find("\n        ];\n").expect("end") + cases);

    // Only the stubs were added: the rest is as it was.
    let stubs = [
        scaffold::product_entry("acme-agent"),
        scaffold::product_case("acme-agent"),
    ];
    assert!(stubs
        .iter()
        .all(|stub| after.matches(stub.as_str()).count() == 1));
    assert_eq!(
        after.replacen(&stubs[0], "", 1).replacen(&stubs[1], "", 1),
        before
    );
    let again = scaffold::new_product(&copy.0, "acme-agent");
    assert!(again.is_err_and(|e| e.contains("catalogued already")));
}

#[test]
fn new_product_names_a_missing_anchor() {
    let catalogue = std::fs::read_to_string(repo_root().join(CATALOGUE)).expect("catalogue");
    for (anchor, broken) in [
        (
            "pub static PRODUCTS",
            catalogue.replace(
                "pub static PRODUCTS: &[Product] = &[\n",
                "pub static ALL: &[Product] = &[\n",
            ),
        ),
        (
            "let cases = [",
            catalogue.replace("let cases = [\n", "let images = [\n"),
        ),
    ] {
        let error = scaffold::add_product(&broken, "acme-agent").expect_err(anchor);
        assert!(error.contains(anchor), "{anchor}: {error}");
    }
}

#[test]
fn apply_writes_nothing_when_a_new_file_exists() {
    let copy = Copy::of("apply", RULE_FILES);
    let edits = [
        Edit {
            path: "src/rules/mod.rs".into(),
            text: "changed".into(),
            new: false,
        },
        Edit {
            path: "Cargo.toml".into(),
            text: "clobbered".into(),
            new: true,
        },
    ];
    assert!(scaffold::apply(&copy.0, &edits).is_err());
    assert_ne!(copy.read("src/rules/mod.rs"), "changed");
}

/// What the scaffolders leave to fill in is marked TODO: none may be committed.
#[test]
fn no_scaffold_placeholder_is_left() {
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                for (n, line) in text.lines().enumerate() {
                    if line.contains("TODO") {
                        found.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    for dir in ["src", "tests/fixtures"] {
        walk(&repo_root().join(dir), &mut found);
    }
    assert!(
        found.is_empty(),
        "fill in what the scaffolder left:\n{}",
        found.join("\n")
    );
}
