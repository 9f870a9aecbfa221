/** Cases of the closed-world Vault rules (registered with the Vault rules in rules-vault.test.ts). */
import * as v from "../src/rules/vault";
import type { Manifest } from "../src/model/manifest";
import { patch, type Case } from "./rules-harness";
import { vaultPolicy, vaultRole } from "./rules-samples";

const given = { phase: "remediation", env: "staging" } as const;

export const foundationDoc = (kind: string, spec: Record<string, unknown>): Manifest => ({
  apiVersion: "agent-trust.io/v1",
  kind,
  metadata: { name: "kubernetes" },
  spec,
});
export const authConfig = foundationDoc("VaultKubernetesAuthConfig", {
  backend: "kubernetes",
  kubernetes_host: "https://k8s.example:6443",
  disable_local_ca_jwt: true,
});
const roleSpec = (edit: (s: Record<string, unknown>) => void) => patch(vaultRole(), (o) => edit(o.spec));
const policyNamed = (name: string | undefined) =>
  patch(vaultPolicy(), (o) => (name === undefined ? delete o.spec.name : (o.spec.name = name)));

export const VAULT_CLOSED_CASES: Case[] = [
  {
    rule: v.vaultFoundationOnly,
    given,
    // In a phase stack only the phase's own Vault documents pass (the foundation layer: rules-vault-closed.test.ts).
    compliant: [vaultPolicy(), vaultRole()],
    violating: authConfig,
    expect: /VaultKubernetesAuthConfig "kubernetes" configures Vault itself and belongs to the foundation stack/,
    // (the Vault path it configures is named: spec.path, else spec.backend)
    missing: foundationDoc("VaultAuthBackend", {}),
    missingExpect: /^VaultAuthBackend configures Vault itself/,
  },
  {
    rule: v.vaultPolicyOwnName,
    given,
    compliant: [vaultPolicy(), policyNamed("agent-trust-staging-diag-remediation-remediation")],
    violating: [
      policyNamed("agent-trust-staging-diag-autonomous-datasources"),
      policyNamed("agent-trust-prod-diag-remediation-datasources"),
    ],
    expect:
      /spec\.name is "agent-trust-staging-diag-autonomous-datasources"; expected a policy name of environment "staging", phase "remediation": agent-trust-staging-<agent>-remediation-<datasources\|llm\|notify\|remediation>/,
    missing: policyNamed(undefined),
    missingExpect: /spec\.name is missing; expected a policy name/,
  },
  {
    rule: v.vaultRoleOwnName,
    given,
    compliant: [
      vaultRole(),
      roleSpec(
        (s) =>
          (s["token_policies"] =
            "agent-trust-staging-diag-remediation-llm, AGENT-TRUST-STAGING-DIAG-REMEDIATION-NOTIFY"),
      ),
    ],
    violating: roleSpec(
      (s) =>
        (s["token_policies"] = [
          "agent-trust-staging-diag-remediation-llm",
          "agent-trust-staging-capacity-remediation-llm",
        ]),
    ),
    expect:
      /token_policies\[1\] is "agent-trust-staging-capacity-remediation-llm"; expected only agent "diag"'s policies of this phase/,
    missing: roleSpec((s) => delete s["role_name"]),
    missingExpect:
      /spec\.role_name is missing; expected a role name of environment "staging", phase "remediation": agent-trust-staging-<agent>-remediation/,
  },
  {
    rule: v.vaultRoleOwnName,
    given,
    compliant: roleSpec((s) => delete s["token_policies"]),
    violating: roleSpec(
      (s) => ((s["role_name"] = "agent-trust-staging-capacity-remediation"), (s["backend"] = "kubernetes-other")),
    ),
    expect:
      /bound_service_account_names is \["diag-remediation"\]; role "agent-trust-staging-capacity-remediation" is agent "capacity"'s: expected exactly \["capacity-remediation"\]/,
    missing: roleSpec((s) => delete s["backend"]),
    missingExpect: /spec\.backend is missing; expected the foundation's auth mount "kubernetes"/,
  },
];
