//! The benchmarks' inputs, generated rather than kept as large files: a realistic
//! Deployment as `kubectl apply` leaves it in the API (three containers with probes,
//! resources and mounts, `managedFields`, a last-applied annotation), a 20-container pod,
//! and a multi-document YAML corpus for the CLI. Deterministic: the same bytes every run.

#![allow(dead_code)]

use serde_json::{json, Value};

/// One container as a real chart writes it: ports, requests and limits, both probes, mounts.
fn container(name: &str, image: &str, port: u16, mounts: Value) -> Value {
    json!({
        "name": name,
        "image": image,
        "ports": [{"name": format!("p{port}"), "containerPort": port, "protocol": "TCP"}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": port, "scheme": "HTTP"}, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
        "livenessProbe": {"tcpSocket": {"port": port}, "periodSeconds": 20, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
        "env": [{"name": "LOG_DIR", "value": "/var/log/app"}, {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
        "volumeMounts": mounts,
    })
}

fn pod_spec(extra_containers: usize) -> Value {
    let mut containers = vec![
        container(
            "app",
            "registry.example.com/shop/web:2.4.1",
            8080,
            json!([{"name": "logs", "mountPath": "/var/log/app"}]),
        ),
        container("metrics", "prom/statsd-exporter:v0.26.0", 9102, json!([])),
    ];
    for i in 0..extra_containers {
        containers.push(container(
            &format!("worker-{i}"),
            "registry.example.com/shop/worker:2.4.1",
            8100 + i as u16,
            json!([]),
        ));
    }
    let mut forwarder = container(
        "log-forwarder",
        "fluent/fluent-bit:3.0",
        2020,
        json!([{"name": "logs", "mountPath": "/var/log/app", "readOnly": true}]),
    );
    forwarder["restartPolicy"] = json!("Always");
    json!({
        "initContainers": [forwarder],
        "containers": containers,
        "volumes": [{"name": "logs", "emptyDir": {}}],
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "securityContext": {},
        "schedulerName": "default-scheduler",
    })
}

fn managed_fields() -> Value {
    json!([{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "apps/v1", "time": "2026-11-01T10:00:00Z", "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}, "f:labels": {".": {}, "f:app": {}, "f:team": {}}},
                         "f:spec": {"f:replicas": {}, "f:selector": {}, "f:template": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}, "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}, "f:ports": {}, "f:resources": {}}}}}}}}])
}

/// The realistic three-container Deployment (an app, a metrics sidecar, a native log
/// forwarder), about 6 KB of JSON.
pub fn deployment() -> Value {
    let spec = pod_spec(0);
    let applied = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 3, "template": {"spec": spec}}});
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web", "namespace": "shop", "uid": "6f2c7d0e-8a51-4a43-9d0b-2a4e0c9f1b77", "generation": 1,
            "labels": {"app": "web", "team": "storefront"},
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": applied.to_string()},
            "managedFields": managed_fields(),
        },
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec},
        },
    })
}

/// A pod with 20 containers: the app, a metrics sidecar, 17 workers and a native sidecar.
pub fn pod_with_20_containers() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "wide", "namespace": "shop", "labels": {"app": "wide"}},
        "spec": pod_spec(17),
    })
}

/// An AdmissionRequest (CREATE) for `object`, wrapped as Kubewarden's ValidationRequest.
pub fn validation_request(object: &Value) -> Value {
    json!({
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": {"group": "apps", "version": "v1", "kind": object["kind"]},
            "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "name": object["metadata"]["name"], "namespace": "shop", "operation": "CREATE",
            "userInfo": {"username": "admin", "groups": ["system:authenticated"]},
            "object": object, "oldObject": null, "dryRun": false,
            "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"},
        },
        "settings": {},
    })
}

/// The CLI corpus: `count` documents of several kinds, a third of them with findings.
pub fn corpus(count: usize) -> String {
    let mut out = String::new();
    for i in 0..count {
        let mut object = match i % 3 {
            0 => deployment(),
            1 => json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
                        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                            {"name": "migrate", "image": "shop/migrate:1", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}}},
                            {"name": "istio-proxy", "image": "istio/proxyv2:1.22", "args": ["--admin", "0.0.0.0:15000"]}]}}}}),
            _ => {
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "1", "b": "two"}})
            }
        };
        object["metadata"]["name"] = json!(format!("object-{i}"));
        out.push_str("---\n");
        write_yaml(&object, 0, &mut out);
    }
    out
}

/// Block-style YAML, enough for the corpus (strings are always quoted as JSON strings,
/// which YAML reads the same way).
fn write_yaml(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                out.push_str(&format!("{pad}{}:", Value::String(key.clone())));
                write_nested(item, indent, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&format!("{pad}-"));
                write_nested(item, indent, out);
            }
        }
        scalar => out.push_str(&format!("{pad}{scalar}\n")),
    }
}

fn write_nested(item: &Value, indent: usize, out: &mut String) {
    match item {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_yaml(item, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_yaml(item, indent + 2, out);
        }
        scalar => out.push_str(&format!(" {scalar}\n")),
    }
}

/// One object as a YAML document.
pub fn write_yaml_document(object: &Value, out: &mut String) {
    write_yaml(object, 0, out);
}
