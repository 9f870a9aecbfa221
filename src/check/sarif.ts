/**
 * `agent-trust check --format sarif`: the checker's result as a SARIF 2.1.0 log, for GitHub code scanning
 * (github/codeql-action/upload-sarif) so violations show on the changed lines. Each result points where
 * `locate.ts` says (a rendered document: the stack file's line of its agent, with the rendered document as a
 * related location). Every rule of the table is listed with a `security-severity` (security rules high,
 * hygiene low), tags, and a `helpUri` to its section of docs/rules.md; the driver carries the tool's version.
 */
import * as path from "node:path";
import { RULES } from "../rules";
import type { Domain } from "../rules/types";
import type { CheckResult } from "./judging";
import { locator, uriOf } from "./locate";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** GitHub's scale: 7.0–8.9 is "high", 0.1–3.9 "low". */
export const SECURITY_SEVERITY = { security: "8.0", hygiene: "3.0" } as const;

/**
 * The anchor of each domain's section in docs/rules.md, as GitHub slugs its `## <title>` heading (a test holds
 * every anchor to a heading of the generated file).
 */
export const RULES_DOC_ANCHORS: Readonly<Record<Domain, string>> = {
  rbac: "rbac",
  cluster: "cluster-objects",
  pods: "identity-and-pods",
  network: "network",
  vault: "vault",
  stack: "stack-level",
  admission: "admission-inside-the-api-server",
};

/**
 * Where docs/rules.md is read: in GitHub Actions the file at the checked-out commit on the repository's web
 * pages; elsewhere this package's own copy as a file URI. Both are absolute, as SARIF asks of `helpUri`.
 */
export function rulesDocUri(env: NodeJS.ProcessEnv, packageRoot: string): string {
  const server = env.GITHUB_SERVER_URL;
  const repo = env.GITHUB_REPOSITORY;
  // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- an empty GITHUB_SHA means no commit too
  if (server && repo) return `${server}/${repo}/blob/${env.GITHUB_SHA || "HEAD"}/docs/rules.md`;
  return pathToFileUri(path.join(packageRoot, "docs", "rules.md"));
}

export interface SarifOptions {
  /** The paths the check was given: a finding without an object points at the first one. */
  readonly paths: readonly string[];
  /** URIs are relative to this directory (the repository root in CI); default the working directory. */
  readonly base?: string;
  readonly toolVersion?: string;
  /** Absolute URI of docs/rules.md; each rule's helpUri is its section there. */
  readonly rulesDoc?: string;
}

type Level = "error" | "warning";

export function toSarif(result: CheckResult, options: SarifOptions): object {
  const base = options.base ?? process.cwd();
  const ruleIndex = new Map(RULES.map((r, i) => [r.name, i]));
  const locate = locator(options.paths, base);
  const location = (file: string, startLine: number) => ({
    physicalLocation: { artifactLocation: { uri: uriOf(file, base), uriBaseId: "%SRCROOT%" }, region: { startLine } },
  });
  const results = result.violations.map((v) => {
    const at = locate(v);
    const level: Level = v.enforcement === "mandatory" ? "error" : "warning";
    return {
      ruleId: v.policy,
      ...(ruleIndex.has(v.policy) ? { ruleIndex: ruleIndex.get(v.policy) } : {}),
      level,
      message: { text: `${v.resource}: ${v.message}` },
      locations: [location(at.file, at.line)],
      ...(at.rendered
        ? {
            relatedLocations: [
              { id: 0, ...location(at.rendered.file, at.rendered.line), message: { text: "the rendered object" } },
            ],
          }
        : {}),
      properties: { enforcement: v.enforcement, remediation: v.remediation },
    };
  });
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "agent-trust",
            ...(options.toolVersion ? { version: options.toolVersion, semanticVersion: options.toolVersion } : {}),
            ...(options.rulesDoc ? { informationUri: options.rulesDoc } : {}),
            rules: RULES.map((r) => ({
              id: r.name,
              name: r.name,
              shortDescription: { text: r.description },
              help: { text: r.remediationSteps },
              ...(options.rulesDoc ? { helpUri: `${options.rulesDoc}#${RULES_DOC_ANCHORS[r.domain]}` } : {}),
              defaultConfiguration: { level: r.security ? "error" : "warning" },
              properties: {
                domain: r.domain,
                security: r.security,
                scope: r.scope,
                "security-severity": r.security ? SECURITY_SEVERITY.security : SECURITY_SEVERITY.hygiene,
                tags: r.security ? ["security", r.domain] : ["maintainability", r.domain],
              },
            })),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: `${pathToFileUri(base)}/` } },
        invocations: [
          {
            executionSuccessful: result.errors.length === 0,
            toolExecutionNotifications: result.errors.map((e) => ({ level: "error", message: { text: e } })),
          },
        ],
        results,
      },
    ],
  };
}

function pathToFileUri(p: string): string {
  const abs = path.resolve(p).split(path.sep).join("/");
  return `file://${abs.startsWith("/") ? "" : "/"}${encodeURI(abs)}`.replace(/\/$/, "");
}
