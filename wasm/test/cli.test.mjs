// The package's `sidecar-guard` command against the Rust CLI: the same stdout, stderr and
// exit code for every format, for files, folders and stdin, on the examples and every
// fixture folder. The Rust binary is the one `cargo test` builds (`make test` builds it
// before the npm tests); SIDECAR_GUARD_NATIVE names another.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pkg, repo } from "./helpers.mjs";

const launcher = join(pkg, "bin/sidecar-guard.mjs");
const native = process.env.SIDECAR_GUARD_NATIVE
  ?? ["target/debug/sidecar-guard", "target/release/sidecar-guard"].map((p) => join(repo, p)).find(existsSync);

function run(command, args, input) {
  const result = spawnSync(command, args, { cwd: repo, input, encoding: "utf8", env: { ...process.env, NO_COLOR: "" } });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function same(args, input) {
  assert.ok(native, "the Rust CLI is not built: run `cargo build` (or set SIDECAR_GUARD_NATIVE)");
  const expected = run(native, args, input);
  const actual = run(process.execPath, [launcher, ...args], input);
  assert.equal(actual.status, expected.status, `exit code of sidecar-guard ${args.join(" ")}`);
  assert.equal(actual.stdout, expected.stdout, `stdout of sidecar-guard ${args.join(" ")}`);
  assert.equal(actual.stderr, expected.stderr, `stderr of sidecar-guard ${args.join(" ")}`);
  return actual;
}

test("npx sidecar-guard check examples/ prints and exits as the Rust CLI", () => {
  const { status, stdout } = same(["check", "examples/"]);
  assert.equal(status, 1, "the examples have deny findings");
  assert.match(stdout, /rejected/);
  for (const format of ["json", "sarif"]) same(["check", "--format", format, "examples/"]);
  same(["check", "--color", "always", "examples/"]);
  same(["check", "--quiet", "examples/fixed/"]);
});

test("every fixture folder, every format", () => {
  const fixtures = join(repo, "tests/fixtures");
  for (const dir of readdirSync(fixtures).sort()) {
    for (const format of ["text", "json", "sarif"]) same(["check", "--format", format, `tests/fixtures/${dir}`]);
  }
  same(["check", "tests/kustomize"]);
});

test("settings, stdin, absolute paths, errors and the other commands", () => {
  const fixture = "tests/fixtures/container-probes/bounds";
  same(["check", "--settings", `${fixture}.settings.yaml`, `${fixture}.yaml`]);
  same(["check", "-"], readFileSync(join(repo, "examples/log-shipping.yaml"), "utf8"));
  same(["check", "--format", "sarif", join(repo, "examples")]);
  same(["check", "--skip-non-manifests", ".pre-commit-hooks.yaml", "examples/log-shipping.yaml"]);
  assert.equal(same(["check", "no/such/file.yaml"]).status, 2);
  assert.equal(same(["check", "--settings", "examples/log-shipping.yaml", "examples/"]).status, 2);
  assert.equal(same(["check", "--format", "xml", "examples/"]).status, 2);
  same(["rules"]);
  same(["rules", "--format", "json"]);
  same(["explain", "native-sidecars"]);
  assert.equal(same(["explain", "no-such-rule"]).status, 2);
  same(["--version"]);
});

test("a slow reader still gets the whole output (a full pipe makes the writes wait)", () => {
  const args = ["check", "--format", "sarif", "tests/fixtures/engine"];
  const expected = run(native, args).stdout;
  assert.ok(expected.length > 65536, "the report must be larger than a pipe's buffer");
  // The reader starts a second late: the pipe fills long before it reads.
  const script = `"$0" "$@" | (sleep 1; cat)`;
  const slow = spawnSync("sh", ["-c", script, process.execPath, launcher, ...args], {
    cwd: repo,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "" },
  });
  assert.equal(slow.stdout.length, expected.length);
  assert.equal(slow.stdout, expected);
});
