/** What the registered resources grant, stack by stack, judged under the mock runtime. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { listStacks, loadStackConfig } from "../src/config/stacks";
import { executorRules, LIMITS } from "../src/model/catalog";
import { renderStack } from "../src/render";
import { runStack, type Registered } from "./helpers/pulumi-mocks";

const deployable = listStacks().filter((s) => renderStack(s).warnings.length === 0);
const byType = (rs: Registered[], suffix: string) => rs.filter((r) => r.type.endsWith(suffix));

test("shadow and assist stacks grant get/list/watch only", async () => {
  for (const stack of deployable.filter((s) => /-(shadow|assist)$/.test(s))) {
    const roles = byType(await runStack(stack), ":Role");
    assert.ok(roles.length > 0, stack);
    for (const role of roles) {
      for (const rule of role.inputs.rules) {
        assert.deepEqual([...rule.verbs].sort(), ["get", "list", "watch"], `${stack} ${role.name}`);
      }
    }
  }
});

test("remediation and autonomous stacks write only on named deployments, and delete only pods", async () => {
  for (const stack of deployable.filter((s) => /-(remediation|autonomous)$/.test(s))) {
    const cfg = loadStackConfig(stack);
    assert.equal(cfg.layer, "phase");
    if (cfg.layer !== "phase") continue;
    const registered = await runStack(stack);
    const allRoles = byType(registered, ":Role");
    // The executors' Roles hold exactly the phase's approvable verbs, narrowed like its writes (issue 20).
    const executorRoles = allRoles.filter((r) => r.inputs.metadata.name.endsWith("-executor"));
    assert.equal(
      executorRoles.length,
      cfg.agents.reduce((n, a) => n + a.targetNamespaces.length, 0),
      stack,
    );
    for (const role of executorRoles) {
      assert.ok(role.inputs.metadata.namespace !== "ai-agents", "no executor grants in the agents namespace");
      const agentName: string = role.inputs.metadata.labels["agent-trust.io/agent"];
      const agent: (typeof cfg.agents)[number] | undefined = cfg.agents.find((a) => a.name === agentName);
      assert.ok(agent, agentName);
      assert.deepEqual(role.inputs.rules, JSON.parse(JSON.stringify(executorRules(cfg.phase, agent.resourceNames))));
    }
    const roles = allRoles.filter((r) => !executorRoles.includes(r));
    assert.ok(roles.length > 0, stack);
    for (const role of roles) {
      for (const rule of role.inputs.rules) {
        const writes = rule.verbs.filter((v: string) => !["get", "list", "watch"].includes(v));
        if (writes.length === 0) continue;
        assert.ok(role.inputs.metadata.namespace !== "ai-agents", "no writes in the agents namespace");
        if (rule.resources.includes("pods")) assert.deepEqual(writes, ["delete"]);
        else {
          assert.deepEqual(writes, ["patch"]);
          const agentName: string = role.inputs.metadata.labels["agent-trust.io/agent"];
          const names: readonly string[] | undefined = cfg.agents.find((a) => a.name === agentName)!.resourceNames
            ?.deployments;
          assert.deepEqual(rule.resourceNames, names ? [...names].sort() : undefined);
        }
      }
    }
  }
});

test("each Vault role is bound to exactly the ServiceAccount the stack creates, with audience and capped TTLs", async () => {
  for (const stack of deployable.filter((s) => s.includes("-"))) {
    const registered = await runStack(stack);
    // The executor ServiceAccounts log in nowhere: no Vault role is bound to them.
    const accounts = byType(registered, ":ServiceAccount").filter((a) => !a.inputs.metadata.name.endsWith("-executor"));
    const roles = byType(registered, ":AuthBackendRole");
    assert.equal(roles.length, accounts.length, stack);
    const cfg = loadStackConfig(stack);
    if (cfg.layer !== "phase") continue;
    const longest = Math.max(cfg.tiers.simple.deadlineSeconds, cfg.tiers.complex.deadlineSeconds);
    for (const role of roles) {
      const agent = role.name.split("-vaultkubernetesauthrole-")[0];
      const sa = accounts.find((a) => a.inputs.metadata.labels["agent-trust.io/agent"] === agent)!;
      assert.deepEqual(role.inputs.boundServiceAccountNames, [sa.inputs.metadata.name]);
      assert.deepEqual(role.inputs.boundServiceAccountNamespaces, [sa.inputs.metadata.namespace]);
      assert.equal(sa.inputs.automountServiceAccountToken, false);
      assert.equal(role.inputs.audience, "vault");
      assert.equal(role.inputs.aliasNameSource, "serviceaccount_uid");
      assert.equal(role.inputs.tokenNoDefaultPolicy, true);
      assert.ok(role.inputs.tokenTtl <= role.inputs.tokenMaxTtl);
      assert.ok(role.inputs.tokenMaxTtl <= LIMITS.maxTokenTtlSeconds && role.inputs.tokenMaxTtl <= longest, stack);
      const policies = byType(registered, ":Policy")
        .filter((p) => p.name.startsWith(`${agent}-`))
        .map((p) => p.inputs.name);
      assert.deepEqual([...role.inputs.tokenPolicies].sort(), policies.sort());
    }
  }
});

test("every phase stack's Job templates run restricted, short-lived and with their phase's ServiceAccount", async () => {
  for (const stack of deployable.filter((s) => s.includes("-"))) {
    const registered = await runStack(stack);
    for (const t of byType(registered, ":PodTemplate")) {
      const spec = t.inputs.template.spec;
      const sa = byType(registered, ":ServiceAccount").find((a) => a.inputs.metadata.name === spec.serviceAccountName);
      assert.ok(sa, `${stack}: ${t.name} uses a ServiceAccount of this stack`);
      assert.equal(spec.automountServiceAccountToken, false);
      assert.ok(
        Number(t.inputs.metadata.annotations["agent-trust.io/active-deadline-seconds"]) <= LIMITS.maxJobDeadlineSeconds,
      );
      const c = spec.containers[0];
      assert.equal(c.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
    }
  }
});

test("foundation stacks: agents namespace enforces, audits and warns Pod Security restricted", async () => {
  for (const env of ["dev", "staging", "prod"]) {
    const ns = byType(await runStack(env), ":Namespace");
    assert.equal(ns.length, 1);
    const labels = ns[0]!.inputs.metadata.labels;
    for (const mode of ["enforce", "audit", "warn"])
      assert.equal(labels[`pod-security.kubernetes.io/${mode}`], "restricted");
  }
});
