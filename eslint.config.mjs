// ESLint (flat config): typescript-eslint strict + stylistic, type-aware through the TypeScript project service,
// and the layering of src/ as import boundaries. `npm run lint`.
//
// Layers from the bottom (CONTRIBUTING.md): model → config → plan → rules → adapters. src/yaml (the YAML readers)
// sits on model alone; src/admission is the adapter over the rules that the other adapters may use (it registers the
// generator of `foundation-admission-policies`), and src/cli is the one room of command helpers every adapter shares.
// Every other adapter is a room of its own: it imports the layers below it, admission and cli, never another adapter.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

/** The pure layers and rooms: nothing here may import Pulumi. */
const PURE = ["model", "yaml", "config", "plan", "rules"];
/** Adapters side by side; `cli` is the shared room and `admission` the adapter the others build on. */
const ADAPTERS = [
  "admission",
  "components",
  "check",
  "render",
  "sandbox",
  "engine",
  "matrix",
  "promotion",
  "ci",
  "docs",
  "cli",
];
const SHARED_ADAPTERS = ["admission", "cli"];

const folder = (name) => [`../${name}`, `../${name}/*`];
/** The composition roots at the top of src/ (the Pulumi program, the library entry): above every layer. */
const ROOTS = ["../program", "../lib", "../index"];
const pulumi = {
  group: ["@pulumi/*"],
  message: "src/model, yaml, config, plan and rules are pure: no Pulumi here (see eslint.config.mjs).",
};

/** What each folder of src/ may not import, as no-restricted-imports patterns (specifiers are relative: src/<folder>/<file>.ts). */
function forbidden(name) {
  // The pure layers may not reach the composition roots either; an adapter may (the engine runs the program).
  const not = (names, why) => ({
    group: [...names.flatMap(folder), ...(PURE.includes(name) ? ROOTS : [])],
    message: `src/${name} ${why} (layering: eslint.config.mjs).`,
  });
  const adaptersBut = (...allowed) => ADAPTERS.filter((a) => a !== name && !allowed.includes(a));
  switch (name) {
    case "model":
      return [
        {
          group: ["../*", "../**"],
          message: "src/model is the bottom layer: it imports nothing of ours (layering: eslint.config.mjs).",
        },
        pulumi,
      ];
    case "yaml":
      return [
        {
          group: ["../*", "!../model", "!../model/*"],
          message: "src/yaml reads YAML and knows nothing above src/model (layering: eslint.config.mjs).",
        },
        pulumi,
      ];
    case "config":
      return [not(["plan", "rules", ...ADAPTERS], "parses at the edge: it may import model and yaml only"), pulumi];
    case "plan":
      return [not(["rules", ...ADAPTERS], "plans from config and model: it may not import rules or adapters"), pulumi];
    case "rules":
      return [not(ADAPTERS, "is below every adapter: it may not import one"), pulumi];
    case "admission":
      return [
        not(adaptersBut("cli"), "is the adapter over the rules the other adapters use: it imports no other adapter"),
      ];
    case "cli":
      return [];
    default:
      return [
        not(
          adaptersBut(...SHARED_ADAPTERS),
          "is an adapter: it imports the layers below, src/admission and src/cli, never another adapter",
        ),
      ];
  }
}

const boundaries = [...PURE, ...ADAPTERS].map((name) => ({
  name: `agent-trust/boundaries/${name}`,
  files: [`src/${name}/**/*.ts`],
  rules: { "no-restricted-imports": ["error", { patterns: forbidden(name) }] },
}));

export default defineConfig(
  { ignores: ["**/node_modules/**", "dist/**", "policy/dist/**", "servers/**", "out/**", "evidence/**"] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      // tsconfig has noUncheckedIndexedAccess: every index read is `T | undefined`, and `xs[i]!` after a bounds check
      // is the checked idiom of the readers' hot loops. Children are never found by `!`: the plans have named fields.
      "@typescript-eslint/no-non-null-assertion": "off",
      // Messages name counts, lines and sizes everywhere; a number in a template literal always reads the same.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      // node:test's describe() and test() return promises the runner awaits itself.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["describe", "test", "it", "suite"] },
          ],
        },
      ],
    },
  },
  ...boundaries,
  {
    name: "agent-trust/boundaries/policy",
    files: ["policy/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ADAPTERS.filter((a) => !SHARED_ADAPTERS.includes(a)).flatMap((a) => [
                `../src/${a}`,
                `../src/${a}/*`,
              ]),
              message:
                "the policy pack is an adapter: it imports the layers below, src/admission and src/cli, never another adapter (layering: eslint.config.mjs).",
            },
          ],
        },
      ],
    },
  },
  {
    // The rules, the checker, the YAML readers, the admission room and the pack read input someone else wrote: a
    // Manifest's type says what a planned object holds, never what an attacker's object holds, so they guard fields the
    // types call certain (`obj.metadata?.name`). Those guards are the fail-closed part of the design, not noise.
    name: "agent-trust/untrusted-input",
    files: ["src/rules/**/*.ts", "src/check/**/*.ts", "src/yaml/**/*.ts", "src/admission/**/*.ts", "policy/*.ts"],
    rules: { "@typescript-eslint/no-unnecessary-condition": "off" },
  },
  {
    // Tests build deep literal objects and read them back by path: the type-aware unsafe-* rules and `any` are
    // allowed there (src/ has no `any`). Everything else, the import boundaries of what they import included, holds.
    name: "agent-trust/tests",
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
  {
    name: "agent-trust/javascript",
    files: ["**/*.{js,mjs,cjs}"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        console: "readonly",
        __dirname: "readonly",
      },
    },
  },
);
