import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatReport, matrixRows, wrapList } from "../src/sandbox/verify/report";
import { summarize, type CheckResult } from "../src/sandbox/verify/results";

const cell = (over: Partial<CheckResult>): CheckResult => ({
  section: "rbac",
  phase: "shadow",
  agent: "diagnostic",
  scope: "target ns",
  verb: "get",
  object: "pods",
  expected: "allow",
  basis: "catalog",
  measured: "allow",
  ...over,
});

describe("sandbox matrix report", () => {
  test("rows that behave alike in every phase merge: verbs, then objects", () => {
    const results = ["get", "list", "watch"].flatMap((verb) =>
      ["pods", "events"].flatMap((object) =>
        (["shadow", "assist", "remediation", "autonomous"] as const).map((phase) => cell({ verb, object, phase })),
      ),
    );
    const rows = matrixRows(results);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]!.verbs, ["get", "list", "watch"]);
    assert.deepEqual(rows[0]!.objects, ["pods", "events"]);
  });

  test("a phase whose cell differs keeps its own row", () => {
    const results = [
      cell({ verb: "delete", phase: "shadow", expected: "deny", measured: "deny" }),
      cell({ verb: "delete", phase: "remediation", expected: "allow", measured: "allow" }),
      cell({ verb: "get", phase: "shadow" }),
      cell({ verb: "get", phase: "remediation" }),
    ];
    assert.equal(matrixRows(results).length, 2);
  });

  test("a mismatch is marked, shows both values, counts, and is listed with the server's words", () => {
    const results = [
      cell({}),
      cell({
        phase: "assist",
        verb: "delete",
        expected: "deny",
        measured: "allow",
        detail: "RBAC: allowed by RoleBinding x",
      }),
    ];
    const text = formatReport(results);
    assert.match(text, /ALLOW\/deny ✗/);
    assert.match(text, /allow\/allow/);
    assert.match(text, /rbac\s+2 checks, 1 mismatch\b/);
    assert.match(
      text,
      /✗ rbac assist diagnostic target ns: delete pods: measured allow, expected deny \(catalog\) — RBAC: allowed by RoleBinding x/,
    );
    assert.equal(summarize(results).mismatches, 1);
  });

  test("an answer that is neither allow nor deny is a mismatch too", () => {
    const results = [cell({ section: "vault", measured: "error", detail: "HTTP 500" })];
    assert.equal(summarize(results).mismatches, 1);
    assert.match(formatReport(results), /ERROR\/allow ✗/);
  });

  test("a clean matrix says 0 mismatches and lists none", () => {
    const text = formatReport([cell({}), cell({ section: "audit", verb: "recorded", object: "list pods" })]);
    assert.match(text, /total\s+2 checks, 0 mismatches/);
    assert.match(text, /yes\/yes/);
    assert.doesNotMatch(text, /✗/);
  });

  test("long lists wrap at item boundaries", () => {
    assert.deepEqual(wrapList(["aaaa", "bbbb", "cccc"], 10), ["aaaa, bbbb,", "cccc"]);
    assert.deepEqual(wrapList(["a-very-long-item"], 5), ["a-very-long-item"]);
  });
});
