// An object is judged as its JSON text is: the module writes the annotations no rule
// reads with empty values before `JSON.stringify` (kubectl's last-applied-configuration
// is often half an object), and that must never change a report or an error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { validate } from "sidecar-guard";
import { deployment, fixtures } from "./helpers.mjs";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/** What validate() gives, lines aside (an object has none): reports, or the error's message. */
function outcome(input, settings) {
  try {
    return { reports: validate(input, settings).map(withoutLines) };
  } catch (e) {
    return { error: e.message.replace(/ \(line \d+\)/g, "") };
  }
}

function withoutLines({ line, findings, injectedContainers, ...report }) {
  return {
    ...report,
    findings: findings.map(({ line, ...finding }) => finding),
    ...(injectedContainers && { injectedContainers: injectedContainers.map(({ line, ...c }) => c) }),
  };
}

/** The object as `kubectl apply` leaves it: its own JSON in the last-applied annotation. */
function applied(object) {
  if (object === null || typeof object !== "object" || Array.isArray(object)) return object;
  const metadata = object.metadata ?? {};
  if (typeof metadata !== "object" || Array.isArray(metadata)) return object;
  const annotations = metadata.annotations ?? {};
  if (typeof annotations !== "object" || Array.isArray(annotations)) return object;
  return { ...object, metadata: { ...metadata, annotations: { ...annotations, [LAST_APPLIED]: JSON.stringify(object) } } };
}

function assertSame(object, settings, name) {
  const copy = structuredClone(object);
  assert.deepEqual(outcome(object, settings), outcome(JSON.stringify(object), settings), name);
  assert.deepEqual(object, copy, `${name}: the caller's object is untouched`);
}

test("every fixture document, applied by kubectl, gives as an object what its JSON text gives", () => {
  let compared = 0;
  for (const fixture of fixtures()) {
    for (const document of parseAllDocuments(fixture.text)) {
      const object = document.toJS();
      if (object === null || object === undefined) continue;
      assertSame(applied(object), fixture.settings, fixture.name);
      compared += 1;
    }
  }
  assert.ok(compared > 60, `only ${compared} documents compared`);
});

test("the bench's Deployment: same report as its JSON text", () => {
  assert.ok(deployment.metadata.annotations[LAST_APPLIED].length > 2000);
  assertSame(deployment, undefined, "deployment");
});

test("annotations the rules read keep their values; unread ones keep their type", () => {
  const pod = (annotations) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", annotations },
    spec: { containers: [{ name: "app", image: "app:1" }] },
  });
  const cases = {
    // Exempts the pod from container-probes: the value must reach the core.
    "ignore annotation": { "sidecar-guard.io/ignore": "container-probes", [LAST_APPLIED]: "{}" },
    "default container": { "kubectl.kubernetes.io/default-container": "app", note: "x" },
    "unread number": { [LAST_APPLIED]: "{}", replicas: 3 },
    "unread null": { note: null, [LAST_APPLIED]: "{}" },
    "unread object": { note: { a: 1 }, [LAST_APPLIED]: "{}" },
    "integer-like keys keep their order": { 2: "b", 1: "a", [LAST_APPLIED]: "{}" },
  };
  for (const [name, annotations] of Object.entries(cases)) assertSame(pod(annotations), undefined, name);
  const [exempt] = validate(pod(cases["ignore annotation"]));
  assert.ok(!exempt.findings.some((f) => f.rule === "container-probes"), "the exemption was read");
  assert.match(outcome(pod(cases["unread number"])).error, /annotation values must be strings/);
});

test("objects the copy could misrepresent are stringified as they are", () => {
  const base = applied({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "app", image: "app:1" }] } });
  const withToJSON = { ...base, toJSON: () => ({ ...base, metadata: { name: "renamed" } }) };
  assert.equal(validate(withToJSON)[0].name, "renamed");
  const metadataToJSON = { ...base, metadata: { ...base.metadata, toJSON: () => ({ name: "m" }) } };
  assert.equal(validate(metadataToJSON)[0].name, "m");
  const throwing = { ...base, metadata: { ...base.metadata, get annotations() { throw new Error("getter"); } } };
  assert.throws(() => validate(throwing), /getter|cannot be converted to JSON/);
  assertSame({ ...base, metadata: [base.metadata] }, undefined, "metadata as a list");
});

test("an object too large for the core stays too large once its unread values are left out", () => {
  const big = applied({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "app", image: "app:1" }] } });
  big.metadata.annotations[LAST_APPLIED] = "x".repeat(3 * 1024 * 1024);
  assert.throws(() => validate(big), /more than the 3145728 bytes/);
  assertSame(big, undefined, "big");
});
