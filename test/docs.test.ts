import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { phaseTable, promotionTable } from "../src/docs/phase-table";

test("the README's phase table is the one generated from the catalog", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, "..", "README.md"), "utf8");
  const m = /<!-- phase-table:start -->\n([\s\S]*?)\n<!-- phase-table:end -->/.exec(readme);
  assert.ok(m, "README has the phase-table markers");
  assert.equal(m[1], phaseTable(), "regenerate with: npx tsx -e 'import {phaseTable} from \"./src/docs/phase-table\"; console.log(phaseTable())'");
});

test("the README's promotion gates and demotion rules are the generated ones", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, "..", "README.md"), "utf8");
  const m = /<!-- promotion-table:start -->\n([\s\S]*?)\n<!-- promotion-table:end -->/.exec(readme);
  assert.ok(m, "README has the promotion-table markers");
  assert.equal(m[1], promotionTable());
});

test("the README gives the test command CI runs", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, "..", "README.md"), "utf8");
  const ci = fs.readFileSync(path.resolve(__dirname, "..", ".ci", "run"), "utf8");
  for (const cmd of ["npm test", "npm run test:integration"]) {
    assert.ok(readme.includes(cmd), `README: ${cmd}`);
    assert.ok(ci.includes(cmd), `.ci/run: ${cmd}`);
  }
});
