import * as pulumi from "@pulumi/pulumi";
import type { FoundationConfig } from "../config/schema";
import { planAdmission } from "../admission/policies";
import { foundationOutputs } from "../config/foundation";
import { ADMISSION_PARAMS } from "../model/admission";
import { planFoundation } from "../plan/foundation";
import { VAULT_API_VERSION, type Manifest } from "../plan/manifest";
import { createObject } from "./objects";

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
    const includeVault = args.includeVault ?? true;
    const planned = planFoundation(args.config, planAdmission).filter((m) => includeVault || m.apiVersion !== VAULT_API_VERSION);
    const created = new Map<Manifest, pulumi.CustomResource>();
    // Dependencies by role, never by position: a namespaced object waits for its namespace, the Vault auth config
    // for its backend, and an admission binding for its policy and the parameters it reads.
    const namespace = planned.find((m) => m.kind === "Namespace" && m.metadata.name === args.config.namespace);
    const dependencies = (m: Manifest): Manifest[] => {
      if (m.kind === "VaultKubernetesAuthConfig") return planned.filter((b) => b.kind === "VaultAuthBackend");
      if (m.kind === "ValidatingAdmissionPolicyBinding") {
        const policy = (m["spec"] as { policyName?: string }).policyName;
        return planned.filter((p) => (p.kind === "ValidatingAdmissionPolicy" && p.metadata.name === policy) || (p.kind === "ConfigMap" && p.metadata.name === ADMISSION_PARAMS));
      }
      return m.metadata.namespace && namespace ? [namespace] : [];
    };
    for (const m of planned) {
      const dependsOn = dependencies(m).flatMap((d) => created.get(d) ?? []);
      if (dependsOn.length !== dependencies(m).length) throw new Error(`${m.kind} ${m.metadata.name} is planned before what it depends on`);
      const extra =
        m.kind === "VaultKubernetesAuthConfig" && args.tokenReviewerJwt ? { tokenReviewerJwt: pulumi.secret(args.tokenReviewerJwt) } : {};
      created.set(m, createObject(name, m, { parent: this, dependsOn }, extra));
    }
    this.outputs = foundationOutputs(args.config);
    this.registerOutputs({ outputs: this.outputs });
  }
}
