// `npm pack`, install the tarball into an empty project, and use it from ESM and CommonJS.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { declaredRuleIds, pkg } from "./helpers.mjs";

test("the packed tarball installs and works from import and require", () => {
  const work = mkdtempSync(join(tmpdir(), "sidecar-guard-pack-"));
  try {
    const [tarball] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: pkg, encoding: "utf8" }));
    const files = tarball.files.map((f) => f.path);
    for (const needed of ["bin/sidecar-guard.mjs", "dist/cli/sidecar-guard.wasm", "index.d.ts", "node.mjs", "web.js", "dist/node/sidecar_guard.js", "dist/node/sidecar_guard_bg.wasm", "dist/web/sidecar_guard.js", "dist/web/sidecar_guard_bg.wasm", "package.json", "README.md"]) {
      assert.ok(files.includes(needed), `tarball lacks ${needed}: ${files.join(", ")}`);
    }
    assert.ok(!files.some((f) => f.startsWith("src/") || f.startsWith("test/") || f.startsWith("node_modules/")), files.join(", "));
    const project = join(work, "project");
    execFileSync("mkdir", [project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", join(work, tarball.filename)], { cwd: project, stdio: "pipe" });
    const manifest = "apiVersion: v1\\nkind: Pod\\nmetadata: {name: p}\\nspec: {containers: [{name: a, image: x}]}\\n";
    writeFileSync(join(project, "esm.mjs"), `import { validate, rules } from "sidecar-guard";\nconst [r] = validate("${manifest}");\nconsole.log(JSON.stringify({ allowed: r.allowed, rules: rules().length }));\n`);
    writeFileSync(join(project, "cjs.cjs"), `const { validate, rules } = require("sidecar-guard");\nconst [r] = validate("${manifest}");\nconsole.log(JSON.stringify({ allowed: r.allowed, rules: rules().length }));\n`);
    for (const script of ["esm.mjs", "cjs.cjs"]) {
      const output = JSON.parse(execFileSync("node", [script], { cwd: project, encoding: "utf8" }));
      // Every rule the generated types declare, not a count written here.
      assert.deepEqual(output, { allowed: false, rules: declaredRuleIds().length }, script);
    }
    assert.ok(readdirSync(join(project, "node_modules/sidecar-guard/dist/web")).includes("sidecar_guard_bg.wasm"));
    // The command npm links for the package: what `npx sidecar-guard` runs.
    writeFileSync(join(project, "pod.yaml"), manifest.replaceAll("\\n", "\n"));
    const cli = spawnSync(join(project, "node_modules/.bin/sidecar-guard"), ["check", "pod.yaml"], { cwd: project, encoding: "utf8" });
    assert.equal(cli.status, 1, cli.stderr);
    assert.match(cli.stdout, /pod\.yaml:\d+: rejected Pod p/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
