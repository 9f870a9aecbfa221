/**
 * The foundation's `agent-trust:approval` block: who may approve an agent's held request, how long the approval
 * proxy holds it, the proxy's image and its TLS material (src/plan/approval.ts plans the proxy from it). Optional:
 * a foundation without it plans no proxy and its agents' clients talk to the API server directly. Split from
 * schema.ts; parsed as part of it.
 */
import { z } from "zod";
import { HOLD_SECONDS, isPinnedImage, whyNotAPerson } from "../model/approval";
import { isDnsLabel } from "../model/naming";
import { unique } from "./admission-schema";

const approver = (kind: "user" | "group") =>
  z
    .string()
    .min(1)
    .max(253)
    .superRefine((v, ctx) => {
      const problem = whyNotAPerson(v, kind);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });

const objectName = (what: string) =>
  z
    .string({ error: `must name the ${what}` })
    .refine((v) => isDnsLabel(v), `must be the name of the ${what} (a DNS label) in the agents namespace`);

/** The approval proxy and its reviewers (issue 20). */
export const approval = z.strictObject({
  /** Who may decide a review: Kubernetes users and groups as the API server authenticates them. */
  approvers: z
    .strictObject({
      users: unique(approver("user"), "approvers.users").default([]),
      groups: unique(approver("group"), "approvers.groups").default([]),
    })
    .refine(
      (a) => a.users.length + a.groups.length > 0,
      "must name at least one user or group: without an approver every held request expires",
    ),
  /** How long the proxy holds a request for a decision before it records `expired` and answers 403. */
  holdSeconds: z
    .number({ error: `must be a number of seconds, ${HOLD_SECONDS.min}..${HOLD_SECONDS.max}` })
    .int(`must be a whole number of seconds`)
    .min(HOLD_SECONDS.min, `must be at least ${HOLD_SECONDS.min} seconds (a person needs time to read the request)`)
    .max(HOLD_SECONDS.max, `must be at most ${HOLD_SECONDS.max} seconds (an agent must not wait for hours)`)
    .default(HOLD_SECONDS.default),
  /** The agent-trust image that runs `agent-trust approval-proxy`. */
  image: z
    .string({ error: "must be the agent-trust image that runs `agent-trust approval-proxy`" })
    .refine(
      (v) => isPinnedImage(v),
      "must be an image reference pinned by tag or digest, e.g. registry.example.com/agent-trust:1.4.0 or …@sha256:<digest>",
    ),
  /** TLS material the platform provides (e.g. cert-manager) in the agents namespace. */
  tls: z.strictObject({
    /** A kubernetes.io/tls Secret with the proxy's serving certificate for `<proxy>.<namespace>.svc`. */
    secretName: objectName("kubernetes.io/tls Secret"),
    /** A ConfigMap whose key `ca.crt` holds the CA that signed it; the agents' pods trust exactly this. */
    caConfigMap: objectName("ConfigMap with key ca.crt"),
  }),
});
export type ApprovalConfig = z.infer<typeof approval>;
