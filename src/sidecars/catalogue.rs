//! The sidecar catalogue: what a careful operator knows about each well-known sidecar
//! product, as data (RULES.md, "The sidecar catalogue"). Rules read these tables; nothing
//! here decides anything. Every entry names where its facts come from.
//!
//! Images are matched on their repository path (registry, tag and digest stripped, lower
//! case, Docker Hub's `library/` dropped), at a path-segment boundary from the right, so
//! mirrors match too: `mirror.corp/dockerhub/envoyproxy/envoy` is Envoy.

use std::borrow::Cow;

/// One sidecar product.
#[derive(Debug)]
pub struct Product {
    /// Short id, shown as `injectedBy` and in messages (`istio`, `linkerd`).
    pub id: &'static str,
    /// What to call its container in messages.
    pub name: &'static str,
    /// Repository paths across the registries and distributions it ships from.
    pub images: &'static [&'static str],
    /// Container names its injector or its docs use.
    pub names: &'static [&'static str],
    /// The mutating webhook that adds it, when one does.
    pub injector: Option<Injector>,
    /// The probes its vendor configures; for an injected container, the only ones asked for.
    pub probes: VendorProbes,
    /// Pod annotations the workload author sets the injected container's resources with.
    pub resource_annotations: &'static [&'static str],
    /// The pod annotation that makes the injector add it as a native sidecar.
    pub native_sidecar_annotation: Option<&'static str>,
    pub listeners: &'static [Listener],
    /// Words in an app container's command that stop it when the app is done (a Job
    /// telling its proxy to quit): the proxy then does not keep the Job running.
    pub stopped_by: &'static [&'static str],
    /// It reads other containers' logs (a log shipper).
    pub reads_logs: bool,
    /// Where it reads its config file from, for rules that read the file when its
    /// ConfigMap is part of the input.
    pub config_file: Option<ConfigFile>,
    /// How that config names the files a log shipper keeps its read positions in: a
    /// mount made read-only for it must leave those writable somewhere else.
    pub log_state: Option<StateSyntax>,
    /// Where these facts come from.
    pub sources: &'static [&'static str],
}

/// How an injector records what it added.
#[derive(Debug)]
pub struct Injector {
    /// The pod annotation present after injection.
    pub annotation: &'static str,
    pub status: InjectionStatus,
    /// Init containers it adds before the pod's own to prepare it (network setup,
    /// validation, first secrets). Injected native sidecars come after them on purpose.
    pub companions: &'static [&'static str],
    /// The product's resource annotations size the companions too (Istio's injection
    /// template gives istio-init the proxy's resources).
    pub companions_sized_by_annotations: bool,
}

#[derive(Debug)]
pub enum InjectionStatus {
    /// Istio's JSON status: `{"initContainers":[…],"containers":[…],…}` names every
    /// container it added.
    IstioJson,
    /// The annotation's presence marks injection; the injected containers are the
    /// product's `names` and the injector's `companions`.
    Present,
    /// Only this value marks injection (Vault and Consul write `injected`).
    Equals(&'static str),
}

/// Where a product reads its config file from.
#[derive(Debug)]
pub struct ConfigFile {
    /// Flags that name the file.
    pub flags: &'static [&'static str],
    /// Environment variables that carry its command-line arguments.
    pub env_args: &'static [&'static str],
    /// The file its image reads when the manifest leaves the command alone.
    pub default_path: Option<&'static str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateSyntax {
    /// Fluentd's `pos_file` parameter of `tail` sources.
    FluentdPosFile,
    /// Fluent Bit's `DB` key of `tail` inputs (classic or YAML config).
    FluentBitDb,
}

/// Which probes the vendor configures on its container.
#[derive(Clone, Copy, Debug, Default)]
pub struct VendorProbes {
    pub readiness: bool,
    pub liveness: bool,
    pub startup: bool,
}

const NO_PROBES: VendorProbes = VendorProbes {
    readiness: false,
    liveness: false,
    startup: false,
};

/// What a listener exposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// Changes configuration, shuts down, dumps secrets or runs code: never off the loopback.
    Control,
    /// Read-only health and metrics, meant for the kubelet and Prometheus on the pod IP.
    HealthMetrics,
    /// The product's own service (OPA's API): control when it runs beside an app, the
    /// point of the container when it is the app.
    Service,
}

/// Where a listener binds when nothing moves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultBind {
    Loopback,
    EveryInterface,
    /// Depends on configuration the manifest does not show, or off by default.
    Unknown,
    /// Every interface in releases whose tag's major version is below this, the loopback
    /// from it on (OPA 1.0 moved `--addr` to `localhost:8181`).
    EveryBeforeMajor(u32),
}

/// A config file key that sets a listener's address, read when the sidecar's ConfigMap is
/// part of the same input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigKey {
    /// Envoy bootstrap: `admin.address.socket_address.address` / `port_value`.
    EnvoyAdmin,
    /// Fluent Bit `[SERVICE]` `HTTP_Server`, `HTTP_Listen`, `HTTP_Port` (or YAML `service:`).
    FluentBitHttp,
    /// OpenTelemetry Collector `extensions.<name>.endpoint` of an extension the
    /// `service.extensions` list enables.
    OtelExtension(&'static str),
}

#[derive(Debug)]
pub struct Listener {
    /// What to call it in messages.
    pub name: &'static str,
    pub port: Option<u16>,
    pub exposure: Exposure,
    pub default_bind: DefaultBind,
    /// Flags that set its address (`--addr=:8181` or `--addr :8181`).
    pub flags: &'static [&'static str],
    /// Environment variables that set its address.
    pub env: &'static [&'static str],
    pub config: Option<ConfigKey>,
    /// What the author writes to keep it on the loopback, for `help`.
    pub how_to_bind: &'static str,
    /// Argument words of which one must be present for the listener to run at all
    /// (OPA's `--server`); empty: it always runs.
    pub enabled_by: &'static [&'static str],
}

const fn listener(
    name: &'static str,
    port: u16,
    exposure: Exposure,
    default_bind: DefaultBind,
) -> Listener {
    Listener {
        name,
        port: Some(port),
        exposure,
        default_bind,
        flags: &[],
        env: &[],
        config: None,
        how_to_bind: "",
        enabled_by: &[],
    }
}

const fn health(name: &'static str, port: u16) -> Listener {
    listener(name, port, Exposure::HealthMetrics, DefaultBind::Unknown)
}

use DefaultBind::{Loopback, Unknown};
use Exposure::{Control, HealthMetrics, Service};

const fn entry(id: &'static str, name: &'static str) -> Product {
    Product {
        id,
        name,
        images: &[],
        names: &[],
        injector: None,
        probes: NO_PROBES,
        resource_annotations: &[],
        native_sidecar_annotation: None,
        listeners: &[],
        stopped_by: &[],
        reads_logs: false,
        config_file: None,
        log_state: None,
        sources: &[],
    }
}

/// The built-in catalogue, one entry per product.
pub static PRODUCTS: &[Product] = &[
    Product {
        images: &[
            "istio/proxyv2",
            "istio-release/proxyv2",
            // registry.istio.io, Istio's default registry since 1.26 (release and dev builds).
            "release/proxyv2",
            "testing/proxyv2",
            "istio-testing/proxyv2",
            // Vendor builds: Google's managed Istio, Red Hat OpenShift Service Mesh,
            // Microsoft's AKS add-on mirror (mcr.microsoft.com/oss/istio/proxyv2 matches above).
            "gke-release/asm/proxyv2",
            "openshift-service-mesh/proxyv2-rhel8",
            "openshift-service-mesh/proxyv2-rhel9",
        ],
        names: &["istio-proxy"],
        injector: Some(Injector {
            annotation: "sidecar.istio.io/status",
            status: InjectionStatus::IstioJson,
            companions: &["istio-init", "istio-validation"],
            companions_sized_by_annotations: true,
        }),
        // The injection template sets readiness (and startup) on 15021, never liveness.
        probes: VendorProbes {
            readiness: true,
            liveness: false,
            startup: true,
        },
        resource_annotations: &[
            "sidecar.istio.io/proxyCPU",
            "sidecar.istio.io/proxyMemory",
            "sidecar.istio.io/proxyCPULimit",
            "sidecar.istio.io/proxyMemoryLimit",
        ],
        native_sidecar_annotation: Some("sidecar.istio.io/nativeSidecar"),
        listeners: &[
            // The bootstrap binds admin to the pod's localhost; no flag moves its address.
            listener("istio-proxy admin API", 15000, Control, Loopback),
            health("pilot-agent status and merged metrics", 15020),
            health("istio-proxy health endpoint", 15021),
            health("istio-proxy Prometheus endpoint", 15090),
        ],
        stopped_by: &["quitquitquit"],
        sources: &[
            "https://github.com/istio/istio/blob/master/manifests/charts/istio-control/istio-discovery/files/injection-template.yaml",
            "https://github.com/istio/istio/blob/master/tools/packaging/common/envoy_bootstrap.json",
            "https://github.com/istio/istio/tree/master/pkg/kube/inject/testdata/inject",
            "https://istio.io/latest/docs/reference/config/annotations/",
            "https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio",
        ],
        ..entry("istio", "istio-proxy")
    },
    Product {
        images: &[
            "linkerd/proxy",
            // gcr.io/linkerd-io/proxy (before cr.l5d.io), Buoyant Enterprise for Linkerd.
            "linkerd-io/proxy",
            "buoyantio/proxy",
        ],
        names: &["linkerd-proxy"],
        injector: Some(Injector {
            annotation: "linkerd.io/proxy-version",
            status: InjectionStatus::Present,
            companions: &["linkerd-init", "linkerd-network-validator"],
            companions_sized_by_annotations: false,
        }),
        probes: VendorProbes {
            readiness: true,
            liveness: true,
            startup: false,
        },
        resource_annotations: &[
            "config.linkerd.io/proxy-cpu-request",
            "config.linkerd.io/proxy-memory-request",
            "config.linkerd.io/proxy-cpu-limit",
            "config.linkerd.io/proxy-memory-limit",
        ],
        native_sidecar_annotation: Some("config.alpha.linkerd.io/proxy-enable-native-sidecar"),
        // The admin server serves probes and metrics on the pod IP on purpose; its
        // control endpoints (shutdown) accept loopback clients only.
        listeners: &[health("linkerd-proxy admin server", 4191)],
        stopped_by: &["linkerd-await --shutdown", "4191/shutdown"],
        sources: &[
            "https://github.com/linkerd/linkerd2/tree/main/cli/cmd/testdata (inject_*.golden.yml)",
            "https://linkerd.io/2/reference/proxy-configuration/",
            "https://linkerd.io/2/tasks/graceful-shutdown/",
        ],
        ..entry("linkerd", "linkerd-proxy")
    },
    Product {
        // The debug sidecar Linkerd injects beside its proxy (config.linkerd.io/enable-debug-sidecar).
        images: &["linkerd/debug"],
        names: &["linkerd-debug"],
        injector: Some(Injector {
            annotation: "linkerd.io/proxy-version",
            status: InjectionStatus::Present,
            companions: &[],
            companions_sized_by_annotations: false,
        }),
        probes: VendorProbes {
            readiness: true,
            liveness: true,
            startup: false,
        },
        sources: &[
            "https://linkerd.io/2/tasks/using-the-debug-container/",
            "https://github.com/linkerd/linkerd2/tree/main/cli/cmd/testdata (inject_*_debug.golden.yml)",
        ],
        ..entry("linkerd-debug", "linkerd-debug")
    },
    Product {
        images: &["hashicorp/consul-dataplane"],
        names: &["consul-dataplane", "envoy-sidecar", "consul-sidecar"],
        injector: Some(Injector {
            annotation: "consul.hashicorp.com/connect-inject-status",
            status: InjectionStatus::Equals("injected"),
            companions: &["consul-connect-inject-init"],
            companions_sized_by_annotations: false,
        }),
        resource_annotations: &[
            "consul.hashicorp.com/sidecar-proxy-cpu-request",
            "consul.hashicorp.com/sidecar-proxy-memory-request",
            "consul.hashicorp.com/sidecar-proxy-cpu-limit",
            "consul.hashicorp.com/sidecar-proxy-memory-limit",
        ],
        listeners: &[Listener {
            flags: &["-envoy-admin-bind-address"],
            how_to_bind: "-envoy-admin-bind-address=127.0.0.1",
            ..listener("Envoy admin API", 19000, Control, Loopback)
        }],
        sources: &[
            "https://developer.hashicorp.com/consul/docs/k8s/annotations-and-labels",
            "https://developer.hashicorp.com/consul/docs/connect/dataplane/consul-dataplane",
        ],
        ..entry("consul", "consul-dataplane")
    },
    Product {
        images: &["hashicorp/vault", "hashicorp/vault-enterprise", "vault"],
        names: &["vault-agent"],
        injector: Some(Injector {
            annotation: "vault.hashicorp.com/agent-inject-status",
            status: InjectionStatus::Equals("injected"),
            companions: &["vault-agent-init"],
            companions_sized_by_annotations: false,
        }),
        resource_annotations: &[
            "vault.hashicorp.com/agent-requests-cpu",
            "vault.hashicorp.com/agent-requests-mem",
            "vault.hashicorp.com/agent-limits-cpu",
            "vault.hashicorp.com/agent-limits-mem",
        ],
        // The agent's cache/proxy listener hands out the pod's Vault token.
        listeners: &[listener("Vault agent listener", 8200, Control, Unknown)],
        sources: &[
            "https://developer.hashicorp.com/vault/docs/platform/k8s/injector/annotations",
            "https://developer.hashicorp.com/vault/docs/agent-and-proxy/agent",
        ],
        ..entry("vault", "vault-agent")
    },
    Product {
        images: &["daprio/daprd", "dapr/daprd"],
        names: &["daprd"],
        injector: Some(Injector {
            // Dapr's injector adds daprd to pods that carry this; it writes no status.
            annotation: "dapr.io/enabled",
            status: InjectionStatus::Equals("true"),
            companions: &[],
            companions_sized_by_annotations: false,
        }),
        probes: VendorProbes {
            readiness: true,
            liveness: true,
            startup: false,
        },
        resource_annotations: &[
            "dapr.io/sidecar-cpu-request",
            "dapr.io/sidecar-memory-request",
            "dapr.io/sidecar-cpu-limit",
            "dapr.io/sidecar-memory-limit",
        ],
        listeners: &[
            // The API invokes services and reads secrets; on Kubernetes it listens on
            // the loopback unless dapr.io/sidecar-listen-addresses says otherwise.
            Listener {
                flags: &["--dapr-listen-addresses"],
                how_to_bind: "the pod annotation dapr.io/sidecar-listen-addresses: 127.0.0.1",
                ..listener("Dapr HTTP API", 3500, Control, Loopback)
            },
            health("Dapr health endpoint", 3501),
            health("Dapr metrics endpoint", 9090),
        ],
        sources: &[
            "https://docs.dapr.io/reference/arguments-annotations-overview/",
            "https://docs.dapr.io/operations/hosting/kubernetes/kubernetes-overview/",
        ],
        ..entry("dapr", "daprd")
    },
    Product {
        // public.ecr.aws/appmesh/aws-appmesh-envoy and the regional
        // 840364872350.dkr.ecr.<region>.amazonaws.com/aws-appmesh-envoy.
        images: &["aws-appmesh-envoy"],
        names: &["envoy"],
        injector: Some(Injector {
            // The controller injects pods of labelled namespaces, and pods that opt in with
            // this annotation; it writes no status of its own, so only the opt-in shows.
            annotation: "appmesh.k8s.aws/sidecarInjectorWebhook",
            status: InjectionStatus::Equals("enabled"),
            companions: &["proxyinit"],
            companions_sized_by_annotations: false,
        }),
        // The controller sets a readiness probe on the admin port (pkg/inject/envoy.go).
        probes: VendorProbes {
            readiness: true,
            liveness: false,
            startup: false,
        },
        resource_annotations: &[
            "appmesh.k8s.aws/cpuRequest",
            "appmesh.k8s.aws/memoryRequest",
            "appmesh.k8s.aws/cpuLimit",
            "appmesh.k8s.aws/memoryLimit",
        ],
        listeners: &[Listener {
            env: &["ENVOY_ADMIN_ACCESS_PORT"],
            ..listener("Envoy admin API", 9901, Control, Unknown)
        }],
        sources: &[
            "https://docs.aws.amazon.com/app-mesh/latest/userguide/envoy-config.html",
            "https://aws.github.io/aws-app-mesh-controller-for-k8s/reference/injector",
            "https://github.com/aws/aws-app-mesh-controller-for-k8s/tree/master/pkg/inject (constants.go, envoy.go, init_proxy.go)",
        ],
        ..entry("app-mesh", "App Mesh Envoy")
    },
    Product {
        images: &[
            "envoyproxy/envoy",
            "envoyproxy/envoy-distroless",
            "envoyproxy/envoy-alpine",
            "envoyproxy/envoy-contrib",
            "bitnami/envoy",
        ],
        names: &["envoy"],
        listeners: &[Listener {
            config: Some(ConfigKey::EnvoyAdmin),
            how_to_bind: "admin.address.socket_address.address: 127.0.0.1 in the bootstrap",
            ..listener("Envoy admin API", 9901, Control, Unknown)
        }],
        config_file: Some(ConfigFile {
            flags: &["-c", "--config-path"],
            env_args: &[],
            default_path: Some("/etc/envoy/envoy.yaml"),
        }),
        sources: &[
            "https://www.envoyproxy.io/docs/envoy/latest/operations/admin",
            "https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/bootstrap/v3/bootstrap.proto",
        ],
        ..entry("envoy", "Envoy")
    },
    Product {
        images: &[
            "cloud-sql-connectors/cloud-sql-proxy",
            "cloudsql-docker/gce-proxy",
        ],
        names: &["cloud-sql-proxy", "cloudsql-proxy"],
        // --admin-port serves /quitquitquit and pprof on localhost only.
        listeners: &[listener("Cloud SQL proxy admin API", 9091, Control, Loopback)],
        stopped_by: &["quitquitquit"],
        sources: &["https://github.com/GoogleCloudPlatform/cloud-sql-proxy#configuring-the-proxy (--admin-port, --quitquitquit)"],
        ..entry("cloud-sql-proxy", "Cloud SQL Auth Proxy")
    },
    Product {
        images: &["alloydb-connectors/alloydb-auth-proxy"],
        names: &["alloydb-proxy", "alloydb-auth-proxy"],
        listeners: &[listener("AlloyDB proxy admin API", 9091, Control, Loopback)],
        stopped_by: &["quitquitquit"],
        sources: &["https://github.com/GoogleCloudPlatform/alloydb-auth-proxy (--admin-port, --quitquitquit)"],
        ..entry("alloydb-auth-proxy", "AlloyDB Auth Proxy")
    },
    Product {
        images: &["git-sync/git-sync", "git-sync"],
        names: &["git-sync"],
        // Off unless --http-bind is given: metrics and health (pprof only with --http-pprof).
        listeners: &[Listener {
            port: None,
            flags: &["--http-bind"],
            env: &["GITSYNC_HTTP_BIND", "GIT_SYNC_HTTP_BIND"],
            ..listener("git-sync HTTP endpoint", 0, HealthMetrics, Unknown)
        }],
        sources: &["https://github.com/kubernetes/git-sync#manual (--http-bind, --http-metrics, --http-pprof)"],
        ..entry("git-sync", "git-sync")
    },
    Product {
        images: &[
            "fluent/fluent-bit",
            "bitnami/fluent-bit",
            "aws-observability/aws-for-fluent-bit",
        ],
        names: &["fluent-bit", "fluentbit"],
        // HTTP_Server is Off by default; when on it listens on 0.0.0.0:2020 unless
        // HTTP_Listen says otherwise. It serves metrics and health (hot reload only with
        // Hot_Reload on).
        listeners: &[Listener {
            config: Some(ConfigKey::FluentBitHttp),
            how_to_bind: "HTTP_Listen 127.0.0.1 in [SERVICE], or Hot_Reload off",
            ..health("Fluent Bit HTTP API", 2020)
        }],
        reads_logs: true,
        config_file: Some(ConfigFile {
            flags: &["-c", "--config"],
            env_args: &[],
            default_path: Some("/fluent-bit/etc/fluent-bit.conf"),
        }),
        log_state: Some(StateSyntax::FluentBitDb),
        sources: &[
            "https://docs.fluentbit.io/manual/pipeline/inputs/tail (DB)",
            "https://docs.fluentbit.io/manual/administration/monitoring",
            "https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/classic-mode/configuration-file",
        ],
        ..entry("fluent-bit", "Fluent Bit")
    },
    Product {
        images: &[
            "fluent/fluentd",
            "fluent/fluentd-kubernetes-daemonset",
            "bitnami/fluentd",
            // The Kubernetes docs' logging agent (registry.k8s.io/fluentd-gcp).
            "fluentd-gcp",
            "fluentd",
        ],
        names: &["fluentd"],
        listeners: &[
            // in_debug_agent: a dRuby endpoint that runs code in the agent.
            listener("Fluentd debug agent", 24230, Control, Unknown),
            health("Fluentd monitor agent", 24220),
        ],
        reads_logs: true,
        config_file: Some(ConfigFile {
            flags: &["-c", "--config"],
            // The Kubernetes docs' fluentd-gcp agent takes its arguments from FLUENTD_ARGS.
            env_args: &["FLUENTD_ARGS"],
            default_path: Some("/fluentd/etc/fluent.conf"),
        }),
        log_state: Some(StateSyntax::FluentdPosFile),
        sources: &[
            "https://docs.fluentd.org/input/tail (pos_file)",
            "https://docs.fluentd.org/input/debug_agent",
            "https://docs.fluentd.org/input/monitor_agent",
            "https://kubernetes.io/docs/concepts/cluster-administration/logging/",
        ],
        ..entry("fluentd", "Fluentd")
    },
    Product {
        images: &["timberio/vector", "vectordotdev/vector"],
        names: &["vector"],
        // api.address defaults to 127.0.0.1:8686 (GraphQL API, tap of live events).
        listeners: &[listener("Vector API", 8686, Control, Loopback)],
        reads_logs: true,
        sources: &["https://vector.dev/docs/reference/api/"],
        ..entry("vector", "Vector")
    },
    Product {
        images: &["grafana/promtail"],
        names: &["promtail"],
        listeners: &[health("Promtail HTTP server", 9080)],
        reads_logs: true,
        sources: &["https://grafana.com/docs/loki/latest/send-data/promtail/configuration/#server"],
        ..entry("promtail", "Promtail")
    },
    Product {
        images: &["grafana/alloy", "grafana/agent"],
        names: &["alloy", "grafana-agent"],
        // --server.http.listen-addr defaults to 127.0.0.1:12345 (UI, /-/reload).
        listeners: &[Listener {
            flags: &["--server.http.listen-addr"],
            how_to_bind: "--server.http.listen-addr=127.0.0.1:12345",
            ..listener("Alloy HTTP server", 12345, Control, Loopback)
        }],
        reads_logs: true,
        sources: &["https://grafana.com/docs/alloy/latest/reference/cli/run/"],
        ..entry("alloy", "Grafana Alloy")
    },
    Product {
        images: &["beats/filebeat", "elastic/filebeat"],
        names: &["filebeat"],
        // http.enabled is off by default; http.host defaults to localhost.
        listeners: &[health("Filebeat HTTP endpoint", 5066)],
        reads_logs: true,
        sources: &["https://www.elastic.co/guide/en/beats/filebeat/current/http-endpoint.html"],
        ..entry("filebeat", "Filebeat")
    },
    Product {
        images: &[
            "otel/opentelemetry-collector",
            "otel/opentelemetry-collector-contrib",
            "otel/opentelemetry-collector-k8s",
            "open-telemetry/opentelemetry-collector-releases/opentelemetry-collector",
            "open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib",
            "open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s",
            "aws-observability/aws-otel-collector",
        ],
        names: &["otel-collector", "opentelemetry-collector", "otc-container"],
        listeners: &[
            // Extensions listen only when enabled in service.extensions; since v0.104
            // their default endpoints are localhost.
            Listener {
                config: Some(ConfigKey::OtelExtension("zpages")),
                how_to_bind: "extensions.zpages.endpoint: 127.0.0.1:55679",
                ..listener("OpenTelemetry Collector zPages", 55679, Control, Unknown)
            },
            Listener {
                config: Some(ConfigKey::OtelExtension("pprof")),
                how_to_bind: "extensions.pprof.endpoint: 127.0.0.1:1777",
                ..listener("OpenTelemetry Collector pprof endpoint", 1777, Control, Unknown)
            },
            health("OpenTelemetry Collector health check", 13133),
            health("OpenTelemetry Collector telemetry", 8888),
        ],
        config_file: Some(ConfigFile {
            flags: &["--config"],
            env_args: &[],
            default_path: None,
        }),
        sources: &[
            "https://github.com/open-telemetry/opentelemetry-collector/blob/main/extension/zpagesextension/README.md",
            "https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/main/extension/pprofextension/README.md",
            "https://opentelemetry.io/docs/security/config-best-practices/",
        ],
        ..entry("otel-collector", "OpenTelemetry Collector")
    },
    Product {
        images: &["jaegertracing/jaeger-agent"],
        names: &["jaeger-agent"],
        listeners: &[
            health("Jaeger agent admin (health, metrics)", 14271),
            health("Jaeger agent sampling endpoint", 5778),
        ],
        sources: &["https://www.jaegertracing.io/docs/1.57/deployment/#agent"],
        ..entry("jaeger-agent", "Jaeger agent")
    },
    Product {
        images: &["datadog/agent", "datadoghq/agent"],
        names: &["datadog-agent", "agent"],
        // The IPC/command API (cmd_port) listens on localhost with a token.
        listeners: &[
            listener("Datadog agent command API", 5001, Control, Loopback),
            health("Datadog agent health endpoint", 5555),
        ],
        reads_logs: true,
        sources: &["https://docs.datadoghq.com/agent/configuration/network/"],
        ..entry("datadog-agent", "Datadog Agent")
    },
    Product {
        images: &["prom/statsd-exporter", "prometheus/statsd-exporter"],
        names: &["statsd-exporter"],
        listeners: &[health("statsd-exporter web endpoint", 9102)],
        sources: &["https://github.com/prometheus/statsd_exporter#usage"],
        ..entry("statsd-exporter", "statsd_exporter")
    },
    Product {
        images: &["openpolicyagent/opa"],
        names: &["opa"],
        listeners: &[
            Listener {
                flags: &["--addr", "-a"],
                how_to_bind: "--addr=localhost:8181",
                enabled_by: &["--server", "-s"],
                ..listener("OPA API", 8181, Service, DefaultBind::EveryBeforeMajor(1))
            },
            Listener {
                flags: &["--diagnostic-addr"],
                ..health("OPA diagnostic endpoint", 8282)
            },
        ],
        sources: &[
            "https://www.openpolicyagent.org/docs/latest/cli/#opa-run",
            "https://www.openpolicyagent.org/docs/latest/v0-upgrade/ (1.0: --addr defaults to localhost:8181)",
        ],
        ..entry("opa", "OPA")
    },
    Product {
        images: &[
            "oauth2-proxy/oauth2-proxy",
            "pusher/oauth2_proxy",
            "bitnami/oauth2-proxy",
        ],
        names: &["oauth2-proxy"],
        sources: &["https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview"],
        ..entry("oauth2-proxy", "oauth2-proxy")
    },
    Product {
        images: &[
            "brancz/kube-rbac-proxy",
            "kubebuilder/kube-rbac-proxy",
            "openshift4/ose-kube-rbac-proxy",
            "openshift4/ose-kube-rbac-proxy-rhel9",
        ],
        names: &["kube-rbac-proxy"],
        sources: &["https://github.com/brancz/kube-rbac-proxy#usage"],
        ..entry("kube-rbac-proxy", "kube-rbac-proxy")
    },
    Product {
        images: &[
            "jimmidyson/configmap-reload",
            "prometheus-operator/prometheus-config-reloader",
            "kiwigrid/k8s-sidecar",
        ],
        names: &["config-reloader", "configmap-reload"],
        sources: &[
            "https://github.com/jimmidyson/configmap-reload#usage",
            "https://prometheus-operator.dev/docs/platform/operator/",
            "https://github.com/kiwigrid/k8s-sidecar#configuration-environment-variables",
        ],
        ..entry("config-reloader", "config reloader")
    },
];

/// The catalogue entry whose images include this repository path.
pub fn product_of_image(repository: &str) -> Option<&'static Product> {
    PRODUCTS
        .iter()
        .find(|p| p.images.iter().any(|entry| path_matches(repository, entry)))
}

/// Pod annotations an injector writes; the only ones besides the project's own that
/// extraction keeps.
pub fn injector_annotations() -> impl Iterator<Item = &'static str> {
    PRODUCTS
        .iter()
        .filter_map(|p| p.injector.as_ref().map(|i| i.annotation))
}

/// The major version in an image tag (`0.70.0` → 0, `v1.2` → 1, `1.4.0-rootless` → 1).
pub fn tag_major(image: &str) -> Option<u32> {
    let without_digest = image.split_once('@').map_or(image, |(name, _)| name);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let tag = without_digest.get(last_slash..)?.split_once(':')?.1;
    let digits: String = tag
        .trim_start_matches('v')
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Reduces an image reference to its repository path: registry, tag and digest removed,
/// lower case, Docker Hub's implicit `library/` dropped.
/// `docker.io/envoyproxy/envoy:v1.28.0@sha256:…` → `envoyproxy/envoy`.
pub fn repository_path(image: &str) -> Cow<'_, str> {
    let image = image.trim();
    let without_digest = image.split_once('@').map_or(image, |(name, _)| name);
    // A tag is a colon after the last slash (a colon before it belongs to a registry port).
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let without_tag = match without_digest
        .get(last_slash..)
        .and_then(|rest| rest.find(':'))
    {
        Some(colon) => without_digest
            .get(..last_slash + colon)
            .unwrap_or(without_digest),
        None => without_digest,
    };
    let mut path = without_tag;
    if let Some((first, rest)) = path.split_once('/') {
        let is_registry =
            first.contains('.') || first.contains(':') || first.eq_ignore_ascii_case("localhost");
        if is_registry {
            path = rest;
        }
    }
    // Repositories compare in lower case (`Fluent/Fluentd`): copy only when the image
    // has capitals.
    if path.bytes().any(|b| b.is_ascii_uppercase()) {
        let lower = path.to_ascii_lowercase();
        Cow::Owned(lower.strip_prefix("library/").unwrap_or(&lower).to_string())
    } else {
        Cow::Borrowed(path.strip_prefix("library/").unwrap_or(path))
    }
}

/// Whether a repository path is `entry` or ends with `/entry`.
pub fn path_matches(path: &str, entry: &str) -> bool {
    path == entry
        || path
            .strip_suffix(entry)
            .is_some_and(|prefix| prefix.ends_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_paths() {
        assert_eq!(
            repository_path("docker.io/envoyproxy/envoy:v1.28.0@sha256:abc"),
            "envoyproxy/envoy"
        );
        assert_eq!(repository_path("envoyproxy/envoy"), "envoyproxy/envoy");
        assert_eq!(
            repository_path("registry.k8s.io/git-sync/git-sync:v4.0.0"),
            "git-sync/git-sync"
        );
        assert_eq!(
            repository_path("localhost:5000/fluent/fluent-bit:2.2"),
            "fluent/fluent-bit"
        );
        assert_eq!(repository_path("docker.io/library/nginx:1.24"), "nginx");
        assert_eq!(repository_path("Fluent/Fluentd:v1.16"), "fluent/fluentd");
        assert_eq!(repository_path("my.registry:443/team/app"), "team/app");
    }

    #[test]
    fn catalogue_matches_on_segment_boundaries() {
        let known = |path: &str| product_of_image(path).is_some();
        assert!(known("envoyproxy/envoy"));
        assert!(known("mirror/envoyproxy/envoy"));
        assert!(!known("myenvoyproxy/envoy"));
        assert!(!known("envoyproxy/envoy-custom"));
    }

    /// Each product is found under every registry and distribution it ships from.
    #[test]
    fn every_distribution_resolves_to_its_product() {
        let cases = [
            ("docker.io/istio/proxyv2:1.24.0", "istio"),
            ("gcr.io/istio-release/proxyv2:1.22.1-distroless", "istio"),
            ("registry.istio.io/release/proxyv2:1.28.0", "istio"),
            ("mcr.microsoft.com/oss/istio/proxyv2:v1.23.2", "istio"),
            ("gcr.io/gke-release/asm/proxyv2:1.20.8-asm.4", "istio"),
            (
                "registry.redhat.io/openshift-service-mesh/proxyv2-rhel9:2.6",
                "istio",
            ),
            ("cr.l5d.io/linkerd/proxy:edge-24.11.1", "linkerd"),
            ("ghcr.io/buoyantio/proxy:enterprise-2.16.1", "linkerd"),
            ("cr.l5d.io/linkerd/debug:stable-2.14.10", "linkerd-debug"),
            ("hashicorp/consul-dataplane:1.5.0", "consul"),
            ("hashicorp/vault:1.17.2", "vault"),
            ("docker.io/daprio/daprd:1.14.4", "dapr"),
            (
                "840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.29.6.0-prod",
                "app-mesh",
            ),
            ("public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod", "app-mesh"),
            ("envoyproxy/envoy-distroless:v1.31.0", "envoy"),
            ("gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.13.0", "cloud-sql-proxy"),
            ("gcr.io/cloudsql-docker/gce-proxy:1.33.2", "cloud-sql-proxy"),
            (
                "gcr.io/alloydb-connectors/alloydb-auth-proxy:1.10.2",
                "alloydb-auth-proxy",
            ),
            ("registry.k8s.io/git-sync/git-sync:v4.2.4", "git-sync"),
            ("k8s.gcr.io/git-sync:v3.1.6", "git-sync"),
            ("cr.fluentbit.io/fluent/fluent-bit:3.1", "fluent-bit"),
            (
                "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2",
                "fluent-bit",
            ),
            ("registry.k8s.io/fluentd-gcp:1.30", "fluentd"),
            ("fluent/fluentd-kubernetes-daemonset:v1-debian-elasticsearch", "fluentd"),
            ("timberio/vector:0.41.1-distroless-libc", "vector"),
            ("grafana/promtail:3.0.0", "promtail"),
            ("grafana/alloy:v1.4.2", "alloy"),
            ("docker.elastic.co/beats/filebeat:8.15.0", "filebeat"),
            ("otel/opentelemetry-collector-contrib:0.110.0", "otel-collector"),
            (
                "ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-k8s:0.110.0",
                "otel-collector",
            ),
            ("jaegertracing/jaeger-agent:1.57.0", "jaeger-agent"),
            ("gcr.io/datadoghq/agent:7", "datadog-agent"),
            ("prom/statsd-exporter:v0.27.1", "statsd-exporter"),
            ("openpolicyagent/opa:0.70.0-static", "opa"),
            ("quay.io/oauth2-proxy/oauth2-proxy:v7.7.1", "oauth2-proxy"),
            ("bitnami/oauth2-proxy:7.7.1", "oauth2-proxy"),
            ("quay.io/brancz/kube-rbac-proxy:v0.18.1", "kube-rbac-proxy"),
            ("gcr.io/kubebuilder/kube-rbac-proxy:v0.16.0", "kube-rbac-proxy"),
            (
                "quay.io/prometheus-operator/prometheus-config-reloader:v0.77.1",
                "config-reloader",
            ),
            ("ghcr.io/jimmidyson/configmap-reload:v0.14.0", "config-reloader"),
        ];
        for (image, id) in cases {
            let found = product_of_image(&repository_path(image)).map(|p| p.id);
            assert_eq!(found, Some(id), "{image}");
        }
        // Every product is reached by at least one of the cases above.
        for p in PRODUCTS {
            assert!(
                cases.iter().any(|(_, id)| *id == p.id),
                "{}: no image case",
                p.id
            );
        }
    }

    #[test]
    fn every_entry_is_sourced_and_consistent() {
        let mut ids = std::collections::BTreeSet::new();
        for p in PRODUCTS {
            assert!(ids.insert(p.id), "{}: duplicate id", p.id);
            assert!(!p.images.is_empty(), "{}: no images", p.id);
            assert!(!p.sources.is_empty(), "{}: no sources", p.id);
            for l in p.listeners {
                assert!(!l.name.is_empty(), "{}: unnamed listener", p.id);
                if l.exposure == Exposure::Control && l.default_bind != DefaultBind::Loopback {
                    // A control interface that can leave the loopback must say how to keep it there.
                    assert!(
                        !l.how_to_bind.is_empty() || l.port.is_some(),
                        "{}: {} has no remedy",
                        p.id,
                        l.name
                    );
                }
            }
            if let Some(injector) = &p.injector {
                assert!(injector.annotation.contains('/'), "{}: annotation", p.id);
            }
        }
    }

    #[test]
    fn tag_majors() {
        assert_eq!(tag_major("openpolicyagent/opa:0.70.0-static"), Some(0));
        assert_eq!(tag_major("openpolicyagent/opa:1.0.0"), Some(1));
        assert_eq!(tag_major("openpolicyagent/opa:v1.2"), Some(1));
        assert_eq!(tag_major("openpolicyagent/opa:latest"), None);
        assert_eq!(tag_major("my.registry:5000/opa"), None);
    }
}
