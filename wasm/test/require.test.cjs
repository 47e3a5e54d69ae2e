// CommonJS consumers get the same API synchronously.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const sidecarGuard = require("sidecar-guard");

test("require() loads the package", () => {
  assert.equal(typeof sidecarGuard.validate, "function");
  const [report] = sidecarGuard.validate("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
  assert.equal(report.status, "skipped");
  assert.equal(sidecarGuard.rules().length, 7);
});
