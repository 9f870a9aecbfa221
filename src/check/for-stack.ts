/**
 * `agent-trust check --for-stack STACK`: the judging options of one stack, read from its own file
 * (`stacks/Pulumi.<STACK>.yaml`, and its foundation's for the namespace and KV mount), never from the judged
 * files: its phase (a foundation: none, so the strictest), environment and layer, with the stack-level rules on.
 */
import { loadFoundationFor, loadStackConfig, projectRoot } from "../config/stacks";
import type { CheckOptions } from "./judging";

export class ForStackError extends Error {}

export function forStackOptions(stack: string, given: CheckOptions, root = projectRoot()): CheckOptions {
  const config = loadStackConfig(stack, root);
  const foundation = loadFoundationFor(config, root);
  const own = { namespace: foundation.namespace, kvMount: foundation.kvMount };
  for (const [key, flag] of [
    ["namespace", "--namespace"],
    ["kvMount", "--kv-mount"],
  ] as const) {
    const value = given.settings?.[key];
    if (value !== undefined && value !== own[key]) {
      throw new ForStackError(
        `${flag} ${value} contradicts stack "${stack}", whose ${key === "namespace" ? "agents namespace" : "KV mount"} is ${own[key]}`,
      );
    }
  }
  return {
    ...given,
    ...(config.layer === "phase" ? { phase: config.phase, approvalProxy: foundation.approvalProxy !== undefined } : {}),
    env: config.environment,
    layer: config.layer,
    stack: true,
    trustLabels: false,
    settings: { ...given.settings, ...own },
  };
}
