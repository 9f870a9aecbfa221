import * as pulumi from "@pulumi/pulumi";
import type { AgentPlan } from "../plan/phase";
import { createObject } from "./objects";

export interface AgentIdentityArgs {
  /** The agent's planned objects for this phase (from `planPhase`). */
  readonly plan: AgentPlan;
  /**
   * Create the Vault policies and auth role. Default true; false only where the Vault half is deployed some other
   * way (the sandbox's engine mode without a Vault provider, see src/engine).
   */
  readonly includeVault?: boolean;
}

/**
 * One agent's identity in one phase: ServiceAccount, namespaced Roles and RoleBindings, egress NetworkPolicy,
 * investigation PodTemplates, and the Vault policies and Kubernetes auth role. Destroying the phase stack
 * deletes all of them, which is how a demotion revokes what the phase had.
 */
export class AgentIdentity extends pulumi.ComponentResource {
  public readonly serviceAccountName: string;
  public readonly vaultRoleName: string;
  public readonly podTemplates: string[];

  constructor(name: string, args: AgentIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-trust:phase:AgentIdentity", name, {}, opts);
    const { plan } = args;
    const serviceAccount = createObject(name, plan.serviceAccount, { parent: this });
    const afterServiceAccount = { parent: this, dependsOn: [serviceAccount] };
    for (const grant of plan.grants) {
      const role = createObject(name, grant.role, afterServiceAccount);
      // A binding waits for its Role and the ServiceAccount, so no moment exists where it points at nothing.
      createObject(name, grant.binding, { parent: this, dependsOn: [serviceAccount, role] });
    }
    if (plan.executor) {
      // The executor's grants wait for its ServiceAccount, as the agent's own wait for the agent's.
      const executor = createObject(name, plan.executor.serviceAccount, { parent: this });
      for (const grant of plan.executor.grants) {
        const role = createObject(name, grant.role, { parent: this, dependsOn: [executor] });
        createObject(name, grant.binding, { parent: this, dependsOn: [executor, role] });
      }
    }
    createObject(name, plan.egress, afterServiceAccount);
    for (const template of plan.podTemplates) createObject(name, template, afterServiceAccount);
    if (args.includeVault ?? true) {
      const policies = plan.vault.policies.map((m) => createObject(name, m, { parent: this }));
      createObject(name, plan.vault.role, { parent: this, dependsOn: [...policies, serviceAccount] });
    }
    this.serviceAccountName = plan.serviceAccount.metadata.name;
    this.vaultRoleName = plan.vault.role.metadata.name;
    this.podTemplates = plan.podTemplates.map((m) => m.metadata.name);
    this.registerOutputs({
      serviceAccountName: this.serviceAccountName,
      vaultRoleName: this.vaultRoleName,
      podTemplates: this.podTemplates,
    });
  }
}
