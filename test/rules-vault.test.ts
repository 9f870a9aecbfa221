/** Vault rules, each through the policy pack and the offline checker. */
import * as v from "../src/rules/vault";
import { VAULT_RULES } from "../src/rules/vault";
import { describeCases, patch, type Case } from "./rules-harness";
import { POLICY_HCL, vaultPolicy, vaultRole } from "./rules-samples";

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
    rule: v.vaultRoleAudience,
    compliant: vaultRole(),
    violating: roleWith((s) => (s.audience = "")),
    expect: /spec\.audience is ""/,
    missing: roleWith((s) => delete s.audience),
    missingExpect: /spec\.audience is missing/,
  },
  {
    rule: v.vaultRoleAliasUid,
    compliant: vaultRole(),
    violating: roleWith((s) => (s.alias_name_source = "serviceaccount_name")),
    expect: /"serviceaccount_name"; it must be "serviceaccount_uid"/,
    missing: roleWith((s) => delete s.alias_name_source),
    missingExpect: /alias_name_source is missing/,
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
    missingExpect: /token_no_default_policy is missing/,
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
];

describeCases("vault", VAULT_RULES, cases);
