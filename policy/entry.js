"use strict";
// The pack's `main`, which the engine's policy runner requires. Inside the agent-trust repository the pack runs
// from its TypeScript sources (the runner's ts-node compiles index.ts and the shared rule table in ../src), so what
// runs is always what the repository holds. A published pack (`npm pack` of this folder, as `pulumi policy
// publish` ships it) carries the rule table bundled into dist/index.js at build time and imports nothing outside
// its own folder but @pulumi/policy and @pulumi/pulumi.
const fs = require("node:fs");
const path = require("node:path");

const sources = path.join(__dirname, "..", "src", "rules", "index.ts");
const bundle = path.join(__dirname, "dist", "index.js");
if (fs.existsSync(sources) && fs.existsSync(path.join(__dirname, "index.ts"))) {
  require("./index.ts");
} else if (fs.existsSync(bundle)) {
  require(bundle);
} else {
  throw new Error(
    `agent-trust policy pack: neither the repository's sources (${sources}) nor the bundle (${bundle}) is here; run "npm run build" in the pack's folder`,
  );
}
