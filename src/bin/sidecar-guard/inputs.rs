//! Files, directories and stdin → parsed documents → reports, with source positions.

use crate::kustomize;
use sidecar_guard::yaml::{self, LineIndex};
use sidecar_guard::{check_input, Context, Error, Report, Settings, Status};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One object's outcome, or one input that could not be read.
pub struct Outcome {
    /// The file as named on the command line (or `-` for stdin).
    pub source: String,
    /// 0-based document index in the file; None when the whole file failed.
    pub document: Option<usize>,
    /// 1-based line where the document (or object) starts.
    pub line: Option<usize>,
    pub result: Result<Report, Error>,
    /// Line of each finding, in `Report::findings` order.
    pub finding_lines: Vec<Option<usize>>,
}

pub struct Results {
    pub outcomes: Vec<Outcome>,
    /// Inputs that could not be read at all: (source, message).
    pub input_errors: Vec<(String, String)>,
    /// What a folder walk passed over, and why: (path, reason). Empty files, Helm
    /// charts (templates are not manifests until rendered).
    pub skipped_files: Vec<(String, String)>,
}

/// Why a walked file or folder is passed over.
pub const EMPTY_FILE: &str = "empty file";
pub const HELM_CHART: &str =
    "Helm chart: render it first (helm template … | sidecar-guard check -)";

/// Counts over a run, shared by every output format.
pub struct Summary {
    pub objects: usize,
    pub checked: usize,
    pub skipped: usize,
    pub rejected: usize,
    pub deny: usize,
    pub warn: usize,
    pub errors: usize,
}

impl Results {
    pub fn summary(&self) -> Summary {
        let reports = || self.outcomes.iter().filter_map(|o| o.result.as_ref().ok());
        Summary {
            objects: self.outcomes.len(),
            checked: reports().filter(|r| r.status == Status::Checked).count(),
            skipped: reports().filter(|r| r.status == Status::Skipped).count(),
            rejected: reports().filter(|r| !r.allowed).count(),
            deny: reports().map(|r| r.denials().count()).sum(),
            warn: reports().map(|r| r.warnings().count()).sum(),
            errors: self.input_errors.len()
                + self.outcomes.iter().filter(|o| o.result.is_err()).count(),
        }
    }

    pub fn exit_code(&self) -> u8 {
        let errors =
            !self.input_errors.is_empty() || self.outcomes.iter().any(|o| o.result.is_err());
        let denied = self
            .outcomes
            .iter()
            .any(|o| o.result.as_ref().is_ok_and(|r| !r.allowed));
        if errors {
            2
        } else if denied {
            1
        } else {
            0
        }
    }
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Files under a directory, sorted, recursively. Symlinked directories are not followed
/// (no loops); symlinked files are read. A Helm chart (a folder with `Chart.yaml`) is
/// passed over: its templates are manifests only once rendered.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, results: &mut Results) {
    if dir.join("Chart.yaml").is_file() {
        results
            .skipped_files
            .push((dir.display().to_string(), HELM_CHART.to_string()));
        return;
    }
    let errors = &mut results.input_errors;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push((
                dir.display().to_string(),
                format!("cannot read directory: {e}"),
            ));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let is_symlink = path
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        if path.is_dir() {
            if !is_symlink {
                walk(&path, out, results);
            }
        } else if is_manifest(&path) {
            out.push(path);
        }
    }
}

pub fn check_paths(paths: &[String], settings: &Settings) -> Results {
    let mut results = Results {
        outcomes: Vec::new(),
        input_errors: Vec::new(),
        skipped_files: Vec::new(),
    };
    // Every input is read first: the ConfigMaps of all of them are context for each pod.
    let mut inputs: Vec<Input> = Vec::new();
    for argument in paths {
        if argument == "-" {
            let mut bytes = Vec::new();
            match std::io::stdin().lock().read_to_end(&mut bytes) {
                Ok(_) => inputs.extend(Input::new("-", bytes, Origin::Named, &mut results)),
                Err(e) => results
                    .input_errors
                    .push(("-".to_string(), format!("cannot read standard input: {e}"))),
            }
            continue;
        }
        let path = Path::new(argument);
        if path.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files, &mut results);
            if files.is_empty() {
                results.input_errors.push((
                    argument.clone(),
                    "no *.yaml, *.yml or *.json files in this directory".to_string(),
                ));
            }
            let patches = kustomize::patches(&files);
            // Kustomizations are read for their patch lists; they are not Kubernetes objects.
            files.retain(|f| !kustomize::is_kustomization(f));
            for file in files {
                let origin = match patches.get(&file) {
                    Some(kustomization) => Origin::Patch(kustomization.clone()),
                    None => Origin::Walked,
                };
                inputs.extend(read(&file, origin, &mut results));
            }
        } else {
            inputs.extend(read(path, Origin::Named, &mut results));
        }
    }
    let mut documents: Vec<(usize, yaml::DocumentText)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let split = yaml::split_stream(&input.text);
        if split.is_empty() {
            input.report_empty(&mut results);
        }
        documents.extend(split.into_iter().map(|d| (i, d)));
    }
    // The ConfigMaps of every input first (only documents that can hold one are parsed
    // for it); then each document is parsed, checked and dropped, on every core.
    let context = Context::from_texts(documents.iter().map(|(i, d)| (*i, d)));
    let judge = |(i, text): &(usize, yaml::DocumentText)| -> Vec<Outcome> {
        let Some(input) = inputs.get(*i) else {
            return Vec::new();
        };
        match text.parse(yaml::Options { track_lines: true }) {
            Ok(doc) => judged(&doc.value, *i, input, settings, &context)
                .into_iter()
                .map(|result| {
                    let (line, finding_lines) = positions(&result, &doc.lines, doc.line);
                    Outcome {
                        source: input.source.clone(),
                        document: Some(doc.index),
                        line,
                        result,
                        finding_lines,
                    }
                })
                .collect(),
            Err(e) => vec![Outcome {
                source: input.source.clone(),
                document: Some(text.index),
                line: e.line,
                result: Err(e.into()),
                finding_lines: Vec::new(),
            }],
        }
    };
    results
        .outcomes
        .extend(on_every_core(&documents, judge).into_iter().flatten());
    results
}

/// One input's text, and how it was found.
struct Input {
    source: String,
    text: String,
    origin: Origin,
}

/// How an input was found: what the user named is judged as given; a folder holds other
/// YAML too (CI configs, Helm values) and kustomize patches.
enum Origin {
    /// A file argument or standard input.
    Named,
    /// A file found by walking a folder.
    Walked,
    /// A walked file that this kustomization lists as a patch.
    Patch(String),
}

impl Input {
    fn new(source: &str, bytes: Vec<u8>, origin: Origin, results: &mut Results) -> Option<Input> {
        let Ok(text) = String::from_utf8(bytes) else {
            results.input_errors.push((
                source.to_string(),
                "not UTF-8 text (binary file?)".to_string(),
            ));
            return None;
        };
        Some(Input {
            source: source.to_string(),
            text,
            origin,
        })
    }

    /// An input with no documents: an error when the user named it, a skipped file when a
    /// folder walk found it.
    fn report_empty(&self, results: &mut Results) {
        if matches!(self.origin, Origin::Named) {
            results.input_errors.push((
                self.source.clone(),
                "no Kubernetes objects (the input is empty)".to_string(),
            ));
        } else {
            results
                .skipped_files
                .push((self.source.clone(), EMPTY_FILE.to_string()));
        }
    }
}

fn read(path: &Path, origin: Origin, results: &mut Results) -> Option<Input> {
    let source = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => Input::new(&source, bytes, origin, results),
        Err(e) => {
            results
                .input_errors
                .push((source, format!("cannot read: {e}")));
            None
        }
    }
}

/// Why a walked document that names neither `apiVersion` nor `kind` is skipped.
pub const NOT_AN_OBJECT: &str = "not a Kubernetes object (no apiVersion or kind)";

/// The reports of one document. A file a kustomization lists as a patch is a fragment,
/// never judged as a whole object (nor refused as an invalid one); a walked file with
/// neither `apiVersion` nor `kind` is some other YAML (a CI config, Helm values). Both are
/// skipped with their reason; what the user named is judged as given.
fn judged(
    document: &serde_json::Value,
    origin: usize,
    input: &Input,
    settings: &Settings,
    context: &Context,
) -> Vec<Result<Report, Error>> {
    let text = |pointer: &str| document.pointer(pointer).and_then(|v| v.as_str());
    let skipped = |kind: &str, reason: String| {
        vec![Ok(Report::skipped(
            kind,
            text("/apiVersion").unwrap_or_default(),
            text("/metadata/name").map(str::to_string),
            text("/metadata/namespace").map(str::to_string),
            String::new(),
            reason,
        ))]
    };
    let foreign = || {
        !document.is_object()
            || (document.get("apiVersion").is_none() && document.get("kind").is_none())
    };
    match &input.origin {
        Origin::Patch(kustomization) => skipped(
            text("/kind").unwrap_or("<no kind>"),
            format!("a patch listed in {kustomization}"),
        ),
        Origin::Walked if foreign() => skipped("", NOT_AN_OBJECT.to_string()),
        Origin::Named | Origin::Walked => check_input(document, settings, context, origin),
    }
}

fn on_every_core<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    // Below this many per thread, starting threads costs more than it saves.
    const MIN_PER_THREAD: usize = 64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(items.len() / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return items.iter().map(&work).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        // A chunk whose thread cannot be started (a process out of threads) is done on
        // this one instead.
        let parts: Vec<Result<_, &[T]>> = items
            .chunks(chunk)
            .map(|part| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || part.iter().map(work).collect::<Vec<R>>())
                    .map_err(|_| part)
            })
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for part in parts {
            match part {
                Ok(handle) => match handle.join() {
                    Ok(results) => out.extend(results),
                    // A panic in a worker is a bug; surface it as the panic it was.
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                Err(part) => out.extend(part.iter().map(work)),
            }
        }
        out
    })
}

fn positions(
    result: &Result<Report, Error>,
    lines: &LineIndex,
    document_line: usize,
) -> (Option<usize>, Vec<Option<usize>>) {
    match result {
        Ok(report) => {
            let start = lines.line_of(&report.pointer).or(Some(document_line));
            (
                start,
                report
                    .findings
                    .iter()
                    .map(|f| lines.line_of(&f.path))
                    .collect(),
            )
        }
        Err(e) => (
            e.line()
                .or_else(|| e.pointer().and_then(|p| lines.line_of(p)))
                .or(Some(document_line)),
            Vec::new(),
        ),
    }
}
