/**
 * The network section as the sandbox measures it: the NetworkPolicies, PodTemplates and namespace labels are
 * read back from a real kube-apiserver (what it stores, after defaulting) and judged by cyclonus. A policy
 * widened in the API server behind the stacks' back must turn exactly the affected cells into mismatches.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { agentNames } from "../../src/model/naming";
import { requiredExcepts } from "../../src/model/cidr";
import { findCyclonus } from "../../src/sandbox/verify/cyclonus";
import { applyAll, kubeOk } from "../../src/sandbox/servers/kube";
import { ipInBlock } from "../../src/sandbox/verify/network-peers";
import { formatReport } from "../../src/sandbox/verify/report";
import { matches } from "../../src/sandbox/verify/results";
import { deploySandbox, startSandbox, type Sandbox } from "../../src/sandbox/deploy/sandbox";
import {
  judgeNetwork,
  renderedWorld,
  storedWorld,
  verifyNetwork,
  type NetworkResult,
} from "../../src/sandbox/verify/verify-network";

const log = (l: string) => process.stderr.write(`${l}\n`);
let sb: Sandbox;
let cyclonus: string;
let results: NetworkResult[];

describe("network: the sandbox's stored NetworkPolicies judged by cyclonus", () => {
  before(async () => {
    cyclonus = await findCyclonus({ build: true, log });
    sb = await startSandbox({ build: true, log });
    await deploySandbox(sb, 1800);
    results = await verifyNetwork(sb.kc, sb.env, cyclonus);
  });
  after(async () => {
    await sb?.stop();
  });

  test("the server stores every rendered policy and template, and the namespace's own labels", async () => {
    const stored = await storedWorld(sb.kc, sb.env);
    const rendered = renderedWorld(sb.env);
    assert.equal(stored.policies.length, rendered.policies.length);
    assert.deepEqual(
      stored.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort(),
      rendered.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort(),
    );
    // The content too: what the server stores is what was rendered (empty lists are not stored).
    const dropEmpty = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(dropEmpty)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([, x]) => !(Array.isArray(x) && x.length === 0))
                .map(([k, x]) => [k, dropEmpty(x)])
                .sort(([a], [b]) => String(a).localeCompare(String(b))),
            )
          : v;
    const specs = (w: typeof stored) =>
      Object.fromEntries(w.policies.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, dropEmpty(p.spec)]));
    assert.deepEqual(specs(stored), specs(rendered));
    assert.equal(stored.podTemplates.length, rendered.podTemplates.length);
    assert.equal(stored.namespaceLabels["kubernetes.io/metadata.name"], sb.env.namespace);
  });

  test("every cell matches the catalog, and the stored policies judge exactly like the rendered ones", async () => {
    assert.ok(results.length > 1000, `only ${results.length} network cells`);
    const bad = results.filter((r) => !matches(r));
    assert.equal(bad.length, 0, formatReport(bad));
    const offline = await judgeNetwork(cyclonus, sb.env, renderedWorld(sb.env));
    assert.equal(offline.length, results.length);
    // Cell by cell (the probes come in the policies' order, which the server lists by name).
    const cells = (rs: typeof results) =>
      rs
        .map(
          (r) => `${r.phase} ${r.agent} ${r.basis} ${r.scope} ${r.verb} ${r.object} ${r.detail ?? ""} => ${r.measured}`,
        )
        .sort();
    assert.deepEqual(cells(offline), cells(results));
  });

  test("an egress policy widened in the API server shows up as mismatches, exactly where it was widened", async () => {
    const name = agentNames("dev", "shadow", "diagnostic").networkPolicy;
    const path = `/apis/networking.k8s.io/v1/namespaces/${sb.env.namespace}/networkpolicies/${name}`;
    const stored = (await kubeOk(sb.kc, "GET", path)) as {
      spec: { egress: { to: { ipBlock?: { cidr: string } }[] }[] };
    };
    const i = stored.spec.egress.findIndex((r) => r.to.some((t) => t.ipBlock?.cidr === "0.0.0.0/0"));
    assert.ok(i >= 0, "no 0.0.0.0/0 rule in the stored policy");
    await kubeOk(
      sb.kc,
      "PATCH",
      path,
      [{ op: "add", path: `/spec/egress/${i}/ports/-`, value: { port: 22, protocol: "TCP" } }],
      "application/json-patch+json",
    );
    try {
      const widened = await verifyNetwork(sb.kc, sb.env, cyclonus);
      const bad = widened.filter((r) => !matches(r));
      const except = requiredExcepts("0.0.0.0/0");
      const affected = widened.filter(
        (r) =>
          r.phase === "shadow" &&
          r.agent === "diagnostic" &&
          r.scope !== "ingress" &&
          r.verb === "TCP/22" &&
          r.traffic.Destination.Internal?.Namespace !== sb.env.namespace &&
          ipInBlock(r.traffic.Destination.IP, "0.0.0.0/0", except),
      );
      assert.ok(affected.length >= 2, `${affected.length} affected cells`);
      assert.deepEqual(
        bad.map((r) => `${r.tier} ${r.object}`).sort(),
        affected.map((r) => `${r.tier} ${r.object}`).sort(),
      );
      assert.ok(bad.every((r) => r.measured === "allow" && r.expected === "deny"));
    } finally {
      await applyAll(
        sb.kc,
        sb.env.phases.shadow.kubernetes.filter((m) => m.kind === "NetworkPolicy" && m.metadata.name === name),
      );
    }
    assert.equal((await verifyNetwork(sb.kc, sb.env, cyclonus)).filter((r) => !matches(r)).length, 0);
  });
});
