// Sidecars' own config from ConfigMaps of the same input: multi-document text, or a List
// object carrying the ConfigMaps beside the workload. Same verdicts as the CLI's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validate } from "sidecar-guard";
import { repo } from "./helpers.mjs";

const fixture = (name) => readFileSync(join(repo, "tests/fixtures", `${name}.yaml`), "utf8");
const findingsOf = (reports, rule) =>
  reports.flatMap((r) => r.findings).filter((f) => f.rule === rule).map((f) => [f.container, f.severity, f.message]);

test("multi-document text: an agent's state in a read-only mount, an app around its ambassador", () => {
  const state = findingsOf(validate(fixture("readonly-log-mounts/fires-state-in-read-only-mount")), "readonly-log-mounts");
  assert.deepEqual(state.map(([c, s]) => [c, s]), [["log-shipper", "deny"], ["promtail", "deny"], ["filebeat", "deny"]]);
  assert.match(state[0][2], /keeps its state \/var\/log\/app\/app\.log\.pos in read-only mount \/var\/log\/app/);
  const bypass = findingsOf(validate(fixture("auth-proxy-bypass/fires-ambassador-nginx")), "auth-proxy-bypass");
  assert.deepEqual(bypass.map(([c, s]) => [c, s]), [["app", "warn"]]);
});

test("a List object carries the ConfigMaps beside the pod", () => {
  const configMap = {
    apiVersion: "v1", kind: "ConfigMap", metadata: { name: "envoy" },
    data: { "envoy.yaml": "admin:\n  address:\n    socket_address: {address: 0.0.0.0, port_value: 9901}\n" },
  };
  const pod = {
    apiVersion: "v1", kind: "Pod", metadata: { name: "proxy" },
    spec: {
      containers: [
        { name: "app", image: "shop/api:v3" },
        { name: "envoy", image: "envoyproxy/envoy:v1.31.0", volumeMounts: [{ name: "cfg", mountPath: "/etc/envoy" }] },
      ],
      volumes: [{ name: "cfg", configMap: { name: "envoy" } }],
    },
  };
  const admin = (reports) => findingsOf(reports, "localhost-admin-ports");
  const listed = admin(validate({ apiVersion: "v1", kind: "List", items: [configMap, pod] }));
  assert.deepEqual(listed.map(([c, s]) => [c, s]), [["envoy", "deny"]], "no port declared, denied all the same");
  assert.match(listed[0][2], /Envoy admin API on all interfaces \(ConfigMap envoy\/envoy\.yaml\)/);
  assert.deepEqual(admin(validate(pod)), [], "without its ConfigMap the bootstrap is unknown");
});

test("config its reader cannot parse is a warning with its line, never a denial", () => {
  const reports = validate(fixture("readonly-log-mounts/warn-unreadable-config"), { rules: { "readonly-log-mounts": { severity: "deny" } } });
  const found = findingsOf(reports, "readonly-log-mounts");
  assert.deepEqual(found.map(([c, s]) => [c, s]), [["log-shipper", "warn"]]);
  assert.match(found[0][2], /ConfigMap fluentd-config\/fluent\.conf, line 1/);
});
