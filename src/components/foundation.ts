import * as pulumi from "@pulumi/pulumi";
import type { FoundationConfig } from "../config/schema";
import { foundationOutputs, planFoundation } from "../plan/foundation";
import { VAULT_API_VERSION } from "../plan/manifest";
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
 * default-deny networking and DNS egress, the Vault Kubernetes auth backend and the agents' KV v2 mount.
 */
export class AgentFoundation extends pulumi.ComponentResource {
  /** Values phase stacks read through a StackReference. */
  public readonly outputs: ReturnType<typeof foundationOutputs>;

  constructor(name: string, args: AgentFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("agent-trust:foundation:AgentFoundation", name, {}, opts);
    const includeVault = args.includeVault ?? true;
    const planned = planFoundation(args.config).filter((m) => includeVault || m.apiVersion !== VAULT_API_VERSION);
    const namespace = createObject(name, planned[0]!, { parent: this });
    const auth = planned.find((m) => m.kind === "VaultAuthBackend");
    const authBackend = auth ? createObject(name, auth, { parent: this }) : undefined;
    for (const m of planned.slice(1)) {
      if (m === auth) continue;
      if (m.kind === "VaultKubernetesAuthConfig") {
        const extra = args.tokenReviewerJwt ? { tokenReviewerJwt: pulumi.secret(args.tokenReviewerJwt) } : {};
        createObject(name, m, { parent: this, dependsOn: authBackend ? [authBackend] : [] }, extra);
      } else {
        createObject(name, m, { parent: this, dependsOn: m.metadata.namespace ? [namespace] : [] });
      }
    }
    this.outputs = foundationOutputs(args.config);
    this.registerOutputs({ outputs: this.outputs });
  }
}
