#!/usr/bin/env node
// `npx sidecar-guard check k8s/`: the Rust CLI itself, compiled to wasm32-wasip1 and run
// in Node's WASI. The same arguments, output formats, colours and exit codes, because it
// is the same program: this file only hands it the host's files, streams and
// environment. The host's root is preopened, and the working directory is passed as PWD
// (the CLI changes to it first), so relative paths read and print as they do natively.
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Node marks WASI as experimental with a warning on stderr: not the CLI's output.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === "string" ? warning : warning?.message ?? "";
  if (!text.includes("WASI")) emitWarning.call(process, warning, ...rest);
};
const { WASI } = await import("node:wasi");

const here = dirname(fileURLToPath(import.meta.url));
const module = await WebAssembly.compile(await readFile(join(here, "../dist/cli/sidecar-guard.wasm")));

const env = { ...process.env, PWD: process.cwd() };
// WASI reports no terminal: tell the CLI when Node sees one, so `--color auto` colours
// exactly when the native binary would.
if (process.stdout.isTTY) env.SIDECAR_GUARD_STDOUT_IS_TERMINAL = "1";

// WASI writes to fds 1 and 2 synchronously. Node makes a pipe non-blocking, and a full
// pipe (a slow reader, a large SARIF report) then fails the write with EAGAIN and cuts the
// output short: make the writes wait instead.
for (const stream of [process.stdout, process.stderr]) stream._handle?.setBlocking?.(true);

const wasi = new WASI({
  version: "preview1",
  args: ["sidecar-guard", ...process.argv.slice(2)],
  env,
  preopens: { "/": "/" },
  returnOnExit: true,
});
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
