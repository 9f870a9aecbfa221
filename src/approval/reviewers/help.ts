/** The help texts of `agent-trust approvals` and its subcommands (the JSON field lists they print are the contract). */
import { DEFAULT_NAMESPACE } from "./reviews";

export const COMMON_HELP = `Cluster options (as kubectl takes them):
  --kubeconfig FILE   the kubeconfig to use (default: KUBECONFIG's files merged, else ~/.kube/config)
  --context NAME      the kubeconfig context (default: its current context)
  --as USER           impersonate USER (Impersonate-User), e.g. to decide as yourself from an admin context
  --as-group GROUP    impersonate a group too (repeatable; needs --as)
  -n, --namespace NS  the agents namespace holding the reviews (default: ${DEFAULT_NAMESPACE})`;

export const APPROVALS_HELP = `Usage: agent-trust approvals <list|approve|deny|log> [options]

The requests the approval proxy holds for a person (ApprovalReview objects, agent-trust.io/v1alpha1):
  list                     the reviews waiting for a decision (--all: every review)
  approve ID [--reason T]  approve one; the proxy then carries the request out as the agent's executor
  deny ID [--reason T]     deny one; the proxy answers the agent 403 naming the review
  log                      a timeline of the reviews (and their audit events, with --audit-log FILE)

Run agent-trust approvals <subcommand> --help for details.

${COMMON_HELP}

Exit 0 when done, 1 when refused (already decided, expired, or by the API server), 2 on bad input.`;

export const LIST_HELP = `Usage: agent-trust approvals list [--all] [--format table|json] [cluster options]

The reviews waiting for a decision: no decision, no result, and spec.expiresAt still ahead. --all lists every
review. The table shows ID, agent, phase, investigation, verb, resource, namespace/name, the rule (action) that
held it, age, time left and state (pending, approved, denied, expired, or the proxy's result and HTTP code).

--format json prints a JSON array of the reviews, oldest first, each with exactly these fields: apiVersion, kind,
metadata {name, namespace, labels, creationTimestamp, resourceVersion}, spec {requester {username, agent, phase,
pod, investigation}, request {verb, apiGroup, resource, subresource, namespace, name, digest, preview}, action,
expiresAt}, decision {verdict, by, reason} and result {outcome, code, message} when set, and state.

${COMMON_HELP}`;

export const DECIDE_HELP = (
  verb: "approve" | "deny",
): string => `Usage: agent-trust approvals ${verb} ID [--reason TEXT] [cluster options]

Shows the held request (requester, rule, digest, preview; on stderr), then records decision {verdict, by, reason}
on review ID. "by" is the username the API server authenticates you as (asked with a SelfSubjectReview, so --as
counts), never a name from the kubeconfig. Refused before sending when the review is already decided, has a
result or has expired. The admission policy decides in the end: its refusal (not an approver, not your own name,
already decided) is shown as the API server wrote it. The update carries the review's resourceVersion, so a
decision made meanwhile by someone else is reported, not overwritten.

${COMMON_HELP}

Exit 0 when recorded, 1 when refused, 2 on bad input.`;

export const LOG_HELP = `Usage: agent-trust approvals log [--investigation ID] [--audit-log FILE ...] [--format table|json] [cluster options]

One timeline of the reviews, oldest first, each line: time, actor, event, detail. From the reviews: held (who
asked what, under which rule), approved/denied (who, why), and the result (the API server's answer to the
executed request, refused, expired, failed or abandoned). With --audit-log (repeatable; the API server's JSON
audit log, audit.k8s.io/v1 Event per line) the API server's record joins in: each review's create and update
requests, and the executor's impersonated request carrying the review's name in its user extras, with the HTTP
code it got. Unreadable audit lines are reported with their line number on stderr and skipped.

--investigation ID keeps the reviews of one investigation (label agent-trust.io/investigation or
spec.requester.investigation). --format json prints an array of {time, actor, event, detail, review, source}.

${COMMON_HELP}`;
