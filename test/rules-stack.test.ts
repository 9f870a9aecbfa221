/** Stack-level rules through the pack and `check --stack`; the phase ceiling through the pack only. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkDocuments } from "../src/check";
import * as s from "../src/rules/stack";
import { STACK_RULES } from "../src/rules/stack";
import { renderStack } from "../src/render";
import { describeCases, packStack, patch, type Case } from "./rules-harness";
import { defaultDeny, egressPolicy, podTemplate, serviceAccount, vaultRole, wholeStack } from "./rules-samples";

/** The dev foundation's Kubernetes objects as rendered: the admission policies exactly as the table generates them. */
const foundation = () => renderStack("dev").kubernetes as any[];
const without = (kind: string) => wholeStack().filter((o) => o.kind !== kind);
const replace = (kind: string, by: any) => wholeStack().map((o) => (o.kind === kind ? by : o));
/** The phase stack alone: the foundation's default deny would isolate every pod by itself. */
const phaseOnly = () =>
  wholeStack().filter((o) => o.kind !== "Namespace" && o.metadata.name !== "agent-trust-default-deny");

const cases: Case[] = [
  {
    rule: s.agentSaHasVaultRole,
    compliant: wholeStack(),
    violating: [...wholeStack(), patch(serviceAccount(), (o) => (o.metadata.name = "other-remediation"))],
    expect: /ServiceAccount ai-agents\/other-remediation has no Vault Kubernetes auth role/,
    missing: replace(
      "VaultKubernetesAuthRole",
      patch(vaultRole(), (o) => delete o.spec.bound_service_account_namespaces),
    ),
    missingExpect: /ServiceAccount ai-agents\/diag-remediation has no Vault/,
  },
  {
    rule: s.agentSaHasNetworkPolicy,
    compliant: wholeStack(),
    violating: replace(
      "NetworkPolicy",
      patch(egressPolicy(), (o) => (o.spec.podSelector.matchLabels["agent-trust.io/agent"] = "other")),
    ).filter((o) => o.metadata.name !== "agent-trust-default-deny"),
    expect: /diag-remediation: no isolating NetworkPolicy selects its pods/,
    // A policy without policyTypes and without egress restricts ingress only.
    missing: [
      ...without("NetworkPolicy"),
      patch(egressPolicy(), (o) => {
        delete o.spec.policyTypes;
        delete o.spec.egress;
      }),
    ],
    missingExpect: /no isolating NetworkPolicy/,
  },
  {
    rule: s.agentPodsNetworkIsolated,
    compliant: wholeStack(),
    violating: [...phaseOnly(), patch(podTemplate(), (o) => (o.template.metadata.labels = { app: "sidecar" }))],
    expect: /PodTemplate ai-agents\/diag-remediation-simple: its pods are selected by no isolating NetworkPolicy/,
    missing: [
      ...phaseOnly().filter((o) => o.kind !== "PodTemplate"),
      patch(podTemplate(), (o) => delete o.template.metadata),
    ],
    missingExpect: /selected by no isolating NetworkPolicy/,
  },
  {
    rule: s.agentsNamespaceDefaultDeny,
    compliant: wholeStack(),
    violating: replace(
      "NetworkPolicy",
      patch(defaultDeny(), (o) => (o.spec.egress = [{ to: [{ podSelector: {} }] }])),
    ),
    expect: /Namespace ai-agents has no default-deny NetworkPolicy/,
    missing: replace(
      "NetworkPolicy",
      patch(defaultDeny(), (o) => delete o.spec.podSelector),
    ),
    missingExpect: /has no default-deny NetworkPolicy/,
  },
  {
    rule: s.STACK_RULES.find((r) => r.name === "foundation-admission-policies")!,
    compliant: foundation(),
    violating: foundation().map((o) =>
      o.kind === "ValidatingAdmissionPolicy" && o.metadata.name.endsWith("phase-ceiling")
        ? patch(o, (p) => (p.spec.failurePolicy = "Ignore"))
        : o,
    ),
    expect:
      /ValidatingAdmissionPolicy agent-trust-dev-admission-phase-ceiling: failurePolicy "Ignore" fails open; it must be Fail/,
    missing: foundation().filter(
      (o) => !(o.kind === "ValidatingAdmissionPolicyBinding" && o.metadata.name.endsWith("deployer-only-grants")),
    ),
    missingExpect: /ValidatingAdmissionPolicyBinding agent-trust-dev-admission-deployer-only-grants is missing/,
  },
];

describeCases("stack", STACK_RULES, cases);

describe("stack rules only run on a whole stack", () => {
  test("without --stack the checker judges objects alone and passes over nothing it knows", () => {
    const r = checkDocuments([serviceAccount()], { phase: "remediation" });
    assert.deepEqual(r.violations, []);
  });
  test("with --stack a lone agent ServiceAccount lacks its Vault role and NetworkPolicy", () => {
    const r = checkDocuments([serviceAccount()], { phase: "remediation", stack: true });
    assert.deepEqual(r.violations.map((v) => v.policy).sort(), [
      "agent-sa-has-network-policy",
      "agent-sa-has-vault-role",
    ]);
  });
  test("unknown namespaces and labels during preview are judged, never skipped", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { unknownValue } = require("@pulumi/pulumi/runtime/rpc") as { unknownValue: string };
    const pod = patch(podTemplate(), (o) => (o.metadata.namespace = unknownValue));
    const isolated = await packStack(s.agentPodsNetworkIsolated.name, [
      ...phaseOnly().filter((o) => o.kind !== "PodTemplate"),
      pod,
    ]);
    assert.equal(isolated.length, 1);
    const sa = patch(serviceAccount(), (o) => (o.metadata.labels = unknownValue));
    assert.equal((await packStack(s.agentSaHasVaultRole.name, [sa])).length, 1);
  });
  test("a stack violation is pinned to the object's URN in the pack", async () => {
    const out = await packStack(s.agentSaHasVaultRole.name, [serviceAccount()]);
    assert.match(out[0]!.urn ?? "", /ServiceAccount::diag-remediation-0$/);
  });
});

describe("phase-within-environment-ceiling (pack only: it reads the stack's config)", () => {
  const run = (stack: object, config: object = {}) =>
    packStack(s.phaseWithinEnvironmentCeiling.name, [], stack, config).then((r) => r.map((x) => x.message));

  test("compliant: assist in prod is at the default ceiling", async () => {
    assert.deepEqual(await run({ layer: "phase", environment: "prod", phase: "assist" }), []);
  });
  test("violating: remediation in prod is above the default ceiling, with the shared wording", async () => {
    assert.deepEqual(await run({ layer: "phase", environment: "prod", phase: "remediation" }), [
      'phase "remediation" is above the phase ceiling "assist" of environment "prod"; raise agent-trust:phaseCeiling in the prod foundation stack through a reviewed change first',
    ]);
  });
  test("missing: a stack without agent-trust:environment or phase is refused, not passed", async () => {
    assert.match((await run({}))[0]!, /agent-trust:environment is undefined/);
    assert.match((await run({ environment: "dev" }))[0]!, /agent-trust:phase is undefined/);
  });
  test("the pack config overrides the ceilings", async () => {
    assert.deepEqual(
      await run({ environment: "prod", phase: "remediation" }, { ceilings: { prod: "remediation" } }),
      [],
    );
    assert.equal((await run({ environment: "dev", phase: "autonomous" }, { ceilings: { dev: "shadow" } })).length, 1);
  });
  test("a foundation's own phaseCeiling may not exceed the pack's", async () => {
    assert.deepEqual(await run({ layer: "foundation", environment: "staging", phaseCeiling: "remediation" }), []);
    assert.match(
      (await run({ layer: "foundation", environment: "staging", phaseCeiling: "autonomous" }))[0]!,
      /above the policy pack's ceiling "remediation"/,
    );
  });
  test("the checker never runs it (it cannot see stack config)", () => {
    const r = checkDocuments(wholeStack(), { stack: true, phase: "autonomous", env: "prod" });
    assert.ok(!r.violations.some((v) => v.policy === s.phaseWithinEnvironmentCeiling.name));
  });
});
