// Microsoft's SARIF validator (`sarif-multitool validate`) on the CLI's SARIF, for
// manifests named by relative and by absolute paths, and for standard input: no error
// and no warning (its notes are style suggestions, not failures).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pkg, repo } from "./helpers.mjs";

const validator = createRequire(import.meta.url)("@microsoft/sarif-multitool");
const launcher = join(pkg, "bin/sidecar-guard.mjs");

function sarifOf(args, input) {
  const run = spawnSync(process.execPath, [launcher, "check", "--format", "sarif", ...args], { cwd: repo, input, encoding: "utf8" });
  assert.ok([0, 1, 2].includes(run.status), run.stderr);
  return run.stdout;
}

function problems(sarif) {
  const work = mkdtempSync(join(tmpdir(), "sidecar-guard-sarif-"));
  try {
    writeFileSync(join(work, "in.sarif"), sarif);
    const run = spawnSync(validator, ["validate", join(work, "in.sarif"), "--output", join(work, "out.sarif")], {
      encoding: "utf8",
      // No ICU needed for validating JSON.
      env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" },
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const results = JSON.parse(readFileSync(join(work, "out.sarif"), "utf8")).runs[0].results ?? [];
    return results.filter((r) => r.level === "error" || r.level === "warning").map((r) => `${r.ruleId} ${JSON.stringify(r.message)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

test("SARIF for relative paths passes the validator", () => {
  const sarif = sarifOf(["examples/", "tests/fixtures/real-world/"]);
  assert.ok(JSON.parse(sarif).runs[0].results.length > 10);
  assert.deepEqual(problems(sarif), []);
});

test("SARIF for absolute paths passes the validator", () => {
  const sarif = sarifOf([join(repo, "examples"), join(repo, "tests/fixtures/malformed")]);
  const uris = JSON.parse(sarif).runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri);
  assert.ok(uris.every((uri) => uri.startsWith("file:///")), uris.join(" "));
  assert.deepEqual(problems(sarif), []);
});

test("SARIF for standard input and unreadable files passes the validator", () => {
  const text = readFileSync(join(repo, "examples/log-shipping.yaml"), "utf8");
  assert.deepEqual(problems(sarifOf(["-"], text)), []);
  assert.deepEqual(problems(sarifOf(["no/such/file.yaml", "../outside.yaml"])), []);
});
