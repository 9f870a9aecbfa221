/**
 * The closed world (issue 17): the kinds each layer may hold are exactly what its planner produces, every name the
 * naming module builds is parsed back to its agent and phase (and no other), and the pack refuses foreign Pulumi
 * resource types in a phase stack as the checker refuses foreign kinds.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { listStacks, loadStackConfig } from "../src/config/stacks";
import { parseStackConfig } from "../src/config/parse";
import { agentNames, parseAgentName, phaseWordIn } from "../src/model/naming";
import { DEFAULT_CEILINGS, ENVIRONMENTS, PHASES } from "../src/model/phases";
import { investigationJob } from "../src/lib";
import { renderStack } from "../src/render";
import { kindProblem, STACK_KINDS, STACK_PROVIDERS } from "../src/rules/closed-kinds";
import { pulumiResourceDocument } from "../src/rules/opaque";
import { toDocument } from "../policy/adapter";
import type { Layer } from "../src/rules";
import { packResource } from "./rules-harness";

const key = (o: { apiVersion: string; kind: string }) => `${o.apiVersion} ${o.kind}`;

describe("the kinds a layer holds are the kinds its planner produces", () => {
  const produced: Record<Layer, Set<string>> = { phase: new Set(), foundation: new Set() };
  const stacks = listStacks();
  test("the shipped stacks render (15 of them)", () => assert.equal(stacks.length, 15));
  for (const stack of stacks) {
    const r = renderStack(stack);
    const layer = r.config.layer;
    const objects = [
      ...r.kubernetes,
      ...r.vault,
      ...(r.auditPolicy ? [r.auditPolicy as { apiVersion: string; kind: string }] : []),
    ];
    for (const o of objects) produced[layer].add(key(o));
    if (layer === "phase") {
      const template = r.kubernetes.find((o) => o.kind === "PodTemplate");
      assert.ok(template, `${stack} renders no PodTemplate`);
      produced.phase.add(key(investigationJob(template as never, { investigationId: "inc-1", tier: "simple" })));
    }
    test(`${stack}: every object is of a kind its layer holds`, () => {
      assert.ok(objects.length > 5, `${stack} rendered only ${objects.length} objects`);
      for (const o of objects) assert.equal(kindProblem(o as never, layer), undefined, key(o));
    });
  }
  for (const layer of ["phase", "foundation"] as const) {
    test(`${layer}: the table holds no kind the plan cannot produce, and misses none`, () => {
      assert.deepEqual([...produced[layer]].sort(), STACK_KINDS[layer].map(key).sort());
    });
  }
});

test("the default ceilings are the ones the shipped foundation stacks set", () => {
  for (const env of ENVIRONMENTS) {
    const cfg = loadStackConfig(env);
    assert.equal(cfg.layer, "foundation");
    assert.equal(cfg.layer === "foundation" ? cfg.phaseCeiling : undefined, DEFAULT_CEILINGS[env], env);
  }
});

describe("names are built and parsed by one module", () => {
  const segment = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/).filter((s) => phaseWordIn(s) === undefined);
  const agent = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join("-"));
  const phase = fc.constantFrom(...PHASES);
  const env = fc.constantFrom(...ENVIRONMENTS);

  test("every per-phase Kubernetes name parses back to its agent and phase", () => {
    fc.assert(
      fc.property(env, phase, agent, segment, (e, p, a, id) => {
        const n = agentNames(e, p, a);
        const names: [string, string][] = [
          [n.serviceAccount, ""],
          [n.agentsRole, "self"],
          [n.targetRole, "target"],
          [n.networkPolicy, "egress"],
          [n.podTemplate("simple"), "simple"],
          [n.job(id), id],
        ];
        for (const [name, role] of names) assert.deepEqual(parseAgentName(name), { agent: a, phase: p, role });
      }),
    );
  });

  test("two different agents or phases never share a name (investigation ids may hold phase words)", () => {
    fc.assert(
      fc.property(
        phase,
        agent,
        phase,
        agent,
        fc.constantFrom("inc-1", "x-shadow-1", "autonomous"),
        (p1, a1, p2, a2, id) => {
          fc.pre(p1 !== p2 || a1 !== a2);
          const one = agentNames("dev", p1, a1);
          const two = agentNames("dev", p2, a2);
          for (const pick of [
            (n: typeof one) => n.serviceAccount,
            (n: typeof one) => n.targetRole,
            (n: typeof one) => n.job(id),
          ]) {
            assert.notEqual(pick(one), pick(two));
          }
        },
      ),
    );
  });

  test("an agent name holding a phase word is refused, in config and by the naming module", () => {
    assert.throws(() => agentNames("dev", "shadow", "a-shadow-x"), /contains the phase word "shadow"/);
    assert.equal(parseAgentName("shadow-tracker-shadow")?.agent, undefined);
    const raw = {
      "agent-trust:layer": "phase",
      "agent-trust:environment": "dev",
      "agent-trust:phase": "shadow",
      "agent-trust:agents": [
        {
          name: "ops-assist",
          image: "registry.example.com/a@sha256:" + "ab".repeat(32),
          secretDomains: ["llm"],
          targetNamespaces: ["payments"],
        },
      ],
    };
    assert.throws(
      () => parseStackConfig(raw, "test.yaml"),
      /"ops-assist" contains the phase word "assist" as a segment/,
    );
  });
});

describe("the pack holds a phase stack to the same closed world", () => {
  const foreign: [string, Record<string, unknown>][] = [
    [
      "kubernetes:core/v1:Secret",
      { metadata: { name: "diagnostic-shadow-x", namespace: "ai-agents" }, stringData: { a: "b" } },
    ],
    [
      "kubernetes:kyverno.io/v1:Policy",
      { metadata: { name: "diagnostic-shadow-p", namespace: "ai-agents" }, spec: {} },
    ],
    ["vault:generic/endpoint:Endpoint", { path: "auth/kubernetes/role/x", dataJson: "{}" }],
    ["random:index/randomPassword:RandomPassword", { length: 16 }],
    ["vault:index/mount:Mount", { path: "agent-shadow", type: "kv-v2" }],
  ];
  for (const [type, props] of foreign) {
    test(`${type} in a phase stack is refused by stack-kinds-closed, mandatory`, async () => {
      const out = await packResource("stack-kinds-closed", type, props, {
        layer: "phase",
        phase: "shadow",
        environment: "dev",
      });
      assert.equal(out.length, 1, JSON.stringify(out));
      assert.equal(out[0]!.level, "mandatory");
    });
  }
  test("a foundation's own kinds pass it there and are refused in a phase stack", async () => {
    const ns = { metadata: { name: "ai-agents" } };
    assert.deepEqual(
      await packResource("stack-kinds-closed", "kubernetes:core/v1:Namespace", ns, {
        layer: "foundation",
        environment: "dev",
      }),
      [],
    );
    assert.equal(
      (
        await packResource("stack-kinds-closed", "kubernetes:core/v1:Namespace", ns, {
          layer: "phase",
          phase: "shadow",
        })
      ).length,
      1,
    );
  });
});

describe("providers: the closed world names the ones a stack holds", () => {
  const layers = [
    { layer: "phase", phase: "shadow", environment: "dev" },
    { layer: "foundation", environment: "dev" },
  ] as const;
  const both = ["pulumi:providers:kubernetes", "pulumi:providers:vault"];
  // A phase stack reads its foundation through a StackReference, which the engine's builtin `pulumi` provider serves;
  // a foundation reads no other stack, so the builtin provider is foreign there.
  const heldIn = { phase: [...both, "pulumi:providers:pulumi"], foundation: both } as const;
  const foreignTo = (layer: "phase" | "foundation") => [
    "pulumi:providers:random",
    "pulumi:providers:command",
    "pulumi:providers:helm",
    "pulumi:providers:aws",
    "pulumi:providers:kubernetes-cert-manager",
    "pulumi:providers:",
    ...(layer === "foundation" ? ["pulumi:providers:pulumi"] : []),
  ];
  test("the table: the stack's Kubernetes provider and the Vault provider in both layers, and the StackReference's in a phase stack", () => {
    for (const layer of ["phase", "foundation"] as const)
      assert.deepEqual(
        STACK_PROVIDERS[layer].map((p) => p.type),
        heldIn[layer],
      );
  });
  for (const stack of layers) {
    const held: readonly string[] = heldIn[stack.layer];
    const foreign = foreignTo(stack.layer);
    test(`${stack.layer}: the pack passes the Kubernetes and Vault providers`, async () => {
      for (const type of held)
        assert.deepEqual(
          await packResource("stack-kinds-closed", type, { kubeconfig: "/k", context: "c" }, stack),
          [],
          type,
        );
    });
    test(`${stack.layer}: the pack refuses every other provider type by name, mandatory`, async () => {
      for (const type of foreign) {
        const out = await packResource("stack-kinds-closed", type, {}, stack);
        assert.equal(out.length, 1, `${type}: ${JSON.stringify(out)}`);
        assert.equal(out[0]!.level, "mandatory");
        assert.match(
          out[0]!.message,
          new RegExp(
            `^provider type "${type}" is not one a ${stack.layer} stack can hold; a ${stack.layer} stack holds only the providers ${held.join(", ")}$`,
          ),
        );
      }
    });
    test(`${stack.layer}: the checker's closed world agrees on the same documents`, () => {
      for (const type of [...held, ...foreign]) {
        const doc = pulumiResourceDocument(type, "p");
        assert.equal(kindProblem(doc, stack.layer) === undefined, held.includes(type), type);
      }
    });
  }
  test("a provider is no longer passed over as a container: it becomes a document, with no inputs carried", () => {
    assert.deepEqual(
      toDocument("pulumi:providers:kubernetes", "dev", { kubeconfig: "secret contents" }),
      pulumiResourceDocument("pulumi:providers:kubernetes", "dev"),
    );
  });
});
