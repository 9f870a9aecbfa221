/**
 * The HTML report as a reader sees it: rendered from a synthetic run with one deliberate mismatch, opened in
 * headless Chromium (Debian package `chromium`; .ci/run installs it) after its inline script ran, and checked on
 * the DOM the browser built. Skipped, saying so, where Chromium is not installed.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { PHASES } from "../src/model/phases";
import { renderHtmlReport } from "../src/sandbox/verify/report-html";
import { LAYERS } from "../src/sandbox/verify/summary";
import { AGENTS, gridCells, syntheticRun } from "./helpers/run-report";
import { tempDir } from "./helpers/tmp";

/**
 * `$AGENT_TRUST_CHROMIUM`, else `chromium` on the PATH. A browser that is named but missing is an error, not a skip:
 * the pull-request workflow names the runner's Chrome so that this test cannot quietly stop running there.
 */
function findChromium(): string | undefined {
  const named = process.env["AGENT_TRUST_CHROMIUM"];
  if (named) {
    if (!fs.existsSync(named)) throw new Error(`AGENT_TRUST_CHROMIUM names ${named}, which does not exist`);
    return named;
  }
  for (const dir of (process.env["PATH"] ?? "").split(path.delimiter)) {
    const candidate = path.join(dir || ".", "chromium");
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const chromium = findChromium();
const skip = chromium ? false : "chromium not installed: apt-get install -y chromium (or set AGENT_TRUST_CHROMIUM)";
let dir = "";

/** Headless Chromium with nothing of its own running beside the page. */
async function browse(url: string, ...extra: string[]): Promise<string> {
  const profile = fs.mkdtempSync(path.join(dir, "profile-"));
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    `--user-data-dir=${profile}`,
    ...extra,
    url,
  ];
  const { stdout } = await promisify(execFile)(chromium!, args, { timeout: 60_000, maxBuffer: 32 << 20 });
  return stdout;
}

/** A report with one mismatch (Vault, not the first tab) and an agent whose name would run script if not escaped. */
const HOSTILE = `<img src=x onerror="document.body.setAttribute('data-pwned','img')"><script>document.body.setAttribute('data-pwned','script')</script>`;
const AGENT_NAMES = [AGENTS[0], HOSTILE];

describe("the HTML report in headless Chromium", { skip }, () => {
  let file = "";
  let dom = "";
  before(() => {
    dir = tempDir("report-chromium-");
    file = path.join(dir, "report.html");
    fs.writeFileSync(file, renderHtmlReport(syntheticRun({ mismatch: "vault", agents: AGENT_NAMES })));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("the page loads and its inline script runs: the layer with the mismatch is the open tab", async () => {
    dom = await browse(pathToFileURL(file).href, "--dump-dom");
    assert.match(dom, /<body data-js="ready">/);
    const checked = [...dom.matchAll(/<input [^>]*id="tab-([a-z-]+)"[^>]*>/g)]
      .filter((m) => / checked=""/.test(m[0]))
      .map((m) => m[1]);
    assert.deepEqual(checked, ["vault"]);
  });

  test("a #fragment naming a layer opens that tab instead", async () => {
    const named = await browse(`${pathToFileURL(file).href}#network`, "--dump-dom");
    const checked = [...named.matchAll(/<input [^>]*id="tab-([a-z-]+)"[^>]*>/g)]
      .filter((m) => / checked=""/.test(m[0]))
      .map((m) => m[1]);
    assert.deepEqual(checked, ["network"]);
  });

  test("each layer has its tab and panel; each grid has agents × phases cells", () => {
    for (const { section, label } of LAYERS) {
      assert.match(dom, new RegExp(`<input type="radio" name="layer" class="tab" id="tab-${section}"`), section);
      assert.match(dom, new RegExp(`<label class="tab[^"]*" for="tab-${section}">${label} `), label);
      assert.match(dom, new RegExp(`<section class="panel" id="panel-${section}">`), section);
    }
    const cells = gridCells(dom);
    for (const { section } of LAYERS)
      assert.equal(cells.filter((c) => c.layer === section).length, AGENT_NAMES.length * PHASES.length, section);
  });

  test("the mismatch cell carries the red class and says expected vs measured; no other cell does", () => {
    const bad = gridCells(dom).filter((c) => c.cls === "mismatch");
    assert.deepEqual(
      bad.map((c) => [c.layer, c.agent, c.phase]),
      [["vault", AGENTS[0], "assist"]],
    );
    assert.match(bad[0]!.body, /expected <b>allow<\/b>, measured <b>deny<\/b>/);
    assert.match(dom, /<td class="mismatch">measured deny<br>expected allow<\/td>/);
  });

  test("the hostile agent name is text, not markup: nothing it carries ran", () => {
    assert.ok(dom.includes(`<body data-js="ready">`), "the body carries no attribute the hostile name would set");
    assert.ok(!/<img|<script>document/.test(dom), "no element made from the hostile name");
    assert.ok(
      dom.includes(
        `<th scope="row">&lt;img src=x onerror="document.body.setAttribute('data-pwned','img')"&gt;&lt;script&gt;`,
      ),
      "shown as text",
    );
  });

  test("a screenshot renders", async () => {
    const png = path.join(dir, "report.png");
    await browse(pathToFileURL(file).href, `--screenshot=${png}`, "--window-size=1280,1000");
    const head = fs.readFileSync(png).subarray(0, 24);
    assert.deepEqual([...head.subarray(1, 4)], [...Buffer.from("PNG")]);
    assert.deepEqual([head.readUInt32BE(16), head.readUInt32BE(20)], [1280, 1000]);
  });
});
