/**
 * `agent-trust check` at its edges: the egress thresholds given as flags, kinds named like Object.prototype
 * members (judged like any other kind, never an internal error), and UTF-16 files with a byte order mark (read as
 * kubectl reads them). The arguments, exit codes and output formats of the common runs are in check-cli.test.ts.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { stringify } from "yaml";
import { check } from "../src/check";
import { runCheckCli } from "../src/check/cli";
import { captureIo } from "../src/cli/io";
import { patch } from "./rules-harness";
import { role } from "./rules-samples";
import { tempDir } from "./helpers/tmp";

function dir(files: Record<string, string>): string {
  const d = tempDir("agent-trust-check-");
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    fs.writeFileSync(path.join(d, name), text);
  }
  return d;
}
const yamlDocs = (...objs: object[]) => objs.map((o) => `---\n${stringify(o)}`).join("");
const run = (...argv: string[]) => {
  const io = captureIo();
  const code = runCheckCli(argv, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
};
const secretsRole = patch(role(), (o) => o.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }));

test("kinds named like Object.prototype members are judged and refused like any other, never an internal error", () => {
  const kinds = ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"];
  const objs = kinds.map((kind) => ({
    apiVersion: "example.com/v1",
    kind,
    metadata: { name: "x", namespace: "ai-agents" },
  }));
  const d = dir({
    "odd.yaml": yamlDocs(...objs),
    "pod.yaml": yamlDocs({
      apiVersion: "example.com/v1",
      kind: "toString",
      metadata: { name: "p", namespace: "ai-agents" },
      spec: { containers: [{ name: "c" }] },
    }),
  });
  const r = check([d]);
  assert.deepEqual(r.errors, []);
  assert.equal(r.checked, 6);
  // Each is a kind no stack holds: refused by name (closed world), so none is passed over.
  assert.deepEqual(Object.keys(r.passedOver), []);
  for (const k of kinds)
    assert.ok(
      r.violations.some((v) => v.policy === "stack-kinds-closed" && v.message.startsWith(`kind "${k}"`)),
      k,
    );
  // The one carrying a pod spec is judged as pods: the bare container breaks the restricted profile.
  assert.ok(
    r.violations.some((v) => v.resource.startsWith("toString ai-agents/p") && v.policy === "pod-run-as-non-root"),
  );
  const cli = run(d);
  assert.equal(cli.code, 1);
  assert.match(cli.out, /passed over: none/);
});

describe("egress thresholds as flags", () => {
  // 8 ports on a /24 of private space: passes the default thresholds (16 ports count as all, a /16 may be open),
  // refused once 4 ports count as all and only a /25 may be open.
  const own = { matchLabels: { "agent-trust.io/agent": "diag", "agent-trust.io/phase": "shadow" } };
  const wide = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "diag-shadow-egress", namespace: "ai-agents" },
    spec: {
      podSelector: own,
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/24" } }], ports: [{ port: 8000, endPort: 8007 }] }],
    },
  };
  const d = dir({ "np.yaml": yamlDocs(wide) });

  test("a stricter threshold is applied: 8 ports count as all ports with --max-broad-egress-ports 4", () => {
    assert.equal(run(d).code, 0);
    const strict = run("--max-broad-egress-ports", "4", "--min-private-egress-prefix-v4=25", d);
    assert.equal(strict.code, 1, strict.out);
    assert.match(
      strict.out,
      /egress-no-wide-private: spec\.egress\[0\] open 256 private IPv4 addresses .* on more than 4 ports; at most a \/25/,
    );
  });

  test("a looser or malformed threshold is refused with a clear error and judges nothing", () => {
    const bad: [string[], RegExp][] = [
      [["--max-broad-egress-ports", "17"], /--max-broad-egress-ports 17 is outside 0\.\.16: the limit is 16/],
      [["--max-public-egress-share=0.5"], /--max-public-egress-share 0\.5 is outside 0\.\.0\.001/],
      [
        ["--min-private-egress-prefix-v4", "8"],
        /--min-private-egress-prefix-v4 8 is outside 16\.\.32: the limit is 16/,
      ],
      [["--min-private-egress-prefix-v6", "64.5"], /needs an integer from 48 to 128, not "64\.5"/],
      [["--max-broad-egress-ports", "NaN"], /needs an integer/],
      [["--max-broad-egress-ports="], /needs an integer/],
    ];
    for (const [args, message] of bad) {
      const r = run(...args, d);
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.out, "");
      assert.match(r.err, message);
    }
  });

  test("a path named like an Object.prototype member is a path", () => {
    const r = run("toString");
    assert.equal(r.code, 2);
    assert.match(r.err, /toString: cannot read: ENOENT/);
  });
});

test("UTF-16 files with a byte order mark are read as kubectl reads them (little and big endian)", () => {
  const text = yamlDocs(secretsRole);
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
  const be = Buffer.from(le).swap16(); // the mark becomes FE FF, every code unit big endian
  const d = dir({});
  fs.writeFileSync(path.join(d, "le.yaml"), le);
  fs.writeFileSync(path.join(d, "be.yaml"), be);
  fs.writeFileSync(path.join(d, "utf8-bom.yaml"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
  const r = check([d]);
  assert.deepEqual(r.errors, []);
  assert.equal(r.checked, 3);
  assert.equal(r.violations.filter((v) => v.policy === "no-secrets-access").length, 3);
});
