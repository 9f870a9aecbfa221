/**
 * The network layer measured by a real, independent NetworkPolicy engine: cyclonus judges the NetworkPolicies
 * the plan renders for dev against every case the catalog and config imply. Then it is shown to catch a
 * difference: a widened egress policy, a lost carve-out and a missing default deny each turn exactly the
 * affected cells into mismatches.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { agentNames } from "../../src/model/naming";
import { requiredExcepts } from "../../src/model/cidr";
import type { Manifest } from "../../src/model/manifest";
import { findCyclonus } from "../../src/sandbox/verify/cyclonus";
import { loadEnvironment } from "../../src/sandbox/deploy/environment";
import { ipInBlock } from "../../src/sandbox/verify/network-peers";
import { formatReport } from "../../src/sandbox/verify/report";
import { matches } from "../../src/sandbox/verify/results";
import {
  judgeNetwork,
  renderedWorld,
  type NetworkResult,
  type NetworkWorld,
} from "../../src/sandbox/verify/verify-network";

const env = loadEnvironment("dev");
const world = renderedWorld(env);
let cyclonus: string;
let results: NetworkResult[];

const policyName = agentNames("dev", "shadow", "diagnostic").networkPolicy;
type Rule = { to: Record<string, unknown>[]; ports: { port: number; protocol: string }[] };
/** The rendered world with the shadow diagnostic's egress policy changed by `edit`. */
function edited(edit: (rules: Rule[]) => Rule[]): NetworkWorld {
  const policies = world.policies.map((p): Manifest => {
    if (p.metadata.name !== policyName) return p;
    const spec = structuredClone(p["spec"]) as { egress: Rule[] };
    return { ...p, spec: { ...spec, egress: edit(spec.egress) } };
  });
  assert.equal(policies.filter((p) => p.metadata.name === policyName).length, 1);
  return { ...world, policies };
}
const isLlmRule = (r: Rule) => r.to.some((t) => (t["ipBlock"] as { cidr?: string } | undefined)?.cidr === "0.0.0.0/0");
/** A cell of the shadow diagnostic's egress to an address (pod or not) that `cidr` minus `except` covers. */
const reaches = (r: NetworkResult, port: string, except: readonly string[]) =>
  r.phase === "shadow" &&
  r.agent === "diagnostic" &&
  r.scope !== "ingress" &&
  r.verb === port &&
  r.traffic.Destination.Internal?.Namespace !== env.namespace &&
  ipInBlock(r.traffic.Destination.IP, "0.0.0.0/0", except);

describe("network: cyclonus on the rendered dev policies", () => {
  before(async () => {
    cyclonus = await findCyclonus({ build: true, log: (l) => process.stderr.write(`${l}\n`) });
    results = await judgeNetwork(cyclonus, env, world);
  });

  test("every cell matches the catalog, allows and denies alike", () => {
    assert.ok(results.length > 1000, `only ${results.length} network cells`);
    const bad = results.filter((r) => !matches(r));
    assert.equal(bad.length, 0, formatReport(bad));
    assert.ok(results.filter((r) => r.measured === "allow").length >= 100);
    assert.ok(results.filter((r) => r.measured === "deny").length >= 1000);
  });

  test("a port added to the LLM egress rule shows up exactly where it opens", async () => {
    const widened = await judgeNetwork(
      cyclonus,
      env,
      edited((rules) =>
        rules.map((r) => (isLlmRule(r) ? { ...r, ports: [...r.ports, { port: 80, protocol: "TCP" }] } : r)),
      ),
    );
    const bad = widened.filter((r) => !matches(r));
    const affected = widened.filter((r) => reaches(r, "TCP/80", requiredExcepts("0.0.0.0/0")));
    assert.ok(affected.length >= 2, `${affected.length} affected cells`);
    assert.deepEqual(
      bad.map((r) => `${r.tier} ${r.object}`).sort(),
      affected.map((r) => `${r.tier} ${r.object}`).sort(),
    );
    assert.ok(bad.every((r) => r.measured === "allow" && r.expected === "deny"));
  });

  test("a port no sample would try (TCP/2222) is still caught: the policies' own ports are asked too", async () => {
    const widened = await judgeNetwork(
      cyclonus,
      env,
      edited((rules) =>
        rules.map((r) => (isLlmRule(r) ? { ...r, ports: [...r.ports, { port: 2222, protocol: "TCP" }] } : r)),
      ),
    );
    const bad = widened.filter((r) => !matches(r));
    const affected = widened.filter((r) => reaches(r, "TCP/2222", requiredExcepts("0.0.0.0/0")));
    assert.ok(affected.length >= 2, `${affected.length} affected cells`);
    assert.deepEqual(
      bad.map((r) => `${r.tier} ${r.scope} ${r.object}`).sort(),
      affected.map((r) => `${r.tier} ${r.scope} ${r.object}`).sort(),
    );
  });

  test("an extra peer in an egress rule is asked about and shows up as mismatches", async () => {
    const widened = await judgeNetwork(
      cyclonus,
      env,
      edited((rules) => [
        ...rules,
        {
          to: [{ namespaceSelector: { matchLabels: { team: "payments" } } }],
          ports: [{ port: 5432, protocol: "TCP" }],
        },
      ]),
    );
    const bad = widened.filter((r) => !matches(r));
    assert.ok(bad.length >= 2, `${bad.length} mismatches`);
    assert.ok(
      bad.every(
        (r) => r.phase === "shadow" && r.agent === "diagnostic" && r.verb === "TCP/5432" && r.measured === "allow",
      ),
    );
    assert.ok(bad.every((r) => r.traffic.Destination.Internal?.NamespaceLabels["team"] === "payments"));
  });

  test("a broad range that lost its carve-outs opens the metadata service, private ranges and pods elsewhere", async () => {
    const widened = await judgeNetwork(
      cyclonus,
      env,
      edited((rules) => rules.map((r) => (isLlmRule(r) ? { ...r, to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] } : r))),
    );
    const bad = widened.filter((r) => !matches(r));
    const affected = widened.filter((r) => r.expected === "deny" && reaches(r, "TCP/443", []));
    assert.ok(bad.some((r) => r.scope === "egress metadata" && r.traffic.Destination.IP === "169.254.169.254"));
    assert.ok(bad.some((r) => r.scope === "egress private range"));
    assert.ok(bad.some((r) => r.scope === "egress other ns"));
    assert.deepEqual(
      bad.map((r) => `${r.tier} ${r.scope} ${r.object}`).sort(),
      affected.map((r) => `${r.tier} ${r.scope} ${r.object}`).sort(),
    );
  });

  test("the phase policies alone keep agent pods closed; with no policies at all every deny cell is a mismatch", async () => {
    // The phase policies list Ingress with no rules, so losing the foundation's default deny opens no agent pod.
    const noDefault = await judgeNetwork(cyclonus, env, {
      ...world,
      policies: world.policies.filter((p) => p.metadata.name !== "agent-trust-default-deny"),
    });
    assert.equal(noDefault.length, results.length);
    assert.equal(noDefault.filter((r) => !matches(r)).length, 0);
    const none = await judgeNetwork(cyclonus, env, { ...world, policies: [] });
    const denies = none.filter((r) => r.expected === "deny");
    assert.ok(denies.length > 1000);
    assert.equal(denies.filter((r) => r.measured === "allow").length, denies.length);
  });
});
