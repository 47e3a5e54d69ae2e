// The packed tarball in scratch projects built by Vite (its default configuration),
// webpack 5 (no configuration file) and esbuild, each page loaded in headless Chromium
// and its findings checked: what a new user of each bundler gets.
//
// Vite and webpack bundle the module's `new URL(…, import.meta.url)` as an asset and
// take either entry; esbuild leaves it behind, so its page uses the `sidecar-guard/init`
// entry and hands `init()` the module's URL (`--loader:.wasm=file`).
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pkg } from "./helpers.mjs";
import { launchChromium, serve } from "./web-helpers.mjs";
const bin = (name) => join(pkg, "node_modules/.bin", name);

// A Deployment whose log agent has no resources and no probes and is a classic sidecar:
// findings from three rules.
const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: {name: shop}
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers:
        - name: app
          image: shop/api:v3
        - name: log-agent
          image: fluent/fluent-bit:3.1
`;

/** The page's script: validate, then put the rules of the findings on the page. */
const show = `const reports = validate(${JSON.stringify(MANIFEST)});
document.body.dataset.result = JSON.stringify(reports.map((r) => ({ allowed: r.allowed, rules: [...new Set(r.findings.map((f) => f.rule))].sort() })));`;

let work;
let tarball;
let browser;

before(() => {
  work = mkdtempSync(join(tmpdir(), "sidecar-guard-bundlers-"));
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: pkg, encoding: "utf8" }));
  tarball = join(work, packed.filename);
});

after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A scratch project with the tarball installed and the given files. */
function project(name, files) {
  const dir = join(work, name);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], { cwd: dir, stdio: "pipe" });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** Serves `root` on the loopback, loads the page in Chromium and returns its result. */
async function load(root, page = "index.html") {
  const server = await serve(root);
  browser ??= await launchChromium();
  const tab = await browser.newPage();
  const errors = [];
  tab.on("pageerror", (e) => errors.push(e.message));
  try {
    await tab.goto(`http://127.0.0.1:${server.address().port}/${page}`);
    await tab.waitForFunction(() => document.body.dataset.result || document.body.dataset.error, null, { timeout: 20_000 }).catch(() => {});
    assert.deepEqual(errors, [], "page errors");
    const result = await tab.evaluate(() => document.body.dataset.result);
    assert.ok(result, "the page produced no result");
    return JSON.parse(result);
  } finally {
    await tab.close();
    server.close();
  }
}

const EXPECTED = [{ allowed: false, rules: ["container-probes", "container-resources", "native-sidecars"] }];

test("Vite, default configuration, both entries", async () => {
  const index = `<!doctype html><html><body><script type="module" src="/src/main.js"></script></body></html>`;
  const entries = {
    ready: `import { validate } from "sidecar-guard";\n${show}\n`,
    init: `import { init, validate } from "sidecar-guard/init";\nawait init();\n${show}\n`,
  };
  for (const [name, main] of Object.entries(entries)) {
    const dir = project(`vite-${name}`, { "index.html": index, "src/main.js": main });
    execFileSync(bin("vite"), ["build", "--logLevel", "error"], { cwd: dir, stdio: "pipe" });
    assert.deepEqual(await load(join(dir, "dist")), EXPECTED, name);
  }
});

test("webpack 5, no configuration file", async () => {
  const dir = project("webpack-app", {
    "src/index.js": `import { validate } from "sidecar-guard";\n${show}\n`,
  });
  execFileSync(bin("webpack"), ["--mode", "production"], { cwd: dir, stdio: "pipe" });
  writeFileSync(join(dir, "dist/index.html"), `<!doctype html><html><body><script src="main.js"></script></body></html>`);
  assert.deepEqual(await load(join(dir, "dist")), EXPECTED);
});

test("esbuild, with the init() entry and the module as a file", async () => {
  const dir = project("esbuild-app", {
    "src/index.js": `import { init, validate } from "sidecar-guard/init";\nimport wasm from "sidecar-guard/sidecar_guard_bg.wasm";\nawait init(new URL(wasm, import.meta.url));\n${show}\n`,
  });
  execFileSync(bin("esbuild"), ["src/index.js", "--bundle", "--format=esm", "--outdir=dist", "--loader:.wasm=file"], { cwd: dir, stdio: "pipe" });
  writeFileSync(join(dir, "dist/index.html"), `<!doctype html><html><body><script type="module" src="index.js"></script></body></html>`);
  assert.deepEqual(await load(join(dir, "dist")), EXPECTED);
});

test("the init() entry refuses calls before the module is loaded", async () => {
  const api = await import("sidecar-guard/init");
  assert.throws(() => api.validate("kind: Pod"), /await init\(\) before calling validate\(\)/);
  assert.ok(readFileSync(join(pkg, "init.d.ts"), "utf8").includes("export function init("));
});
