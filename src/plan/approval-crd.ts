/**
 * The CustomResourceDefinition of ApprovalReview (`approvalreviews.agent-trust.io`): one held request of an agent,
 * the decision on it and what came of it, with a structural schema that mirrors the TypeScript shape in
 * src/model/approval.ts (enums from its lists, bounded strings, required fields). Pure.
 */
import {
  APPROVABLE_ACTION_IDS,
  REVIEW_API,
  REVIEW_OUTCOMES,
  REVIEW_VERDICTS,
  type ReviewDecision,
  type ReviewRequest,
  type ReviewRequester,
  type ReviewResult,
  type ReviewSpec,
} from "../model/approval";
import type { Manifest } from "../model/manifest";

type Schema = Record<string, unknown>;

const str = (maxLength: number, extra: Schema = {}): Schema => ({ type: "string", maxLength, ...extra });
const NAME = str(253);
const enumOf = (values: readonly string[]): Schema => ({ type: "string", enum: [...values] });

/** An object schema whose properties are exactly the keys of `T`; `required` names the ones `T` requires. */
function object<T>(properties: Record<keyof T & string, Schema>, required: readonly (keyof T & string)[]): Schema {
  return { type: "object", required: [...required], properties };
}

const requester = object<ReviewRequester>(
  { username: NAME, agent: str(63), phase: str(63), pod: NAME, investigation: str(63) },
  ["username", "agent", "phase", "pod", "investigation"],
);

const request = object<ReviewRequest>(
  {
    verb: str(32),
    apiGroup: NAME,
    resource: NAME,
    subresource: str(63),
    namespace: str(63),
    name: NAME,
    digest: str(71, { pattern: "^sha256:[0-9a-f]{64}$" }),
    preview: str(4096),
  },
  ["verb", "apiGroup", "resource", "subresource", "namespace", "name", "digest", "preview"],
);

const spec = object<ReviewSpec>(
  { requester, request, action: enumOf(APPROVABLE_ACTION_IDS), expiresAt: str(64, { format: "date-time" }) },
  ["requester", "request", "action", "expiresAt"],
);

const decision = object<ReviewDecision>({ verdict: enumOf(REVIEW_VERDICTS), by: NAME, reason: str(1024) }, [
  "verdict",
  "by",
]);

const result = object<ReviewResult>(
  { outcome: enumOf(REVIEW_OUTCOMES), code: { type: "integer", minimum: 100, maximum: 599 }, message: str(1024) },
  ["outcome"],
);

/** `approvalreviews.agent-trust.io`: namespaced, v1alpha1 served and stored, no status subresource. */
export function planReviewCrd(labels: Record<string, string>): Manifest {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${REVIEW_API.plural}.${REVIEW_API.group}`, labels },
    spec: {
      group: REVIEW_API.group,
      scope: "Namespaced",
      names: {
        kind: REVIEW_API.kind,
        listKind: REVIEW_API.listKind,
        plural: REVIEW_API.plural,
        singular: REVIEW_API.singular,
      },
      versions: [
        {
          name: REVIEW_API.version,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              required: ["spec"],
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec,
                decision,
                result,
              },
            },
          },
          additionalPrinterColumns: [
            { name: "Agent", type: "string", jsonPath: ".spec.requester.agent" },
            { name: "Action", type: "string", jsonPath: ".spec.action" },
            { name: "Verdict", type: "string", jsonPath: ".decision.verdict" },
            { name: "Outcome", type: "string", jsonPath: ".result.outcome" },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
        },
      ],
    },
  };
}
