//! The bodies of the fuzz targets (`fuzz_targets/`). `tests/fuzz_corpus.rs` includes this
//! file, so the saved corpus is replayed through exactly the same code. Each
//! takes arbitrary bytes, runs one input path, and panics only when an invariant breaks:
//! a crash here is a crash (or a wrong verdict) in a front end.

use sidecar_guard::input::yaml;
use sidecar_guard::{admission, settings, Settings};

/// Manifest text → reports, with and without line tracking (the CLI's path and the
/// admission path read text differently).
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let settings = Settings::default();
    for report in sidecar_guard::check_text(text, &settings)
        .into_iter()
        .flatten()
    {
        // The verdict agrees with the findings.
        let denied = report.denials().next().is_some();
        assert_eq!(
            report.allowed, !denied,
            "allowed disagrees with the findings"
        );
    }
    for document in yaml::parse_stream(text, yaml::Options { track_lines: true })
        .into_iter()
        .flatten()
    {
        let _ = document.lines.line_of("/spec/containers/0");
        let _ = sidecar_guard::check(&document.value, &settings);
    }
}

/// Settings text → settings (YAML or JSON, as the CLI and the npm module read it).
pub fn settings(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(document) = settings::parse_settings_text(text) {
        if let Ok(parsed) = Settings::from_value(&document) {
            // Valid settings survive a round trip through their own serialisation.
            let again = serde_json::to_value(&parsed).map(|v| Settings::from_value(&v));
            assert!(
                matches!(again, Ok(Ok(_))),
                "valid settings did not round-trip: {again:?}"
            );
        }
    }
}

/// A Kubewarden ValidationRequest payload → the policy's verdict.
pub fn admission(data: &[u8]) {
    let verdict = admission::validate(data);
    if !verdict.accepted {
        assert!(
            verdict.message.as_deref().is_some_and(|m| !m.is_empty()),
            "a rejection without a message"
        );
        assert!(verdict.code.is_some(), "a rejection without a code");
    }
    let _ = admission::validate_settings(data);
}
