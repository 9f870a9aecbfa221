/**
 * `npm run demo`: find or build the servers (and cyclonus), start them, deploy the dev stacks, measure the
 * permission matrix against the real enforcers — and the NetworkPolicies the API server stores against cyclonus,
 * an offline NetworkPolicy engine, since the sandbox has no CNI — against the catalog's expectation, stop
 * everything, and print one screen (per layer the cells, mismatches and time; what was deployed; the verdict)
 * with the full matrix written to `--matrix FILE` and an HTML report to `--html FILE`. Exit 0 only when every
 * cell matches; 1 on any mismatch; 70 when the sandbox itself could not be set up. When the offline Pulumi engine
 * is built (scripts/servers.sh ensure pulumi pulumi-resource-kubernetes), the stacks are deployed by the engine
 * with the policy pack instead of the sandbox's own client (`--no-engine` opts out).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseCommandArgs } from "../cli/args";
import { processIo, type Io } from "../cli/io";
import { engineAvailable, resolveEngineBinaries } from "../engine/binaries";
import { deployWithEngine } from "../engine/deploy";
import { deployedOf, emitReport, REPORT_OPTIONS, REPORT_USAGE, reportFiles, unwritable } from "./verify/report-out";
import { deploySandbox, startSandbox } from "./deploy/sandbox";
import type { Deployed } from "./verify/summary";
import { verifySandbox } from "./verify/verify";

/** Long enough for the demo's logins, short enough to be useless afterwards. */
const DEMO_REVIEWER_SECONDS = 3600;

export interface DemoOptions {
  readonly build?: boolean;
  readonly engine?: boolean;
  /** `--matrix`, `--html`: where the full matrix and the HTML report go (default: a new folder in os.tmpdir()). */
  readonly matrix?: string | undefined;
  readonly html?: string | undefined;
}

export async function runDemo(io: Io, opts: DemoOptions = {}): Promise<number> {
  const t0 = Date.now();
  const binaries =
    opts.engine !== false && (await engineAvailable())
      ? await resolveEngineBinaries({
          build: false,
          log: (l) => {
            io.err(l);
          },
        })
      : undefined;
  io.err(
    binaries
      ? "demo: deploying through the Pulumi engine (policy pack enforced by the engine)"
      : "demo: deploying with the sandbox's own client (the Pulumi engine is not built; see docs/engine.md)",
  );
  const since = (t: number) => (Date.now() - t) / 1000;
  const sb = await startSandbox({
    build: opts.build !== false,
    log: (l) => {
      io.err(l);
    },
  });
  const started = since(t0);
  try {
    const t1 = Date.now();
    let deployed: Deployed;
    if (binaries) {
      const n = await deployWithEngine(sb, binaries, DEMO_REVIEWER_SECONDS, (l) => {
        io.err(`demo: ${l}`);
      });
      io.err(
        `demo: the Pulumi engine deployed ${n.stacks.join(", ")}: ${n.kubernetes} Kubernetes and ${n.vault} Vault resources`,
      );
      deployed = { ...deployedOf(sb.env, "the Pulumi engine (policy pack enforced)", n), stacks: n.stacks };
    } else {
      const n = await deploySandbox(sb, DEMO_REVIEWER_SECONDS);
      io.err(`demo: deployed ${n.kubernetes} Kubernetes and ${n.vault} Vault objects of the dev stacks`);
      deployed = deployedOf(sb.env, "the sandbox's own client", n);
    }
    const deploy = since(t1);
    const t2 = Date.now();
    const { results, timings } = await verifySandbox(sb, (l) => {
      io.err(l);
    });
    const verified = since(t2);
    const t3 = Date.now();
    await sb.stop();
    const steps: [string, number][] = [
      ["servers up", started],
      ["deploy", deploy],
      ["verify", verified],
      ["stop", since(t3)],
      ["total", since(t0)],
    ];
    const files = reportFiles(opts, () => fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-demo-")));
    return emitReport(
      io,
      { title: "agent-trust demo", deployed, results, timings, steps, generatedAt: new Date().toISOString() },
      files,
    );
  } finally {
    await sb.stop();
  }
}

if (require.main === module) {
  const io = processIo();
  const args = parseCommandArgs(
    process.argv.slice(2),
    { "no-build": { type: "boolean" }, "no-engine": { type: "boolean" }, ...REPORT_OPTIONS },
    "demo",
  );
  if (typeof args === "string" || args.positionals.length > 0 || args.values.help) {
    if (typeof args === "string") io.err(`demo: ${args.replace(/; see agent-trust .*$/, "")}`);
    io.err(`Usage: npm run demo [-- [--no-build] [--no-engine] [--matrix FILE] [--html FILE]]\n${REPORT_USAGE}`);
    process.exit(typeof args === "string" || args.positionals.length > 0 ? 2 : 0);
  }
  const { values } = args;
  const bad = unwritable(values);
  if (bad) {
    io.err(`demo: ${bad}`);
    process.exit(2);
  }
  runDemo(io, {
    build: values["no-build"] !== true,
    engine: values["no-engine"] !== true,
    matrix: values.matrix,
    html: values.html,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      io.err(`demo: ${(e as Error).stack ?? (e as Error).message}`);
      process.exitCode = 70;
    },
  );
}
