/** The pack's adapter: Pulumi resources back to documents, unknowns, phase and environment, enforcement, config. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PULUMI_UNKNOWNS, toDocument } from "../policy/adapter";
import { configSchemaOf } from "../policy/policies";
import type { Manifest } from "../src/model/manifest";
import { judge, contextFor, DEFAULT_SETTINGS, RESOURCE_RULES, RULES, UNKNOWN } from "../src/rules";
import { expandPath } from "../src/rules/paths";
import { packResource, pulumiResourceOf } from "./rules-harness";
import * as samples from "./rules-samples";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as { unknownValue: string };

describe("toDocument", () => {
  test("knows all seven Pulumi unknown sentinels, including the runtime's", () => {
    assert.equal(PULUMI_UNKNOWNS.size, 7);
    assert.ok(PULUMI_UNKNOWNS.has(rpc.unknownValue));
  });
  test("a Kubernetes resource is its manifest", () => {
    const doc = toDocument("kubernetes:rbac.authorization.k8s.io/v1:Role", "r", samples.role());
    assert.deepEqual(doc, samples.role());
  });
  test("server-side-apply Patch resources are judged as the kind they upsert", () => {
    const doc = toDocument("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBindingPatch", "crb", {
      metadata: { name: "x" },
    });
    assert.equal(doc?.kind, "ClusterRoleBinding");
  });
  test("a Vault resource becomes its agent-trust.io/v1 document with Vault API field names", () => {
    const { type, props } = pulumiResourceOf(samples.vaultRole());
    assert.equal(type, "vault:kubernetes/authBackendRole:AuthBackendRole");
    assert.deepEqual(toDocument(type, "x", props), {
      ...samples.vaultRole(),
      metadata: { name: samples.vaultRole().metadata.name },
    });
  });
  test("unnamed resources are named after the Pulumi resource; other packages' resources and providers are PulumiResource documents", () => {
    assert.equal(toDocument("kubernetes:core/v1:ServiceAccount", "sa", {})?.metadata.name, "sa");
    assert.deepEqual(toDocument("aws:s3/bucket:Bucket", "b", {}), {
      apiVersion: "pulumi.agent-trust.io/v1",
      kind: "PulumiResource",
      metadata: { name: "b" },
      spec: { type: "aws:s3/bucket:Bucket" },
    });
    assert.equal(toDocument("kubernetes:yaml/v2:ConfigGroup", "g", {}), undefined, "its children are judged");
    // Providers are judged by the closed world (stack-kinds-closed), which names the ones a stack holds.
    assert.deepEqual(toDocument("pulumi:providers:kubernetes", "p", {}), {
      apiVersion: "pulumi.agent-trust.io/v1",
      kind: "PulumiResource",
      metadata: { name: "p" },
      spec: { type: "pulumi:providers:kubernetes" },
    });
  });
  test("unknown values become UNKNOWN, at any depth", () => {
    const doc = toDocument("kubernetes:core/v1:ServiceAccount", "sa", {
      automountServiceAccountToken: rpc.unknownValue,
      metadata: { labels: { a: rpc.unknownValue } },
    });
    assert.equal(doc?.["automountServiceAccountToken"], UNKNOWN);
    assert.equal(doc?.metadata.labels?.["a"], UNKNOWN);
  });
});

/** Sets the value at a concrete path (`a.b[].c`, first element for `[]`) if the path exists. */
function setAt(obj: any, path: string, value: unknown): boolean {
  const segs = path.replace(/\[\]/g, ".0").split(".");
  let cur = obj;
  for (const s of segs.slice(0, -1)) {
    if (cur == null || typeof cur !== "object" || !(s in cur)) return false;
    cur = cur[s];
  }
  const last = segs[segs.length - 1]!;
  if (cur == null || typeof cur !== "object" || !(last in cur)) return false;
  cur[last] = value;
  return true;
}

const SAMPLES: Manifest[] = [
  samples.role(),
  samples.roleBinding(),
  samples.serviceAccount(),
  samples.podTemplate(),
  samples.job(),
  samples.cronJob(),
  samples.deployment(),
  samples.namespace(),
  samples.egressPolicy(),
  samples.vaultRole(),
  samples.vaultPolicy(),
];

describe("an unknown value never passes a rule that reads it", () => {
  let checked = 0;
  for (const rule of RESOURCE_RULES) {
    for (const sample of SAMPLES.filter((s) => rule.kinds.includes(s.kind))) {
      for (const path of rule.reads.flatMap((p) => expandPath(sample.kind, p))) {
        const broken = structuredClone(sample);
        if (!setAt(broken, path, UNKNOWN)) continue;
        checked++;
        test(`${rule.name}: ${sample.kind} with ${path} unknown`, async () => {
          const ctx = contextFor(broken, { environment: "prod" }, DEFAULT_SETTINGS);
          assert.match(judge(rule, broken, ctx).join("\n"), /unknown during preview/);
          // Through the pack, with Pulumi's own sentinel behind @pulumi/policy's proxy: mandatory, not skipped.
          const { type, props } = pulumiResourceOf(structuredClone(sample));
          const prop = (broken.apiVersion === "agent-trust.io/v1" ? path.replace(/^spec\./, "") : path).replace(
            /_([a-z])/g,
            (_, c: string) => c.toUpperCase(),
          );
          assert.ok(setAt(props, prop, rpc.unknownValue));
          const out = await packResource(rule.name, type, props, { environment: "prod" });
          assert.ok(
            out.some((r) => r.level === "mandatory" && /unknown during preview/.test(r.message)),
            JSON.stringify(out),
          );
        });
      }
    }
  }
  test("an unknown only matters where the rule applies: image digests outside prod", async () => {
    const t = pulumiResourceOf(samples.podTemplate());
    (t.props as any).template.spec.containers[0].image = rpc.unknownValue;
    assert.deepEqual(await packResource("image-pinned-by-digest", t.type, t.props, { environment: "dev" }), []);
    assert.equal((await packResource("image-pinned-by-digest", t.type, t.props, { environment: "prod" })).length, 1);
  });
  test("the sweep covered every resource rule", () => {
    assert.ok(checked > RESOURCE_RULES.length);
  });
});

describe("phase, environment and enforcement in the pack", () => {
  const sa = pulumiResourceOf(samples.podTemplate());
  const noLimits = structuredClone(sa.props) as any;
  delete noLimits.template.spec.containers[0].resources.limits;
  delete noLimits.metadata.labels["agent-trust.io/environment"]; // a label may only tighten the stack's environment

  test("hygiene rules are advisory in dev by default and mandatory elsewhere; a prod label tightens a dev stack", async () => {
    const prodLabelled = structuredClone(noLimits);
    prodLabelled.metadata.labels["agent-trust.io/environment"] = "prod";
    assert.deepEqual(
      (await packResource("pod-resources-set", sa.type, prodLabelled, { environment: "dev" })).map((r) => r.level),
      ["mandatory", "mandatory"],
    );
    assert.deepEqual(
      (await packResource("pod-resources-set", sa.type, noLimits, { environment: "dev" })).map((r) => r.level),
      ["advisory", "advisory"],
    );
    assert.deepEqual(
      (await packResource("pod-resources-set", sa.type, noLimits, { environment: "prod" })).map((r) => r.level),
      ["mandatory", "mandatory"],
    );
  });
  test("policy config decides where hygiene is advisory", async () => {
    const out = await packResource(
      "pod-resources-set",
      sa.type,
      noLimits,
      { environment: "dev" },
      { advisoryInEnvironments: [] },
    );
    assert.deepEqual(
      out.map((r) => r.level),
      ["mandatory", "mandatory"],
    );
  });
  test("security rules are mandatory in dev too, and offer no advisory setting", async () => {
    const bad = { ...samples.serviceAccount(), automountServiceAccountToken: true };
    const out = await packResource(
      "serviceaccount-automount-off",
      "kubernetes:core/v1:ServiceAccount",
      bad,
      { environment: "dev" },
      { advisoryInEnvironments: ["dev"] },
    );
    assert.deepEqual(
      out.map((r) => r.level),
      ["mandatory"],
    );
    for (const rule of RULES.filter((r) => r.security))
      assert.equal(configSchemaOf(rule).properties["advisoryInEnvironments"], undefined);
  });
  test("the stack's phase decides, else the strictest; an object's label can only lower it, never raise it", async () => {
    const role = pulumiResourceOf(samples.role()); // labelled remediation, deletes pods
    assert.equal(
      (await packResource("verbs-within-phase-ceiling", role.type, role.props, { phase: "remediation" })).length,
      0,
    );
    assert.equal(
      (await packResource("verbs-within-phase-ceiling", role.type, role.props, { phase: "assist" })).length,
      2,
    );
    assert.equal(
      (await packResource("verbs-within-phase-ceiling", role.type, role.props)).length,
      2,
      "no stack phase: shadow, whatever the label says",
    );
    const scaling = structuredClone(role.props) as any;
    scaling.rules.push({ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] });
    const out = await packResource("verbs-within-phase-ceiling", role.type, scaling, { phase: "autonomous" });
    assert.equal(out.length, 1, "an autonomous stack judges a Role labelled remediation as remediation");
    assert.match(out[0]!.message, /phase "remediation"/);
    const unlabelled = structuredClone(role.props) as any;
    delete unlabelled.metadata.labels;
    assert.match(
      (await packResource("verbs-within-phase-ceiling", role.type, unlabelled))[0]!.message,
      /phase "shadow"/,
    );
  });
  test("policy config lowers the token TTL cap but can never raise it", async () => {
    const r = pulumiResourceOf(samples.vaultRole()); // token_max_ttl 900
    assert.equal((await packResource("vault-token-ttl-capped", r.type, r.props, {}, { maxTtlSeconds: 600 })).length, 1);
    const long = { ...r.props, tokenMaxTtl: 1200 };
    assert.equal((await packResource("vault-token-ttl-capped", r.type, long, {}, { maxTtlSeconds: 3600 })).length, 1);
  });
  test("kvMount comes from policy config; the namespace from the stack config first", async () => {
    const p = pulumiResourceOf(samples.vaultPolicy());
    assert.equal(
      (await packResource("vault-policy-kv-mount-only", p.type, p.props, {}, { kvMount: "agents-kv" })).length,
      3,
    );
    const np = pulumiResourceOf({ ...samples.egressPolicy(), spec: { podSelector: {}, ingress: [{}] } });
    assert.equal((await packResource("no-ingress-to-agents", np.type, np.props, { namespace: "bots" })).length, 0);
    assert.equal((await packResource("no-ingress-to-agents", np.type, np.props)).length, 1);
  });
});
