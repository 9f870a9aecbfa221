/**
 * The API server audit policy an environment needs so that every request an agent makes is on record. It is
 * API-server configuration, not a cluster object: `agent-trust render` writes it beside the foundation's
 * objects for the cluster operator, and the local test cluster starts with it. Pure.
 */
import type { FoundationConfig } from "../config/schema";

export function planAuditPolicy(cfg: Pick<FoundationConfig, "namespace">): Record<string, unknown> {
  const agents = `system:serviceaccounts:${cfg.namespace}`;
  return {
    apiVersion: "audit.k8s.io/v1",
    kind: "Policy",
    // RequestReceived duplicates ResponseComplete for our purpose; dropping it halves the volume.
    omitStages: ["RequestReceived"],
    rules: [
      // Anything an agent does, including what it was refused, with the full request and response.
      { level: "RequestResponse", userGroups: [agents] },
      // Changes to agent identities and their grants, whoever makes them.
      {
        level: "RequestResponse",
        namespaces: [cfg.namespace],
        verbs: ["create", "update", "patch", "delete", "deletecollection"],
        resources: [
          { group: "", resources: ["serviceaccounts", "serviceaccounts/token", "pods", "podtemplates"] },
          { group: "rbac.authorization.k8s.io", resources: ["roles", "rolebindings"] },
          { group: "batch", resources: ["jobs"] },
        ],
      },
      // Token reviews are how Vault checks an agent's identity: keep who asked, not the token.
      { level: "Metadata", resources: [{ group: "authentication.k8s.io", resources: ["tokenreviews"] }] },
      { level: "None" },
    ],
  };
}
