import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { phaseTable, promotionTable } from "../src/docs/phase-table";

test("the README's phase table is the one generated from the catalog", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, "..", "README.md"), "utf8");
  const m = /<!-- phase-table:start -->\n([\s\S]*?)\n<!-- phase-table:end -->/.exec(readme);
  assert.ok(m, "README has the phase-table markers");
  assert.equal(
    m[1],
    phaseTable(),
    "regenerate with: npx tsx -e 'import {phaseTable} from \"./src/docs/phase-table\"; console.log(phaseTable())'",
  );
});

test("docs/promotion.md's gates and demotion rules are the generated ones", () => {
  const doc = fs.readFileSync(path.resolve(__dirname, "..", "docs", "promotion.md"), "utf8");
  const m = /<!-- promotion-table:start -->\n([\s\S]*?)\n<!-- promotion-table:end -->/.exec(doc);
  assert.ok(m, "docs/promotion.md has the promotion-table markers");
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

test("every relative link in the README and docs/*.md names a file that exists, and every #anchor a heading there", () => {
  const root = path.resolve(__dirname, "..");
  const slug = (h: string) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
  const anchors = (file: string) =>
    new Set(
      fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => /^#{1,6} /.test(l))
        .map((l) => slug(l.replace(/^#+ /, ""))),
    );
  const docs = [
    "README.md",
    ...fs
      .readdirSync(path.join(root, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  let links = 0;
  for (const doc of docs) {
    const text = fs.readFileSync(path.join(root, doc), "utf8").replace(/```[\s\S]*?```/g, "");
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      const [file, anchor] = target.split("#");
      const abs = file ? path.resolve(path.dirname(path.join(root, doc)), file) : path.join(root, doc);
      assert.ok(fs.existsSync(abs), `${doc}: ${target}: no such file`);
      if (anchor) assert.ok(anchors(abs).has(anchor), `${doc}: ${target}: no such heading`);
      links++;
    }
  }
  assert.ok(links > 10);
});

test("the README's first screen is what runs without Go, then the demo, then the tests", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, "..", "README.md"), "utf8");
  const headings = readme.split("\n").filter((l) => l.startsWith("## "));
  assert.deepEqual(headings.slice(0, 3), [
    "## Try it in seconds (no Go, no cluster)",
    "## The demo: measured on real servers",
    "## Tests",
  ]);
  const first = readme.slice(readme.indexOf(headings[0]!), readme.indexOf(headings[1]!));
  for (const c of ["render", "check --for-stack", "matrix", "gate", "diff --base"])
    assert.match(first, new RegExp(`npx agent-trust ${c}`), c);
  assert.match(readme, /pulumi login/);
  assert.match(readme, /pulumi stack init dev/);
  assert.match(readme, /pulumi config set --path 'agent-trust:vault\.kubernetesCaCert' -s dev -- "\$\(cat ca\.crt\)"/);
});
