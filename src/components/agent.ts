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
    const { kubernetes, vault } = args.plan;
    const sa = kubernetes.find((m) => m.kind === "ServiceAccount")!;
    const serviceAccount = createObject(name, sa, { parent: this });
    const roles = new Map<string, pulumi.CustomResource>();
    for (const m of kubernetes) {
      if (m === sa) continue;
      const key = `${m.metadata.namespace}/${m.metadata.name}`;
      // A binding waits for its Role and the ServiceAccount, so no moment exists where it points at nothing.
      const dependsOn = m.kind === "RoleBinding" ? [serviceAccount, roles.get(key)!] : [serviceAccount];
      const created = createObject(name, m, { parent: this, dependsOn });
      if (m.kind === "Role") roles.set(key, created);
    }
    const role = vault.find((m) => m.kind === "VaultKubernetesAuthRole")!;
    if (args.includeVault ?? true) {
      const policies = vault.filter((m) => m.kind === "VaultPolicy").map((m) => createObject(name, m, { parent: this }));
      createObject(name, role, { parent: this, dependsOn: [...policies, serviceAccount] });
    }
    this.serviceAccountName = sa.metadata.name;
    this.vaultRoleName = role.metadata.name;
    this.podTemplates = kubernetes.filter((m) => m.kind === "PodTemplate").map((m) => m.metadata.name);
    this.registerOutputs({
      serviceAccountName: this.serviceAccountName,
      vaultRoleName: this.vaultRoleName,
      podTemplates: this.podTemplates,
    });
  }
}
