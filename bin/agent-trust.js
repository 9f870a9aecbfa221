#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript, loaded through tsx (a pinned dependency) so no build step is needed.
"use strict";
require("tsx/cjs");
const { main } = require("../src/cli/main.ts");
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`agent-trust: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
