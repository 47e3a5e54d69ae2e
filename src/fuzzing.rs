//! The bodies of the fuzz targets (`fuzz/`), kept in the library so the regression test
//! (`tests/fuzz_corpus.rs`) replays the saved corpus through exactly the same code. Each
//! takes arbitrary bytes, runs one input path, and panics only when an invariant breaks:
//! a crash here is a crash (or a wrong verdict) in a front end.

use crate::{admission, settings, yaml, Settings};

/// Manifest text → reports, with and without line tracking (the CLI's path and the
/// admission path read text differently).
pub fn manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let settings = Settings::default();
    for report in crate::check_text(text, &settings).into_iter().flatten() {
        // The verdict agrees with the findings.
        let denied = report.denials().next().is_some();
        assert_eq!(
            report.allowed, !denied,
            "allowed disagrees with the findings"
        );
        // The npm module finds the lines of JSON findings by walking the text.
        for finding in &report.findings {
            let _ = crate::json_lines::line_of(text, &finding.path);
        }
    }
    let _ = crate::json_lines::line_of(text, "/spec/containers/0/ports/1");
    for document in yaml::parse_stream(text, yaml::Options { track_lines: true })
        .into_iter()
        .flatten()
    {
        let _ = document.lines.line_of("/spec/containers/0");
        let _ = crate::check(&document.value, &settings);
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

/// One case of `tests/hostile/cases.json`: its name, its text (built from `parts`) and a
/// piece of the error every front end must give.
#[derive(Debug)]
pub struct HostileCase {
    pub name: String,
    pub text: String,
    pub error: String,
}

/// Reads `tests/hostile/cases.json` (shared by the Rust suites; the npm suite reads it
/// with the same rules).
pub fn hostile_cases(json: &str) -> Result<Vec<HostileCase>, String> {
    #[derive(serde::Deserialize)]
    struct Raw {
        name: String,
        parts: Vec<(String, usize)>,
        error: String,
    }
    let raw: Vec<Raw> = serde_json::from_str(json).map_err(|e| e.to_string())?;
    Ok(raw
        .into_iter()
        .map(|case| HostileCase {
            name: case.name,
            text: case
                .parts
                .iter()
                .map(|(text, times)| text.repeat(*times))
                .collect(),
            error: case.error,
        })
        .collect())
}
