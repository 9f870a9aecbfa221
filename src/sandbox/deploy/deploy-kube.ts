/**
 * Puts the rendered stacks into the sandbox cluster with server-side apply: the target namespaces a real cluster
 * would already have, the foundation, then the four phase stacks. Also performs the two administrator acts that
 * a real cluster's operators (not the agent stacks) own: the ResourceQuota status a quota controller would
 * publish, and Vault's token-reviewer ServiceAccount bound to `system:auth-delegator`.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { PHASES } from "../../model/phases";
import type { Manifest } from "../../model/manifest";
import type { SandboxEnvironment } from "./environment";
import { applyAll, impersonating, kubeOk } from "../servers/kube";
import { installPrometheusRuleCrd, waitCrdServed } from "./observability-crd";

/** Vault's own identity in the cluster, kept apart from every agent namespace and stack. */
export const REVIEWER = { namespace: "agent-trust-sandbox-vault", serviceAccount: "vault-token-reviewer" } as const;

const SANDBOX_LABELS = { "app.kubernetes.io/managed-by": "agent-trust-sandbox" };

export function namespace(name: string): Manifest {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: SANDBOX_LABELS } };
}

/** No kube-controller-manager runs, so nothing computes quota usage; publish what its controller would. */
export async function publishQuotaStatus(kc: KubeConfig, quotas: readonly Manifest[]): Promise<void> {
  for (const q of quotas) {
    const hard = (q.spec as { hard: Record<string, string> }).hard;
    const used = Object.fromEntries(Object.keys(hard).map((k) => [k, "0"]));
    await kubeOk(
      kc,
      "PATCH",
      `/api/v1/namespaces/${q.metadata.namespace}/resourcequotas/${q.metadata.name}/status`,
      { status: { hard, used } },
      "application/merge-patch+json",
    );
  }
}

export async function createReviewer(kc: KubeConfig, tokenSeconds: number): Promise<string> {
  await applyAll(kc, [
    namespace(REVIEWER.namespace),
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: REVIEWER.serviceAccount, namespace: REVIEWER.namespace, labels: SANDBOX_LABELS },
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "agent-trust-sandbox-vault-token-reviewer", labels: SANDBOX_LABELS },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
      subjects: [{ kind: "ServiceAccount", name: REVIEWER.serviceAccount, namespace: REVIEWER.namespace }],
    },
  ]);
  const body = await kubeOk(
    kc,
    "POST",
    `/api/v1/namespaces/${REVIEWER.namespace}/serviceaccounts/${REVIEWER.serviceAccount}/token`,
    { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: tokenSeconds } },
  );
  const token = (body.status as { token?: string } | undefined)?.token;
  if (!token) throw new Error("TokenRequest for the Vault token reviewer returned no token");
  return token;
}

/** The sandbox's stand-in for the CI identity that runs `pulumi up`: the administrator impersonating the deployer user. */
export async function deployerKubeConfig(admin: KubeConfig, env: SandboxEnvironment): Promise<KubeConfig> {
  const user = env.foundation.config.admission.deployer.users[0];
  if (!user)
    throw new Error(
      `the ${env.environment} foundation names no deployer user (agent-trust:admission.deployer.users); the sandbox deploys as that user`,
    );
  await applyAll(admin, [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "agent-trust-sandbox-deployer", labels: SANDBOX_LABELS },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
    },
  ]);
  return impersonating(admin, user);
}

export interface KubeDeployment {
  /** Token Vault's Kubernetes auth uses to call TokenReview. */
  readonly reviewerToken: string;
  readonly applied: number;
}

/**
 * Applies everything. `reviewerTokenSeconds` bounds how long Vault can verify logins: minutes for a test,
 * longer for `sandbox up`.
 */
export async function deployKubernetes(
  admin: KubeConfig,
  env: SandboxEnvironment,
  reviewerTokenSeconds: number,
): Promise<KubeDeployment> {
  const created = new Set(env.foundation.kubernetes.filter((m) => m.kind === "Namespace").map((m) => m.metadata.name));
  const targets = env.targetNamespaces.filter((n) => !created.has(n)).map(namespace);
  await applyAll(admin, targets);
  await installPrometheusRuleCrd(admin); // a real cluster gets it with prometheus-operator
  // The stacks are applied as the foundation's deployer identity, as `pulumi up` in CI would be: once the
  // admission policies are in, nobody else (system:masters included) may bind an agent.
  const kc = await deployerKubeConfig(admin, env);
  await applyAll(kc, env.foundation.kubernetes);
  // The foundation's own kinds (the ApprovalReview CRD) must be served before anything uses them.
  for (const crd of env.foundation.kubernetes.filter((m) => m.kind === "CustomResourceDefinition"))
    await waitCrdServed(admin, crd);
  await publishQuotaStatus(
    kc,
    env.foundation.kubernetes.filter((m) => m.kind === "ResourceQuota"),
  );
  let applied = targets.length + env.foundation.kubernetes.length;
  for (const phase of PHASES) {
    const objects = env.phases[phase].kubernetes;
    const clusterScoped = objects.filter((m) => !m.metadata.namespace);
    if (clusterScoped.length > 0) {
      throw new Error(
        `phase stack ${env.phases[phase].stack} renders cluster-scoped objects (${clusterScoped.map((m) => m.kind).join(", ")}); refusing to apply`,
      );
    }
    await applyAll(kc, objects);
    applied += objects.length;
  }
  const reviewerToken = await createReviewer(admin, reviewerTokenSeconds);
  return { reviewerToken, applied };
}
