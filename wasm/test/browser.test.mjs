// The demo page in real headless Chromium (Debian's chromium, driven by playwright-core):
// served from a local static server, pick an example, read the findings, fix the
// manifest, see the finding go, and save a screenshot under test-output/.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";
import { pkg } from "./helpers.mjs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json" };

async function serve() {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, "http://localhost").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(pkg, path.endsWith("/") ? join(path, "index.html") : path);
    try {
      const body = await readFile(file);
      response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404);
      response.end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

test("the demo page judges an example and updates as the manifest is fixed", async () => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  after(async () => {
    await browser.close();
    server.close();
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/demo/`);
  await page.selectOption("#example", "edge-proxy.yaml");
  const adminFinding = page.locator('tr.finding[data-rule="localhost-admin-ports"]');
  await adminFinding.waitFor();
  assert.match(await adminFinding.innerText(), /serves the Envoy admin API on all interfaces \(ConfigMap inventory-envoy\/envoy\.yaml\)/);
  assert.equal(await page.locator('tr.finding[data-severity="deny"]').count(), 1);
  assert.equal(await page.locator('article[data-verdict="rejected"]').count(), 1);
  await mkdir(join(pkg, "test-output"), { recursive: true });
  await page.screenshot({ path: join(pkg, "test-output/demo-findings.png"), fullPage: true });

  // Fix it: bind the admin interface to the loopback in the bootstrap; the finding
  // disappears as we type.
  const text = await page.inputValue("#manifest");
  const fixed = text.replace("socket_address: {address: 0.0.0.0, port_value: 9901}", "socket_address: {address: 127.0.0.1, port_value: 9901}");
  assert.notEqual(fixed, text, "the example binds the admin interface to 0.0.0.0 as expected");
  await page.fill("#manifest", fixed);
  await adminFinding.waitFor({ state: "detached" });
  assert.equal(await page.locator('article[data-verdict="rejected"]').count(), 0);
  await page.screenshot({ path: join(pkg, "test-output/demo-fixed.png"), fullPage: true });

  // Settings edited as YAML apply too: make the remaining warning a denial.
  await page.fill("#settings", "rules:\n  native-sidecars: {severity: deny}\n");
  await page.locator('tr.finding[data-rule="native-sidecars"][data-severity="deny"]').waitFor();
  // A broken manifest shows the error instead of crashing the page.
  await page.fill("#manifest", "kind: Pod\nspec: [\n");
  await page.locator("#error:not([hidden])").waitFor();
  assert.match(await page.locator("#error").innerText(), /line/);
  assert.deepEqual(problems, []);
});
