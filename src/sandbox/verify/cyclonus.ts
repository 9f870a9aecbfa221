/**
 * The network layer's enforcer: cyclonus (github.com/mattfenwick/cyclonus), an offline implementation of the
 * Kubernetes NetworkPolicy semantics written and tested by others. `cyclonus analyze --mode query-traffic` reads
 * one NetworkPolicy document per file from a directory and answers, for each given traffic, whether the
 * policies allow it (ingress at the destination pod and egress at the source pod). No cluster, no CNI.
 * The binary comes from `scripts/servers.sh` (CYCLONUS_BIN, PATH, or the per-version cache; built from the Go
 * module proxy when allowed).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Manifest } from "../../model/manifest";
import { PACKAGE_ROOT } from "../../package-root";
import { runScript } from "../servers/binaries";

/** cyclonus' `matcher.InternalPeer`: a pod, by namespace and labels. */
export interface InternalPeer {
  readonly Namespace: string;
  readonly NamespaceLabels: Readonly<Record<string, string>>;
  readonly PodLabels: Readonly<Record<string, string>>;
}

/** cyclonus' `matcher.TrafficPeer`: a pod (Internal set) or an address outside the cluster; IP always set. */
export interface TrafficPeer {
  readonly IP: string;
  readonly Internal?: InternalPeer;
}

export type Protocol = "TCP" | "UDP";

/** cyclonus' `matcher.Traffic`, the JSON `--traffic-path` takes a list of. */
export interface Traffic {
  readonly Source: TrafficPeer;
  readonly Destination: TrafficPeer;
  readonly Protocol: Protocol;
  readonly ResolvedPort: number;
  readonly ResolvedPortName: string;
}

export interface FindOptions {
  /** Build from source when missing (a minute or two) instead of failing. */
  readonly build: boolean;
  readonly log: (line: string) => void;
  readonly root?: string;
}

/** The absolute path of a usable cyclonus binary, via `scripts/servers.sh path|ensure cyclonus`. */
export async function findCyclonus(opts: FindOptions): Promise<string> {
  const script = path.join(opts.root ?? PACKAGE_ROOT, "scripts", "servers.sh");
  const { code, stdout } = await runScript(script, [opts.build ? "ensure" : "path", "cyclonus"], opts.log);
  const found = stdout.trim().replace(/^cyclonus=/, "");
  if (code !== 0 || !path.isAbsolute(found)) {
    throw new Error(
      `cyclonus is not available (scripts/servers.sh exit ${code}); build it with: scripts/servers.sh ensure cyclonus`,
    );
  }
  return found;
}

/**
 * One file per policy, as cyclonus reads them (it parses each file strictly as one NetworkPolicy). Only what
 * the API server enforces is kept: the spec exactly as given, and the name, namespace and labels.
 */
export function policyFiles(policies: readonly Manifest[]): { file: string; content: string }[] {
  const seen = new Set<string>();
  return policies.map((p) => {
    if (p.kind !== "NetworkPolicy") throw new Error(`not a NetworkPolicy: ${p.kind} ${p.metadata.name}`);
    if (!p.metadata.namespace) throw new Error(`NetworkPolicy ${p.metadata.name} has no namespace`);
    const file = `${p.metadata.namespace}__${p.metadata.name}.json`;
    // Kubernetes names are DNS subdomains; anything else (a path, say) is not a stored policy.
    if (!/^[a-z0-9][a-z0-9.-]*__[a-z0-9][a-z0-9.-]*\.json$/.test(file))
      throw new Error(`NetworkPolicy name "${p.metadata.namespace}/${p.metadata.name}" is not a Kubernetes name`);
    if (seen.has(file)) throw new Error(`NetworkPolicy ${p.metadata.namespace}/${p.metadata.name} given twice`);
    seen.add(file);
    const metadata = {
      name: p.metadata.name,
      namespace: p.metadata.namespace,
      ...(p.metadata.labels ? { labels: p.metadata.labels } : {}),
    };
    return {
      file,
      content: JSON.stringify({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata, spec: p.spec }),
    };
  });
}

/**
 * Reads cyclonus' query-traffic report: each traffic is followed by a table whose footer is
 * `IS ALLOWED? | TRUE|FALSE`. Throws unless there is exactly one verdict per traffic.
 */
export function parseQueryTraffic(stdout: string, count: number): boolean[] {
  const verdicts = [...stdout.matchAll(/^\|\s*IS ALLOWED\?\s*\|\s*(TRUE|FALSE)\s*\|/gim)].map(
    (m) => m[1]!.toUpperCase() === "TRUE",
  );
  const asked = (stdout.match(/^Is traffic allowed\?$/gm) ?? []).length;
  if (verdicts.length !== count || asked !== count) {
    throw new Error(`cyclonus answered ${verdicts.length} verdicts for ${asked} reported of ${count} traffics`);
  }
  return verdicts;
}

/** Asks cyclonus whether each traffic is allowed by `policies`; in the order given. */
export async function queryTraffic(
  bin: string,
  policies: readonly Manifest[],
  traffic: readonly Traffic[],
): Promise<boolean[]> {
  if (traffic.length === 0) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-cyclonus-"));
  try {
    const policyDir = path.join(dir, "policies");
    fs.mkdirSync(policyDir);
    for (const f of policyFiles(policies)) fs.writeFileSync(path.join(policyDir, f.file), f.content);
    const trafficFile = path.join(dir, "traffic.json");
    fs.writeFileSync(trafficFile, JSON.stringify(traffic));
    const args = ["analyze", "--policy-path", policyDir, "--mode", "query-traffic", "--traffic-path", trafficFile];
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(bin, args, { maxBuffer: 1 << 30, env: { ...process.env, NO_COLOR: "1" } }, (err, out, errOut) => {
        if (err)
          reject(
            new Error(`cyclonus ${args.join(" ")} failed: ${err.message}\n${errOut.split("\n").slice(-10).join("\n")}`),
          );
        else resolve(out);
      }),
    );
    return parseQueryTraffic(stdout, traffic.length);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
