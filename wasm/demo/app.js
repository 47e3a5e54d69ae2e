// The demo: validate the manifest on every edit and show the findings grouped by container.
import { validate } from "../web.js";
import { examples } from "./examples.js";

const $ = (id) => document.getElementById(id);
const manifest = $("manifest");
const settings = $("settings");

for (const example of examples) {
  const option = document.createElement("option");
  option.value = example.name;
  option.textContent = example.name;
  $("example").append(option);
}

$("example").addEventListener("change", (event) => {
  const example = examples.find((e) => e.name === event.target.value);
  if (example) {
    manifest.value = example.text;
    update();
  }
});

$("file").addEventListener("change", async (event) => {
  const [file] = event.target.files;
  if (file) {
    manifest.value = await file.text();
    update();
  }
});

let pending;
for (const input of [manifest, settings]) {
  input.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(update, 150);
  });
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function verdictOf(report) {
  if (report.status === "skipped") return ["skipped", "no pod template"];
  if (!report.allowed) return ["rejected", "rejected"];
  if (report.findings.length) return ["warnings", "warnings"];
  return ["ok", "ok"];
}

function render(reports) {
  const results = $("results");
  results.replaceChildren();
  let deny = 0;
  let warn = 0;
  for (const report of reports) {
    const [verdict, label] = verdictOf(report);
    const name = `${report.kind} ${report.namespace ? report.namespace + "/" : ""}${report.name ?? "<unnamed>"}`;
    const card = element("article", { class: "object", "data-verdict": verdict },
      element("h2", {}, name, element("span", { class: `verdict ${verdict}` }, label)));
    if (report.findings.length) {
      const table = element("table");
      // Group by container, pod-level findings first, in the engine's stable order.
      const groups = new Map();
      for (const finding of report.findings) {
        const key = finding.container === null ? "(pod)" : `${finding.container} (${finding.role})`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(finding);
      }
      for (const [container, findings] of groups) {
        table.append(element("tr", {}, element("th", { class: "container", colspan: "3" }, container)));
        for (const finding of findings) {
          if (finding.severity === "deny") deny++;
          else warn++;
          table.append(element("tr", { class: "finding", "data-rule": finding.rule, "data-severity": finding.severity },
            element("td", {}, element("span", { class: `severity ${finding.severity}` }, finding.severity)),
            element("td", { class: "rule" }, finding.rule, finding.line ? ` (line ${finding.line})` : ""),
            element("td", {}, finding.message, element("div", { class: "help" }, finding.help))));
        }
      }
      card.append(table);
    }
    results.append(card);
  }
  $("summary").textContent = `${reports.length} object(s): ${deny} deny, ${warn} warn finding(s)`;
}

function update() {
  const error = $("error");
  if (!manifest.value.trim()) {
    $("results").replaceChildren();
    $("summary").textContent = "Paste a manifest or choose an example.";
    error.hidden = true;
    return;
  }
  try {
    render(validate(manifest.value, settings.value.trim() ? settings.value : undefined));
    error.hidden = true;
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
}

update();
