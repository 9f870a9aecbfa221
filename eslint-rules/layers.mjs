// agent-trust/layers: the layering of src/ as one table, checked on the import's resolved folder (so an import is
// judged by what it reaches, however many `../` it spells). Layers from the bottom: model → yaml → config → plan →
// rules; adapters above them, each a room of its own that may use the shared rooms (admission, render, cli) and the
// rooms this table names. Nothing pure imports Pulumi.
import * as fs from "node:fs";
import * as path from "node:path";

const PURE = ["model", "yaml", "config", "plan", "rules"];
/** What each pure layer may import (besides itself). */
const BELOW = {
  model: [],
  yaml: ["model"],
  config: ["model", "yaml"],
  plan: ["model", "yaml", "config"],
  rules: ["model", "yaml", "config", "plan"],
};
/** Rooms every adapter may use: the admission room, the one plan-to-objects renderer and the CLI helpers. */
const SHARED = ["admission", "render", "cli"];
/** Adapter rooms that may use other adapter rooms, and which. */
const EXTRA = {
  admission: [],
  render: ["admission"],
  // The sandbox runs the approval proxy itself (it has no kubelet to run the foundation's Deployment).
  "sandbox/deploy": ["sandbox/servers", "approval"],
  "sandbox/verify": ["sandbox/servers", "sandbox/deploy", "approval"],
  // The offline engine runs the Pulumi program itself, inline.
  engine: ["sandbox/servers", "sandbox/deploy", "root:program"],
  sandbox: ["sandbox/servers", "sandbox/deploy", "sandbox/verify", "engine", "approval"],
  // The approval proxy and the reviewers' commands: an adapter over the approval contract (src/model/approval.ts).
  approval: [],
};
/** Files at the top of src/: the composition roots may import anything; package-root is a leaf every layer may use. */
const LEAVES = ["package-root"];

/** The room of an absolute path: `model`, `sandbox/verify`, `root:program`, `policy`, or undefined outside them. */
export function roomOf(file, root) {
  const rel = path.relative(path.join(root, "src"), file);
  if (!rel.startsWith("..")) {
    const parts = rel.split(path.sep);
    // A file at the top of src/ (`../program`), or a folder imported through its index (`../rules`).
    if (parts.length === 1) {
      const name = parts[0].replace(/\.[cm]?[jt]s$/, "");
      return fs.existsSync(path.join(root, "src", name)) && fs.statSync(path.join(root, "src", name)).isDirectory()
        ? name
        : `root:${name}`;
    }
    if (parts[0] === "sandbox" && parts.length > 2) return `sandbox/${parts[1]}`;
    return parts[0];
  }
  const p = path.relative(path.join(root, "policy"), file);
  return !p.startsWith("..") && !p.includes(path.sep) ? "policy" : undefined;
}

export function allowed(from, to) {
  if (from === to || to === undefined || from.startsWith("root:")) return true;
  if (to.startsWith("root:")) return LEAVES.includes(to.slice(5)) || (EXTRA[from] ?? []).includes(to);
  if (PURE.includes(from)) return BELOW[from].includes(to);
  if (PURE.includes(to)) return true;
  if (from === "cli") return true; // the dispatcher loads every command
  return SHARED.includes(to) && !(from === "admission" && to !== "cli") ? true : (EXTRA[from] ?? []).includes(to);
}

export default {
  meta: {
    type: "problem",
    docs: { description: "Imports follow the layering of src/ (model → yaml → config → plan → rules → adapters)." },
    schema: [],
    messages: {
      layer: "src/{{from}} may not import src/{{to}}: {{why}} (eslint-rules/layers.mjs).",
      pulumi: "src/{{from}} is pure: it may not import {{spec}} (eslint-rules/layers.mjs).",
    },
  },
  create(context) {
    const root = context.cwd;
    const file = context.filename;
    const from = roomOf(file, root);
    if (from === undefined) return {};
    const check = (node, spec) => {
      if (typeof spec !== "string") return;
      if (spec.startsWith("@pulumi/") && PURE.includes(from)) {
        context.report({ node, messageId: "pulumi", data: { from, spec } });
        return;
      }
      if (!spec.startsWith(".")) return;
      const to = roomOf(path.resolve(path.dirname(file), spec), root);
      if (allowed(from, to)) return;
      const why = PURE.includes(from)
        ? `${from} may import ${BELOW[from].length ? `only ${BELOW[from].join(", ")}` : "nothing of ours"}`
        : `an adapter imports the layers below, ${SHARED.join(", ")}${EXTRA[from]?.length ? ` and ${EXTRA[from].join(", ")}` : ""}, never another adapter`;
      context.report({
        node,
        messageId: "layer",
        data: { from: from.replace(/^root:/, ""), to: to.replace(/^root:/, ""), why },
      });
    };
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === "Literal" && check(n, n.source.value),
      CallExpression: (n) =>
        n.callee.type === "Identifier" &&
        n.callee.name === "require" &&
        n.arguments[0]?.type === "Literal" &&
        check(n, n.arguments[0].value),
    };
  },
};
