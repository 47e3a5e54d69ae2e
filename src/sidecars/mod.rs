//! Which containers are sidecars, and whose: the catalogue of products (one entry per
//! product, each with its sources), the injectors and their companions, and the role
//! classifier the rules read.

pub(crate) mod catalogue;
pub(crate) mod process;
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
    /// judge: findings on injector-added containers as the rules say (what only the mesh
    /// operator can change is a warning); warn: all of them warnings, for rolling the
    /// policy out in a meshed cluster; off: none.
    pub injected: InjectedFindings,
}

/// How findings on containers an injector added are reported (`sidecars.injected`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum InjectedFindings {
    /// As each rule says: what the workload's author can change through the pod keeps
    /// its severity, what only the mesh's operator can change is a warning.
    #[default]
    Judge,
    /// Every finding on an injected container is a warning.
    Warn,
    /// No findings on injected containers.
    Off,
}

/// What the settings add to the catalogue: sidecars of the user's own, and images no
/// rule judges.
#[derive(Clone, Copy, Debug)]
pub struct Recognition<'s> {
    pub sidecars: &'s SidecarSettings,
    pub exempt_images: &'s [Glob],
}
