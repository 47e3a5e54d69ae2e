//! sidecar-guard: a rule engine for Kubernetes multi-container pods and the sidecar pattern.
//!
//! ```text
//! text ─input─▶ documents ─extract─▶ objects (model) ─sidecars─▶ classified pod
//!      ─rules::ALL─▶ Report (with lines)             all in `pipeline`
//! ```
//! No rule parses and no front end judges: the CLI, the Kubewarden policy and the npm
//! module call `pipeline` and only translate bytes in and reports out.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod admission;
pub(crate) mod config;
pub mod fix;
pub(crate) mod glob;
pub mod input;
pub mod model;
pub mod pipeline;
pub(crate) mod pointer;
pub(crate) mod quantity;
pub mod report;
pub mod rules;
pub mod settings;
pub(crate) mod sidecars;

#[cfg(feature = "kubewarden")]
mod policy;

pub use pipeline::{check, check_text, IGNORE_ANNOTATION_RULE};
pub use report::{Applicability, Finding, Fix, PatchOperation, Report, Role, Severity, Status};
pub use settings::{Settings, SettingsError};

/// The pod annotations that injectors record an injection with (the catalogue's).
pub use sidecars::catalogue::injector_annotations;

/// Each product of the built-in sidecar catalogue as its id and the name messages call its
/// container, in catalogue order: what generated docs list (`cargo xtask codegen`).
pub fn catalogued_products() -> impl Iterator<Item = (&'static str, &'static str)> {
    sidecars::catalogue::PRODUCTS.iter().map(|p| (p.id, p.name))
}

/// Everything that can stop an object from being checked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The text is not YAML/JSON, or exceeds a limit.
    #[error(transparent)]
    Syntax(#[from] input::yaml::SyntaxError),
    /// The document is YAML but not a valid object of its kind.
    #[error("{}: {message}", if pointer.is_empty() { "/" } else { pointer.as_str() })]
    Object { pointer: String, message: String },
}

impl Error {
    pub fn object(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Object {
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// The 1-based line, where the parser knows it.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::Syntax(e) => e.line,
            Error::Object { .. } => None,
        }
    }

    /// The JSON pointer, for errors about a part of an object.
    pub fn pointer(&self) -> Option<&str> {
        match self {
            Error::Syntax(_) => None,
            Error::Object { pointer, .. } => Some(pointer),
        }
    }
}
