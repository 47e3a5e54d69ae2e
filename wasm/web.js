// Browsers and bundlers: fetch and instantiate the module once, then export the API.
// (Top-level await: supported by every current browser, Vite, webpack 5, esbuild.)
import init, { validate, fix, validateSettings, rules } from "./dist/web/sidecar_guard.js";

await init();

export { validate, fix, validateSettings, rules };
