/** The worker thread's side of `parallel.ts`: read and judge the documents it was given. */
import { checkChunks, type WorkerAnswer, type WorkerJob } from "./parallel";

export function runJob(job: WorkerJob): WorkerAnswer {
  const result = checkChunks(job.file, job.chunks, job.first, job.clean, job.options);
  return result ? { result } : { fallback: "a document marker does not start exactly one document" };
}
