/**
 * Writing into `--out` without trusting what is already there. The output folder may be shared or prepared by
 * someone else, so:
 * - `--out` itself must be a directory or not exist; a symbolic link or anything else is refused;
 * - missing folders are created one at a time (Node's recursive mkdir loops forever where mkdir answers ENOENT
 *   for a parent that exists, as under /proc: that was the "render spins" bug);
 * - a file is never written through: each one is written to a fresh temporary file (O_CREAT | O_EXCL |
 *   O_NOFOLLOW) in the folder and renamed over the target, so neither a symbolic link nor a hard link planted
 *   at the target can redirect the write; a target that is a symbolic link or not a regular file is refused;
 * - every file-system error becomes a RenderOutputError naming the path and the reason.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** A problem with the output folder; the CLI prints it and exits 2. */
export class RenderOutputError extends Error {}

const reason = (e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOENT: "no such file or directory (or this file system does not allow creating it)",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOTDIR: "a parent is not a directory",
    ELOOP: "a symbolic link is in the way",
    ENOSPC: "no space left on the device",
    EEXIST: "it already exists",
  };
  return err.code ? `${why[err.code] ?? err.message} (${err.code})` : String((e as Partial<Error>).message ?? e);
};

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new RenderOutputError(`cannot inspect ${p}: ${reason(e)}`);
  }
}

/** Makes sure `out` is a real directory, creating it (and missing parents, one by one) if needed. */
export function ensureOutDir(out: string): void {
  const st = lstatOrUndefined(out);
  if (st?.isSymbolicLink()) throw new RenderOutputError(`--out ${out} is a symbolic link; give the directory itself`);
  if (st && !st.isDirectory()) throw new RenderOutputError(`--out ${out} exists and is not a directory`);
  if (st) return;
  const abs = path.resolve(out);
  const parts = abs.split(path.sep).filter((p) => p !== "");
  let cur = path.parse(abs).root;
  for (const part of parts) {
    cur = path.join(cur, part);
    let existing: fs.Stats | undefined;
    try {
      existing = fs.statSync(cur); // parents above --out may be symbolic links (e.g. /tmp on some systems)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT")
        throw new RenderOutputError(`cannot inspect ${cur}: ${reason(e)}`);
    }
    if (existing) {
      if (!existing.isDirectory()) throw new RenderOutputError(`cannot create --out ${out}: ${cur} is not a directory`);
      continue;
    }
    try {
      fs.mkdirSync(cur); // never recursive: see the module comment
    } catch (e) {
      throw new RenderOutputError(`cannot create directory ${cur} for --out: ${reason(e)}`);
    }
  }
}

let counter = 0;

/** Writes `text` to `dir/name` by a fresh temporary file and a rename; refuses to replace a symbolic link. */
export function writeFileSafely(dir: string, name: string, text: string): string {
  const target = path.join(dir, name);
  const st = lstatOrUndefined(target);
  if (st?.isSymbolicLink()) throw new RenderOutputError(`refusing to replace ${target}: it is a symbolic link`);
  if (st && !st.isFile()) throw new RenderOutputError(`refusing to replace ${target}: it is not a regular file`);
  const temp = path.join(dir, `.${name}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  let fd: number | undefined;
  try {
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
    fd = fs.openSync(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
    fs.writeSync(fd, text);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    try {
      fs.unlinkSync(temp);
    } catch {
      // nothing was created
    }
    throw new RenderOutputError(`cannot write ${target}: ${reason(e)}`);
  }
  return target;
}
