import * as pulumi from "@pulumi/pulumi";
import type { FoundationConfig } from "../config/schema";
import { planAdmission } from "../admission/policies";
import { foundationOutputs } from "../model/foundation";
import { planFoundation } from "../plan/foundation";
import type { ApprovalPlan } from "../plan/approval";
import { createObject } from "./objects";

/**
 * The approval proxy's objects: the CRD first; every namespaced object waits for the namespace, each binding for
 * its role and the proxy's ServiceAccount, the Deployment for everything it runs with (its RBAC and the CRD).
 */
function createApproval(
  name: string,
  a: ApprovalPlan,
  parent: pulumi.ComponentResource,
  namespace: pulumi.Resource,
): void {
  const crd = createObject(name, a.crd, { parent });
  const inNamespace = { parent, dependsOn: [namespace] };
  const serviceAccount = createObject(name, a.serviceAccount, inNamespace);
  const bindings = [a.proxyRole, a.proxyClusterRole, a.approvers].map((g) => {
    const role = createObject(name, g.role, g.role.metadata.namespace ? inNamespace : { parent });
    return createObject(name, g.binding, { parent, dependsOn: [namespace, serviceAccount, role] });
  });
  createObject(name, a.service, inNamespace);
  createObject(name, a.networkPolicy, inNamespace);
  createObject(name, a.deployment, { parent, dependsOn: [namespace, crd, serviceAccount, ...bindings] });
}

export interface AgentFoundationArgs {
  /** The environment's parsed foundation config. */
  readonly config: FoundationConfig;
  /**
   * JWT Vault presents to the TokenReview API. Leave unset when Vault runs in the cluster with its own
   * ServiceAccount bound to system:auth-delegator; it is never an agent's token.
   */
  readonly tokenReviewerJwt?: pulumi.Input<string>;
  /**
   * Create the Vault half (auth backend, its config, the KV mount). Default true; false only where the Vault
   * half is deployed some other way (the sandbox's engine mode without a Vault provider, see src/engine).
   */
  readonly includeVault?: boolean;
}

/**
 * The foundation of one environment: the agents namespace with Pod Security `restricted`, quota, limits,
 * default-deny networking and DNS egress, the admission policies of the runtime backstop with their parameter
 * ConfigMap, the Vault Kubernetes auth backend and the agents' KV v2 mount.
 */
export class AgentFoundation extends pulumi.ComponentResource {
  /** Values phase stacks read through a StackReference. */
  public readonly outputs: ReturnType<typeof foundationOutputs>;

  constructor(name: string, args: AgentFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-trust:foundation:AgentFoundation", name, {}, opts);
    const plan = planFoundation(args.config, planAdmission);
    const parent = { parent: this };
    // Dependencies by role, from the plan's named parts: a namespaced object waits for its namespace, an admission
    // binding for its policy and the parameters it reads, the Vault auth config for its backend.
    const namespace = createObject(name, plan.namespace, parent);
    const inNamespace = { parent: this, dependsOn: [namespace] };
    const { quota, limitRange, defaultDeny, dnsEgress } = plan.guards;
    for (const m of [quota, limitRange, defaultDeny, dnsEgress]) createObject(name, m, inNamespace);
    const params = createObject(name, plan.admission.params, inNamespace);
    for (const rule of plan.admission.rules) {
      const policy = createObject(name, rule.policy, parent);
      createObject(name, rule.binding, { parent: this, dependsOn: [params, policy] });
    }
    if (plan.approval) createApproval(name, plan.approval, this, namespace);
    for (const m of plan.observability) createObject(name, m, inNamespace);
    if (args.includeVault ?? true) {
      const backend = createObject(name, plan.vault.authBackend, parent);
      const jwt = args.tokenReviewerJwt ? { tokenReviewerJwt: pulumi.secret(args.tokenReviewerJwt) } : {};
      createObject(name, plan.vault.authConfig, { parent: this, dependsOn: [backend] }, jwt);
      createObject(name, plan.vault.kvMount, parent);
    }
    this.outputs = foundationOutputs(args.config);
    this.registerOutputs({ outputs: this.outputs });
  }
}
