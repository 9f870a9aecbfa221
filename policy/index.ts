/**
 * The agent-trust CrossGuard policy pack. This file only wires the pack together: the rules live in the shared
 * rule table (`src/rules`), the adapters in `policies.ts`. The engine loads it with
 * `pulumi preview --policy-pack policy` (see README.md); it is the only place a PolicyPack is constructed,
 * because constructing one starts the analyzer's gRPC server and only one may exist per process.
 */
import * as pulumi from "@pulumi/pulumi";
import { PolicyPack } from "@pulumi/policy";
import { ConfigureAnalyzerRequest } from "@pulumi/pulumi/proto/analyzer_pb";
import { lockPolicyConfig } from "./lock";
import { buildPolicies } from "./policies";

// Policy config that disables or lowers a security rule is refused when the engine delivers it (see lock.ts).
lockPolicyConfig(ConfigureAnalyzerRequest);

// The engine passes the stack's config to the pack process (PULUMI_CONFIG), where pulumi.Config reads it.
const stack = new pulumi.Config("agent-trust");

new PolicyPack("agent-trust", {
  description: "Agents on Kubernetes get exactly the permissions of their trust phase, and never more.",
  enforcementLevel: "mandatory",
  policies: buildPolicies({
    stackConfig: () => ({
      layer: stack.get("layer"),
      environment: stack.get("environment"),
      phase: stack.get("phase"),
      phaseCeiling: stack.get("phaseCeiling"),
      namespace: stack.get("namespace"),
    }),
  }),
});
