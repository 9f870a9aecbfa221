/**
 * `check --for-stack` knows, from the foundation's own stack file, whether the environment runs the approval proxy.
 * Where it does not, a phase stack may hold no executor identity (the plan never makes one there): the executor's
 * ServiceAccount, Role and RoleBinding are refused by name and its Role is judged as an agent Role.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkDocuments, type CheckOptions } from "../src/check";
import { forStackOptions } from "../src/check/for-stack";
import { listStacks, loadFoundationFor, loadStackConfig } from "../src/config/stacks";
import { EXECUTOR_SUFFIX, parseAgentName } from "../src/model/naming";
import { renderStack } from "../src/render";

const isExecutor = (name: unknown) => typeof name === "string" && parseAgentName(name)?.role === EXECUTOR_SUFFIX;

test("the options say whether the stack's foundation runs the approval proxy (phase stacks only)", () => {
  const seen = new Set<boolean>();
  for (const stack of listStacks()) {
    const cfg = loadStackConfig(stack);
    const o = forStackOptions(stack, {});
    if (cfg.layer !== "phase") {
      assert.equal(o.approvalProxy, undefined, stack);
      continue;
    }
    const runs = loadFoundationFor(cfg).approvalProxy !== undefined;
    assert.equal(o.approvalProxy, runs, stack);
    seen.add(runs);
  }
  assert.deepEqual([...seen].sort(), [false, true], "the shipped stacks have environments with and without a proxy");
});

test("dev-remediation's executors pass where the proxy runs and are refused, each of them, where it does not", () => {
  const { kubernetes, vault } = renderStack("dev-remediation");
  const stack = [...kubernetes, ...vault];
  const executors = kubernetes.filter((o) => isExecutor(o.metadata?.name));
  assert.deepEqual([...new Set(executors.map((o) => o.kind))].sort(), ["Role", "RoleBinding", "ServiceAccount"]);
  const options = forStackOptions("dev-remediation", {});
  assert.equal(options.approvalProxy, true);
  const withProxy = checkDocuments(stack, options);
  assert.deepEqual(withProxy.errors, []);
  assert.deepEqual(
    withProxy.violations.filter((v) => v.enforcement === "mandatory").map((v) => `${v.policy}: ${v.message}`),
    [],
  );

  const without: CheckOptions = { ...options, approvalProxy: false };
  const r = checkDocuments(stack, without);
  const refused = r.violations.filter((v) => /runs no approval proxy/.test(v.message));
  for (const e of executors) {
    const ref = `${e.kind} ${e.metadata?.namespace}/${e.metadata?.name}`;
    assert.ok(
      refused.some((v) => v.resource.startsWith(ref) && v.enforcement === "mandatory"),
      `${ref} is not refused: ${JSON.stringify(r.violations.filter((v) => v.resource.startsWith(ref)))}`,
    );
  }
  // Only the executors: the agent's own objects are as planned either way.
  for (const v of r.violations.filter((x) => x.enforcement === "mandatory")) {
    assert.match(v.resource, new RegExp(`-${EXECUTOR_SUFFIX}\\b`), `${v.policy}: ${v.message}`);
  }
});
