// Every rule fixture through the package: the same findings as the core (the fixtures'
// expected files are what the Rust tests assert for the library and the CLI).
import { test } from "node:test";
import assert from "node:assert/strict";
import { validate } from "sidecar-guard";
import { fixtures, comparable } from "./helpers.mjs";

const cases = fixtures();

test("the fixtures are all there", () => {
  assert.ok(cases.length > 40, `only ${cases.length} fixtures`);
});

for (const fixture of cases) {
  test(`fixture ${fixture.name}`, () => {
    const errors = fixture.expected.filter((r) => "error" in r);
    if (errors.length) {
      // A document that cannot be judged makes validate() throw, naming every problem.
      assert.throws(() => validate(fixture.text, fixture.settings), (e) => {
        assert.ok(e instanceof Error);
        for (const expected of errors) {
          assert.ok(e.message.includes(expected.error), `${e.message} should include ${expected.error}`);
        }
        return true;
      });
      return;
    }
    const reports = validate(fixture.text, fixture.settings);
    const actual = reports.map((r) => comparable(r, fixture.rule));
    const expected = fixture.expected.map((r) => ({ ...r, findings: r.findings.map((f) => Object.fromEntries(Object.entries(f).sort())) }));
    assert.deepEqual(actual, expected);
  });
}
