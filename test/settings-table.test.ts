/**
 * The rule settings come from one table (src/rules/settings.ts): the pack's config schema, the checker's flags
 * and help, and the clamping are generated from it, and every setting round-trips flag → value → pack config.
 */
import Ajv from "ajv";
import fc from "fast-check";
import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchemaOf, settingsOf } from "../policy/policies";
import { CHECK_HELP, parseCheckArgs } from "../src/check/cli";
import { DEFAULT_SETTINGS, RULES, settingsFrom } from "../src/rules";
import { SETTING_NAMES, SETTINGS, type Setting } from "../src/rules/settings";
import type { SettingName } from "../src/rules/types";

const noStack = { stackConfig: () => ({}) };
const ajv = new Ajv({ strict: false });

/** The one rule that declares each setting, for its pack config schema. */
function ruleWith(name: SettingName) {
  const rule = RULES.find((r) => (r.settings ?? []).includes(name));
  assert.ok(rule, `no rule declares the setting ${name}`);
  return rule;
}

/** Any value the table allows for a setting. */
function valid(s: Setting): fc.Arbitrary<number | string> {
  if (s.type === "string") return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= 63);
  if (s.type === "integer") return fc.integer({ min: s.min, max: s.max });
  return fc
    .double({ min: s.min, max: s.max, noNaN: true, noDefaultInfinity: true })
    .map((v) => (Object.is(v, -0) ? 0 : v));
}

test("the table covers every setting the rules declare, and the defaults are the table's", () => {
  const declared = new Set(RULES.flatMap((r) => r.settings ?? []));
  assert.ok(declared.size > 0);
  assert.deepEqual([...declared].sort(), [...SETTING_NAMES].sort());
  assert.equal(SETTING_NAMES.length, 8);
  for (const name of SETTING_NAMES) assert.equal(DEFAULT_SETTINGS[name], SETTINGS[name].default, name);
});

test("the pack's config schema of each setting is generated from the table", () => {
  let seen = 0;
  for (const rule of RULES) {
    for (const name of rule.settings ?? []) {
      const s: Setting = SETTINGS[name];
      const expected =
        s.type === "string"
          ? { type: "string", pattern: s.pattern, default: s.default }
          : { type: s.type, minimum: s.min, maximum: s.max, default: s.default };
      assert.deepEqual(configSchemaOf(rule).properties[name], expected, `${rule.name}: ${name}`);
      seen++;
    }
  }
  assert.ok(seen >= SETTING_NAMES.length);
});

test("the checker's flags and help lines are generated from the table", () => {
  for (const name of SETTING_NAMES) {
    const s: Setting = SETTINGS[name];
    assert.match(CHECK_HELP, new RegExp(`^  --${s.flag} ${s.metavar}\\b`, "m"), s.flag);
    assert.ok(CHECK_HELP.replace(/\s+/g, " ").includes(`default ${s.default}`), `${s.flag}: default in the help`);
    if (s.type === "string") {
      assert.match(
        String(parseCheckArgs([`--${s.flag}`, "Not_A-Name", "."])),
        new RegExp(`^--${s.flag} "Not_A-Name" is not of the form`),
      );
      assert.equal(parseCheckArgs([`--${s.flag}=`, "."]), `--${s.flag} needs a value`);
      continue;
    }
    const limit = s.default;
    const looser = limit === s.max ? s.max + 1 : s.min - 1;
    assert.match(
      String(parseCheckArgs([`--${s.flag}`, String(looser), "."])),
      new RegExp(`^--${s.flag} ${looser} is outside ${s.min}\\.\\.${s.max}: the limit is ${limit}`),
    );
    assert.match(
      String(parseCheckArgs([`--${s.flag}=x`, "."])),
      new RegExp(`^--${s.flag} needs an? (integer|number) from ${s.min} to ${s.max}, not "x"`),
    );
  }
});

test("the clamps: never looser than the limit, never loosened past the strict end; junk is the default, which is the limit", () => {
  for (const name of SETTING_NAMES) {
    const s: Setting = SETTINGS[name];
    if (s.type === "string") {
      assert.equal(settingsFrom({ [name]: 7 } as never)[name], s.default, name);
      continue;
    }
    // The limit is the default, at one end of the bounds: past it, a value is clamped back to it.
    const [loose, strict] = s.default === s.max ? [s.max + 1000, s.min - 1000] : [s.min - 1000, s.max + 1000];
    assert.equal(settingsFrom({ [name]: loose })[name], s.default, `${name} looser than its limit`);
    // Past the other end a value is stricter than any the bounds allow: kept as asked, never raised to the bound.
    assert.equal(settingsFrom({ [name]: strict })[name], strict, `${name} stricter than its bounds`);
    for (const junk of [Number.NaN, Infinity, "3", null])
      assert.equal(settingsFrom({ [name]: junk } as never)[name], s.default, `${name} ${String(junk)}`);
  }
});

test("property: every setting round-trips flag → value → pack config, unchanged and accepted by the pack's schema", () => {
  for (const name of SETTING_NAMES) {
    const s: Setting = SETTINGS[name];
    const validate = ajv.compile(configSchemaOf(ruleWith(name)));
    fc.assert(
      fc.property(valid(s), (value) => {
        const parsed = parseCheckArgs([`--${s.flag}`, String(value), "."]);
        if (typeof parsed !== "object") throw new Error(`--${s.flag} ${String(value)}: ${String(parsed)}`);
        const fromFlag = parsed.options.settings?.[name];
        assert.equal(fromFlag, value);
        const config = { [name]: fromFlag };
        assert.ok(validate(config), `${name}=${String(value)}: ${ajv.errorsText(validate.errors)}`);
        assert.equal(settingsOf(config, noStack)[name], value);
        assert.equal(settingsFrom(parsed.options.settings ?? {})[name], value);
      }),
      { numRuns: 60 },
    );
  }
});
