// Preloaded into the policy-pack process by pulumi-analyzer-policy-nodejs: exit when the engine that started us is
// gone. The engine normally kills its plugins' process group itself, but an engine killed abruptly (Ctrl-C of the
// Node process that drives it) cannot, and the pack's gRPC server would otherwise live on as an orphan.
"use strict";
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1000).unref();
