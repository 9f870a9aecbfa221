/**
 * docs/rules.md, generated from the rule table so the documented rule list cannot drift from the enforced one.
 * `node --import tsx src/docs/rules-table.ts --write` regenerates it; a test fails while it is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ADMISSION_RULES } from "../admission/rules";
import { RULES, type Rule } from "../rules";
import { ANY_KIND, expandPath } from "../rules/paths";
import type { AdmissionRule, Domain } from "../rules/types";
import { STRICTEST_PHASE } from "../model/phases";
import { PACKAGE_ROOT } from "../package-root";

const DOMAINS: Record<Domain, string> = {
  rbac: "RBAC",
  cluster: "Cluster objects",
  pods: "Identity and pods",
  network: "Network",
  vault: "Vault",
  stack: "Stack level",
  admission: "Admission (inside the API server)",
};

type Documented = Rule | AdmissionRule;
const ALL: readonly Documented[] = [...RULES, ...ADMISSION_RULES];

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function enforcement(rule: Documented): string {
  if (rule.scope === "admission")
    return "ValidatingAdmissionPolicy, failurePolicy Fail, Deny ([Warn, Audit] in dev only if configured)";
  if (rule.advisoryOnly) return "advisory in every environment (a listing for review)";
  return rule.security ? "mandatory (security)" : "mandatory; advisory in dev by default (hygiene)";
}

function scope(rule: Documented): string {
  if (rule.scope === "admission") {
    const who = rule.admission.requesters === "agents" ? "agent ServiceAccounts" : "every requester";
    const what = rule.admission.resourceRules
      .map((r) => `${r.operations.join("/")} ${r.resources.join(", ")}`)
      .join("; ");
    return `requests of ${who}: ${what}`;
  }
  if (rule.scope === "stack-config") return "stack config (policy pack only)";
  if (rule.scope === "stack") return `whole stack (pack; checker with --stack): ${rule.kinds.join(", ")}`;
  if (rule.kinds.length === 1 && rule.kinds[0] === ANY_KIND) return "every kind";
  return rule.kinds.map((k) => (k === ANY_KIND ? "any other kind carrying a pod spec (found by shape)" : k)).join(", ");
}

function section(domain: Domain): string[] {
  const rules = ALL.filter((r) => r.domain === domain);
  return [
    `## ${DOMAINS[domain]}`,
    "",
    "| Rule | Enforcement | Judges | What it refuses | How to fix | Config |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rules.map((r) => {
      const config = [
        ...(r.settings ?? []),
        ...(r.security ? [] : ["advisoryInEnvironments"]),
        ...(r.scope === "stack-config" ? ["ceilings"] : []),
        ...(r.scope === "admission" && r.admission.params ? ["foundation agent-trust:admission / phaseCeiling"] : []),
      ];
      return `| \`${r.name}\` | ${enforcement(r)} | ${cell(scope(r))} | ${cell(r.description)} | ${cell(r.remediationSteps)} | ${config.map((c) => `\`${c}\``).join(", ") || "—"} |`;
    }),
    "",
  ];
}

/** The whole of docs/rules.md. */
export function rulesMarkdown(): string {
  const counts = `${RULES.length} rules: ${RULES.filter((r) => r.security).length} security (mandatory in every environment), ${RULES.filter((r) => !r.security).length} hygiene.`;
  return [
    "<!-- Generated from src/rules by `node --import tsx src/docs/rules-table.ts --write`. Do not edit by hand. -->",
    "# Policy rules",
    "",
    `One rule table (\`src/rules\`) drives the CrossGuard pack (\`policy/\`) and \`agent-trust check\`. ${counts}`,
    `Phase-aware rules judge an object as the stack's \`agent-trust:phase\` (pack) or \`--phase\` (checker), else \`${STRICTEST_PHASE}\`;`,
    "its own `agent-trust.io/phase` label can only lower that, never raise it (the checker's `--trust-labels` opts in to",
    "the label). The environment likewise: stack config or `--env`, else `prod`, and a label can only make it stricter.",
    "A value unknown during preview on a path a rule reads is a violation.",
    `Pod rules judge every pod spec an object can create (${expandPath("CronJob", "{pod}")[0]} for a CronJob, and so on),`,
    "and every pod spec found by shape (an object with a `containers`, `initContainers` or `ephemeralContainers` key;",
    "in a custom kind also an Argo Workflows template with a `container`, `script` or `sidecars`, a Tekton task with",
    "`steps` or a `stepTemplate`, a `podTemplate`, or pod-level `hostNetwork`/`hostPID`/`hostIPC`/`volumes`)",
    "anywhere in an object of any other kind, such as a progressive-delivery Rollout or a KEDA ScaledJob.",
    "Admission rules are not run by the pack or the checker: the foundation installs each as a ValidatingAdmissionPolicy",
    "and binding (`src/admission/policies.ts`), and the stack rule `foundation-admission-policies` refuses a foundation whose",
    "policies are missing, weakened or differ from what this table generates.",
    "",
    ...(Object.keys(DOMAINS) as Domain[]).flatMap(section),
  ].join("\n");
}

export const RULES_DOC = path.join(PACKAGE_ROOT, "docs", "rules.md");

if (require.main === module) {
  if (process.argv.includes("--write")) {
    fs.mkdirSync(path.dirname(RULES_DOC), { recursive: true });
    fs.writeFileSync(RULES_DOC, rulesMarkdown());
    process.stdout.write(`wrote ${RULES_DOC}\n`);
  } else {
    process.stdout.write(rulesMarkdown());
  }
}
