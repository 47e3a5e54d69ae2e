// The API as documented: inputs, settings, outputs, errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { validate, validateSettings, rules } from "sidecar-guard";
import { deployment, declaredRuleIds } from "./helpers.mjs";

const pod = `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
    - name: app
      image: shop/api:v3
`;

test("text input: one report per object, findings with the CLI's fields and lines", () => {
  const [report] = validate(pod);
  assert.equal(report.kind, "Pod");
  assert.equal(report.name, "web");
  assert.equal(report.namespace, "shop");
  assert.equal(report.allowed, false);
  assert.equal(report.document, 0);
  const finding = report.findings[0];
  assert.deepEqual(Object.keys(finding).sort(), ["container", "help", "line", "message", "path", "role", "roleReason", "rule", "severity"]);
  assert.equal(finding.container, "app");
  assert.equal(finding.role, "app");
  assert.equal(finding.line, 6);
  assert.match(finding.path, /^\/spec\/containers\/0/);
});

test("text beyond ASCII reaches the core whole, with its lines", () => {
  // Encoded into the module's memory by the platform: two-, three- and four-byte UTF-8,
  // and a surrogate pair, before the finding's line.
  const text = `# café — naïve ✓ 🚀\n${pod.replace("name: web", "name: wéb-🚀")}`;
  const [report] = validate(text);
  assert.equal(report.name, "wéb-🚀");
  assert.equal(report.findings[0].line, 7);
  assert.deepEqual(validate(` ${text}`.slice(1)), [report]);
  // A lone surrogate becomes U+FFFD, as TextEncoder writes it.
  assert.throws(() => validate("\ud800"), /found a string "\ufffd"/);
});

test("object input and multi-document text", () => {
  const [report] = validate(deployment);
  assert.equal(report.kind, "Deployment");
  assert.equal(report.allowed, true);
  assert.equal(report.findings[0].rule, "native-sidecars");
  assert.equal(report.findings[0].line, null, "no lines for objects");
  const reports = validate(`${pod}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`);
  assert.deepEqual(reports.map((r) => [r.kind, r.status, r.document]), [["Pod", "checked", 0], ["ConfigMap", "skipped", 1]]);
});

test("settings as YAML text, JSON text or an object", () => {
  const off = { rules: { "container-probes": { severity: "off" }, "container-resources": { severity: "off" } } };
  for (const settings of [off, JSON.stringify(off), "rules:\n  container-probes: {severity: off}\n  container-resources: {severity: off}\n"]) {
    const [report] = validate(pod, settings);
    assert.equal(report.allowed, true, JSON.stringify(report.findings));
  }
});

test("bad input throws an Error that says what is wrong, and the module keeps working", () => {
  const cases = [
    [() => validate("kind: Pod\nspec: [\n"), /line 2/],
    [() => validate(""), /empty/],
    [() => validate(42), /takes YAML or JSON text/],
    [() => validate(pod, { typo: 1 }), /invalid settings: \/typo: unknown key/],
    [() => validate(pod, "rules: {nope: {}}"), /\/rules\/nope/],
    [() => validate({ apiVersion: "v1", kind: "Pod", spec: { containers: {} } }), /\/spec\/containers/],
    [() => validate("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"), /no pod spec/],
    [() => validate("a: 1\na: 2\n"), /more than once/],
    [() => { const o = {}; o.self = o; return validate(o); }, /cannot be converted to JSON/],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, (e) => e instanceof Error && message.test(e.message), String(message));
  }
  let deep = {};
  for (let i = 0; i < 100000; i++) deep = { a: deep };
  assert.throws(() => validate(deep), Error);
  assert.equal(validate(pod)[0].kind, "Pod", "still works");
});

test("validateSettings lists every problem with its pointer", () => {
  assert.deepEqual(validateSettings({}), []);
  assert.deepEqual(validateSettings(undefined), []);
  assert.deepEqual(validateSettings('kubernetesVersion: "1.30"'), []);
  const errors = validateSettings({ typo: true, sidecars: { images: ["bad["] }, rules: { "container-resources": { maxLimits: { cpu: "lots" } } } });
  assert.deepEqual(errors.map((e) => e.pointer).sort(), ["/rules/container-resources/maxLimits/cpu", "/sidecars/images/0", "/typo"]);
  assert.ok(errors.every((e) => typeof e.message === "string" && e.message.length > 0));
  assert.equal(validateSettings("rules: [").length, 1);
});

test("rules() is the registry", () => {
  const list = rules();
  // The declarations are generated from the Rust registry (codegen, checked for drift).
  assert.deepEqual(list.map((r) => r.id), declaredRuleIds());
  assert.ok(list.length >= 7);
  for (const rule of list) {
    assert.ok(["deny", "warn"].includes(rule.defaultSeverity));
    assert.match(rule.docs, /## What it does/);
    assert.ok(rule.summary.length > 0);
  }
});

test("JSON text takes the fast path and gives the YAML reader's lines", () => {
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "app", image: "shop/api:v3" }, { name: "proxy", image: "envoyproxy/envoy:v1.30", args: ["--admin-address", "0.0.0.0:9901"] }] } };
  const json = JSON.stringify(pod, null, 2);
  // A leading comment sends the same document down the YAML path, one line lower.
  const [fast] = validate(json);
  const [slow] = validate(`# the same, as YAML\n${json}`);
  assert.ok(fast.findings.length > 3, "the pod has findings");
  assert.deepEqual(fast.findings.map((f) => f.line + 1), slow.findings.map((f) => f.line));
  assert.equal(fast.line, 1);
  assert.ok(fast.findings.every((f) => Number.isInteger(f.line)));
});
