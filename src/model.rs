//! The parts of a pod spec the rules read, and nothing else.
//!
//! Field names and shapes follow `k8s-openapi` (so rules read `spec.init_containers`,
//! `container.readiness_probe`, …), but only what a rule looks at is deserialised: every
//! other field is skipped unparsed. That keeps the admission path close to the cost of
//! scanning the request, and the wasm modules free of the code for ~200 unused types.
//! Strings are borrowed from the input wherever it allows (`Str`), so reading a pod
//! copies little. `tests/model.rs` holds this model against `k8s-openapi` on every
//! fixture.
//!
//! Decoding follows `k8s-openapi`'s, which follows the API server's: unknown fields are
//! ignored; a missing or `null` required field takes its empty value; quantities may be
//! written as numbers; ports are 32-bit integers or names.

/// The annotation by which workload authors exempt an object from rules.
pub const IGNORE_ANNOTATION: &str = "sidecar-guard.io/ignore";
/// kubectl's pick of the pod's main container (`kubectl logs`/`exec` without `-c`).
pub const DEFAULT_CONTAINER_ANNOTATION: &str = "kubectl.kubernetes.io/default-container";

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::borrow::{Borrow, Cow};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

/// Most containers in one list (`containers`, `initContainers`, `ephemeralContainers`).
/// The API sets no number, but every container shares one node: real pods have a
/// handful, and a bound keeps a hostile object from costing more than a real one.
pub const MAX_CONTAINERS: usize = 256;
/// Most entries in one container's `ports`, `volumeMounts` or `env`, or in `volumes`.
pub const MAX_ENTRIES: usize = 1024;

/// One name of a workload (its object's name, or a label that names what it runs), and
/// where it was written (for a finding's `roleReason`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadName {
    pub value: String,
    /// `name`, or the label's key.
    pub source: &'static str,
}

/// A string of the manifest: borrowed from the input when it holds no escapes (JSON
/// text, or a `Value`), owned otherwise.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Str<'a>(Cow<'a, str>);

impl Str<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Str<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl From<String> for Str<'_> {
    fn from(s: String) -> Self {
        Str(Cow::Owned(s))
    }
}

impl<'a> From<&'a str> for Str<'a> {
    fn from(s: &'a str) -> Self {
        Str(Cow::Borrowed(s))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for StrVisitor<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'a>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(StrVisitor(PhantomData))
    }
}

/// A list of at most `MAX` entries; more is an error naming the bound.
fn bounded<'de, D, T, const MAX: usize>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct BoundedVisitor<T, const MAX: usize>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>, const MAX: usize> Visitor<'de> for BoundedVisitor<T, MAX> {
        type Value = Option<Vec<T>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_seq(self)
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX));
            while let Some(item) = seq.next_element()? {
                if items.len() == MAX {
                    return Err(de::Error::custom(format!(
                        "more than {MAX} entries, the most sidecar-guard accepts in this list"
                    )));
                }
                items.push(item);
            }
            Ok(Some(items))
        }
    }
    deserializer.deserialize_option(BoundedVisitor::<T, MAX>(PhantomData))
}

fn containers<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<Container<'a>>>, D::Error> {
    bounded::<D, Container<'a>, MAX_CONTAINERS>(d)
}

fn required_containers<'de: 'a, 'a, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<Container<'a>>, D::Error> {
    Ok(containers(d)?.unwrap_or_default())
}

fn entries<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    bounded::<D, T, MAX_ENTRIES>(d)
}

/// A missing or `null` field as its default, like `k8s-openapi`'s required fields.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec<'a> {
    #[serde(borrow, default, deserialize_with = "required_containers")]
    pub containers: Vec<Container<'a>>,
    #[serde(borrow, default, deserialize_with = "containers")]
    pub init_containers: Option<Vec<Container<'a>>>,
    /// Ephemeral containers carry the same fields as containers (the API forbids them
    /// ports, probes and resources; the rules read what is left).
    #[serde(borrow, default, deserialize_with = "containers")]
    pub ephemeral_containers: Option<Vec<Container<'a>>>,
    #[serde(borrow, default, deserialize_with = "entries")]
    pub volumes: Option<Vec<Volume<'a>>>,
    pub share_process_namespace: Option<bool>,
    #[serde(borrow)]
    pub restart_policy: Option<Str<'a>>,
    /// Pod-level resources (Kubernetes 1.34).
    #[serde(borrow)]
    pub resources: Option<ResourceRequirements<'a>>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container<'a> {
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub name: Str<'a>,
    #[serde(borrow)]
    pub image: Option<Str<'a>>,
    #[serde(borrow)]
    pub command: Option<Vec<Str<'a>>>,
    #[serde(borrow)]
    pub args: Option<Vec<Str<'a>>>,
    #[serde(borrow, default, deserialize_with = "entries")]
    pub env: Option<Vec<EnvVar<'a>>>,
    #[serde(borrow, default, deserialize_with = "entries")]
    pub ports: Option<Vec<ContainerPort<'a>>>,
    #[serde(borrow, default, deserialize_with = "entries")]
    pub volume_mounts: Option<Vec<VolumeMount<'a>>>,
    #[serde(borrow)]
    pub resources: Option<ResourceRequirements<'a>>,
    #[serde(borrow)]
    pub readiness_probe: Option<Probe<'a>>,
    #[serde(borrow)]
    pub liveness_probe: Option<Probe<'a>>,
    #[serde(borrow)]
    pub startup_probe: Option<Probe<'a>>,
    /// `Always` on an init container makes it a native sidecar.
    #[serde(borrow)]
    pub restart_policy: Option<Str<'a>>,
}

/// An environment variable; `valueFrom` is not read (its value is not in the manifest).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct EnvVar<'a> {
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub name: Str<'a>,
    #[serde(borrow)]
    pub value: Option<Str<'a>>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort<'a> {
    #[serde(default, deserialize_with = "nullable")]
    pub container_port: i32,
    pub host_port: Option<i32>,
    #[serde(borrow, rename = "hostIP")]
    pub host_ip: Option<Str<'a>>,
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
    #[serde(borrow)]
    pub protocol: Option<Str<'a>>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount<'a> {
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub name: Str<'a>,
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub mount_path: Str<'a>,
    pub read_only: Option<bool>,
    #[serde(borrow)]
    pub sub_path: Option<Str<'a>>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume<'a> {
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub name: Str<'a>,
    #[serde(borrow)]
    pub host_path: Option<HostPathVolumeSource<'a>>,
    #[serde(borrow)]
    pub config_map: Option<ConfigMapVolumeSource<'a>>,
    pub secret: Option<Present>,
    #[serde(rename = "downwardAPI")]
    pub downward_api: Option<Present>,
    #[serde(borrow)]
    pub projected: Option<ProjectedVolumeSource<'a>>,
}

/// A projected volume: only its ConfigMap sources are read (sidecars' configs).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ProjectedVolumeSource<'a> {
    #[serde(borrow, default, deserialize_with = "entries")]
    pub sources: Option<Vec<VolumeProjection<'a>>>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeProjection<'a> {
    #[serde(borrow)]
    pub config_map: Option<ConfigMapVolumeSource<'a>>,
}

/// A ConfigMap volume: which ConfigMap, and which keys land at which paths.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ConfigMapVolumeSource<'a> {
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "entries")]
    pub items: Option<Vec<KeyToPath<'a>>>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct KeyToPath<'a> {
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub key: Str<'a>,
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub path: Str<'a>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct HostPathVolumeSource<'a> {
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub path: Str<'a>,
}

/// A field whose presence is all a rule needs; its content is skipped.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Present;

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        de::IgnoredAny::deserialize(deserializer).map(|_| Present)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ResourceRequirements<'a> {
    #[serde(borrow)]
    pub requests: Option<BTreeMap<Str<'a>, Quantity<'a>>>,
    #[serde(borrow)]
    pub limits: Option<BTreeMap<Str<'a>, Quantity<'a>>>,
}

/// A quantity as written (`250m`, `1Gi`; a number is kept as its decimal text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quantity<'a>(pub Str<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for Quantity<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct QuantityVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for QuantityVisitor<'a> {
            type Value = Quantity<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Quantity")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity<'a>, E> {
                Ok(Quantity(v.to_string().into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity<'a>, E> {
                Ok(Quantity(v.to_string().into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity<'a>, E> {
                Ok(Quantity(v.to_string().into()))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Quantity<'a>, E> {
                Ok(Quantity(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity<'a>, E> {
                Ok(Quantity(v.to_string().into()))
            }
        }
        deserializer.deserialize_any(QuantityVisitor(PhantomData))
    }
}

/// Every field of a probe: `livenessProbe identical to readinessProbe` compares them all.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe<'a> {
    #[serde(borrow)]
    pub exec: Option<ExecAction<'a>>,
    #[serde(borrow)]
    pub http_get: Option<HTTPGetAction<'a>>,
    #[serde(borrow)]
    pub tcp_socket: Option<TCPSocketAction<'a>>,
    #[serde(borrow)]
    pub grpc: Option<GRPCAction<'a>>,
    pub initial_delay_seconds: Option<i32>,
    pub period_seconds: Option<i32>,
    pub timeout_seconds: Option<i32>,
    pub success_threshold: Option<i32>,
    pub failure_threshold: Option<i32>,
    pub termination_grace_period_seconds: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ExecAction<'a> {
    #[serde(borrow)]
    pub command: Option<Vec<Str<'a>>>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HTTPGetAction<'a> {
    #[serde(borrow)]
    pub host: Option<Str<'a>>,
    #[serde(borrow)]
    pub http_headers: Option<Vec<HTTPHeader<'a>>>,
    #[serde(borrow)]
    pub path: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub port: IntOrString<'a>,
    #[serde(borrow)]
    pub scheme: Option<Str<'a>>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct HTTPHeader<'a> {
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub name: Str<'a>,
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub value: Str<'a>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct TCPSocketAction<'a> {
    #[serde(borrow)]
    pub host: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "nullable")]
    pub port: IntOrString<'a>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct GRPCAction<'a> {
    #[serde(default, deserialize_with = "nullable")]
    pub port: i32,
    #[serde(borrow)]
    pub service: Option<Str<'a>>,
}

/// A port number or a port name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntOrString<'a> {
    Int(i32),
    String(Str<'a>),
}

impl Default for IntOrString<'_> {
    fn default() -> Self {
        IntOrString::Int(0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for IntOrString<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IntOrStringVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for IntOrStringVisitor<'a> {
            type Value = IntOrString<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("IntOrString")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrString<'a>, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &"a 32-bit integer"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrString<'a>, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &"a 32-bit integer"))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<IntOrString<'a>, E> {
                Ok(IntOrString::String(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrString<'a>, E> {
                Ok(IntOrString::String(v.to_string().into()))
            }
        }
        deserializer.deserialize_any(IntOrStringVisitor(PhantomData))
    }
}
