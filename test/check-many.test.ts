/**
 * Counts that no call may spread into arguments: 200,000 unreadable documents (about 1 MB) among several paths,
 * and a NetworkPolicy with 200,000 egress rules, are judged, never an internal error (a spread of that many
 * arguments overflows the stack).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { check } from "../src/check";
import { singleAddressEgress } from "../scripts/bench/hostile";
import { tempDir } from "./helpers/tmp";

const dir = tempDir("agent-trust-many-");
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test("200,000 unreadable documents in one of several files: each an error, no internal error", () => {
  const many = path.join(dir, "many.yaml");
  const other = path.join(dir, "other.yaml");
  fs.writeFileSync(many, "---\n1\n".repeat(200_000));
  fs.writeFileSync(
    other,
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: team-a\nautomountServiceAccountToken: false\n",
  );
  const r = check([many, other]);
  assert.equal(r.errors.length, 200_000);
  assert.equal(r.checked, 1);
});

test("a NetworkPolicy with 200,000 single-address egress rules is judged", () => {
  const file = path.join(dir, "egress.yaml");
  fs.writeFileSync(file, singleAddressEgress(200_000, 4));
  const r = check([file]);
  assert.deepEqual(r.errors, []);
  assert.equal(r.checked, 1);
});
