/**
 * Settings of a benchmark run, read from `BENCH_*` environment variables
 * (listed in bench/run.ts and docs/benchmarks.md), and the scratch paths.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface BenchSettings {
  scale: number;
  pgliteScale: number;
  connections: number;
  duration: number;
  curve: number[];
  curveDuration: number;
  /** Request rate of the read runs that the latency targets apply to, per second. */
  readRate: number;
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
    pgliteScale: numberSetting("BENCH_PGLITE_SCALE", 1),
    connections: numberSetting("BENCH_CONNECTIONS", 10),
    duration: numberSetting("BENCH_DURATION", 20),
    curve,
    curveDuration: numberSetting("BENCH_CURVE_DURATION", 10),
    readRate: numberSetting("BENCH_READ_RATE", 50),
    database: process.env.BENCH_DATABASE ?? "gp_bench",
    profile: profile as BenchSettings["profile"],
    keepDatabase: process.env.BENCH_KEEP_DATABASE === "true",
    skipPglite: process.env.BENCH_SKIP_PGLITE === "true",
    writeDocs: process.env.BENCH_WRITE_DOCS !== "false",
  };
}

/** Scratch folder of the benchmark (git-ignored). */
export const WORK_DIR = fileURLToPath(new URL("./.work", import.meta.url));

/** Output of the product processes, one file per kind of run. */
export const LOG_DIR = join(WORK_DIR, "logs");

export function log(message: string): void {
  process.stdout.write(
    `[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`,
  );
}
