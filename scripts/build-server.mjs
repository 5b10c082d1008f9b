// Bundles the server for `npm start`: src/main.ts and what it imports into
// one folder (default dist/server), npm packages left as imports from
// node_modules. The parts imported on demand (PGlite, the ESIA simulator,
// the mail catcher) become chunks of their own. The bundle finds drizzle/
// and dist/web two folders up, so the folder must sit in dist/.
import { cpSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { build } from "esbuild";

const outdir = process.argv[2] ?? "dist/server";
if (basename(dirname(outdir)) !== "dist" || process.argv.length > 3) {
  console.error(
    `Invalid output folder "${process.argv.slice(2).join(" ")}": expected one folder in dist/, e.g. dist/server`,
  );
  process.exit(2);
}

rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: true,
  outdir,
  logLevel: "warning",
});
// The simulator reads its demo fixture and the fixture schema next to itself.
for (const file of ["demo-fixture.json", "fixture.schema.json"]) {
  cpSync(join("src/esia-simulator", file), join(outdir, file));
}
