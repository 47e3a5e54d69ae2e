//! The parts of a pod spec the rules read, and nothing else.
//!
//! Field names and shapes follow `k8s-openapi` (so rules read `spec.init_containers`,
//! `container.readiness_probe`, …), but only what a rule looks at is deserialised: every
//! other field is skipped unparsed. That keeps the admission path close to the cost of
//! scanning the request, and the wasm modules free of the code for ~200 unused types.
//! `tests/model.rs` holds this model against `k8s-openapi` on every fixture.
//!
//! Decoding follows `k8s-openapi`'s, which follows the API server's: unknown fields are
//! ignored; a missing or `null` required field takes its empty value; quantities may be
//! written as numbers; ports are 32-bit integers or names.

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// Most containers in one list (`containers`, `initContainers`, `ephemeralContainers`).
/// The API sets no number, but every container shares one node: real pods have a
/// handful, and a bound keeps a hostile object from costing more than a real one.
pub const MAX_CONTAINERS: usize = 256;
/// Most entries in one container's `ports`, `volumeMounts` or `env`, or in `volumes`.
pub const MAX_ENTRIES: usize = 1024;

/// A list of at most `MAX` entries; more is an error naming the bound.
fn bounded<'de, D, T, const MAX: usize>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct BoundedVisitor<T, const MAX: usize>(std::marker::PhantomData<T>);
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
    deserializer.deserialize_option(BoundedVisitor::<T, MAX>(std::marker::PhantomData))
}

fn containers<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Container>>, D::Error> {
    bounded::<D, Container, MAX_CONTAINERS>(d)
}

fn required_containers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Container>, D::Error> {
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
pub struct PodSpec {
    #[serde(default, deserialize_with = "required_containers")]
    pub containers: Vec<Container>,
    #[serde(default, deserialize_with = "containers")]
    pub init_containers: Option<Vec<Container>>,
    /// Ephemeral containers carry the same fields as containers (the API forbids them
    /// ports, probes and resources; the rules read what is left).
    #[serde(default, deserialize_with = "containers")]
    pub ephemeral_containers: Option<Vec<Container>>,
    #[serde(default, deserialize_with = "entries")]
    pub volumes: Option<Vec<Volume>>,
    pub share_process_namespace: Option<bool>,
    pub restart_policy: Option<String>,
    /// Pod-level resources (Kubernetes 1.34).
    pub resources: Option<ResourceRequirements>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    pub image: Option<String>,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    #[serde(default, deserialize_with = "entries")]
    pub env: Option<Vec<EnvVar>>,
    #[serde(default, deserialize_with = "entries")]
    pub ports: Option<Vec<ContainerPort>>,
    #[serde(default, deserialize_with = "entries")]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    pub resources: Option<ResourceRequirements>,
    pub readiness_probe: Option<Probe>,
    pub liveness_probe: Option<Probe>,
    pub startup_probe: Option<Probe>,
    /// `Always` on an init container makes it a native sidecar.
    pub restart_policy: Option<String>,
}

/// An environment variable; `valueFrom` is not read (its value is not in the manifest).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct EnvVar {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    pub value: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    #[serde(default, deserialize_with = "nullable")]
    pub container_port: i32,
    pub host_port: Option<i32>,
    #[serde(rename = "hostIP")]
    pub host_ip: Option<String>,
    pub name: Option<String>,
    pub protocol: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub mount_path: String,
    pub read_only: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    pub host_path: Option<HostPathVolumeSource>,
    pub config_map: Option<Present>,
    pub secret: Option<Present>,
    #[serde(rename = "downwardAPI")]
    pub downward_api: Option<Present>,
    pub projected: Option<Present>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct HostPathVolumeSource {
    #[serde(default, deserialize_with = "nullable")]
    pub path: String,
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
pub struct ResourceRequirements {
    pub requests: Option<BTreeMap<String, Quantity>>,
    pub limits: Option<BTreeMap<String, Quantity>>,
}

/// A quantity as written (`250m`, `1Gi`; a number is kept as its decimal text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quantity(pub String);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct QuantityVisitor;
        impl Visitor<'_> for QuantityVisitor {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("Quantity")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
        }
        deserializer.deserialize_any(QuantityVisitor)
    }
}

/// Every field of a probe: `livenessProbe identical to readinessProbe` compares them all.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    pub exec: Option<ExecAction>,
    pub http_get: Option<HTTPGetAction>,
    pub tcp_socket: Option<TCPSocketAction>,
    pub grpc: Option<GRPCAction>,
    pub initial_delay_seconds: Option<i32>,
    pub period_seconds: Option<i32>,
    pub timeout_seconds: Option<i32>,
    pub success_threshold: Option<i32>,
    pub failure_threshold: Option<i32>,
    pub termination_grace_period_seconds: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct ExecAction {
    pub command: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HTTPGetAction {
    pub host: Option<String>,
    pub http_headers: Option<Vec<HTTPHeader>>,
    pub path: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub port: IntOrString,
    pub scheme: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct HTTPHeader {
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct TCPSocketAction {
    pub host: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub port: IntOrString,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct GRPCAction {
    #[serde(default, deserialize_with = "nullable")]
    pub port: i32,
    pub service: Option<String>,
}

/// A port number or a port name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntOrString {
    Int(i32),
    String(String),
}

impl Default for IntOrString {
    fn default() -> Self {
        IntOrString::Int(0)
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IntOrStringVisitor;
        impl Visitor<'_> for IntOrStringVisitor {
            type Value = IntOrString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("IntOrString")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrString, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &"a 32-bit integer"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrString, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &"a 32-bit integer"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrString, E> {
                Ok(IntOrString::String(v.to_string()))
            }
        }
        deserializer.deserialize_any(IntOrStringVisitor)
    }
}
