/**
 * Child process of test/check-stream.test.ts (run with --expose-gc): writes a YAML file of `count` Pods (each
 * padded to about `bytes` bytes) into a temporary directory, checks it as `check` does, object by object, and
 * prints JSON: the file's size, the objects and errors, and the live heap (after a full GC) sampled every 500
 * objects, as growth over the heap after the first 500.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { judging } from "../../src/check";
import { streamFile } from "../../src/check/load";

const [count, bytes] = process.argv.slice(2).map(Number) as [number, number];

function pod(i: number): string {
  const body = `---
apiVersion: v1
kind: Pod
metadata:
  name: diagnostic-shadow-inv-${i}
  namespace: ai-agents
  labels:
    agent-trust.io/agent: diagnostic
    agent-trust.io/phase: shadow
    agent-trust.io/environment: dev
  annotations:
    agent-trust.io/note: "PAD"
spec:
  serviceAccountName: diagnostic-shadow
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: agent
      image: registry.example.com/agents/diagnostic@sha256:4f0c2b7e9a1d4f0c2b7e9a1d4f0c2b7e9a1d4f0c2b7e9a1d4f0c2b7e9a1d4f0c
      args: [diagnose, "--target", "checkout"]
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
      resources:
        requests: { cpu: 100m, memory: 128Mi }
        limits: { cpu: 500m, memory: 256Mi }
`;
  return body.replace("PAD", `${i} `.padEnd(Math.max(1, bytes - body.length), "x"));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-stream-"));
const file = path.join(dir, "pods.yaml");
const fd = fs.openSync(file, "w");
for (let i = 0; i < count; i += 500) fs.writeSync(fd, Array.from({ length: Math.min(500, count - i) }, (_, k) => pod(i + k)).join(""));
fs.closeSync(fd);
const size = fs.statSync(file).size;

const gc = (globalThis as { gc?: () => void }).gc!;
const j = judging();
let n = 0;
let base = 0;
let peak = 0;
const errors = streamFile(file, (l, clean) => {
  j.add(l, clean);
  if (++n % 500 !== 0) return;
  gc();
  const used = process.memoryUsage().heapUsed;
  if (n === 500) base = used;
  else peak = Math.max(peak, used - base);
});
const r = j.result();
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ size, checked: r.checked, errors, violations: r.violations.length, peakGrowth: peak }) + "\n");
