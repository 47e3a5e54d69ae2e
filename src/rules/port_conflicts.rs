use super::{Findings, Message, Pod, Rule, SeverityOnly};
use crate::report::Role;
use crate::sidecars::roles::ContainerRef;
use std::collections::HashMap;

declare_rule! {
    /// ## What it does
    /// Checks that no two containers of a pod declare the same `containerPort` and
    /// protocol, and that no `hostPort` is declared twice.
    ///
    /// ## Why is this bad?
    /// All containers of a pod share one network namespace. The second process to bind a
    /// port fails, often only at start-up of a sidecar that logs the error and retries, so
    /// the pod looks healthy while the proxy or exporter is not listening. A repeated
    /// `hostPort` (same host IP and protocol) cannot be scheduled at all.
    ///
    /// Containers that run at the same time count: the app, sidecars and native sidecars
    /// (which keep their ports for the pod's lifetime). A plain `init` container has
    /// exited before the next one starts, so its ports never meet another bind; only a
    /// repeat within itself counts (the API checks each init container's host ports on
    /// their own). `hostPort: 0` declares no host port (the API treats 0 as unset). The finding is on the later declaration in pod order: init
    /// containers first, then containers. The protocol defaults to TCP. A `containerPort` repeated within one
    /// container fails no bind (one process binds it once: an alias, such as a port named
    /// for both HTTP and HTTPS behind a TLS-terminating load balancer): a `warn`. A
    /// repeated `hostPort` is a `deny` even within one container: the API rejects it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///     - {name: app, image: myapp:v1, ports: [{containerPort: 8080}]}
    ///     - {name: metrics, image: corp/exporter:v2, ports: [{containerPort: 8080}]}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: web}
    /// spec:
    ///   containers:
    ///     - {name: app, image: myapp:v1, ports: [{containerPort: 8080}]}
    ///     - {name: metrics, image: corp/exporter:v2, ports: [{containerPort: 9102}]}
    /// ```
    ///
    /// ## Fix
    /// `None`: which container should move, and what else names the port (Services, probes,
    /// the app's own config), is the author's choice.
    ///
    /// ## Options
    /// `severity`.
    ///
    /// ## References
    /// - <https://kubernetes.io/docs/concepts/workloads/pods/#pod-networking>
    pub struct PortConflicts {
        id: "port-conflicts",
        summary: "one network namespace, one owner per port",
        category: "network",
        since: "0.1.0",
        default_severity: Deny,
    }
}

impl Rule for PortConflicts {
    type Settings = SeverityOnly;

    fn check(&self, pod: &Pod<'_>, _: &SeverityOnly, out: &mut Findings) {
        let mut shared = PortOwners::default();
        for c in &pod.containers {
            // An init container that runs to completion holds no port beside the others:
            // only its own repeats count (the API checks each one on its own).
            let mut own = PortOwners::default();
            let owners = if c.role == Role::Init {
                &mut own
            } else {
                &mut shared
            };
            for (index, port) in c.container.ports.iter().flatten().enumerate() {
                let protocol = port.protocol.as_deref().unwrap_or("TCP");
                let number = port.container_port;
                match owners.container_ports.get(&(number, protocol)) {
                    Some(first) => out.container(c, port_taken(c, index, number, protocol, first)),
                    None => {
                        owners.container_ports.insert((number, protocol), c.name);
                    }
                }
                if let Some(host_port) = port.host_port.filter(|&p| p != 0) {
                    let host_ip = port.host_ip.as_deref().unwrap_or("");
                    match owners.host_ports.get(&(host_port, protocol, host_ip)) {
                        Some(first) => {
                            out.container(c, host_port_taken(c, index, host_port, protocol, first))
                        }
                        None => {
                            owners
                                .host_ports
                                .insert((host_port, protocol, host_ip), c.name);
                        }
                    }
                }
            }
        }
    }
}

/// Who declared each port first: (port, protocol) and (hostPort, protocol, hostIP).
#[derive(Default)]
struct PortOwners<'a> {
    container_ports: HashMap<(i32, &'a str), &'a str>,
    host_ports: HashMap<(i32, &'a str, &'a str), &'a str>,
}

/// "itself" or "container \"x\"": who declared the port first.
fn owner(c: &ContainerRef<'_>, first: &str) -> String {
    if first == c.name {
        "itself".to_string()
    } else {
        format!("container {first:?}")
    }
}

// Message constructors: every finding this rule reports.

fn port_taken(
    c: &ContainerRef<'_>,
    index: usize,
    port: i32,
    protocol: &str,
    first: &str,
) -> Message {
    // One process binds a port once: the same container declaring it twice fails no
    // bind (an alias, such as one port named for two protocols), only clutters.
    if first == c.name {
        return Message::warn(
            format!("{} declares port {port}/{protocol} twice", c.description()),
            "keep one ports entry per port: the API server warns about duplicates, and Services and probes that name the second entry reach the same listener",
        )
        .at(format!("/ports/{index}"));
    }
    Message::deny(
        format!(
            "{} declares port {port}/{protocol}, already declared by {}",
            c.description(),
            owner(c, first)
        ),
        "give each container its own port: containers of a pod share one network namespace",
    )
    .at(format!("/ports/{index}"))
}

fn host_port_taken(
    c: &ContainerRef<'_>,
    index: usize,
    port: i32,
    protocol: &str,
    first: &str,
) -> Message {
    Message::deny(
        format!(
            "{} declares hostPort {port}/{protocol}, already declared by {}",
            c.description(),
            owner(c, first)
        ),
        "use a different hostPort, or drop hostPort and expose the pod through a Service",
    )
    .at(format!("/ports/{index}/hostPort"))
}
