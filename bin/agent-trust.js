#!/usr/bin/env node
// Launcher. Runs the compiled CLI in dist/ (built by `npm run build`, which `npm ci` runs through `prepare`) when
// it is at least as new as every source file; otherwise (a source edited since the last build, or no build) it
// runs the TypeScript sources through tsx, so a stale build never runs. Either way the behaviour is the same.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const stamp = path.join(root, "dist", ".built");

/** Newest modification time of a .ts file below dir (ms), or Infinity when dir cannot be read. */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return Infinity;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function compiledIsFresh() {
  if (process.env.AGENT_TRUST_FROM_SOURCE === "1") return false;
  let built;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return false;
  }
  return newestSource(path.join(root, "src")) <= built;
}

let main;
if (compiledIsFresh()) {
  ({ main } = require("../dist/src/cli/main.js"));
} else {
  require("tsx/cjs");
  ({ main } = require("../src/cli/main.ts"));
}
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`agent-trust: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
