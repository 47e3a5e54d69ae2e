// The conformance corpus as tests/conformance.rs translated it: the npm module reaches the
// peers' verdicts too. The corpus lives outside the repository: in the directory
// SIDECAR_GUARD_SHARED names, or else ../shared beside the repository (as
// tests/support/shared.rs finds it). Without it the test is skipped with that reason,
// except on CI (CI=true) and when SIDECAR_GUARD_SHARED is set, where it fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { validate } from "sidecar-guard";
import { repo } from "./helpers.mjs";

const named = process.env.SIDECAR_GUARD_SHARED;
// A relative SIDECAR_GUARD_SHARED is relative to the repository, as in the Rust suites.
const corpus = join(resolve(repo, named ?? "../shared"), "conformance");
const present = existsSync(corpus);
const required = named !== undefined || process.env.CI === "true";
const skip = present || required ? false : "no SIDECAR_GUARD_SHARED and no ../shared/conformance/ beside the repository";
const cases = JSON.parse(readFileSync(join(repo, "tests/conformance-cases.json"), "utf8"));

test("conformance samples get the peers' verdicts", { skip }, () => {
  assert.ok(present, `${corpus} is missing (CI and an explicit SIDECAR_GUARD_SHARED need it)`);
  assert.ok(cases.length >= 53);
  for (const c of cases) {
    const reports = validate(readFileSync(join(corpus, c.file), "utf8"), c.settings);
    const relevant = reports.filter((r) => c.object === null || r.name === c.object);
    assert.ok(relevant.length > 0, `${c.file}: object ${c.object} not found`);
    assert.equal(relevant.every((r) => r.allowed), c.admitted, `${c.file} ${c.object ?? ""}`);
  }
});
