import * as pulumi from "@pulumi/pulumi";
import type { FoundationConfig } from "../config/schema";
import { foundationOutputs, planFoundation } from "../plan/foundation";
import { createObject } from "./objects";

export interface AgentFoundationArgs {
  /** The environment's parsed foundation config. */
  readonly config: FoundationConfig;
  /**
   * JWT Vault presents to the TokenReview API. Leave unset when Vault runs in the cluster with its own
   * ServiceAccount bound to system:auth-delegator; it is never an agent's token.
   */
  readonly tokenReviewerJwt?: pulumi.Input<string>;
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
    const planned = planFoundation(args.config);
    const namespace = createObject(name, planned[0]!, { parent: this });
    const auth = planned.find((m) => m.kind === "VaultAuthBackend")!;
    const authBackend = createObject(name, auth, { parent: this });
    for (const m of planned.slice(1)) {
      if (m === auth) continue;
      if (m.kind === "VaultKubernetesAuthConfig") {
        const extra = args.tokenReviewerJwt ? { tokenReviewerJwt: pulumi.secret(args.tokenReviewerJwt) } : {};
        createObject(name, m, { parent: this, dependsOn: [authBackend] }, extra);
      } else {
        createObject(name, m, { parent: this, dependsOn: m.metadata.namespace ? [namespace] : [] });
      }
    }
    this.outputs = foundationOutputs(args.config);
    this.registerOutputs({ outputs: this.outputs });
  }
}
