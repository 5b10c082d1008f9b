/**
 * `npm run bench`: generates the national-scale data set in PostgreSQL,
 * measures the product over HTTP next to pgbench running the SQL of one
 * submit, measures the PGlite default, and writes docs/benchmarks.md.
 *
 * Settings (environment variables, all optional):
 *   BENCH_SCALE            data-set scale for PostgreSQL, 1 = full (default 1)
 *   BENCH_PGLITE_SCALE     data-set scale for PGlite (default 1)
 *   BENCH_CONNECTIONS      concurrent HTTP connections and pgbench clients (default 10)
 *   BENCH_DURATION         seconds per measured run (default 20)
 *   BENCH_CURVE            connection counts of the submit latency curve (default 1,2,4,8,16,32,64)
 *   BENCH_CURVE_DURATION   seconds per curve point (default 10)
 *   BENCH_READ_RATE        requests per second of the read runs the latency targets apply to (default 50)
 *   BENCH_DATABASE         name of the PostgreSQL database, dropped and created (default gp_bench)
 *   BENCH_ADMIN_URL        maintenance database URL (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_PROFILE          always | missed | never: CPU profiles of scenarios (default missed)
 *   BENCH_KEEP_DATABASE    true keeps the PostgreSQL database after the run
 *   BENCH_SKIP_PGLITE      true skips the PGlite part
 *   BENCH_WRITE_DOCS       false leaves docs/ untouched (default true)
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { collectMachine } from "./machine.js";
import { measurePglite } from "./pglite.js";
import { measurePostgres } from "./postgres.js";
import { writeReport, type BenchResults } from "./report.js";
import { LOG_DIR, log, readSettings, WORK_DIR } from "./settings.js";

const round2 = (value: number) => Math.round(value * 100) / 100;

async function main(): Promise<void> {
  const settings = readSettings();
  mkdirSync(WORK_DIR, { recursive: true });
  rmSync(LOG_DIR, { recursive: true, force: true });
  rmSync(join(WORK_DIR, "profiles"), { recursive: true, force: true });
  const started = Date.now();
  const machine = await collectMachine();
  log(
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb.toFixed(1)} GB, load average ${machine.loadAverageBefore.join(" ")}`,
  );

  const postgres = await measurePostgres(settings);
  const pglite = settings.skipPglite ? null : await measurePglite(settings);

  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    minutes: (Date.now() - started) / 60_000,
    settings,
    machine: { ...machine, loadAverageAfter: loadavg().map(round2) },
    postgres,
    pglite,
  };
  const file = join(
    WORK_DIR,
    `results-${results.startedAt.replaceAll(":", "-")}.json`,
  );
  writeFileSync(file, JSON.stringify(results, null, 2));
  log(`results: ${file}`);
  if (settings.writeDocs) {
    const written = writeReport(results);
    log(`report: ${written.join(", ")}`);
  }
  log(`done in ${results.minutes.toFixed(1)} min`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
