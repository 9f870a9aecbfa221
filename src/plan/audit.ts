/**
 * The API server audit policy an environment needs so that every request an agent makes is on record, and
 * attributable to the investigation that made it. It is API-server configuration, not a cluster object:
 * `agent-trust render` writes it beside the foundation's objects for the cluster operator, and the local test
 * cluster starts with it. Rules are matched in order, first match wins. Pure.
 *
 * Attribution: an agent pod's token is bound to the pod, so every event of an agent carries
 * `user.extra["authentication.kubernetes.io/pod-name"]`; the pod is `<job>-<random>` of its investigation's Job
 * (`investigationOfPod` in src/plan/job.ts maps it back).
 */
import type { FoundationConfig } from "../config/schema";
import { REVIEW_API } from "../model/approval";

const WRITES = ["create", "update", "patch", "delete", "deletecollection"];
const READS = ["get", "list", "watch"];

/** Levels the policy promises, by what was done; the sandbox's audit verification checks exactly these. */
export const AUDIT_LEVELS = {
  agentWrite: "RequestResponse",
  agentRead: "Metadata",
  sensitive: "Metadata",
} as const;

export function planAuditPolicy(cfg: Pick<FoundationConfig, "namespace">): Record<string, unknown> {
  const agents = `system:serviceaccounts:${cfg.namespace}`;
  return {
    apiVersion: "audit.k8s.io/v1",
    kind: "Policy",
    // RequestReceived duplicates ResponseComplete for our purpose; dropping it halves the volume.
    omitStages: ["RequestReceived"],
    rules: [
      // Everyone's access to secrets, configmaps and token reviews: who and what, never the payload (a secret's
      // value or a token must not land in the log, even when an agent is the one asking).
      {
        level: AUDIT_LEVELS.sensitive,
        resources: [
          { group: "", resources: ["secrets", "configmaps"] },
          { group: "authentication.k8s.io", resources: ["tokenreviews"] },
        ],
      },
      // Anything an agent changes or tries to change, including what admission refused: the full request and response.
      { level: AUDIT_LEVELS.agentWrite, userGroups: [agents], verbs: WRITES },
      // Agent reads: who read what, without the bodies (pod logs and lists would swamp the log).
      { level: AUDIT_LEVELS.agentRead, userGroups: [agents] },
      // Changes to agent identities and their grants in the agents namespace, whoever makes them, and every
      // change to an approval review (who asked, who decided, what the proxy recorded as the result).
      {
        level: "RequestResponse",
        namespaces: [cfg.namespace],
        verbs: WRITES,
        resources: [
          { group: "", resources: ["serviceaccounts", "serviceaccounts/token", "pods", "podtemplates"] },
          { group: "rbac.authorization.k8s.io", resources: ["roles", "rolebindings"] },
          { group: "batch", resources: ["jobs"] },
          { group: REVIEW_API.group, resources: [REVIEW_API.plural] },
        ],
      },
      // Every grant anywhere (a hand-made binding is how an agent gets over-granted) and every admission change.
      {
        level: "RequestResponse",
        verbs: WRITES,
        resources: [
          {
            group: "rbac.authorization.k8s.io",
            resources: ["rolebindings", "clusterrolebindings", "roles", "clusterroles"],
          },
          { group: "admissionregistration.k8s.io" },
        ],
      },
      // Noise: health checks, reads by everyone else, events and leader-election leases.
      { level: "None", nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version", "/metrics", "/openapi*"] },
      { level: "None", verbs: READS },
      {
        level: "None",
        resources: [
          { group: "", resources: ["events"] },
          { group: "events.k8s.io" },
          { group: "coordination.k8s.io", resources: ["leases"] },
        ],
      },
      // Everything else that changes the cluster: who did what, without bodies.
      { level: "Metadata" },
    ],
  };
}
