// Compiled with `tsc --noEmit` by types.test.mjs: the declarations describe the API.
import { validate, fix, validateSettings, rules, type Report, type Finding, type Settings, type RuleId, type AppliedFix, type PatchOperation } from "sidecar-guard";

const settings: Settings = {
  kubernetesVersion: "1.33",
  allowIgnoreAnnotation: false,
  rules: {
    "container-resources": { limits: ["memory"], maxLimits: { memory: "1Gi" }, sidecarShare: 0.5 },
    "container-probes": { app: { required: ["readiness"], advised: ["liveness"] }, "native-sidecar": { advised: ["startup"] }, satisfiedBy: "any", bounds: { liveness: { periodSeconds: { min: 5 } } } },
    "localhost-admin-ports": { adminPorts: [{ image: "corp/gw", port: 9000, name: "gateway admin" }] },
    "shared-process-namespace": { severity: "off" },
  },
};

const reports: Report[] = validate("kind: Pod", settings);
const first: Finding | undefined = reports[0]?.findings[0];
const severity: "deny" | "warn" | undefined = first?.severity;
const container: string | null | undefined = first?.container;
const roleReason: string | undefined = first?.roleReason;
const ids: RuleId[] = rules().map((r) => r.id);
const pointers: string[] = validateSettings(settings).map((e) => e.pointer);
validate({ apiVersion: "v1", kind: "Pod" });
validate("kind: Pod", "rules: {}");

// @ts-expect-error: severities are deny | warn | off
const wrongSeverity: Settings = { rules: { "port-conflicts": { severity: "loud" } } };
// @ts-expect-error: unknown rule ids are not settings keys
const wrongRule: Settings = { rules: { "no-such-rule": {} } };
// @ts-expect-error: injected findings are judge | warn | off
const wrongInjected: Settings = { sidecars: { injected: "loud" } };
// @ts-expect-error: admin ports need a port
const missingPort: Settings = { rules: { "localhost-admin-ports": { adminPorts: [{ image: "x", name: "y" }] } } };
// @ts-expect-error: validate takes text or an object
validate(42);

export { severity, container, ids, pointers, wrongSeverity, wrongRule, missingPort };

// The init() entry: the same API, after the module is loaded.
import { init, validate as validateAfterInit } from "sidecar-guard/init";
await init();
await init(new URL("https://example.com/sidecar_guard_bg.wasm"));
const afterInit: Report[] = validateAfterInit("kind: Pod");
const loading: Promise<void> = init();
await loading;
// @ts-expect-error the API after init() is the same: validate needs its input
validateAfterInit();
void afterInit;

// Fixes: text in gives text out, an object in gives its type back.
const fixedText: string = fix("kind: Pod", settings, { unsafe: true }).output;
const fixedObject: { kind: string } = fix({ kind: "Pod" }).output;
const applied: AppliedFix[] = fix("kind: Pod").applied;
const safety: "safe" | "unsafe" | undefined = first?.fix?.applicability;
const operations: PatchOperation[] | undefined = first?.fix?.operations;
const defaults: Settings = { rules: { "container-resources": { defaults: { sidecar: { requests: { cpu: "50m" }, limits: { memory: "64Mi" } } } } } };
// @ts-expect-error: fill-in defaults are per role
const wrongDefaults: Settings = { rules: { "container-resources": { defaults: { ephemeral: {} } } } };
