/**
 * The pack cannot be switched off quietly. Pulumi lets policy config (`--policy-pack-config`, or the "all" key)
 * set any policy's enforcementLevel, and @pulumi/policy then never runs a "disabled" policy at all: no rule code
 * is reached, so no rule can object. The engine delivers that config in one Configure call before any resource
 * is analysed; this module checks it there and fails the call, so the engine stops with an error naming each
 * policy before anything is judged or deployed:
 * - a security rule may only be mandatory (or remediate, which @pulumi/policy runs as mandatory);
 * - a hygiene rule may also be advisory (its own `advisoryInEnvironments` is the usual way), never disabled;
 * - a policy name the pack does not have is an error too (a typo would otherwise configure nothing).
 */
import { EnforcementLevel } from "@pulumi/pulumi/proto/analyzer_pb";
import { RULES } from "../src/rules";

/** Enforcement level names by the analyzer protocol's numbers, read from the protocol module itself. */
export const PROTO_LEVELS: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(EnforcementLevel).map(([name, n]) => [n, name.toLowerCase()]),
);

/** Why a policy config cannot be accepted: one message per offending policy; empty when it is acceptable. */
export function lockedConfigErrors(levels: ReadonlyMap<string, string>): string[] {
  const errors: string[] = [];
  for (const [name, level] of levels) {
    const rule = RULES.find((r) => r.name === name);
    if (!rule) {
      if (name === "all" && (level === "mandatory" || level === "remediate")) continue;
      errors.push(
        name === "all"
          ? `policy config "all": enforcementLevel "${level}" would lower every rule; agent-trust rules are mandatory`
          : `policy config names "${name}", which is not a policy of the agent-trust pack`,
      );
      continue;
    }
    const allowed = rule.security ? ["mandatory", "remediate"] : ["mandatory", "remediate", "advisory"];
    if (!allowed.includes(level)) {
      errors.push(
        `policy config sets "${name}" to enforcementLevel "${level}"; ${rule.security ? "a security rule" : "a hygiene rule"} ` +
          `may only be ${allowed.join(" or ")}${rule.security ? "" : " (use advisoryInEnvironments)"}`,
      );
    }
  }
  return errors;
}

/** The part of the protocol's ConfigureAnalyzerRequest this module reads. */
interface ConfigureRequestProto {
  getPolicyconfigMap(noLazyCreate?: boolean): { entries(): Iterable<[string, { getEnforcementlevel(): number }]> };
}

interface ConfigureRequestClass {
  prototype: ConfigureRequestProto;
  deserializeBinaryFromReader(msg: ConfigureRequestProto, reader: unknown): ConfigureRequestProto;
}

/** Inside the protocol decoder: the map is still being filled, and a throw there would lose our message. */
let decoding = 0;

/**
 * Makes every Configure request that @pulumi/policy's server decodes check itself first: the server reads the
 * policy config through `getPolicyconfigMap()` inside a try block and turns a throw into a gRPC error, which the
 * engine reports and stops on. The protocol decoder calls the same getter once per map entry while it fills the
 * map; there the check is skipped (a throw would reach the engine as "Error deserializing request", without our
 * message), and the whole map is checked when the server reads it. Installed once, by `index.ts`.
 */
export function lockPolicyConfig(requestClass: ConfigureRequestClass): void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with .call(this)
  const original = requestClass.prototype.getPolicyconfigMap;
  if ((original as { locked?: boolean }).locked) return;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to be called with .call(this)
  const decode = requestClass.deserializeBinaryFromReader;
  requestClass.deserializeBinaryFromReader = function (this: unknown, msg, reader) {
    decoding++;
    try {
      return decode.call(this, msg, reader);
    } finally {
      decoding--;
    }
  };
  const locked = function (this: ConfigureRequestProto, noLazyCreate?: boolean) {
    const map = original.call(this, noLazyCreate);
    if (decoding > 0) return map;
    const levels = new Map<string, string>();
    for (const [name, cfg] of map.entries())
      levels.set(name, PROTO_LEVELS[cfg.getEnforcementlevel()] ?? `unknown (${cfg.getEnforcementlevel()})`);
    const errors = lockedConfigErrors(levels);
    if (errors.length > 0) {
      const refused = new Error(`agent-trust policy pack: refusing this policy config:\n  ${errors.join("\n  ")}`);
      // @pulumi/policy sends the stack of the error to the engine: the message alone is what the user needs.
      refused.stack = refused.message;
      throw refused;
    }
    return map;
  };
  (locked as { locked?: boolean }).locked = true;
  requestClass.prototype.getPolicyconfigMap = locked;
}
