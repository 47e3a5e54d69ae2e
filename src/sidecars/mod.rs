//! Which containers are sidecars, and whose: the catalogue of products (one entry per
//! product, each with its sources), the injectors and their companions, and the role
//! classifier the rules read.

pub(crate) mod catalogue;
pub(crate) mod roles;

use crate::glob::Glob;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Globs that mark a `spec.containers` entry as a classic sidecar.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SidecarSettings {
    /// Globs on the image repository path (registry, tag and digest stripped, lower case),
    /// like "corp/log-agent*".
    pub images: Vec<Glob>,
    /// Globs on the container name, like "*-sidecar".
    pub names: Vec<Glob>,
}

/// What the settings add to the catalogue: sidecars of the user's own, and images no
/// rule judges.
#[derive(Clone, Copy, Debug)]
pub struct Recognition<'s> {
    pub sidecars: &'s SidecarSettings,
    pub exempt_images: &'s [Glob],
}
