//! Reading input: YAML 1.1 and JSON text with spans and limits, the JSON fast path and
//! its line lookup, every pod-carrying kind extracted into the model, and the related
//! objects of an input (ConfigMaps) kept as context.

pub(crate) mod context;
pub(crate) mod json_lines;
mod kinds;
mod metadata;
mod nesting;
mod object;
mod read;
mod template;
pub mod workload;
pub mod yaml;

pub use metadata::is_read_annotation;
pub use workload::{pod_carrying_kinds, pod_carrying_resources};
