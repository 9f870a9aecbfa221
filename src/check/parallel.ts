/**
 * Using the second core for one large YAML file: its documents are split in two halves at `---` lines; a worker
 * thread reads and judges the second half while this thread does the first, and the two results are joined in
 * document order. Synchronous for the caller (the worker's answer is awaited with Atomics.wait), so `check()`
 * stays a plain function. Used only where it pays (a large file, no stack rules), and only when every document
 * marker starts exactly one document, so that both halves number documents as the whole file would; otherwise,
 * or if the worker fails in any way, the file is checked on this thread alone. Either way the result is the same.
 */
import * as path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { judging, type CheckOptions, type CheckResult } from "./judging";
import { loadDocument, mayHoldUnknown, type LoadResult } from "./load";
import { splitDocuments, readChunk, type Chunk } from "./yaml-fast";

/**
 * Below this a worker costs more than it saves: it loads the rules and warms them up again, and on the 2-vCPU
 * machines measured the two threads slow each other down (two halves at once take 1.6x one half alone). Measured
 * with `npm run bench`: at 8 MB (20,000 objects) two threads were about 10% slower than one; at 40 MB about 2%
 * faster. `AGENT_TRUST_CHECK_THREADS=1` turns threads off.
 */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

/** What the worker is asked to do: judge these documents of `file` with `options`. */
export interface WorkerJob {
  readonly file: string;
  readonly chunks: readonly Chunk[];
  /** 0-based index of the first chunk: document numbers are index + 1. */
  readonly first: number;
  /** The file's text cannot hold the UNKNOWN sentinel (`mayHoldUnknown`). */
  readonly clean: boolean;
  readonly options: CheckOptions;
}

export type WorkerAnswer = { readonly result: CheckResult } | { readonly fallback: string };

/**
 * Reads and judges chunks as documents `first + 1`…, each object as soon as it is read; undefined when a chunk is
 * not exactly one document (numbering would then differ from the whole file's).
 */
export function checkChunks(file: string, chunks: readonly Chunk[], first: number, clean: boolean, options: CheckOptions): CheckResult | undefined {
  const j = judging(options);
  const into: LoadResult = { objects: [], errors: [] };
  for (let i = 0; i < chunks.length; i++) {
    const docs = readChunk(chunks[i]!);
    if (docs.length !== 1) return undefined;
    loadDocument(file, docs[0]!, first + i + 1, into);
    for (const l of into.objects) j.add(l, clean);
    into.objects.length = 0;
  }
  return { ...j.result(), errors: into.errors };
}

/** Starts a worker on `job`; the returned function waits for its answer (undefined: it failed). */
function startWorker(job: WorkerJob): () => WorkerAnswer | undefined {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const fromSource = __filename.endsWith(".ts");
  const entry = path.join(__dirname, fromSource ? "worker.ts" : "worker.js");
  const code = `
    const { workerData } = require("node:worker_threads");
    try {
      ${fromSource ? `require(${JSON.stringify(require.resolve("tsx/cjs"))});` : ""}
      workerData.port.postMessage(require(${JSON.stringify(entry)}).runJob(workerData.job));
    } catch (e) {
      workerData.port.postMessage({ fallback: String(e && e.stack || e) });
    } finally {
      Atomics.store(workerData.signal, 0, 1);
      Atomics.notify(workerData.signal, 0);
    }`;
  let worker: Worker;
  try {
    worker = new Worker(code, { eval: true, workerData: { job, port: port2, signal }, transferList: [port2] });
  } catch {
    return () => undefined;
  }
  worker.unref();
  return () => {
    // Ten minutes is far beyond any input this path takes; a worker that never answers must not hang the check.
    const waited = Atomics.wait(signal, 0, 0, 600_000);
    const message = waited === "timed-out" ? undefined : (receiveMessageOnPort(port1)?.message as WorkerAnswer | undefined);
    void worker.terminate();
    port1.close();
    return message;
  };
}

/** Joins the results of consecutive halves of one file. */
function join(a: CheckResult, b: CheckResult): CheckResult {
  const passedOver = new Map(Object.entries(a.passedOver));
  for (const [k, n] of Object.entries(b.passedOver)) passedOver.set(k, (passedOver.get(k) ?? 0) + n);
  return {
    violations: [...a.violations, ...b.violations],
    passedOver: Object.fromEntries(passedOver),
    errors: [...a.errors, ...b.errors],
    checked: a.checked + b.checked,
  };
}

/** Checks one YAML file's text on two threads; undefined when it cannot be split that way (check it on one). */
export function checkFileInParallel(file: string, text: string, options: CheckOptions, minBytes = PARALLEL_MIN_BYTES): CheckResult | undefined {
  if (text.length < minBytes || options.stack || /^\s*[{\uFEFF]/.test(text)) return undefined;
  if (process.env["AGENT_TRUST_CHECK_THREADS"] === "1") return undefined;
  const chunks = splitDocuments(text);
  if (chunks.length < 2) return undefined;
  // Halves of about equal size, so both threads finish together.
  let half = 0;
  for (let bytes = 0; half < chunks.length - 1 && bytes < text.length / 2; half++) bytes += chunks[half]!.text.length;
  const clean = !mayHoldUnknown(text);
  const wait = startWorker({ file, chunks: chunks.slice(half), first: half, clean, options });
  const mine = checkChunks(file, chunks.slice(0, half), 0, clean, options);
  const theirs = wait();
  if (!mine || !theirs || "fallback" in theirs) return undefined;
  return join(mine, theirs.result);
}
