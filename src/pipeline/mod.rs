//! The one pipeline every front end calls: text → documents → objects → reports, each
//! report with the lines of what it names.
//!
//! The CLI hands it files (with how each was found), the npm module a string or an
//! object's JSON, and the Kubewarden policy enters at the object stage with the object it
//! read from the AdmissionReview. None of them parses, locates or judges on its own.

mod judge;
pub(crate) mod parallel;

pub use judge::IGNORE_ANNOTATION_RULE;

use crate::input::context::Context;
use crate::input::json_lines;
use crate::input::workload::{self, Extracted};
use crate::input::yaml::{self, DocumentText};
use crate::report::{ObjectIdentity, Report};
use crate::settings::Settings;
use crate::Error;
use serde_json::Value;

/// One input of a run: its text, how it was found, and whether its lines mean anything.
#[derive(Clone, Debug)]
pub struct Source<'a> {
    pub text: &'a str,
    pub treatment: Treatment,
    /// False for JSON made from an in-memory object: it has no lines worth naming.
    pub has_lines: bool,
}

/// How an input is treated, which depends on how it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Treatment {
    /// Judged as given: a file named on the command line, standard input, an npm input.
    AsGiven,
    /// Found by walking a folder, which holds other YAML too (CI configs, Helm values): a
    /// document naming neither `apiVersion` nor `kind` is skipped, not refused.
    FoundInFolder,
    /// Listed as a patch by this kustomization: a fragment, skipped, never judged as a
    /// whole object (nor refused as an invalid one).
    Patch { kustomization: String },
}

impl<'a> Source<'a> {
    /// Text judged as given.
    pub fn text(text: &'a str) -> Source<'a> {
        Source {
            text,
            treatment: Treatment::AsGiven,
            has_lines: true,
        }
    }

    pub fn treated(self, treatment: Treatment) -> Source<'a> {
        Source { treatment, ..self }
    }
}

/// A document that could not be judged, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct DocumentError {
    /// 0-based index of the document in its input.
    pub document: usize,
    /// 1-based line of the problem, where known.
    pub line: Option<usize>,
    pub error: Error,
}

/// One object's report, or one document's error, with the input it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Index of the input in the run's sources.
    pub source: usize,
    pub result: Result<Report, DocumentError>,
}

/// What a run found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// In input order, then document order, then object order.
    pub outcomes: Vec<Outcome>,
    /// Inputs with no document at all (empty, or only comments).
    pub empty_sources: Vec<usize>,
}

/// Why a document found in a folder that names neither `apiVersion` nor `kind` is skipped.
pub const NOT_AN_OBJECT: &str = "not a Kubernetes object (no apiVersion or kind)";

/// Checks every document of every input. The ConfigMaps of all inputs are context for
/// each pod (an input's own come first); documents are judged on every core.
pub fn check_sources(sources: &[Source], settings: &Settings) -> Run {
    if let [source] = sources {
        if let Some(outcomes) = check_json_object(source, settings) {
            return Run {
                outcomes,
                empty_sources: Vec::new(),
            };
        }
    }
    let mut run = Run::default();
    let mut documents: Vec<(usize, DocumentText)> = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        let split = yaml::split_stream(source.text);
        if split.is_empty() {
            run.empty_sources.push(index);
        }
        documents.extend(split.into_iter().map(|d| (index, d)));
    }
    // Only documents that can hold a ConfigMap are parsed for the context.
    let context = Context::from_texts(documents.iter().map(|(i, d)| (*i, d)));
    let judged = parallel::on_every_core(&documents, |(index, document)| {
        sources.get(*index).map_or_else(Vec::new, |source| {
            check_document(source, *index, document, settings, &context)
        })
    });
    run.outcomes = judged.into_iter().flatten().collect();
    run
}

/// Checks every document of one YAML/JSON text; its ConfigMaps are context for all.
pub fn check_text(text: &str, settings: &Settings) -> Vec<Result<Report, DocumentError>> {
    check_sources(&[Source::text(text)], settings)
        .outcomes
        .into_iter()
        .map(|o| o.result)
        .collect()
}

/// Checks every object of a parsed document (a `List` yields several), with the
/// document's own ConfigMaps as context. Reports carry no lines: a value has none.
pub fn check(document: &Value, settings: &Settings) -> Vec<Result<Report, Error>> {
    check_value(document, settings, &Context::from_documents([document]), 0)
}

/// Checks an object read generically (the admission path for requests the typed reading
/// refused), with the ConfigMaps `fetch` returns as its context.
pub(crate) fn check_value_fetching(
    document: &Value,
    settings: &Settings,
    fetch: &mut dyn FnMut(&[&str]) -> Vec<Value>,
) -> Vec<Result<Report, Error>> {
    workload::extract(document)
        .into_iter()
        .map(|object| object.map(|o| check_object_fetching(o, settings, &mut *fetch)))
        .collect()
}

/// Checks one object read from an admission request. Its context is what `fetch` returns
/// (ConfigMap objects) when asked for the ConfigMaps that containers of a product with a
/// config reader mount, each named once, in pod order; `fetch` is not called when there
/// are none. The rules then see those ConfigMaps exactly as the CLI sees ConfigMaps of
/// the same input.
pub(crate) fn check_object_fetching(
    object: Extracted,
    settings: &Settings,
    fetch: &mut dyn FnMut(&[&str]) -> Vec<Value>,
) -> Report {
    judge::judge_with(object, settings, 0, |groups, spec| {
        let mut names: Vec<&str> = Vec::new();
        for c in groups.iter().flat_map(|g| g.iter()) {
            if c.product.is_some_and(|p| p.config_reader.is_some()) {
                for name in crate::input::context::mounted_config_maps(spec, c.container) {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        }
        if names.is_empty() {
            return std::borrow::Cow::Owned(Context::default());
        }
        let found = fetch(&names);
        std::borrow::Cow::Owned(Context::from_documents(&found))
    })
}

fn check_value(
    document: &Value,
    settings: &Settings,
    context: &Context,
    origin: usize,
) -> Vec<Result<Report, Error>> {
    workload::extract(document)
        .into_iter()
        .map(|object| object.map(|o| judge::judge(o, settings, context, origin)))
        .collect()
}

/// The fast path for an input that is one JSON object, judged as given: read straight
/// into the rules' model, with no `Value` in between, and the lines of just the pointers
/// the reports name. `None` sends it down the general path, which reads every YAML/JSON
/// stream and reports problems with their lines; both give the same reports.
fn check_json_object(source: &Source, settings: &Settings) -> Option<Vec<Outcome>> {
    let text = source
        .text
        .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if source.treatment != Treatment::AsGiven
        || !text.starts_with('{')
        || text.len() > yaml::MAX_DOCUMENT_BYTES
    {
        return None;
    }
    let objects = workload::extract_json(text)?;
    // A lone object has no related objects: a List, whose ConfigMaps would configure its
    // other items, is never read on this path (`extract_json` sends it to the general one).
    let context = Context::default();
    let lines = json_lines::JsonLines::new(source.text);
    let line_of = |pointer: &str| source.has_lines.then(|| lines.line_of(pointer)).flatten();
    let outcomes = objects.into_iter().map(|object| {
        let result = match object {
            Ok(object) => {
                let mut report = judge::judge(object, settings, &context, 0);
                report.locate(line_of, None);
                Ok(report)
            }
            Err(error) => Err(DocumentError {
                document: 0,
                line: error.line().or_else(|| error.pointer().and_then(line_of)),
                error,
            }),
        };
        Outcome { source: 0, result }
    });
    Some(outcomes.collect())
}

/// The outcomes of one document of an input.
fn check_document(
    source: &Source,
    index: usize,
    text: &DocumentText,
    settings: &Settings,
    context: &Context,
) -> Vec<Outcome> {
    let outcome = |result| Outcome {
        source: index,
        result,
    };
    let document = match text.parse(yaml::Options {
        track_lines: source.has_lines,
    }) {
        Ok(document) => document,
        Err(error) => {
            return vec![outcome(Err(DocumentError {
                document: text.index,
                line: error.line,
                error: error.into(),
            }))]
        }
    };
    let start = source.has_lines.then_some(document.line);
    let line_of = |pointer: &str| document.lines.line_of(pointer);
    let results = match skip_reason(&document.value, &source.treatment) {
        Some(reason) => vec![Ok(Report::skipped(
            identity_of(&document.value, &source.treatment),
            reason,
        ))],
        None => check_value(&document.value, settings, context, index),
    };
    results
        .into_iter()
        .map(|result| match result {
            Ok(mut report) => {
                report.document = document.index;
                report.locate(line_of, start);
                outcome(Ok(report))
            }
            Err(error) => outcome(Err(DocumentError {
                document: document.index,
                line: error
                    .line()
                    .or_else(|| error.pointer().and_then(line_of))
                    .or(start),
                error,
            })),
        })
        .collect()
}

/// Why a document is not judged at all, given how its input was found.
fn skip_reason(document: &Value, treatment: &Treatment) -> Option<String> {
    match treatment {
        Treatment::AsGiven => None,
        Treatment::Patch { kustomization } => Some(format!("a patch listed in {kustomization}")),
        Treatment::FoundInFolder => {
            let names_itself = document
                .as_object()
                .is_some_and(|o| o.contains_key("apiVersion") || o.contains_key("kind"));
            (!names_itself).then(|| NOT_AN_OBJECT.to_string())
        }
    }
}

/// What a skipped document says about itself.
fn identity_of(document: &Value, treatment: &Treatment) -> ObjectIdentity {
    let text = |pointer: &str| document.pointer(pointer).and_then(Value::as_str);
    let unnamed_kind = match treatment {
        Treatment::Patch { .. } => "<no kind>",
        Treatment::AsGiven | Treatment::FoundInFolder => "",
    };
    ObjectIdentity {
        kind: text("/kind").unwrap_or(unnamed_kind).to_string(),
        api_version: text("/apiVersion").unwrap_or_default().to_string(),
        name: text("/metadata/name").map(str::to_string),
        generate_name: None,
        namespace: text("/metadata/namespace").map(str::to_string),
        pointer: String::new(),
    }
}
