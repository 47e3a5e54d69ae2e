//! Fixes: the JSON Patch a finding carries, applied to an object (`fix_value`) or to
//! manifest text by byte spans (`fix_text`), then checked again. Rules only describe a
//! fix (`Finding::fix`); this module applies fixes, the front ends choose which.
//!
//! One pass applies every selected fix whose operations touch nothing another selected
//! fix of the same document touches (moving a container shifts the indices of its
//! array, so nothing else in that array is fixed in the same pass); the object is then
//! checked again, and the next pass takes the fixes the new findings carry. Passes stop
//! when nothing is left to apply, so a second run changes nothing.

pub mod patch;
mod text;

use crate::pipeline::{self, DocumentError};
use crate::report::{Applicability, Finding, Fix, PatchOperation, Report};
use crate::settings::Settings;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixOptions {
    /// Unsafe fixes too (`--unsafe-fixes`), not only safe ones.
    pub unsafe_fixes: bool,
}

impl FixOptions {
    pub fn admits(self, fix: &Fix) -> bool {
        fix.applicability == Applicability::Safe || self.unsafe_fixes
    }
}

/// A fix that was applied, and the finding it resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppliedFix {
    /// 0-based index of the document in its input.
    pub document: usize,
    pub rule: String,
    pub container: Option<String>,
    /// The finding's pointer, in the object as it was before the fix.
    pub path: String,
    pub title: String,
    pub applicability: Applicability,
}

impl AppliedFix {
    fn of(document: usize, finding: &Finding, fix: &Fix) -> AppliedFix {
        AppliedFix {
            document,
            rule: finding.rule.clone(),
            container: finding.container.clone(),
            path: finding.path.clone(),
            title: fix.title.clone(),
            applicability: fix.applicability,
        }
    }
}

/// Most passes of check and fix: each pass resolves at least one finding, and a pod has
/// few findings with fixes; this only stops a fix that would undo another.
const MAX_PASSES: usize = 8;

/// The pointers an operation changes the meaning of: an array's own pointer when an item
/// is added to or removed from it (every later index shifts), else its path.
fn touched(operation: &PatchOperation) -> Vec<&str> {
    fn scope(path: &str) -> &str {
        match path.rsplit_once('/') {
            Some((parent, last)) if last == "-" || last.bytes().all(|b| b.is_ascii_digit()) => {
                parent
            }
            _ => path,
        }
    }
    match operation {
        PatchOperation::Add { path, .. } | PatchOperation::Remove { path } => vec![scope(path)],
        PatchOperation::Replace { path, .. } => vec![path],
        PatchOperation::Move { from, path } => vec![scope(from), scope(path)],
    }
}

fn overlaps(a: &str, b: &str) -> bool {
    let within = |long: &str, short: &str| {
        long.strip_prefix(short)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    within(a, b) || within(b, a)
}

/// The fixes of one document's findings to apply in one pass, in finding order: those
/// `options` admits and that touch nothing an earlier one touches.
pub fn select<'f>(
    findings: impl IntoIterator<Item = &'f Finding>,
    options: FixOptions,
) -> Vec<(&'f Finding, &'f Fix)> {
    let mut chosen: Vec<(&Finding, &Fix)> = Vec::new();
    let mut taken: Vec<&str> = Vec::new();
    for finding in findings {
        let Some(fix) = finding.fix.as_ref().filter(|f| options.admits(f)) else {
            continue;
        };
        let scopes: Vec<&str> = fix.operations.iter().flat_map(touched).collect();
        if scopes.iter().any(|s| taken.iter().any(|t| overlaps(s, t))) {
            continue;
        }
        taken.extend(scopes);
        chosen.push((finding, fix));
    }
    chosen
}

/// Applies the fixes to a stream's documents (by document index) through their text.
/// Returns the new text and, per fix, whether it was applied: a fix whose operations do
/// not apply, or that span editing cannot express, is left out and the text kept.
pub fn apply_to_text(stream: &str, fixes: &[(usize, &Fix)]) -> (String, Vec<bool>) {
    let mut applied = vec![false; fixes.len()];
    let mut by_document: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, (document, _)) in fixes.iter().enumerate() {
        by_document.entry(*document).or_default().push(i);
    }
    let documents = crate::input::yaml::split_stream(stream);
    let work: Vec<(&crate::input::yaml::DocumentText, Vec<usize>)> = documents
        .iter()
        .filter_map(|d| Some((d, by_document.remove(&d.index)?)))
        .collect();
    // Each document is edited on its own: on every core, as checking is.
    let edited = crate::pipeline::parallel::on_every_core(&work, |(document, mine)| {
        let chunk = document.as_str();
        let start = (chunk.as_ptr() as usize).saturating_sub(stream.as_ptr() as usize);
        let mut done = Vec::new();
        let Ok(parsed) = document.parse(crate::input::yaml::Options::default()) else {
            return (start, chunk.len(), None, done);
        };
        let mut text = chunk.to_string();
        let mut value = parsed.value;
        for i in mine {
            let Some((_, fix)) = fixes.get(*i) else {
                continue;
            };
            if let Some((t, v)) = text::apply_fix(&text, &value, &fix.operations) {
                text = t;
                value = v;
                done.push(*i);
            }
        }
        (start, chunk.len(), Some(text), done)
    });
    let mut out = String::with_capacity(stream.len());
    let mut copied = 0;
    for (start, len, text, done) in edited {
        let Some(text) = text else {
            continue;
        };
        out.push_str(stream.get(copied..start).unwrap_or_default());
        out.push_str(&text);
        copied = start + len;
        for i in done {
            if let Some(flag) = applied.get_mut(i) {
                *flag = true;
            }
        }
    }
    out.push_str(stream.get(copied..).unwrap_or_default());
    (out, applied)
}

/// What fixing one text gives.
#[derive(Clone, Debug)]
pub struct FixedText {
    pub output: String,
    pub applied: Vec<AppliedFix>,
    /// The reports on the fixed text: what remains.
    pub reports: Vec<Result<Report, DocumentError>>,
}

/// Fixes every document of a YAML/JSON text, pass after pass, and checks what remains.
pub fn fix_text(text: &str, settings: &Settings, options: FixOptions) -> FixedText {
    let mut output = text.to_string();
    let mut applied = Vec::new();
    let mut reports = pipeline::check_text(&output, settings);
    for _ in 0..MAX_PASSES {
        let (next, done) = fix_pass(&output, &reports, options);
        if done.is_empty() {
            break;
        }
        output = next;
        applied.extend(done);
        reports = pipeline::check_text(&output, settings);
    }
    FixedText {
        output,
        applied,
        reports,
    }
}

/// One pass over a text's reports: the fixes applied and the new text.
pub fn fix_pass(
    text: &str,
    reports: &[Result<Report, DocumentError>],
    options: FixOptions,
) -> (String, Vec<AppliedFix>) {
    // Reports come in document order; a List's objects share their document.
    let mut by_document: BTreeMap<usize, Vec<&Finding>> = BTreeMap::new();
    for report in reports.iter().flatten() {
        by_document
            .entry(report.document)
            .or_default()
            .extend(&report.findings);
    }
    let mut chosen: Vec<(usize, &Finding, &Fix)> = Vec::new();
    for (document, findings) in &by_document {
        chosen.extend(
            select(findings.iter().copied(), options)
                .into_iter()
                .map(|(f, x)| (*document, f, x)),
        );
    }
    if chosen.is_empty() {
        return (text.to_string(), Vec::new());
    }
    let fixes: Vec<(usize, &Fix)> = chosen.iter().map(|(d, _, x)| (*d, *x)).collect();
    let (output, flags) = apply_to_text(text, &fixes);
    let done = chosen
        .iter()
        .zip(flags)
        .filter(|(_, ok)| *ok)
        .map(|((d, finding, fix), _)| AppliedFix::of(*d, finding, fix))
        .collect();
    (output, done)
}

/// What fixing one object gives.
#[derive(Clone, Debug)]
pub struct FixedValue {
    pub value: Value,
    pub applied: Vec<AppliedFix>,
    pub reports: Vec<Result<Report, crate::Error>>,
}

/// Fixes a parsed document (an object, or a `List`), pass after pass, and checks what
/// remains.
pub fn fix_value(document: &Value, settings: &Settings, options: FixOptions) -> FixedValue {
    fix_value_checking(
        document,
        options,
        &mut |value| pipeline::check(value, settings),
        &|_| true,
    )
}

/// `fix_value` with the checking and the choice of fixes given: the admission policy
/// checks with the cluster's ConfigMaps, and on an UPDATE fixes only the containers the
/// update touches (`fixable`).
pub(crate) fn fix_value_checking(
    document: &Value,
    options: FixOptions,
    check: &mut dyn FnMut(&Value) -> Vec<Result<Report, crate::Error>>,
    fixable: &dyn Fn(&Finding) -> bool,
) -> FixedValue {
    let mut value = document.clone();
    let mut applied = Vec::new();
    let mut reports = check(&value);
    for _ in 0..MAX_PASSES {
        let findings: Vec<&Finding> = reports
            .iter()
            .flatten()
            .flat_map(|r| &r.findings)
            .filter(|f| fixable(f))
            .collect();
        let mut done = Vec::new();
        for (finding, fix) in select(findings, options) {
            if patch::apply(&mut value, &fix.operations).is_ok() {
                done.push(AppliedFix::of(0, finding, fix));
            }
        }
        if done.is_empty() {
            break;
        }
        applied.extend(done);
        reports = check(&value);
    }
    FixedValue {
        value,
        applied,
        reports,
    }
}
