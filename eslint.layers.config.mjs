// The part of the lint that `npm test` runs on every push: the layering of src/ (eslint-rules/layers.mjs) and no `any`
// in src/ or the pack. Syntax only (no type information), so it takes seconds. `npm run lint` is the full, type-aware
// strict lint (eslint.config.mjs).
import tseslint from "typescript-eslint";
import layers from "./eslint-rules/layers.mjs";

export default tseslint.config(
  { ignores: ["**/node_modules/**", "dist/**", "policy/dist/**"] },
  // The directives name rules of the full lint, which this config does not load.
  { linterOptions: { reportUnusedDisableDirectives: "off" } },
  {
    files: ["src/**/*.ts", "policy/*.ts"],
    languageOptions: { parser: tseslint.parser },
    plugins: { "agent-trust": { rules: { layers } }, "@typescript-eslint": tseslint.plugin },
    rules: { "agent-trust/layers": "error", "@typescript-eslint/no-explicit-any": "error" },
  },
);
