/** Types of eslint-rules/layers.mjs for the tests that read its table. */
import type { Rule } from "eslint";
export function roomOf(file: string, root: string): string | undefined;
export function allowed(from: string, to: string | undefined): boolean;
declare const rule: Rule.RuleModule;
export default rule;
