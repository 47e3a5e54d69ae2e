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

/// A unified diff of one input's text (empty when unchanged). Documents are compared one
/// by one (a fix never adds or removes one): a diff of the whole stream costs in
/// proportion to its size times its changes, which a fix in every document of a long
/// stream makes quadratic. The hunks are then cut from the whole text, so their context
/// crosses document boundaries as `diff -u`'s does (`patch` reads short context as the
/// file's start or end).
pub fn diff(source: &str, before: &str, after: &str) -> String {
    use similar::DiffOp;
    if before == after {
        return String::new();
    }
    let old_lines: Vec<&str> = before.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = after.split_inclusive('\n').collect();
    let old_docs = sidecar_guard::input::yaml::split_stream(before);
    let new_docs = sidecar_guard::input::yaml::split_stream(after);
    let mut ops: Vec<DiffOp> = Vec::new();
    if old_docs.len() == new_docs.len() {
        let (mut old_at, mut new_at) = (0, 0);
        for (a, b) in old_docs.iter().zip(&new_docs) {
            if a.as_str() == b.as_str() {
                continue;
            }
            let (a_start, b_start) = (a.line - 1, b.line - 1);
            if a_start > old_at {
                ops.push(DiffOp::Equal {
                    old_index: old_at,
                    new_index: new_at,
                    len: a_start - old_at,
                });
            }
            for op in similar::TextDiff::from_lines(a.as_str(), b.as_str()).ops() {
                ops.push(shifted(op, a_start, b_start));
            }
            old_at = a_start + a.as_str().split_inclusive('\n').count();
            new_at = b_start + b.as_str().split_inclusive('\n').count();
        }
        if old_lines.len() > old_at {
            ops.push(DiffOp::Equal {
                old_index: old_at,
                new_index: new_at,
                len: old_lines.len() - old_at,
            });
        }
    } else {
        ops = similar::TextDiff::from_lines(before, after).ops().to_vec();
    }
    // One Equal run between changes, as the grouping expects (it trims only the runs at
    // a group's edges).
    let mut merged: Vec<DiffOp> = Vec::with_capacity(ops.len());
    for op in ops {
        match (merged.last_mut(), op) {
            (Some(DiffOp::Equal { len, .. }), DiffOp::Equal { len: more, .. }) => *len += more,
            (_, op) => merged.push(op),
        }
    }
    let mut out = format!("--- {source}\n+++ {source}\n");
    for group in similar::group_diff_ops(merged, 3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old = first.old_range().start..last.old_range().end;
        let new = first.new_range().start..last.new_range().end;
        // An empty range names the line before it, as diff -u does.
        let start = |range: &std::ops::Range<usize>| range.start + usize::from(!range.is_empty());
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            start(&old),
            old.len(),
            start(&new),
            new.len()
        ));
        for op in &group {
            let (tag, old_range, new_range) = op.as_tag_tuple();
            let mut lines = |sign: char, range: std::ops::Range<usize>, from: &[&str]| {
                for line in from.get(range).unwrap_or_default() {
                    out.push(sign);
                    out.push_str(line);
                    if !line.ends_with('\n') {
                        out.push_str("\n\\ No newline at end of file\n");
                    }
                }
            };
            match tag {
                similar::DiffTag::Equal => lines(' ', old_range, &old_lines),
                similar::DiffTag::Delete => lines('-', old_range, &old_lines),
                similar::DiffTag::Insert => lines('+', new_range, &new_lines),
                similar::DiffTag::Replace => {
                    lines('-', old_range, &old_lines);
                    lines('+', new_range, &new_lines);
                }
            }
        }
    }
    out
}

/// A document's diff operation moved to where the document starts in its stream.
fn shifted(op: &similar::DiffOp, old: usize, new: usize) -> similar::DiffOp {
    use similar::DiffOp;
    match *op {
        DiffOp::Equal {
            old_index,
            new_index,
            len,
        } => DiffOp::Equal {
            old_index: old_index + old,
            new_index: new_index + new,
            len,
        },
        DiffOp::Delete {
            old_index,
            old_len,
            new_index,
        } => DiffOp::Delete {
            old_index: old_index + old,
            old_len,
            new_index: new_index + new,
        },
        DiffOp::Insert {
            old_index,
            new_index,
            new_len,
        } => DiffOp::Insert {
            old_index: old_index + old,
            new_index: new_index + new,
            new_len,
        },
        DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } => DiffOp::Replace {
            old_index: old_index + old,
            old_len,
            new_index: new_index + new,
            new_len,
        },
    }
}
