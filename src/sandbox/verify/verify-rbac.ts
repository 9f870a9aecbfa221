/**
 * Measures the RBAC matrix: one SubjectAccessReview per cell, posted as the administrator on behalf of each
 * phase's ServiceAccount, answered by the API server's real RBAC authorizer against the applied Roles.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { SandboxEnvironment } from "../deploy/environment";
import { discoverResources } from "./discovery";
import { rbacMatrix, type RbacCheck } from "./expect-rbac";
import { kubeOk } from "../servers/kube";
import { mapLimit, type CheckResult } from "./results";

/** A namespace no stack targets; the API server creates it at start-up. */
export const OTHER_NAMESPACE = "default";

export type RbacResult = RbacCheck & CheckResult;

async function review(kc: KubeConfig, c: RbacCheck): Promise<RbacResult> {
  const body = await kubeOk(kc, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: { user: c.user, groups: c.groups, resourceAttributes: c.attributes },
  });
  const status = (body.status ?? {}) as {
    allowed?: boolean;
    denied?: boolean;
    reason?: string;
    evaluationError?: string;
  };
  if (status.evaluationError)
    throw new Error(`SubjectAccessReview for ${c.user} ${c.verb} ${c.object}: ${status.evaluationError}`);
  return {
    ...c,
    measured: status.allowed === true ? "allow" : "deny",
    ...(status.reason ? { detail: status.reason } : {}),
  };
}

export async function verifyRbac(kc: KubeConfig, env: SandboxEnvironment): Promise<RbacResult[]> {
  const index = await discoverResources(kc);
  const checks = rbacMatrix({
    environment: env.environment,
    namespace: env.namespace,
    agents: env.agents,
    index,
    otherNamespace: OTHER_NAMESPACE,
  });
  return mapLimit(checks, 16, (c) => review(kc, c));
}
