//! Files, directories and stdin → parsed documents → reports, with source positions.

use crate::kustomize;
use sidecar_guard::fix::AppliedFix;
use sidecar_guard::pipeline::{self, DocumentError, Source, Treatment};
use sidecar_guard::{Report, Settings, Status};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One object's report, or one document's error, with the file it came from.
#[derive(Clone)]
pub struct Outcome {
    /// The file as named on the command line, as found in a folder, or `-` for stdin.
    pub source: String,
    /// Index of its input among those read (`read_paths`).
    pub input: usize,
    pub result: Result<Report, DocumentError>,
}

impl Outcome {
    /// 0-based index of the document in its file.
    pub fn document(&self) -> usize {
        match &self.result {
            Ok(report) => report.document,
            Err(e) => e.document,
        }
    }

    /// 1-based line where the object (or the problem) is.
    pub fn line(&self) -> Option<usize> {
        match &self.result {
            Ok(report) => report.line,
            Err(e) => e.line,
        }
    }
}

#[derive(Clone)]
pub struct Results {
    pub outcomes: Vec<Outcome>,
    /// The fixes `check --fix` applied, with the input each was applied to.
    pub applied: Vec<(String, AppliedFix)>,
    /// Each input's text as judged (by `Outcome::input`): SARIF writes fixes as edits of it.
    pub texts: Vec<String>,
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
                format!("cannot read directory: {}", io_message(&e)),
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

/// How files named on the command line are treated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// Judged as given: what is not a Kubernetes manifest is an error.
    AsGiven,
    /// As if a folder walk had found them (`--skip-non-manifests`).
    LikeFound,
}

/// Every input's text, and what could not be read or was passed over.
pub fn read_paths(paths: &[String], named: Named) -> (Vec<Input>, Results) {
    let mut results = Results {
        outcomes: Vec::new(),
        applied: Vec::new(),
        texts: Vec::new(),
        input_errors: Vec::new(),
        skipped_files: Vec::new(),
    };
    // Every input is read first: the ConfigMaps of all of them are context for each pod.
    let mut inputs: Vec<Input> = Vec::new();
    for argument in paths {
        if argument == "-" {
            let mut bytes = Vec::new();
            match std::io::stdin().lock().read_to_end(&mut bytes) {
                Ok(_) => inputs.extend(Input::new("-", bytes, Treatment::AsGiven, &mut results)),
                Err(e) => results.input_errors.push((
                    "-".to_string(),
                    format!("cannot read standard input: {}", io_message(&e)),
                )),
            }
            continue;
        }
        let path = Path::new(argument);
        if path.is_dir() {
            read_folder(argument, &mut inputs, &mut results);
        } else if named == Named::LikeFound {
            match helm_chart_of(path) {
                Some(chart) => results.skipped_files.push((
                    argument.clone(),
                    format!(
                        "part of the Helm chart in {}: render it first (helm template … | sidecar-guard check -)",
                        chart.display()
                    ),
                )),
                None => inputs.extend(read(path, Treatment::FoundInFolder, &mut results)),
            }
        } else {
            inputs.extend(read(path, Treatment::AsGiven, &mut results));
        }
    }
    (inputs, results)
}

/// Judges the inputs together (the ConfigMaps of all are context for each), adding the
/// outcomes to `results`.
pub fn judge(inputs: &[Input], settings: &Settings, results: &mut Results) {
    results.texts = inputs.iter().map(|i| i.text.clone()).collect();
    let sources: Vec<Source> = inputs
        .iter()
        .map(|input| Source::text(&input.text).treated(input.treatment.clone()))
        .collect();
    let run = pipeline::check_sources(&sources, settings);
    for index in run.empty_sources {
        if let Some(input) = inputs.get(index) {
            input.report_empty(results);
        }
    }
    results.outcomes = run
        .outcomes
        .into_iter()
        .map(|outcome| Outcome {
            source: inputs
                .get(outcome.source)
                .map(|input| input.source.clone())
                .unwrap_or_default(),
            input: outcome.source,
            result: outcome.result,
        })
        .collect();
}

/// The manifests under a folder, each marked as found by walking (or as a patch its
/// kustomization lists); kustomizations themselves are read only for their patch lists.
fn read_folder(argument: &str, inputs: &mut Vec<Input>, results: &mut Results) {
    let mut files = Vec::new();
    walk(Path::new(argument), &mut files, results);
    if files.is_empty() {
        results.input_errors.push((
            argument.to_string(),
            "no *.yaml, *.yml or *.json files in this directory".to_string(),
        ));
    }
    let patches = kustomize::patches(&files);
    files.retain(|f| !kustomize::is_kustomization(f));
    for file in files {
        let treatment = match patches.get(&file) {
            Some(kustomization) => Treatment::Patch {
                kustomization: kustomization.clone(),
            },
            None => Treatment::FoundInFolder,
        };
        inputs.extend(read(&file, treatment, results));
    }
}

/// The Helm chart a file belongs to: the nearest folder above it with a `Chart.yaml`.
fn helm_chart_of(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|dir| dir.join("Chart.yaml").is_file())
        .map(Path::to_path_buf)
}

/// One input's text, and how it was found.
pub struct Input {
    /// The file as named or found, `-` for stdin.
    pub source: String,
    pub text: String,
    pub treatment: Treatment,
}

impl Input {
    fn new(
        source: &str,
        bytes: Vec<u8>,
        treatment: Treatment,
        results: &mut Results,
    ) -> Option<Input> {
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
            treatment,
        })
    }

    /// An input with no documents: an error when the user named it, a skipped file when a
    /// folder walk found it.
    fn report_empty(&self, results: &mut Results) {
        if self.treatment == Treatment::AsGiven {
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

fn read(path: &Path, treatment: Treatment, results: &mut Results) -> Option<Input> {
    let source = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => Input::new(&source, bytes, treatment, results),
        Err(e) => {
            results
                .input_errors
                .push((source, format!("cannot read: {}", io_message(&e))));
            None
        }
    }
}

/// An I/O error as people read it, without the operating system's error number (which
/// differs between Linux and WASI, where the npm package runs this CLI).
pub fn io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(end) => text[..end].to_string(),
        None => text,
    }
}
