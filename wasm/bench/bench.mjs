// `npm run bench`: validations per second in Node on a realistic Deployment (three
// containers, managedFields, a last-applied annotation), as an object and as JSON text,
// and the package's sizes. Targets (issue #4): >= 50 000 validations/s, <= 300 KB gzipped.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { validate } from "../node.mjs";
import { deployment, pkg } from "../test/helpers.mjs";

function rate(label, input) {
  for (let i = 0; i < 2_000; i++) validate(input);
  let count = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < 3_000_000_000n) {
    for (let i = 0; i < 500; i++) validate(input);
    count += 500;
    elapsed = process.hrtime.bigint() - start;
  }
  const perSecond = count / (Number(elapsed) / 1e9);
  console.log(`${label.padEnd(34)} ${Math.round(perSecond).toLocaleString("en").padStart(10)} validations/s  ${(1e6 / perSecond).toFixed(1)} µs each`);
  return perSecond;
}

const text = JSON.stringify(deployment);
console.log(`realistic Deployment: ${text.length} bytes of JSON`);
rate("object input", deployment);
rate("JSON text input", text);

const gz = (file) => gzipSync(readFileSync(join(pkg, file)), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const wasm = readFileSync(join(pkg, "dist/web/sidecar_guard_bg.wasm")).length;
console.log(`web module: ${kb(wasm)} raw, ${kb(gz("dist/web/sidecar_guard_bg.wasm") + gz("dist/web/sidecar_guard.js") + gz("web.js"))} gzipped with its glue (what a browser downloads)`);
const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: pkg, encoding: "utf8" }));
console.log(`npm tarball: ${kb(packed.size)} gzipped (${kb(packed.unpackedSize)} unpacked; Node and web builds both inside)`);
