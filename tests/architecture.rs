//! The module layering of ARCHITECTURE.md: no module imports one that imports it back.
//!
//! Checked on the source text: every `crate::…` path (also inside `use crate::{…}`
//! groups) makes an edge from the file's top-level module (`src/<name>.rs` or
//! `src/<name>/`) to the module it names; `super::<sibling>` and `crate::<folder>::<sibling>`
//! make edges between the files of one folder. A folder's `mod.rs` declares its children
//! (the rule registry lists every rule), so it is not a sibling. A cycle fails the test
//! with its path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("src readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first identifier of every path after `prefix` (`crate::a::b` → `a`; `crate::{a::x,
/// b}` → `a`, `b`), outside line comments.
fn named_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        for (at, _) in code.match_indices(prefix) {
            let preceded_by_ident = code[..at]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
            if preceded_by_ident {
                continue;
            }
            let rest = &code[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                names.extend(group_heads(group));
            } else {
                names.extend(head(rest));
            }
        }
    }
    names
}

fn head(path: &str) -> Option<String> {
    let ident: String = path
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!ident.is_empty()).then_some(ident)
}

/// The heads of the entries of a `{a::x, b, c::{d}}` group (one line is enough here:
/// rustfmt breaks long groups one entry per line, each of which starts a new entry).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut entry_start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => entry_start = true,
            c if entry_start && (c.is_alphanumeric() || c == '_') => {
                heads.extend(head(&group[i..]));
                entry_start = false;
            }
            _ => {}
        }
    }
    heads
}

fn add(graph: &mut Graph, from: &str, to: &str) {
    if from != to {
        graph
            .entry(from.to_string())
            .or_default()
            .insert(to.to_string());
    }
}

/// Top-level modules, and the sibling files of each folder.
fn graphs() -> (Graph, BTreeMap<String, Graph>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut top = Graph::new();
    let mut folders: BTreeMap<String, Graph> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).expect("under src");
        let parts: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        let Some(module) = parts.first() else {
            continue;
        };
        // The crate root and the binaries sit on top of everything.
        if module == "lib" || module == "bin" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable");
        let named = named_after(&text, "crate::");
        for target in &named {
            add(&mut top, module, target);
        }
        if let [folder, sibling] = parts.as_slice() {
            if sibling == "mod" {
                continue;
            }
            let graph = folders.entry(folder.clone()).or_default();
            let siblings = named_after(&text, "super::")
                .into_iter()
                .chain(named_after(&text, &format!("crate::{folder}::")));
            for target in siblings {
                add(graph, sibling, &target);
            }
        }
    }
    (top, folders)
}

fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut found = path[start..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let (top, folders) = graphs();
    assert!(
        top.get("pipeline")
            .is_some_and(|d| d.contains("rules") && d.contains("input")),
        "the scan sees the pipeline's imports: {top:?}"
    );
    if let Some(found) = cycle(&top) {
        panic!("module cycle: {}", found.join(" → "));
    }
    for (folder, graph) in &folders {
        if let Some(found) = cycle(graph) {
            panic!("cycle in {folder}/: {}", found.join(" → "));
        }
    }
}

#[test]
fn the_scan_finds_a_cycle_when_there_is_one() {
    let mut graph = Graph::new();
    add(&mut graph, "a", "b");
    add(&mut graph, "b", "c");
    assert_eq!(cycle(&graph), None);
    add(&mut graph, "c", "a");
    assert_eq!(
        cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    let names = named_after(
        "use crate::{input::yaml, report::{Finding, Role}};\nlet x = crate::quantity::Quantity::parse(s); // crate::glob",
        "crate::",
    );
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        ["input", "quantity", "report"]
    );
}

/// The layers ARCHITECTURE.md draws: input reading and the sidecar knowledge are below
/// the rules, the rules below the settings that aggregate their options, and no layer
/// reaches up.
#[test]
fn lower_layers_do_not_reach_up() {
    let (top, _) = graphs();
    let forbidden = [
        (
            "input",
            ["rules", "settings", "pipeline", "admission"].as_slice(),
        ),
        (
            "sidecars",
            ["input", "rules", "settings", "pipeline"].as_slice(),
        ),
        // The config readers know syntax and defaults, never rules or verdicts.
        (
            "config",
            ["rules", "settings", "pipeline", "admission"].as_slice(),
        ),
        ("rules", ["settings", "pipeline", "admission"].as_slice()),
        (
            "report",
            ["input", "sidecars", "rules", "settings", "pipeline"].as_slice(),
        ),
        (
            "model",
            ["input", "sidecars", "rules", "settings", "pipeline"].as_slice(),
        ),
    ];
    for (module, above) in forbidden {
        let uses = top.get(module).cloned().unwrap_or_default();
        for upper in above {
            assert!(
                !uses.contains(*upper),
                "{module} imports {upper}, a layer above it"
            );
        }
    }
}

/// `cargo fmt` reaches only the modules rustfmt can find from each crate root; a module
/// declared inside a macro (as the rule registry once did) escapes it. rustfmt run on
/// every source file directly must change nothing.
#[test]
fn rustfmt_on_every_file_directly_changes_nothing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        "src",
        "xtask/src",
        "xtask/tests",
        "tests",
        "benches",
        "fuzz",
        "wasm/src",
    ] {
        rust_files(&root.join(dir), &mut files);
    }
    files.retain(|f| !f.components().any(|c| c.as_os_str() == "target"));
    assert!(files.len() > 50, "found only {} files", files.len());
    let output = std::process::Command::new("rustfmt")
        .args(["--check", "--edition", "2021"])
        .args(&files)
        .output()
        .expect("rustfmt runs (rustup component add rustfmt)");
    assert!(
        output.status.success(),
        "rustfmt would change:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}
