use super::options::{CheckedRole, SeverityOverride};
use super::{Findings, Message, Pod, Rule, RuleSettings};
use crate::model::Quantity as ApiQuantity;
use crate::pointer::escape as escape_pointer;
use crate::quantity::Quantity;
use crate::quantity::{PositiveNumber, QuantityValue};
use crate::report::{Applicability, Fix, PatchOperation, Role, Severity};
use crate::sidecars::roles::ContainerRef;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

declare_rule! {
    /// ## What it does
    /// Checks that every container (app, sidecar, native sidecar, init) declares its own
    /// resource requests and limits, that each quantity is valid, that no request exceeds
    /// its limit, and that values stay within the bounds and ratios the settings set.
    /// Optionally it caps each sidecar's limits and the sidecars' share of the pod's
    /// requests.
    ///
    /// ## Why is this bad?
    /// The scheduler places a pod by the sum of its containers' requests, and the kubelet
    /// enforces each container's limits separately. A sidecar without requests is invisible
    /// to scheduling; without a memory limit one leaking log shipper can take the node's
    /// memory and get the app evicted with it. A CPU limit is different: CPU requests
    /// already share the CPU under contention, and a limit only throttles bursts into idle
    /// CPU, which hurts proxies most. So by default `requests.cpu`, `requests.memory` and
    /// `limits.memory` are required (`deny`) and `limits.cpu` is advice (`warn`,
    /// `advisedLimits`). Init containers run alone and briefly before the app: everything
    /// they miss is advice. A container missing several things gets one finding per
    /// severity, so a denial never hides advice and advice never hides a denial; one with
    /// no `resources` at all gets one finding naming everything required.
    ///
    /// On an injected container, a missing request or limit keeps its severity when the
    /// pod's annotations size it (Istio's `sidecar.istio.io/proxyCPU`, Linkerd's
    /// `config.linkerd.io/proxy-cpu-request`, …), and `help` names them; when only the
    /// mesh's configuration sizes it (Kuma, App Mesh's init container), it is a `warn`
    /// that says the mesh's operator sets it.
    ///
    /// A request left out while its limit is set counts as set: the API server copies the
    /// limit into the request. With `kubernetesVersion` 1.34 or later, a pod-level limit in
    /// `spec.resources` satisfies the limit requirement of every container for that
    /// resource. An unparsable or negative quantity, and a request above its limit, are
    /// findings whatever the requirement settings say: the API server rejects both.
    /// `sidecarShare` compares the sum of sidecars' (and native sidecars') requests with
    /// the sum of app containers' requests per resource, as a pod-level finding; it is
    /// skipped for a resource no app container requests.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: shop}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: shop/api:v3
    ///       resources:
    ///         requests: {cpu: 100m, memory: 256Mi}
    ///         limits: {cpu: 500m, memory: 512Mi}
    ///     - name: log-shipper
    ///       image: fluent/fluent-bit:2.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: shop}
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: shop/api:v3
    ///       resources:
    ///         requests: {cpu: 100m, memory: 256Mi}
    ///         limits: {cpu: 500m, memory: 512Mi}
    ///     - name: log-shipper
    ///       image: fluent/fluent-bit:2.2
    ///       resources:
    ///         requests:
    ///           cpu: 50m
    ///           memory: 64Mi
    ///         limits:
    ///           cpu: 100m
    ///           memory: 128Mi
    /// ```
    ///
    /// ## Fix
    /// **Unsafe**, and only where the settings give values: the requests and limits missing on a
    /// container are written from `defaults` for its role (`resources`, `resources.requests` or
    /// single names, whichever is missing). Requests change where the pod is scheduled and
    /// limits can throttle or OOM-kill it, so the author reviews them. A default that would
    /// contradict a value already written (a limit below its request) is left out; the settings
    /// reject a default request above its role's default limit. The Use instead above is
    /// the Example fixed with `defaults: {sidecar: {requests: {cpu: 50m, memory: 64Mi},
    /// limits: {cpu: 100m, memory: 128Mi}}}`. Invalid quantities, a request
    /// above its limit and out-of-bounds values get no fix: the right value is the author's.
    ///
    /// ## Options
    /// `requests`, `limits` (resource names that must be set), `advisedLimits` (limits
    /// whose absence is advice; a name may not be in both), `roles`, `minRequests`,
    /// `maxRequests`, `minLimits`, `maxLimits`, `maxLimitRequestRatio`, `sidecarMax`,
    /// `sidecarShare`, `defaults` (per role — `app`, `sidecar`, `native-sidecar`, `init` —
    /// the `requests` and `limits` a fix writes where they are missing), `severity`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/>
    /// - <https://kubernetes.io/docs/concepts/policy/limit-range/>
    /// - <https://kubernetes.io/docs/tasks/configure-pod-container/assign-pod-level-resources/>
    pub struct ContainerResources {
        id: "container-resources",
        summary: "every container has its own requests and limits",
        category: "resources",
        since: "0.1.0",
        default_severity: Deny,
    }
}

/// Settings of `container-resources`.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ResourceSettings {
    /// deny | warn | off; unset keeps each finding's default severity (deny).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<SeverityOverride>,
    /// Resource names every checked container must request.
    pub requests: Vec<String>,
    /// Resource names every checked container must limit.
    pub limits: Vec<String>,
    /// Resource names whose missing limit is advice (warn): a CPU limit only throttles
    /// bursts into idle CPU. A name may not also be in `limits`.
    pub advised_limits: Vec<String>,
    /// The roles checked.
    pub roles: Vec<CheckedRole>,
    /// Lowest request allowed, per resource.
    pub min_requests: BTreeMap<String, QuantityValue>,
    /// Highest request allowed, per resource.
    pub max_requests: BTreeMap<String, QuantityValue>,
    /// Lowest limit allowed, per resource.
    pub min_limits: BTreeMap<String, QuantityValue>,
    /// Highest limit allowed, per resource.
    pub max_limits: BTreeMap<String, QuantityValue>,
    /// Highest limit / request ratio, per resource (as in a LimitRange).
    pub max_limit_request_ratio: BTreeMap<String, PositiveNumber>,
    /// Highest limit of each sidecar and native sidecar, per resource.
    pub sidecar_max: BTreeMap<String, QuantityValue>,
    /// Highest share of the sidecars' total requests relative to the app containers'
    /// total requests (0.5: sidecars may request half of what the apps request).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sidecar_share: Option<PositiveNumber>,
    /// Requests and limits that fixes write where a container of that role misses them
    /// (an unsafe fix: `check --fix --unsafe-fixes`); empty by default, so no fix.
    #[serde(skip_serializing_if = "ResourceDefaults::is_empty")]
    pub defaults: ResourceDefaults,
}

/// Fill-in values per role for the fix of missing requests and limits.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct ResourceDefaults {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<RoleDefaults>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sidecar: Option<RoleDefaults>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub native_sidecar: Option<RoleDefaults>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init: Option<RoleDefaults>,
}

/// The requests and limits to write, per resource name (`{cpu: 50m, memory: 64Mi}`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RoleDefaults {
    pub requests: BTreeMap<String, QuantityValue>,
    pub limits: BTreeMap<String, QuantityValue>,
}

impl ResourceDefaults {
    pub fn is_empty(&self) -> bool {
        self.roles().all(|(_, d)| d.is_none())
    }

    /// Each role's key in the settings and its defaults.
    pub fn roles(&self) -> impl Iterator<Item = (&'static str, Option<&RoleDefaults>)> {
        [
            ("app", self.app.as_ref()),
            ("sidecar", self.sidecar.as_ref()),
            ("native-sidecar", self.native_sidecar.as_ref()),
            ("init", self.init.as_ref()),
        ]
        .into_iter()
    }

    fn of(&self, role: Role) -> Option<&RoleDefaults> {
        match role {
            Role::App => self.app.as_ref(),
            Role::Sidecar => self.sidecar.as_ref(),
            Role::NativeSidecar => self.native_sidecar.as_ref(),
            Role::Init => self.init.as_ref(),
            Role::Ephemeral => None,
        }
    }
}

impl Default for ResourceSettings {
    fn default() -> Self {
        ResourceSettings {
            severity: None,
            requests: vec!["cpu".to_string(), "memory".to_string()],
            limits: vec!["memory".to_string()],
            advised_limits: vec!["cpu".to_string()],
            roles: vec![
                CheckedRole::App,
                CheckedRole::Sidecar,
                CheckedRole::NativeSidecar,
                CheckedRole::Init,
            ],
            min_requests: BTreeMap::new(),
            max_requests: BTreeMap::new(),
            min_limits: BTreeMap::new(),
            max_limits: BTreeMap::new(),
            max_limit_request_ratio: BTreeMap::new(),
            sidecar_max: BTreeMap::new(),
            sidecar_share: None,
            defaults: ResourceDefaults::default(),
        }
    }
}

impl RuleSettings for ResourceSettings {
    fn severity(&self) -> Option<SeverityOverride> {
        self.severity
    }
}

/// A container's parsed requests and limits; invalid quantities are reported and left out.
/// Borrowed from the container: names and texts are the manifest's own strings.
struct Resources<'a> {
    requests: Quantities<'a>,
    limits: Quantities<'a>,
    /// Names written at all, valid or not: an invalid value is reported as invalid, not
    /// as missing too.
    written_requests: Vec<&'a str>,
    written_limits: Vec<&'a str>,
}

/// Parsed quantities by resource name, in name order (a container names two or three:
/// a list beats a map).
#[derive(Default)]
struct Quantities<'a>(Vec<(&'a str, Written<'a>)>);

impl<'a> Quantities<'a> {
    fn get(&self, name: &str) -> Option<&Written<'a>> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, w)| w)
    }

    fn iter(&self) -> impl Iterator<Item = (&'a str, &Written<'a>)> {
        self.0.iter().map(|(n, w)| (*n, w))
    }
}

/// A parsed quantity with the text the manifest wrote, for messages.
#[derive(Clone, Debug)]
struct Written<'a> {
    value: Quantity,
    text: &'a str,
}

impl<'a> Resources<'a> {
    /// The request the API server will store: the request, or else the limit it copies.
    fn effective_request(&self, name: &str) -> Option<&Written<'a>> {
        self.requests.get(name).or_else(|| self.limits.get(name))
    }

    fn limit(&self, name: &str) -> Option<&Written<'a>> {
        self.limits.get(name)
    }
}

impl Rule for ContainerResources {
    type Settings = ResourceSettings;

    fn check(&self, pod: &Pod<'_>, s: &ResourceSettings, out: &mut Findings) {
        let pod_limits = pod_level_limits(pod);
        let mut sidecar_total = Totals::default();
        let mut app_total = Totals::default();
        for c in pod.with_roles(&s.roles) {
            let resources = parse_resources(c, out);
            check_written(c, s, &resources, &pod_limits, out);
            for (bounds, field, bound) in [
                (&s.min_requests, Field::Requests, Bound::Minimum),
                (&s.max_requests, Field::Requests, Bound::Maximum),
                (&s.min_limits, Field::Limits, Bound::Minimum),
                (&s.max_limits, Field::Limits, Bound::Maximum),
            ] {
                check_bounds(c, &resources, bounds, field, bound, out);
            }
            if c.is_sidecar() {
                let bound = Bound::SidecarMaximum;
                check_bounds(c, &resources, &s.sidecar_max, Field::Limits, bound, out);
            }
            check_ratios(c, &resources, &s.max_limit_request_ratio, out);
            match c.role {
                Role::Sidecar | Role::NativeSidecar => sidecar_total.add(&resources),
                Role::App => app_total.add(&resources),
                Role::Init | Role::Ephemeral => {}
            }
        }
        if let Some(share) = s.sidecar_share {
            sidecar_budget(pod, out, share.0, &sidecar_total, &app_total);
        }
    }
}

/// Requests and limits that are missing, zero, or contradict each other. What is missing
/// is reported once per severity: required limits and requests (deny; advice for init
/// containers), advised limits (warn).
fn check_written(
    c: &ContainerRef<'_>,
    s: &ResourceSettings,
    resources: &Resources,
    pod_limits: &BTreeMap<String, Quantity>,
    out: &mut Findings,
) {
    fn missing_limit<'s>(
        names: &'s [String],
        resources: &Resources,
        pod_limits: &BTreeMap<String, Quantity>,
    ) -> Vec<&'s str> {
        names
            .iter()
            .map(String::as_str)
            .filter(|name| {
                !resources.written_limits.contains(name) && !pod_limits.contains_key(*name)
            })
            .collect()
    }
    let missing_requests: Vec<&str> = s
        .requests
        .iter()
        .map(String::as_str)
        .filter(|name| {
            !resources.written_requests.contains(name) && !resources.written_limits.contains(name)
        })
        .collect();
    let mut missing_limits = missing_limit(&s.limits, resources, pod_limits);
    let mut missing_advised = missing_limit(&s.advised_limits, resources, pod_limits);
    // Init containers run alone and briefly before the app: what they miss is advice,
    // so required and advised limits make one finding of one severity.
    let required = if c.role == Role::Init {
        missing_limits.append(&mut missing_advised);
        Severity::Warn
    } else {
        Severity::Deny
    };
    let nothing_written =
        resources.written_requests.is_empty() && resources.written_limits.is_empty();
    let fill = |requests: &[&str], limits: &[&str]| fill_in(c, s, resources, requests, limits);
    // The fix of what is required fills in the advised limits too: one edit of the
    // container, not two.
    let all_limits: Vec<&str> = missing_limits
        .iter()
        .chain(&missing_advised)
        .copied()
        .collect();
    if nothing_written && !missing_requests.is_empty() && !missing_limits.is_empty() {
        // One finding for a container with no resources at all, naming everything of
        // that severity.
        let fix = fill(&missing_requests, &all_limits);
        out.container(
            c,
            no_resources(c, &missing_requests, &missing_limits)
                .severity(required)
                .fix(fix),
        );
    } else if !missing_requests.is_empty() && !missing_limits.is_empty() {
        // One finding per severity: the requests and limits it misses together.
        let fix = fill(&missing_requests, &all_limits);
        out.container(
            c,
            no_requests_nor_limits(c, &missing_requests, &missing_limits)
                .severity(required)
                .fix(fix),
        );
    } else {
        if !missing_requests.is_empty() {
            let fix = fill(&missing_requests, &[]);
            out.container(
                c,
                no_requests(c, &missing_requests)
                    .severity(required)
                    .fix(fix),
            );
        }
        if !missing_limits.is_empty() {
            let fix = fill(&[], &all_limits);
            out.container(c, no_limits(c, &missing_limits).severity(required).fix(fix));
        }
    }
    if !missing_advised.is_empty() {
        let fix = fill(&[], &missing_advised);
        out.container(c, no_advised_limits(c, &missing_advised).fix(fix));
    }
    for name in s.limits.iter().map(String::as_str) {
        let zero = resources
            .limits
            .get(name)
            .is_some_and(|l| l.value.is_zero());
        if zero && !pod_limits.contains_key(name) {
            out.container(c, zero_limit(c, name).severity(required));
        }
    }
    for (name, limit) in resources.limits.iter() {
        // A zero limit is no limit (reported above), not one every request exceeds.
        let request = resources.requests.get(name);
        if let Some(request) = request.filter(|r| r.value > limit.value && !limit.value.is_zero()) {
            out.container(c, request_above_limit(c, name, request, limit));
        }
    }
}

/// The settings' `defaults` for the container's role written where it misses them. Unsafe:
/// requests change where the pod is scheduled and limits can throttle or OOM-kill it. A
/// default that would contradict a value the container has (a limit below its request)
/// is left out: a fix never writes what the API server rejects.
fn fill_in(
    c: &ContainerRef<'_>,
    s: &ResourceSettings,
    resources: &Resources,
    requests: &[&str],
    limits: &[&str],
) -> Option<Fix> {
    let defaults = s.defaults.of(c.role)?;
    let requests: Vec<(&str, &QuantityValue)> = requests
        .iter()
        .filter_map(|name| Some((*name, defaults.requests.get(*name)?)))
        .filter(|(name, d)| resources.limit(name).is_none_or(|l| d.value <= l.value))
        .collect();
    let limits: Vec<(&str, &QuantityValue)> = limits
        .iter()
        .filter_map(|name| Some((*name, defaults.limits.get(*name)?)))
        .filter(|(name, d)| {
            resources
                .requests
                .get(name)
                .is_none_or(|r| r.value <= d.value)
        })
        .collect();
    if requests.is_empty() && limits.is_empty() {
        return None;
    }
    let map = |items: &[(&str, &QuantityValue)]| {
        serde_json::Value::Object(
            items
                .iter()
                .map(|(name, d)| (name.to_string(), serde_json::Value::String(d.text.clone())))
                .collect(),
        )
    };
    let written = c.container.resources.as_ref();
    let mut operations = Vec::new();
    // `resources` first, then its halves: requests before limits, as people write them
    // (one object would come out in the JSON map's key order).
    if written.is_none() {
        operations.push(PatchOperation::Add {
            path: format!("{}/resources", c.pointer),
            value: serde_json::Value::Object(serde_json::Map::new()),
        });
    }
    {
        for (key, items, present) in [
            (
                "requests",
                &requests,
                written.is_some_and(|r| r.requests.is_some()),
            ),
            (
                "limits",
                &limits,
                written.is_some_and(|r| r.limits.is_some()),
            ),
        ] {
            if items.is_empty() {
                continue;
            }
            if present {
                for (name, d) in items.iter() {
                    operations.push(PatchOperation::Add {
                        path: format!("{}/resources/{key}/{}", c.pointer, escape_pointer(name)),
                        value: serde_json::Value::String(d.text.clone()),
                    });
                }
            } else {
                operations.push(PatchOperation::Add {
                    path: format!("{}/resources/{key}", c.pointer),
                    value: map(items),
                });
            }
        }
    }
    let listed = |items: &[(&str, &QuantityValue)]| {
        items
            .iter()
            .map(|(name, d)| format!("{name} {}", d.text))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if !requests.is_empty() {
        parts.push(format!("requests {}", listed(&requests)));
    }
    if !limits.is_empty() {
        parts.push(format!("limits {}", listed(&limits)));
    }
    Some(Fix {
        title: format!(
            "set {} of {:?} from the {} defaults",
            parts.join("; "),
            c.name,
            c.role
        ),
        applicability: Applicability::Unsafe,
        operations,
    })
}

/// Which half of `resources` a setting bounds.
#[derive(Clone, Copy)]
enum Field {
    Requests,
    Limits,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Field::Requests => "requests",
            Field::Limits => "limits",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Field::Requests => "request",
            Field::Limits => "limit",
        }
    }

    /// The value the API server will hold: a request defaults to the limit.
    fn value<'r, 'a>(self, resources: &'r Resources<'a>, name: &str) -> Option<&'r Written<'a>> {
        match self {
            Field::Requests => resources.effective_request(name),
            Field::Limits => resources.limit(name),
        }
    }
}

/// Which side of a value a setting bounds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Minimum,
    Maximum,
    /// `sidecarMax`: a maximum for sidecars only.
    SidecarMaximum,
}

impl Bound {
    fn is_crossed_by(self, value: Quantity, bound: Quantity) -> bool {
        match self {
            Bound::Minimum => value < bound,
            Bound::Maximum | Bound::SidecarMaximum => value > bound,
        }
    }
}

/// Values outside the range the settings allow: one check for every bound.
fn check_bounds(
    c: &ContainerRef<'_>,
    resources: &Resources,
    bounds: &BTreeMap<String, QuantityValue>,
    field: Field,
    bound: Bound,
    out: &mut Findings,
) {
    for (name, limit) in bounds {
        let Some(value) = field.value(resources, name) else {
            continue;
        };
        if bound.is_crossed_by(value.value, limit.value) {
            out.container(c, out_of_bounds(c, name, field, value, bound, limit));
        }
    }
}

fn check_ratios(
    c: &ContainerRef<'_>,
    resources: &Resources,
    maxima: &BTreeMap<String, PositiveNumber>,
    out: &mut Findings,
) {
    for (name, max_ratio) in maxima {
        let (Some(limit), Some(request)) =
            (resources.limit(name), resources.effective_request(name))
        else {
            continue;
        };
        let ratio = if request.value.is_zero() {
            f64::INFINITY
        } else {
            limit.value.as_f64() / request.value.as_f64()
        };
        if ratio > max_ratio.0 {
            out.container(c, ratio_above(c, name, ratio, max_ratio.0));
        }
    }
}

/// The requests of one role's containers, summed per resource.
#[derive(Default)]
struct Totals<'a>(BTreeMap<&'a str, Quantity>);

impl<'a> Totals<'a> {
    /// Adds a container's effective requests (a limit alone is the request too).
    fn add(&mut self, resources: &Resources<'a>) {
        let limited_only = resources
            .limits
            .iter()
            .filter(|(name, _)| resources.requests.get(name).is_none());
        for (name, _) in resources.requests.iter().chain(limited_only) {
            if let Some(request) = resources.effective_request(name) {
                let sum = self.0.entry(name).or_insert(Quantity::from_nanos(0));
                *sum = sum.checked_add(request.value).unwrap_or(*sum);
            }
        }
    }
}

// Message constructors: every finding this rule reports.

fn no_resources(c: &ContainerRef<'_>, requests: &[&str], limits: &[&str]) -> Message {
    Message::deny(
        format!(
            "{} has no resources: no {} and no {}",
            c.description(),
            plural(requests, "request"),
            plural(limits, "limit")
        ),
        requests_and_limits_help(c, requests, limits),
    )
    .operator_only(!sized_by_annotations(c))
}

/// The remedy for missing requests and limits together.
fn requests_and_limits_help(c: &ContainerRef<'_>, requests: &[&str], limits: &[&str]) -> String {
    remedy(
        c,
        format!(
            "set resources.requests ({}) to what it needs at steady state and resources.limits ({}) so it cannot starve the others in the pod",
            requests.join(", "),
            limits.join(", ")
        ),
    )
}

fn no_requests_nor_limits(c: &ContainerRef<'_>, requests: &[&str], limits: &[&str]) -> Message {
    Message::deny(
        format!(
            "{} has no {} and no {}",
            c.description(),
            plural(requests, "request"),
            plural(limits, "limit")
        ),
        requests_and_limits_help(c, requests, limits),
    )
    .at("/resources")
    .operator_only(!sized_by_annotations(c))
}

fn no_requests(c: &ContainerRef<'_>, names: &[&str]) -> Message {
    Message::deny(
        format!("{} has no {}", c.description(), plural(names, "request")),
        remedy(
            c,
            format!(
                "set resources.requests ({}) to what the container needs at steady state",
                names.join(", ")
            ),
        ),
    )
    .at("/resources/requests")
    .operator_only(!sized_by_annotations(c))
}

fn no_limits(c: &ContainerRef<'_>, names: &[&str]) -> Message {
    Message::deny(
        format!("{} has no {}", c.description(), plural(names, "limit")),
        remedy(
            c,
            format!(
                "set resources.limits ({}) so this container cannot starve the others in the pod",
                names.join(", ")
            ),
        ),
    )
    .at("/resources/limits")
    .operator_only(!sized_by_annotations(c))
}

fn no_advised_limits(c: &ContainerRef<'_>, names: &[&str]) -> Message {
    Message::warn(
        format!("{} has no {}", c.description(), plural(names, "limit")),
        remedy(
            c,
            format!(
                "consider resources.limits ({}): without one the container may burst into idle capacity; a tight CPU limit throttles proxies under load, so leave headroom",
                names.join(", ")
            ),
        ),
    )
    .at("/resources/limits")
    .operator_only(!sized_by_annotations(c))
}

fn zero_limit(c: &ContainerRef<'_>, name: &str) -> Message {
    Message::deny(
        format!(
            "{} sets its {name} limit to 0, which the kubelet reads as no limit",
            c.description()
        ),
        remedy(
            c,
            format!("set limits.{name} to the most this container may use"),
        ),
    )
    .at(format!("/resources/limits/{}", escape_pointer(name)))
}

fn request_above_limit(
    c: &ContainerRef<'_>,
    name: &str,
    request: &Written,
    limit: &Written,
) -> Message {
    Message::deny(
        format!(
            "{} requests more {name} ({}) than its limit ({})",
            c.description(),
            request.text,
            limit.text
        ),
        format!("lower requests.{name} to at most limits.{name}"),
    )
    .at(format!("/resources/requests/{}", escape_pointer(name)))
}

fn out_of_bounds(
    c: &ContainerRef<'_>,
    name: &str,
    field: Field,
    value: &Written,
    bound: Bound,
    limit: &QuantityValue,
) -> Message {
    let (relation, verb, direction) = match bound {
        Bound::Minimum => ("below the minimum", "raise", "more"),
        Bound::Maximum => ("above the maximum", "lower", "less"),
        Bound::SidecarMaximum => ("above the sidecar maximum", "lower", "less"),
    };
    let key = field.key();
    Message::deny(
        format!(
            "{}: {name} {} {} is {relation} {}",
            c.description(),
            field.noun(),
            value.text,
            limit.text
        ),
        format!("{verb} {key}.{name} to {} or {direction}", limit.text),
    )
    .at(format!("/resources/{key}/{}", escape_pointer(name)))
}

fn ratio_above(c: &ContainerRef<'_>, name: &str, ratio: f64, max: f64) -> Message {
    Message::deny(
        format!(
            "{}: {name} limit/request ratio {} is above the maximum {max}",
            c.description(),
            format_ratio(ratio)
        ),
        format!("raise requests.{name} or lower limits.{name} so that limit ≤ {max} × request"),
    )
    .at(format!("/resources/limits/{}", escape_pointer(name)))
}

fn invalid_quantity(
    c: &ContainerRef<'_>,
    name: &str,
    field: Field,
    text: &str,
    e: &dyn std::fmt::Display,
) -> Message {
    Message::deny(
        format!(
            "{} has an invalid {name} {} {text:?}: it {e}",
            c.description(),
            field.noun()
        ),
        "write a Kubernetes quantity such as 250m, 0.5, 128Mi or 1Gi",
    )
    .at(format!(
        "/resources/{}/{}",
        field.key(),
        escape_pointer(name)
    ))
}

fn sidecar_share_exceeded(name: &str, sidecars: &Quantity, apps: &Quantity, share: f64) -> Message {
    let actual = sidecars.as_f64() / apps.as_f64();
    Message::deny(
        format!(
            "sidecars request {} {name}, {:.0}% of the app containers' {} (at most {:.0}% allowed)",
            sidecars.display_for(name),
            actual * 100.0,
            apps.display_for(name),
            share * 100.0
        ),
        format!("lower the sidecars' {name} requests or raise the sidecarShare setting"),
    )
    .at("/containers")
}

/// The remedy for this container: for an injected one, the injector's annotations when
/// they size it (the proxy itself, and companions where the injector says so).
fn remedy(c: &ContainerRef<'_>, help: String) -> String {
    let Some(injector) = c.injected_by else {
        return help;
    };
    if sized_by_annotations(c) {
        format!(
            "{} injects this container: set its resources with the pod annotations {}",
            injector.id,
            injector.resource_annotations.join(", ")
        )
    } else {
        format!(
            "{help} ({} injects this container and no pod annotation sizes it: only the mesh's operator can, in the injector's configuration)",
            injector.id
        )
    }
}

/// Whether the pod's annotations size this injected container (the proxy itself, and
/// companions where the injector says so). True for containers nobody injected.
fn sized_by_annotations(c: &ContainerRef<'_>) -> bool {
    let Some(injector) = c.injected_by else {
        return true;
    };
    !injector.resource_annotations.is_empty()
        && (injector.names.contains(&c.name)
            || (c.is_companion_of(injector)
                && injector
                    .injector
                    .as_ref()
                    .is_some_and(|i| i.companions_sized_by_annotations)))
}

/// Parses every quantity of a container, reporting the ones that do not parse.
fn parse_resources<'a>(c: &ContainerRef<'a>, out: &mut Findings) -> Resources<'a> {
    let requirements = c.container.resources.as_ref();
    let mut parse = |map: Option<&'a BTreeMap<crate::model::Str<'a>, ApiQuantity<'a>>>,
                     field: Field| {
        let mut parsed = Quantities::default();
        for (name, quantity) in map.into_iter().flatten() {
            match Quantity::parse(&quantity.0) {
                Ok(value) => {
                    parsed.0.push((
                        name.as_str(),
                        Written {
                            value,
                            text: quantity.0.as_str(),
                        },
                    ));
                }
                Err(e) => out.container(c, invalid_quantity(c, name, field, &quantity.0, &e)),
            }
        }
        parsed
    };
    let raw_requests = requirements.and_then(|r| r.requests.as_ref());
    let raw_limits = requirements.and_then(|r| r.limits.as_ref());
    let requests = parse(raw_requests, Field::Requests);
    let limits = parse(raw_limits, Field::Limits);
    let names = |map: Option<&'a BTreeMap<crate::model::Str<'a>, ApiQuantity<'a>>>| {
        map.into_iter()
            .flatten()
            .map(|(name, _)| name.as_str())
            .collect()
    };
    Resources {
        requests,
        limits,
        written_requests: names(raw_requests),
        written_limits: names(raw_limits),
    }
}

/// Pod-level limits (`spec.resources`), honoured from Kubernetes 1.34.
fn pod_level_limits(pod: &Pod<'_>) -> BTreeMap<String, Quantity> {
    if !pod.kubernetes_version.at_least(34) {
        return BTreeMap::new();
    }
    pod.spec
        .resources
        .as_ref()
        .and_then(|r| r.limits.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|(name, q)| Quantity::parse(&q.0).ok().map(|q| (name.to_string(), q)))
        .collect()
}

fn sidecar_budget(pod: &Pod<'_>, out: &mut Findings, share: f64, sidecars: &Totals, apps: &Totals) {
    for (name, sidecar_sum) in &sidecars.0 {
        let Some(app_sum) = apps.0.get(*name).filter(|q| !q.is_zero()) else {
            continue;
        };
        if sidecar_sum.as_f64() / app_sum.as_f64() > share {
            out.pod(
                pod,
                sidecar_share_exceeded(name, sidecar_sum, app_sum, share),
            );
        }
    }
}

fn format_ratio(ratio: f64) -> String {
    if ratio.is_infinite() {
        "infinity (zero request)".to_string()
    } else if ratio.fract() == 0.0 {
        format!("{ratio:.0}")
    } else {
        format!("{ratio:.2}")
    }
}

/// "cpu request", "cpu and memory requests", "cpu, memory and ephemeral-storage limits".
fn plural(names: &[&str], noun: &str) -> String {
    match names {
        [one] => format!("{one} {noun}"),
        [rest @ .., last] => format!("{} and {last} {noun}s", rest.join(", ")),
        [] => String::new(),
    }
}
