/**
 * Config hardening (issue 7, item 8): each mistake is refused with a message naming the exact key and what is
 * allowed, `agent-trust render` writes nothing for it (exit 2), and the Pulumi program registers nothing.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, describe, test } from "node:test";
import { stringify } from "yaml";
import { main } from "../src/cli/main";
import { captureIo } from "../src/cli/io";
import { ConfigError, parseStackConfig } from "../src/config/parse";
import { readStackFile } from "../src/config/stacks";
import { runStack, type Registered } from "./helpers/pulumi-mocks";
import { tempDir } from "./helpers/tmp";

type Raw = Record<string, any>;
const load = (stack: string) => structuredClone(readStackFile(stack).raw) as Raw;

/** A scratch project holding the shipped dev stacks; each case overwrites one stack file in it. */
const root = tempDir("agent-trust-config-");
fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: agent-trust\nruntime: nodejs\nstackConfigDir: stacks\n");
fs.mkdirSync(path.join(root, "stacks"));
for (const s of ["dev", "dev-shadow", "dev-remediation"]) {
  fs.copyFileSync(
    path.resolve(__dirname, "..", "stacks", `Pulumi.${s}.yaml`),
    path.join(root, "stacks", `Pulumi.${s}.yaml`),
  );
}
after(() => fs.rmSync(root, { recursive: true, force: true }));

function refusedByParse(raw: Raw): string {
  try {
    parseStackConfig(raw, "stacks/Pulumi.test.yaml");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.message;
  }
  return assert.fail("config was accepted");
}

/** Writes `raw` as the stack's file in the scratch project, renders it, and returns stderr; asserts nothing written. */
async function refusedByRender(stack: string, raw: Raw): Promise<string> {
  const file = path.join(root, "stacks", `Pulumi.${stack}.yaml`);
  const original = fs.readFileSync(file, "utf8");
  const out = path.join(root, `out-${stack}`);
  const cwd = process.cwd();
  try {
    fs.writeFileSync(file, stringify({ config: raw }));
    process.chdir(root);
    const io = captureIo();
    assert.equal(await main(["render", stack, "--out", out], io), 2, io.stdout.join("\n"));
    assert.ok(!fs.existsSync(out), "render wrote output for an invalid stack");
    return io.stderr.join("\n");
  } finally {
    process.chdir(cwd);
    fs.writeFileSync(file, original);
  }
}

interface Case {
  readonly what: string;
  readonly stack: string;
  readonly edit: (raw: Raw) => void;
  readonly expect: RegExp[];
}

const agent0 = (raw: Raw) => raw["agent-trust:agents"][0];

const cases: Case[] = [
  {
    what: "agents namespace kube-system",
    stack: "dev-shadow",
    edit: (r) => (r["agent-trust:namespace"] = "kube-system"),
    expect: [
      /agent-trust:namespace: the agents namespace cannot be a system namespace \(kube-system, kube-public, kube-node-lease, default\)/,
    ],
  },
  {
    what: "foundation namespace default",
    stack: "dev",
    edit: (r) => (r["agent-trust:namespace"] = "default"),
    expect: [/agent-trust:namespace: the agents namespace cannot be a system namespace/],
  },
  {
    what: "foundation namespace kube-node-lease",
    stack: "dev",
    edit: (r) => (r["agent-trust:namespace"] = "kube-node-lease"),
    expect: [/agent-trust:namespace: the agents namespace cannot be/],
  },
  {
    what: "agents namespace is a target",
    stack: "dev-shadow",
    edit: (r) => (r["agent-trust:namespace"] = agent0(r).targetNamespaces[0]),
    expect: [/agent-trust:agents\[0\]\.targetNamespaces: the agents namespace "checkout" cannot be a target/],
  },
  ...["sys", "auth", "identity", "token", "cubbyhole", "sys/x", "/auth"].map((m): Case => ({
    what: `kvMount ${m}`,
    stack: "dev",
    edit: (r) => (r["agent-trust:vault"].kvMount = m),
    expect: [
      /agent-trust:vault\.kvMount: is a path Vault reserves for itself \(sys, auth, identity, token, cubbyhole, and anything under them\)/,
    ],
  })),
  {
    what: "authMount token",
    stack: "dev",
    edit: (r) => (r["agent-trust:vault"].authMount = "token"),
    expect: [/agent-trust:vault\.authMount: is a path Vault reserves/],
  },
  {
    what: "a typo in the config namespace",
    stack: "dev-shadow",
    edit: (r) => {
      r["agnet-trust:phase"] = r["agent-trust:phase"];
      delete r["agent-trust:phase"];
    },
    expect: [
      /agnet-trust:phase: unknown config namespace "agnet-trust" \(did you mean "agent-trust:"\?\); allowed namespaces: agent-trust, kubernetes, vault, random, pulumi/,
    ],
  },
  {
    what: "a key without a namespace",
    stack: "dev-shadow",
    edit: (r) => (r["phase"] = "autonomous"),
    expect: [/phase: config keys are "<namespace>:<key>"/],
  },
  {
    what: "egress destination: cidr beside a selector, an unknown key, a bad port and protocol",
    stack: "dev-remediation",
    edit: (r) =>
      (agent0(r).egress.vault = [
        { cidr: "10.0.0.0/8", namespaceSelector: { a: "b" }, ports: [{ port: 8200 }] },
        { namespaceSelectr: { a: "b" }, ports: [{ port: 70000, protocol: "SCTP", endPort: 9 }] },
        { podSelector: { app: "vault" }, ports: [{ port: 8200 }] },
        { namespaceSelector: {}, ports: [{ port: 8200 }] },
      ]),
    expect: [
      /egress\.vault\[0\]\.namespaceSelector: cannot be set beside cidr; a destination is either \{cidr, ports\} or \{namespaceSelector, podSelector \(optional\), ports\}/,
      /egress\.vault\[1\]\.namespaceSelectr: unknown key; check its spelling; allowed here: cidr, namespaceSelector, podSelector, ports/,
      /egress\.vault\[1\]\.ports\[0\]\.endPort: unknown key; check its spelling; allowed here: port, protocol/,
      /egress\.vault\[1\]\.ports\[0\]\.port: must be a port number 1\.\.65535/,
      /egress\.vault\[1\]\.ports\[0\]\.protocol: "SCTP" is not allowed; allowed: TCP, UDP/,
      /egress\.vault\[3\]\.namespaceSelector: must select by at least one label; \{\} selects every namespace/,
    ],
  },
  {
    what: "egress: an unknown class, a CIDR that is not a string, a destination that is not an object",
    stack: "dev-remediation",
    edit: (r) => {
      agent0(r).egress.llm = [{ cidr: "203.0.113.0/24", ports: [{ port: 443 }] }];
      agent0(r).egress.vault = [{ cidr: 5, ports: [{ port: 8200 }] }, "vault:8200"];
    },
    expect: [
      /agent-trust:agents\[0\]\.egress\.llm: unknown key; check its spelling; allowed here: vault, llm-api, datasources, notify, remediation-targets/,
      /egress\.vault\[0\]\.cidr: must be a CIDR string such as 203\.0\.113\.0\/24/,
      /egress\.vault\[1\]: must be a destination: either \{cidr, ports\} or \{namespaceSelector, podSelector \(optional\), ports\}/,
    ],
  },
  {
    what: "a selector-less destination",
    stack: "dev-remediation",
    edit: (r) => (agent0(r).egress.vault = [{ podSelector: { app: "vault" }, ports: [{ port: 8200 }] }]),
    expect: [/egress\.vault\[0\]: names no destination; a destination is either/],
  },
  {
    what: "CPU that is not a quantity",
    stack: "dev-shadow",
    edit: (r) => (r["agent-trust:tiers"] = { simple: { cpuRequest: "half" } }),
    expect: [
      /agent-trust:tiers\.simple\.cpuRequest: must be a Kubernetes quantity such as 500m, 1\.5, 2Gi, 512M or 1e3/,
    ],
  },
  {
    what: "a zero memory limit",
    stack: "dev-shadow",
    edit: (r) => (r["agent-trust:tiers"] = { complex: { memoryLimit: "0Gi" } }),
    expect: [/agent-trust:tiers\.complex\.memoryLimit: must be above zero/],
  },
  {
    what: "CPU request above the limit",
    stack: "dev-shadow",
    edit: (r) => (r["agent-trust:tiers"] = { simple: { cpuRequest: "1500m", cpuLimit: "1.2" } }),
    expect: [/agent-trust:tiers\.simple\.cpuRequest: 1500m is above cpuLimit \(1\.2\)/],
  },
  {
    what: "memory request 1Gi above a 1G limit",
    stack: "dev-shadow",
    edit: (r) => (r["agent-trust:tiers"] = { complex: { memoryRequest: "1Gi", memoryLimit: "1G" } }),
    expect: [/agent-trust:tiers\.complex\.memoryRequest: 1Gi is above memoryLimit \(1G\)/],
  },
  {
    what: "quota requests above limits",
    stack: "dev",
    edit: (r) =>
      (r["agent-trust:quota"] = { requestsCpu: "1e1", limitsCpu: "8", requestsMemory: "20Gi", limitsMemory: "16Gi" }),
    expect: [
      /agent-trust:quota\.requestsCpu: 1e1 is above quota\.limitsCpu \(8\)/,
      /agent-trust:quota\.requestsMemory: 20Gi is above quota\.limitsMemory \(16Gi\)/,
    ],
  },
  {
    what: "one approver spelled twice",
    stack: "dev-remediation",
    edit: (r) => (agent0(r).promotion.approvedBy = ["maria.lopez", " Maria.Lopez "]),
    expect: [
      /agent-trust:agents\[0\]\.promotion\.approvedBy\[1\]: " Maria\.Lopez " is approvedBy\[0\] again \(compared trimmed and case-folded\)/,
    ],
  },
  {
    what: "a blank approver",
    stack: "dev-remediation",
    edit: (r) => (agent0(r).promotion.approvedBy = ["maria.lopez", "   "]),
    expect: [/agent-trust:agents\[0\]\.promotion\.approvedBy\[1\]: must name an approver, not be blank/],
  },
  {
    what: "a blank review reference",
    stack: "dev-remediation",
    edit: (r) => (agent0(r).promotion.reference = " \t "),
    expect: [/agent-trust:agents\[0\]\.promotion\.reference: must name the review/],
  },
];

describe("config mistakes are refused naming the key, and nothing is written", () => {
  test("the scratch stacks are valid before any edit", () => {
    for (const s of ["dev", "dev-shadow", "dev-remediation"])
      assert.equal(parseStackConfig(load(s), s).environment, "dev");
  });

  for (const c of cases) {
    test(c.what, async () => {
      const raw = load(c.stack);
      c.edit(raw);
      const msg = refusedByParse(raw);
      for (const e of c.expect) assert.match(msg, e);
      const stderr = await refusedByRender(c.stack, raw);
      for (const e of c.expect) assert.match(stderr, e);
    });
  }

  test("quantities compare by value: 1000m equals 1, 0.5 equals 500m, 1e3Mi-free spellings pass", () => {
    const raw = load("dev-shadow");
    raw["agent-trust:tiers"] = {
      simple: { cpuRequest: "1000m", cpuLimit: "1", memoryRequest: "0.5Gi", memoryLimit: "512Mi" },
      complex: { cpuRequest: "0.5", cpuLimit: "500m", memoryRequest: "1e9", memoryLimit: "1G" },
    };
    const cfg = parseStackConfig(raw, "test");
    assert.equal(cfg.layer === "phase" && cfg.tiers.simple.cpuRequest, "1000m");
  });
});

describe("the Pulumi program refuses the same mistakes before registering anything", () => {
  const mistakes: [string, string, Record<string, unknown>, RegExp][] = [
    [
      "dev-shadow",
      "a typo in the config namespace",
      { "agnet-trust:phase": "autonomous" },
      /agnet-trust:phase: unknown config namespace "agnet-trust" \(did you mean "agent-trust:"\?\)/,
    ],
    [
      "dev-shadow",
      "agents namespace kube-system",
      { "agent-trust:namespace": "kube-system" },
      /agent-trust:namespace: the agents namespace cannot be a system namespace/,
    ],
    [
      "dev",
      "a reserved Vault mount",
      { "agent-trust:vault": { ...load("dev")["agent-trust:vault"], kvMount: "sys" } },
      /agent-trust:vault\.kvMount: is a path Vault reserves/,
    ],
    [
      "dev-shadow",
      "CPU request above its limit",
      { "agent-trust:tiers": { simple: { cpuRequest: "2", cpuLimit: "1500m" } } },
      /agent-trust:tiers\.simple\.cpuRequest: 2 is above cpuLimit \(1500m\)/,
    ],
  ];
  for (const [stack, what, config, pattern] of mistakes) {
    test(what, async () => {
      const registered: Registered[] = [];
      await assert.rejects(runStack(stack, { config, sink: registered }), pattern);
      assert.equal(registered.length, 0);
    });
  }
});
