import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import { engineEnv, engineDirs, ANALYZER_SCRIPT } from "/work/wt/engine/src/engine/home";
import { execFileSync } from "node:child_process";
async function main() {
  const d = engineDirs("/tmp/eng-try/sb");
  for (const x of [d.cliRoot + "/bin", d.pulumiHome, d.backendDir, d.workDir]) fs.mkdirSync(x, { recursive: true });
  if (!fs.existsSync(d.cliRoot + "/bin/pulumi")) fs.symlinkSync(process.env.HOME + "/.cache/agent-trust/bin/pulumi-v3.248.0/pulumi", d.cliRoot + "/bin/pulumi");
  const env = engineEnv(d, "x");
  execFileSync(d.cliRoot + "/bin/pulumi", ["plugin", "install", "analyzer", "policy-nodejs", "3.248.0", "--file", ANALYZER_SCRIPT], { env: { ...process.env, ...env }, stdio: "inherit" });
  const cmd = await PulumiCommand.get({ root: d.cliRoot, skipVersionCheck: true });
  const t = Date.now();
  const s = await LocalWorkspace.createOrSelectStack({ stackName: "dev-shadow", projectName: "agent-trust", program: async () => ({ a: 1 }) },
    { workDir: d.workDir, pulumiHome: d.pulumiHome, pulumiCommand: cmd, envVars: env, projectSettings: { name: "agent-trust", runtime: "nodejs", backend: { url: `file://${d.backendDir}` } } });
  const r = await s.preview({ policyPacks: ["/work/wt/engine/policy"], onEvent: (e) => { if (e.policyEvent || e.diagnosticEvent) console.log(JSON.stringify(e).slice(0, 300)); } });
  console.log(r.changeSummary, (Date.now() - t) / 1000);
}
main().catch((e) => { console.error("ERR", e.message); process.exit(1); });
