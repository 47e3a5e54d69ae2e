// The `sidecar-guard/init` entry: the same API after `await init()`.
export * from "./index.js";

/**
 * Loads the WebAssembly module; call it once and await it before `validate`,
 * `validateSettings` or `rules`. Without an argument the module is fetched from beside the
 * package's glue; pass its URL, bytes or a `Response` where the bundler does not bundle it.
 */
export function init(module?: string | URL | Response | BufferSource | WebAssembly.Module): Promise<void>;
