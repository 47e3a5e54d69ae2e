// Paths and fixture loading shared by the tests.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rules } from "sidecar-guard";

export const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repo = join(pkg, "..");

// Rule ids from the package itself: one registry, no list kept here by hand.
const RULES = rules().map((r) => r.id);

/** The rule ids of the generated TypeScript declarations (`RuleId`), in registry order. */
export function declaredRuleIds() {
  const declarations = readFileSync(join(pkg, "index.d.ts"), "utf8");
  const union = declarations.match(/export type RuleId = ([^;]+);/);
  return union ? [...union[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]) : [];
}

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
  const out = {
    kind: report.kind,
    name: report.name,
    status: report.status,
    findings: report.findings
      .filter((f) => rule === null || f.rule === rule || f.rule === "ignore-annotation")
      .map(({ rule, severity, container, role, roleReason, injectedBy, path, message, help, fix }) => ({
        container,
        // Only findings with a fix record it, as in the expected files.
        ...(fix === undefined ? {} : { fix }),
        help,
        injectedBy: injectedBy ?? null,
        message,
        path,
        role,
        roleReason: roleReason ?? null,
        rule,
        severity,
      })),
  };
  if (report.skipReason !== undefined) out.skipReason = report.skipReason;
  return out;
}

export const deployment = JSON.parse(readFileSync(join(repo, "tests/policy-host/test_data/deployment-create.json"), "utf8")).object;
