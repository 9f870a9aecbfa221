import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, test } from "node:test";
import { captureIo } from "../src/cli/io";
import { main } from "../src/cli/main";
import { parseStackConfig } from "../src/config/parse";
import type { PhaseConfig } from "../src/config/schema";
import { loadFoundationFor, projectRoot, readStackFile } from "../src/config/stacks";
import { matricesAt } from "../src/matrix/base";
import { allMatrices, deltaMarkdown, diffMatrices } from "../src/matrix/delta";
import { phaseMatrix, rightText, type StackMatrix } from "../src/matrix/matrix";
import type { Phase } from "../src/model/phases";
import { renderStack } from "../src/render";
import { tempDir } from "./helpers/tmp";

const ROOT = projectRoot();
const tmp = tempDir("agent-trust-matrix-");
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** dev-shadow's agents, as the given phase (same agent config), so deltas show what the phase alone changes. */
function devAs(phase: Phase): StackMatrix {
  const raw = structuredClone(readStackFile("dev-shadow").raw) as Record<string, any>;
  raw["agent-trust:phase"] = phase;
  if (phase !== "shadow") {
    for (const a of raw["agent-trust:agents"]) {
      a.promotion = {
        evidence: `evidence/dev/${a.name}.yaml`,
        approvedBy: ["ana", "ben"],
        reference: "https://example.test/pr/1",
      };
    }
  }
  const cfg = parseStackConfig(raw, "test") as PhaseConfig;
  return phaseMatrix(`dev-${phase}`, cfg, loadFoundationFor(cfg));
}

const texts = (m: StackMatrix, agent: string, kind?: string) => {
  const found = m.agents.filter((a) => a.agent === agent);
  assert.equal(found.length, 1, `one identity for ${agent}`);
  return found[0]!.rights.filter((r) => kind === undefined || r.kind === kind).map(rightText);
};

test("the matrix reads the plan: identities, verbs per namespace with resourceNames, Vault paths, egress, TTLs, Job limits", () => {
  const m = allMatrices(ROOT);
  assert.equal(Object.keys(m).length, 15);
  const rem = m["dev-remediation"]!;
  assert.deepEqual(
    rem.agents.map((a) => a.identity),
    ["system:serviceaccount:ai-agents:capacity-remediation", "system:serviceaccount:ai-agents:diagnostic-remediation"],
  );
  const k8s = texts(rem, "diagnostic", "kubernetes");
  // Every right is backed by a Role bound to this ServiceAccount in the rendered output.
  const rendered = renderStack("dev-remediation").kubernetes.filter(
    (o) => o.kind === "RoleBinding" && o.metadata.labels?.["agent-trust.io/agent"] === "diagnostic",
  );
  // The agent's own bindings (ai-agents, checkout, payments) and its executor's (checkout, payments).
  assert.equal(rendered.length, 5, "ai-agents, checkout, payments; the executor in checkout, payments");
  assert.deepEqual(texts(rem, "diagnostic", "approval"), [
    "with approval: patch apps/deployments/scale in checkout (only checkout-web, payments-api)",
    "with approval: update apps/deployments/scale in checkout (only checkout-web, payments-api)",
    "with approval: delete apps/deployments in checkout (only checkout-web, payments-api)",
    "with approval: patch apps/deployments/scale in payments (only checkout-web, payments-api)",
    "with approval: update apps/deployments/scale in payments (only checkout-web, payments-api)",
    "with approval: delete apps/deployments in payments (only checkout-web, payments-api)",
  ]);
  assert.equal(new Set(k8s.map((t) => t.split(" in ")[1]!.split(" ")[0])).size, 3);
  assert.ok(k8s.includes("patch apps/deployments in payments (only checkout-web, payments-api)"));
  assert.ok(k8s.includes("delete pods in checkout"));
  assert.ok(!k8s.some((t) => /secrets|^create |\*/.test(t)), "never secrets, create or wildcards");
  assert.deepEqual(
    texts(rem, "diagnostic", "vault").filter((t) => t.includes("remediation/")),
    ["read agent/data/remediation/cache-clear", "read agent/data/remediation/pod-restart"],
  );
  const limits = texts(m["prod-assist"]!, "diagnostic", "limit");
  assert.ok(
    limits.includes("vault token ttl: 300 s") &&
      limits.includes("vault token max ttl: 600 s") &&
      limits.includes("complex job deadline: 900 s"),
  );
  const shadow = texts(m["dev-shadow"]!, "diagnostic", "kubernetes");
  assert.ok(shadow.length > 0 && shadow.every((t) => /^(get|list|watch) /.test(t)), "shadow only reads");
  assert.deepEqual(m["prod"]!.agents, []);
});

test("delta shadow → assist shows exactly the added rights: notify secrets and the notify egress", () => {
  const base = { "dev-shadow": devAs("shadow"), "dev-assist": { ...devAs("assist"), agents: [] } };
  const head = { "dev-shadow": devAs("shadow"), "dev-assist": devAs("assist") };
  const d = diffMatrices(base, head);
  assert.equal(d.length, 1);
  assert.equal(d[0]!.stack, "dev-assist");
  const diag = d[0]!.agents.find((a) => a.agent === "diagnostic");
  assert.equal(d[0]!.agents.length, 2);
  assert.ok(diag);
  assert.equal(diag.comparedWith, "dev-shadow at the base (promotion)");
  assert.deepEqual(diag.added.map(rightText), [
    "read agent/data/notify/*",
    "list agent/metadata/notify/*",
    "namespaces {kubernetes.io/metadata.name=notify-gateway} port 8080/TCP",
  ]);
  assert.deepEqual(diag.removed, []);
  const capacity = d[0]!.agents.find((a) => a.agent === "capacity");
  assert.deepEqual(
    [capacity?.added.length, capacity?.removed.length],
    [0, 0],
    "capacity has no notify domain or egress: assist adds nothing to it",
  );
});

test("delta assist → remediation shows exactly the added rights: named writes, remediation secrets and targets", () => {
  const base = { "dev-assist": devAs("assist"), "dev-remediation": { ...devAs("remediation"), agents: [] } };
  const head = { "dev-assist": devAs("assist"), "dev-remediation": devAs("remediation") };
  const diag = diffMatrices(base, head)[0]!.agents.find((a) => a.agent === "diagnostic");
  assert.ok(diag);
  assert.deepEqual(diag.added.map(rightText), [
    "patch apps/deployments in checkout (only checkout-web, payments-api)",
    "delete pods in checkout",
    "patch apps/deployments in payments (only checkout-web, payments-api)",
    "delete pods in payments",
    // Remediation's approvable actions, held by the approval proxy the dev foundation runs, and the way to it.
    "with approval: patch apps/deployments/scale in checkout (only checkout-web, payments-api)",
    "with approval: update apps/deployments/scale in checkout (only checkout-web, payments-api)",
    "with approval: delete apps/deployments in checkout (only checkout-web, payments-api)",
    "with approval: patch apps/deployments/scale in payments (only checkout-web, payments-api)",
    "with approval: update apps/deployments/scale in payments (only checkout-web, payments-api)",
    "with approval: delete apps/deployments in payments (only checkout-web, payments-api)",
    "read agent/data/remediation/cache-clear",
    "read agent/data/remediation/pod-restart",
    "namespaces {agent-trust.io/remediation-target=true} port 8081/TCP",
    "this namespace pods {app.kubernetes.io/name=agent-trust-approval-proxy} port 8443/TCP",
  ]);
  assert.deepEqual(diag.removed, []);
  const md = deltaMarkdown(diffMatrices(base, head), "main");
  assert.match(md, /#### `dev-remediation`/);
  assert.ok(md.indexOf("**+ added**") < md.indexOf("− removed") || !md.includes("− removed"), "added first");
});

test("removed rights are listed after added ones, and an unchanged set of stacks says so", () => {
  const a = devAs("remediation");
  const b = devAs("assist");
  const d = diffMatrices({ s: a }, { s: { ...b, stack: "s" } });
  assert.equal(d.length, 1);
  const diag = d[0]!.agents.find((x) => x.agent === "diagnostic");
  assert.equal(diag?.added.length, 0);
  // The 7 rights assist lacks, the 6 allowed with approval and the egress to the approval proxy.
  assert.equal(diag?.removed.length, 14);
  assert.match(deltaMarkdown(diffMatrices({ s: a }, { s: a }), "main"), /No permission changes in any stack\./);
});

function sh(cwd: string, cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

test("diff --base: a git revision's own code computes the base; only the changed stack shows, added first", () => {
  const repo = path.join(tmp, "repo");
  fs.mkdirSync(repo);
  for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json", "bin", "src", "stacks", "evidence"])
    fs.cpSync(path.join(ROOT, f), path.join(repo, f), { recursive: true });
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
  fs.writeFileSync(path.join(repo, ".gitignore"), "node_modules\n");
  const git = (...a: string[]) =>
    sh(repo, "git", ["-c", "user.name=t", "-c", "user.email=t@example.test", "-c", "commit.gpgsign=false", ...a]);
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "base");
  const file = path.join(repo, "stacks/Pulumi.prod-assist.yaml");
  fs.writeFileSync(
    file,
    fs
      .readFileSync(file, "utf8")
      .replace("targetNamespaces: [checkout, payments]", "targetNamespaces: [checkout, orders, payments]"),
  );
  const base = matricesAt(repo, "HEAD");
  assert.equal(base.note, undefined, "the base revision has the matrix command: its own code computed it");
  assert.equal(Object.keys(base.matrices).length, 15);
  const d = diffMatrices(base.matrices, allMatrices(repo));
  assert.deepEqual(
    d.map((x) => x.stack),
    ["prod-assist"],
  );
  const added = d[0]!.agents[0]!.added.map(rightText);
  assert.equal(added.length, 27, "get/list/watch on the 9 readable resources");
  assert.ok(added.every((t) => / in orders$/.test(t)));
  assert.deepEqual(d[0]!.agents[0]!.removed, []);
  const out = sh(repo, process.execPath, [path.join(repo, "bin/agent-trust.js"), "diff", "--base", "HEAD"]);
  assert.match(
    out,
    /#### `prod-assist`[\s\S]*27 added, 0 removed[\s\S]*\| \*\*\+ added\*\* \| kubernetes \| get apps\/deployments in orders \|/,
  );
  assert.throws(() => matricesAt(repo, "--upload-pack=x"), /is not a git revision/);
  assert.throws(() => matricesAt(repo, "no-such-ref"), /is not a commit/);
});

test("agent-trust matrix prints each identity's rights (text and json); bad arguments exit 2", async () => {
  const io = captureIo();
  assert.equal(await main(["matrix", "prod-assist", "--format", "json"], io), 0);
  const doc = JSON.parse(io.stdout.join("\n")) as { schema: string; stacks: Record<string, StackMatrix> };
  assert.equal(doc.schema, "agent-trust.io/matrix/v1");
  const agents = doc.stacks["prod-assist"]!.agents;
  assert.equal(agents.length, 1);
  const k8s = agents[0]!.rights.filter((r) => r.kind === "kubernetes").length;
  const text = captureIo();
  assert.equal(await main(["matrix", "prod-assist"], text), 0);
  const out = text.stdout.join("\n");
  assert.match(
    out,
    /^agent diagnostic: system:serviceaccount:ai-agents:diagnostic-assist, Vault role agent-trust-prod-diagnostic-assist$/m,
  );
  assert.match(out, new RegExp(`kubernetes \\(${k8s} verb x resource x namespace\\)`));
  assert.match(out, /^ {4}get\/list\/watch pods in payments$/m);
  for (const args of [
    ["matrix"],
    ["matrix", "a", "b"],
    ["matrix", "--all", "dev"],
    ["matrix", "dev", "--format", "yaml"],
    ["diff"],
    ["diff", "--base"],
    ["diff", "--base", "HEAD", "--format", "html"],
  ]) {
    const bad = captureIo();
    assert.equal(await main(args, bad), 2, args.join(" "));
  }
});
