// Bundles the pack for publishing: index.ts with the shared rule table (../src) into dist/index.js, so the
// published pack imports nothing outside its own folder except @pulumi/policy and @pulumi/pulumi, which its
// package.json pins. Run by `npm run build` and `npm pack` (prepack) in this folder.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { version } = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
rmSync(join(here, "dist"), { recursive: true, force: true });
const result = await build({
  entryPoints: [join(here, "index.ts")],
  outfile: join(here, "dist", "index.js"),
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  external: ["@pulumi/policy", "@pulumi/policy/*", "@pulumi/pulumi", "@pulumi/pulumi/*"],
  banner: {
    js: `// agent-trust policy pack ${version}: the rule table bundled at build time. Generated; do not edit.`,
  },
  metafile: true,
  logLevel: "warning",
});
const outside = Object.keys(result.metafile.inputs).filter(
  (f) => f.includes("node_modules") && !/node_modules\/@pulumi\/(policy|pulumi)\//.test(f),
);
if (outside.length > 0) throw new Error(`the bundle pulls in packages it should not: ${outside.join(", ")}`);
console.log(`policy pack ${version}: dist/index.js from ${Object.keys(result.metafile.inputs).length} sources`);
