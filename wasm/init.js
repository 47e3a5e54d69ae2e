// Browsers and bundlers, without top-level await: `await init()` once, then call the API.
// `init()` fetches the module from beside this file (`new URL(…, import.meta.url)`, which
// Vite and webpack 5 bundle as an asset); a bundler that does not (esbuild) hands over
// the module's URL, bytes or a `Response` instead: `init(wasmUrl)`.
import initModule, * as api from "./dist/web/sidecar_guard.js";

let ready;
let initialised = false;

/** Loads the module; later calls return the same promise. */
export function init(module) {
  ready ??= initModule(module === undefined ? undefined : { module_or_path: module }).then(() => {
    initialised = true;
  });
  return ready;
}

function loaded(name, call) {
  return (...args) => {
    if (!initialised) throw new Error(`sidecar-guard: await init() before calling ${name}()`);
    return call(...args);
  };
}

export const validate = loaded("validate", api.validate);
export const validateSettings = loaded("validateSettings", api.validateSettings);
export const rules = loaded("rules", api.rules);
