/**
 * Measures the runtime backstop on the real API server: for every phase, the agent first acts with its own
 * grants (restart passes where the catalog grants it, an image change and out-of-bounds scaling do not), then an
 * administrator deliberately over-grants it cluster-admin and every destructive request must still be refused by
 * the admission rule named in the message, while the administrator's own identical request succeeds; lowering
 * the ceiling in the parameter ConfigMap refuses the higher phases at once; and a binding naming an agent is
 * refused to everyone but the deployer, system:masters included. Expectations come from the catalog and the rule
 * table before anything is sent.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { readOnlyPhases, targetNamespaceRules } from "../../model/catalog";
import { agentNames } from "../../model/naming";
import { HIGHEST_PHASE, highestAtOrBelow, isAbove, PHASES, type Phase } from "../../model/phases";
import { ADMISSION_PARAMS } from "../../admission/policies";
import {
  act,
  createVictims,
  deployment,
  victimPod,
  setReplicas,
  victimNamespace,
  victimNode,
  VICTIM,
} from "./admission-fixtures";
import { recordCells, untilAllowed, type Cell } from "./admission-cells";
import { deployerKubeConfig } from "../deploy/deploy-kube";
import type { SandboxEnvironment } from "../deploy/environment";
import { applyAll, kubeOk, kubeRequest, tokenKubeConfig, type RawResponse } from "../servers/kube";
import { rulesAllow } from "./rbac-eval";
import type { CheckResult } from "./results";
import { requestToken } from "../servers/tokens";

/** The ceiling the verification lowers to, the highest phase without writes; phases above it must lose theirs at once. */
export const LOWERED_CEILING: Phase = highestAtOrBelow(HIGHEST_PHASE, readOnlyPhases())!;

/** `round` names a fresh set of victim objects, so the verification can run again in the same sandbox. */
export async function verifyAdmission(admin: KubeConfig, env: SandboxEnvironment, round = 1): Promise<CheckResult[]> {
  const deployer = await deployerKubeConfig(admin, env);
  const scale = env.foundation.config.admission.scale;
  const ceiling = env.foundation.config.phaseCeiling;
  const ns = env.namespace;
  const results: CheckResult[] = [];
  for (const [phase, agent] of PHASES.flatMap((p) => env.agents[p].map((a) => [p, a] as const))) {
    const sa = agentNames(env.environment, phase, agent.name).serviceAccount;
    const user = `system:serviceaccount:${ns}:${sa}`;
    const kc = tokenKubeConfig(admin, await requestToken(admin, ns, sa), sa);
    const record = (cells: Cell[]) => recordCells(results, phase, agent.name, cells);

    // 1. With its own grants, in its first target namespace, on a deployment it may restart.
    const target = [...agent.targetNamespaces].sort()[0]!;
    const rules = targetNamespaceRules(phase, agent.resourceNames ?? {});
    const dep = agent.resourceNames?.deployments?.[0] ?? "agent-trust-admission-web";
    const pod = agent.resourceNames?.pods?.[0] ?? "agent-trust-admission-pod";
    await applyAll(admin, [deployment(dep, target, 2), victimPod(pod, target)]);
    const mayDeletePod = rulesAllow(rules, { verb: "delete", apiGroup: "", resource: "pods", name: pod });
    const mayPatch = rulesAllow(rules, { verb: "patch", apiGroup: "apps", resource: "deployments", name: dep });
    const mayScale = rulesAllow(rules, { verb: "patch", apiGroup: "apps", resource: "deployments/scale", name: dep });
    const scaled = (from: number, to: number, rule: string): Cell => ({
      scope: "own grants",
      verb: "scale",
      object: `deployment ${from}→${to}`,
      expected: mayScale && rule === "within bounds" ? "allow" : "deny",
      basis: mayScale ? (rule === "within bounds" ? "catalog" : "admission-scale-bounded") : "rbac",
      run: async () => {
        await setReplicas(admin, target, dep, from);
        return act.scale(kc, target, dep, to);
      },
    });
    const start = Math.max(scale.minReplicas, 2);
    await record([
      {
        scope: "own grants",
        verb: "delete",
        object: "pod (restart a pod)",
        expected: mayDeletePod ? "allow" : "deny",
        basis: mayDeletePod ? "catalog" : "rbac",
        run: () => act.del(kc, `/api/v1/namespaces/${target}/pods/${pod}`),
      },
      {
        scope: "own grants",
        verb: "patch",
        object: "deployment: rollout restart",
        expected: mayPatch ? "allow" : "deny",
        basis: mayPatch ? "catalog" : "rbac",
        run: () => act.restart(kc, target, dep),
      },
      {
        scope: "own grants",
        verb: "patch",
        object: "deployment: change image",
        expected: "deny",
        basis: mayPatch ? "admission-deployment-restart-only" : "rbac",
        run: () => act.image(kc, target, dep),
      },
      scaled(start, Math.min(start + 1, scale.maxReplicas), "within bounds"),
      scaled(start, 0, "to zero"),
      scaled(start, start * scale.maxStepFactor + 1, "step"),
      scaled(scale.maxReplicas, scale.maxReplicas + 1, "bounds"),
    ]);

    // 2. Over-granted cluster-admin by the only identity that may bind an agent, the deployer.
    const victims = victimNamespace(sa, round);
    const node = victimNode(sa, round);
    await createVictims(admin, sa, round);
    const overGrant = `agent-trust-admission-overgrant-${sa}-${round}`;
    await kubeOk(deployer, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: overGrant },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "ServiceAccount", name: sa, namespace: ns }],
    });
    try {
      await untilAllowed(admin, user, { namespace: victims, verb: "delete", resource: "secrets", name: VICTIM });
      const destructive = (
        who: KubeConfig,
        scope: string,
        expect: (rule: string) => Pick<Cell, "expected" | "basis">,
      ): Cell[] => {
        const c = (verb: string, object: string, rule: string, f: () => Promise<RawResponse>): Cell => ({
          scope,
          verb,
          object,
          ...expect(rule),
          run: f,
        });
        const at = (kind: string) => `/api/v1/namespaces/${victims}/${kind}/${VICTIM}`;
        const apps = (kind: string) => `/apis/apps/v1/namespaces/${victims}/${kind}/${VICTIM}`;
        const del = "admission-no-irreversible-delete";
        return [
          c("patch", "deployment: change image", "admission-deployment-restart-only", () =>
            act.image(who, victims, VICTIM),
          ),
          c("scale", "deployment to zero", "admission-scale-bounded", () => act.scale(who, victims, VICTIM, 0)),
          c("delete", "secret", del, () => act.del(who, at("secrets"))),
          c("delete", "persistentvolumeclaim", del, () => act.del(who, at("persistentvolumeclaims"))),
          c("delete", "service", del, () => act.del(who, at("services"))),
          c("delete", "deployment", del, () => act.del(who, apps("deployments"))),
          c("delete", "statefulset", del, () => act.del(who, apps("statefulsets"))),
          c("deletecollection", "configmaps", "admission-no-deletecollection", () =>
            act.del(who, `/api/v1/namespaces/${victims}/configmaps`),
          ),
          c("evict", "pod", "admission-no-eviction", () => act.evict(who, victims, VICTIM)),
          c("cordon", "node", "admission-no-node-changes", () => act.cordon(who, node)),
          c("taint", "node", "admission-no-node-changes", () => act.taint(who, node)),
          c("delete", "node", "admission-no-node-changes", () => act.del(who, `/api/v1/nodes/${node}`)),
          c("delete", "namespace", del, () => act.del(who, `/api/v1/namespaces/${victims}`)),
        ];
      };
      const refused = (rule: string) => ({ expected: "deny" as const, basis: rule });
      await record([
        {
          scope: "over-granted",
          verb: "create",
          object: "configmap (harmless)",
          expected: "allow",
          basis: "cluster-admin",
          run: () => act.configMap(kc, victims, `by-${sa}`),
        },
        ...destructive(kc, "over-granted", refused),
        {
          scope: "over-granted",
          verb: "create",
          object: "rolebinding naming itself",
          ...refused("admission-deployer-only-grants"),
          run: () => act.bind(kc, victims, `self-${sa}`, { name: sa, namespace: ns }),
        },
        {
          scope: "over-granted",
          verb: "widen",
          object: "its own Role",
          ...refused("admission-deployer-only-agent-roles"),
          run: () =>
            act.addRule(
              kc,
              `/apis/rbac.authorization.k8s.io/v1/namespaces/${target}/roles/${agentNames(env.environment, phase, agent.name).targetRole}`,
              { apiGroups: [""], resources: ["secrets"], verbs: ["get"] },
            ),
        },
        {
          scope: "over-granted",
          verb: "patch",
          object: "admission parameters (agents ns)",
          ...refused("admission-protected-namespace"),
          run: () => act.patchData(kc, ns, ADMISSION_PARAMS, { phaseCeiling: HIGHEST_PHASE }),
        },
      ]);

      // 3. The ceiling lowered at run time: the over-granted agent's harmless write is refused above it at once.
      await kubeOk(
        admin,
        "PATCH",
        `/api/v1/namespaces/${ns}/configmaps/${ADMISSION_PARAMS}`,
        { data: { phaseCeiling: LOWERED_CEILING } },
        "application/merge-patch+json",
      );
      try {
        const above = isAbove(phase, LOWERED_CEILING);
        await record([
          {
            scope: `ceiling → ${LOWERED_CEILING}`,
            verb: "create",
            object: "configmap (harmless)",
            expected: above ? "deny" : "allow",
            basis: above ? "admission-phase-ceiling" : "within ceiling",
            settleMs: 5000,
            run: () => act.configMap(kc, victims, `after-ceiling-${Date.now()}`),
          },
        ]);
      } finally {
        await kubeOk(
          admin,
          "PATCH",
          `/api/v1/namespaces/${ns}/configmaps/${ADMISSION_PARAMS}`,
          { data: { phaseCeiling: ceiling } },
          "application/merge-patch+json",
        );
      }
      // Admission reads parameters from a watch cache: let the restored ceiling arrive before anything else is measured.
      const settled = Date.now() + 10_000;
      while (!isAbove(phase, ceiling) && (await act.configMap(kc, victims, `settle-${Date.now()}`)).status !== 201) {
        if (Date.now() > settled) throw new Error(`the restored ceiling "${ceiling}" never reached admission`);
        await new Promise((r) => setTimeout(r, 100));
      }

      // 4. Grants to the agent: system:masters is refused, the deployer is not.
      const role = `/apis/rbac.authorization.k8s.io/v1/namespaces/${target}/roles/${agentNames(env.environment, phase, agent.name).targetRole}`;
      const widen = (who: KubeConfig) =>
        act.addRule(who, role, { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] });
      await record([
        {
          scope: "grant by",
          verb: "create",
          object: "rolebinding: system:masters admin",
          ...refused("admission-deployer-only-grants"),
          run: () => act.bind(admin, victims, `admin-${sa}`, { name: sa, namespace: ns }),
        },
        {
          scope: "grant by",
          verb: "create",
          object: "clusterrolebinding: system:masters admin",
          ...refused("admission-deployer-only-grants"),
          run: () => act.bind(admin, victims, `admin-${sa}`, { name: sa, namespace: ns }, true),
        },
        {
          scope: "grant by",
          verb: "widen",
          object: "its Role: system:masters admin",
          ...refused("admission-deployer-only-agent-roles"),
          run: () => widen(admin),
        },
        {
          scope: "grant by",
          verb: "create",
          object: "rolebinding: the deployer",
          expected: "allow",
          basis: "deployer",
          run: () => act.bind(deployer, victims, `deployer-${sa}`, { name: sa, namespace: ns }),
        },
        {
          scope: "grant by",
          verb: "widen",
          object: "its Role: the deployer",
          expected: "allow",
          basis: "deployer",
          run: () => widen(deployer),
        },
      ]);
      // Put the stack's Role back, as the deployer would on the next `pulumi up`.
      await applyAll(
        deployer,
        env.phases[phase].kubernetes.filter(
          (m) =>
            m.kind === "Role" &&
            m.metadata.namespace === target &&
            m.metadata.name === agentNames(env.environment, phase, agent.name).targetRole,
        ),
      );

      // 5. The administrator's own identical requests succeed: the policies bind agents, not operators.
      await record(destructive(admin, "administrator", () => ({ expected: "allow", basis: "administrator" })));
    } finally {
      await kubeRequest(deployer, "DELETE", `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${overGrant}`);
    }
  }
  return results;
}
