/**
 * The pods fixtures against a real kube-apiserver (1.36) enforcing Pod Security `restricted`: every pod spec the
 * checker finds in them (whatever the kind) is sent as a Pod with server-side dry run. A red-team fixture that
 * names a Pod Security rule must be refused by the PodSecurity admission plugin itself (so the checker is at
 * least as strict as the API server, and the fixture is a valid object, not one the API server would reject as
 * invalid anyway); one that names only our stricter rules must be admitted (so only our rules stop it); every
 * sound fixture must be admitted. Ephemeral containers go through the pods/ephemeralcontainers subresource of a
 * Pod created without them, as `kubectl debug` does. The control-by-control table of test/pss-controls.ts goes
 * through the same API server: what it says Pod Security refuses is refused by the plugin, what it allows is
 * admitted, and where it says the API server does something else ("admitted", "invalid"), it does exactly that.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { KubeConfig } from "@kubernetes/client-node";
import { loadPaths } from "../../src/check";
import { CONTAINER_LISTS, podSpecsOf } from "../../src/rules/paths";
import { RESTRICTED_RULES } from "../../src/rules/pods-restricted";
import { BASELINE_RULES } from "../../src/rules/pods-baseline";
import { etcdArgs, apiserverArgs } from "../../src/sandbox/servers/flags";
import { adminKubeConfig, kubeOk, kubeRequest, type RawResponse } from "../../src/sandbox/servers/kube";
import { kubeconfigYaml } from "../../src/sandbox/servers/kubeconfig";
import { createPki } from "../../src/sandbox/servers/pki";
import { freePort, startServer, stopServer, waitHealthy, type Running } from "../../src/sandbox/servers/procs";
import { build, CONTROLS, KINDS, type PssCase } from "../pss-controls";
import { ROOT } from "./helpers";

const FIXTURES = path.join(ROOT, "test", "fixtures");
const NS = "pss-restricted";
const PSS_RULES = new Set([...RESTRICTED_RULES, ...BASELINE_RULES].map((r) => r.name));

interface Case {
  readonly file: string;
  readonly expect: string[];
  /** `# api-server: admitted`: the fixture names a Pod Security rule for a field Kubernetes itself ignores. */
  readonly admitted: boolean;
  readonly pods: { meta: Record<string, unknown>; spec: Record<string, unknown> }[];
}

function cases(dir: string): Case[] {
  return fs
    .readdirSync(dir)
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const text = fs.readFileSync(file, "utf8");
      const expect = [...text.matchAll(/^# expect: *(\S+)/gm)].map((m) => m[1]!);
      const admitted = /^# api-server: admitted$/m.test(text);
      // Pod specs a Pod can carry as they are: a workflow template or Tekton task found by shape (its containers
      // under `container`, `steps`…) is not one, and is judged by our rules only.
      const pods = loadPaths([file]).objects.flatMap((l) =>
        podSpecsOf(l.object)
          .filter((p) => !p.byShape || CONTAINER_LISTS.some((k) => k in p.spec))
          .map((p) => ({ meta: (p.meta ?? {}) as Record<string, unknown>, spec: p.spec })),
      );
      return { file: path.relative(FIXTURES, file), expect, admitted, pods };
    });
}

const red = cases(path.join(FIXTURES, "redteam", "pods")).filter((c) => c.pods.length > 0);
const sound = cases(path.join(FIXTURES, "sound", "pods")).filter((c) => c.pods.length > 0);

let dir: string;
let procs: Running[] = [];
let kc: KubeConfig;
let serial = 0;

function binary(name: string): string {
  const r = spawnSync("bash", [path.join(ROOT, "scripts", "servers.sh"), "ensure", name], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const m = new RegExp(`^${name}=(.+)$`, "m").exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`scripts/servers.sh ensure ${name} failed (exit ${r.status})`);
  return m[1]!;
}

/** Sends one pod spec as a Pod (dry run); ephemeral containers through their subresource. */
async function admit(meta: Record<string, unknown>, spec: Record<string, unknown>, ns = NS): Promise<RawResponse> {
  const name = `p${++serial}`;
  const { ephemeralContainers, ...rest } = spec;
  const metadata = { name, namespace: ns, labels: meta["labels"] ?? {}, annotations: meta["annotations"] ?? {} };
  const pod = { apiVersion: "v1", kind: "Pod", metadata, spec: rest };
  if (ephemeralContainers === undefined)
    return kubeRequest(kc, "POST", `/api/v1/namespaces/${ns}/pods?dryRun=All`, pod);
  const created = await kubeRequest(kc, "POST", `/api/v1/namespaces/${ns}/pods`, pod);
  if (created.status !== 201) return created;
  const current = created.body as { spec: Record<string, unknown> };
  current.spec["ephemeralContainers"] = ephemeralContainers;
  return kubeRequest(kc, "PUT", `/api/v1/namespaces/${ns}/pods/${name}/ephemeralcontainers?dryRun=All`, current);
}

const said = (r: RawResponse) => `HTTP ${r.status}: ${String(r.body["message"] ?? "")}`;

describe("pods fixtures against a real kube-apiserver enforcing Pod Security restricted", () => {
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-pss-"));
    const pki = createPki(path.join(dir, "pki"));
    const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${clientPort}`;
    const etcd = startServer(
      "etcd",
      binary("etcd"),
      etcdArgs({ dataDir: path.join(dir, "etcd"), clientPort, peerPort }),
      {
        logFile: path.join(dir, "etcd.log"),
        cwd: dir,
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ETCD_"))),
      },
    );
    procs.push(etcd);
    await waitHealthy(
      etcd,
      async () => (await fetch(`${etcdUrl}/health`).catch(() => undefined))?.status === 200,
      30_000,
    );
    const auditPolicyFile = path.join(dir, "audit.yaml");
    fs.writeFileSync(auditPolicyFile, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n");
    const args = apiserverArgs({
      port: apiPort,
      etcdUrl,
      pki,
      auditPolicyFile,
      auditLogPath: path.join(dir, "audit.log"),
    });
    const api = startServer("kube-apiserver", binary("kube-apiserver"), args, {
      logFile: path.join(dir, "kube-apiserver.log"),
      cwd: dir,
    });
    procs.push(api);
    const kubeconfig = path.join(dir, "kubeconfig");
    const pem = (f: string) => fs.readFileSync(f, "utf8");
    fs.writeFileSync(
      kubeconfig,
      kubeconfigYaml({
        server: `https://127.0.0.1:${apiPort}`,
        caPem: pem(pki.caCert),
        clientCertPem: pem(pki.adminCert),
        clientKeyPem: pem(pki.adminKey),
        namespace: NS,
      }),
    );
    kc = adminKubeConfig(kubeconfig);
    await waitHealthy(
      api,
      async () => (await kubeRequest(kc, "GET", "/readyz").catch(() => undefined))?.status === 200,
      90_000,
    );
    const labels = Object.fromEntries(
      ["enforce", "audit", "warn"].map((m) => [`pod-security.kubernetes.io/${m}`, "restricted"]),
    );
    await kubeOk(kc, "POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: NS, labels },
    });
  });

  after(async () => {
    for (const p of procs.reverse()) await stopServer(p).catch(() => undefined);
    procs = [];
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("there are fixtures of both kinds, each with a pod spec", () => {
    assert.ok(red.length >= 40, String(red.length));
    assert.ok(sound.length >= 10 && sound.every((c) => c.pods.length > 0));
  });

  for (const c of red) {
    const pss = !c.admitted && c.expect.some((r) => PSS_RULES.has(r));
    test(`${c.file}: ${pss ? "refused by the PodSecurity admission plugin" : "admitted by restricted; only our rules stop it"}`, async () => {
      const results = await Promise.all(c.pods.map((p) => admit(p.meta, p.spec)));
      if (pss) {
        assert.ok(
          results.some((r) => r.status === 403 && /violates PodSecurity "restricted/.test(said(r))),
          results.map(said).join("\n"),
        );
        assert.ok(
          results.every((r) => r.status !== 422),
          results.map(said).join("\n"),
        );
      } else {
        for (const r of results) assert.ok(r.status >= 200 && r.status < 300, said(r));
      }
    });
  }

  test("namespace-psa-old-version.yaml: restricted pinned to v1.21 admits a pod that keeps every default capability", async () => {
    const loaded = loadPaths([path.join(FIXTURES, "redteam", "pods", "namespace-psa-old-version.yaml")]).objects;
    assert.equal(loaded.length, 1);
    const old = structuredClone(loaded[0]!.object);
    old.metadata.name = "pss-old";
    await kubeOk(kc, "POST", "/api/v1/namespaces", old);
    const [, make] = KINDS[0]!;
    const pod = build(make, (s) => delete s.containers[0].securityContext.capabilities);
    const spec = pod["spec"] as Record<string, unknown>;
    const meta = pod.metadata as unknown as Record<string, unknown>;
    assert.ok([200, 201].includes((await admit(meta, spec, "pss-old")).status));
    assert.equal((await admit(meta, spec)).status, 403);
  });

  const [, makePod] = KINDS[0]!;
  const expectation = (c: PssCase, refused: boolean) => (refused ? (c[2] ?? "refused by Pod Security") : "admitted");
  for (const control of CONTROLS) {
    for (const [refused, list] of [
      [true, control.refused],
      [false, control.allowed],
    ] as const) {
      for (const c of list) {
        const want = expectation(c, refused);
        test(`${control.control}: ${c[0]}: ${want}`, async () => {
          const pod = build(makePod, c[1]);
          const r = await admit(
            pod.metadata as unknown as Record<string, unknown>,
            pod["spec"] as Record<string, unknown>,
          );
          if (want === "refused by Pod Security")
            assert.ok(r.status === 403 && /violates PodSecurity "restricted/.test(said(r)), said(r));
          else if (want === "invalid") assert.equal(r.status, 422, said(r));
          else assert.ok(r.status >= 200 && r.status < 300, said(r));
        });
      }
    }
  }

  for (const c of sound) {
    test(`${c.file}: admitted`, async () => {
      for (const p of c.pods) {
        const r = await admit(p.meta, p.spec);
        assert.ok(r.status >= 200 && r.status < 300, said(r));
      }
    });
  }
});
