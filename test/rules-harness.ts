/**
 * Test harness shared by the rules-*.test.ts files: runs one rule over documents through BOTH adapters — the
 * policy pack (validation args built by hand, as AwsGuard's tests do, with props wrapped in @pulumi/policy's own
 * unknown-checking proxy exactly as its server does) and the offline checker — and returns each one's messages.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { buildPolicies } from "../policy/policies";
import { checkDocuments } from "../src/check";
import type { Environment, Phase } from "../src/model/phases";
import { pulumiTypeOfManifest, type Manifest } from "../src/model/manifest";
import { isVaultKind, VAULT_KINDS, vaultSpecToInputs } from "../src/model/vault-kinds";
import type { Rule, StackConfigView } from "../src/rules";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T };

export interface Reported {
  readonly message: string;
  readonly level: string;
  readonly urn?: string;
}

/** Collects what a policy reports, the way @pulumi/policy's server does (string or info object). */
function collector(out: Reported[]): ReportViolation {
  return ((m: string | { message: string; enforcementLevel?: string; urn?: string }, urn?: string) => {
    if (typeof m === "string") out.push({ message: m, level: "mandatory", urn });
    else out.push({ message: m.message, level: m.enforcementLevel ?? "mandatory", urn: m.urn });
  }) as ReportViolation;
}

/** The Pulumi type and inputs a document is created from (what the engine would hand the pack). */
export function pulumiResourceOf(doc: Manifest): { type: string; props: Record<string, unknown> } {
  if (isVaultKind(doc.kind)) {
    return {
      type: VAULT_KINDS[doc.kind].pulumiType,
      props: vaultSpecToInputs(doc.kind, (doc["spec"] ?? {}) as Record<string, unknown>),
    };
  }
  return {
    type: pulumiTypeOfManifest(doc.apiVersion, doc.kind),
    props: structuredClone(doc) as Record<string, unknown>,
  };
}

const urnOf = (type: string, name: string) => `urn:pulumi:test::agent-trust::${type}::${name}`;

const OPTS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

export function policyNamed(name: string, stack: StackConfigView = {}) {
  const p = buildPolicies({ stackConfig: () => stack }).find((x) => x.name === name);
  if (!p) throw new Error(`no policy named ${name}`);
  return p;
}

/** Runs one resource policy of the pack on a Pulumi resource given by type and raw props. */
export async function packResource(
  policyName: string,
  type: string,
  props: Record<string, unknown>,
  stack: StackConfigView = {},
  config: object = {},
): Promise<Reported[]> {
  const policy = policyNamed(policyName, stack) as ResourceValidationPolicy;
  const out: Reported[] = [];
  const proxied = proxy.unknownCheckingProxy(props);
  const args = {
    type,
    props: proxied,
    urn: urnOf(type, "r"),
    name: "r",
    opts: OPTS,
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  } as unknown as ResourceValidationArgs;
  const validations = [policy.validateResource!].flat();
  for (const v of validations) await v(args, collector(out));
  return out;
}

/** Runs one stack policy of the pack over documents turned into Pulumi resources. */
export async function packStack(
  policyName: string,
  docs: readonly Manifest[],
  stack: StackConfigView = {},
  config: object = {},
): Promise<Reported[]> {
  const policy = policyNamed(policyName, stack) as StackValidationPolicy;
  const resources = docs.map((d, i) => {
    const { type, props } = pulumiResourceOf(d);
    const name = `${d.metadata.name}-${i}`;
    return {
      type,
      props: proxy.unknownCheckingProxy(props),
      urn: urnOf(type, name),
      name,
      opts: OPTS,
      dependencies: [],
      propertyDependencies: {},
    } as unknown as PolicyResource;
  });
  const out: Reported[] = [];
  await policy.validateStack(
    {
      resources,
      stackTags: new Map(),
      getConfig: <T extends object>() => config as T,
      notApplicable: (): never => {
        throw new Error("n/a");
      },
    },
    collector(out),
  );
  return out;
}

export interface Given {
  readonly phase?: Phase;
  readonly env?: Environment;
  /** The stack layer (default: phase, the strictest). */
  readonly layer?: "foundation" | "phase";
}

/** One rule over documents through both adapters: `pack` and `checker` are the messages of that rule only. */
export async function runBoth(
  rule: Rule,
  docs: readonly Manifest[],
  given: Given = {},
): Promise<{ pack: string[]; checker: string[] }> {
  const stack: StackConfigView = { phase: given.phase, environment: given.env, layer: given.layer };
  let pack: Reported[] = [];
  if (rule.scope === "resource") {
    for (const d of docs) {
      const { type, props } = pulumiResourceOf(d);
      pack.push(...(await packResource(rule.name, type, props, stack)));
    }
  } else {
    pack = await packStack(rule.name, docs, stack);
  }
  const checked = checkDocuments(docs, {
    phase: given.phase,
    env: given.env,
    layer: given.layer,
    stack: rule.scope === "stack",
  });
  return {
    pack: pack.map((r) => r.message),
    checker: checked.violations.filter((v) => v.policy === rule.name).map((v) => v.message),
  };
}

/** A deep copy of `obj` changed by `edit`. */
export function patch<T>(obj: T, edit: (o: any) => void): T {
  const copy = structuredClone(obj);
  edit(copy);
  return copy;
}

export interface Case {
  readonly rule: Rule;
  readonly given?: Given;
  readonly compliant: Manifest | Manifest[];
  readonly violating: Manifest | Manifest[];
  /** A message of the violating case must match this. */
  readonly expect: RegExp;
  /** The judged property left out entirely. */
  readonly missing: Manifest | Manifest[];
  /** What leaving it out means: a violation matching this, or `false` when absence is safe. */
  readonly missingExpect: RegExp | false;
}

const docsOf = (m: Manifest | Manifest[]) => (Array.isArray(m) ? m : [m]);

/**
 * Registers, for each case, a compliant / violating / missing-property test through both adapters, and a test
 * that every rule of `rules` has a case (so adding a rule without tests fails).
 */
export function describeCases(domain: string, rules: readonly Rule[], cases: readonly Case[]): void {
  describe(`${domain} rules`, () => {
    test("every rule has a compliant, a violating and a missing-property case", () => {
      assert.deepEqual(
        rules.map((r) => r.name).filter((n) => !cases.some((c) => c.rule.name === n)),
        [],
      );
    });
    for (const c of cases) {
      describe(c.rule.name, () => {
        test("compliant: passes in the pack and in the checker", async () => {
          const r = await runBoth(c.rule, docsOf(c.compliant), c.given);
          assert.deepEqual(r, { pack: [], checker: [] });
        });
        test("violating: refused by both, with the same messages", async () => {
          const r = await runBoth(c.rule, docsOf(c.violating), c.given);
          assert.ok(
            r.checker.some((m) => c.expect.test(m)),
            `checker said ${JSON.stringify(r.checker)}`,
          );
          assert.deepEqual(r.pack, r.checker);
        });
        test(`missing property: ${c.missingExpect ? "refused" : "passes"}`, async () => {
          const r = await runBoth(c.rule, docsOf(c.missing), c.given);
          if (c.missingExpect)
            assert.ok(
              r.checker.some((m) => (c.missingExpect as RegExp).test(m)),
              `checker said ${JSON.stringify(r.checker)}`,
            );
          else assert.deepEqual(r.checker, []);
          assert.deepEqual(r.pack, r.checker);
        });
      });
    }
  });
}
