// The demo page in real headless Chromium (Debian's chromium, driven by playwright-core):
// served from a local static server, pick an example, read the findings, fix the
// manifest, see the finding go, and save a screenshot under test-output/.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pkg } from "./helpers.mjs";
import { launchChromium, serve } from "./web-helpers.mjs";

test("the demo page judges an example and updates as the manifest is fixed", async () => {
  const server = await serve(pkg);
  const browser = await launchChromium();
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
