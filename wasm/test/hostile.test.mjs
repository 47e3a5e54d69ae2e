// tests/hostile/cases.json through the package: every hostile text makes validate()
// throw an Error naming the problem (never a wasm trap, never a verdict), and hostile
// JavaScript objects do too. The library, the CLI and the policy replay the same cases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validate } from "sidecar-guard";
import { repo, deployment } from "./helpers.mjs";

const cases = JSON.parse(readFileSync(join(repo, "tests/hostile/cases.json"), "utf8")).map((c) => ({
  ...c,
  text: c.parts.map(([text, times]) => text.repeat(times)).join(""),
}));

test("the hostile cases are all there", () => {
  assert.ok(cases.length > 10, `only ${cases.length} cases`);
});

for (const c of cases) {
  test(`hostile text: ${c.name}`, () => {
    assert.throws(() => validate(c.text), (e) => {
      assert.ok(e instanceof Error, `${e} is an Error`);
      assert.ok(e.message.includes(c.error), `${e.message.slice(0, 300)} should include ${c.error}`);
      return true;
    });
  });
}

test("hostile objects: cycles, BigInt, deep nesting, wrong types", () => {
  const cyclic = { apiVersion: "v1", kind: "Pod" };
  cyclic.self = cyclic;
  let deep = {};
  for (let i = 0; i < 150; i++) deep = { a: deep };
  let deeper = deep;
  for (let i = 0; i < 100_000; i++) deeper = { a: deeper };
  const wrong = (spec) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec });
  const cases = [
    [cyclic, "cannot be converted to JSON"],
    [{ apiVersion: "v1", kind: "Pod", n: 1n }, "cannot be converted to JSON"],
    [{ apiVersion: "v1", kind: "Pod", deep }, "nesting deeper than 100 levels"],
    [{ apiVersion: "v1", kind: "Pod", deeper }, "nesting too deep"],
    [wrong({ containers: {} }), "/spec/containers: invalid type: map, expected a sequence"],
    [wrong({ containers: [{ name: "a", ports: "80" }] }), "/spec/containers/0/ports"],
    [wrong({ containers: [null] }), "/spec/containers/0"],
    [wrong(null), "has no pod spec"],
    [{ kind: "Pod", spec: { containers: [] } }, "has no apiVersion"],
    [[], "found a list"],
  ];
  for (const [input, expected] of cases) {
    assert.throws(() => validate(input), (e) => {
      assert.ok(e instanceof Error);
      assert.ok(e.message.includes(expected), `${e.message.slice(0, 300)} should include ${expected}`);
      return true;
    });
  }
  // The module still works after all of that.
  assert.equal(validate(deployment)[0].status, "checked");
});
