//! `check --fix` and `check --diff`: fixes applied to the inputs' text, pass after pass,
//! each pass judging every input again (the ConfigMaps of all are context for each), until
//! no admitted fix is left. Only the bytes a fix changes are rewritten (the core's span
//! editing); the report is of what remains.

use crate::inputs::{self, Input, Results};
use sidecar_guard::fix::{self, FixOptions};
use sidecar_guard::pipeline::Treatment;
use sidecar_guard::{Report, Settings};

/// Most passes over all inputs; each applies at least one fix (see `fix::fix_text`).
const MAX_PASSES: usize = 8;

/// Fixes the inputs' text in memory. Returns the final results (with the fixes applied)
/// and, per input, its text before any fix.
pub fn fix_inputs(
    inputs: &mut [Input],
    base: &Results,
    settings: &Settings,
    options: FixOptions,
) -> (Results, Vec<String>) {
    let originals: Vec<String> = inputs.iter().map(|i| i.text.clone()).collect();
    let mut applied = Vec::new();
    let mut results = base.clone();
    inputs::judge(inputs, settings, &mut results);
    for _ in 0..MAX_PASSES {
        let mut any = false;
        for (index, input) in inputs.iter_mut().enumerate() {
            // A patch a kustomization lists is a fragment, never judged, never fixed.
            if matches!(input.treatment, Treatment::Patch { .. }) {
                continue;
            }
            let reports: Vec<Result<Report, sidecar_guard::pipeline::DocumentError>> = results
                .outcomes
                .iter()
                .filter(|o| o.input == index)
                .map(|o| o.result.clone())
                .collect();
            let (text, done) = fix::fix_pass(&input.text, &reports, options);
            if !done.is_empty() {
                input.text = text;
                applied.extend(done.into_iter().map(|d| (input.source.clone(), d)));
                any = true;
            }
        }
        if !any {
            break;
        }
        results = base.clone();
        inputs::judge(inputs, settings, &mut results);
    }
    results.applied = applied;
    (results, originals)
}

/// A unified diff of one input's text (empty when unchanged).
pub fn diff(source: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(source, source)
        .to_string()
}
