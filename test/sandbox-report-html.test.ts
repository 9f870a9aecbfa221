import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PHASES } from "../src/model/phases";
import { escapeHtml, renderHtmlReport } from "../src/sandbox/verify/report-html";
import { LAYERS } from "../src/sandbox/verify/summary";
import { AGENTS, gridCells, syntheticRun } from "./helpers/run-report";

const HOSTILE = `<script>alert("x")</script>&'"`;

describe("the HTML report", () => {
  test("escapeHtml escapes the five characters that matter, and only them", () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&amp;</a>`),
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
    );
    assert.equal(escapeHtml("dev-shadow · ✓ ✗ → plain"), "dev-shadow · ✓ ✗ → plain");
  });

  test("self-contained: inline CSS and one inline script, nothing fetched", () => {
    const html = renderHtmlReport(syntheticRun({ mismatch: "vault" }));
    assert.match(html, /^<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">/);
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.equal(html.match(/<style>/g)?.length, 1);
    assert.doesNotMatch(html, /<link|<img|<iframe|@import|url\(|\bsrc=|https?:\/\//);
  });

  test("each layer is a tab with an agents × phases grid; the mismatch cell is red with expected vs measured", () => {
    const html = renderHtmlReport(syntheticRun({ mismatch: "vault" }));
    for (const { section, label } of LAYERS) {
      assert.match(
        html,
        new RegExp(`<input type="radio" name="layer" class="tab" id="tab-${section}" value="${section}"`),
        section,
      );
      assert.match(html, new RegExp(`<label class="tab[^"]*" for="tab-${section}">${label} `), label);
      assert.match(html, new RegExp(`<section class="panel" id="panel-${section}">`), section);
      assert.match(html, new RegExp(`#tab-${section}:checked~#panel-${section}\\{display:block\\}`), section);
    }
    const cells = gridCells(html);
    assert.equal(cells.length, LAYERS.length * AGENTS.length * PHASES.length);
    for (const { section } of LAYERS)
      for (const a of AGENTS)
        for (const p of PHASES)
          assert.equal(cells.filter((c) => c.layer === section && c.agent === a && c.phase === p).length, 1);
    const bad = cells.filter((c) => c.cls === "mismatch");
    assert.deepEqual(
      bad.map((c) => [c.layer, c.agent, c.phase]),
      [["vault", "diagnostic", "assist"]],
    );
    assert.match(
      bad[0]!.body,
      /1 of 1 cell ✗<ul><li>read agent\/notify \(kv\): expected <b>allow<\/b>, measured <b>deny<\/b><\/li><\/ul>/,
    );
    assert.ok(cells.filter((c) => c.cls !== "mismatch").every((c) => c.cls === "ok"));
    // The full matrix marks the same cell, the Vault tab says so, and the verdict counts it.
    assert.match(html, /<td class="mismatch">measured deny<br>expected allow<\/td>/);
    assert.match(
      html,
      /<label class="tab bad" for="tab-vault">Vault <span class="muted">8<\/span> · 1 mismatch<\/label>/,
    );
    assert.match(html, /<div class="verdict bad">✗ 1 of 64 cells differ from the catalog<\/div>/);
    assert.match(html, /the server&#39;s words: allowed by RoleBinding widened/);
  });

  test("a clean run: a green verdict and no red cell", () => {
    const html = renderHtmlReport(syntheticRun({ mismatch: false }));
    assert.match(html, /<div class="verdict ok">✓ every cell matches the catalog \(64 cells\)<\/div>/);
    assert.doesNotMatch(html, /class="[^"]*\bmismatch\b/);
    assert.doesNotMatch(html, /class="tab bad"/);
  });

  test("hostile strings from the results arrive escaped, in text and in attributes", () => {
    const run = syntheticRun({ mismatch: "rbac", agents: [HOSTILE, "capacity"] });
    const html = renderHtmlReport({
      ...run,
      title: `<b>demo</b>`,
      deployed: { ...run.deployed, stacks: [`dev"><script>x()</script>`] },
    });
    assert.equal(html.match(/<script/g)?.length, 1, "the report's own script is the only one");
    assert.doesNotMatch(html, /<script>alert|<b>demo<\/b>|"><script>x/);
    const escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;&quot;";
    assert.ok(html.includes(`<th scope="row">${escaped}</th>`), "the agent's row header");
    assert.ok(html.includes(`data-agent="${escaped}"`), "the grid cells' attribute");
    assert.ok(
      html.includes(`rbac assist ${escaped} target ns: delete pods: measured allow, expected deny`),
      "the mismatch list",
    );
    assert.ok(html.includes("&lt;b&gt;demo&lt;/b&gt;"));
    assert.equal(gridCells(html).filter((c) => c.cls === "mismatch" && c.agent === escaped).length, 1);
  });
});
