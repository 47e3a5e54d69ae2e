//! The sidecar catalogue: what a careful operator knows about each well-known sidecar
//! product, as data (docs/contract.md, "The sidecar catalogue"). Rules read these tables;
//! nothing here decides anything. Every entry names where its facts come from: the
//! product's own source (at a commit) or docs.
//!
//! Why Rust tables and not one data file per product: every entry is checked by the
//! compiler (a misspelt field or exposure does not build), the tables are `static` data in
//! the wasm modules (no parser, no schema and no start-up cost in the policy or the npm
//! module), and an entry keeps its sources beside its facts. The tests below and
//! `cargo xtask new-product` keep entries complete: images, names and sources, and an
//! image case for each product.
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
    /// What to call the product in a finding's `roleReason`.
    pub name: &'static str,
    /// Repository paths across the registries and distributions it ships from; one that
    /// starts with a registry host matches only that registry's image.
    pub images: &'static [&'static str],
    /// For a family of products named by one convention: endings of the image's last path
    /// segment (`-exporter`), tried after every product's `images`.
    pub image_name_suffixes: &'static [&'static str],
    /// Container names its injector or its docs use.
    pub names: &'static [&'static str],
    /// Of those, the names its own injector, operator or chart sets and nothing else
    /// uses: a container so named is the product even when its image is a rebuild the
    /// catalogue does not list (a release digest of a vendor's distribution).
    pub fixed_names: &'static [&'static str],
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
    /// The reader of its config file's syntax (`src/config/`), when one exists: what it
    /// listens on, forwards to and writes is then read from its ConfigMap.
    pub config_reader: Option<ConfigReader>,
    /// A general-purpose server whose image runs every kind of workload (nginx as the app,
    /// as a web server, as an ambassador in front of another app): known for its config,
    /// never for its role, so the classifier's catalogue and workload-name steps skip it.
    pub general_purpose: bool,
    /// An authenticating proxy in front of another container (oauth2-proxy,
    /// kube-rbac-proxy, nginx with `auth_*`): where its upstream is written.
    pub auth_proxy: Option<AuthProxy>,
    /// Workload names and `app` labels (besides `id` and `names`) under which the product
    /// is what the workload runs: its container is then the app (Helm chart names).
    pub workload_names: &'static [&'static str],
    /// Subcommands that decide whether it runs as an app or as a helper (`vault server`
    /// is the app, `vault agent` a sidecar).
    pub modes: Option<Modes>,
    /// A proxy or connector the app's traffic passes through from its start: as a native
    /// sidecar, the app should start only once it is ready (a startup probe). The text
    /// names its startup or readiness endpoint, for `help`; empty when none is known.
    pub app_waits_for: Option<&'static str>,
    /// Process names a watcher signals to stop it through a shared process namespace.
    pub processes: &'static [&'static str],
    /// What makes it run once and exit instead of running on (a reloader's one-shot mode).
    pub runs_once: Option<RunsOnce>,
    /// Where a probe of its own can check it, for `help` on a missing probe.
    pub health_endpoint: Option<&'static str>,
    /// The probes its vendor designs it for, when the author writes the container (not an
    /// injector): a helper that serves no traffic has no readiness to report.
    pub probe_design: Option<ProbeDesign>,
    /// Why it needs no probes of its own, when the vendor designs it so.
    pub no_probes: Option<&'static str>,
    /// It only ever helps another container (an auth proxy, a reloader, a CSI sidecar): a
    /// workload named after it, beside other containers, is named after its helper (the
    /// kube-rbac-proxy example Deployment), not run by it.
    pub helper_only: bool,
    /// Where these facts come from.
    pub sources: &'static [&'static str],
}

/// The subcommands a product runs in: the first words of its arguments that are not
/// flags, after the program itself when a shell runs it.
#[derive(Debug)]
pub struct Modes {
    /// The program name in a shell script (`vault`), when a script runs it.
    pub program: &'static str,
    /// Subcommands in which it is the workload's own service.
    pub app: &'static [&'static str],
    /// Subcommands in which it helps another container.
    pub helper: &'static [&'static str],
    /// What the image runs with no arguments at all.
    pub image_default_is_app: bool,
    /// A flag whose value is the mode (`cephcsi --type=liveness`), read before subcommands.
    pub flag: Option<&'static str>,
}

/// Which probes a product's vendor designs it for.
#[derive(Debug)]
pub struct ProbeDesign {
    /// It takes traffic, so its readiness counts for the pod's.
    pub readiness: bool,
    /// Liveness has something to check only with this flag (the leader-election health
    /// check of a CSI sidecar that runs `--leader-election`); `None`: always.
    pub liveness_with_flag: Option<&'static str>,
}

/// A setting under which a product runs once and exits.
#[derive(Debug)]
pub enum RunsOnce {
    /// This flag with this value (`--watch-interval=0`).
    Flag(&'static str, &'static str),
    /// This environment variable with this value (`METHOD=LIST`).
    Env(&'static str, &'static str),
    /// This environment variable unset, or `0`.
    EnvUnsetOrZero(&'static str),
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
    /// A pod label that marks the mesh's own control plane, whose charts render this
    /// container directly: it is then not injected, and injection annotations do nothing.
    pub control_plane_label: Option<&'static str>,
    /// A pod annotation and a value in it that make the injector add the product as the
    /// pod's app (Istio's gateway template: `inject.istio.io/templates: gateway`).
    pub as_app_template: Option<(&'static str, &'static str)>,
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

/// A product's config syntax, read by its reader in `src/config/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigReader {
    Envoy,
    Fluentd,
    FluentBit,
    Promtail,
    Vector,
    Filebeat,
    OtelCollector,
    Nginx,
}

/// Where an authenticating proxy's upstream is written.
#[derive(Debug)]
pub struct AuthProxy {
    /// Flags whose value is the upstream URL (`--upstream=http://127.0.0.1:8080/`).
    pub upstream_flags: &'static [&'static str],
    /// Environment variables whose value is the upstream URL (comma-separated lists too).
    pub upstream_env: &'static [&'static str],
    /// Its config file names the upstream (nginx `proxy_pass`), read by its config reader.
    pub upstream_in_config: bool,
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
    /// The listener of this id that the product's config reader reports (`src/config/`):
    /// Fluentd's `debug_agent`, Vector's `api`.
    Reader(&'static str),
}

#[derive(Debug)]
pub struct Listener {
    /// What to call it in messages.
    pub name: &'static str,
    pub port: Option<u16>,
    pub exposure: Exposure,
    pub default_bind: DefaultBind,
    /// The port is the product's own (a default or a flag's); false when only a config
    /// file sets it and `port` is the docs' convention (Envoy's admin, from the bootstrap).
    pub port_fixed: bool,
    /// Flags that set its address (`--addr=:8181` or `--addr :8181`).
    pub flags: &'static [&'static str],
    /// Environment variables that set its address.
    pub env: &'static [&'static str],
    /// On an injected container, a pod annotation moves it (`how_to_bind` names it): the
    /// workload's author can close it, not only the mesh's operator.
    pub set_by_pod_annotation: bool,
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
        port_fixed: true,
        flags: &[],
        env: &[],
        set_by_pod_annotation: false,
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

/// The diagnostics server every Kubernetes CSI sidecar shares (csi-lib-utils): metrics and
/// the leader-election health check, off unless `--http-endpoint` or `--metrics-address`.
const CSI_DIAGNOSTICS: Listener = Listener {
    port: None,
    flags: &["--http-endpoint", "--metrics-address"],
    ..listener("CSI sidecar diagnostics server", 0, HealthMetrics, Unknown)
};

/// A Kubernetes CSI sidecar of the csi-lib-utils family: a helper only, probed on its
/// leader-election health check when `--http-endpoint` serves it.
const fn csi_sidecar(
    id: &'static str,
    name: &'static str,
    images: &'static [&'static str],
    image_name_suffixes: &'static [&'static str],
    names: &'static [&'static str],
) -> Product {
    Product {
        images,
        image_name_suffixes,
        names,
        listeners: CSI_LISTENERS,
        sources: CSI_SOURCES,
        health_endpoint: Some("/healthz/leader-election on the --http-endpoint address"),
        // Controller helpers that serve no traffic; upstream's manifests probe only the
        // leader-election health check, which exists only with --leader-election.
        probe_design: Some(ProbeDesign {
            readiness: false,
            liveness_with_flag: Some("--leader-election"),
        }),
        helper_only: true,
        ..entry(id, name)
    }
}

const CSI_LISTENERS: &[Listener] = &[CSI_DIAGNOSTICS];

const CSI_SOURCES: &[&str] = &[
    "https://github.com/kubernetes-csi/external-provisioner/blob/0688604faa43ae14273cf71fbfde4f3534ec6b8c/vendor/github.com/kubernetes-csi/csi-lib-utils/standardflags/flags.go (--http-endpoint)",
    "https://github.com/kubernetes-csi/external-provisioner/blob/0688604faa43ae14273cf71fbfde4f3534ec6b8c/README.md",
    "https://github.com/kubernetes-csi/external-attacher/blob/e61060241a7b7315ce2bffbcdfad0a2bf5010d44/README.md",
    "https://github.com/kubernetes-csi/external-resizer/blob/beef24d8e070f5188a7bdc7fc46f902068e4da55/README.md",
    "https://github.com/kubernetes-csi/external-snapshotter/blob/afb2f0d85e00e40cda621549d56fda11ccd3558b/README.md",
    "https://github.com/kubernetes-csi/external-health-monitor/blob/c7afb1b8a503ac1d62ce8f67373fe17c62d59874/README.md",
    "https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/429e202e589798e55c0f8ddcc81b2850b7f000d0/deploy/kubernetes/overlays/stable/ecr/kustomization.yaml (EKS-distro names)",
    "https://github.com/kubernetes-sigs/azuredisk-csi-driver/tree/d983d613b6dd04af5bcc886d309b8de6ea5637b6/charts (mcr.microsoft.com/oss/kubernetes-csi)",
    "https://github.com/kubernetes-sigs/vsphere-csi-driver/tree/master/manifests/supervisorcluster (VMware's rebuilds: vmware.io/csi-livenessprobe, vmware/kubernetes-csi_external-resizer)",
];

const fn entry(id: &'static str, name: &'static str) -> Product {
    Product {
        id,
        name,
        images: &[],
        image_name_suffixes: &[],
        names: &[],
        fixed_names: &[],
        injector: None,
        probes: NO_PROBES,
        resource_annotations: &[],
        native_sidecar_annotation: None,
        listeners: &[],
        stopped_by: &[],
        reads_logs: false,
        config_file: None,
        config_reader: None,
        general_purpose: false,
        auth_proxy: None,
        workload_names: &[],
        modes: None,
        app_waits_for: None,
        processes: &[],
        runs_once: None,
        helper_only: false,
        health_endpoint: None,
        probe_design: None,
        no_probes: None,
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
        // ProxyContainerName in pkg/kube/inject.
        fixed_names: &["istio-proxy"],
        injector: Some(Injector {
            annotation: "sidecar.istio.io/status",
            status: InjectionStatus::IstioJson,
            companions: &["istio-init", "istio-validation"],
            companions_sized_by_annotations: true,
            control_plane_label: None,
            as_app_template: Some(("inject.istio.io/templates", "gateway")),
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
        // `pilot-agent proxy router` is a gateway: the proxy is the workload itself.
        modes: Some(Modes {
            program: "pilot-agent",
            app: &["router"],
            helper: &["sidecar"],
            image_default_is_app: false,
            flag: None,
        }),
        // The gateway chart's default name (its labels: app: istio-ingressgateway).
        workload_names: &["istio-ingressgateway"],
        app_waits_for: Some("/healthz/ready on 15021"),
        processes: &["pilot-agent", "envoy"],
        sources: &[
            "https://github.com/istio/istio/blob/86c9f01fd735fb01d8192f5bcaf0d424afb7f14c/manifests/charts/gateway/values.yaml (inject.istio.io/templates: gateway)",
            "https://github.com/istio/istio/blob/86c9f01fd735fb01d8192f5bcaf0d424afb7f14c/manifests/charts/gateway/templates/_helpers.tpl (istio-ingressgateway)",
            "https://github.com/istio/istio/blob/86c9f01fd735fb01d8192f5bcaf0d424afb7f14c/manifests/charts/istio-control/istio-discovery/files/gateway-injection-template.yaml (proxy router)",
            "https://github.com/istio/istio/blob/master/manifests/charts/istio-control/istio-discovery/files/injection-template.yaml",
            "https://github.com/istio/istio/blob/master/tools/packaging/common/envoy_bootstrap.json",
            "https://github.com/istio/istio/tree/master/pkg/kube/inject/testdata/inject",
            "https://istio.io/latest/docs/reference/config/annotations/",
            "https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio",
        ],
        ..entry("istio", "Istio proxy")
    },
    Product {
        images: &[
            "linkerd/proxy",
            // gcr.io/linkerd-io/proxy (before cr.l5d.io), Buoyant Enterprise for Linkerd.
            "linkerd-io/proxy",
            "buoyantio/proxy",
        ],
        names: &["linkerd-proxy"],
        // ProxyContainerName in pkg/k8s.
        fixed_names: &["linkerd-proxy"],
        injector: Some(Injector {
            annotation: "linkerd.io/proxy-version",
            status: InjectionStatus::Present,
            companions: &["linkerd-init", "linkerd-network-validator"],
            companions_sized_by_annotations: false,
            // The control plane's chart renders the proxy into its own pods, with the same
            // linkerd.io/proxy-version annotation (charts/partials/templates/_metadata.tpl).
            control_plane_label: Some("linkerd.io/control-plane-component"),
            as_app_template: None,
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
        // The current key; config.beta.… and config.alpha.… are its deprecated spellings.
        native_sidecar_annotation: Some("config.linkerd.io/proxy-enable-native-sidecar"),
        // The admin server serves probes and metrics on the pod IP on purpose; its
        // control endpoints (shutdown) accept loopback clients only.
        listeners: &[health("linkerd-proxy admin server", 4191)],
        stopped_by: &["linkerd-await --shutdown", "4191/shutdown"],
        app_waits_for: Some("/ready on 4191"),
        sources: &[
            "https://github.com/linkerd/linkerd2/blob/b24cd4059841f8cee2fb7a9c2ac23a693c583579/pkg/k8s/labels.go (proxy-enable-native-sidecar)",
            "https://github.com/linkerd/linkerd2/blob/b24cd4059841f8cee2fb7a9c2ac23a693c583579/charts/partials/templates/_proxy.tpl (startup probe on /ready)",
            "https://github.com/linkerd/linkerd2/tree/main/cli/cmd/testdata (inject_*.golden.yml)",
            "https://linkerd.io/2/reference/proxy-configuration/",
            "https://linkerd.io/2/tasks/graceful-shutdown/",
        ],
        ..entry("linkerd", "Linkerd proxy")
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
            control_plane_label: Some("linkerd.io/control-plane-component"),
            as_app_template: None,
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
        helper_only: true,
        ..entry("linkerd-debug", "Linkerd debug sidecar")
    },
    Product {
        images: &["hashicorp/consul-dataplane"],
        names: &["consul-dataplane", "envoy-sidecar", "consul-sidecar"],
        fixed_names: &["consul-dataplane"],
        injector: Some(Injector {
            annotation: "consul.hashicorp.com/connect-inject-status",
            status: InjectionStatus::Equals("injected"),
            companions: &["consul-connect-inject-init"],
            companions_sized_by_annotations: false,
            control_plane_label: None,
            as_app_template: None,
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
        app_waits_for: Some("/graceful_startup on 127.0.0.1:20300"),
        sources: &[
            "https://github.com/hashicorp/consul-dataplane/blob/28a963a9a14f8afa55d133773deeb228c26af9d4/pkg/consuldp/lifecycle.go (graceful startup)",
            "https://developer.hashicorp.com/consul/docs/k8s/annotations-and-labels",
            "https://developer.hashicorp.com/consul/docs/connect/dataplane/consul-dataplane",
        ],
        ..entry("consul", "Consul dataplane")
    },
    Product {
        images: &["hashicorp/vault", "hashicorp/vault-enterprise", "vault"],
        names: &["vault-agent"],
        fixed_names: &["vault-agent"],
        injector: Some(Injector {
            annotation: "vault.hashicorp.com/agent-inject-status",
            status: InjectionStatus::Equals("injected"),
            companions: &["vault-agent-init"],
            // Both containers take the agent-* resource annotations (parseResources).
            companions_sized_by_annotations: true,
            control_plane_label: None,
            as_app_template: None,
        }),
        resource_annotations: &[
            "vault.hashicorp.com/agent-requests-cpu",
            "vault.hashicorp.com/agent-requests-mem",
            "vault.hashicorp.com/agent-limits-cpu",
            "vault.hashicorp.com/agent-limits-mem",
        ],
        // As an agent, its cache listener hands out the pod's Vault token (vault-k8s binds
        // it to 127.0.0.1, and only with agent-cache-enable); as a server, 8200 is the
        // server's own API (its service).
        listeners: &[listener("Vault listener", 8200, Service, Loopback)],
        // `vault server` is Vault itself; `vault agent` and `vault proxy` help an app. The
        // image runs `server -dev` when nothing is given.
        modes: Some(Modes {
            program: "vault",
            app: &["server"],
            helper: &["agent", "proxy"],
            image_default_is_app: true,
            flag: None,
        }),
        // The server chart's name (vault-helm: a `vault` StatefulSet, `app.kubernetes.io/name: vault`).
        workload_names: &["vault"],
        sources: &[
            "https://github.com/hashicorp/vault-k8s/blob/fbc5b1f0cd4d1c7dd5a8830e32c8ed636d7318d7/agent-inject/agent/container_sidecar.go (vault agent, resources)",
            "https://github.com/hashicorp/vault-k8s/blob/fbc5b1f0cd4d1c7dd5a8830e32c8ed636d7318d7/agent-inject/agent/config.go (cache listener on 127.0.0.1)",
            "https://github.com/hashicorp/vault/blob/024c09b6651c8f1f568915ad01411862af89aaca/Dockerfile (CMD server -dev)",
            "https://github.com/hashicorp/vault-helm/blob/aa1c92e4adddbce9660e536dfe5222a88eda6d52/templates/server-statefulset.yaml (vault server)",
            "https://developer.hashicorp.com/vault/docs/platform/k8s/injector/annotations",
            "https://developer.hashicorp.com/vault/docs/agent-and-proxy/agent",
        ],
        ..entry("vault", "Vault")
    },
    Product {
        images: &["daprio/daprd", "dapr/daprd"],
        names: &["daprd"],
        // SidecarContainerName in the injector's patcher.
        fixed_names: &["daprd"],
        injector: Some(Injector {
            // Dapr's injector adds daprd to pods that carry this; it writes no status.
            annotation: "dapr.io/enabled",
            status: InjectionStatus::Equals("true"),
            companions: &[],
            companions_sized_by_annotations: false,
            control_plane_label: None,
            as_app_template: None,
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
                set_by_pod_annotation: true,
                how_to_bind: "the pod annotation dapr.io/sidecar-listen-addresses: 127.0.0.1",
                ..listener("Dapr HTTP API", 3500, Control, Loopback)
            },
            health("Dapr health endpoint", 3501),
            health("Dapr metrics endpoint", 9090),
        ],
        app_waits_for: Some("/v1.0/healthz/outbound on 3500"),
        sources: &[
            "https://github.com/dapr/dapr/blob/d8450742ce3260d93a2346f4398a1e60d019a45b/pkg/api/http/healthz.go (outbound health)",
            "https://docs.dapr.io/reference/arguments-annotations-overview/",
            "https://docs.dapr.io/operations/hosting/kubernetes/kubernetes-overview/",
        ],
        ..entry("dapr", "Dapr sidecar")
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
            control_plane_label: None,
            as_app_template: None,
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
        // The bootstrap alone says where admin listens (9901 is the docs' example).
        listeners: &[Listener {
            config: Some(ConfigKey::EnvoyAdmin),
            port_fixed: false,
            how_to_bind: "admin.address.socket_address.address: 127.0.0.1 in the bootstrap",
            ..listener("Envoy admin API", 9901, Control, Unknown)
        }],
        config_file: Some(ConfigFile {
            flags: &["-c", "--config-path"],
            env_args: &[],
            default_path: Some("/etc/envoy/envoy.yaml"),
        }),
        config_reader: Some(ConfigReader::Envoy),
        app_waits_for: Some("/ready on its admin address"),
        processes: &["envoy"],
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
        app_waits_for: Some("/startup on localhost:9090 with --health-check"),
        processes: &["cloud-sql-proxy", "cloud_sql_proxy"],
        sources: &[
            "https://github.com/GoogleCloudPlatform/cloud-sql-proxy#configuring-the-proxy (--admin-port, --quitquitquit)",
            "https://github.com/GoogleCloudPlatform/cloud-sql-proxy/blob/31c3b33e3f85f294799c1136655efce52558b62d/cmd/root.go (--health-check, --http-port)",
        ],
        helper_only: true,
        ..entry("cloud-sql-proxy", "Cloud SQL Auth Proxy")
    },
    Product {
        images: &["alloydb-connectors/alloydb-auth-proxy"],
        names: &["alloydb-proxy", "alloydb-auth-proxy"],
        listeners: &[listener("AlloyDB proxy admin API", 9091, Control, Loopback)],
        stopped_by: &["quitquitquit"],
        app_waits_for: Some("/startup on localhost:9090 with --health-check"),
        sources: &[
            "https://github.com/GoogleCloudPlatform/alloydb-auth-proxy (--admin-port, --quitquitquit)",
            "https://github.com/GoogleCloudPlatform/alloydb-auth-proxy/blob/33a41712d5ebc370d447a7e2136fa259924af0d0/cmd/root.go (--health-check)",
        ],
        helper_only: true,
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
        helper_only: true,
        ..entry("git-sync", "git-sync")
    },
    Product {
        images: &[
            "fluent/fluent-bit",
            "bitnami/fluent-bit",
            "aws-observability/aws-for-fluent-bit",
            // Percona's operators' log collector: Fluent Bit in Percona's own image.
            "percona/fluentbit",
            "perconalab/fluentbit",
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
        config_reader: Some(ConfigReader::FluentBit),
        sources: &[
            "https://docs.fluentbit.io/manual/pipeline/inputs/tail (DB)",
            "https://docs.fluentbit.io/manual/administration/monitoring",
            "https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/classic-mode/configuration-file",
            "https://github.com/percona/percona-server-mongodb-operator/blob/b15af50030bfc5558813b86b160e87fd304a409c/pkg/psmdb/logcollector/container.go (percona/fluentbit runs fluent-bit)",
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
            // in_debug_agent: a dRuby endpoint that runs code in the agent; on 0.0.0.0
            // unless its `bind` says otherwise, but only where a <source> enables it.
            Listener {
                config: Some(ConfigKey::Reader("debug_agent")),
                how_to_bind: "bind 127.0.0.1 in its <source>",
                ..listener("Fluentd debug agent", 24230, Control, Unknown)
            },
            // <system> rpc_endpoint: reloads the config and stops workers over HTTP.
            Listener {
                port: None,
                port_fixed: false,
                config: Some(ConfigKey::Reader("rpc_endpoint")),
                how_to_bind: "rpc_endpoint 127.0.0.1:24444 in <system>",
                ..listener("Fluentd RPC endpoint", 0, Control, Unknown)
            },
            health("Fluentd monitor agent", 24220),
        ],
        reads_logs: true,
        config_file: Some(ConfigFile {
            flags: &["-c", "--config"],
            // The Kubernetes docs' fluentd-gcp agent takes its arguments from FLUENTD_ARGS.
            env_args: &["FLUENTD_ARGS"],
            default_path: Some("/fluentd/etc/fluent.conf"),
        }),
        config_reader: Some(ConfigReader::Fluentd),
        sources: &[
            "https://docs.fluentd.org/input/tail (pos_file)",
            "https://docs.fluentd.org/input/debug_agent",
            "https://docs.fluentd.org/deployment/rpc",
            "https://docs.fluentd.org/input/monitor_agent",
            "https://kubernetes.io/docs/concepts/cluster-administration/logging/",
        ],
        ..entry("fluentd", "Fluentd")
    },
    Product {
        images: &["timberio/vector", "vectordotdev/vector"],
        names: &["vector"],
        // api.address defaults to 127.0.0.1:8686 (GraphQL API, tap of live events).
        listeners: &[Listener {
            config: Some(ConfigKey::Reader("api")),
            how_to_bind: "api.address: 127.0.0.1:8686",
            ..listener("Vector API", 8686, Control, Loopback)
        }],
        reads_logs: true,
        // The image's default config (0.34 moved it from vector.toml to vector.yaml).
        config_file: Some(ConfigFile {
            flags: &["--config", "-c", "--config-toml", "--config-yaml", "--config-json"],
            env_args: &[],
            default_path: Some("/etc/vector/vector.yaml"),
        }),
        config_reader: Some(ConfigReader::Vector),
        sources: &[
            "https://vector.dev/docs/reference/api/",
            "https://vector.dev/docs/reference/configuration/global-options/#data_dir",
            "https://vector.dev/docs/reference/cli/#vector (--config, VECTOR_CONFIG)",
            "https://vector.dev/highlights/2023-11-07-0-34-0-upgrade-guide/ (default config vector.yaml)",
        ],
        ..entry("vector", "Vector")
    },
    Product {
        images: &["grafana/promtail"],
        names: &["promtail"],
        listeners: &[health("Promtail HTTP server", 9080)],
        reads_logs: true,
        // The image runs `-config.file=/etc/promtail/config.yml` (its Dockerfile's CMD).
        config_file: Some(ConfigFile {
            flags: &["-config.file", "--config.file"],
            env_args: &[],
            default_path: Some("/etc/promtail/config.yml"),
        }),
        config_reader: Some(ConfigReader::Promtail),
        sources: &[
            "https://grafana.com/docs/loki/latest/send-data/promtail/configuration/#server",
            "https://grafana.com/docs/loki/latest/send-data/promtail/configuration/#positions",
            "https://github.com/grafana/loki/blob/main/clients/cmd/promtail/Dockerfile (CMD -config.file)",
        ],
        ..entry("promtail", "Promtail")
    },
    Product {
        images: &["grafana/alloy", "grafana/agent"],
        names: &["alloy", "grafana-agent"],
        // --server.http.listen-addr defaults to 127.0.0.1:12345 (UI, /-/reload). When
        // Alloy is the workload, this server is what its Service, probes and Prometheus
        // reach; beside another app, its reload and UI are a helper's control interface.
        listeners: &[Listener {
            flags: &["--server.http.listen-addr"],
            how_to_bind: "--server.http.listen-addr=127.0.0.1:12345",
            ..listener("Alloy HTTP server", 12345, Service, Loopback)
        }],
        reads_logs: true,
        sources: &[
            "https://grafana.com/docs/alloy/latest/reference/cli/run/",
            "https://github.com/grafana/alloy/blob/66ebea856dffb242f921775e9552a133f60dc5c1/internal/service/http/http.go (endpoints)",
            "https://github.com/grafana/alloy/blob/66ebea856dffb242f921775e9552a133f60dc5c1/operations/helm/charts/alloy/templates/containers/_agent.yaml (the chart binds 0.0.0.0:12345)",
        ],
        ..entry("alloy", "Grafana Alloy")
    },
    Product {
        images: &["beats/filebeat", "elastic/filebeat"],
        names: &["filebeat"],
        // http.enabled is off by default; http.host defaults to localhost.
        listeners: &[health("Filebeat HTTP endpoint", 5066)],
        reads_logs: true,
        // The image reads filebeat.yml from its home, /usr/share/filebeat.
        config_file: Some(ConfigFile {
            flags: &["-c", "--c"],
            env_args: &[],
            default_path: Some("/usr/share/filebeat/filebeat.yml"),
        }),
        config_reader: Some(ConfigReader::Filebeat),
        sources: &[
            "https://www.elastic.co/guide/en/beats/filebeat/current/http-endpoint.html",
            "https://www.elastic.co/guide/en/beats/filebeat/current/directory-layout.html (docker paths)",
            "https://www.elastic.co/guide/en/beats/filebeat/current/configuration-general-options.html (registry.path)",
            "https://www.elastic.co/guide/en/beats/filebeat/current/running-on-docker.html (filebeat.yml)",
        ],
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
        config_reader: Some(ConfigReader::OtelCollector),
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
        // Datadog's own registry and Azure's keep the bare `agent` path, too generic to
        // match without the registry.
        images: &[
            "datadog/agent",
            "datadoghq/agent",
            "registry.datadoghq.com/agent",
            "datadoghq.azurecr.io/agent",
        ],
        names: &["datadog-agent", "agent"],
        // The IPC/command API (cmd_port) listens on localhost with a token.
        listeners: &[
            listener("Datadog agent command API", 5001, Control, Loopback),
            health("Datadog agent health endpoint", 5555),
        ],
        reads_logs: true,
        sources: &[
            "https://docs.datadoghq.com/agent/configuration/network/",
            "https://docs.datadoghq.com/containers/guide/changing_container_registry/",
        ],
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
        // --upstream (repeatable) or OAUTH2_PROXY_UPSTREAMS (comma-separated).
        auth_proxy: Some(AuthProxy {
            upstream_flags: &["--upstream"],
            upstream_env: &["OAUTH2_PROXY_UPSTREAMS"],
            upstream_in_config: false,
        }),
        sources: &[
            "https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview",
            "https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview#upstreams-configuration (--upstream)",
        ],
        helper_only: true,
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
        // Its own examples and kubebuilder's scaffold name it so (OpenShift ships it as a
        // release-digest image the catalogue cannot list).
        fixed_names: &["kube-rbac-proxy"],
        // --upstream: "The upstream URL to proxy to once requests are successfully
        // authenticated and authorized."
        auth_proxy: Some(AuthProxy {
            upstream_flags: &["--upstream"],
            upstream_env: &[],
            upstream_in_config: false,
        }),
        sources: &["https://github.com/brancz/kube-rbac-proxy#usage"],
        helper_only: true,
        ..entry("kube-rbac-proxy", "kube-rbac-proxy")
    },
    Product {
        // The official image and its unprivileged variant (nginxinc/, and the nginx/
        // organisation it moved to), Bitnami's. Its image is every kind of workload; its
        // config says when it is an authenticating ambassador in front of another one.
        images: &[
            "nginx",
            "nginxinc/nginx-unprivileged",
            "nginx/nginx-unprivileged",
            "bitnami/nginx",
        ],
        general_purpose: true,
        config_file: Some(ConfigFile {
            flags: &["-c"],
            env_args: &[],
            default_path: Some("/etc/nginx/nginx.conf"),
        }),
        config_reader: Some(ConfigReader::Nginx),
        auth_proxy: Some(AuthProxy {
            upstream_flags: &[],
            upstream_env: &[],
            upstream_in_config: true,
        }),
        sources: &[
            "https://nginx.org/en/docs/http/ngx_http_auth_basic_module.html",
            "https://nginx.org/en/docs/http/ngx_http_auth_request_module.html",
            "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass",
            "https://hub.docker.com/_/nginx (images, /etc/nginx/conf.d)",
            "https://github.com/nginxinc/docker-nginx-unprivileged#readme",
        ],
        ..entry("nginx", "nginx")
    },
    // Config reloaders: three products with their own listeners and run-once switches.
    Product {
        images: &["jimmidyson/configmap-reload"],
        names: &["configmap-reload"],
        // --web.listen-address defaults to :9533 and serves /metrics only.
        listeners: &[Listener {
            flags: &["--web.listen-address"],
            ..listener("configmap-reload metrics", 9533, HealthMetrics, DefaultBind::EveryInterface)
        }],
        sources: &[
            "https://github.com/jimmidyson/configmap-reload/blob/0ec4d67961d509d9414554e76caf46dd77cb32d8/configmap-reload.go (flags, handlers)",
            "https://github.com/jimmidyson/configmap-reload/blob/0ec4d67961d509d9414554e76caf46dd77cb32d8/README.md (images)",
        ],
        helper_only: true,
        ..entry("configmap-reload", "configmap-reload")
    },
    Product {
        images: &["prometheus-operator/prometheus-config-reloader"],
        names: &["config-reloader", "init-config-reloader"],
        fixed_names: &["config-reloader", "init-config-reloader"],
        // Off unless --listen-address is given; serves /metrics and /healthz.
        listeners: &[Listener {
            port: None,
            flags: &["--listen-address"],
            ..listener("prometheus-config-reloader metrics and health", 0, HealthMetrics, Unknown)
        }],
        // --watch-interval=0: "the program runs only once and exits".
        runs_once: Some(RunsOnce::Flag("--watch-interval", "0")),
        sources: &[
            "https://github.com/prometheus-operator/prometheus-operator/blob/6adcebc5076c34f4f55f8f5f7b1e528929373ac7/cmd/prometheus-config-reloader/main.go (--listen-address, --watch-interval)",
            "https://github.com/prometheus-operator/prometheus-operator/blob/6adcebc5076c34f4f55f8f5f7b1e528929373ac7/pkg/operator/config_reloader.go",
            "https://github.com/prometheus-operator/prometheus-operator/blob/6adcebc5076c34f4f55f8f5f7b1e528929373ac7/pkg/prometheus/common.go (container names)",
        ],
        helper_only: true,
        ..entry("prometheus-config-reloader", "prometheus-config-reloader")
    },
    Product {
        images: &["kiwigrid/k8s-sidecar"],
        // The Grafana chart's watcher containers.
        names: &[
            "grafana-sc-dashboard",
            "grafana-sc-datasources",
            "grafana-sc-alerts",
            "grafana-sc-notifiers",
            "grafana-sc-plugins",
        ],
        // /healthz on HEALTH_PORT (8080), always on, 200 after the first sync.
        listeners: &[Listener {
            env: &["HEALTH_PORT", "HEALTH_HOST"],
            ..listener("k8s-sidecar health endpoint", 8080, HealthMetrics, DefaultBind::EveryInterface)
        }],
        // METHOD=LIST: "the sidecar will just list config-maps/secrets and exit".
        runs_once: Some(RunsOnce::Env("METHOD", "LIST")),
        sources: &[
            "https://github.com/kiwigrid/k8s-sidecar/blob/a61c7ac31c826c5e35efe53fbbcae93e1791799f/README.md (METHOD, HEALTH_PORT, images)",
            "https://github.com/kiwigrid/k8s-sidecar/blob/a61c7ac31c826c5e35efe53fbbcae93e1791799f/src/healthz.py",
            "https://github.com/grafana/helm-charts/blob/6665978af1eb54f27c389cdfaa2a01dca1f277c2/charts/grafana/templates/_pod.tpl (container names)",
        ],
        helper_only: true,
        ..entry("k8s-sidecar", "kiwigrid k8s-sidecar")
    },
    // The Kubernetes CSI sidecars: helpers of a CSI driver's controller and node plugins.
    // Their diagnostics server (metrics, /healthz/leader-election) is off unless
    // --http-endpoint (or the older --metrics-address) is given. The bare image names match
    // every registry that keeps the upstream name (registry.k8s.io/sig-storage,
    // k8s.gcr.io/sig-storage, quay.io/k8scsi, mcr.microsoft.com/oss[/v2]/kubernetes-csi,
    // public.ecr.aws/csi-components, gke.gcr.io, longhornio); EKS-distro renamed them.
    // Vendors' rebuilds keep the upstream name at the end of their own
    // (`csi-livenessprobe`, `kubernetes-csi_external-resizer`): the suffixes, each with
    // the separator before it, so that a driver's own image does not match.
    csi_sidecar(
        "csi-provisioner",
        "CSI external-provisioner",
        &["csi-provisioner", "eks-distro/kubernetes-csi/external-provisioner"],
        &["-csi-provisioner", "_external-provisioner", "-external-provisioner"],
        &["csi-provisioner"],
    ),
    csi_sidecar(
        "csi-attacher",
        "CSI external-attacher",
        &["csi-attacher", "eks-distro/kubernetes-csi/external-attacher"],
        &["-csi-attacher", "_external-attacher", "-external-attacher"],
        &["csi-attacher"],
    ),
    csi_sidecar(
        "csi-resizer",
        "CSI external-resizer",
        &["csi-resizer", "eks-distro/kubernetes-csi/external-resizer"],
        &["-csi-resizer", "_external-resizer", "-external-resizer"],
        &["csi-resizer"],
    ),
    // The sidecar only: snapshot-controller is a cluster-wide app of its own.
    csi_sidecar(
        "csi-snapshotter",
        "CSI external-snapshotter",
        &["csi-snapshotter", "eks-distro/kubernetes-csi/csi-snapshotter"],
        &["-csi-snapshotter", "_csi-snapshotter"],
        &["csi-snapshotter"],
    ),
    csi_sidecar(
        "csi-external-health-monitor",
        "CSI external-health-monitor",
        &[
            "csi-external-health-monitor-controller",
            "csi-external-health-monitor-agent",
        ],
        &["-external-health-monitor-controller", "_external-health-monitor-controller"],
        &[
            "csi-external-health-monitor-controller",
            "csi-external-health-monitor-agent",
        ],
    ),
    Product {
        images: &[
            "csi-node-driver-registrar",
            "eks-distro/kubernetes-csi/node-driver-registrar",
            "k8scsi/driver-registrar",
        ],
        image_name_suffixes: &["-node-driver-registrar", "_node-driver-registrar"],
        names: &["node-driver-registrar", "csi-node-driver-registrar", "csi-driver-registrar"],
        // /healthz (the registration socket) only with --http-endpoint or --health-port.
        listeners: &[Listener {
            port: None,
            flags: &["--http-endpoint", "--health-port"],
            ..listener("node-driver-registrar health endpoint", 0, HealthMetrics, Unknown)
        }],
        sources: &[
            "https://github.com/kubernetes-csi/node-driver-registrar/blob/3482d444dd9ff8c0101b95833ec8a9ded3ec1992/cmd/csi-node-driver-registrar/main.go",
            "https://github.com/kubernetes-csi/node-driver-registrar/blob/3482d444dd9ff8c0101b95833ec8a9ded3ec1992/README.md",
            "https://github.com/kubernetes-csi/docs/blob/883ce07b8ba2438308447e88b57a7c93dc2d6979/book/src/node-driver-registrar.md",
        ],
        health_endpoint: Some("/healthz on the --http-endpoint address"),
        // It registers the driver with the kubelet and serves no traffic; its README
        // probes the registration socket's /healthz for liveness.
        probe_design: Some(ProbeDesign {
            readiness: false,
            liveness_with_flag: None,
        }),
        helper_only: true,
        ..entry("csi-node-driver-registrar", "CSI node-driver-registrar")
    },
    Product {
        images: &["livenessprobe"],
        image_name_suffixes: &["-livenessprobe", "_livenessprobe"],
        names: &["liveness-probe", "livenessprobe"],
        // Always on, 0.0.0.0:9808: the driver's health, for the driver container's probe.
        listeners: &[Listener {
            flags: &["--health-port", "--http-endpoint"],
            ..listener("CSI livenessprobe health endpoint", 9808, HealthMetrics, DefaultBind::EveryInterface)
        }],
        sources: &[
            "https://github.com/kubernetes-csi/livenessprobe/blob/e60f18af93f55d7d68366a720bdc8f8c101a5ee1/cmd/livenessprobe/main.go (--health-port 9808, 0.0.0.0)",
            "https://github.com/kubernetes-csi/livenessprobe/blob/e60f18af93f55d7d68366a720bdc8f8c101a5ee1/README.md",
        ],
        // Its /healthz answers for the driver (it calls the driver's Probe): a probe on it
        // would restart it for the driver's faults.
        no_probes: Some("it is the CSI driver's health endpoint, probed on the driver container"),
        helper_only: true,
        ..entry("csi-livenessprobe", "CSI livenessprobe")
    },
    Product {
        images: &["kumahq/kuma-dp", "kuma/kuma-dp"],
        names: &["kuma-sidecar"],
        fixed_names: &["kuma-sidecar"],
        injector: Some(Injector {
            annotation: "kuma.io/sidecar-injected",
            status: InjectionStatus::Equals("true"),
            // kuma-init sets up redirection; kuma-validation replaces it in CNI mode.
            companions: &["kuma-init", "kuma-validation"],
            companions_sized_by_annotations: false,
            control_plane_label: None,
            as_app_template: None,
        }),
        // Readiness and liveness on /ready always; startup in native-sidecar mode.
        probes: VendorProbes {
            readiness: true,
            liveness: true,
            startup: false,
        },
        // No per-pod resource or native-sidecar annotation: the control plane's
        // sidecarContainer.resources and its Kubernetes-version check decide.
        listeners: &[
            // The full admin API stays on 127.0.0.1; the pod IP on the same port serves /ready.
            listener("Envoy admin API", 9901, Control, Loopback),
            health("kuma-dp readiness reporter", 9902),
            health("Kuma application probe proxy", 9001),
        ],
        app_waits_for: Some("/ready on 9901"),
        processes: &["kuma-dp", "envoy"],
        sources: &[
            "https://github.com/kumahq/kuma/blob/348b6528bc234b3c4bd7f22ad7c5bf950d6149fc/pkg/plugins/runtime/k8s/metadata/annotations.go (kuma.io/sidecar-injected)",
            "https://github.com/kumahq/kuma/blob/348b6528bc234b3c4bd7f22ad7c5bf950d6149fc/pkg/plugins/runtime/k8s/util/names.go (kuma-sidecar, kuma-init, kuma-validation)",
            "https://github.com/kumahq/kuma/blob/348b6528bc234b3c4bd7f22ad7c5bf950d6149fc/pkg/plugins/runtime/k8s/containers/factory.go (probes)",
            "https://github.com/kumahq/kuma/blob/348b6528bc234b3c4bd7f22ad7c5bf950d6149fc/pkg/config/app/kuma-cp/kuma-cp.defaults.yaml (admin 127.0.0.1:9901, sidecar resources)",
            "https://github.com/kumahq/kuma/blob/348b6528bc234b3c4bd7f22ad7c5bf950d6149fc/pkg/xds/generator/admin_proxy_generator.go (/ready on the pod IP)",
            "https://github.com/kumahq/kuma/blob/348b6528bc234b3c4bd7f22ad7c5bf950d6149fc/deployments/charts/kuma/values.yaml (images)",
        ],
        ..entry("kuma", "Kuma data plane")
    },
    Product {
        images: &["openshift/oauth-proxy", "ci/oauth-proxy"],
        names: &["oauth-proxy"],
        // Its HTTPS front door (:8443) is meant for the pod IP; only the debug server is
        // a control interface.
        listeners: &[Listener {
            port: None,
            flags: &["--debug-address"],
            how_to_bind: "--debug-address=127.0.0.1:PORT",
            ..listener("oauth-proxy pprof server", 0, Control, Unknown)
        }],
        sources: &[
            "https://github.com/openshift/oauth-proxy/blob/2b9ee007290b0e1cb85737f3b37075343f9f4857/main.go (--http-address, --https-address, --debug-address)",
            "https://github.com/openshift/oauth-proxy/blob/2b9ee007290b0e1cb85737f3b37075343f9f4857/contrib/sidecar.yaml",
        ],
        helper_only: true,
        ..entry("openshift-oauth-proxy", "OpenShift oauth-proxy")
    },
    Product {
        images: &[
            "loongcollector-community-edition/loongcollector",
            "alibaba/loongcollector",
            "aliyun/loongcollector",
            "ilogtail-community-edition/ilogtail",
            "aliyun/ilogtail",
        ],
        names: &["loongcollector", "logtail", "ilogtail"],
        // The plugin server (/loadconfig, pprof) on :18689, only with --http-load or
        // --prof-flag.
        listeners: &[Listener {
            flags: &["--server"],
            how_to_bind: "--server=127.0.0.1:18689",
            enabled_by: &["--http-load", "--prof-flag"],
            ..listener("iLogtail plugin HTTP server", 18689, Control, DefaultBind::EveryInterface)
        }],
        reads_logs: true,
        sources: &[
            "https://github.com/alibaba/loongcollector/blob/f02d9808578e3ad50b5ee2bc7b9bbdcbac5407a1/pkg/flags/flags.go",
            "https://github.com/alibaba/loongcollector/blob/f02d9808578e3ad50b5ee2bc7b9bbdcbac5407a1/plugin_main/plugin_http.go",
            "https://github.com/alibaba/loongcollector/blob/f02d9808578e3ad50b5ee2bc7b9bbdcbac5407a1/docs/cn/installation/start-with-k8s.md (images)",
            "https://github.com/alibaba/loongcollector/blob/f02d9808578e3ad50b5ee2bc7b9bbdcbac5407a1/k8s_templates/ilogtail-sidecar-file-to-sls.yaml",
        ],
        ..entry("loongcollector", "iLogtail / LoongCollector")
    },
    Product {
        images: &["google-containers/prometheus-to-sd"],
        names: &["prometheus-to-sd"],
        listeners: &[
            Listener {
                flags: &["--port", "--listen-address"],
                ..listener("prometheus-to-sd metrics", 6061, HealthMetrics, DefaultBind::EveryInterface)
            },
            Listener {
                flags: &["--debug-port", "--debug-address"],
                ..listener("prometheus-to-sd expvar endpoint", 16061, HealthMetrics, Loopback)
            },
        ],
        sources: &[
            "https://github.com/GoogleCloudPlatform/k8s-stackdriver/blob/673c7dd872a7d8b7c1a26c2af7cca7c33549efa0/prometheus-to-sd/main.go",
            "https://github.com/GoogleCloudPlatform/k8s-stackdriver/blob/673c7dd872a7d8b7c1a26c2af7cca7c33549efa0/prometheus-to-sd/README.md",
        ],
        helper_only: true,
        ..entry("prometheus-to-sd", "prometheus-to-sd")
    },
    // The Amazon CloudWatch agent: a DaemonSet or Deployment of its own (the workload is
    // then named after it), or a sidecar beside an app for its EMF, StatsD and
    // Prometheus metrics (AWS's "sidecar" deployment mode). Its receivers take data on
    // the pod IP by design.
    Product {
        images: &["cloudwatch-agent/cloudwatch-agent", "amazon/cloudwatch-agent"],
        names: &["cloudwatch-agent", "cwagent"],
        sources: &[
            "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContainerInsights-other-agent-features.html (deployment modes)",
            "https://github.com/aws-samples/amazon-cloudwatch-container-insights/tree/dfd961175e8215ca20f3c1bdec9e4ee8df60d676/k8s-deployment-manifest-templates/deployment-mode",
        ],
        ..entry("cloudwatch-agent", "Amazon CloudWatch agent")
    },
    // falcoctl beside Falco: `artifact install` fetches rules and plugins once (an init
    // container); `artifact follow` keeps them up to date for as long as Falco runs.
    Product {
        images: &["falcosecurity/falcoctl"],
        names: &["falcoctl-artifact-follow", "falcoctl-artifact-install"],
        fixed_names: &["falcoctl-artifact-follow", "falcoctl-artifact-install"],
        sources: &[
            "https://github.com/falcosecurity/falcoctl/blob/main/README.md (artifact install, artifact follow)",
            "https://falco.org/blog/falcoctl-install-manage-rules-plugins/",
            "https://github.com/falcosecurity/deploy-kubernetes/tree/main/kubernetes/falco/templates (the chart's falcoctl containers)",
        ],
        helper_only: true,
        ..entry("falcoctl", "falcoctl")
    },
    // Google Cloud's Extensible Service Proxy (ESPv2, and ESP before it), in front of the
    // app it authenticates (`--backend=grpc://127.0.0.1:8000`). Its Envoy admin is off
    // unless --status_port (--admin_port) is given; not a listener here, because ESP v1
    // shares the image name and its --status_port is nginx's status page instead.
    Product {
        images: &[
            "endpoints-release/endpoints-runtime",
            "endpoints-release/endpoints-runtime-serverless",
        ],
        names: &["esp", "espv2", "esp-v2"],
        sources: &[
            "https://github.com/GoogleCloudPlatform/esp-v2/blob/3dcedb6f88f7300d015bae0b0515b56a06e6be77/docker/generic/start_proxy.py (--backend, --status_port off by default)",
            "https://github.com/GoogleCloudPlatform/esp-v2/blob/3dcedb6f88f7300d015bae0b0515b56a06e6be77/src/go/options/common.go (admin address 0.0.0.0)",
        ],
        helper_only: true,
        ..entry("esp", "Extensible Service Proxy")
    },
    // Datadog's FIPS proxy: the agent's containers send through it on 127.0.0.1
    // (DD_FIPS_LOCAL_ADDRESS, ports 9803-9818); Datadog's docs call it a sidecar. Its
    // ports carry the agent's outbound traffic, not an admin interface.
    Product {
        images: &[
            "datadog/fips-proxy",
            "datadoghq/fips-proxy",
            "registry.datadoghq.com/fips-proxy",
            "datadoghq.azurecr.io/fips-proxy",
        ],
        names: &["fips-proxy"],
        sources: &[
            "https://docs.datadoghq.com/agent/configuration/fips-proxy/",
            "https://github.com/DataDog/datadog-operator/blob/55db53165d173041aaf6d902fd3776d0b33bf811/internal/controller/datadogagent/global/fips.go (the operator adds the fips-proxy container)",
        ],
        helper_only: true,
        ..entry("datadog-fips-proxy", "Datadog FIPS proxy")
    },
    Product {
        images: &["maxmind/geoipupdate", "maxmindinc/geoipupdate"],
        names: &["geoipupdate"],
        // The entrypoint runs once and exits when GEOIPUPDATE_FREQUENCY is unset or 0.
        runs_once: Some(RunsOnce::EnvUnsetOrZero("GEOIPUPDATE_FREQUENCY")),
        sources: &[
            "https://github.com/maxmind/geoipupdate/blob/4c77448b6183249a8a9378d4ad1775649285236b/docker/entry.sh",
            "https://github.com/maxmind/geoipupdate/blob/4c77448b6183249a8a9378d4ad1775649285236b/doc/docker.md",
        ],
        helper_only: true,
        ..entry("geoipupdate", "geoipupdate")
    },
    Product {
        images: &["thanos/thanos", "thanosio/thanos"],
        names: &["thanos-sidecar"],
        // prometheus-operator names the container it adds for spec.thanos.
        fixed_names: &["thanos-sidecar"],
        // The HTTP server (metrics, probes, pprof) is what Prometheus scrapes on the pod
        // IP; the gRPC StoreAPI is what queriers reach there: neither is a control API.
        listeners: &[Listener {
            flags: &["--http-address"],
            ..health("Thanos HTTP server", 10902)
        }],
        modes: Some(Modes {
            program: "thanos",
            app: &["query", "store", "compact", "receive", "rule", "query-frontend", "tools"],
            helper: &["sidecar"],
            image_default_is_app: false,
            flag: None,
        }),
        sources: &[
            "https://github.com/thanos-io/thanos/blob/e103a81bd5943697394afcb4fb592b6ffa806c30/docs/components/sidecar.md",
            "https://github.com/thanos-io/thanos/blob/e103a81bd5943697394afcb4fb592b6ffa806c30/cmd/thanos/main.go (subcommands)",
            "https://github.com/thanos-io/thanos/blob/e103a81bd5943697394afcb4fb592b6ffa806c30/cmd/thanos/config.go (--http-address)",
        ],
        ..entry("thanos-sidecar", "Thanos sidecar")
    },
    Product {
        images: &["projectcontour/contour"],
        names: &["shutdown-manager"],
        // `contour envoy shutdown-manager` drains Envoy beside it; `contour serve` is
        // Contour's own control plane.
        listeners: &[Listener {
            flags: &["--serve-port"],
            ..health("Contour shutdown-manager", 8090)
        }],
        modes: Some(Modes {
            program: "contour",
            app: &["serve", "gateway-provisioner", "certgen"],
            helper: &["shutdown-manager"],
            image_default_is_app: false,
            flag: None,
        }),
        sources: &[
            "https://github.com/projectcontour/contour/blob/31c4bb38e0a52cef4d8273dd5641a70e39f1d693/cmd/contour/shutdownmanager.go",
            "https://github.com/projectcontour/contour/blob/31c4bb38e0a52cef4d8273dd5641a70e39f1d693/cmd/contour/contour.go (subcommands)",
        ],
        ..entry("contour", "Contour")
    },
    Product {
        // One image for the driver and its helpers, told apart by --type: rbd, cephfs
        // and nfs are the node and controller plugins, controller runs its Kubernetes
        // controllers; liveness polls the driver's CSI Probe and exports csi_liveness
        // for Prometheus, beside the driver it watches.
        images: &["cephcsi/cephcsi"],
        names: &["liveness-prometheus"],
        modes: Some(Modes {
            program: "cephcsi",
            app: &["rbd", "cephfs", "nfs", "controller"],
            helper: &["liveness"],
            image_default_is_app: false,
            flag: Some("--type"),
        }),
        listeners: &[Listener {
            flags: &["--metricsport"],
            ..health("ceph-csi liveness metrics", 8080)
        }],
        sources: &[
            "https://github.com/ceph/ceph-csi/blob/52fcb7b00c3d586c12c05593b1c73ad2c42b171f/cmd/cephcsi.go (--type, --metricsport)",
            "https://github.com/ceph/ceph-csi/blob/52fcb7b00c3d586c12c05593b1c73ad2c42b171f/deploy/rbd/kubernetes/csi-rbdplugin.yaml (liveness-prometheus)",
            "https://github.com/ceph/ceph-csi/blob/52fcb7b00c3d586c12c05593b1c73ad2c42b171f/README.md (image)",
        ],
        ..entry("ceph-csi", "Ceph CSI")
    },
    Product {
        // Linkerd 1.x (l5d): per host (a DaemonSet the apps reach on the node) or as a
        // sidecar beside each app. Its admin interface serves /admin/shutdown and
        // /logging.json (log levels) without authentication by default.
        images: &["buoyantio/linkerd"],
        names: &["l5d", "linkerd"],
        workload_names: &["l5d"],
        listeners: &[Listener {
            how_to_bind: "admin.ip: 127.0.0.1 in its config (the default)",
            ..listener("Linkerd 1 admin interface", 9990, Control, Loopback)
        }],
        processes: &["linkerd"],
        sources: &[
            "https://github.com/linkerd/linkerd/blob/ea82499d386e44e8958be58e0386f593e639645b/project/Base.scala (buoyantio/<project> images)",
            "https://github.com/linkerd/linkerd/blob/ea82499d386e44e8958be58e0386f593e639645b/linkerd/docs/config.md (admin ip: loopback, port 9990)",
            "https://github.com/linkerd/linkerd/blob/ea82499d386e44e8958be58e0386f593e639645b/admin/src/main/scala/io/buoyant/admin/Admin.scala (/admin/shutdown)",
            "https://linkerd.io/1/advanced/deployment/ (per-host and sidecar)",
        ],
        ..entry("linkerd1", "Linkerd 1")
    },
    Product {
        // Prometheus exporters, named `<thing>_exporter` by the project's convention (and
        // `-exporter` in most images): adapters that translate an app's metrics for
        // Prometheus. Beside an app they are its helpers; alone they are the pod's app.
        images: &[],
        image_name_suffixes: &["_exporter", "-exporter"],
        sources: &[
            "https://prometheus.io/docs/instrumenting/writing_exporters/ (naming)",
            "https://prometheus.io/docs/instrumenting/exporters/",
        ],
        ..entry("prometheus-exporter", "Prometheus exporter")
    },
];

/// The catalogue entry that sets this container name itself (`fixed_names`).
pub fn product_of_fixed_name(name: &str) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| p.fixed_names.contains(&name))
}

/// The catalogue entry whose images include this image reference's repository path.
/// An entry that starts with a registry host (`registry.datadoghq.com/agent`) names a
/// vendor's own registry, whose bare path (`agent`) is too generic to match on its own:
/// it matches only that registry's image.
pub fn product_of_image(image: &str) -> Option<&'static Product> {
    let repository = repository_path(image);
    let registry = image_registry(image);
    let repository = &*repository;
    PRODUCTS
        .iter()
        .find(|p| {
            p.images
                .iter()
                .any(|entry| match registry_qualified(entry) {
                    Some((host, path)) => {
                        registry.is_some_and(|r| r.eq_ignore_ascii_case(host)) && repository == path
                    }
                    None => path_matches(repository, entry),
                })
        })
        .or_else(|| {
            let last = repository.rsplit('/').next().unwrap_or(repository);
            PRODUCTS.iter().find(|p| {
                p.image_name_suffixes
                    .iter()
                    .any(|suffix| last.len() > suffix.len() && last.ends_with(suffix))
            })
        })
}

/// Pod annotations an injector writes; the only ones besides the project's own that
/// extraction keeps.
pub fn injector_annotations() -> impl Iterator<Item = &'static str> {
    PRODUCTS
        .iter()
        .filter_map(|p| p.injector.as_ref())
        .flat_map(|i| {
            std::iter::once(i.annotation).chain(i.as_app_template.map(|(annotation, _)| annotation))
        })
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
        if looks_like_registry(first) {
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

/// The registry host an image reference starts with, if any (`quay.io/x` → `quay.io`).
fn image_registry(image: &str) -> Option<&str> {
    let (first, _) = image.trim().split_once('/')?;
    looks_like_registry(first).then_some(first)
}

/// A catalogue image entry that starts with a registry host: (host, path).
fn registry_qualified(entry: &str) -> Option<(&str, &str)> {
    entry
        .split_once('/')
        .filter(|(first, _)| looks_like_registry(first))
}

/// How the container runtime tells a registry host from a repository's first segment.
fn looks_like_registry(segment: &str) -> bool {
    segment.contains('.') || segment.contains(':') || segment.eq_ignore_ascii_case("localhost")
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

    /// A vendor registry's bare path and a family's name inside a driver's own image
    /// name no product.
    #[test]
    fn registry_qualified_and_family_entries_stay_narrow() {
        let id = |image| product_of_image(image).map(|p| p.id);
        assert_eq!(id("agent:1.0"), None);
        assert_eq!(id("quay.io/acme/agent:1.0"), None);
        assert_eq!(id("ghcr.io/agent:1.0"), None);
        assert_eq!(id("datadoghq.azurecr.io/agent:7"), Some("datadog-agent"));
        assert_eq!(id("registry.datadoghq.com/cluster-agent:7"), None);
        assert_eq!(
            id("registry.k8s.io/sig-storage/livenessprobe:v2.14.0"),
            Some("csi-livenessprobe")
        );
        assert_eq!(id("acme/csi-driver-resizer:v1"), None);
        assert_eq!(id("acme/livenessprobe-checker:v1"), None);
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
            ("nginx:1.24", "nginx"),
            ("docker.io/library/nginx:1.27-alpine", "nginx"),
            ("nginxinc/nginx-unprivileged:1.27", "nginx"),
            ("docker.io/bitnami/nginx:1.27.3", "nginx"),
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
                "prometheus-config-reloader",
            ),
            ("ghcr.io/jimmidyson/configmap-reload:v0.14.0", "configmap-reload"),
            ("quay.io/kiwigrid/k8s-sidecar:1.28.0", "k8s-sidecar"),
            ("registry.k8s.io/sig-storage/csi-provisioner:v5.1.0", "csi-provisioner"),
            ("mcr.microsoft.com/oss/kubernetes-csi/csi-attacher:v4.7.0", "csi-attacher"),
            ("public.ecr.aws/eks-distro/kubernetes-csi/external-resizer:v1.12.0", "csi-resizer"),
            ("gke.gcr.io/csi-snapshotter:v8.1.0", "csi-snapshotter"),
            (
                "registry.k8s.io/sig-storage/csi-external-health-monitor-controller:v0.13.0",
                "csi-external-health-monitor",
            ),
            (
                "k8s.gcr.io/sig-storage/csi-node-driver-registrar:v2.12.0",
                "csi-node-driver-registrar",
            ),
            ("quay.io/k8scsi/livenessprobe:v1.1.0", "csi-livenessprobe"),
            ("docker.io/kumahq/kuma-dp:2.9.0", "kuma"),
            ("openshift/oauth-proxy:latest", "openshift-oauth-proxy"),
            (
                "sls-opensource-registry.cn-shanghai.cr.aliyuncs.com/loongcollector-community-edition/loongcollector:3.0.5",
                "loongcollector",
            ),
            ("gcr.io/google-containers/prometheus-to-sd:v0.11.1", "prometheus-to-sd"),
            ("ghcr.io/maxmind/geoipupdate:v7.1.0", "geoipupdate"),
            ("quay.io/thanos/thanos:v0.36.1", "thanos-sidecar"),
            ("ghcr.io/projectcontour/contour:v1.30.1", "contour"),
            ("kbudde/rabbitmq-exporter:v1.0.0", "prometheus-exporter"),
            ("quay.io/cephcsi/cephcsi:v3.12.0", "ceph-csi"),
            ("buoyantio/linkerd:1.7.5", "linkerd1"),
            ("quay.io/prometheus/mysqld_exporter:v0.16.0", "prometheus-exporter"),
            ("registry.datadoghq.com/agent:7.60.0", "datadog-agent"),
            ("localhost:5000/vmware.io/csi-livenessprobe:v2.6.0_vmware.1", "csi-livenessprobe"),
            (
                "localhost:5000/vmware/kubernetes-csi_external-resizer/kubernetes-csi_external-resizer:v1.4.0",
                "csi-resizer",
            ),
            ("percona/fluentbit:4.0.1-2", "fluent-bit"),
            ("registry.datadoghq.com/fips-proxy:1.1.29", "datadog-fips-proxy"),
            ("public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300066.1b1374", "cloudwatch-agent"),
            ("docker.io/falcosecurity/falcoctl:0.13.0", "falcoctl"),
            ("gcr.io/endpoints-release/endpoints-runtime:2", "esp"),
        ];
        for (image, id) in cases {
            let found = product_of_image(image).map(|p| p.id);
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
            assert!(
                !p.images.is_empty() || !p.image_name_suffixes.is_empty(),
                "{}: no images",
                p.id
            );
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
