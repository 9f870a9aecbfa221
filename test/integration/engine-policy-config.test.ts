/**
 * The policy config lock through the real Pulumi engine: a config that disables or lowers a security rule stops
 * `pulumi preview` before anything is judged, and the engine shows the pack's own message naming each policy (the
 * protocol decoder reads the config map entry by entry; a refusal there would surface as "Error deserializing
 * request"). An allowed config is accepted. An empty inline program: no cluster is needed.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { resolveEngineBinaries } from "../../src/engine/binaries";
import { POLICY_PACK, PROJECT } from "../../src/engine/engine";
import { enginePassphrase, prepareEngineHome } from "../../src/engine/home";

const log = (l: string) => process.stderr.write(`${l}\n`);
let dir: string;
let stack: Stack;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-policy-config-"));
  const binaries = await resolveEngineBinaries({ build: true, log });
  const home = await prepareEngineHome(dir, binaries, enginePassphrase(dir));
  const pulumiCommand = await PulumiCommand.get({ root: home.cliRoot, skipVersionCheck: true });
  stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "policy-config", projectName: PROJECT, program: async () => ({}) },
    {
      workDir: home.workDir,
      pulumiHome: home.pulumiHome,
      pulumiCommand,
      envVars: home.env,
      projectSettings: { name: PROJECT, runtime: "nodejs", backend: { url: `file://${home.backendDir}` } },
    },
  );
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function preview(config: Record<string, unknown>): Promise<string> {
  const file = path.join(dir, `config-${Object.keys(config).join("-")}.json`);
  fs.writeFileSync(file, JSON.stringify(config));
  try {
    await stack.preview({ policyPacks: [POLICY_PACK], policyPackConfigs: [file], color: "never" });
    return "passed";
  } catch (e) {
    return (e as Error).message;
  }
}

test("a config lowering security rules is refused by the engine with the pack's message, naming each", async () => {
  const out = await preview({
    "no-secrets-access": { enforcementLevel: "disabled" },
    "no-pod-exec": { enforcementLevel: "advisory" },
  });
  assert.match(
    out,
    /configuring policy pack "agent-trust" at "[^"]+": agent-trust policy pack: refusing this policy config:/,
  );
  assert.match(
    out,
    /sets "no-secrets-access" to enforcementLevel "disabled"; a security rule may only be mandatory or remediate/,
  );
  assert.match(out, /sets "no-pod-exec" to enforcementLevel "advisory"/);
  assert.doesNotMatch(out, /Error deserializing request|at lockPolicyConfig|\.ts:\d+/);
});

test("an allowed config is configured: the pack then judges the (empty) stack as usual", async () => {
  const out = await preview({ "no-secrets-access": { enforcementLevel: "mandatory" } });
  assert.doesNotMatch(out, /configuring policy pack|refusing this policy config/);
  // The empty program has no agent-trust config: the stack rule names what is missing, so the pack did run.
  assert.match(out, /agent-trust:environment is undefined/);
});
