//! The container-role classifier every rule asks (docs/contract.md, "Container roles").
//!
//! A `spec.containers` entry is a sidecar or the app by the first of these that decides:
//! 1. it is named by `kubectl.kubernetes.io/default-container` → it is the app;
//! 2. its name or image matches the settings' `sidecars.names` / `sidecars.images` globs;
//! 3. an injector's annotation on the pod says it added it, and it is that injector's own
//!    product (its image, or one of the injector's container names): a container of the
//!    workload's that a custom injection template modifies stays the workload's;
//! 4. **the workload is the product**: the workload's name or its `app` /
//!    `app.kubernetes.io/name` label is a catalogued product (`envoy`, `alloy`, `vault`),
//!    or an injector's app template is asked for (Istio's gateway): that product's
//!    container is the app, and the pod's other undecided containers are its helpers (a
//!    mesh's name, `istio`, names its control plane, not its proxy);
//! 5. its image is in the catalogue, or its name is one the product's own injector,
//!    operator or chart sets (`fixed_names`): a sidecar, unless the product runs in a
//!    mode that makes it the app (`vault server`, `cephcsi --type=rbd`);
//! 6. what it does makes it a helper: it only follows files that another container of the
//!    pod writes into a shared volume (a `tail -F` streaming sidecar, whatever its
//!    image), it stops another container through the shared process namespace (a
//!    watcher), or it runs `kubectl proxy` (the API server on the pod's loopback, for
//!    the containers beside it);
//! 7. otherwise it is an app container; if none is, the first container is the app.
//!
//! Every container carries the reason for its role (`RoleReason`), which findings show.
//! `initContainers` entries are native sidecars when `restartPolicy` is exactly `Always`
//! (the API is case-sensitive: `always` is an invalid init container, not a sidecar).
//! Ephemeral containers are classified apart (`classify_ephemeral`): the API forbids
//! them ports, resources and probes, and they are not sidecars, so only
//! `readonly-log-mounts` looks at them. Containers whose image matches `exemptImages` are
//! left out, after classification.

use super::process::Process;
use super::Recognition;
use crate::glob::{first_match, Glob};
use crate::model::DEFAULT_CONTAINER_ANNOTATION;
use crate::model::{Container, PodSpec, WorkloadName};
use crate::report::Role;
use crate::sidecars::catalogue::{
    product_of_fixed_name, product_of_image, repository_path, InjectionStatus, Product, PRODUCTS,
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

/// Why a container has its role; a finding's `roleReason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleReason {
    /// `kubectl.kubernetes.io/default-container` names it.
    DefaultContainer,
    /// A settings glob matched: (`sidecars.names` or `sidecars.images`, the glob).
    SettingsGlob(&'static str, String),
    /// An injector's annotation says it added it.
    Injected {
        injector: &'static str,
        annotation: &'static str,
    },
    /// The workload is this product and this is its container.
    WorkloadProduct {
        product: &'static str,
        by: String,
    },
    /// The workload is another product; this container helps it.
    HelperOfWorkload {
        product: &'static str,
        by: String,
    },
    /// The catalogue knows its image as a sidecar.
    Catalogue {
        product: &'static str,
        repository: String,
    },
    /// The catalogue knows its name, one its own injector, operator or chart sets.
    CatalogueName {
        product: &'static str,
    },
    /// The catalogue knows its image, and its mode makes it the app.
    CatalogueAppMode {
        product: &'static str,
        mode: String,
    },
    /// Its command only follows files another container writes into a shared volume.
    FollowsSharedFiles(String),
    /// Its command stops another container through the shared process namespace.
    StopsAnother(String),
    /// Its command proxies the Kubernetes API server to the pod's loopback.
    ProxiesApiServer(String),
    /// Nothing marks it as a sidecar.
    NotASidecar,
    /// Every container looked like a sidecar: the first one is taken as the app.
    FirstContainer,
    /// The pod's only container, whatever the catalogue says of its image.
    OnlyContainer,
    NativeSidecar,
    Init,
    Ephemeral,
}

impl fmt::Display for RoleReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoleReason::DefaultContainer => {
                write!(f, "pod annotation {DEFAULT_CONTAINER_ANNOTATION} names it")
            }
            RoleReason::SettingsGlob(setting, glob) => {
                write!(f, "settings: sidecars.{setting} matches {glob:?}")
            }
            RoleReason::Injected {
                injector,
                annotation,
            } => write!(f, "injected by {injector} (pod annotation {annotation})"),
            RoleReason::WorkloadProduct { product, by } => {
                write!(f, "the workload is {product} ({by}): this is its container")
            }
            RoleReason::HelperOfWorkload { product, by } => {
                write!(
                    f,
                    "the workload is {product} ({by}): this container helps it"
                )
            }
            RoleReason::Catalogue {
                product,
                repository,
            } => write!(f, "catalogue: {product} ({repository})"),
            RoleReason::CatalogueName { product } => {
                write!(
                    f,
                    "catalogue: {product} (the container name its own tooling sets)"
                )
            }
            RoleReason::CatalogueAppMode { product, mode } => {
                write!(f, "catalogue: {product} in {mode:?} mode runs as the app")
            }
            RoleReason::FollowsSharedFiles(command) => write!(
                f,
                "command: {command:?} follows files another container writes into a shared volume"
            ),
            RoleReason::StopsAnother(command) => write!(
                f,
                "command: {command:?} stops another container through the shared process namespace"
            ),
            RoleReason::ProxiesApiServer(command) => write!(
                f,
                "command: {command:?} serves the Kubernetes API to the pod's other containers"
            ),
            RoleReason::NotASidecar => f.write_str("not recognised as a sidecar"),
            RoleReason::FirstContainer => {
                f.write_str("every container looked like a helper: the first one is the app")
            }
            RoleReason::OnlyContainer => f.write_str("the pod's only container"),
            RoleReason::NativeSidecar => {
                f.write_str("an initContainers entry with restartPolicy: Always")
            }
            RoleReason::Init => f.write_str("an initContainers entry that runs to completion"),
            RoleReason::Ephemeral => f.write_str("an ephemeralContainers entry"),
        }
    }
}

/// One classified container.
#[derive(Clone, Debug)]
pub struct ContainerRef<'a> {
    pub role: Role,
    pub role_reason: RoleReason,
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
    /// `product` was found by a name its own tooling sets, not by the image.
    pub product_by_fixed_name: bool,
    /// The injector that added it, when the pod's annotations say so.
    pub injected_by: Option<&'static Product>,
    /// What its command does.
    pub process: Process,
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

    /// Its image is the placeholder an injector replaces (`image: auto`): the injector
    /// writes its image and probes.
    pub fn is_injector_placeholder(&self) -> bool {
        self.repository == INJECTED_IMAGE_PLACEHOLDER
    }

    /// Its whole process is waiting (`sleep infinity`): nothing to probe.
    pub fn is_pause(&self) -> bool {
        // The pause image, also under its per-architecture names (`pause-amd64`).
        let image = self.repository.rsplit('/').next().unwrap_or_default();
        self.process.is_pause() || image == "pause" || image.starts_with("pause-")
    }
}

/// One injection the pod's annotations record: the injector and the names it added.
pub struct Injection {
    pub injector: &'static Product,
    pub names: Vec<String>,
}

/// What the pod's injector annotations say was added. A pod that carries the mesh's
/// control-plane label had its proxy rendered by the mesh's own chart: nothing there is
/// injected.
pub fn injections(
    annotations: &BTreeMap<String, String>,
    labels: &[(&'static str, String)],
) -> Vec<Injection> {
    let mut out = Vec::new();
    for product in PRODUCTS {
        let Some(injector) = &product.injector else {
            continue;
        };
        let Some(value) = annotations.get(injector.annotation) else {
            continue;
        };
        if injector
            .control_plane_label
            .is_some_and(|label| labels.iter().any(|(key, _)| *key == label))
        {
            continue;
        }
        let names: Vec<String> = match injector.status {
            InjectionStatus::IstioJson => istio_status_names(value),
            InjectionStatus::Present => default_names(product),
            InjectionStatus::Equals(expected) if value.trim() == expected => default_names(product),
            InjectionStatus::Equals(_) => continue,
        };
        out.push(Injection {
            injector: product,
            names,
        });
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

/// What the classifier knows of the pod besides its containers.
pub struct PodFacts<'a> {
    pub annotations: &'a BTreeMap<String, String>,
    pub labels: &'a [(&'static str, String)],
    pub workload_names: &'a [WorkloadName],
}

/// Classifies the pod's init containers and containers, in pod order.
pub fn classify<'a>(
    spec: &'a PodSpec,
    spec_pointer: &str,
    facts: &PodFacts<'_>,
    recognition: &Recognition,
) -> Vec<ContainerRef<'a>> {
    let init_containers = spec.init_containers.as_deref().unwrap_or_default();
    let mut out = Vec::with_capacity(init_containers.len() + spec.containers.len());
    let injected = injections(facts.annotations, facts.labels);
    for (index, container) in init_containers.iter().enumerate() {
        let (role, reason) = if container.restart_policy.as_deref() == Some("Always") {
            (Role::NativeSidecar, RoleReason::NativeSidecar)
        } else {
            (Role::Init, RoleReason::Init)
        };
        let mut c = reference(
            container,
            role,
            reason,
            format!("{spec_pointer}/initContainers/{index}"),
            out.len(),
        );
        c.attach_injector(&injected);
        out.push(c);
    }

    let first_app_slot = out.len();
    for (index, container) in spec.containers.iter().enumerate() {
        let mut c = reference(
            container,
            Role::App,
            RoleReason::NotASidecar,
            format!("{spec_pointer}/containers/{index}"),
            out.len(),
        );
        c.attach_injector(&injected);
        out.push(c);
    }
    decide_containers(
        out.get_mut(first_app_slot..).unwrap_or_default(),
        spec,
        facts,
        recognition,
    );

    out.retain(|c| !crate::glob::any_match(recognition.exempt_images, c.image));
    out
}

/// Steps 1 to 7 of the module doc over the pod's `spec.containers`.
fn decide_containers(
    containers: &mut [ContainerRef<'_>],
    spec: &PodSpec,
    facts: &PodFacts<'_>,
    recognition: &Recognition,
) {
    let default_container = facts
        .annotations
        .get(DEFAULT_CONTAINER_ANNOTATION)
        .map(String::as_str);
    // Which containers a step has decided, and whether by the author (steps 1-2).
    let mut decided = vec![Decided::No; containers.len()];
    // Steps 1-3.
    for (c, d) in containers.iter_mut().zip(decided.iter_mut()) {
        let (role, reason, by) = if default_container == Some(c.name) {
            (Role::App, RoleReason::DefaultContainer, Decided::ByAuthor)
        } else if let Some(glob) = first_match(&recognition.sidecars.names, c.name) {
            (Role::Sidecar, glob_reason("names", glob), Decided::ByAuthor)
        } else if let Some(glob) = first_match(&recognition.sidecars.images, &c.repository) {
            (
                Role::Sidecar,
                glob_reason("images", glob),
                Decided::ByAuthor,
            )
        } else if let Some(injector) = c.injected_by {
            let annotation = injector.injector.as_ref().map_or("", |i| i.annotation);
            let reason = RoleReason::Injected {
                injector: injector.id,
                annotation,
            };
            (Role::Sidecar, reason, Decided::Yes)
        } else {
            continue;
        };
        c.role = role;
        c.role_reason = reason;
        *d = by;
    }
    // Step 4: the workload is the product.
    if let Some((app, product, by)) = workload_product(containers, facts) {
        for (i, (c, d)) in containers.iter_mut().zip(decided.iter_mut()).enumerate() {
            let by = by.clone();
            if i == app && *d != Decided::ByAuthor {
                // An injected gateway proxy stays injected; it is the app all the same.
                c.role = Role::App;
                c.role_reason = RoleReason::WorkloadProduct {
                    product: product.name,
                    by,
                };
                *d = Decided::Yes;
            } else if *d == Decided::No {
                c.role = Role::Sidecar;
                c.role_reason = RoleReason::HelperOfWorkload {
                    product: product.name,
                    by,
                };
                *d = Decided::Yes;
            }
        }
    }
    // Step 5: the catalogue, in the product's mode. A general-purpose server (nginx) is
    // known for its config only: its image says nothing about its role.
    for (c, d) in containers.iter_mut().zip(decided.iter_mut()) {
        let Some(product) = c
            .product
            .filter(|p| *d == Decided::No && !p.general_purpose)
        else {
            continue;
        };
        match app_mode(product, &c.process) {
            Some(mode) => {
                c.role = Role::App;
                c.role_reason = RoleReason::CatalogueAppMode {
                    product: product.name,
                    mode,
                };
            }
            None => {
                c.role = Role::Sidecar;
                c.role_reason = if c.product_by_fixed_name {
                    RoleReason::CatalogueName {
                        product: product.name,
                    }
                } else {
                    RoleReason::Catalogue {
                        product: product.name,
                        repository: c.repository.to_string(),
                    }
                };
            }
        }
        *d = Decided::Yes;
    }
    // Step 6: what it does.
    let shares_processes = spec.share_process_namespace == Some(true);
    let helpers: Vec<Option<RoleReason>> = containers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let undecided = decided.get(i) == Some(&Decided::No);
            undecided
                .then(|| helper_by_behaviour(c, i, containers, spec, shares_processes))
                .flatten()
        })
        .collect();
    for (c, helper) in containers.iter_mut().zip(helpers) {
        if let Some(reason) = helper {
            c.role = Role::Sidecar;
            c.role_reason = reason;
        }
    }
    // Step 7.
    let only = containers.len() == 1;
    if !containers.iter().any(|c| c.role == Role::App) {
        if let Some(first) = containers.first_mut() {
            first.role = Role::App;
            first.role_reason = if only {
                RoleReason::OnlyContainer
            } else {
                RoleReason::FirstContainer
            };
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decided {
    No,
    Yes,
    /// By the pod's annotation or the settings: no later step overrides it.
    ByAuthor,
}

fn glob_reason(setting: &'static str, glob: &Glob) -> RoleReason {
    RoleReason::SettingsGlob(setting, glob.as_str().to_string())
}

/// The container that is the workload's own product, with the product and what says so:
/// an injector's app template (Istio's gateway), else the workload's name or `app` label
/// naming a catalogued product one of the containers runs (by image, or by one of the
/// product's container names when the image is a placeholder an injector fills in).
fn workload_product(
    containers: &[ContainerRef<'_>],
    facts: &PodFacts<'_>,
) -> Option<(usize, &'static Product, String)> {
    for product in PRODUCTS {
        let Some((annotation, value)) = product.injector.as_ref().and_then(|i| i.as_app_template)
        else {
            continue;
        };
        let asked = facts
            .annotations
            .get(annotation)
            .is_some_and(|v| v.split(',').any(|t| t.trim() == value));
        if !asked {
            continue;
        }
        if let Some(i) = containers.iter().position(|c| runs_product(c, product)) {
            return Some((i, product, format!("pod annotation {annotation}: {value}")));
        }
    }
    for name in facts.workload_names {
        for (i, c) in containers.iter().enumerate() {
            let Some(product) = c.product.filter(|p| names_product(p, &name.value)) else {
                continue;
            };
            if runs_product(c, product) {
                let by = match name.source {
                    "name" => format!("its name {:?}", name.value),
                    label => format!("label {label}: {}", name.value),
                };
                return Some((i, product, by));
            }
        }
    }
    None
}

/// Whether a workload name or label names the product. Never a helper-only or
/// general-purpose product (nginx serves apps and fronts them alike). An
/// injected product's id is the mesh's name (`istio`, `linkerd`, `kuma`): a workload so
/// named is the mesh's control plane, not its proxy; and its container names
/// (`linkerd-proxy`, `istio-proxy`) name its sidecar, not a workload that runs it. For
/// those only the names the product's own charts give its workload (`workload_names`)
/// count.
fn names_product(product: &Product, name: &str) -> bool {
    let own_names_count = product.injector.is_none();
    !product.helper_only
        && !product.general_purpose
        && ((own_names_count && (product.id == name || product.names.contains(&name)))
            || product.workload_names.contains(&name))
}

/// Whether the container runs the product (by its image, or by its name under an
/// injector's placeholder image).
fn runs_product(c: &ContainerRef<'_>, product: &Product) -> bool {
    c.product.is_some_and(|p| std::ptr::eq(p, product))
}

/// The image an injector replaces (Istio's `image: auto`).
const INJECTED_IMAGE_PLACEHOLDER: &str = "auto";

/// The app mode the product's command puts it in, if any: one of its first two
/// subcommands (`vault server`, `pilot-agent proxy router`), or the image's default when
/// nothing is written.
fn app_mode(product: &Product, process: &Process) -> Option<String> {
    let modes = product.modes.as_ref()?;
    if let Some(flag) = modes.flag {
        if let Some(value) = process.flag_value(flag) {
            return modes
                .app
                .contains(&value.as_str())
                .then(|| format!("{flag}={value}"));
        }
    }
    let mut words = process.subcommands_of(Some(modes.program));
    if words.is_empty() {
        words = process.subcommands_of(None);
    }
    for word in words {
        if modes.app.contains(&word) {
            return Some(word.to_string());
        }
        if modes.helper.contains(&word) {
            return None;
        }
    }
    (modes.image_default_is_app && process.is_unset()).then(|| "image default".to_string())
}

/// Step 6: a helper by what its command does.
fn helper_by_behaviour(
    c: &ContainerRef<'_>,
    index: usize,
    containers: &[ContainerRef<'_>],
    spec: &PodSpec,
    shares_processes: bool,
) -> Option<RoleReason> {
    if let Some(files) = c.process.only_follows_files() {
        let others_write = files
            .iter()
            .all(|file| shared_with_another(c.container, file, index, containers, spec));
        if others_write {
            let command = c
                .process
                .commands
                .iter()
                .find(|cmd| cmd.program() == Some("tail"))
                .map(|cmd| cmd.text())
                .unwrap_or_default();
            return Some(RoleReason::FollowsSharedFiles(command));
        }
    }
    // `kubectl proxy` serves the API server on the pod's loopback for the containers
    // beside it (kubectl's docs: it listens on 127.0.0.1:8001 by default).
    if let Some(proxy) = c.process.commands.iter().find(|cmd| {
        cmd.program() == Some("kubectl") && cmd.arguments().first().is_some_and(|a| a == "proxy")
    }) {
        return Some(RoleReason::ProxiesApiServer(proxy.text()));
    }
    if shares_processes {
        let targets: Vec<&str> = containers
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index)
            .flat_map(|(_, other)| {
                let product_processes = other.product.map_or(&[][..], |p| p.processes);
                product_processes.iter().copied().chain([other.name])
            })
            .collect();
        if let Some(stop) = c.process.stops_process(&targets) {
            return Some(RoleReason::StopsAnother(stop.text()));
        }
    }
    None
}

/// Whether `file` lies in a volume this container mounts and another container of the
/// pod (init containers included: they may have written it first) mounts too.
fn shared_with_another(
    container: &Container,
    file: &str,
    index: usize,
    containers: &[ContainerRef<'_>],
    spec: &PodSpec,
) -> bool {
    let Some(volume) = container.volume_mounts.iter().flatten().find(|m| {
        let mount = m.mount_path.trim_end_matches('/');
        file.strip_prefix(mount)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }) else {
        return false;
    };
    let mounts_it = |other: &Container| {
        other
            .volume_mounts
            .iter()
            .flatten()
            .any(|m| m.name == volume.name)
    };
    let other_containers = containers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .any(|(_, other)| mounts_it(other.container));
    let init = spec.init_containers.iter().flatten().any(mounts_it);
    other_containers || init
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
                RoleReason::Ephemeral,
                format!("{spec_pointer}/ephemeralContainers/{index}"),
                first_position + index,
            )
        })
        .filter(|c| !crate::glob::any_match(recognition.exempt_images, c.image))
        .collect()
}

fn reference<'a>(
    container: &'a Container<'a>,
    role: Role,
    role_reason: RoleReason,
    pointer: String,
    position: usize,
) -> ContainerRef<'a> {
    let image = container.image.as_deref().unwrap_or_default();
    let repository = repository_path(image);
    let mut product_by_fixed_name = false;
    let product = product_of_image(image).or_else(|| {
        if repository == INJECTED_IMAGE_PLACEHOLDER {
            // `image: auto` is filled in by an injector (Istio's gateway chart, custom
            // injection templates): the container's name says whose it is.
            PRODUCTS
                .iter()
                .find(|p| p.injector.is_some() && p.names.contains(&&*container.name))
                .or_else(|| product_of_fixed_name(&container.name))
        } else {
            let by_name = product_of_fixed_name(&container.name);
            product_by_fixed_name = by_name.is_some();
            by_name
        }
    });
    ContainerRef {
        role,
        role_reason,
        name: &container.name,
        image,
        product,
        product_by_fixed_name,
        repository,
        pointer,
        position,
        container,
        injected_by: None,
        process: Process::read(container),
    }
}

impl ContainerRef<'_> {
    /// Marks the container as injected when an injection names it and it is the
    /// injector's own product (its image, or one of its container or companion names);
    /// an injected container under one of the injector's names takes its contract.
    fn attach_injector(&mut self, injected: &[Injection]) {
        let Some(injection) = injected
            .iter()
            .find(|inj| inj.names.iter().any(|n| n == self.name))
        else {
            return;
        };
        let injector = injection.injector;
        let own_image = self.product.is_some_and(|p| std::ptr::eq(p, injector));
        let own_name = injector.names.contains(&self.name) || self.is_companion_of(injector);
        if !own_image && !own_name {
            return;
        }
        self.injected_by = Some(injector);
        if injector.names.contains(&self.name) {
            self.product = Some(injector);
        }
    }
}
