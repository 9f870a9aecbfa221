/**
 * Nothing is left behind when a run is interrupted or fails half-way: the servers already started are stopped
 * and the temporary directory is removed.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { before, describe, test } from "node:test";
import { resolveBinaries } from "../../src/sandbox/servers/binaries";
import { announced, pidAlive, runTs, waitFor } from "./helpers";

describe("sandbox cleanup", () => {
  // The runs below use --no-build so their timing is the servers' own; make sure the binaries exist first.
  before(async () => {
    await resolveBinaries({ build: true, log: (l) => process.stderr.write(`${l}\n`) });
  });

  test("Ctrl-C (SIGINT) during the demo stops every server and removes the directory", async () => {
    const run = runTs("src/sandbox/demo.ts", ["--no-build"]);
    await waitFor("the Vault dev server to start", () => /vault dev server ready/.test(run.stderr()), 120_000);
    const { dir, pids } = announced(run.stderr());
    assert.ok(dir && fs.existsSync(dir));
    assert.deepEqual(Object.keys(pids).sort(), ["etcd", "kube-apiserver", "vault dev server"]);
    run.child.kill("SIGINT");
    assert.equal(await run.exited, 130);
    for (const [name, pid] of Object.entries(pids)) assert.equal(pidAlive(pid), false, `${name} (pid ${pid}) survived`);
    assert.equal(fs.existsSync(dir), false);
  });

  test("SIGTERM does the same", async () => {
    const run = runTs("src/sandbox/demo.ts", ["--no-build"]);
    await waitFor("kube-apiserver to start", () => /kube-apiserver ready/.test(run.stderr()), 120_000);
    const { dir, pids } = announced(run.stderr());
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 143);
    for (const [name, pid] of Object.entries(pids)) assert.equal(pidAlive(pid), false, `${name} (pid ${pid}) survived`);
    assert.equal(fs.existsSync(dir!), false);
  });

  test("a server that fails to start stops the ones already running and fails the run", async () => {
    // /bin/false stands in for the Vault server: it exits at once, after etcd and kube-apiserver are up.
    const run = runTs("src/sandbox/demo.ts", ["--no-build"], { VAULT_BIN: "/bin/false" });
    const code = await run.exited;
    assert.equal(code, 70, run.stderr());
    assert.match(run.stderr(), /vault exited \(code 1\) before becoming healthy/);
    const { dir, pids } = announced(run.stderr());
    assert.ok(pids["etcd"] && pids["kube-apiserver"]);
    for (const [name, pid] of Object.entries(pids)) assert.equal(pidAlive(pid), false, `${name} (pid ${pid}) survived`);
    assert.equal(fs.existsSync(dir!), false);
  });
});
