// The TypeScript declarations type-check a usage file (and reject misuse it marks).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pkg } from "./helpers.mjs";

test("tsc --noEmit accepts the usage file", () => {
  const tsc = join(pkg, "node_modules/typescript/bin/tsc");
  try {
    execFileSync("node", [tsc, "--noEmit", "-p", join(pkg, "test/types/tsconfig.json")], { cwd: pkg, encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});
