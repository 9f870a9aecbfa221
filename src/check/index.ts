/**
 * The offline checker: the rule table over plain documents, for teams that deploy through GitOps or Helm and for
 * reviewing `agent-trust render` output. Each object is judged alone unless `stack` says the input is one whole
 * stack; the stack-config rules (the phase ceiling) need the stack's Pulumi config and run only in the pack.
 */
import { judging, type CheckOptions, type CheckResult } from "./judging";
import { streamFile, streamYaml, type Loaded } from "./load";
import { markWithoutUnknown } from "../rules/unknowns";
import { walkPaths } from "./walk";

export { checkDocuments, judging, type CheckOptions, type CheckResult, type CheckViolation, type Judging } from "./judging";

/**
 * Reads the paths (files and directories) and checks what they hold, object by object as each is read: files are
 * read in pieces and documents judged and dropped as they come, so memory does not grow with a file's size (only
 * a whole stack is held in memory, for the stack rules).
 */
export function check(paths: readonly string[], options: CheckOptions = {}): CheckResult {
  const walked = walkPaths(paths);
  const j = judging(options);
  const all: Loaded[] = [];
  const onObject = options.stack
    ? (l: Loaded, clean: boolean) => {
        if (clean) markWithoutUnknown(l.object); // the stack rules read it again
        all.push(l);
        j.add(l, clean);
      }
    : (l: Loaded, clean: boolean) => j.add(l, clean);
  const errors = [...walked.errors];
  for (const file of walked.files) errors.push(...streamFile(file, onObject));
  return { ...j.result(all), errors };
}

/** One YAML file's text, read and judged document by document on this thread. */
export function checkText(file: string, text: string, options: CheckOptions): CheckResult {
  const j = judging(options);
  const errors = streamYaml(file, text, (l, clean) => j.add(l, clean));
  return { ...j.result(), errors };
}

export const hasMandatory = (r: CheckResult) => r.violations.some((v) => v.enforcement === "mandatory");

export { loadPaths, type Loaded } from "./load";
