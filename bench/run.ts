/**
 * `npm run bench`: generates the national-scale data set in PostgreSQL,
 * measures the product over HTTP next to pgbench running the SQL of one
 * submit, measures the PGlite default, and writes docs/benchmarks.md.
 *
 * Settings (environment variables, all optional):
 *   BENCH_SCALE            data-set scale for PostgreSQL, 1 = full (default 1)
 *   BENCH_PGLITE_SCALE     data-set scale for PGlite (default 0.1)
 *   BENCH_CONNECTIONS      concurrent HTTP connections and pgbench clients (default 10)
 *   BENCH_DURATION         seconds per measured run (default 20)
 *   BENCH_CURVE            connection counts of the submit latency curve (default 1,2,4,8,16,32,64)
 *   BENCH_CURVE_DURATION   seconds per curve point (default 10)
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
import { fileURLToPath } from "node:url";
import { collectMachine } from "./machine.js";
import { measurePglite } from "./pglite.js";
import { measurePostgres } from "./postgres.js";
import { writeReport, type BenchResults } from "./report.js";

export interface BenchSettings {
  scale: number;
  pgliteScale: number;
  connections: number;
  duration: number;
  curve: number[];
  curveDuration: number;
  database: string;
  profile: "always" | "missed" | "never";
  keepDatabase: boolean;
  skipPglite: boolean;
  writeDocs: boolean;
}

function numberSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name}=${raw} is invalid: expected a positive number`);
  }
  return value;
}

export function readSettings(): BenchSettings {
  const profile = process.env.BENCH_PROFILE ?? "missed";
  if (!["always", "missed", "never"].includes(profile)) {
    throw new Error(
      `BENCH_PROFILE=${profile} is invalid: expected always, missed or never`,
    );
  }
  const curve = (process.env.BENCH_CURVE ?? "1,2,4,8,16,32,64")
    .split(",")
    .map((item) => Number(item.trim()));
  if (curve.some((value) => !Number.isInteger(value) || value < 1)) {
    throw new Error(
      `BENCH_CURVE=${process.env.BENCH_CURVE} is invalid: expected comma-separated connection counts`,
    );
  }
  return {
    scale: numberSetting("BENCH_SCALE", 1),
    pgliteScale: numberSetting("BENCH_PGLITE_SCALE", 0.1),
    connections: numberSetting("BENCH_CONNECTIONS", 10),
    duration: numberSetting("BENCH_DURATION", 20),
    curve,
    curveDuration: numberSetting("BENCH_CURVE_DURATION", 10),
    database: process.env.BENCH_DATABASE ?? "gp_bench",
    profile: profile as BenchSettings["profile"],
    keepDatabase: process.env.BENCH_KEEP_DATABASE === "true",
    skipPglite: process.env.BENCH_SKIP_PGLITE === "true",
    writeDocs: process.env.BENCH_WRITE_DOCS !== "false",
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Scratch folder of the benchmark (git-ignored). */
export const WORK_DIR = fileURLToPath(new URL("./.work", import.meta.url));

/** Output of the product processes, one file per kind of run. */
export const LOG_DIR = join(WORK_DIR, "logs");

export function log(message: string): void {
  process.stdout.write(
    `[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );
}

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
