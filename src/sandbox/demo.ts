/**
 * `npm run demo`: find or build the servers (and cyclonus), start them, deploy the dev stacks, measure the
 * permission matrix against the real enforcers — and the NetworkPolicies the API server stores against cyclonus,
 * an offline NetworkPolicy engine, since the sandbox has no CNI — print it beside the catalog's expectation,
 * stop everything. Exit 0 only when every cell matches; 1 on any mismatch; 70 when the sandbox itself could not
 * be set up. When the offline
 * Pulumi engine is built (scripts/servers.sh ensure pulumi pulumi-resource-kubernetes), the stacks are deployed by the
 * engine with the policy pack instead of the sandbox's own client (`--no-engine` opts out).
 */
import { parseCommandArgs } from "../cli/args";
import { processIo, type Io } from "../cli/io";
import { engineAvailable, resolveEngineBinaries } from "../engine/binaries";
import { deployWithEngine } from "../engine/deploy";
import { formatReport } from "./report";
import { summarize } from "./results";
import { deploySandbox, startSandbox } from "./sandbox";
import { verifySandbox } from "./verify";

/** Long enough for the demo's logins, short enough to be useless afterwards. */
const DEMO_REVIEWER_SECONDS = 3600;

export async function runDemo(io: Io, build = true, engine = true): Promise<number> {
  const t0 = Date.now();
  const binaries = engine && (await engineAvailable()) ? await resolveEngineBinaries({ build: false, log: (l) => io.err(l) }) : undefined;
  io.err(binaries ? "demo: deploying through the Pulumi engine (policy pack enforced by the engine)" : "demo: deploying with the sandbox's own client (the Pulumi engine is not built; see docs/engine.md)");
  const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)}s`;
  const sb = await startSandbox({ build, log: (l) => io.err(l) });
  const started = since(t0);
  try {
    const t1 = Date.now();
    if (binaries) {
      const n = await deployWithEngine(sb, binaries, DEMO_REVIEWER_SECONDS, (l) => io.err(`demo: ${l}`));
      io.err(`demo: the Pulumi engine deployed ${n.stacks.join(", ")}: ${n.kubernetes} Kubernetes and ${n.vault} Vault resources`);
    } else {
      const n = await deploySandbox(sb, DEMO_REVIEWER_SECONDS);
      io.err(`demo: deployed ${n.kubernetes} Kubernetes and ${n.vault} Vault objects of the dev stacks`);
    }
    const deployed = since(t1);
    const t2 = Date.now();
    const { results } = await verifySandbox(sb, (l) => io.err(l));
    const verified = since(t2);
    io.out(formatReport(results));
    const t3 = Date.now();
    await sb.stop();
    io.out(`\ntimings: servers up ${started}, deploy ${deployed}, verify ${verified}, stop ${since(t3)}, total ${since(t0)}`);
    const { mismatches } = summarize(results);
    io.out(mismatches === 0 ? "demo: every cell matches the catalog" : `demo: ${mismatches} cell(s) differ from the catalog`);
    return mismatches === 0 ? 0 : 1;
  } finally {
    await sb.stop();
  }
}

if (require.main === module) {
  const io = processIo();
  const args = parseCommandArgs(process.argv.slice(2), { "no-build": { type: "boolean" }, "no-engine": { type: "boolean" } }, "demo");
  if (typeof args === "string" || args.positionals.length > 0 || args.values.help) {
    if (typeof args === "string") io.err(`demo: ${args.replace(/; see agent-trust .*$/, "")}`);
    io.err("Usage: npm run demo [-- --no-build] [--no-engine]");
    process.exit(typeof args === "string" || args.positionals.length > 0 ? 2 : 0);
  }
  runDemo(io, args.values["no-build"] !== true, args.values["no-engine"] !== true).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      io.err(`demo: ${e.stack ?? e.message}`);
      process.exitCode = 70;
    },
  );
}
