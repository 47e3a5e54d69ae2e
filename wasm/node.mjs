// Node's `import` entry: the same synchronous module the CommonJS entry loads.
import { createRequire } from "node:module";

const glue = createRequire(import.meta.url)("./dist/node/sidecar_guard.js");

export const { validate, fix, validateSettings, rules } = glue;
