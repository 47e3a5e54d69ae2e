//! The container-role classifier every rule asks (RULES.md, "Container roles").
//!
//! A `spec.containers` entry is a sidecar when, in this order:
//! 1. it is named by `kubectl.kubernetes.io/default-container` → it is the app;
//! 2. its name or image matches the settings' `sidecars.names` / `sidecars.images` globs;
//! 3. an injector's status annotation on the pod names it as injected (`injections`);
//! 4. its image is in the built-in catalogue (`catalogue::PRODUCTS`);
//! 5. unless that would leave the pod with no app container: then the first container
//!    is the app.
//!
//! Each container also learns its catalogue product (by image, or by the injector that
//! added it under one of the product's names) and which injector added it, if any: rules
//! judge injected containers against their vendor's contract.
//!
//! `initContainers` entries are native sidecars when `restartPolicy` is exactly `Always`
//! (the API is case-sensitive: `always` is an invalid init container, not a sidecar).
//! Ephemeral containers are classified apart (`classify_ephemeral`): the API forbids
//! them ports, resources and probes, and they are not sidecars, so only
//! `readonly-log-mounts` looks at them (a debugging session that mounts the app's or the
//! node's logs writable can tamper with them like any sidecar). Containers whose image
//! matches `exemptImages` are left out, after classification.

use super::Recognition;
use crate::glob::any_match;
use crate::model::DEFAULT_CONTAINER_ANNOTATION;
use crate::model::{Container, PodSpec};
use crate::report::Role;
use crate::sidecars::catalogue::{
    product_of_image, repository_path, InjectionStatus, Product, PRODUCTS,
};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// How a message names a container (`ContainerRef::description`).
#[derive(Clone, Copy, Debug)]
pub struct Description<'a> {
    role: Role,
    name: &'a str,
}

impl fmt::Display for Description<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name;
        match self.role {
            Role::App | Role::Sidecar => write!(f, "container {name:?}"),
            Role::NativeSidecar => write!(f, "native sidecar {name:?}"),
            Role::Init => write!(f, "init container {name:?}"),
            Role::Ephemeral => write!(f, "ephemeral container {name:?}"),
        }
    }
}

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
    pub container: &'a Container<'a>,
    /// The catalogue's entry for it, when known.
    pub product: Option<&'static Product>,
    /// The injector that added it, when the pod's annotations say so.
    pub injected_by: Option<&'static Product>,
}

impl ContainerRef<'_> {
    /// "container \"x\"", "native sidecar \"x\"", …: how messages name it. Written only
    /// into a finding's message, so no string is made for a container without one.
    pub fn description(&self) -> Description<'_> {
        Description {
            role: self.role,
            name: self.name,
        }
    }

    pub fn is_sidecar(&self) -> bool {
        matches!(self.role, Role::Sidecar | Role::NativeSidecar)
    }

    /// An init container its injector adds to prepare the pod (network setup, validation).
    pub fn is_companion_of(&self, product: &Product) -> bool {
        product
            .injector
            .as_ref()
            .is_some_and(|i| i.companions.contains(&self.name))
    }
}

/// What the pod's injector annotations say was added: (injector, container names).
pub fn injections(annotations: &BTreeMap<String, String>) -> Vec<(&'static Product, Vec<String>)> {
    let mut out = Vec::new();
    for product in PRODUCTS {
        let Some(injector) = &product.injector else {
            continue;
        };
        let Some(value) = annotations.get(injector.annotation) else {
            continue;
        };
        let names: Vec<String> = match injector.status {
            InjectionStatus::IstioJson => istio_status_names(value),
            InjectionStatus::Present => default_names(product),
            InjectionStatus::Equals(expected) if value.trim() == expected => default_names(product),
            InjectionStatus::Equals(_) => continue,
        };
        out.push((product, names));
    }
    out
}

fn default_names(product: &Product) -> Vec<String> {
    let companions = product.injector.as_ref().map_or(&[][..], |i| i.companions);
    product
        .names
        .iter()
        .chain(companions)
        .map(|n| n.to_string())
        .collect()
}

/// Container names in Istio's `sidecar.istio.io/status` JSON (`containers`,
/// `initContainers`); an unreadable value names none.
fn istio_status_names(value: &str) -> Vec<String> {
    let Ok(status) = serde_json::from_str::<serde_json::Value>(value) else {
        return Vec::new();
    };
    ["containers", "initContainers"]
        .iter()
        .filter_map(|key| status.get(key).and_then(|v| v.as_array()))
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// Classifies the pod's init containers and containers, in pod order.
pub fn classify<'a>(
    spec: &'a PodSpec,
    spec_pointer: &str,
    pod_annotations: &BTreeMap<String, String>,
    recognition: &Recognition,
) -> Vec<ContainerRef<'a>> {
    let init_containers = spec.init_containers.as_deref().unwrap_or_default();
    let mut out = Vec::with_capacity(init_containers.len() + spec.containers.len());
    let injected = injections(pod_annotations);
    for (index, container) in init_containers.iter().enumerate() {
        let role = if container.restart_policy.as_deref() == Some("Always") {
            Role::NativeSidecar
        } else {
            Role::Init
        };
        let mut c = reference(
            container,
            role,
            format!("{spec_pointer}/initContainers/{index}"),
            out.len(),
        );
        c.attach_injector(&injected);
        out.push(c);
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
        c.attach_injector(&injected);
        let is_sidecar = default_container != Some(c.name)
            && (any_match(&recognition.sidecars.names, c.name)
                || any_match(&recognition.sidecars.images, &c.repository)
                || c.injected_by.is_some()
                || c.product.is_some());
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

    out.retain(|c| !any_match(recognition.exempt_images, c.image));
    out
}

/// The pod's ephemeral containers (converted by `workload`), after the others in pod
/// order.
pub fn classify_ephemeral<'a>(
    ephemeral: &'a [Container],
    spec_pointer: &str,
    first_position: usize,
    recognition: &Recognition,
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
        .filter(|c| !any_match(recognition.exempt_images, c.image))
        .collect()
}

fn reference<'a>(
    container: &'a Container<'a>,
    role: Role,
    pointer: String,
    position: usize,
) -> ContainerRef<'a> {
    let image = container.image.as_deref().unwrap_or_default();
    let repository = repository_path(image);
    ContainerRef {
        role,
        name: &container.name,
        image,
        product: product_of_image(&repository),
        repository,
        pointer,
        position,
        container,
        injected_by: None,
    }
}

impl ContainerRef<'_> {
    /// Marks the container as injected when an injection names it; an injected container
    /// under one of the injector's product names takes that product's contract.
    fn attach_injector(&mut self, injected: &[(&'static Product, Vec<String>)]) {
        let Some((injector, _)) = injected
            .iter()
            .find(|(_, names)| names.iter().any(|n| n == self.name))
        else {
            return;
        };
        self.injected_by = Some(injector);
        if injector.names.contains(&self.name) {
            self.product = Some(injector);
        }
    }
}
