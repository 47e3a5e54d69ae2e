// fix(): the CLI's golden files give the same text through npm, objects come back fixed,
// findings from validate() carry their fix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fix, validate } from "sidecar-guard";
import { repo } from "./helpers.mjs";

const root = join(repo, "tests/fix");
const cases = readdirSync(root)
  .filter((f) => /\.(yaml|json)$/.test(f) && !f.endsWith(".settings.yaml") && !f.includes(".fixed."))
  .sort();

function caseOf(file) {
  const ext = file.endsWith(".json") ? "json" : "yaml";
  const stem = file.slice(0, -(ext.length + 1));
  const settingsPath = join(root, `${stem}.settings.yaml`);
  return {
    input: readFileSync(join(root, file), "utf8"),
    expected: readFileSync(join(root, `${stem}.fixed.${ext}`), "utf8"),
    settings: existsSync(settingsPath) ? readFileSync(settingsPath, "utf8") : undefined,
    unsafe: stem.startsWith("unsafe-"),
  };
}

test("the golden files: text in, the CLI's text out, byte for byte; a second fix changes nothing", () => {
  assert.ok(cases.length >= 4);
  for (const file of cases) {
    const { input, expected, settings, unsafe } = caseOf(file);
    const fixed = fix(input, settings, { unsafe });
    assert.equal(fixed.output, expected, file);
    assert.ok(fixed.applied.length > 0, file);
    for (const applied of fixed.applied) {
      assert.ok(["safe", "unsafe"].includes(applied.applicability), file);
      assert.ok(unsafe || applied.applicability === "safe", `${file}: unsafe fix without { unsafe: true }`);
      assert.equal(typeof applied.title, "string");
    }
    // What remains carries no fix that was asked for.
    for (const finding of fixed.reports.flatMap((r) => r.findings)) {
      assert.ok(!finding.fix || (!unsafe && finding.fix.applicability === "unsafe"), `${file}: ${finding.message}`);
    }
    const again = fix(fixed.output, settings, { unsafe });
    assert.equal(again.output, fixed.output, file);
    assert.deepEqual(again.applied, [], file);
  }
});

test("an object in gives the fixed object, the same as the fixed text reads; the caller's object is untouched", () => {
  const { input, expected, settings } = caseOf("node-logs.json");
  const object = JSON.parse(input);
  const before = structuredClone(object);
  const fixed = fix(object, settings);
  assert.deepEqual(fixed.output, JSON.parse(expected));
  assert.deepEqual(object, before);
  assert.equal(fixed.applied.length, 1);
  assert.equal(fixed.applied[0].rule, "readonly-log-mounts");
});

test("validate()'s findings carry their fix: JSON Patch on the object as given", () => {
  const { input, settings } = caseOf("unsafe-native-sidecars.yaml");
  const findings = validate(input, settings).flatMap((r) => r.findings);
  const move = findings.find((f) => f.rule === "native-sidecars" && f.container === "cloud-sql-proxy");
  assert.equal(move.fix.applicability, "unsafe");
  assert.deepEqual(move.fix.operations.map((o) => o.op), ["add", "move"]);
  assert.equal(move.fix.operations[1].from, move.path);
  // Without { unsafe: true } nothing unsafe is applied.
  const safeOnly = fix(input, settings);
  assert.equal(safeOnly.output, input);
  assert.deepEqual(safeOnly.applied, []);
});

test("bad input throws as validate() does", () => {
  assert.throws(() => fix(42), /fix\(\) takes YAML or JSON text/);
  assert.throws(() => fix(""), /input is empty/);
  assert.throws(() => fix("a: [\n"), /document 0/);
  assert.throws(() => fix("kind: Pod", { rules: { nope: {} } }), /invalid settings/);
});
