/** `agent-trust render <stack> --out <dir>`. */
import { ConfigError } from "../config/parse";
import { PlanError } from "../plan/phase";
import { RenderOutputError, renderedStream, renderStack, writeRendered } from "../render";
import { parseCommandArgs } from "./args";
import type { Io } from "./io";

export const RENDER_HELP = `Usage: agent-trust render <stack> --out <dir>|-

Writes the desired state of one stack (for example dev, dev-shadow, prod-assist) as multi-document YAML:
  <dir>/kubernetes.yaml  the Kubernetes objects the stack would create
  <dir>/vault.yaml       its Vault objects, as agent-trust.io/v1 VaultPolicy (spec.policy: the HCL text),
                         VaultKubernetesAuthRole (spec: Vault's auth/<mount>/role/<name> fields) and, for a
                         foundation, VaultAuthBackend, VaultKubernetesAuthConfig and VaultMount documents
  <dir>/audit-policy.yaml for a foundation: the API server audit policy (kube-apiserver --audit-policy-file)

A foundation's kubernetes.yaml also holds the runtime backstop: one ValidatingAdmissionPolicy and binding per
admission rule (cluster-scoped, named agent-trust-<env>-<rule>) and their parameter ConfigMap.

It reads stacks/Pulumi.<stack>.yaml (and the environment's foundation stack file) directly: no Pulumi CLI, no
cluster, no Vault. The output is byte-for-byte deterministic, so it can be committed and diffed in review.
A phase above its environment's ceiling is rendered too, with a warning on stderr, because reviewers need to
see what a promotion would grant; only deploying it is refused.

--out - writes the same documents to stdout as one YAML stream (kubernetes.yaml, then vault.yaml, then a
foundation's audit policy, each part under a comment naming its file), e.g. to pipe into agent-trust check -.

<dir> must be a directory or not exist (missing folders are created); a symbolic link or a file there is
refused. Each file is written to a new temporary file in <dir> and renamed into place, so a symbolic or hard
link planted at kubernetes.yaml, vault.yaml or audit-policy.yaml is never written through; a symbolic link
there is refused.

Exit codes: 0 rendered, 2 bad arguments, unknown stack, invalid config (the message names the key) or an
output folder that cannot be written (the message names the path and the reason).`;

export function runRender(args: string[], io: Io): number {
  const parsed = parseCommandArgs(args, { out: { type: "string", needs: "a directory" } }, "render");
  if (typeof parsed === "string") return io.fail(parsed);
  if (parsed.values.help) {
    io.out(RENDER_HELP);
    return 0;
  }
  const [stack, extra] = parsed.positionals;
  const out = parsed.values.out;
  if (extra !== undefined) return io.fail(`unexpected argument ${extra}; render takes one stack`);
  if (!stack) return io.fail("render needs a stack name, e.g. agent-trust render dev-shadow --out out/dev-shadow");
  if (!out) return io.fail("render needs --out <dir>");
  try {
    const rendered = renderStack(stack);
    for (const w of rendered.warnings) io.err(`warning: ${w}`);
    if (out === "-")
      io.out(renderedStream(rendered).replace(/\n$/, "")); // one write: the stream, nothing else
    else for (const f of writeRendered(rendered, out)) io.out(`wrote ${f}`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof PlanError || e instanceof RenderOutputError) return io.fail(e.message);
    // Any other file-system error (reading the stack files) is still the user's input, not an internal error.
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return io.fail((e as Error).message);
    throw e;
  }
}
