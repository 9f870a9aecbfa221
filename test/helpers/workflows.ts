/** The workflows as parsed YAML, and the pinned actions they use: shared by the workflow tests and the rehearsal. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { projectRoot } from "../../src/config/stacks";

export const ROOT = projectRoot();
export const DIR = path.join(ROOT, ".github/workflows");

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
export interface Job {
  needs?: string | string[];
  env?: Record<string, unknown>;
  "timeout-minutes"?: number;
  permissions?: Record<string, string>;
  if?: string;
  environment?: string;
  strategy?: { "max-parallel"?: number; "fail-fast"?: boolean; matrix?: { stack?: unknown } };
  outputs?: Record<string, string>;
  steps: Step[];
}
export interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

export const loadWorkflow = (name: string) => parse(fs.readFileSync(path.join(DIR, name), "utf8")) as Workflow;
export const WORKFLOWS = Object.fromEntries(fs.readdirSync(DIR).map((f) => [f, loadWorkflow(f)]));
export const needsOf = (j: Job) => (j.needs === undefined ? [] : Array.isArray(j.needs) ? j.needs : [j.needs]);
/** The Pulumi action, pinned to the commit of its release v7.0.0 (the version is in the comment beside it). */
export const PULUMI_ACTION = "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d";
/** The OIDC actions, pinned to the commits of their releases (read from the actions' own repositories' tags). */
export const PULUMI_AUTH = "pulumi/auth-actions@141415910c3beb54e03b48e9057c204c97b956f2"; // v2.1.0
export const VAULT_ACTION = "hashicorp/vault-action@4c06c5ccf5c0761b6029f56cfb1dcf5565918a3b"; // v3.4.0
export const pulumiSteps = (w: Workflow) =>
  Object.values(w.jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith("pulumi/actions")));
