// ESLint (flat config): typescript-eslint strict + stylistic, type-aware through the TypeScript project service,
// and the layering of src/ as one table of rooms (eslint-rules/layers.mjs). `npm run lint`; `npm test` runs it.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";
import layers from "./eslint-rules/layers.mjs";

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
  {
    name: "agent-trust/layers",
    files: ["src/**/*.ts", "policy/*.ts"],
    plugins: { "agent-trust": { rules: { layers } } },
    rules: { "agent-trust/layers": "error" },
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
