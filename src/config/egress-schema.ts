/**
 * The egress destination schema: what an agent's config may name as a destination of an egress class, either a
 * CIDR with ports or namespace (and optional pod) selectors with ports, never both and never all ports. CIDRs
 * must be canonical and may not reach a cloud metadata endpoint; selectors must select by at least one label.
 * Every error names the wrong key and the forms that are allowed. Used by the stack configuration schema.
 */
import { z } from "zod";
import { canonicalProblem, metadataReachedBy } from "../model/cidr";

export const labelMap = z.record(z.string().min(1), z.string());

const port = z.strictObject({
  port: z
    .number({ error: "must be a port number 1..65535" })
    .int("must be a port number 1..65535")
    .min(1, "must be a port number 1..65535")
    .max(65535, "must be a port number 1..65535"),
  protocol: z.enum(["TCP", "UDP"]).default("TCP"),
});
const ports = z.array(port).min(1, "every egress destination must name its ports; all-ports egress is refused");

const cidr = z
  .string({ error: "must be a CIDR string such as 203.0.113.0/24 or 2001:db8::/32" })
  .superRefine((v, ctx) => {
    const problem = canonicalProblem(v);
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem });
      return;
    }
    // A metadata service hands out node credentials: never a destination, however it is spelled.
    const hits = metadataReachedBy(v);
    if (hits.length) {
      ctx.addIssue({
        code: "custom",
        message: `"${v}" reaches ${hits.map((h) => `${h.endpoint.name} (${h.endpoint.cidr})`).join(", ")}; metadata endpoints are never a destination`,
      });
    }
  });

const selectorLabels = labelMap.refine(
  (m) => Object.keys(m).length > 0,
  "must select by at least one label; {} selects every namespace",
);

type Port = z.infer<typeof port>;
export type EgressDestination =
  | { cidr: string; ports: Port[] }
  | { namespaceSelector: Record<string, string>; podSelector?: Record<string, string>; ports: Port[] };

const CIDR_KEYS = ["cidr", "ports"];
const SELECTOR_KEYS = ["namespaceSelector", "podSelector", "ports"];
const DESTINATION_FORMS = `either {cidr, ports} or {namespaceSelector, podSelector (optional), ports}`;

/**
 * One egress destination: a CIDR or selectors, never both. Written as one object with a key check of its own
 * (rather than a union of two shapes) so every error names the wrong key and what is allowed there.
 */
export const destination = z
  .strictObject(
    { cidr: cidr.optional(), namespaceSelector: selectorLabels.optional(), podSelector: labelMap.optional(), ports },
    { error: `must be a destination: ${DESTINATION_FORMS}` },
  )
  .superRefine((d, ctx) => {
    if (d.cidr === undefined && d.namespaceSelector === undefined) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message: `names no destination; a destination is ${DESTINATION_FORMS}`,
      });
    }
    if (d.cidr !== undefined) {
      for (const k of SELECTOR_KEYS.filter((k) => !CIDR_KEYS.includes(k) && k in d)) {
        ctx.addIssue({
          code: "custom",
          path: [k],
          message: `cannot be set beside cidr; a destination is ${DESTINATION_FORMS}`,
        });
      }
    } else if (d.podSelector !== undefined && d.namespaceSelector === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["podSelector"],
        message: `needs namespaceSelector; a destination is ${DESTINATION_FORMS}`,
      });
    }
  })
  .transform((d) => d as EgressDestination);
