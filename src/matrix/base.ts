/**
 * Every stack's matrix at a git revision, computed by THAT revision's code from THAT revision's stack files:
 * `git archive <ref>` is unpacked into a temporary directory and its own `agent-trust matrix --all --format json`
 * runs there (with this checkout's node_modules). So a pull request that changes the catalog or a planner shows
 * the rights it changes, not only the ones a stack file changes. A base revision older than the matrix command
 * is computed with the current code from its stack files instead, and the result says so.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listStacks } from "../config/stacks";
import { stackMatrix } from "./delta";
import { MATRIX_SCHEMA, MatrixError, type StackMatrix } from "./matrix";

export interface BaseMatrices {
  readonly matrices: Record<string, StackMatrix>;
  /** Set when the base could not be computed with its own code. */
  readonly note?: string;
  readonly commit: string;
}

function git(root: string, args: string[]): string {
  return execFileSync("git", args, {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** Resolves a revision to a commit; refuses anything that is not one (and anything git could read as an option). */
export function resolveCommit(root: string, ref: string): string {
  if (ref === "" || ref.startsWith("-")) throw new MatrixError(`--base: "${ref}" is not a git revision`);
  try {
    return git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]).trim();
  } catch {
    throw new MatrixError(`--base: "${ref}" is not a commit in ${root} (fetch it first, e.g. git fetch origin ${ref})`);
  }
}

function ownMatrices(dir: string): Record<string, StackMatrix> | undefined {
  if (!fs.existsSync(path.join(dir, "src/matrix/cli.ts")) || !fs.existsSync(path.join(dir, "bin/agent-trust.js")))
    return undefined;
  const out = execFileSync(
    process.execPath,
    [path.join(dir, "bin/agent-trust.js"), "matrix", "--all", "--format", "json"],
    {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const doc = JSON.parse(out) as { schema?: string; stacks?: Record<string, StackMatrix> };
  return doc.schema === MATRIX_SCHEMA && doc.stacks ? doc.stacks : undefined;
}

export function matricesAt(root: string, ref: string): BaseMatrices {
  const commit = resolveCommit(root, ref);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-base-"));
  try {
    const tar = path.join(dir, "base.tar");
    git(root, ["archive", "--format=tar", "-o", tar, commit]);
    const tree = path.join(dir, "tree");
    fs.mkdirSync(tree);
    execFileSync("tar", ["-xf", tar, "-C", tree], { stdio: "ignore" });
    const modules = path.join(root, "node_modules");
    if (fs.existsSync(modules)) fs.symlinkSync(modules, path.join(tree, "node_modules"), "dir");
    let own: Record<string, StackMatrix> | undefined;
    let failure = "it has no matrix command";
    try {
      own = ownMatrices(tree);
    } catch (e) {
      failure = `its own matrix command failed (${((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split("\n")[0]})`;
    }
    if (own) return { matrices: own, commit };
    if (!fs.existsSync(path.join(tree, "Pulumi.yaml")))
      throw new MatrixError(`--base ${ref}: that revision has no Pulumi.yaml`);
    const matrices: Record<string, StackMatrix> = {};
    const unreadable: string[] = [];
    for (const stack of listStacks(tree)) {
      try {
        matrices[stack] = stackMatrix(stack, tree);
      } catch (e) {
        unreadable.push(`${stack} (${(e as Error).message.split("\n").slice(0, 2).join(" ")})`);
      }
    }
    const skipped = unreadable.length
      ? `; unreadable at the base, so shown as wholly added: ${unreadable.join("; ")}`
      : "";
    return {
      matrices,
      commit,
      note: `${ref} (${commit.slice(0, 12)}) computed with the current code from its stack files: ${failure}${skipped}`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
