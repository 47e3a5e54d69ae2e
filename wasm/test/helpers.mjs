// Paths and fixture loading shared by the tests.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repo = join(pkg, "..");

const RULES = ["container-resources", "container-probes", "readonly-log-mounts", "localhost-admin-ports", "native-sidecars", "port-conflicts", "shared-process-namespace"];

/** Every fixture: text, settings text (or undefined), expected results, and the rule its directory names. */
export function fixtures() {
  const root = join(repo, "tests/fixtures");
  const cases = [];
  for (const dir of readdirSync(root).sort()) {
    for (const file of readdirSync(join(root, dir)).sort()) {
      if (!file.endsWith(".yaml") || file.endsWith(".settings.yaml")) continue;
      const base = join(root, dir, file.slice(0, -".yaml".length));
      cases.push({
        name: `${dir}/${file}`,
        rule: RULES.includes(dir) ? dir : null,
        text: readFileSync(`${base}.yaml`, "utf8"),
        settings: existsSync(`${base}.settings.yaml`) ? readFileSync(`${base}.settings.yaml`, "utf8") : undefined,
        expected: JSON.parse(readFileSync(`${base}.expected.json`, "utf8")),
      });
    }
  }
  return cases;
}

/** A report reduced to what the fixtures record. */
export function comparable(report, rule) {
  return {
    kind: report.kind,
    name: report.name,
    status: report.status,
    findings: report.findings
      .filter((f) => rule === null || f.rule === rule || f.rule === "ignore-annotation")
      .map(({ rule, severity, container, role, path, message, help }) => ({ container, help, message, path, role, rule, severity })),
  };
}

export const deployment = JSON.parse(readFileSync(join(repo, "tests/policy-host/test_data/deployment-create.json"), "utf8")).object;
