/** Cases of pod-vault-annotations (registered with the pods rules in rules-pods.test.ts). */
import { podVaultAnnotations } from "../src/rules/pods-vault-annotations";
import type { Manifest } from "../src/model/manifest";
import { patch, type Case } from "./rules-harness";
import { podTemplate } from "./rules-samples";

/** The annotations src/plan/job.ts writes, for agent diag in remediation, staging. */
export const PLANNER_ANNOTATIONS: Readonly<Record<string, string>> = {
  "vault.hashicorp.com/agent-inject": "true",
  "vault.hashicorp.com/agent-pre-populate-only": "true",
  "vault.hashicorp.com/agent-inject-token": "true",
  "vault.hashicorp.com/role": "agent-trust-staging-diag-remediation",
  "vault.hashicorp.com/auth-path": "auth/kubernetes",
  "vault.hashicorp.com/agent-service-account-token-volume-name": "vault-token",
};

/** The sample PodTemplate with the planner's annotations plus `extra` (a value of undefined removes one). */
export function annotated(extra: Record<string, string | undefined> = {}): Manifest {
  return patch(podTemplate(), (o) => {
    const all: Record<string, string | undefined> = { ...PLANNER_ANNOTATIONS, ...extra };
    o.template.metadata.annotations = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
  });
}

const given = { phase: "remediation", env: "staging" } as const;

export const VAULT_ANNOTATION_CASES: Case[] = [
  {
    rule: podVaultAnnotations,
    given,
    compliant: [
      annotated(),
      annotated({ "vault.hashicorp.com/agent-inject-secret-db": "agent/data/datasources/db" }),
      annotated({
        "vault.hashicorp.com/agent-inject-secret-llm": "agent/data/llm/inference",
        "vault.hashicorp.com/agent-inject-template-llm":
          '{{- with secret "agent/data/llm/inference" -}}{{ .Data.data.key }}{{- end }}',
        "vault.hashicorp.com/agent-inject-file-llm": "llm.key",
        "vault.hashicorp.com/agent-inject-perms-llm": "0400",
      }),
    ],
    violating: annotated({ "vault.hashicorp.com/agent-extra-secret": "llm-api-key" }),
    expect:
      /agent-extra-secret"\] mounts a Kubernetes Secret into the agent; expected only the annotations the planner writes/,
    // A role of another phase (no role at all is the injector's failure, not a grant: it passes).
    missing: annotated({ "vault.hashicorp.com/role": "agent-trust-staging-diag-autonomous" }),
    missingExpect: /role"\] is "agent-trust-staging-diag-autonomous"; expected "agent-trust-staging-diag-remediation"/,
  },
  {
    rule: podVaultAnnotations,
    given,
    compliant: annotated({ "vault.hashicorp.com/role": undefined, "vault.hashicorp.com/auth-path": undefined }),
    violating: annotated({
      "vault.hashicorp.com/agent-inject-template-x": '{{ with secret "sys/policies/acl/root" }}{{ .Data }}{{ end }}',
    }),
    expect:
      /agent-inject-template-x"\] reads "sys\/policies\/acl\/root" is outside the agents' KV mount; expected agent\/data\//,
    missing: annotated({ "vault.hashicorp.com/agent-inject-secret-r": "agent/data/remediation/scale-down" }),
    missingExpect: /"agent\/data\/remediation\/scale-down" is not a path the catalog lets phase "remediation" read/,
  },
];
