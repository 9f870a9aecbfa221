/** The worker thread's side of `parallel.ts`: read and judge the documents it was given. */
import { checkDocuments } from "./index";
import { loadChunks, type WorkerAnswer, type WorkerJob } from "./parallel";

export function runJob(job: WorkerJob): WorkerAnswer {
  const loaded = loadChunks(job.file, job.chunks, job.first, job.clean);
  if (!loaded) return { fallback: "a document marker does not start exactly one document" };
  return { result: { ...checkDocuments(loaded.objects, job.options), errors: loaded.errors } };
}
