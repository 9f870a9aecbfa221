/** The two-thread path of the checker must give exactly what one thread gives, or decline (never a different result). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { stringify } from "yaml";
import { checkText } from "../src/check";
import { checkFileInParallel } from "../src/check/parallel";
import { corpus } from "../scripts/bench/inputs";

test("two threads judge a stream exactly as one does: same violations in the same order, counts and errors", () => {
  const text = corpus(400, (o) => stringify(o, { lineWidth: 0 })) + "---\nkind: Broken\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n";
  const one = checkText("corpus.yaml", text, {});
  const two = checkFileInParallel("corpus.yaml", text, {}, 0);
  assert.ok(two, "the parallel path declined");
  assert.ok(one.violations.length > 100, `only ${one.violations.length} violations`);
  assert.equal(one.checked, 401);
  assert.equal(one.errors.length, 1);
  assert.deepEqual(two, one);
});

test("a stream whose markers do not each start one document is left to one thread", () => {
  // `...` ends a document without a `---`: that chunk holds two documents, so halves would number them wrongly.
  const text = "a: 1\n---\nb: 2\n---\nc: 3\n...\nx: 1\n---\nd: 4\n";
  assert.equal(checkFileInParallel("x.yaml", text, {}, 0), undefined);
  assert.equal(checkFileInParallel("x.yaml", "--- {a: 1}\n", {}, 0), undefined);
  // One thread reads all five documents (none is a Kubernetes object: five errors, numbered 1 to 5).
  assert.deepEqual(checkText("x.yaml", text, {}).errors.map((e) => e.match(/document (\d+)/)?.[1]), ["1", "2", "3", "4", "5"]);
});

test("below the size where it pays, or with stack rules, the parallel path declines", () => {
  const text = corpus(10, (o) => stringify(o, { lineWidth: 0 }));
  assert.equal(checkFileInParallel("small.yaml", text, {}), undefined);
  assert.equal(checkFileInParallel("small.yaml", text, { stack: true }, 0), undefined);
});
