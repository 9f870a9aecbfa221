/**
 * A stand-in for the pulumi-vault resource provider, for the sandbox's engine only, used when no real
 * `pulumi-resource-vault` is installed (the Go module proxy does not serve it, so CI cannot build it). The engine
 * loads it as plugin `resource-vault` v7.8.0, the version @pulumi/vault asks for, so the program registers its real
 * Vault resources, the engine plans and diffs them, and the policy pack judges them with everything else. It applies
 * each resource to the sandbox's OpenBao with the same HTTP calls as the sandbox's own client (both from the
 * Vault-kind table, `src/model/vault-kinds.ts`), reading VAULT_ADDR and VAULT_TOKEN from its environment. It knows exactly the
 * five resource types the program creates and refuses any other. Never for real deployments: there, `pulumi` installs
 * the real provider.
 */
import { main, type Provider } from "@pulumi/pulumi/provider";
import { isDeepStrictEqual } from "node:util";
import { vaultCall, vaultInputsToSpec, vaultKindOfPulumiType, type VaultKind } from "../model/vault-kinds";
import { VaultHttp } from "../sandbox/servers/vault-http";

type Spec = Record<string, unknown>;

/** The value Pulumi wraps secrets in on the wire (acceptSecrets), unwrapped: the stand-in needs the plain value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

export function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== "object" || value === null) return value;
  const o = value as Record<string, unknown>;
  if (o[SECRET_SIG] === "1b47061264138c4ac30d75fd1eb44270") return unwrapSecrets(o.value);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, unwrapSecrets(v)]));
}

/** The type token of a URN (`urn:pulumi:stack::project::parent$type::name`). */
export function typeOfUrn(urn: string): string {
  const parts = urn.split("::");
  const types = parts[parts.length - 2] ?? "";
  return types.slice(types.lastIndexOf("$") + 1);
}

function kindOf(urn: string): VaultKind {
  const kind = vaultKindOfPulumiType(typeOfUrn(urn));
  if (!kind) throw new Error(`the sandbox's Vault stand-in does not implement ${typeOfUrn(urn)}`);
  return kind;
}

function client(): VaultHttp {
  const addr = process.env.VAULT_ADDR;
  const token = process.env.VAULT_TOKEN;
  if (!addr || !token) throw new Error("the sandbox's Vault stand-in needs VAULT_ADDR and VAULT_TOKEN");
  return new VaultHttp(addr, token);
}

function specOf(urn: string, inputs: unknown): { kind: VaultKind; spec: Spec } {
  const kind = kindOf(urn);
  const plain = unwrapSecrets(inputs) as Record<string, unknown>;
  const spec = vaultInputsToSpec(kind, plain);
  // The reviewer JWT is a secret input no rendered document carries; Vault needs it to call TokenReview.
  if (kind === "VaultKubernetesAuthConfig" && typeof plain.tokenReviewerJwt === "string")
    spec.token_reviewer_jwt = plain.tokenReviewerJwt;
  return { kind, spec };
}

async function write(urn: string, inputs: unknown): Promise<string> {
  const { kind, spec } = specOf(urn, inputs);
  const call = vaultCall(kind, spec);
  await client().ok(call.method, call.path, call.body);
  return call.path;
}

export const standIn: Provider = {
  version: "7.8.0",
  // eslint-disable-next-line @typescript-eslint/require-await -- the Provider interface is async; a throw must stay a rejection
  check: async (urn, _olds, news) => {
    kindOf(urn);
    return { inputs: news as unknown };
  },
  // eslint-disable-next-line @typescript-eslint/require-await -- the Provider interface is async; a throw must stay a rejection
  diff: async (_id, urn, olds, news) => {
    const [a, b] = [specOf(urn, olds), specOf(urn, news)];
    const changes = !isDeepStrictEqual(unwrapSecrets(olds), unwrapSecrets(news));
    // A resource that moves to another path is a new resource: replace it.
    const moved = vaultCall(a.kind, a.spec).path !== vaultCall(b.kind, b.spec).path;
    return { changes, ...(moved ? { replaces: ["path"], deleteBeforeReplace: true } : {}) };
  },
  create: async (urn, inputs) => ({ id: await write(urn, inputs), outs: inputs as unknown }),
  update: async (_id, urn, _olds, news) => {
    await write(urn, news);
    return { outs: news as unknown };
  },
  // eslint-disable-next-line @typescript-eslint/require-await -- the Provider interface is async; a throw must stay a rejection
  read: async (id, _urn, props) => ({ id, props: props as unknown }),
  delete: async (_id, urn, props) => {
    const { kind, spec } = specOf(urn, props);
    const at = vaultCall(kind, spec).deletePath;
    if (at) await client().ok("DELETE", at);
  },
};

if (require.main === module) {
  void main(standIn, process.argv.slice(2));
}
