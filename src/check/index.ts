/**
 * The offline checker: the rule table over plain documents, for teams that deploy through GitOps or Helm and for
 * reviewing `agent-trust render` output. Each object is judged alone unless `stack` says the input is one whole
 * stack; the stack-config rules (the phase ceiling) need the stack's Pulumi config and run only in the pack.
 */
import * as fs from "node:fs";
import { judging, type CheckOptions, type CheckResult } from "./judging";
import { streamFile, streamYaml, type Loaded } from "./load";
import { markWithoutUnknown } from "../rules/unknowns";
import { decodeText, walkPaths } from "./walk";

export {
  checkDocuments,
  judging,
  type CheckOptions,
  type CheckResult,
  type CheckViolation,
  type Judging,
} from "./judging";

/** The PATH that means standard input, and the name its documents are reported under. */
export const STDIN = "-";
export const STDIN_NAME = "<stdin>";

/** Standard input's bytes; a non-blocking pipe (EAGAIN) is read through /dev/stdin instead. */
export function readStdin(): Buffer {
  try {
    return fs.readFileSync(0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EAGAIN") return fs.readFileSync("/dev/stdin");
    throw e;
  }
}

/** Standard input as text (YAML or JSON, as a file would be read), or why it cannot be read. */
function stdinText(stdin: () => Buffer): { text: string } | { error: string } {
  try {
    return { text: decodeText(stdin()) };
  } catch (e) {
    return { error: `${STDIN_NAME}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
}

/**
 * Reads the paths (files and directories; `-` is standard input, read once) and checks what they hold, object by
 * object as each is read: files are read in pieces and documents judged and dropped as they come, so memory does
 * not grow with a file's size (only a whole stack is held in memory, for the stack rules).
 */
export function check(
  paths: readonly string[],
  options: CheckOptions = {},
  stdin: () => Buffer = readStdin,
): CheckResult {
  const files = paths.filter((p) => p !== STDIN);
  const input = files.length === paths.length ? undefined : stdinText(stdin);
  const walked = files.length > 0 ? walkPaths(files) : { files: [], errors: [] };
  const j = judging(options);
  const all: Loaded[] = [];
  const onObject = options.stack
    ? (l: Loaded, clean: boolean) => {
        if (clean) markWithoutUnknown(l.object); // the stack rules read it again
        all.push(l);
        j.add(l, clean);
      }
    : (l: Loaded, clean: boolean) => {
        j.add(l, clean);
      };
  const errors = [...walked.errors];
  // One push per error, never a spread: a file of 200,000 unreadable documents would overflow the stack.
  for (const file of walked.files) for (const e of streamFile(file, onObject)) errors.push(e);
  if (input) {
    if ("text" in input) for (const e of streamYaml(STDIN_NAME, input.text, onObject)) errors.push(e);
    else errors.push(input.error);
  }
  return { ...j.result(all), errors };
}

/** One YAML file's text, read and judged document by document on this thread. */
export function checkText(file: string, text: string, options: CheckOptions): CheckResult {
  const j = judging(options);
  const errors = streamYaml(file, text, (l, clean) => {
    j.add(l, clean);
  });
  return { ...j.result(), errors };
}

export const hasMandatory = (r: CheckResult) => r.violations.some((v) => v.enforcement === "mandatory");

export { loadPaths, type Loaded } from "./load";
