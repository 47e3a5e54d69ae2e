//! Replays what fuzzing found (`fuzz/corpus/TARGET`, minimised with `cargo fuzz cmin`, and
//! every crash in `fuzz/artifacts/TARGET`) through the very functions the fuzz targets
//! call: an input that once crashed, or that reached new code, stays a test.

#[path = "../fuzz/src/lib.rs"]
mod fuzzing;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for dir in ["corpus", "artifacts"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                let data = std::fs::read(&path).expect("readable");
                let outcome = std::panic::catch_unwind(|| run(&data));
                assert!(outcome.is_ok(), "{} panics", path.display());
                replayed += 1;
            }
        }
    }
    assert!(
        replayed >= 50,
        "only {replayed} {target} inputs in fuzz/corpus"
    );
}

#[test]
fn manifest_corpus() {
    replay("manifest", fuzzing::manifest);
}

#[test]
fn settings_corpus() {
    replay("settings", fuzzing::settings);
}

#[test]
fn admission_corpus() {
    replay("admission", fuzzing::admission);
}
