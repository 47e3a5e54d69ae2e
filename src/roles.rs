//! The container-role classifier every rule asks (RULES.md, "Container roles").
//!
//! A `spec.containers` entry is a sidecar when, in this order:
//! 1. it is named by `kubectl.kubernetes.io/default-container` → it is the app;
//! 2. its name or image matches the settings' `sidecars.names` / `sidecars.images` globs;
//! 3. its image is in the built-in catalogue (`catalogue::SIDECAR_IMAGES`);
//! 4. unless that would leave the pod with no app container: then the first container
//!    is the app.
//!
//! `initContainers` entries are native sidecars when `restartPolicy` is exactly `Always`
//! (the API is case-sensitive: `always` is an invalid init container, not a sidecar).
//! Ephemeral containers are classified apart (`classify_ephemeral`): the API forbids
//! them ports, resources and probes, and they are not sidecars, so only
//! `readonly-log-mounts` looks at them (a debugging session that mounts the app's or the
//! node's logs writable can tamper with them like any sidecar). Containers whose image
//! matches `exemptImages` are left out, after classification.

use crate::catalogue::{is_known_sidecar, repository_path};
use crate::glob::any_match;
use crate::model::{Container, PodSpec};
use crate::report::Role;
use crate::settings::Settings;
use crate::workload::DEFAULT_CONTAINER_ANNOTATION;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// One classified container.
#[derive(Clone, Debug)]
pub struct ContainerRef<'a> {
    pub role: Role,
    pub name: &'a str,
    pub image: &'a str,
    /// The image's repository path (see `catalogue::repository_path`).
    pub repository: Cow<'a, str>,
    /// JSON pointer of the container in the document.
    pub pointer: String,
    /// Position in pod order: init containers first, then containers.
    pub position: usize,
    /// "container \"x\"", "native sidecar \"x\"", …: how messages name it (made once,
    /// not by every rule; App and Sidecar read the same, so a role fix-up keeps it right).
    pub description: String,
    pub container: &'a Container<'a>,
}

impl ContainerRef<'_> {
    pub fn is_sidecar(&self) -> bool {
        matches!(self.role, Role::Sidecar | Role::NativeSidecar)
    }
}

/// Classifies the pod's init containers and containers, in pod order.
pub fn classify<'a>(
    spec: &'a PodSpec,
    spec_pointer: &str,
    pod_annotations: &BTreeMap<String, String>,
    settings: &Settings,
) -> Vec<ContainerRef<'a>> {
    let init_containers = spec.init_containers.as_deref().unwrap_or_default();
    let mut out = Vec::with_capacity(init_containers.len() + spec.containers.len());
    for (index, container) in init_containers.iter().enumerate() {
        let role = if container.restart_policy.as_deref() == Some("Always") {
            Role::NativeSidecar
        } else {
            Role::Init
        };
        out.push(reference(
            container,
            role,
            format!("{spec_pointer}/initContainers/{index}"),
            out.len(),
        ));
    }

    let default_container = pod_annotations
        .get(DEFAULT_CONTAINER_ANNOTATION)
        .map(String::as_str);
    let first_app_slot = out.len();
    for (index, container) in spec.containers.iter().enumerate() {
        // App and Sidecar read the same in messages: the role is settled after.
        let mut c = reference(
            container,
            Role::App,
            format!("{spec_pointer}/containers/{index}"),
            out.len(),
        );
        let is_sidecar = default_container != Some(c.name)
            && (any_match(&settings.sidecars.names, c.name)
                || any_match(&settings.sidecars.images, &c.repository)
                || is_known_sidecar(&c.repository));
        if is_sidecar {
            c.role = Role::Sidecar;
        }
        out.push(c);
    }
    if !out
        .get(first_app_slot..)
        .unwrap_or_default()
        .iter()
        .any(|c| c.role == Role::App)
    {
        if let Some(first) = out.get_mut(first_app_slot) {
            first.role = Role::App;
        }
    }

    out.retain(|c| !any_match(&settings.exempt_images, c.image));
    out
}

/// The pod's ephemeral containers (converted by `workload`), after the others in pod
/// order.
pub fn classify_ephemeral<'a>(
    ephemeral: &'a [Container],
    spec_pointer: &str,
    first_position: usize,
    settings: &Settings,
) -> Vec<ContainerRef<'a>> {
    ephemeral
        .iter()
        .enumerate()
        .map(|(index, c)| {
            reference(
                c,
                Role::Ephemeral,
                format!("{spec_pointer}/ephemeralContainers/{index}"),
                first_position + index,
            )
        })
        .filter(|c| !any_match(&settings.exempt_images, c.image))
        .collect()
}

fn reference<'a>(
    container: &'a Container<'a>,
    role: Role,
    pointer: String,
    position: usize,
) -> ContainerRef<'a> {
    let image = container.image.as_deref().unwrap_or_default();
    let name = &container.name;
    let description = match role {
        Role::App | Role::Sidecar => format!("container {name:?}"),
        Role::NativeSidecar => format!("native sidecar {name:?}"),
        Role::Init => format!("init container {name:?}"),
        Role::Ephemeral => format!("ephemeral container {name:?}"),
    };
    ContainerRef {
        description,
        role,
        name: &container.name,
        image,
        repository: repository_path(image),
        pointer,
        position,
        container,
    }
}
