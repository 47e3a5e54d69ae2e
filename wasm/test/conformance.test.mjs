// The conformance corpus (../shared/conformance) as tests/conformance.rs translated it:
// the npm module reaches the peers' verdicts too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { validate } from "sidecar-guard";
import { repo } from "./helpers.mjs";

const shared = [join(repo, "../shared"), join(repo, "shared")].find((p) => existsSync(join(p, "conformance")));
const cases = JSON.parse(readFileSync(join(repo, "tests/conformance-cases.json"), "utf8"));

test("conformance samples get the peers' verdicts", () => {
  assert.ok(shared, "../shared must sit beside the repository");
  assert.ok(cases.length >= 53);
  for (const c of cases) {
    const reports = validate(readFileSync(join(shared, "conformance", c.file), "utf8"), c.settings);
    const relevant = reports.filter((r) => c.object === null || r.name === c.object);
    assert.ok(relevant.length > 0, `${c.file}: object ${c.object} not found`);
    assert.equal(relevant.every((r) => r.allowed), c.admitted, `${c.file} ${c.object ?? ""}`);
  }
});
