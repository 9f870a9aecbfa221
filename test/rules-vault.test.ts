/** Vault rules, each through the policy pack and the offline checker. */
import * as v from "../src/rules/vault";
import { VAULT_RULES } from "../src/rules/vault";
import { describeCases, patch, type Case } from "./rules-harness";
import { POLICY_HCL, vaultPolicy, vaultRole } from "./rules-samples";
import { VAULT_CLOSED_CASES } from "./vault-closed-cases";

const roleWith = (edit: (spec: any) => void) => patch(vaultRole(), (o) => edit(o.spec));
const policyPlus = (block: string) => vaultPolicy(`${POLICY_HCL}\n${block}\n`);
const noPolicyText = patch(vaultPolicy(), (o) => delete o.spec.policy);
const given = { phase: "remediation" } as const;

const cases: Case[] = [
  {
    rule: v.vaultRoleExactBinding,
    compliant: vaultRole(),
    violating: roleWith((s) => (s.bound_service_account_names = ["diag-*"])),
    expect: /bound_service_account_names\[0\] is "diag-\*"/,
    missing: roleWith((s) => delete s.bound_service_account_namespaces),
    missingExpect: /bound_service_account_namespaces is missing/,
  },
  {
    rule: v.vaultRoleExactBinding,
    // One name in a one-item list (trimmed as Vault trims it) is exact.
    compliant: roleWith((s) => (s.bound_service_account_names = " diag-remediation ")),
    // Vault splits a comma-joined string: this binds two ServiceAccounts.
    violating: roleWith((s) => (s.bound_service_account_names = "diag-remediation,default")),
    expect: /Vault splits a comma-joined string into 2 ServiceAccount names; bind exactly one/,
    missing: roleWith((s) => (s.bound_service_account_namespaces = ["default"])),
    missingExpect: /bound_service_account_namespaces\[0\] is "default"/,
  },
  {
    rule: v.vaultRoleOwnPolicies,
    // Vault documents carry no labels in the pack: the stack config says the phase and environment.
    given: { phase: "remediation", env: "staging" },
    compliant: [
      vaultRole(),
      roleWith(
        (s) =>
          (s.token_policies = "agent-trust-staging-diag-remediation-llm, AGENT-TRUST-STAGING-DIAG-REMEDIATION-NOTIFY"),
      ),
    ],
    violating: roleWith(
      (s) =>
        (s.token_policies = [
          "agent-trust-staging-diag-remediation-llm",
          " Root ",
          "agent-trust-staging-capacity-remediation-llm",
        ]),
    ),
    expect:
      /token_policies\[2\] is "agent-trust-staging-capacity-remediation-llm", not one of agent "diag"'s policies in phase "remediation", environment "staging"/,
    // The legacy field grants policies too; it must be gone, not merely empty of bad names.
    missing: roleWith((s) => (s.policies = ["agent-trust-staging-diag-remediation-llm"])),
    missingExpect: /spec\.policies \(the legacy field\) is \["agent-trust-staging-diag-remediation-llm"\]/,
  },
  {
    rule: v.vaultRoleOwnPolicies,
    // Vault documents carry no labels in the pack: the stack config says the phase and environment.
    given: { phase: "remediation", env: "staging" },
    compliant: roleWith((s) => delete s.token_policies),
    violating: roleWith((s) => (s.token_policies = "default")),
    expect: /token_policies\[0\] is "default": the default policy/,
    // Without a bound ServiceAccount the role serves no agent, so no policy is its own.
    missing: roleWith((s) => delete s.bound_service_account_names),
    missingExpect: /the role names no agent of phase "remediation"/,
  },
  {
    rule: v.vaultRoleAudience,
    compliant: vaultRole(),
    violating: [roleWith((s) => (s.audience = "")), roleWith((s) => (s.audience = "https://kubernetes.default.svc"))],
    expect: /spec\.audience is "": Vault then accepts a token minted for any audience; expected exactly "vault"/,
    missing: roleWith((s) => delete s.audience),
    missingExpect: /spec\.audience is missing/,
  },
  {
    rule: v.vaultRoleAliasUid,
    // Omitted or "", Vault stores its default serviceaccount_uid (path_role.go): judged by the stored value.
    compliant: [vaultRole(), roleWith((s) => (s.alias_name_source = ""))],
    violating: [
      roleWith((s) => (s.alias_name_source = "serviceaccount_name")),
      roleWith((s) => (s.alias_name_source = "SERVICEACCOUNT_UID")),
    ],
    expect: /"serviceaccount_name"; expected "serviceaccount_uid" \(or omitted: Vault's default\)/,
    missing: roleWith((s) => delete s.alias_name_source),
    missingExpect: false,
  },
  {
    rule: v.vaultTokenTtlCapped,
    compliant: [vaultRole(), roleWith((s) => ((s.token_ttl = "5m"), (s.token_max_ttl = "15m")))],
    violating: roleWith((s) => ((s.token_max_ttl = 3600), (s.token_period = 60))),
    expect: /spec\.token_max_ttl is 3600; set 1\.\.900/,
    missing: roleWith((s) => delete s.token_ttl),
    missingExpect: /spec\.token_ttl is missing/,
  },
  {
    rule: v.vaultRoleNoDefaultPolicy,
    compliant: vaultRole(),
    violating: roleWith((s) => (s.token_no_default_policy = false)),
    expect: /token_no_default_policy is false/,
    missing: roleWith((s) => delete s.token_no_default_policy),
    missingExpect: /token_no_default_policy is missing \(Vault stores false when omitted\); expected true/,
  },
  {
    rule: v.vaultPolicyNoSudo,
    given,
    compliant: vaultPolicy(),
    violating: policyPlus(`path "agent/data/datasources/x" { capabilities = ["read", "sudo"] }`),
    expect: /grants "sudo"/,
    missing: noPolicyText,
    missingExpect: /spec\.policy is missing/,
  },
  {
    rule: v.vaultPolicyNoRootGlobs,
    given,
    compliant: policyPlus(`path "*" { capabilities = ["deny"] }`),
    violating: policyPlus(`path "+/data/datasources/*" { capabilities = ["read"] }`),
    expect: /path "\+\/data\/datasources\/\*" \(line \d+\): a glob at the root/,
    missing: noPolicyText,
    missingExpect: /spec\.policy is missing/,
  },
  {
    rule: v.vaultPolicyNoAdminPaths,
    given,
    compliant: vaultPolicy(),
    violating: policyPlus(`path "sys/policies/acl/*" { capabilities = ["read"] }`),
    expect: /"sys\/" administers Vault/,
    missing: noPolicyText,
    missingExpect: /spec\.policy is missing/,
  },
  {
    rule: v.vaultPolicyKvMountOnly,
    given,
    compliant: vaultPolicy(),
    violating: policyPlus(`path "secret/data/payments/*" { capabilities = ["read"] }`),
    expect: /outside the agents' KV mount "agent\/"/,
    missing: noPolicyText,
    missingExpect: /spec\.policy is missing/,
  },
  {
    rule: v.vaultPolicyReadListOnly,
    given: { phase: "assist" },
    compliant: vaultPolicy(),
    violating: policyPlus(`path "agent/data/datasources/*" { capabilities = ["read", "update"] }`),
    expect: /grants \["update"\], above phase "assist"/,
    missing: noPolicyText,
    missingExpect: /spec\.policy is missing/,
  },
  {
    rule: v.vaultPolicyWithinPhaseGrants,
    given: { phase: "shadow" },
    compliant: vaultPolicy(),
    // Shadow never reads remediation secrets.
    violating: policyPlus(`path "agent/data/remediation/pod-restart" { capabilities = ["read"] }`),
    expect: /grants \["read"\] but phase "shadow" may have only \[\] there/,
    missing: noPolicyText,
    missingExpect: /spec\.policy is missing/,
  },
  {
    rule: v.vaultPolicyNoAdminPaths,
    given,
    // Vault reads a policy starting with "{" as JSON.
    compliant: vaultPolicy(JSON.stringify({ path: { "agent/data/datasources/*": { capabilities: ["read"] } } })),
    // A JSON policy may spell "sys" as \u0073ys, and name a path twice (Vault merges both).
    violating: vaultPolicy(
      `{"path": {"\\u0073ys/policies/acl/*": {"capabilities": ["deny"]}, "\\u0073ys/policies/acl/*": {"capabilities": ["update"]}}}`,
    ),
    expect: /path "sys\/policies\/acl\/\*" \(line 1\): "sys\/" administers Vault/,
    missing: vaultPolicy(`{"path": {"sys/*": {"capabilities": null}}}`),
    missingExpect: /spec\.policy does not parse/,
  },
];

describeCases("vault", VAULT_RULES, [...cases, ...VAULT_CLOSED_CASES]);
