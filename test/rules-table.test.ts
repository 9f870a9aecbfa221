/** The rule table itself: names, metadata, the generated docs, and that the trust catalog obeys the rules. */
import assert from "node:assert/strict";
import { agentNames } from "../src/model/naming";
import * as fs from "node:fs";
import { describe, test } from "node:test";
import { buildPolicies, configSchemaOf } from "../policy/policies";
import { checkDocuments } from "../src/check";
import { agentsNamespaceRules, targetNamespaceRules } from "../src/model/catalog";
import { PHASES } from "../src/model/phases";
import { domainPolicyHcl } from "../src/plan/vault";
import { RESOURCE_RULES, RULES } from "../src/rules";
import { RULES_DOC, rulesMarkdown } from "../src/docs/rules-table";

describe("the rule table", () => {
  test("names are unique and kebab-case; every rule says what it refuses and how to fix it", () => {
    assert.equal(new Set(RULES.map((r) => r.name)).size, RULES.length);
    for (const r of RULES) {
      assert.match(r.name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, r.name);
      assert.ok(r.description.length > 30 && r.remediationSteps.length > 15, r.name);
    }
  });

  test("resource rules name the kinds they judge and the paths they read", () => {
    for (const r of RESOURCE_RULES) {
      assert.ok(r.kinds.length > 0, r.name);
      if (r.name !== "no-cluster-scoped-grants") assert.ok(r.reads.length > 0, `${r.name} declares no read paths`);
    }
  });

  test("the pack has exactly one policy per rule, in table order, all mandatory by default", () => {
    const policies = buildPolicies({ stackConfig: () => ({}) });
    assert.deepEqual(
      policies.map((p) => p.name),
      RULES.map((r) => r.name),
    );
    for (const p of policies) assert.equal(p.enforcementLevel, "mandatory");
    for (const r of RULES) assert.equal(configSchemaOf(r).properties["enforcementLevel"], undefined);
  });

  test("docs/rules.md is generated from the table and up to date (node --import tsx src/docs/rules-table.ts --write)", () => {
    assert.equal(fs.readFileSync(RULES_DOC, "utf8"), rulesMarkdown());
    for (const r of RULES) assert.ok(rulesMarkdown().includes(`\`${r.name}\``));
  });
});

describe("the trust catalog obeys the rules in every phase", () => {
  for (const phase of PHASES) {
    test(`${phase}: its Roles and Vault policies pass every rule when judged as ${phase}`, () => {
      const names = agentNames("prod", phase, "diag");
      const role = (name: string, namespace: string, rules: object[]) => ({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name, namespace },
        rules,
      });
      const policies = (["datasources", "llm", "notify", "remediation"] as const).map((d) => ({
        apiVersion: "agent-trust.io/v1",
        kind: "VaultPolicy",
        metadata: { name: names.vaultPolicy(d) },
        spec: { name: names.vaultPolicy(d), policy: domainPolicyHcl("agent", phase, "diag", d) },
      }));
      const r = checkDocuments(
        [
          role(names.agentsRole, "ai-agents", agentsNamespaceRules()),
          role(names.targetRole, "checkout", targetNamespaceRules(phase, { pods: ["web-0"] })),
          ...policies,
        ],
        { phase },
      );
      assert.deepEqual(r.violations, []);
    });
  }
  test("a phase's Role is refused when judged as a lower phase (the ceiling bites)", () => {
    const r = checkDocuments(
      [
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "Role",
          metadata: { name: "diag-remediation-target", namespace: "checkout" },
          rules: targetNamespaceRules("autonomous"),
        },
      ],
      { phase: "remediation" },
    );
    assert.deepEqual([...new Set(r.violations.map((v) => v.policy))], ["verbs-within-phase-ceiling"]);
  });
});
