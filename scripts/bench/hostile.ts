/**
 * Hostile inputs for the bench and the growth test: what an attacker writes to make the checker slow. Each is a
 * function of a size `n` (a run's length or a count of rules), so doubling `n` doubles the input, and the checker
 * must then take about twice the time, never four times. `variant` changes the content a little (a name, the first
 * port or address), so a timed run never meets what a cache remembers from the run before. Deterministic; nothing
 * here is committed as a file.
 */

const META = (name: string) => `metadata:\n  name: ${name}\n  namespace: team-a\n`;

/** Runs of `n` spaces where a reader or a rule could backtrack: in a value, a key position, before a comment, in HCL. */
export function spaceRuns(n: number, variant = 0): string {
  const run = " ".repeat(n);
  const docs = [
    // in a plain value, and inside quoted values
    `apiVersion: v1\nkind: ConfigMap\n${META("spaces-value")}data:\n  plain: a${run}b\n  quoted: "a${run}b"\n  single: 'a${run}'\n  tail: x${run}\n`,
    // in a key position: before a key, inside a quoted key, before the colon
    `apiVersion: v1\nkind: ConfigMap\n${META("spaces-key")}data:\n  "k${run}": v\n  k2${run}: v\n${run}\n`,
    // before a comment, and a comment made of the run
    `apiVersion: v1\nkind: ServiceAccount\n${META("spaces-comment")}automountServiceAccountToken: false${run}# c\n#${run}x\n`,
    // in an HCL policy string, between tokens and inside a path
    `apiVersion: agent-trust.io/v1\nkind: VaultPolicy\nmetadata:\n  name: spaces-hcl\nspec:\n  name: spaces-hcl\n  policy: "path${run}\\"agent/data/a${run}b\\" {${run}capabilities = [${run}\\"read\\"${run}]${run}}${run}#${run}\\n"\n`,
    // in names, labels, annotations, a CIDR, a port and an image reference the rules read
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n${META(`np${run}x`)}  labels:\n    agent-trust.io/agent: "a${run}"\n  annotations:\n    note: "${run}"\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - ipBlock:\n            cidr: "10.0.0.1${run}/32"\n      ports:\n        - port: "443${run}"\n`,
    `apiVersion: v1\nkind: Pod\n${META("spaces-pod")}spec:\n  serviceAccountName: "sa${run}"\n  containers:\n    - name: c\n      image: "registry.example.com/a${run}@sha256:${"0".repeat(64)}"\n      command: ["sh", "-c", "${run}"]\n`,
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n${META("spaces-role")}rules:\n  - apiGroups: ["${run}"]\n    resources: ["pods${run}/log", "${run}*"]\n    verbs: ["get${run}"]\n    resourceNames: ["${run}"]\n`,
  ];
  return docs
    .map((d) => `---\n${d}`)
    .join("")
    .replaceAll("443", String(443 + variant));
}

/** One NetworkPolicy with `n` egress rules, each to one address (/32, or /128 for IPv6). */
export function singleAddressEgress(n: number, family: 4 | 6, variant = 0): string {
  const rules: string[] = [];
  for (let i = 0; i < n; i++) {
    const cidr =
      family === 4
        ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`
        : `fd00::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}/128`;
    rules.push(
      `    - to:\n        - ipBlock:\n            cidr: ${cidr}\n      ports:\n        - port: ${1024 + ((i + variant) % 60000)}\n          protocol: TCP\n`,
    );
  }
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n${META(`egress-v${family}`)}spec:\n  podSelector:\n    matchLabels:\n      agent-trust.io/agent: a\n  policyTypes:\n    - Egress\n  egress:\n${rules.join("")}`;
}

/** One Role with `n` rules, each naming a different resource (and a different name in it). */
export function manyRoleRules(n: number, variant = 0): string {
  const rules: string[] = [];
  for (let i = 0; i < n; i++)
    rules.push(
      `  - apiGroups:\n      - ""\n    resources:\n      - res${i + variant}\n    verbs:\n      - get\n      - list\n    resourceNames:\n      - n${i}\n`,
    );
  return `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n${META("many-rules")}rules:\n${rules.join("")}`;
}

/** `count` objects whose names, labels and annotations are of the maximum length Kubernetes takes (and then some). */
export function longNames(count: number, variant = 0): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `n${i + variant}-${"a".repeat(253)}`.slice(0, 253);
    const label = "l".repeat(63);
    docs.push(
      `---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  namespace: ${"s".repeat(63)}\n  labels:\n    ${"p".repeat(253)}/${label}: ${label}\n    agent-trust.io/agent: ${"b".repeat(63)}\n  annotations:\n    ${"p".repeat(253)}/${label}: "${"v".repeat(4000)}"\nautomountServiceAccountToken: false\n`,
    );
  }
  return docs.join("");
}

/** One Vault policy with `n` path blocks, some with long capability lists and comments. */
export function longHclPolicy(n: number, variant = 0): string {
  const blocks: string[] = [];
  for (let i = 0; i < n; i++)
    blocks.push(
      `# block ${i}\\npath \\"agent/data/team${i + variant}/*\\" {\\n  capabilities = [\\"read\\", \\"list\\"]\\n}\\n`,
    );
  return `apiVersion: agent-trust.io/v1\nkind: VaultPolicy\nmetadata:\n  name: long-policy\nspec:\n  name: long-policy\n  policy: "${blocks.join("")}"\n`;
}

/** The hostile inputs of the bench, each 1 to 3 MB at `scale` 1 (the growth test uses smaller scales). */
export const HOSTILE: Readonly<Record<string, (scale: number, variant?: number) => string>> = {
  "runs of 100,000 spaces": (s, v) => spaceRuns(Math.round(100_000 * s), v),
  "NetworkPolicy, 20,000 /32 egress rules": (s, v) => singleAddressEgress(Math.round(20_000 * s), 4, v),
  "NetworkPolicy, 20,000 /128 egress rules": (s, v) => singleAddressEgress(Math.round(20_000 * s), 6, v),
  "Role, 20,000 rules": (s, v) => manyRoleRules(Math.round(20_000 * s), v),
  "names and labels of maximum length": (s, v) => longNames(Math.round(200 * s), v),
  "Vault policy, 20,000 path blocks": (s, v) => longHclPolicy(Math.round(20_000 * s), v),
};
