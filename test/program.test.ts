/**
 * The real Pulumi program under Pulumi's mock runtime, for every stack file: what it registers, that it equals
 * what `agent-trust render` writes, and that a refused stack registers nothing.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { listStacks, loadStackConfig } from "../src/config/stacks";
import { childName } from "../src/components/objects";
import { isAbove } from "../src/model/phases";
import { CATALOG } from "../src/model/catalog";
import { approvalProxyClusterName } from "../src/model/naming";
import { manifestTypeOfPulumiType, pulumiTypeOfManifest, type Manifest } from "../src/model/manifest";
import { vaultKindOfPulumiType, vaultInputsToSpec, VAULT_KINDS } from "../src/model/vault-kinds";
import { renderStack } from "../src/render";
import { ADMISSION_RULES } from "../src/admission/rules";
import { kubeconfigFor, runStack, type Registered } from "./helpers/pulumi-mocks";

const STACKS = listStacks();
const DEV_CLUSTER = { server: "https://kubernetes.dev.example.internal:6443" };
const COMPONENTS = ["agent-trust:foundation:AgentFoundation", "agent-trust:phase:AgentIdentity"];

function deployable(stack: string): boolean {
  const r = renderStack(stack);
  return r.warnings.length === 0;
}

/** The Pulumi resource a rendered object must have been created as. */
function expectedType(m: Manifest): string {
  return m.apiVersion === "agent-trust.io/v1"
    ? VAULT_KINDS[m.kind as keyof typeof VAULT_KINDS].pulumiType
    : pulumiTypeOfManifest(m.apiVersion, m.kind);
}

/** Turns registered resources back into rendered-object shape. */
function asObject(r: Registered): unknown {
  const vaultKind = vaultKindOfPulumiType(r.type);
  if (vaultKind) return vaultInputsToSpec(vaultKind, r.inputs);
  assert.ok(manifestTypeOfPulumiType(r.type), `unexpected resource type ${r.type}`);
  return r.inputs;
}

test("there are 15 stack files: a foundation and four phases for each of dev, staging and prod", () => {
  assert.equal(STACKS.length, 15);
  for (const env of ["dev", "staging", "prod"]) {
    for (const s of [env, `${env}-shadow`, `${env}-assist`, `${env}-remediation`, `${env}-autonomous`]) {
      assert.ok(STACKS.includes(s), s);
    }
  }
});

test("shipped ceilings: dev autonomous, staging remediation, prod assist", () => {
  const ceiling = (env: string) => (loadStackConfig(env) as { phaseCeiling: string }).phaseCeiling;
  assert.deepEqual(["dev", "staging", "prod"].map(ceiling), ["autonomous", "remediation", "assist"]);
});

describe("every stack under the mock runtime", () => {
  for (const stack of STACKS) {
    const cfg = loadStackConfig(stack);
    if (cfg.layer === "phase" && !deployable(stack)) {
      test(`${stack} is refused above the ceiling, naming it, with nothing registered`, async () => {
        const registered: Registered[] = [];
        await assert.rejects(
          runStack(stack, { sink: registered }),
          /is above the phase ceiling "(assist|remediation)" of environment "(staging|prod)"/,
        );
        assert.equal(registered.length, 0);
      });
      continue;
    }
    test(`${stack}: the Pulumi resources' inputs equal the rendered objects`, async () => {
      const registered = await runStack(stack);
      const rendered = renderStack(stack);
      const objects = [...rendered.kubernetes, ...rendered.vault];
      const resources = registered.filter((r) => !COMPONENTS.includes(r.type));
      assert.equal(resources.length, objects.length, "one resource per rendered object");
      const components = registered.filter((r) => COMPONENTS.includes(r.type));
      for (const m of objects) {
        const owner = m.metadata.labels?.["agent-trust.io/agent"] ?? cfg.environment;
        const match = resources.filter((r) => r.name === childName(owner, m));
        assert.equal(match.length, 1, `${m.kind} ${m.metadata.name}`);
        assert.equal(match[0]!.type, expectedType(m));
        const spec = m.apiVersion === "agent-trust.io/v1" ? m["spec"] : m;
        assert.deepStrictEqual(asObject(match[0]!), JSON.parse(JSON.stringify(spec)), `${m.kind} ${m.metadata.name}`);
      }
      if (cfg.layer === "phase") {
        assert.deepEqual(components.map((c) => c.name).sort(), cfg.agents.map((a) => a.name).sort());
        // Per agent: SA, Role+RoleBinding at home, Role+RoleBinding per target, NetworkPolicy, 2 PodTemplates,
        // one Vault policy per secret domain and one Vault role; in a phase with approvable actions the executor
        // ServiceAccount and its Role+RoleBinding per target.
        const executor = (a: { targetNamespaces: readonly string[] }) =>
          CATALOG[cfg.phase].approvable.length > 0 ? 1 + 2 * a.targetNamespaces.length : 0;
        const expected = cfg.agents.reduce(
          (n, a) => n + 1 + 2 + 2 * a.targetNamespaces.length + 1 + 2 + a.secretDomains.length + 1 + executor(a),
          0,
        );
        assert.equal(resources.length, expected);
      } else {
        assert.deepEqual(
          components.map((c) => c.type),
          ["agent-trust:foundation:AgentFoundation"],
        );
        // Namespace, quota, limits, 2 NetworkPolicies, 3 Vault objects, the admission parameter ConfigMap and a
        // policy + binding per admission rule; the PrometheusRule and the collector and dashboard ConfigMaps; with
        // approval the CRD, the proxy's ServiceAccount, Role+binding, ClusterRole+binding, the approvers'
        // Role+binding, Service, NetworkPolicy and Deployment.
        assert.equal(resources.length, 8 + 1 + 2 * ADMISSION_RULES.length + 3 + (cfg.approval ? 11 : 0));
        assert.equal(
          resources.filter((r) => r.type.endsWith(":ValidatingAdmissionPolicy")).length,
          ADMISSION_RULES.length,
        );
      }
    });
  }
});

test("a phase above the ceiling is refused even when the foundation says so at run time", async () => {
  await assert.rejects(
    runStack("dev-autonomous", {
      foundationOutputs: {
        environment: "dev",
        namespace: "ai-agents",
        phaseCeiling: "assist",
        authMount: "kubernetes",
        kvMount: "agent",
        audience: "vault",
        cluster: DEV_CLUSTER,
      },
    }),
    /phase "autonomous" is above the phase ceiling "assist" of environment "dev"/,
  );
});

test("a phase stack whose foundation is missing or of another environment is refused", async () => {
  await assert.rejects(
    runStack("dev-shadow", { foundationOutputs: {} }),
    /foundation stack ".*\/dev" has no output "environment"; run `pulumi up` on it first/,
  );
  await assert.rejects(
    runStack("dev-shadow", {
      foundationOutputs: {
        environment: "prod",
        namespace: "ai-agents",
        phaseCeiling: "assist",
        authMount: "kubernetes",
        kvMount: "agent",
        audience: "vault",
        cluster: DEV_CLUSTER,
      },
    }),
    /phase stack is for environment "dev" but its foundation is "prod"/,
  );
});

test("invalid config fails before any resource is registered", async () => {
  for (const [key, value, pattern] of [
    ["agent-trust:phase", "shadoww", /agent-trust:phase: "shadoww" is not allowed/],
    [
      "agent-trust:vault",
      { tokenTtlSeconds: 86400 },
      /agent-trust:vault\.tokenTtlSeconds: must be at most 900 seconds/,
    ],
    ["agent-trust:replicas", 3, /agent-trust:replicas: unknown key/],
  ] as const) {
    const registered: Registered[] = [];
    await assert.rejects(runStack("dev-shadow", { config: { [key]: value }, sink: registered }), pattern);
    assert.equal(registered.length, 0, key);
  }
});

test("no stack registers cluster-scoped RBAC or ClusterRole bindings but the approval proxy's own", async () => {
  let proxyGrants = 0;
  for (const stack of STACKS.filter(deployable)) {
    const cfg = loadStackConfig(stack);
    for (const r of await runStack(stack)) {
      if (/ClusterRole|Webhook/.test(r.type)) {
        // The foundation's approval proxy: TokenReview and the two approval extras, named for its namespace.
        assert.ok(cfg.layer === "foundation" && cfg.approval, `${stack}: ${r.type}`);
        assert.equal(r.inputs.metadata.name, approvalProxyClusterName(cfg.namespace), `${stack}: ${r.type}`);
        proxyGrants++;
      }
      if (r.type.endsWith(":RoleBinding")) assert.equal(r.inputs.roleRef.kind, "Role");
    }
  }
  // dev and staging run the proxy: a ClusterRole and its binding each.
  assert.equal(proxyGrants, 4);
});

test("exactly the shipped stacks above their ceiling are the refused ones (sanity of the test data)", () => {
  const refusedStacks = STACKS.filter((s) => !deployable(s));
  assert.deepEqual(refusedStacks.sort(), ["prod-autonomous", "prod-remediation", "staging-autonomous"]);
  for (const s of refusedStacks) {
    const c = loadStackConfig(s);
    assert.ok(
      c.layer === "phase" &&
        isAbove(c.phase, (loadStackConfig(c.environment) as { phaseCeiling: "shadow" }).phaseCeiling),
    );
  }
});

describe("one explicit Kubernetes provider per stack, checked against the cluster the foundation names", () => {
  for (const stack of ["dev", "dev-shadow", "prod-shadow"]) {
    test(`${stack}: every Kubernetes object goes through the provider named after the environment`, async () => {
      const providers: Registered[] = [];
      const registered = await runStack(stack, { providers });
      const env = loadStackConfig(stack).environment;
      assert.equal(providers.length, 1, JSON.stringify(providers.map((p) => p.type)));
      assert.equal(providers[0]!.type, "pulumi:providers:kubernetes");
      assert.equal(providers[0]!.name, env);
      assert.equal(providers[0]!.inputs.context, "test");
      assert.match(String(providers[0]!.inputs.kubeconfig), /agent-trust-mock-kubeconfig/);
      const kube = registered.filter((r) => r.type.startsWith("kubernetes:"));
      assert.ok(kube.length > 5, `${stack}: ${kube.length} Kubernetes objects`);
      for (const r of kube)
        assert.match(r.provider ?? "", new RegExp(`::pulumi:providers:kubernetes::${env}::`), `${r.type} ${r.name}`);
      for (const r of registered.filter((x) => x.type.startsWith("vault:")))
        assert.equal(r.provider, undefined, `${r.type} ${r.name}`);
    });
  }

  test("a kubeconfig for another cluster fails before anything (the provider included) is registered", async () => {
    for (const stack of ["dev", "dev-shadow"]) {
      const registered: Registered[] = [];
      const providers: Registered[] = [];
      await assert.rejects(
        runStack(stack, {
          config: { "kubernetes:kubeconfig": kubeconfigFor("https://kubernetes.prod.example.internal:6443") },
          sink: registered,
          providers,
        }),
        (e: Error) => {
          assert.equal(e.name, "ConfigError");
          assert.match(
            e.message,
            new RegExp(
              `^stack "${stack}" deploys to https://kubernetes\\.dev\\.example\\.internal:6443 \\(agent-trust:cluster\\.server\\)`,
            ),
          );
          assert.match(
            e.message,
            /selects context "test", whose cluster "c" is https:\/\/kubernetes\.prod\.example\.internal:6443/,
          );
          return true;
        },
      );
      assert.equal(registered.length, 0, stack);
      assert.equal(providers.length, 0, stack);
    }
  });

  test("a foundation without the cluster output: run `pulumi up` on the foundation first", async () => {
    const outputs = {
      environment: "dev",
      namespace: "ai-agents",
      phaseCeiling: "autonomous",
      authMount: "kubernetes",
      kvMount: "agent",
      audience: "vault",
    };
    await assert.rejects(
      runStack("dev-shadow", { foundationOutputs: outputs }),
      /foundation stack ".*\/dev" has no output "cluster"; run `pulumi up` on the foundation first/,
    );
    await assert.rejects(
      runStack("dev-shadow", { foundationOutputs: { ...outputs, cluster: { server: "http://x" } } }),
      /exports an invalid "cluster" output \(agent-trust:cluster\.server: must be the https URL/,
    );
  });

  test("kubernetes: keys other than kubeconfig and context are refused, not ignored", async () => {
    await assert.rejects(
      runStack("dev", { config: { "kubernetes:namespace": "x" } }),
      /kubernetes:namespace: the program's Kubernetes provider reads only kubernetes:kubeconfig and kubernetes:context/,
    );
  });
});
