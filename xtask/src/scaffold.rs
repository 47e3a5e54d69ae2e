//! `cargo xtask new-rule ID` and `cargo xtask new-product ID`: the files and registry
//! lines a new rule or catalogue entry needs, written so that what is left is to fill in
//! the stubs (README, "Adding a rule" and "Adding a sidecar product").
//!
//! The edits of `src/rules/mod.rs` and `src/sidecars/catalogue.rs` are insertions at
//! stable anchors (the `registry!` invocation, the end of `PRODUCTS`, the `let cases = [`
//! list of the catalogue's test); a missing anchor is an error that names it, never a
//! guess. Nothing is written unless every edit can be made.

use std::path::{Path, PathBuf};

/// A file to write: its path under the repository and its whole new text.
#[derive(Debug)]
pub struct Edit {
    pub path: PathBuf,
    pub text: String,
    /// A new file (refused if one exists) rather than a changed one.
    pub new: bool,
}

/// Writes the edits, refusing to overwrite a file that `new` edits would create.
pub fn apply(root: &Path, edits: &[Edit]) -> Result<(), String> {
    for edit in edits.iter().filter(|e| e.new) {
        if root.join(&edit.path).exists() {
            return Err(format!("{} exists already", edit.path.display()));
        }
    }
    for edit in edits {
        let path = root.join(&edit.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, &edit.text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// A rule or product id: lowercase words joined by `-` (`probe-timeouts`).
pub fn check_id(id: &str) -> Result<(), String> {
    let words_ok = !id.is_empty()
        && id.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if words_ok && id.starts_with(|c: char| c.is_ascii_lowercase()) {
        Ok(())
    } else {
        Err(format!(
            "{id:?}: an id is lowercase words joined by '-', starting with a letter (like probe-timeouts)"
        ))
    }
}

/// `probe-timeouts` → `probe_timeouts`.
pub fn snake(id: &str) -> String {
    id.replace('-', "_")
}

/// `probe-timeouts` → `ProbeTimeouts`.
pub fn camel(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn read(root: &Path, relative: &str) -> Result<String, String> {
    std::fs::read_to_string(root.join(relative)).map_err(|e| format!("{relative}: {e}"))
}

/// The package version in the root `Cargo.toml`: the release a new rule appears in.
pub fn package_version(cargo_toml: &str) -> Option<&str> {
    let package = cargo_toml.get(cargo_toml.find("[package]")?..)?;
    let line = package.lines().find(|l| l.starts_with("version = "))?;
    line.strip_prefix("version = ")?
        .trim()
        .strip_prefix('"')?
        .strip_suffix('"')
}

/// Everything `new-rule ID` writes: the rule file, its registry lines, fixture stubs.
pub fn new_rule(root: &Path, id: &str) -> Result<Vec<Edit>, String> {
    check_id(id)?;
    let mod_rs = read(root, "src/rules/mod.rs")?;
    if mod_rs.contains(&format!("\"{id}\"")) {
        return Err(format!("src/rules/mod.rs registers {id} already"));
    }
    let version = package_version(&read(root, "Cargo.toml")?)
        .ok_or("Cargo.toml: no version in [package]")?
        .to_string();
    let dir = PathBuf::from("tests/fixtures").join(id);
    Ok(vec![
        Edit {
            path: PathBuf::from(format!("src/rules/{}.rs", snake(id))),
            text: rule_file(id, &version),
            new: true,
        },
        Edit {
            path: PathBuf::from("src/rules/mod.rs"),
            text: register_rule(&mod_rs, id)?,
            new: false,
        },
        Edit {
            path: dir.join("fires.yaml"),
            text: fixture_stub(
                "objects the rule must fire on (every one of them), each with a comment saying why.",
                "fires",
            ),
            new: true,
        },
        Edit {
            path: dir.join("silent.yaml"),
            text: fixture_stub(
                "objects the rule must stay silent on, the near misses above all.",
                "silent",
            ),
            new: true,
        },
    ])
}

/// `src/rules/mod.rs` with `pub mod <id>;` among the rule modules (in sorted place) and
/// the rule last in `registry!` (the order findings of one container are reported in).
pub fn register_rule(mod_rs: &str, id: &str) -> Result<String, String> {
    let module = snake(id);
    let invocation = mod_rs
        .find("\nregistry! {\n")
        .map(|i| i + 1)
        .ok_or("src/rules/mod.rs: no `registry! {` invocation at the start of a line")?;
    let (head, registry) = mod_rs.split_at(invocation);
    let close = registry
        .find("\n}\n")
        .ok_or("src/rules/mod.rs: the `registry! {` invocation has no closing `}` line")?
        + 1;
    let (entries, tail) = registry.split_at(close);
    let entry = format!("    {module}::{} => {module}: \"{id}\",\n", camel(id));

    // The `mod` lines just above the invocation; the new one goes where sorting puts it.
    let mut lines: Vec<&str> = head.lines().collect();
    let declaration = format!("pub mod {module};");
    let block_end = lines
        .iter()
        .rposition(|l| is_mod_line(l))
        .ok_or("src/rules/mod.rs: no `pub mod …;` lines before `registry! {`")?;
    let block_start = lines
        .get(..=block_end)
        .unwrap_or_default()
        .iter()
        .rposition(|l| !is_mod_line(l))
        .map_or(0, |i| i + 1);
    let at = (block_start..=block_end)
        .find(|&i| {
            lines
                .get(i)
                .and_then(|l| mod_name(l))
                .is_some_and(|name| name > module.as_str())
        })
        .unwrap_or(block_end + 1);
    lines.insert(at, &declaration);
    let mut out = lines.join("\n");
    out.push('\n');
    Ok(format!("{out}{entries}{entry}{tail}"))
}

fn is_mod_line(line: &str) -> bool {
    mod_name(line).is_some()
}

fn mod_name(line: &str) -> Option<&str> {
    line.strip_prefix("pub mod ")
        .or_else(|| line.strip_prefix("mod "))?
        .strip_suffix(';')
}

fn rule_file(id: &str, version: &str) -> String {
    RULE_TEMPLATE
        .replace("{{ID}}", id)
        .replace("{{STRUCT}}", &camel(id))
        .replace("{{VERSION}}", version)
}

const RULE_TEMPLATE: &str = r#"use super::{Findings, Pod, Rule, SeverityOnly};

declare_rule! {
    /// ## What it does
    /// TODO: one paragraph on what the rule reports, and for which roles.
    ///
    /// ## Why is this bad?
    /// TODO: what goes wrong in a cluster when a pod does this.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   containers:
    ///     - {name: app, image: myapp:v1}
    /// # TODO: a manifest this rule fires on (tests/rule_docs.rs runs it)
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   containers:
    ///     - {name: app, image: myapp:v1}
    /// # TODO: the fixed manifest, on which the rule stays silent
    /// ```
    ///
    /// ## Fix
    /// TODO: the fix the rule offers (safe or unsafe, and why), or why none (when its
    /// fixes apply to the Example, the fixed Example must be the Use instead above).
    ///
    /// ## Options
    /// `severity`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/>
    pub struct {{STRUCT}} {
        id: "{{ID}}",
        summary: "TODO: one line for the rules table",
        category: "TODO",
        since: "{{VERSION}}",
        default_severity: Deny,
    }
}

impl Rule for {{STRUCT}} {
    type Settings = SeverityOnly;

    fn check(&self, _pod: &Pod<'_>, _: &SeverityOnly, _out: &mut Findings) {
        // TODO: report with `out.container(c, message)` or `out.pod(pod, message)`, one
        // message constructor per kind of finding below this function.
    }
}
"#;

/// A fixture stub: two Pods (the least the consistency test accepts per side) named
/// `<prefix>-1` and `<prefix>-2`, under a comment saying what to put there.
fn fixture_stub(comment: &str, prefix: &str) -> String {
    let pod = |n: u8| {
        format!(
            "apiVersion: v1
kind: Pod
metadata: {{name: {prefix}-{n}}}
spec:
  containers:
    - name: app
      image: myapp:v1
      resources:
        requests: {{cpu: 100m, memory: 64Mi}}
        limits: {{cpu: 200m, memory: 64Mi}}
      readinessProbe: {{httpGet: {{path: /ready, port: 8080}}}}
"
        )
    };
    format!("# TODO: {comment}\n{}---\n{}", pod(1), pod(2))
}

/// `src/sidecars/catalogue.rs` with a stub entry for product `id` at the end of
/// `PRODUCTS` and its image case in `every_distribution_resolves_to_its_product`.
pub fn new_product(root: &Path, id: &str) -> Result<Vec<Edit>, String> {
    check_id(id)?;
    let relative = "src/sidecars/catalogue.rs";
    let catalogue = read(root, relative)?;
    Ok(vec![Edit {
        path: PathBuf::from(relative),
        text: add_product(&catalogue, id)?,
        new: false,
    }])
}

pub fn add_product(catalogue: &str, id: &str) -> Result<String, String> {
    let file = "src/sidecars/catalogue.rs";
    if catalogue.contains(&format!("..entry(\"{id}\"")) {
        return Err(format!("{file}: {id} is catalogued already"));
    }
    let table = find(catalogue, 0, "pub static PRODUCTS: &[Product] = &[\n")
        .ok_or_else(|| format!("{file}: no `pub static PRODUCTS: &[Product] = &[` line"))?;
    let table_end = find(catalogue, table, "\n];\n")
        .ok_or_else(|| format!("{file}: `PRODUCTS` has no closing `];` line"))?
        + 1;
    let test = find(
        catalogue,
        0,
        "fn every_distribution_resolves_to_its_product()",
    )
    .ok_or_else(|| format!("{file}: no `every_distribution_resolves_to_its_product` test"))?;
    let cases = find(catalogue, test, "let cases = [\n").ok_or_else(|| {
        format!("{file}: no `let cases = [` in `every_distribution_resolves_to_its_product`")
    })? + "let cases = [\n".len();
    let cases_end = find(catalogue, cases, "\n        ];\n")
        .ok_or_else(|| format!("{file}: the `let cases = [` list has no closing `];` line"))?
        + 1;
    if cases_end < table_end {
        return Err(format!("{file}: the test's cases come before PRODUCTS"));
    }
    let (entry, case) = (product_entry(id), product_case(id));
    let (Some(before), Some(middle), Some(after)) = (
        catalogue.get(..table_end),
        catalogue.get(table_end..cases_end),
        catalogue.get(cases_end..),
    ) else {
        return Err(format!("{file}: anchors are not at character boundaries"));
    };
    Ok(format!("{before}{entry}{middle}{case}{after}"))
}

/// Where `needle` first occurs in `text` at or after `from`.
fn find(text: &str, from: usize, needle: &str) -> Option<usize> {
    text.get(from..)?.find(needle).map(|i| from + i)
}

/// The stub entry `new-product` appends to `PRODUCTS`.
pub fn product_entry(id: &str) -> String {
    PRODUCT_TEMPLATE.replace("{{ID}}", id)
}

/// The stub line `new-product` appends to the catalogue test's image cases.
pub fn product_case(id: &str) -> String {
    // TODO marks what the author must replace: xtask's tests fail while one is left.
    format!(
        "            (\"registry.example/todo/{id}:1.0\", \"{id}\"), // TODO: every distribution\n"
    )
}

const PRODUCT_TEMPLATE: &str = r#"    Product {
        // TODO: repository paths of every registry and distribution it ships from
        // (registry, tag and digest stripped: `docker.io/vendor/x:1.0` → "vendor/x").
        images: &["todo/{{ID}}"],
        // TODO: the container names its docs and injector use.
        names: &["{{ID}}"],
        // TODO: listeners (`listener(…)`, `health(…)`), injector, probes, … as the
        // product's docs say; every field left out keeps `entry`'s empty default.
        // TODO: the docs and sources each fact above comes from.
        sources: &["https://TODO"],
        ..entry("{{ID}}", "TODO: name in messages")
    },
"#;
