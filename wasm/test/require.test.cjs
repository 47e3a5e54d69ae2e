// CommonJS consumers get the same API synchronously.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const sidecarGuard = require("sidecar-guard");

test("require() loads the package", async () => {
  assert.equal(typeof sidecarGuard.validate, "function");
  const [report] = sidecarGuard.validate("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
  assert.equal(report.status, "skipped");
  // The built module's rules are the registry's, as codegen wrote them into index.d.ts
  // (RuleId): no count kept here by hand.
  const { declaredRuleIds } = await import("./helpers.mjs");
  assert.ok(declaredRuleIds().length > 0);
  assert.deepEqual(sidecarGuard.rules().map((r) => r.id), declaredRuleIds());
});
